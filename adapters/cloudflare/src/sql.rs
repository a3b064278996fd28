//! Placeholder rewriting for D1.
//!
//! D1 binds every JavaScript number as a REAL (`typeof(?)` is `'real'` for `1`) and refuses
//! `BigInt`. So an integer parameter is sent as its decimal text and its placeholder becomes
//! `CAST(? AS INTEGER)`: SQLite then sees an exact INTEGER across the whole i64 range, both
//! in expressions and in STRICT `ANY` columns. Reading back is another matter: D1 returns
//! integers as JavaScript numbers, exact only within ±2^53 (see `docs/deploy-workers.md`).

use minyi::store::{StoreError, Value};

/// The SQL with the placeholder of every integer parameter wrapped in a cast, after checking
/// that the number of placeholders equals the number of parameters. Placeholders inside
/// string literals, quoted identifiers and comments are left alone; numbered or named
/// parameters (`?1`, `:a`, `@a`, `$a`) are not part of the port.
pub fn rewrite(sql: &str, params: &[Value]) -> Result<String, StoreError> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 24 * params.len());
    let mut placeholders = 0usize;
    let mut copied = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == quote {
                        // A doubled quote is an escaped quote.
                        if bytes.get(i + 1) == Some(&quote) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'?' => {
                if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    return Err(StoreError::Backend(
                        "numbered parameters (?NNN) are not supported; use ?".into(),
                    ));
                }
                if let Some(Value::Integer(_)) = params.get(placeholders) {
                    out.push_str(&sql[copied..i]);
                    out.push_str("CAST(? AS INTEGER)");
                    copied = i + 1;
                }
                placeholders += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    if placeholders != params.len() {
        return Err(StoreError::Backend(format!(
            "the statement has {placeholders} parameters but {} were bound",
            params.len()
        )));
    }
    out.push_str(&sql[copied.min(sql.len())..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_placeholders_are_cast_and_others_kept() {
        let sql = "SELECT ? AS a, '?' AS q, \"?\" AS \"x?\", ? AS b -- ?\n, [?] /* ? */ , ?";
        let params = [Value::Integer(1), Value::from("two"), Value::Real(1.5)];
        assert_eq!(
            rewrite(sql, &params).expect("rewrite"),
            "SELECT CAST(? AS INTEGER) AS a, '?' AS q, \"?\" AS \"x?\", ? AS b -- ?\n, [?] /* ? */ , ?"
        );
        assert_eq!(
            rewrite("VALUES ('it''s ?', ?)", &[Value::Integer(i64::MAX)]).expect("rewrite"),
            "VALUES ('it''s ?', CAST(? AS INTEGER))"
        );
    }

    #[test]
    fn parameter_counts_must_match() {
        assert!(matches!(
            rewrite("SELECT ?, ?", &[Value::Integer(1)]),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            rewrite("SELECT ?", &[Value::Null, Value::Null]),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            rewrite("SELECT ?1", &[Value::Null]),
            Err(StoreError::Backend(_))
        ));
        assert_eq!(rewrite("SELECT 1", &[]).expect("plain"), "SELECT 1");
    }
}

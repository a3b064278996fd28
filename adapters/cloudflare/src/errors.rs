//! How D1's error messages map onto [`StoreError`], and the integer range D1 carries.

use minyi::store::StoreError;

/// The largest integer a JavaScript number holds exactly (2^53 - 1). D1 returns integers as
/// numbers, never `BigInt`s, so one beyond ±this cannot be read back exactly.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// The store error a D1 error message stands for. D1 reports SQLite's errors as text
/// (`D1_ERROR: UNIQUE constraint failed: department.code: SQLITE_CONSTRAINT`); the message
/// names the SQL and the constraint, never the bound values, so it may be kept for the log.
pub fn from_message(message: &str) -> StoreError {
    let message = &scrub(message);
    let lower = message.to_ascii_lowercase();
    if lower.contains("sqlite_busy") || lower.contains("database is locked") {
        StoreError::Busy
    } else if lower.contains("constraint") || lower.contains("sqlite_constraint") {
        StoreError::Constraint(message.to_owned())
    } else {
        StoreError::Backend(message.to_owned())
    }
}

/// The message without the bound values D1 quotes in some errors
/// (`D1_TYPE_ERROR: Type 'bigint' not supported for value '42'`).
pub fn scrub(message: &str) -> String {
    match message.find(" for value ") {
        Some(at) => format!("{} for a parameter", &message[..at]),
        None => message.to_owned(),
    }
}

/// The SQLite value a JavaScript number read from D1 stands for: an integral number in the
/// exact range is an integer, anything else a real.
pub fn number_as_value(n: f64) -> minyi::store::Value {
    use minyi::store::Value;
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER as f64 {
        Value::Integer(n as i64)
    } else {
        Value::Real(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minyi::store::Value;

    #[test]
    fn d1_messages_map_to_store_errors() {
        assert!(matches!(
            from_message("D1_ERROR: UNIQUE constraint failed: department.code: SQLITE_CONSTRAINT"),
            StoreError::Constraint(_)
        ));
        assert!(matches!(
            from_message("D1_ERROR: case_event is append-only: SQLITE_CONSTRAINT"),
            StoreError::Constraint(_)
        ));
        assert_eq!(from_message("D1_ERROR: SQLITE_BUSY"), StoreError::Busy);
        assert_eq!(
            from_message("D1_TYPE_ERROR: Type 'bigint' not supported for value '13800138000'"),
            StoreError::Backend(
                "D1_TYPE_ERROR: Type 'bigint' not supported for a parameter".into()
            )
        );
        assert!(matches!(
            from_message("D1_ERROR: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR"),
            StoreError::Backend(_)
        ));
    }

    #[test]
    fn numbers_read_back_are_integers_only_when_exact() {
        assert_eq!(number_as_value(3.0), Value::Integer(3));
        assert_eq!(number_as_value(-0.125), Value::Real(-0.125));
        assert_eq!(number_as_value(1e300), Value::Real(1e300));
    }
}

//! How D1's error messages map onto [`StoreError`], and the integer range D1 carries.

use minyi::store::StoreError;

/// The largest integer a JavaScript number holds exactly (2^53 - 1). D1 takes and returns
/// numbers, not `BigInt`s, so integers beyond ±this are refused rather than rounded.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// The store error a D1 error message stands for. D1 reports SQLite's errors as text
/// (`D1_ERROR: UNIQUE constraint failed: department.code: SQLITE_CONSTRAINT`); the message
/// names the SQL and the constraint, never the bound values, so it may be kept for the log.
pub fn from_message(message: &str) -> StoreError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("sqlite_busy") || lower.contains("database is locked") {
        StoreError::Busy
    } else if lower.contains("constraint") || lower.contains("sqlite_constraint") {
        StoreError::Constraint(message.to_owned())
    } else {
        StoreError::Backend(message.to_owned())
    }
}

/// The value of an integer as a JavaScript number, if it is exact.
pub fn integer_as_number(v: i64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER)
        .contains(&v)
        .then_some(v as f64)
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
        assert!(matches!(
            from_message("D1_ERROR: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR"),
            StoreError::Backend(_)
        ));
    }

    #[test]
    fn numbers_are_exact_or_refused() {
        assert_eq!(
            integer_as_number(MAX_SAFE_INTEGER),
            Some(9_007_199_254_740_991.0)
        );
        assert_eq!(integer_as_number(MAX_SAFE_INTEGER + 2), None);
        assert_eq!(integer_as_number(i64::MIN), None);
        assert_eq!(number_as_value(3.0), Value::Integer(3));
        assert_eq!(number_as_value(-0.125), Value::Real(-0.125));
        assert_eq!(number_as_value(1e300), Value::Real(1e300));
    }
}

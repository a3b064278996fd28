//! How D1's error messages map onto [`StoreError`], and the integer range D1 carries.

use minyi::store::StoreError;
use minyi::store::sqlite_errors::classify;

/// The largest integer a JavaScript number holds exactly (2^53 - 1). D1 returns integers as
/// numbers, never `BigInt`s, so one beyond ±this cannot be read back exactly.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// The store error a D1 error message stands for, classified by
/// [`minyi::store::sqlite_errors`] once the bound values D1 may quote are scrubbed: the rest
/// names the SQL and the constraint only, so it may be kept for the log.
pub fn from_message(message: &str) -> StoreError {
    classify(&scrub(message))
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
    fn d1_messages_lose_their_bound_values() {
        assert_eq!(
            from_message("D1_TYPE_ERROR: Type 'bigint' not supported for value '13800138000'"),
            StoreError::Backend(
                "D1_TYPE_ERROR: Type 'bigint' not supported for a parameter".into()
            )
        );
    }

    #[test]
    fn numbers_read_back_are_integers_only_when_exact() {
        assert_eq!(number_as_value(3.0), Value::Integer(3));
        assert_eq!(number_as_value(-0.125), Value::Real(-0.125));
        assert_eq!(number_as_value(1e300), Value::Real(1e300));
    }
}

//! Expiry for Spin key-value, which has none: a value is stored as
//! `<expires-at, Unix ms>:<value>`, and a value read after its instant counts as absent.
//!
//! An expired entry stays in the store until the sweep purges it
//! ([`crate::SpinKv::purge_expired`]): rate-limit keys name their window, so old ones are never
//! read or written again.

/// The stored form of `value`, expiring at `expires_ms`.
pub fn encode(value: &str, expires_ms: i64) -> String {
    format!("{expires_ms}:{value}")
}

/// The value of a stored entry if it has not expired at `now_ms`. An entry not in the
/// stored form (written by something else) counts as absent.
pub fn decode(stored: &str, now_ms: i64) -> Option<&str> {
    let (expires, value) = stored.split_once(':')?;
    let expires: i64 = expires.parse().ok()?;
    (now_ms < expires).then_some(value)
}

/// Whether `stored` is an entry in the stored form that has expired at `now_ms`. Anything
/// else (a live entry, or one written by something other than this module) is kept.
pub fn is_expired(stored: &str, now_ms: i64) -> bool {
    stored
        .split_once(':')
        .and_then(|(expires, _)| expires.parse::<i64>().ok())
        .is_some_and(|expires| now_ms >= expires)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_live_until_their_instant() {
        let stored = encode("3:a", 1_000);
        assert_eq!(decode(&stored, 999), Some("3:a"));
        assert_eq!(decode(&stored, 1_000), None);
        assert_eq!(decode("garbage", 0), None);
        assert_eq!(decode("x:1", 0), None);
    }

    #[test]
    fn only_expired_entries_in_the_stored_form_are_purged() {
        let stored = encode("3:a", 1_000);
        assert!(!is_expired(&stored, 999));
        assert!(is_expired(&stored, 1_000));
        assert!(!is_expired("garbage", i64::MAX));
        assert!(!is_expired("x:1", i64::MAX));
    }
}

//! Expiry for Spin key-value, which has none: a value is stored as
//! `<expires-at, Unix ms>:<value>`, and a value read after its instant counts as absent.
//!
//! An expired entry stays in the store until its key is written again (rate-limit keys name
//! their window, so old ones are never read again): purging them is a sweep duty still to come
//! (see `docs/deploy-spin.md`).

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
}

//! The key-value port: short-lived counters and flags (rate limits), never the record of a
//! case. Workers KV is eventually consistent, so nothing that must be exact lives here.

use std::fmt;

/// Errors of a key-value adapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvError(pub String);

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key-value store: {}", self.0)
    }
}

impl std::error::Error for KvError {}

/// The shortest expiry every adapter honours (Workers KV's minimum), in seconds.
pub const MIN_TTL_SECONDS: u32 = 60;

/// A key-value store with expiry.
#[allow(async_fn_in_trait)]
pub trait KeyValue {
    /// The value under `key`, if present and not expired.
    async fn get(&self, key: &str) -> Result<Option<String>, KvError>;

    /// Stores `value` under `key` for `ttl_seconds` (at least [`MIN_TTL_SECONDS`]).
    async fn put(&self, key: &str, value: &str, ttl_seconds: u32) -> Result<(), KvError>;

    /// Deletes expired entries among at most `scan` keys and returns how many, for stores that
    /// do not expire entries themselves (Spin); the sweep calls it. Stores that expire entries
    /// (Workers KV) have nothing to do.
    async fn purge_expired(&self, scan: usize) -> Result<u32, KvError> {
        let _ = scan;
        Ok(0)
    }
}

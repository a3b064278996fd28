//! The key-value port over Spin key-value (expiry kept in the value, see [`crate::expiry`]).

use minyi::app::Host;
use minyi::kv::{KeyValue, KvError, MIN_TTL_SECONDS};
use spin_sdk::key_value::Store;

use crate::SpinHost;
use crate::expiry::{decode, encode, is_expired};

/// The key-value port over one Spin key-value store.
pub struct SpinKv {
    store: Store,
}

impl SpinKv {
    /// Opens the store labelled `label` in the manifest's `key_value_stores`.
    pub async fn open(label: &str) -> Result<Self, KvError> {
        let store = Store::open(label)
            .await
            .map_err(|e| KvError(e.to_string()))?;
        Ok(Self { store })
    }
}

fn now_ms() -> i64 {
    SpinHost.now().as_millisecond()
}

impl KeyValue for SpinKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        let Some(bytes) = self
            .store
            .get(key)
            .await
            .map_err(|e| KvError(e.to_string()))?
        else {
            return Ok(None);
        };
        let Ok(stored) = String::from_utf8(bytes) else {
            return Ok(None);
        };
        Ok(decode(&stored, now_ms()).map(str::to_owned))
    }

    async fn put(&self, key: &str, value: &str, ttl_seconds: u32) -> Result<(), KvError> {
        let ttl_ms = i64::from(ttl_seconds.max(MIN_TTL_SECONDS)) * 1000;
        self.store
            .set(key, encode(value, now_ms() + ttl_ms))
            .await
            .map_err(|e| KvError(e.to_string()))
    }

    /// Deletes the expired entries among the first `scan` keys the store lists, and returns
    /// how many it deleted (Spin key-value has no expiry of its own).
    /// Only rate-limit counters live here, keyed window first (`rl:<bucket>:<window>:…`):
    /// where the store lists keys in order (the test host does, and Spin's SQLite store reads
    /// them through its (store, key) primary key), the oldest windows come first, so each run
    /// frees the oldest entries even when more than `scan` are live.
    async fn purge_expired(&self, scan: usize) -> Result<u32, KvError> {
        let mut listed = self.store.get_keys().await;
        let mut keys = Vec::new();
        while keys.len() < scan {
            match listed.next().await {
                Some(key) => keys.push(key),
                None => break,
            }
        }
        drop(listed);
        let now = now_ms();
        let mut deleted = 0;
        for key in keys {
            let stored = self
                .store
                .get(&key)
                .await
                .map_err(|e| KvError(e.to_string()))?;
            let expired = stored
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .is_some_and(|s| is_expired(&s, now));
            if expired {
                self.store
                    .delete(&key)
                    .await
                    .map_err(|e| KvError(e.to_string()))?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

//! The key-value port over Workers KV.

use minyi::kv::{KeyValue, KvError, MIN_TTL_SECONDS};

/// A Workers KV namespace as a [`KeyValue`] store.
pub struct KvStore {
    kv: worker::KvStore,
}

impl KvStore {
    /// The KV binding `name` of the Worker's environment.
    pub fn from_env(env: &worker::Env, name: &str) -> Result<Self, KvError> {
        env.kv(name)
            .map(|kv| Self { kv })
            .map_err(|e| KvError(e.to_string()))
    }
}

impl KeyValue for KvStore {
    async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        self.kv
            .get(key)
            .text()
            .await
            .map_err(|e| KvError(e.to_string()))
    }

    async fn put(&self, key: &str, value: &str, ttl_seconds: u32) -> Result<(), KvError> {
        // As bytes: `put` with a `&str` goes through serde_wasm_bindgen's serializer and its
        // number handling. KV stores bytes either way, and `get(..).text()` reads them back as
        // the same UTF-8.
        self.kv
            .put_bytes(key, value.as_bytes())
            .map_err(|e| KvError(e.to_string()))?
            .expiration_ttl(u64::from(ttl_seconds.max(MIN_TTL_SECONDS)))
            .execute()
            .await
            .map_err(|e| KvError(e.to_string()))
    }
}

//! Per-client rate limits: fixed-window counters.
//!
//! Submissions and query-code attempts are counted in the key-value store, shared by every
//! instance. Workers KV is eventually consistent, so a burst can overshoot a budget by a
//! little; that is acceptable for abuse control, and nothing exact depends on it.
//!
//! Reads are far more frequent and cheap to serve, and a KV write on every page view would cost
//! more than the page: they are counted in the instance's own memory (a Workers isolate lives
//! across many requests), which limits a client hammering one isolate. Edge-wide limits on
//! reads belong to the platform's firewall rules (documented in docs/deploy-workers.md).
//!
//! The client's address is hashed with the deployment's secret before it becomes a key.

use crate::{Env, WebError};
use minyi::app::Host;
use minyi::kv::{KeyValue, MIN_TTL_SECONDS};
use sha2::{Digest, Sha256};

/// What a budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// Submissions, per hour.
    Submit,
    /// Reads, per minute.
    Read,
    /// Query-code attempts, per hour.
    Code,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Bucket::Submit => "submit",
            Bucket::Read => "read",
            Bucket::Code => "code",
        }
    }
}

/// Counts one request against the client's budget; refuses it when the budget is spent.
/// Requests without a client address (tests, internal calls) are not limited.
pub async fn check<E: Env>(
    env: &E,
    bucket: Bucket,
    client_ip: Option<&str>,
) -> Result<(), WebError> {
    let Some(ip) = client_ip else {
        return Ok(());
    };
    let limits = env.config().limits;
    let (budget, window) = match bucket {
        Bucket::Submit => (limits.submissions_per_hour, 3600),
        Bucket::Read => (limits.reads_per_minute, 60),
        Bucket::Code => (limits.code_attempts_per_hour, 3600),
    };
    let now = env.host().now().as_second();
    let slot = now.div_euclid(window);
    let retry_after = u32::try_from(window - now.rem_euclid(window)).unwrap_or(60);
    let client = Sha256::digest([env.config().secret.as_slice(), ip.as_bytes()].concat());
    let client: String = client[..8].iter().map(|b| format!("{b:02x}")).collect();
    if bucket == Bucket::Read {
        return if local::count(&client, slot) > budget {
            Err(WebError::RateLimited { retry_after })
        } else {
            Ok(())
        };
    }
    let key = format!("rl:{}:{client}:{slot}", bucket.name());
    let used: u32 = env
        .kv()
        .get(&key)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if used >= budget {
        return Err(WebError::RateLimited { retry_after });
    }
    let ttl = u32::try_from(window).unwrap_or(3600).max(MIN_TTL_SECONDS) + MIN_TTL_SECONDS;
    env.kv()
        .put(&key, &(used + 1).to_string(), ttl)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// Read counters in this instance's memory, for the current window only.
mod local {
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// Most clients tracked per window; past it the window starts over (memory stays bounded).
    const MAX_CLIENTS: usize = 10_000;

    thread_local! {
        static COUNTS: RefCell<(i64, HashMap<String, u32>)> = RefCell::new((i64::MIN, HashMap::new()));
    }

    /// Counts one request of `client` in window `slot`; returns the count including it.
    pub fn count(client: &str, slot: i64) -> u32 {
        COUNTS.with_borrow_mut(|(current, counts)| {
            if *current != slot || counts.len() >= MAX_CLIENTS {
                *current = slot;
                counts.clear();
            }
            let n = counts.entry(client.to_owned()).or_insert(0);
            *n = n.saturating_add(1);
            *n
        })
    }
}

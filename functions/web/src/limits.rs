//! Per-client rate limits: fixed-window counters.
//!
//! Submissions are counted in the SQL store inside the registration batch itself
//! ([`submission_budget`] makes the [`Budget`] the use case checks): exact, and no extra round
//! trip. Query-code attempts are counted in the key-value store, shared by every instance;
//! Workers KV is eventually consistent, so a burst can overshoot that budget by a little, which
//! is acceptable for abuse control.
//!
//! Reads are far more frequent and cheap to serve, and a KV write on every page view would cost
//! more than the page: they are counted in the instance's own memory (a Workers isolate lives
//! across many requests), which limits a client hammering one isolate. Edge-wide limits on
//! reads belong to the platform's firewall rules (documented in docs/deploy-workers.md).
//!
//! The client's address is hashed with the deployment's secret before it becomes a key.

use crate::{Env, WebError};
use minyi::app::Host;
use minyi::app::cases::Budget;
use minyi::kv::{KeyValue, MIN_TTL_SECONDS};
use sha2::{Digest, Sha256};

/// What a budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// Reads, per minute.
    Read,
    /// Query-code attempts, per hour.
    Code,
}

impl Bucket {
    fn name(self) -> &'static str {
        match self {
            Bucket::Read => "read",
            Bucket::Code => "code",
        }
    }
}

/// The client's submission budget for the current hour, and the seconds until it renews;
/// `None` for requests without a client address (tests, internal calls).
pub fn submission_budget<E: Env>(env: &E, client_ip: Option<&str>) -> Option<(Budget, u32)> {
    let ip = client_ip?;
    let window = 3600;
    let now = env.host().now().as_second();
    let slot = now.div_euclid(window);
    let retry_after = u32::try_from(window - now.rem_euclid(window)).unwrap_or(60);
    let ends = minyi::calendar::Timestamp::from_second((slot + 1) * window).ok()?;
    let budget = Budget {
        key: format!("{}:{slot}", client_key(env, ip)),
        limit: env.config().limits.submissions_per_hour,
        window_ends: ends,
    };
    Some((budget, retry_after))
}

/// A client's address as a key: a keyed hash, so the store never holds the address.
fn client_key<E: Env>(env: &E, ip: &str) -> String {
    let digest = Sha256::digest([env.config().secret.as_slice(), ip.as_bytes()].concat());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
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
        Bucket::Read => (limits.reads_per_minute, 60),
        Bucket::Code => (limits.code_attempts_per_hour, 3600),
    };
    let now = env.host().now().as_second();
    let slot = now.div_euclid(window);
    let retry_after = u32::try_from(window - now.rem_euclid(window)).unwrap_or(60);
    let client = client_key(env, ip);
    if bucket == Bucket::Read {
        return if local::count(&client, slot) > budget {
            Err(WebError::RateLimited { retry_after })
        } else {
            Ok(())
        };
    }
    // The window before the client: listed in key order, old windows come first, so a store
    // without expiry (Spin) purges them first (`SpinKv::purge_expired`).
    let key = format!("rl:{}:{slot:012}:{client}", bucket.name());
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

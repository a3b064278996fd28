//! Per-client rate limits: fixed-window counters.
//!
//! Submissions are counted in the SQL store inside the registration batch itself
//! ([`submission_budget`] makes the [`Budget`] the use case checks): exact, and no extra round
//! trip. Query-code attempts are counted in the key-value store, shared by every instance;
//! Workers KV is eventually consistent, so a burst can overshoot that budget by a little, which
//! is acceptable for abuse control.
//!
//! Query-code attempts are also counted per case, whoever makes them.
//!
//! Reads are far more frequent and cheap to serve. On Workers a KV write on every page view
//! would cost more than the page: they are counted in the isolate's own memory (an isolate
//! lives across many requests), which limits a client hammering one isolate; edge-wide limits
//! on reads belong to the platform's rate-limiting rules (docs/deploy-workers.md). On Spin an
//! instance serves at most 128 requests, so reads are counted in the key-value store (a local
//! SQLite file or the deployment's Redis) in coarse ten-minute windows ([`Env::reads_in_kv`]).
//!
//! Clients are counted by [`client::bucket`] (IPv6 by /64; no address is one shared bucket),
//! hashed with the deployment's secret before it becomes a key.

use crate::{Env, Request, WebError, client};
use minyi::app::Host;
use minyi::app::cases::Budget;
use minyi::ids::TrackingNumber;
use minyi::kv::{KeyValue, MIN_TTL_SECONDS};
use sha2::Sha256;

/// The window of reads counted in the key-value store, in seconds: coarse, so a busy client
/// costs one counter write per request but few keys.
const KV_READ_WINDOW: i64 = 600;

/// What a budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    /// Reads, per minute.
    Read,
    /// Query-code attempts, per hour.
    Code,
    /// Staff login attempts, per hour: guesses at a secret like query codes, so the same
    /// budget (`MINYI_CODE_ATTEMPTS_PER_HOUR`; the project's choice).
    Login,
}

/// The client's submission budget for the current hour, and the seconds until it renews.
/// Requests without a client address share one budget.
pub fn submission_budget<E: Env>(env: &E, req: &Request) -> (Budget, u32) {
    let window = 3600;
    let now = env.host().now().as_second();
    let slot = now.div_euclid(window);
    let retry_after = u32::try_from(window - now.rem_euclid(window)).unwrap_or(60);
    let ends = minyi::calendar::Timestamp::from_second((slot + 1) * window)
        .unwrap_or(minyi::calendar::Timestamp::MAX);
    let budget = Budget {
        key: format!("{}:{slot}", client_key(env, req)),
        limit: env.config().limits.submissions_per_hour,
        window_ends: ends,
    };
    (budget, retry_after)
}

/// The client as a key: a keyed hash of its bucket ([`client::bucket`]), so no store ever
/// holds an address.
pub fn client_key<E: Env>(env: &E, req: &Request) -> String {
    keyed(env, &client::bucket(req.client_ip.as_deref()))
}

/// HMAC-SHA256 of `text` under the deployment's secret, its first 8 bytes as hex: a key that
/// names a client without naming its address, and that nobody without the secret can compute.
fn keyed<E: Env>(env: &E, text: &str) -> String {
    use hmac::{KeyInit, Mac};
    // HMAC takes keys of any length; the secret is never empty (vars::read).
    let Ok(mut mac) = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&env.config().secret) else {
        return String::new();
    };
    mac.update(text.as_bytes());
    minyi::hex::encode(&mac.finalize().into_bytes()[..8])
}

/// Counts one request against the client's budget; refuses it when the budget is spent.
pub async fn check<E: Env>(env: &E, bucket: Bucket, req: &Request) -> Result<(), WebError> {
    let limits = env.config().limits;
    let client = client_key(env, req);
    match bucket {
        Bucket::Read if env.reads_in_kv() => {
            let budget = limits.reads_per_minute.saturating_mul(10);
            count_in_kv(env, "read", &client, KV_READ_WINDOW, budget).await
        }
        Bucket::Read => {
            let now = env.host().now().as_second();
            let slot = now.div_euclid(60);
            if local::count(&client, slot) > limits.reads_per_minute {
                Err(WebError::RateLimited {
                    retry_after: u32::try_from(60 - now.rem_euclid(60)).unwrap_or(60),
                })
            } else {
                Ok(())
            }
        }
        Bucket::Code => {
            count_in_kv(env, "code", &client, 3600, limits.code_attempts_per_hour).await
        }
        Bucket::Login => {
            count_in_kv(env, "login", &client, 3600, limits.code_attempts_per_hour).await
        }
    }
}

/// Counts one query-code attempt on a case against the client's budget and the case's own:
/// a guess spread over many addresses stays bounded by the case's hourly budget.
pub async fn check_code_attempt<E: Env>(
    env: &E,
    req: &Request,
    tracking: &TrackingNumber,
) -> Result<(), WebError> {
    check(env, Bucket::Code, req).await?;
    let budget = env.config().limits.code_attempts_per_case_per_hour;
    let case = keyed(env, tracking.as_str());
    count_in_kv(env, "casecode", &case, 3600, budget).await
}

/// A fixed-window counter in the key-value store: refuses once `budget` requests of `who`
/// were counted in the current window of `window` seconds.
async fn count_in_kv<E: Env>(
    env: &E,
    name: &str,
    who: &str,
    window: i64,
    budget: u32,
) -> Result<(), WebError> {
    let now = env.host().now().as_second();
    let slot = now.div_euclid(window);
    let retry_after = u32::try_from(window - now.rem_euclid(window)).unwrap_or(60);
    // The window before the client: listed in key order, old windows come first, so a store
    // without expiry (Spin) purges them first (`SpinKv::purge_expired`).
    let key = format!("rl:{name}:{slot:012}:{who}");
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

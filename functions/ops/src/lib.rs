//! # minyi-ops
//!
//! What an operator (or the operator's scheduler) calls, never a citizen: under `/ops/`, with
//! `Authorization: Bearer <MINYI_OPS_SECRET>`, JSON in and out.
//!
//! | route | does |
//! | --- | --- |
//! | `GET /ops/migrations` | applied and pending schema migrations |
//! | `POST /ops/migrations[?through=NAME]` | applies the pending ones (up to `NAME`), as wrangler does on D1 |
//! | `GET /ops/rulebook` | the rulebook in force, with its version |
//! | `POST /ops/rulebook` | validates and saves a rulebook document as the next version |
//! | `POST /ops/sweep` | one bounded sweep run (the duties, then the outbox); `"more": true` asks to be called again |
//! | `POST /ops/outbox/receipts` | the SMS gateway's delivery reports (docs/outbox.md) |
//!
//! Without `MINYI_OPS_SECRET` the entry does not exist (404). A wrong or missing secret is
//! refused (401) before anything is read. [`sweep`] is also what the Worker's cron trigger and
//! Spin's cron component run.

mod aliyun;
mod sms;
mod tencent;

use minyi::app::outbox::{self, Delivery};
use minyi::app::sweep::{self, Report};
use minyi::app::{Host, migrations, rulebook};
use minyi::kv::KeyValue;
use minyi_web::{Env, Lang, Method, Request, Response, WebError, cache};
use serde_json::json;

/// `Allow` of the routes that read and write.
const ALLOW_GET_POST: &str = "GET, HEAD, POST";
/// `Allow` of the sweep.
const ALLOW_POST: &str = "POST";

/// Answers `/ops/...` when the deployment set an ops secret; `None` for any other path.
pub async fn handle<E: Env>(env: &E, req: &Request) -> Option<Response> {
    let rest = req.path.strip_prefix("/ops/")?;
    let secret = env.config().ops_secret.as_deref()?;
    // Operators read English and Chinese alike; problems carry both where the message table
    // has both.
    let lang = Lang::of(req);
    if !req.bears(secret) {
        return Some(
            WebError::Unauthorized
                .to_problem(lang)
                .with_header("www-authenticate", "Bearer realm=\"minyi-ops\""),
        );
    }
    let answer = match (req.method, rest) {
        (Method::Get, "migrations") => migration_status(env).await,
        (Method::Post, "migrations") => migrate(env, req).await,
        (Method::Get, "rulebook") => rulebook_in_force(env).await,
        (Method::Post, "rulebook") => save_rulebook(env, req).await,
        (Method::Post, "sweep") => sweep(env).await.map(|r| Response::json(200, &report(&r))),
        (Method::Post, "outbox/receipts") => receipts(env, req).await,
        (_, "migrations" | "rulebook") => Err(WebError::MethodNotAllowed {
            allow: ALLOW_GET_POST,
        }),
        (_, "sweep" | "outbox/receipts") => Err(WebError::MethodNotAllowed { allow: ALLOW_POST }),
        _ => Err(WebError::NotFound),
    };
    Some(answer.unwrap_or_else(|e| e.to_problem(lang)))
}

/// What one sweep run did: the case duties, then the outbox.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// The case duties done.
    pub duties: Report,
    /// Open meetings whose registration closed, drawn (selected and waitlisted, told by SMS):
    /// their codes.
    pub meetings_drawn: Vec<String>,
    /// The outbox's deliveries.
    pub outbox: Delivery,
}

/// One bounded sweep run at the host's clock, with the rules in force: the case duties, the
/// open meetings' draws, the outbox's due messages through the configured provider, then the
/// key-value entries a store without expiry keeps (Spin).
pub async fn sweep<E: Env>(env: &E) -> Result<Run, WebError> {
    let rules = env.rules().await?;
    let duties = sweep::run(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        sweep::BATCH,
    )
    .await?;
    let meetings_drawn =
        minyi::app::meetings::draw_due(env.store(), env.host(), MEETINGS_PER_RUN).await?;
    let mut stale: Vec<String> = Vec::new();
    for (id, case) in &duties.changed {
        stale.extend(cache::keys_of_case(*id, &[case]));
    }
    for code in &meetings_drawn {
        stale.extend(cache::meeting_keys(code));
    }
    env.purge(&stale).await;
    let outbox =
        outbox::deliver(env.store(), env.host(), &sms::Provider(env), outbox::BATCH).await?;
    env.kv()
        .purge_expired(PURGE_SCAN)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Run {
        duties,
        meetings_drawn,
        outbox,
    })
}

/// The most meetings one run draws (each a batch of four statements; 项目自定).
pub const MEETINGS_PER_RUN: u32 = 5;

/// The most key-value keys one sweep looks at for expired entries.
pub const PURGE_SCAN: usize = 2000;

/// A run's report as JSON (what `POST /ops/sweep` answers and the cron paths log).
pub fn report(run: &Run) -> serde_json::Value {
    let (r, o) = (&run.duties, &run.outbox);
    json!({
        "dispatches_late": r.dispatches_late,
        "first_responses_late": r.first_responses_late,
        "deemed_accepted": r.deemed_accepted,
        "escalated": r.escalated,
        "reminded": r.reminded,
        "stage_reports_late": r.stage_reports_late,
        "closed_unrated": r.closed_unrated,
        "skipped": r.skipped,
        "expired_keys": r.expired_keys,
        "ended_budgets": r.ended_budgets,
        "meetings_drawn": run.meetings_drawn.len(),
        "outbox": {
            "sent": o.sent,
            "retrying": o.retrying,
            "failed": o.failed,
            "no_address": o.no_address,
            "skipped": o.skipped,
        },
        "more": r.more || o.more || run.meetings_drawn.len() >= MEETINGS_PER_RUN as usize,
    })
}

/// The most delivery reports one request may carry.
pub const MAX_RECEIPTS: usize = 500;

/// `POST /ops/outbox/receipts`: the gateway's delivery reports, a JSON array of
/// `{"id": <the gateway's message id>, "delivered": bool, "error": "..."}`. Answers how many
/// matched a sent message; the whole request is refused if any report is malformed.
async fn receipts<E: Env>(env: &E, req: &Request) -> Result<Response, WebError> {
    let bad = |problem: &str| WebError::bad("receipts", problem);
    let value = req.json()?;
    let list = value
        .as_array()
        .ok_or_else(|| bad("须为JSON数组 / must be a JSON array"))?;
    if list.len() > MAX_RECEIPTS {
        return Err(bad("每次最多500条 / at most 500 reports a request"));
    }
    let mut parsed = Vec::with_capacity(list.len());
    for item in list {
        let id = item["id"]
            .as_str()
            .filter(|s| !s.is_empty() && s.len() <= 100);
        let delivered = item["delivered"].as_bool();
        let (Some(id), Some(delivered)) = (id, delivered) else {
            return Err(bad(
                "每条须有 id（字符串）和 delivered（布尔） / each needs id (string) and delivered (boolean)",
            ));
        };
        parsed.push((id, delivered, item["error"].as_str()));
    }
    let now = env.host().now();
    let mut matched = 0u32;
    for (id, delivered, error) in parsed {
        if outbox::record_receipt(env.store(), "http", id, delivered, error, now).await? {
            matched += 1;
        }
    }
    Ok(Response::json(200, &json!({"matched": matched})))
}

async fn migration_status<E: Env>(env: &E) -> Result<Response, WebError> {
    let status = migrations::status(env.store()).await?;
    Ok(Response::json(
        200,
        &json!({"applied": status.applied, "pending": status.pending}),
    ))
}

async fn migrate<E: Env>(env: &E, req: &Request) -> Result<Response, WebError> {
    let through = req.query_param("through");
    let applied = migrations::apply(env.store(), through.as_deref()).await?;
    let status = migrations::status(env.store()).await?;
    Ok(Response::json(
        200,
        &json!({"applied_now": applied, "applied": status.applied, "pending": status.pending}),
    ))
}

async fn rulebook_in_force<E: Env>(env: &E) -> Result<Response, WebError> {
    let rules = env.rules().await?;
    let document: serde_json::Value = serde_json::from_str(&rules.rulebook.to_json())
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Response::json(
        200,
        &json!({"version": rules.rulebook.version, "document": document}),
    ))
}

async fn save_rulebook<E: Env>(env: &E, req: &Request) -> Result<Response, WebError> {
    let document = std::str::from_utf8(&req.body)
        .map_err(|_| WebError::bad("rulebook", "须为UTF-8 JSON / must be UTF-8 JSON"))?;
    let saved = rulebook::save(env.store(), env.host(), document).await?;
    // This instance reads the new rules at once; others within their keeping time.
    minyi_web::rules::forget();
    Ok(Response::json(
        201,
        &json!({"version": saved.version, "note": saved.note}),
    ))
}

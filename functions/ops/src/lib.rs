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
//! | `POST /ops/sweep` | one bounded sweep run; `"more": true` asks to be called again |
//!
//! Without `MINYI_OPS_SECRET` the entry does not exist (404). A wrong or missing secret is
//! refused (401) before anything is read. [`sweep`] is also what the Worker's cron trigger and
//! Spin's cron component run.

use minyi::app::sweep::{self, Report};
use minyi::app::{migrations, rulebook};
use minyi::kv::KeyValue;
use minyi_web::{Env, Lang, Method, Request, Response, WebError};
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
        (_, "migrations" | "rulebook") => Err(WebError::MethodNotAllowed {
            allow: ALLOW_GET_POST,
        }),
        (_, "sweep") => Err(WebError::MethodNotAllowed { allow: ALLOW_POST }),
        _ => Err(WebError::NotFound),
    };
    Some(answer.unwrap_or_else(|e| e.to_problem(lang)))
}

/// One bounded sweep run at the host's clock, with the rules in force, then the key-value
/// entries a store without expiry keeps (Spin).
pub async fn sweep<E: Env>(env: &E) -> Result<Report, WebError> {
    let rules = env.rules().await?;
    let report = sweep::run(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        sweep::BATCH,
    )
    .await?;
    env.kv()
        .purge_expired(PURGE_SCAN)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(report)
}

/// The most key-value keys one sweep looks at for expired entries.
pub const PURGE_SCAN: usize = 2000;

/// A run's report as JSON (what `POST /ops/sweep` answers and the cron paths log).
pub fn report(r: &Report) -> serde_json::Value {
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
        "more": r.more,
    })
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

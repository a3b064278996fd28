//! The one way in: checks the client's budget and registers the case.

use crate::input::Submission;
use minyi::app::AppError;
use minyi::app::cases::{self, Registered};
use minyi::app::rulebook::InForce;
use minyi::case::{Actor, Role};
use minyi_web::limits;
use minyi_web::{Env, Request, WebError};

/// Registers a parsed submission for the client of `req` under the rules `in_force`; an
/// idempotency key it carries belongs to the client `scope` (`form`, `api:…`, `open311:…`).
pub async fn register<E: Env>(
    env: &E,
    submission: Submission,
    req: &Request,
    scope: &str,
    in_force: &InForce,
) -> Result<Registered, WebError> {
    let (budget, retry_after) = limits::submission_budget(env, req);
    let registered = cases::register(
        env.store(),
        env.host(),
        in_force.rules(&env.config().secret),
        submission.into_new_case(scope),
        Actor::anonymous(Role::Citizen),
        Some(&budget),
    )
    .await;
    match registered {
        Err(AppError::OverBudget) => Err(WebError::RateLimited { retry_after }),
        other => Ok(other?),
    }
}

/// The idempotency scope of an anonymous API client: its budget bucket, as a keyed hash.
pub fn api_scope<E: Env>(env: &E, req: &Request) -> String {
    format!("api:{}", limits::client_key(env, req))
}

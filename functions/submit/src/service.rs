//! The one way in: checks the client's budget and registers the case.

use crate::input::Submission;
use minyi::app::AppError;
use minyi::app::cases::{self, Registered, Rules};
use minyi::case::{Actor, Role};
use minyi::policy::Policy;
use minyi_web::limits;
use minyi_web::{Env, WebError};

/// Registers a parsed submission for a client.
pub async fn register<E: Env>(
    env: &E,
    submission: Submission,
    client_ip: Option<&str>,
) -> Result<Registered, WebError> {
    let budget = limits::submission_budget(env, client_ip);
    let calendar = env.calendar().await?;
    let policy = Policy::default();
    let rules = Rules {
        calendar: &calendar,
        policy: &policy,
        secret: &env.config().secret,
    };
    let registered = cases::register(
        env.store(),
        env.host(),
        rules,
        submission.into_new_case(),
        Actor::anonymous(Role::Citizen),
        budget.as_ref().map(|(b, _)| b),
    )
    .await;
    match registered {
        Err(AppError::OverBudget) => Err(WebError::RateLimited {
            retry_after: budget.map_or(3600, |(_, retry_after)| retry_after),
        }),
        other => Ok(other?),
    }
}

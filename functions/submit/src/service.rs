//! The one way in: checks the client's budget and registers the case.

use crate::input::Submission;
use minyi::app::cases::{self, Registered, Rules};
use minyi::case::{Actor, Role};
use minyi::policy::Policy;
use minyi_web::limits::{self, Bucket};
use minyi_web::{Env, WebError};

/// Registers a parsed submission for a client.
pub async fn register<E: Env>(
    env: &E,
    submission: Submission,
    client_ip: Option<&str>,
) -> Result<Registered, WebError> {
    limits::check(env, Bucket::Submit, client_ip).await?;
    let calendar = env.calendar().await?;
    let policy = Policy::default();
    let rules = Rules {
        calendar: &calendar,
        policy: &policy,
        secret: &env.config().secret,
    };
    Ok(cases::register(
        env.store(),
        env.host(),
        rules,
        submission.into_new_case(),
        Actor::anonymous(Role::Citizen),
    )
    .await?)
}

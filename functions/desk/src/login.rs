//! Logging in: who a person is (the [`Authenticator`] port: local accounts with a password and
//! a second factor today, a province's OIDC provider later) and the session that follows.
//! Refusals never say whether the account exists, whether it is locked, or which part was
//! wrong.

use minyi::app::Host;
use minyi::app::staff;
use minyi::staff::needs_second_factor;
use minyi_web::{Env, Request, WebError, limits};

use crate::{password, session, totp};

/// What a login form or API call gives.
pub struct Attempt<'a> {
    /// Login name.
    pub login: &'a str,
    /// Password.
    pub password: &'a str,
    /// The six-digit code of the second factor (empty when the account needs none).
    pub code: &'a str,
}

/// Why a login was refused. One message for all of them: nothing tells an account that
/// exists from one that does not.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused;

/// The message of every refused login.
pub const REFUSED: &str = "登录名、密码或验证码不正确，或账户暂时锁定；请稍后再试 / \
     wrong login, password or code, or the account is locked for a while; try again later";

/// Proves who a person is; answers the account id.
#[allow(async_fn_in_trait)]
pub trait Authenticator {
    /// The account `attempt` proves, or [`Refused`].
    async fn authenticate(&self, attempt: &Attempt<'_>) -> Result<i64, Refused>;
}

/// The deployment's own accounts: argon2id passwords, TOTP for every role that sees personal
/// data, lockout after repeated failures.
pub struct LocalAccounts<'a, E>(pub &'a E);

/// A real argon2id hash of nothing anyone knows, verified when the login does not exist so
/// that a refusal takes as long either way.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$\
                     f/iLQ3bVt7SJSSN4qKdwTZ/9pJ4EY3fGTpZ4yus0Gio";

impl<E: Env> Authenticator for LocalAccounts<'_, E> {
    async fn authenticate(&self, attempt: &Attempt<'_>) -> Result<i64, Refused> {
        let env = self.0;
        let now = env.host().now();
        let Ok(Some(found)) = staff::credentials(env.store(), attempt.login).await else {
            let _ = password::verify(attempt.password, DECOY);
            return Err(Refused);
        };
        if found.locked_until.is_some_and(|until| until > now) {
            // As long as any other refusal: a locked account must not show itself by speed.
            let _ = password::verify(attempt.password, DECOY);
            return Err(Refused);
        }
        let second_ok = !needs_second_factor(&found.roles)
            || found
                .totp_secret
                .as_deref()
                .is_some_and(|s| totp::verify(s, attempt.code, now.as_second()));
        if !password::verify(attempt.password, &found.password_hash) || !second_ok {
            let _ = staff::failed_login(env.store(), found.account_id, now).await;
            return Err(Refused);
        }
        Ok(found.account_id)
    }
}

/// A login from the form or the API: counted against the client's budget, checked by the
/// deployment's [`Authenticator`], and on success a new session's token.
pub async fn log_in<E: Env>(
    env: &E,
    req: &Request,
    attempt: &Attempt<'_>,
) -> Result<Result<String, Refused>, WebError> {
    limits::check(env, limits::Bucket::Login, req).await?;
    match LocalAccounts(env).authenticate(attempt).await {
        Ok(account) => Ok(Ok(open(env, req, account).await?)),
        Err(refused) => Ok(Err(refused)),
    }
}

/// Opens a session for `account`, audits the login, and answers the token.
async fn open<E: Env>(env: &E, req: &Request, account: i64) -> Result<String, WebError> {
    let token = session::new_token(env);
    let now = env.host().now();
    staff::open_session(
        env.store(),
        account,
        &session::token_hash(&token),
        now,
        session::TTL_MS,
    )
    .await?;
    crate::audit(env, req, Some((account, "staff")), "login", None, "").await?;
    Ok(token)
}

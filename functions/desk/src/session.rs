//! Server-side sessions: a random 256-bit token, given to the browser in a `__Host-` cookie
//! (HttpOnly, Secure, SameSite=Lax) or to an API client as a bearer token, and stored only as
//! its SHA-256. Expiring (8 hours, the project's choice), revocable.

use minyi::app::Host;
use minyi::app::staff::{self, Staff};
use minyi_web::{Env, Request, WebError};
use sha2::{Digest, Sha256};

/// The cookie's name: `__Host-` makes browsers refuse it unless Secure, host-only, `Path=/`.
pub const COOKIE: &str = "__Host-minyi-desk";
/// How long a session lives: one working day (the project's choice).
pub const TTL_MS: i64 = 8 * 3600 * 1000;

/// A new session token: 32 random bytes, hex.
pub fn new_token<E: Env>(env: &E) -> String {
    let mut bytes = [0u8; 32];
    env.host().fill_random(&mut bytes);
    minyi::hex::encode(&bytes)
}

/// What the store keeps of a token.
pub fn token_hash(token: &str) -> String {
    minyi::hex::encode(&Sha256::digest(token.as_bytes()))
}

/// The session token a request carries: its bearer token, else its cookie.
pub fn token_of(req: &Request) -> Option<String> {
    if let Some(bearer) = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    req.header("cookie")?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` for a new session.
pub fn cookie(token: &str) -> String {
    format!(
        "{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        TTL_MS / 1000
    )
}

/// `Set-Cookie` that removes the session cookie.
pub fn cleared() -> String {
    format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The person behind the request's session, if it is live.
pub async fn current<E: Env>(env: &E, req: &Request) -> Result<Option<Staff>, WebError> {
    let Some(token) = token_of(req) else {
        return Ok(None);
    };
    Ok(staff::session(env.store(), &token_hash(&token), env.host().now()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minyi_web::Method;

    #[test]
    fn the_token_comes_from_the_bearer_or_the_cookie() {
        let token = "ab".repeat(32);
        let cookie = Request::from_target(Method::Get, "/desk/")
            .with_header("cookie", &format!("other=1; {COOKIE}={token}"));
        assert_eq!(token_of(&cookie), Some(token.clone()));
        let bearer = Request::from_target(Method::Get, "/desk/")
            .with_header("authorization", &format!("Bearer {token}"));
        assert_eq!(token_of(&bearer), Some(token));
        let junk = Request::from_target(Method::Get, "/desk/")
            .with_header("cookie", &format!("{COOKIE}=not-a-token"));
        assert_eq!(token_of(&junk), None);
        assert!(cookie_attributes_are_strict(&super::cookie("x")));
    }

    fn cookie_attributes_are_strict(c: &str) -> bool {
        c.starts_with("__Host-")
            && c.contains("Secure")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")
            && c.contains("Path=/")
    }
}

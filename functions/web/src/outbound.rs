//! The calls functions make to outside services, checked in one place: only
//! [`OUTBOUND_PREFIX`] may be reached (the runtime's own grants are the second fence).

use crate::Env;

/// The only URL prefix an outbound call may reach: Turnstile's verification endpoint.
pub const OUTBOUND_PREFIX: &str = "https://challenges.cloudflare.com/";

/// What an outside service answered: (status, body), or why it could not be asked.
pub type Reply = Result<(u16, String), String>;

/// POSTs `fields` as `application/x-www-form-urlencoded` to `url` and returns (status, body).
pub async fn post_form<E: Env>(env: &E, url: &str, fields: &[(&str, &str)]) -> Reply {
    if !url.starts_with(OUTBOUND_PREFIX) {
        return Err(format!(
            "outbound requests may go only to {OUTBOUND_PREFIX}"
        ));
    }
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    env.send_post(url, "application/x-www-form-urlencoded", body.finish())
        .await
}

//! The calls functions make to outside services, checked in one place: only Turnstile's
//! verification endpoint ([`TURNSTILE_PREFIX`]) and the configured SMS provider (the city's
//! gateway at `MINYI_SMS_URL`, the account's Twilio Messages API, or Aliyun's or Tencent
//! Cloud's SendSms endpoint) may be reached (the runtime's own grants are the second fence).

use crate::{Env, SmsProvider};

/// Turnstile's verification endpoint.
pub const TURNSTILE_PREFIX: &str = "https://challenges.cloudflare.com/";

/// What an outside service answered: (status, body), or why it could not be asked.
pub type Reply = Result<(u16, String), String>;

/// POSTs `fields` as `application/x-www-form-urlencoded` to `url` and returns (status, body).
pub async fn post_form<E: Env>(env: &E, url: &str, fields: &[(&str, &str)]) -> Reply {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    post(
        env,
        url,
        &[("content-type", "application/x-www-form-urlencoded")],
        body.finish(),
    )
    .await
}

/// POSTs `body` with `headers` to `url`, if `url` is one this deployment may reach.
pub async fn post<E: Env>(env: &E, url: &str, headers: &[(&str, &str)], body: String) -> Reply {
    let sms = match &env.config().sms {
        SmsProvider::Http { url: gateway, .. } => url == gateway,
        SmsProvider::Twilio { account_sid, .. } => url
            .strip_prefix(crate::TWILIO_API)
            .and_then(|rest| rest.strip_prefix(account_sid.as_str()))
            .is_some_and(|rest| rest == "/Messages.json"),
        SmsProvider::Aliyun { endpoint, .. } | SmsProvider::Tencent { endpoint, .. } => {
            url == endpoint
        }
        SmsProvider::Log => false,
    };
    if !(url.starts_with(TURNSTILE_PREFIX) || sms) {
        return Err(format!(
            "outbound requests may go only to {TURNSTILE_PREFIX} and the configured SMS provider"
        ));
    }
    env.send_post(url, headers, body).await
}

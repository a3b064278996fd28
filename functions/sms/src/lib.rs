//! # minyi-sms
//!
//! The SMS providers' webhooks, each in its provider's own format (docs/sms.md):
//!
//! | route | provider | authenticated by | answer |
//! | --- | --- | --- | --- |
//! | `POST /sms/twilio` | Twilio (and compatible gateways): form `From`, `To`, `Body`, `MessageSid` | `X-Twilio-Signature` (HMAC-SHA1 of the public URL and the sorted parameters) | TwiML, the answer inline |
//! | `POST /sms/twilio/status` | Twilio's status callback: `MessageSid`, `MessageStatus`, `ErrorCode` | the same | 204 |
//! | `GET, POST /sms/aliyun/{token}/up` | Aliyun SmsUp batch push (JSON array) | the secret path token, optional address list | `{"code":0,"msg":"接收成功"}`; answers through the outbox |
//! | `POST /sms/aliyun/{token}/report` | Aliyun SmsReport (delivery reports) | the same | the same |
//! | `POST /sms/tencent/{token}/reply` | Tencent Cloud `sms_reply` | the same | `{"result":0,"errmsg":"OK"}`; answers through the outbox |
//! | `POST /sms/tencent/{token}/status` | Tencent Cloud `sms_status` (delivery reports) | the same | the same |
//!
//! Every message goes through `minyi::app::sms::receive`: read by the keyword grammar, acted on
//! once however often the provider retries. A refused signature or token stores nothing. A
//! provider whose secret is not configured has no webhook (404).

mod aliyun;
mod tencent;
mod twilio;

use minyi::app::sms::{AnswerBy, Inbound, Received, receive};
use minyi::app::{AppError, Host};
use minyi_web::{Env, Request, Response, WebError};

/// The most messages or reports one push may carry (项目自定: the providers batch far fewer).
pub const MAX_BATCH: usize = 100;

/// Answers `/sms/...`; `None` for any other path.
pub async fn handle<E: Env>(env: &E, req: &Request) -> Option<Response> {
    let rest = req.path.strip_prefix("/sms/")?;
    let hooks = &env.config().sms_webhooks;
    if rest == "twilio" || rest == "twilio/status" {
        hooks.twilio_auth_token.as_ref()?;
        return Some(twilio::webhook(env, req, rest == "twilio/status").await);
    }
    let (provider, rest) = rest.split_once('/')?;
    let (token, kind) = rest.split_once('/')?;
    let expected = hooks.callback_token.as_deref()?;
    if !matches!(provider, "aliyun" | "tencent") {
        return None;
    }
    if !same(token.as_bytes(), expected.as_bytes()) || !allowed(env, req) {
        // Nothing read, nothing stored: as if there were no such path.
        return Some(WebError::NotFound.to_problem(minyi_web::Lang::Zh));
    }
    Some(match provider {
        "aliyun" => aliyun::webhook(env, req, kind).await,
        _ => tencent::webhook(env, req, kind).await,
    })
}

/// Whether the request comes from an address the deployment lets the callbacks come from.
fn allowed<E: Env>(env: &E, req: &Request) -> bool {
    let list = &env.config().sms_webhooks.allow_from;
    list.is_empty()
        || req
            .client_ip
            .as_deref()
            .is_some_and(|ip| list.iter().any(|a| a == ip))
}

/// Constant-time equality of two secrets (their lengths are not secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Receives one message with the rules in force.
async fn take<E: Env>(env: &E, inbound: &Inbound, by: AnswerBy) -> Result<Received, WebError> {
    let rules = env.rules().await?;
    receive(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        inbound,
        env.config().limits.submissions_per_hour,
        by,
    )
    .await
    .map_err(|e| match e {
        AppError::Invalid { .. } => WebError::bad("message", &e.to_string()),
        other => WebError::from(other),
    })
}

/// Records a provider's delivery report for its message `id`.
async fn receipt<E: Env>(
    env: &E,
    provider: &str,
    id: &str,
    delivered: bool,
    error: Option<&str>,
) -> Result<(), WebError> {
    minyi::app::outbox::record_receipt(
        env.store(),
        provider,
        id,
        delivered,
        error,
        env.host().now(),
    )
    .await?;
    Ok(())
}

/// A JSON array of at most [`MAX_BATCH`] objects (a single object counts as one).
fn batch(req: &Request) -> Result<Vec<serde_json::Value>, WebError> {
    let items = match req.json()? {
        serde_json::Value::Array(items) => items,
        object @ serde_json::Value::Object(_) => vec![object],
        _ => return Err(WebError::bad("body", "须为JSON数组 / must be a JSON array")),
    };
    if items.len() > MAX_BATCH {
        return Err(WebError::bad(
            "body",
            "每次最多100条 / at most 100 items a push",
        ));
    }
    Ok(items)
}

/// A text field of a pushed item, or a refusal naming it.
fn field<'a>(item: &'a serde_json::Value, name: &'static str) -> Result<&'a str, WebError> {
    item.get(name)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| WebError::bad(name, "缺少或不是文本 / missing or not text"))
}

/// A field that providers send as a number or a string, as text.
fn number_or_text(item: &serde_json::Value, name: &'static str) -> Result<String, WebError> {
    match item.get(name) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
        _ => Err(WebError::bad(name, "缺少 / missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn secrets_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}

//! Twilio's webhooks, signed in `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed by the
//! account's auth token, over the URL Twilio called followed by every POST parameter, sorted
//! by name, as name and value with nothing between.
//!
//! - `POST /sms/twilio`: an inbound message (`From`, `To`, `Body`, `MessageSid`), answered in
//!   TwiML.
//! - `POST /sms/twilio/status`: the status callback of a message the outbox sent through
//!   Twilio (`MessageSid`, `MessageStatus`, `ErrorCode`): `delivered`, `undelivered` and
//!   `failed` close it; the steps before (`queued`, `sent`, …) change nothing.

use hmac::{KeyInit, Mac};
use minyi::app::sms::{AnswerBy, Inbound, Provider};
use minyi_web::{Env, Request, Response, WebError};

/// Answers a webhook (`status`: the status callback): 403 with nothing stored unless the
/// signature is Twilio's.
pub async fn webhook<E: Env>(env: &E, req: &Request, status: bool) -> Response {
    let hooks = &env.config().sms_webhooks;
    let (Some(token), Some(base)) = (&hooks.twilio_auth_token, &hooks.public_url) else {
        return WebError::Internal("MINYI_SMS_PUBLIC_URL is not set".into())
            .to_problem(minyi_web::Lang::Zh);
    };
    let Ok(params) = req.form() else {
        return WebError::UnsupportedMediaType.to_problem(minyi_web::Lang::Zh);
    };
    let url = if req.query.is_empty() {
        format!("{base}{}", req.path)
    } else {
        format!("{base}{}?{}", req.path, req.query)
    };
    let signed = req
        .header("x-twilio-signature")
        .is_some_and(|s| verify(token, &url, &params, s));
    if !signed {
        return Response::new(403, "text/plain; charset=utf-8", "bad signature");
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if status {
        return match delivery_report(
            env,
            get("MessageSid"),
            get("MessageStatus"),
            get("ErrorCode"),
        )
        .await
        {
            Ok(()) => Response::new(204, "text/plain; charset=utf-8", ""),
            Err(e) => e.to_problem(minyi_web::Lang::Zh),
        };
    }
    let (Some(from), Some(body)) = (get("From"), get("Body")) else {
        return WebError::bad("From", "须有From和Body / From and Body are required")
            .to_problem(minyi_web::Lang::Zh);
    };
    let inbound = Inbound {
        provider: Provider::Twilio,
        message_id: get("MessageSid"),
        phone: from,
        text: body,
        sent_at: String::new(),
    };
    match crate::take(env, &inbound, AnswerBy::Response).await {
        Ok(received) => twiml(received.answer.as_deref()),
        Err(e) => e.to_problem(minyi_web::Lang::Zh),
    }
}

/// Records a status callback's final outcome for the outbox message Twilio knows by `sid`.
async fn delivery_report<E: Env>(
    env: &E,
    sid: Option<String>,
    status: Option<String>,
    error: Option<String>,
) -> Result<(), WebError> {
    let (Some(sid), Some(status)) = (sid, status) else {
        return Err(WebError::bad(
            "MessageStatus",
            "须有MessageSid和MessageStatus / MessageSid and MessageStatus are required",
        ));
    };
    let delivered = match status.as_str() {
        "delivered" => true,
        "undelivered" | "failed" => false,
        _ => return Ok(()),
    };
    let error = error.map(|code| format!("Twilio error {code}"));
    crate::receipt(env, "twilio", &sid, delivered, error.as_deref()).await
}

/// Whether `signature` is Twilio's for `url` and `params`, compared in constant time.
pub fn verify(token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    use base64ct::Encoding;
    let Ok(expected) = base64ct::Base64::decode_vec(signature.trim()) else {
        return false;
    };
    mac(token, url, params).verify_slice(&expected).is_ok()
}

/// Twilio's signature of `url` and `params`.
#[cfg(test)]
fn sign(token: &str, url: &str, params: &[(String, String)]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(&mac(token, url, params).finalize().into_bytes())
}

fn mac(token: &str, url: &str, params: &[(String, String)]) -> hmac::Hmac<sha1::Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// A TwiML answer: the message, or an empty `<Response/>` when there is nothing to say.
fn twiml(answer: Option<&str>) -> Response {
    let body = match answer {
        Some(text) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{}</Message></Response>",
            minyi_web::open311::escape(text)
        ),
        None => "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>".to_owned(),
    };
    Response::new(200, "text/xml; charset=utf-8", body).with_header("cache-control", "no-store")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twilio's documented example: URL, parameters, token and signature.
    #[test]
    fn twilios_own_example_verifies() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(sign("12345", url, &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert!(verify(
            "12345",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!verify(
            "12346",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!verify(
            "12345",
            url,
            &params[1..],
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!verify("12345", url, &params, "not base64!"));
    }

    #[test]
    fn twiml_escapes_and_says_nothing_when_there_is_nothing() {
        assert!(
            twiml(Some("a<b&c"))
                .text()
                .contains("<Message>a&lt;b&amp;c</Message>")
        );
        assert!(twiml(None).text().ends_with("<Response/>"));
    }
}

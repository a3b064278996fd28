//! The outbox's SMS providers, chosen by configuration (`MINYI_SMS_PROVIDER`): the log (local
//! runs: nothing leaves, each message is a log line with its number masked), the city's own
//! HTTP gateway (one JSON POST per message), Twilio's Messages API, and Aliyun's and Tencent
//! Cloud's SendSms, which send approved templates only (`crate::aliyun`, `crate::tencent`;
//! docs/outbox.md, docs/sms.md).

use minyi::app::outbox::{Outgoing, SendError, Sender};
use minyi_web::{Env, SmsProvider};
use serde_json::json;

/// The configured provider, sending through `env`.
pub struct Provider<'a, E: Env>(pub &'a E);

impl<E: Env> Sender for Provider<'_, E> {
    fn name(&self) -> &'static str {
        self.0.config().sms.name()
    }

    async fn send(&self, message: &Outgoing) -> Result<String, SendError> {
        match &self.0.config().sms {
            SmsProvider::Log => {
                self.0.log(&format!(
                    "minyi: outbox (log provider): {} to {}: {}",
                    message.id,
                    masked(&message.to),
                    message.text
                ));
                Ok(message.id.clone())
            }
            SmsProvider::Http { url, token } => {
                let bearer = token.as_ref().map(|t| format!("Bearer {t}"));
                let mut headers = vec![("content-type", "application/json")];
                if let Some(b) = &bearer {
                    headers.push(("authorization", b.as_str()));
                }
                let body = json!({"id": message.id, "to": message.to, "text": message.text});
                let answer =
                    minyi_web::outbound::post(self.0, url, &headers, body.to_string()).await;
                gateway_outcome(answer, &message.id)
            }
            SmsProvider::Twilio {
                account_sid,
                auth_token,
                from,
                status_callback,
            } => {
                let url = format!("{}{account_sid}/Messages.json", minyi_web::TWILIO_API);
                let sender = if from.starts_with("MG") {
                    "MessagingServiceSid"
                } else {
                    "From"
                };
                let mut form = form_urlencoded::Serializer::new(String::new());
                form.append_pair("To", &e164(&message.to))
                    .append_pair(sender, from)
                    .append_pair("Body", &message.text);
                if let Some(callback) = status_callback {
                    form.append_pair("StatusCallback", callback);
                }
                let authorization = basic(account_sid, auth_token);
                let headers = [
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("authorization", authorization.as_str()),
                ];
                let answer = minyi_web::outbound::post(self.0, &url, &headers, form.finish()).await;
                twilio_outcome(answer)
            }
            SmsProvider::Aliyun {
                access_key_id,
                access_key_secret,
                sign_name,
                templates,
                endpoint,
            } => {
                let account = crate::aliyun::Account {
                    access_key_id,
                    access_key_secret,
                    sign_name,
                    templates,
                    endpoint,
                };
                crate::aliyun::send(self.0, &account, message).await
            }
            SmsProvider::Tencent {
                secret_id,
                secret_key,
                app_id,
                region,
                sign_name,
                templates,
                endpoint,
            } => {
                let account = crate::tencent::Account {
                    secret_id,
                    secret_key,
                    app_id,
                    region,
                    sign_name,
                    templates,
                    endpoint,
                };
                crate::tencent::send(self.0, &account, message).await
            }
        }
    }
}

/// HTTP basic authentication of Twilio's API: the account and its auth token.
fn basic(account_sid: &str, auth_token: &str) -> String {
    use base64ct::Encoding;
    format!(
        "Basic {}",
        base64ct::Base64::encode_string(format!("{account_sid}:{auth_token}").as_bytes())
    )
}

/// A number as Twilio takes it: mainland mobile numbers (stored as their 11 digits) with +86.
fn e164(number: &str) -> String {
    if number.starts_with('+') {
        number.to_owned()
    } else {
        format!("+86{number}")
    }
}

/// Twilio's answer as an outcome: 201 with the message's `sid`; 429 and 5xx worth retrying;
/// any other status (an invalid number, a refused sender: Twilio's 4xx errors) final.
fn twilio_outcome(answer: minyi_web::outbound::Reply) -> Result<String, SendError> {
    match answer {
        Ok((200..=299, body)) => serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("sid").and_then(|s| s.as_str()).map(str::to_owned))
            .ok_or_else(|| SendError::Retry("Twilio answered without a message sid".into())),
        Ok((status @ (429 | 500..=599), _)) => Err(SendError::Retry(format!("HTTP {status}"))),
        Ok((status, body)) => {
            let code = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("code").and_then(serde_json::Value::as_i64));
            Err(SendError::Refused(match code {
                Some(code) => format!("HTTP {status}, Twilio error {code}"),
                None => format!("HTTP {status}"),
            }))
        }
        Err(e) => Err(SendError::Retry(e)),
    }
}

/// The gateway's answer as an outcome: 2xx accepted (its `id`, or ours when it names none),
/// 429 and 5xx and no answer worth retrying, any other status refused for good.
fn gateway_outcome(answer: minyi_web::outbound::Reply, ours: &str) -> Result<String, SendError> {
    match answer {
        Ok((200..=299, body)) => Ok(serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned))
            .unwrap_or_else(|| ours.to_owned())),
        Ok((status @ (429 | 500..=599), _)) => Err(SendError::Retry(format!("HTTP {status}"))),
        Ok((status, _)) => Err(SendError::Refused(format!("HTTP {status}"))),
        Err(e) => Err(SendError::Retry(e)),
    }
}

/// A number as logs may show it: the first three digits and the last two.
fn masked(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 5 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..3], &chars[chars.len() - 2..]);
    format!(
        "{}{}{}",
        head.iter().collect::<String>(),
        "*".repeat(chars.len() - 5),
        tail.iter().collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_show_no_whole_number() {
        assert_eq!(masked("13812345678"), "138******78");
        assert_eq!(masked("123"), "***");
    }

    #[test]
    fn twilio_is_asked_with_the_account_and_its_answers_decide() {
        // RFC 7617's example credentials, as Twilio takes them.
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(e164("13800138000"), "+8613800138000");
        assert_eq!(e164("+14155550100"), "+14155550100");
        assert_eq!(
            twilio_outcome(Ok((201, r#"{"sid": "SM123", "status": "queued"}"#.into()))),
            Ok("SM123".into())
        );
        assert_eq!(
            twilio_outcome(Ok((
                400,
                r#"{"code": 21211, "message": "invalid To"}"#.into()
            ))),
            Err(SendError::Refused("HTTP 400, Twilio error 21211".into()))
        );
        assert!(matches!(
            twilio_outcome(Ok((503, String::new()))),
            Err(SendError::Retry(_))
        ));
    }

    #[test]
    fn the_gateway_status_decides_retry_or_refusal() {
        assert_eq!(
            gateway_outcome(Ok((202, r#"{"id":"g-1"}"#.into())), "k"),
            Ok("g-1".into())
        );
        assert_eq!(gateway_outcome(Ok((200, "ok".into())), "k"), Ok("k".into()));
        assert!(matches!(
            gateway_outcome(Ok((503, String::new())), "k"),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            gateway_outcome(Ok((429, String::new())), "k"),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            gateway_outcome(Err("refused".into()), "k"),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            gateway_outcome(Ok((400, String::new())), "k"),
            Err(SendError::Refused(_))
        ));
    }
}

//! Tencent Cloud's SendSms (短信, API 3.0, version 2021-01-11): one JSON POST per message, signed
//! TC3-HMAC-SHA256, an approved template and its parameters by position (`TemplateParamSet`),
//! our message id as `SessionContext`. The answer's `SendStatusSet[0].SerialNo` is what
//! Tencent's delivery reports (`/sms/tencent/{token}/status`, `sid`) name the message by
//! (docs/sms.md).
//!
//! Signing (TC3-HMAC-SHA256): the canonical request is `POST`, the path, an empty query, the
//! signed headers `content-type:application/json; charset=utf-8` and `host:<the endpoint's
//! host>`, their names `content-type;host` and the body's SHA-256 in hex; the string to sign
//! is `TC3-HMAC-SHA256`, the timestamp, the scope `<UTC date>/sms/tc3_request` and the
//! canonical request's SHA-256; the key is HMAC-SHA256 chained from `TC3` + SecretKey over the
//! date, `sms` and `tc3_request`.

use hmac::{Hmac, KeyInit, Mac};
use minyi::app::Host;
use minyi::app::outbox::{Outgoing, SendError, Templates};
use minyi::calendar::iso;
use minyi_web::Env;
use minyi_web::outbound::Reply;
use sha2::{Digest, Sha256};

/// The content type the request is sent, and signed, with.
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The account, its SMS application, and the deployment's signature and templates.
pub struct Account<'a> {
    /// SecretId.
    pub secret_id: &'a str,
    /// SecretKey.
    pub secret_key: &'a str,
    /// SmsSdkAppId.
    pub app_id: &'a str,
    /// The API region (`ap-guangzhou`).
    pub region: &'a str,
    /// The approved signature (签名).
    pub sign_name: &'a str,
    /// The template of each message kind.
    pub templates: &'a Templates,
    /// Where SendSms is called.
    pub endpoint: &'a str,
}

/// Sends `message` through SendSms; Tencent's `SerialNo` on acceptance.
pub async fn send<E: Env>(
    env: &E,
    account: &Account<'_>,
    message: &Outgoing,
) -> Result<String, SendError> {
    let template = account.templates.for_message(message)?;
    // Built as a value, not through `json!`: no serializer per field type (smaller wasm).
    let text = |v: &str| serde_json::Value::String(v.to_owned());
    let mut body = serde_json::Map::new();
    for (name, value) in [
        ("SmsSdkAppId", account.app_id),
        ("SignName", account.sign_name),
        ("TemplateId", template),
        ("SessionContext", message.id.as_str()),
    ] {
        body.insert(name.to_owned(), text(value));
    }
    body.insert(
        "PhoneNumberSet".to_owned(),
        serde_json::Value::Array(vec![serde_json::Value::String(e164(&message.to))]),
    );
    let params = message.params.iter().map(|(_, v)| text(v)).collect();
    body.insert(
        "TemplateParamSet".to_owned(),
        serde_json::Value::Array(params),
    );
    let body = serde_json::Value::Object(body).to_string();
    let now = env.host().now();
    let timestamp = now.as_second();
    let (host, path) = host_and_path(account.endpoint);
    let authorization = authorization(
        account.secret_id,
        account.secret_key,
        host,
        path,
        timestamp,
        &iso::utc(now)[..10],
        &body,
    );
    let timestamp = timestamp.to_string();
    let headers = [
        ("content-type", CONTENT_TYPE),
        ("authorization", authorization.as_str()),
        ("x-tc-action", "SendSms"),
        ("x-tc-version", "2021-01-11"),
        ("x-tc-timestamp", timestamp.as_str()),
        ("x-tc-region", account.region),
    ];
    outcome(minyi_web::outbound::post(env, account.endpoint, &headers, body).await)
}

/// A number as Tencent takes it: E.164 (mainland numbers, stored as their 11 digits, with +86).
fn e164(number: &str) -> String {
    if number.starts_with('+') {
        number.to_owned()
    } else {
        format!("+86{number}")
    }
}

/// The endpoint's host (with its port, as the `Host` header carries it) and path.
fn host_and_path(endpoint: &str) -> (&str, &str) {
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    }
}

fn hmac256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &str) -> String {
    minyi::hex::encode(&Sha256::digest(data.as_bytes()))
}

/// The `Authorization` header of a POST of `body` to `host` + `path` at `timestamp` (unix
/// seconds; `date` its UTC date, `YYYY-MM-DD`).
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    host: &str,
    path: &str,
    timestamp: i64,
    date: &str,
    body: &str,
) -> String {
    let canonical = format!(
        "POST\n{path}\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{}",
        sha256_hex(body)
    );
    let scope = format!("{date}/sms/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        sha256_hex(&canonical)
    );
    let key = hmac256(
        &hmac256(&hmac256(format!("TC3{secret_key}").as_bytes(), date), "sms"),
        "tc3_request",
    );
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, \
         Signature={}",
        minyi::hex::encode(&hmac256(&key, &to_sign))
    )
}

/// Codes worth trying again later (项目自定 / the project's choice): frequency limits
/// (`LimitExceeded.*`, `RequestLimitExceeded*`), Tencent's own faults (`InternalError*`), an
/// expired signature (the clock), and a package out of messages (topped up within the 2.5
/// hours of retries, the message still goes). Every other code — invalid parameters or
/// numbers (`InvalidParameterValue.*`, `InvalidParameter*`), templates or signatures not
/// approved and other refusals (`FailedOperation.*`), credentials (`AuthFailure.*`),
/// `UnauthorizedOperation.*` — will not change by waiting: final.
fn retried(code: &str) -> bool {
    code.starts_with("LimitExceeded")
        || code.starts_with("RequestLimitExceeded")
        || code.starts_with("InternalError")
        || matches!(
            code,
            "AuthFailure.SignatureExpire" | "FailedOperation.InsufficientBalanceInSmsPackage"
        )
}

/// SendSms's answer as an outcome: `Response.SendStatusSet[0]` with `Code` `Ok` accepted (its
/// `SerialNo`); `Response.Error` or another status code retried or final by [`retried`]; no
/// answer, HTTP 429 and 5xx tried again.
pub fn outcome(answer: Reply) -> Result<String, SendError> {
    let (status, body) = answer.map_err(SendError::Retry)?;
    if matches!(status, 429 | 500..=599) {
        return Err(SendError::Retry(format!("HTTP {status}")));
    }
    let value = serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default();
    let response = &value["Response"];
    let judged = |code: &str, message: Option<&str>| {
        let why = format!(
            "Tencent {code}: {}",
            message
                .unwrap_or_default()
                .chars()
                .take(80)
                .collect::<String>()
        );
        Err(if retried(code) {
            SendError::Retry(why)
        } else {
            SendError::Refused(why)
        })
    };
    if let Some(code) = response["Error"]["Code"].as_str() {
        return judged(code, response["Error"]["Message"].as_str());
    }
    let first = &response["SendStatusSet"][0];
    match first["Code"].as_str() {
        Some("Ok") => first["SerialNo"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| SendError::Retry("Tencent answered Ok without a SerialNo".into())),
        Some(code) => judged(code, first["Message"].as_str()),
        None if (200..300).contains(&status) => Err(SendError::Retry(
            "Tencent's answer had no SendStatusSet".into(),
        )),
        None => Err(SendError::Refused(format!("HTTP {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tc3_signs_as_tencents_own_sdk() {
        // The expected signature is what PyPI tencentcloud-sdk-python-common 3.1.195's own
        // signer (AbstractClient._get_tc3_signature) gives for this request (Tencent's
        // documentation masks the keys of its examples).
        let body = r#"{"PhoneNumberSet":["+8613800138000"],"SessionContext":"12/7/dept/1","SignName":"民意","SmsSdkAppId":"1400000000","TemplateId":"449739","TemplateParamSet":["市城管局","K7Q-H3X-PD9","2025-12-02 00:00"]}"#;
        assert_eq!(
            authorization(
                "AKIDEXAMPLE",
                "SecretKeyExample",
                "sms.tencentcloudapi.com",
                "/",
                1_764_604_800,
                "2025-12-01",
                body
            ),
            "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2025-12-01/sms/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=3f024edc05de76c99e5db4583c3cbbea391518044253a8c691c7d50a120e98b3"
        );
        assert_eq!(
            host_and_path("https://sms.tencentcloudapi.com/"),
            ("sms.tencentcloudapi.com", "/")
        );
        assert_eq!(
            host_and_path("http://127.0.0.1:8080/"),
            ("127.0.0.1:8080", "/")
        );
        assert_eq!(e164("13800138000"), "+8613800138000");
        assert_eq!(e164("+8613800138000"), "+8613800138000");
    }

    #[test]
    fn answers_decide_retry_or_refusal() {
        let ok = r#"{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613711112222","Fee":1,"SessionContext":"12/7/dept/1","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6"}}"#;
        assert_eq!(
            outcome(Ok((200, ok.into()))),
            Ok("5000:1045710669157053657849499619".into())
        );
        let status = |code: &str| {
            outcome(Ok((
                200,
                format!(
                    r#"{{"Response":{{"SendStatusSet":[{{"SerialNo":"","Code":"{code}","Message":"m"}}],"RequestId":"r"}}}}"#
                ),
            )))
        };
        let error = |code: &str| {
            outcome(Ok((
                200,
                format!(
                    r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
                ),
            )))
        };
        for code in [
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "LimitExceeded.PhoneNumberDailyLimit",
            "InternalError.Timeout",
            "FailedOperation.InsufficientBalanceInSmsPackage",
        ] {
            assert!(matches!(status(code), Err(SendError::Retry(_))), "{code}");
            assert!(matches!(error(code), Err(SendError::Retry(_))), "{code}");
        }
        for code in [
            "InvalidParameterValue.IncorrectPhoneNumber",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "AuthFailure.SignatureFailure",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
        ] {
            match error(code) {
                Err(SendError::Refused(why)) => assert!(why.contains(code), "{why}"),
                other => panic!("{code}: {other:?}"),
            }
            assert!(matches!(status(code), Err(SendError::Refused(_))), "{code}");
        }
        assert!(matches!(status("Ok"), Err(SendError::Retry(_))));
        assert!(matches!(
            outcome(Ok((502, String::new()))),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            outcome(Err("reset".into())),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            outcome(Ok((200, "{}".into()))),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            outcome(Ok((403, "no".into()))),
            Err(SendError::Refused(_))
        ));
    }
}

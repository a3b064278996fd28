//! Aliyun's SendSms (短信服务, API version 2017-05-25, RPC style): one signed
//! `application/x-www-form-urlencoded` POST per message, an approved template and its named
//! parameters (`TemplateParam`, a JSON object), our message id as `OutId`. The answer's `BizId`
//! is what Aliyun's delivery reports (`/sms/aliyun/{token}/report`, `biz_id`) name the message
//! by (docs/sms.md).
//!
//! Signing (Aliyun's "RPC signature", SignatureVersion 1.0): every parameter but `Signature`,
//! sorted by name, each name and value percent-encoded as RFC 3986 (only `A-Za-z0-9-_.~`
//! kept), joined as `k=v&...`; the string to sign is `POST&%2F&` + that query percent-encoded
//! again; the signature is base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)).

use hmac::{Hmac, KeyInit, Mac};
use minyi::app::outbox::{Outgoing, SendError, Templates};
use minyi::calendar::iso;
use minyi_web::Env;
use minyi_web::outbound::Reply;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What RFC 3986 leaves unescaped: letters, digits and `-_.~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The account and the deployment's signature and templates.
pub struct Account<'a> {
    /// AccessKey ID.
    pub access_key_id: &'a str,
    /// AccessKey secret.
    pub access_key_secret: &'a str,
    /// The approved signature (签名).
    pub sign_name: &'a str,
    /// The template of each message kind.
    pub templates: &'a Templates,
    /// Where SendSms is called.
    pub endpoint: &'a str,
}

/// Sends `message` through SendSms; Aliyun's `BizId` on acceptance.
pub async fn send<E: Env>(
    env: &E,
    account: &Account<'_>,
    message: &Outgoing,
) -> Result<String, SendError> {
    let template = account.templates.for_message(message)?;
    let mut param = serde_json::Map::new();
    for (name, value) in &message.params {
        param.insert((*name).to_owned(), serde_json::Value::from(value.as_str()));
    }
    let param = serde_json::Value::Object(param).to_string();
    let mut random = [0u8; 16];
    minyi::app::Host::fill_random(env.host(), &mut random);
    let nonce = minyi::hex::encode(&random);
    let timestamp = iso::utc(minyi::app::Host::now(env.host()));
    let number = number(&message.to);
    let mut fields = vec![
        ("AccessKeyId", account.access_key_id),
        ("Action", "SendSms"),
        ("Format", "JSON"),
        ("OutId", message.id.as_str()),
        ("PhoneNumbers", number),
        ("RegionId", "cn-hangzhou"),
        ("SignName", account.sign_name),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce.as_str()),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", template),
        ("TemplateParam", param.as_str()),
        ("Timestamp", timestamp.as_str()),
        ("Version", "2017-05-25"),
    ];
    let signature = signature("POST", &fields, account.access_key_secret);
    fields.push(("Signature", signature.as_str()));
    let body = canonical(&fields);
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    outcome(minyi_web::outbound::post(env, account.endpoint, &headers, body).await)
}

/// A number as SendSms takes it: mainland numbers as their 11 digits (stored so, or `+86…`
/// from Tencent's replies), others as country code and number without `+`.
fn number(to: &str) -> &str {
    to.strip_prefix("+86")
        .or_else(|| to.strip_prefix('+'))
        .unwrap_or(to)
}

/// RFC 3986 percent-encoding (space as `%20`, `*` as `%2A`, `~` kept).
fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// `k=v&...` of `fields` sorted by name, each percent-encoded: the canonicalized query, and
/// the request's body.
fn canonical(fields: &[(&str, &str)]) -> String {
    // Sorted by name with an insertion sort: fourteen fields, and no sort routine of the
    // standard library's in the wasm.
    let mut sorted = fields.to_vec();
    for i in 1..sorted.len() {
        let mut j = i;
        while j > 0 && sorted[j - 1].0 > sorted[j].0 {
            sorted.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut out = String::new();
    for (name, value) in sorted {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// The request's `Signature`: base64(HMAC-SHA1(secret + "&", method + "&%2F&" +
/// encode(canonicalized query))).
pub fn signature(method: &str, fields: &[(&str, &str)], secret: &str) -> String {
    use base64ct::Encoding;
    let to_sign = format!("{method}&{}&{}", encode("/"), encode(&canonical(fields)));
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(format!("{secret}&").as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(to_sign.as_bytes());
    base64ct::Base64::encode_string(&mac.finalize().into_bytes())
}

/// Codes worth trying again later (项目自定 / the project's choice): flow control per number
/// or account (`isv.BUSINESS_LIMIT_CONTROL`, `isv.DAY_LIMIT_CONTROL`, `Throttling.*`), Aliyun's
/// own faults (`isp.*`, `InternalError`, `ServiceUnavailable`), an account out of credit or
/// suspended for it (`isv.AMOUNT_NOT_ENOUGH`, `isv.OUT_OF_SERVICE`: topped up within the 2.5
/// hours of retries, the message still goes), and a clock or nonce hiccup. Every other code
/// (an illegal number, a template or signature not approved, missing parameters, a bad key)
/// will not change by waiting: final.
fn retried(code: &str) -> bool {
    code.starts_with("Throttling")
        || code.starts_with("isp.")
        || code.starts_with("InternalError")
        || code.starts_with("ServiceUnavailable")
        || matches!(
            code,
            "isv.BUSINESS_LIMIT_CONTROL"
                | "isv.DAY_LIMIT_CONTROL"
                | "isv.AMOUNT_NOT_ENOUGH"
                | "isv.OUT_OF_SERVICE"
                | "SignatureNonceUsed"
                | "InvalidTimeStamp.Expired"
        )
}

/// SendSms's answer as an outcome: `{"Code": "OK", "BizId": …}` accepted; no answer, HTTP 429
/// and 5xx, and the codes [`retried`] names tried again; any other code final, kept with
/// Aliyun's message.
pub fn outcome(answer: Reply) -> Result<String, SendError> {
    let (status, body) = answer.map_err(SendError::Retry)?;
    let value = serde_json::from_str::<serde_json::Value>(&body).ok();
    let text = |name: &str| {
        value
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(serde_json::Value::as_str)
    };
    match (status, text("Code")) {
        (200..=299, Some("OK")) => text("BizId")
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| SendError::Retry("Aliyun answered OK without a BizId".into())),
        (429 | 500..=599, code) => Err(SendError::Retry(format!(
            "HTTP {status}{}",
            code.map(|c| format!(", Aliyun {c}")).unwrap_or_default()
        ))),
        (_, Some(code)) => {
            let why = format!(
                "Aliyun {code}: {}",
                text("Message")
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
        }
        (200..=299, None) => Err(SendError::Retry("Aliyun's answer had no Code".into())),
        (_, None) => Err(SendError::Refused(format!("HTTP {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_request_signs_as_aliyun_says() {
        // Aliyun's documented example (GET, Format XML); PyPI aliyun-python-sdk-core 2.16.1's
        // RPC signer gives the same.
        let fields = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ];
        assert_eq!(
            signature("GET", &fields, "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
        // Order does not matter: the fields are sorted before signing.
        let mut reversed = fields;
        reversed.reverse();
        assert_eq!(
            signature("GET", &reversed, "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
        assert_ne!(
            signature("POST", &fields, "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
    }

    #[test]
    fn encoding_is_rfc_3986() {
        assert_eq!(encode("a b*c~d+e/"), "a%20b%2Ac~d%2Be%2F");
        assert_eq!(encode("民"), "%E6%B0%91");
        assert_eq!(number("13800138000"), "13800138000");
        assert_eq!(number("+8613800138000"), "13800138000");
        assert_eq!(number("+85291234567"), "85291234567");
    }

    #[test]
    fn answers_decide_retry_or_refusal() {
        let ok =
            r#"{"Message":"OK","RequestId":"F655A8D5","Code":"OK","BizId":"900619746936498440^0"}"#;
        assert_eq!(
            outcome(Ok((200, ok.into()))),
            Ok("900619746936498440^0".into())
        );
        let answer = |code: &str| {
            outcome(Ok((
                200,
                format!(r#"{{"Message":"触发小时级流控Permits:5","Code":"{code}"}}"#),
            )))
        };
        for code in [
            "isv.BUSINESS_LIMIT_CONTROL",
            "isv.AMOUNT_NOT_ENOUGH",
            "isp.SYSTEM_ERROR",
            "Throttling.User",
        ] {
            assert!(matches!(answer(code), Err(SendError::Retry(_))), "{code}");
        }
        for code in [
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.SMS_SIGNATURE_ILLEGAL",
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "SignatureDoesNotMatch",
        ] {
            match answer(code) {
                Err(SendError::Refused(why)) => assert!(why.contains(code), "{why}"),
                other => panic!("{code}: {other:?}"),
            }
        }
        assert!(matches!(
            outcome(Ok((200, r#"{"Code":"OK"}"#.into()))),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            outcome(Ok((503, String::new()))),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            outcome(Ok((429, String::new()))),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            outcome(Err("timeout".into())),
            Err(SendError::Retry(_))
        ));
        assert!(matches!(
            outcome(Ok((
                400,
                r#"{"Code":"InvalidAccessKeyId.NotFound"}"#.into()
            ))),
            Err(SendError::Refused(_))
        ));
        assert!(matches!(
            outcome(Ok((404, "<html/>".into()))),
            Err(SendError::Refused(_))
        ));
    }
}

//! A citizen's text message, from any provider: read by the keyword grammar
//! ([`crate::sms`]), acted on, answered, and recorded once.
//!
//! Exactly once: the action is idempotent on its own (a message becomes a case under the
//! source `("sms", dedupe key)`, which registering again finds; opting out twice is opting out),
//! and the message's record in `sms_inbound` — with its answer's outbox row, in one batch — is
//! written under the dedupe key: the provider's message id, or a hash of the number, the
//! provider's sending time and the text where the provider gives none. A retry of the same
//! message finds the record and gets no second answer.

use super::cases::{self, Budget, Contact, Intake, NewCase, Rules};
use super::meetings::{Answer, Via};
use super::{AppError, Host, ms};
use crate::calendar::{Timestamp, iso};
use crate::case::{Actor, Category, Channel, Complexity, Facts, Role, Status, Urgency};
use crate::ids::TrackingNumber;
use crate::sms::{Keyword, parse};
use crate::store::{Statement, Store};

/// The providers whose webhooks the SMS function takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// Twilio (and Twilio-compatible gateways).
    Twilio,
    /// Aliyun SMS (阿里云短信) HTTP batch push.
    Aliyun,
    /// Tencent Cloud SMS (腾讯云短信) callbacks.
    Tencent,
}

impl Provider {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Twilio => "twilio",
            Self::Aliyun => "aliyun",
            Self::Tencent => "tencent",
        }
    }
}

/// One text message as a provider delivered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// Who delivered it.
    pub provider: Provider,
    /// The provider's id for the message, when it gives one.
    pub message_id: Option<String>,
    /// The sender's number, as the provider wrote it.
    pub phone: String,
    /// The text.
    pub text: String,
    /// The provider's sending time, as it wrote it (for the dedupe key without an id).
    pub sent_at: String,
}

/// How the answer goes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerBy {
    /// In the webhook's own response (Twilio's TwiML).
    Response,
    /// Through the outbox (providers whose webhooks take no answer).
    Outbox,
}

/// What receiving a message came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The answer to put in the webhook's response (`AnswerBy::Response`), if any.
    pub answer: Option<String>,
    /// Whether this was a repeat of a message already received (nothing done, no answer).
    pub duplicate: bool,
    /// The case the message became, or asked about.
    pub case_id: Option<i64>,
}

/// Receives one text message at the host's `now`: `submissions_per_hour` bounds the cases one
/// number may open in an hour.
pub async fn receive<S: Store, H: Host>(
    store: &S,
    host: &H,
    rules: Rules<'_>,
    inbound: &Inbound,
    submissions_per_hour: u32,
    answer_by: AnswerBy,
) -> Result<Received, AppError> {
    let phone = normalise_phone(&inbound.phone)?;
    let key = dedupe_key(inbound, &phone)?;
    let seen = store
        .query(Statement::new("SELECT id FROM sms_inbound WHERE dedupe_key = ?").bind(key.as_str()))
        .await?;
    if !seen.is_empty() {
        return Ok(repeat());
    }
    let now = host.now();
    let keyword = parse(&inbound.text);
    let (answer, case_id) = act(
        store,
        host,
        rules,
        &keyword,
        &phone,
        &key,
        submissions_per_hour,
    )
    .await?;
    let mut batch = vec![
        Statement::new(
            "INSERT INTO sms_inbound (dedupe_key, provider, phone, received_at, keyword, case_id) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(key.as_str())
        .bind(inbound.provider.code())
        .bind(phone.as_str())
        .bind(ms(now))
        .bind(keyword_code(&keyword))
        .bind(case_id),
    ];
    if answer_by == AnswerBy::Outbox {
        batch.push(
            Statement::new(
                "INSERT INTO outbox (dedupe_key, case_id, kind, recipient, body, inbound_id, \
                 next_attempt_at, created_at) \
                 SELECT ?, ?, 'sms_answer', 'sender', ?, id, ?, ? FROM sms_inbound \
                 WHERE dedupe_key = ? ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(format!("sms/{key}"))
            .bind(case_id)
            .bind(answer.as_str())
            .bind(ms(now))
            .bind(ms(now))
            .bind(key.as_str()),
        );
    }
    let written = store.batch(batch).await?;
    if written.first() == Some(&0) {
        // Another delivery of the same message got here first.
        return Ok(repeat());
    }
    Ok(Received {
        answer: (answer_by == AnswerBy::Response).then_some(answer),
        duplicate: false,
        case_id,
    })
}

fn repeat() -> Received {
    Received {
        answer: None,
        duplicate: true,
        case_id: None,
    }
}

/// Does what the message asks: its answer, and the case it concerns.
async fn act<S: Store, H: Host>(
    store: &S,
    host: &H,
    rules: Rules<'_>,
    keyword: &Keyword,
    phone: &str,
    key: &str,
    submissions_per_hour: u32,
) -> Result<(String, Option<i64>), AppError> {
    let now = host.now();
    Ok(match keyword {
        Keyword::Message(text) if text.is_empty() => (HELP.into(), None),
        Keyword::Message(text) => {
            let budget = budget(rules.secret, phone, now, submissions_per_hour);
            match cases::register(
                store,
                host,
                rules,
                message_case(text, phone, key),
                Actor {
                    role: Role::Citizen,
                    account: None,
                },
                Some(&budget),
            )
            .await
            {
                Ok(r) => (
                    format!(
                        "【民意】您的诉求已受理，受理编号{}。查询办理进展请回复：CX {}",
                        r.tracking, r.tracking
                    ),
                    Some(r.id),
                ),
                Err(AppError::OverBudget) => {
                    ("【民意】您提交过于频繁，请一小时后再试。".into(), None)
                }
                Err(e) => return Err(e),
            }
        }
        Keyword::Query(typed) => query(store, typed, phone).await?,
        Keyword::OptOut => {
            store
                .execute(
                    Statement::new(
                        "INSERT INTO sms_opt_out (phone, at) VALUES (?, ?) \
                         ON CONFLICT (phone) DO NOTHING",
                    )
                    .bind(phone)
                    .bind(ms(now)),
                )
                .await?;
            (
                "【民意】您已退订通知类短信；您反映诉求的办理结果仍会告知。回复“恢复”可重新订阅。"
                    .into(),
                None,
            )
        }
        Keyword::OptIn => {
            store
                .execute(Statement::new("DELETE FROM sms_opt_out WHERE phone = ?").bind(phone))
                .await?;
            (
                "【民意】您已恢复接收通知类短信。回复“退订”可退订。".into(),
                None,
            )
        }
        Keyword::Help => (HELP.into(), None),
        Keyword::Register { meeting, name } => {
            (register(store, host, meeting, name, phone).await?, None)
        }
        Keyword::Confirm | Keyword::Cancel => {
            let confirm = *keyword == Keyword::Confirm;
            let text = match super::meetings::answer(store, host, phone, None, confirm).await? {
                Answer::Confirmed => "【民意】您已确认列席会议，请准时出席并携带身份证件。",
                Answer::Cancelled => "【民意】您已放弃会议名额或候补，感谢参与。",
                Answer::Nothing => "【民意】本号码没有待确认的会议名额。",
            };
            (text.into(), None)
        }
    })
}

/// `BM <meeting> <name>`: a registration by SMS, answered with its code.
async fn register<S: Store, H: Host>(
    store: &S,
    host: &H,
    meeting: &str,
    name: &str,
    phone: &str,
) -> Result<String, AppError> {
    if name.is_empty() {
        return Ok(format!("【民意】请回复：BM {meeting} 您的姓名"));
    }
    match super::meetings::register(store, host, meeting, name, phone, None, Via::Sms).await {
        Ok(r) if r.existing => Ok(format!(
            "【民意】本号码已报名会议{meeting}，报名码{}。",
            r.code
        )),
        Ok(r) => Ok(format!(
            "【民意】已报名会议{meeting}，报名码{}。报名截止后短信通知选取结果。",
            r.code
        )),
        Err(AppError::NotFound) => Ok(format!("【民意】没有编号为{meeting}的会议。")),
        Err(AppError::Invalid {
            field: "meeting", ..
        }) => Ok(format!("【民意】会议{meeting}当前不接受报名。")),
        Err(AppError::Invalid { field: "name", .. }) => Ok("【民意】姓名须在50字以内。".into()),
        Err(e) => Err(e),
    }
}

/// The help text: every keyword, one SMS segment where possible.
pub const HELP: &str = "【民意】直接发送诉求内容即可受理；查询：CX 受理编号；会议报名：BM 会议编号 姓名；退订：TD；恢复：恢复";

/// The case a text message becomes: private (the sender chose nothing), classified by the
/// operator at dispatch (a complaint until then: 项目自定), the number as its contact.
fn message_case(text: &str, phone: &str, key: &str) -> NewCase {
    NewCase {
        facts: Facts {
            channel: Channel::Sms,
            category: Category::Complaint,
            urgency: Urgency::Normal,
            complexity: Complexity::Ordinary,
            publish_consent: false,
        },
        title: text.chars().take(TITLE_CHARS).collect(),
        body: text.to_owned(),
        contact: Contact {
            name: None,
            phone: Some(phone.to_owned()),
            email: None,
        },
        location: cases::Location::default(),
        idempotency: None,
        intake: Intake {
            source: Some(("sms".into(), key.to_owned())),
            ..Intake::default()
        },
    }
}

/// The first characters of a message that make its title.
const TITLE_CHARS: usize = 30;

/// A case's progress, for the number that reported it only.
async fn query<S: Store>(
    store: &S,
    typed: &str,
    phone: &str,
) -> Result<(String, Option<i64>), AppError> {
    let not_found = || {
        (
            format!("【民意】未找到本号码提交的编号为{typed}的诉求，请核对受理编号。"),
            None,
        )
    };
    let Ok(tracking) = TrackingNumber::parse(typed) else {
        return Ok(not_found());
    };
    let rows = store
        .query(
            Statement::new(
                "SELECT c.id, c.status, c.due_at FROM \"case\" c \
                 JOIN case_contact cc ON cc.case_id = c.id \
                 WHERE c.id = ? AND cc.phone = ?",
            )
            .bind(tracking.number())
            .bind(phone),
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(not_found());
    };
    let status: String = row.get("status")?;
    let status =
        Status::from_code(&status).ok_or_else(|| AppError::Corrupt(format!("status {status}")))?;
    let due: Option<i64> = row.get("due_at")?;
    let due = match due.map(super::instant).transpose()? {
        Some(t) if !status.is_final() && status != Status::Replied => {
            format!("，答复时限{}", iso::beijing_minutes(t))
        }
        _ => String::new(),
    };
    Ok((
        format!("【民意】诉求{tracking}：{}{due}。", status.label_zh()),
        Some(row.get("id")?),
    ))
}

/// The longest provider message id taken (Twilio's are 34 characters; the key, provider
/// name included, must fit a case's source id, `cases::MAX_SOURCE_CHARS`).
const MAX_ID_CHARS: usize = 48;

/// The message's dedupe key: the provider's id, or a hash of number, time and text.
fn dedupe_key(inbound: &Inbound, phone: &str) -> Result<String, AppError> {
    use sha2::{Digest, Sha256};
    let provider = inbound.provider.code();
    match inbound.message_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => {
            if id.len() > MAX_ID_CHARS || !id.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(AppError::Invalid {
                    field: "message_id",
                    problem: "须为至多48个可见ASCII字符 / at most 48 visible ASCII characters"
                        .into(),
                });
            }
            Ok(format!("{provider}:{id}"))
        }
        _ => {
            let digest = Sha256::new()
                .chain_update(phone)
                .chain_update([0])
                .chain_update(inbound.sent_at.trim())
                .chain_update([0])
                .chain_update(&inbound.text)
                .finalize();
            // 128 bits of the hash: the key stays within a case's source id.
            Ok(format!("{provider}#{}", crate::hex::encode(&digest[..16])))
        }
    }
}

/// A sender's number in one form for every provider: mainland mobile numbers as their 11
/// digits (`+86 138 0013 8000`, `8613800138000` and `13800138000` are one number), others in
/// E.164 with their `+`.
pub fn normalise_phone(raw: &str) -> Result<String, AppError> {
    let trimmed = raw.trim();
    let plus = trimmed.starts_with('+');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let valid = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-'))
        && (3..=18).contains(&digits.len());
    if !valid {
        return Err(AppError::Invalid {
            field: "phone",
            problem: "不是电话号码 / not a phone number".into(),
        });
    }
    let national = match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') && (plus || digits.len() == 13) => {
            rest
        }
        _ if !plus && digits.len() == 11 && digits.starts_with('1') => digits.as_str(),
        _ => return Ok(format!("+{digits}")),
    };
    Ok(national.to_owned())
}

/// The number's submission budget for the current hour: keyed by an HMAC of the number, so
/// the budget table never holds it.
fn budget(secret: &[u8], phone: &str, now: Timestamp, limit: u32) -> Budget {
    use hmac::{KeyInit, Mac};
    let slot = now.as_second().div_euclid(3600);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"sms:");
    mac.update(phone.as_bytes());
    Budget {
        key: format!(
            "sms:{}:{slot}",
            crate::hex::encode(&mac.finalize().into_bytes()[..8])
        ),
        limit,
        window_ends: Timestamp::from_second((slot + 1) * 3600).unwrap_or(Timestamp::MAX),
    }
}

/// The stored code of what a message asked for.
fn keyword_code(k: &Keyword) -> &'static str {
    match k {
        Keyword::Message(_) => "message",
        Keyword::Query(_) => "query",
        Keyword::OptOut => "opt_out",
        Keyword::OptIn => "opt_in",
        Keyword::Help => "help",
        Keyword::Register { .. } => "register",
        Keyword::Confirm => "confirm",
        Keyword::Cancel => "cancel",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_in_every_provider_form() {
        for raw in [
            "+86 138 0013 8000",
            "8613800138000",
            "13800138000",
            "+8613800138000",
        ] {
            assert_eq!(normalise_phone(raw).as_deref(), Ok("13800138000"), "{raw}");
        }
        assert_eq!(
            normalise_phone("+1 415 555 0100").as_deref(),
            Ok("+14155550100")
        );
        assert!(normalise_phone("call me").is_err());
        assert!(normalise_phone("1").is_err());
    }
}

//! The outbox: every outbound message — a notice to a department, an SMS to a citizen — is
//! first a row of `outbox`, written in the same atomic batch as the event that causes it
//! ([`for_transition`], from `cases::store_transition`), under a unique dedupe key (case, event,
//! recipient). The sweep then delivers due rows ([`deliver`]) through a [`Sender`]: at most
//! [`BATCH`] a run, each claimed first, retried with exponential backoff ([`backoff`]) and
//! given up as `failed` after [`MAX_ATTEMPTS`]; the provider's delivery report closes a sent
//! message ([`record_receipt`]).
//!
//! Exactly once: a row is written once (its key is unique, and the batch that writes it is
//! guarded by the case's version), and a run sends a row only after claiming it with a
//! conditional update, so a second or overlapping run skips it. A run cut off between its
//! claim and the provider's answer leaves the claim to lapse after [`LEASE_MS`]; the next run
//! sends again with the same dedupe key, which the provider receives as the message's own id
//! (an at-least-once edge a provider that honours ids closes).
//!
//! A row holds no personal data: the citizen's number is read from `case_contact` when the
//! message is sent, and the text is rendered then from the tracking number and the deadline.
//! The public site never delivers (its units do not contain [`deliver`]).

use super::{AppError, Host, instant, ms};
use crate::calendar::{Timestamp, iso};
use crate::case::{EventKind, Transition};
use crate::store::{Row, Statement, Store};

/// The most messages one run sends (the project's own bound): a message costs three queries
/// (claim, send's outcome, and its share of the one range query), so 60 keep a whole run
/// inside D1's 1,000 queries per invocation with the case duties ([`super::sweep::BATCH`]).
pub const BATCH: u32 = 60;
/// Tries before a message is given up as failed (项目自定 / project's choice).
pub const MAX_ATTEMPTS: u32 = 6;
/// The first retry's delay; each later one doubles it (项目自定 / project's choice: with the
/// five-minute cron, retries at about 5, 10, 20, 40 and 80 minutes, 2.5 hours in all).
pub const BACKOFF_BASE_MS: i64 = 5 * 60_000;
/// How long a claim holds a message before another run may try it (longer than any run).
pub const LEASE_MS: i64 = 15 * 60_000;

/// What a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A case was dispatched to the department (交办).
    Dispatched,
    /// A reminder before the deadline (催办).
    Reminded,
    /// An escalation at or past the deadline (督办).
    Escalated,
    /// A new handling round began (重新办理).
    Reopened,
    /// The citizen's reply is ready (答复).
    Replied,
    /// The answer to a citizen's text message (its text written with it).
    SmsAnswer,
    /// A meeting registrant's notice: selected, waitlisted, promoted (its text written with it).
    MeetingNotice,
}

impl Kind {
    /// What the message is about, in Chinese and in English.
    pub const fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Dispatched => ("交办通知", "dispatch notice"),
            Self::Reminded => ("催办", "reminder"),
            Self::Escalated => ("督办", "escalation"),
            Self::Reopened => ("重新办理通知", "re-handling notice"),
            Self::Replied => ("答复通知", "reply notice"),
            Self::SmsAnswer => ("短信回复", "SMS answer"),
            Self::MeetingNotice => ("会议通知", "meeting notice"),
        }
    }

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Dispatched => "dispatched",
            Self::Reminded => "reminded",
            Self::Escalated => "escalated",
            Self::Reopened => "reopened",
            Self::Replied => "replied",
            Self::SmsAnswer => "sms_answer",
            Self::MeetingNotice => "meeting_notice",
        }
    }

    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Self; 7] = [
        Self::Dispatched,
        Self::Reminded,
        Self::Escalated,
        Self::Reopened,
        Self::Replied,
        Self::SmsAnswer,
        Self::MeetingNotice,
    ];

    /// The kind a stored code names, if any.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    fn from_code(code: &str) -> Result<Self, AppError> {
        Ok(match code {
            "dispatched" => Self::Dispatched,
            "reminded" => Self::Reminded,
            "escalated" => Self::Escalated,
            "reopened" => Self::Reopened,
            "replied" => Self::Replied,
            "sms_answer" => Self::SmsAnswer,
            "meeting_notice" => Self::MeetingNotice,
            other => return Err(AppError::Corrupt(format!("outbox kind {other}"))),
        })
    }
}

/// Who a message goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    /// The citizen who wrote in (their number from `case_contact`).
    Citizen,
    /// A department (its `notice_phone`).
    Department(i64),
}

/// The messages an event causes: (what, to whom).
pub fn messages(kind: &EventKind, lead: Option<i64>) -> Vec<(Kind, Recipient)> {
    let to_lead = |k| {
        lead.map(|d| (k, Recipient::Department(d)))
            .into_iter()
            .collect()
    };
    match kind {
        EventKind::Dispatched {
            lead, co_handlers, ..
        } => std::iter::once(*lead)
            .chain(co_handlers.iter().copied())
            .map(|d| (Kind::Dispatched, Recipient::Department(d)))
            .collect(),
        EventKind::Reminded => to_lead(Kind::Reminded),
        EventKind::Escalated { .. } => to_lead(Kind::Escalated),
        EventKind::Reopened { .. } => to_lead(Kind::Reopened),
        EventKind::Published { .. } => vec![(Kind::Replied, Recipient::Citizen)],
        _ => Vec::new(),
    }
}

/// The outbox rows of a transition of case `id`, for the transition's own batch.
pub fn for_transition(id: i64, t: &Transition) -> Vec<Statement> {
    let event = &t.event;
    messages(&event.kind, t.case.lead)
        .into_iter()
        .map(|(kind, to)| {
            let (recipient, department, key) = match to {
                Recipient::Citizen => ("citizen", None, format!("{id}/{}/citizen", event.seq)),
                Recipient::Department(d) => (
                    "department",
                    Some(d),
                    format!("{id}/{}/dept/{d}", event.seq),
                ),
            };
            Statement::new(
                "INSERT INTO outbox (dedupe_key, case_id, kind, recipient, department_id, \
                 due_at, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(key)
            .bind(id)
            .bind(kind.code())
            .bind(recipient)
            .bind(department)
            .bind(t.case.due_at.map(ms))
            .bind(ms(event.at))
            .bind(ms(event.at))
        })
        .collect()
}

/// One message as a provider receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The dedupe key: the message's own id, for providers that take one.
    pub id: String,
    /// The phone number it goes to.
    pub to: String,
    /// The text (Chinese; one SMS segment where possible), for providers that send free text
    /// (the log, the city's gateway, Twilio).
    pub text: String,
    /// What it is about: the template it is sent with, for providers that send only approved
    /// templates (Aliyun, Tencent Cloud; [`Templates`]).
    pub kind: Kind,
    /// The template's parameters, named and in their documented order ([`params`]).
    pub params: Vec<Param>,
}

/// A template parameter: its name (Aliyun's `${name}`) and value; Tencent Cloud's templates
/// take the values by position (`{1}`, `{2}`, ...) in the order [`params`] gives them.
pub type Param = (&'static str, String);

/// A message's template parameters, in order (docs/sms.md, "Templates"):
///
/// | kind | parameters |
/// | --- | --- |
/// | `dispatched`, `reminded`, `escalated`, `reopened` | `department`, `tracking`, `due` |
/// | `replied` | `tracking` |
/// | `sms_answer`, `meeting_notice` | `text` (the text written at the event, without its 【…】 signature: the provider adds the deployment's own) |
///
/// `tracking` is grouped for reading (`K7Q-H3X-PD9`), `due` is Beijing time to the minute
/// (`2026-12-02 00:00`); an unknown department or deadline is the empty string.
pub fn params(
    kind: Kind,
    tracking: &str,
    department: Option<&str>,
    due_at: Option<Timestamp>,
    body: &str,
) -> Vec<Param> {
    match kind {
        Kind::Dispatched | Kind::Reminded | Kind::Escalated | Kind::Reopened => vec![
            ("department", department.unwrap_or_default().to_owned()),
            ("tracking", tracking.to_owned()),
            ("due", due_at.map_or_else(String::new, iso::beijing_minutes)),
        ],
        Kind::Replied => vec![("tracking", tracking.to_owned())],
        Kind::SmsAnswer | Kind::MeetingNotice => vec![("text", unsigned(body).to_owned())],
    }
}

/// A text without its leading 【…】 signature (the provider signs a template itself).
fn unsigned(text: &str) -> &str {
    text.strip_prefix('【')
        .and_then(|rest| rest.split_once('】'))
        .map_or(text, |(_, after)| after)
}

/// Which approved template each kind of message is sent with, for providers that send only
/// templates (`MINYI_SMS_TEMPLATES`: a JSON object from [`Kind::code`] to the provider's
/// template id, e.g. `{"dispatched": "SMS_123456789", "replied": "SMS_123456790"}`). A kind
/// left out has no template: its messages fail, for good, with the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Templates(Vec<(Kind, String)>);

impl Templates {
    /// Reads the JSON object; refuses anything but known kinds with non-empty string ids.
    pub fn parse(json: &str) -> Result<Self, String> {
        let how = "MINYI_SMS_TEMPLATES must be a JSON object from message kinds (dispatched, \
                   reminded, escalated, reopened, replied, sms_answer, meeting_notice) to the \
                   provider's approved template ids";
        let serde_json::Value::Object(map) =
            serde_json::from_str::<serde_json::Value>(json).map_err(|_| how.to_owned())?
        else {
            return Err(how.into());
        };
        let mut templates = Vec::with_capacity(map.len());
        for (code, id) in &map {
            let kind = Kind::parse(code)
                .ok_or_else(|| format!("MINYI_SMS_TEMPLATES: unknown message kind {code:?}"))?;
            match id.as_str().map(str::trim) {
                Some(id) if !id.is_empty() => templates.push((kind, id.to_owned())),
                _ => return Err(format!("MINYI_SMS_TEMPLATES: {code} needs a template id")),
            }
        }
        Ok(Self(templates))
    }

    /// The template of `kind`, if one is configured.
    pub fn get(&self, kind: Kind) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, id)| id.as_str())
    }

    /// The template of `message`'s kind, or why it cannot be sent (final: no retry helps).
    pub fn for_message(&self, message: &Outgoing) -> Result<&str, SendError> {
        self.get(message.kind).ok_or_else(|| {
            let (zh, en) = message.kind.label();
            SendError::Refused(format!(
                "未配置“{zh}”的短信模板 / no SMS template for {en} ({}) in MINYI_SMS_TEMPLATES",
                message.kind.code()
            ))
        })
    }
}

/// Why a provider did not take a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later (unreachable, 5xx, 429).
    Retry(String),
    /// Refused for good (a malformed number, a 4xx): no retry.
    Refused(String),
}

/// An SMS provider: sends one message and answers its own id for the message.
#[allow(async_fn_in_trait)]
pub trait Sender {
    /// The provider's name as recorded (`log`, `http`, ...).
    fn name(&self) -> &'static str;
    /// Sends `message`; the provider's message id on acceptance.
    async fn send(&self, message: &Outgoing) -> Result<String, SendError>;
}

/// What one delivery run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Messages the provider accepted.
    pub sent: u32,
    /// Messages to try again later.
    pub retrying: u32,
    /// Messages given up (refused, or out of tries).
    pub failed: u32,
    /// Messages without a number to send to.
    pub no_address: u32,
    /// Messages another run claimed first.
    pub skipped: u32,
    /// Whether the batch was full, so more may be due now.
    pub more: bool,
}

/// The delay before try `attempt + 1` after `attempt` tries failed: [`BACKOFF_BASE_MS`]
/// doubled for each try after the first.
pub const fn backoff(attempt: u32) -> i64 {
    let doublings = if attempt == 0 { 0 } else { attempt - 1 };
    BACKOFF_BASE_MS << (if doublings > 20 { 20 } else { doublings })
}

/// The range query of due messages, with their recipient's number and what the text needs:
/// served by the partial index `outbox_due`.
pub const DUE_SQL: &str = "SELECT o.id, o.dedupe_key, o.kind, o.due_at, o.attempts, \
     o.next_attempt_at, o.body, c.tracking_no, d.name_zh, \
     CASE o.recipient WHEN 'citizen' THEN cc.phone WHEN 'sender' THEN si.phone \
     WHEN 'registrant' THEN mr.phone ELSE d.notice_phone END AS address \
     FROM outbox o LEFT JOIN \"case\" c ON c.id = o.case_id \
     LEFT JOIN department d ON d.id = o.department_id \
     LEFT JOIN case_contact cc ON o.recipient = 'citizen' AND cc.case_id = o.case_id \
     LEFT JOIN sms_inbound si ON o.recipient = 'sender' AND si.id = o.inbound_id \
     LEFT JOIN meeting_registration mr ON o.recipient = 'registrant' \
     AND mr.id = o.registration_id \
     WHERE o.next_attempt_at IS NOT NULL AND o.next_attempt_at <= ? \
     ORDER BY o.next_attempt_at LIMIT ?";

/// Delivers the messages due at the host's `now` through `sender`, at most `batch`.
pub async fn deliver<S: Store, H: Host, P: Sender>(
    store: &S,
    host: &H,
    sender: &P,
    batch: u32,
) -> Result<Delivery, AppError> {
    let now = ms(host.now());
    let rows = store
        .query(Statement::new(DUE_SQL).bind(now).bind(batch))
        .await?;
    let mut report = Delivery {
        more: rows.len() >= batch as usize,
        ..Delivery::default()
    };
    for row in &rows {
        let due = Due::decode(row)?;
        let tries = due.attempts + 1;
        let claimed = store
            .execute(
                Statement::new(
                    "UPDATE outbox SET state = 'sending', attempts = ?, next_attempt_at = ? \
                     WHERE id = ? AND attempts = ? AND next_attempt_at = ?",
                )
                .bind(tries)
                .bind(now + LEASE_MS)
                .bind(due.id)
                .bind(due.attempts)
                .bind(due.next_attempt_at),
            )
            .await?;
        if claimed == 0 {
            report.skipped += 1;
            continue;
        }
        let settle = |state: &str, next: Option<i64>, error: Option<String>| {
            Statement::new(
                "UPDATE outbox SET state = ?, next_attempt_at = ?, last_error = ? \
                 WHERE id = ? AND state = 'sending' AND attempts = ?",
            )
            .bind(state)
            .bind(next)
            .bind(error.map(|e| e.chars().take(200).collect::<String>()))
            .bind(due.id)
            .bind(tries)
        };
        let Some(to) = due.address.clone() else {
            store.execute(settle("no_address", None, None)).await?;
            report.no_address += 1;
            continue;
        };
        let (text, params) = due.render()?;
        let message = Outgoing {
            id: due.key.clone(),
            to,
            text,
            kind: due.kind,
            params,
        };
        let outcome = match sender.send(&message).await {
            Ok(provider_ref) => {
                report.sent += 1;
                Statement::new(
                    "UPDATE outbox SET state = 'sent', next_attempt_at = NULL, last_error = NULL, \
                     provider = ?, provider_ref = ?, sent_at = ? \
                     WHERE id = ? AND state = 'sending' AND attempts = ?",
                )
                .bind(sender.name())
                .bind(provider_ref.chars().take(100).collect::<String>())
                .bind(now)
                .bind(due.id)
                .bind(tries)
            }
            Err(SendError::Retry(e)) if tries < MAX_ATTEMPTS => {
                report.retrying += 1;
                settle("pending", Some(now + backoff(tries)), Some(e))
            }
            Err(SendError::Retry(e) | SendError::Refused(e)) => {
                report.failed += 1;
                settle("failed", None, Some(e))
            }
        };
        store.execute(outcome).await?;
    }
    Ok(report)
}

/// A provider's delivery report for its message `provider_ref`: `delivered`, or not with the
/// provider's `error`. False when no sent message has that id (a report for another system,
/// or a repeat of one already recorded with the same outcome is still true).
pub async fn record_receipt<S: Store>(
    store: &S,
    provider: &str,
    provider_ref: &str,
    delivered: bool,
    error: Option<&str>,
    at: Timestamp,
) -> Result<bool, AppError> {
    let changed = store
        .execute(
            Statement::new(
                "UPDATE outbox SET state = ?, receipt_at = ?, last_error = ? \
                 WHERE provider = ? AND provider_ref = ? \
                 AND state IN ('sent', 'delivered', 'undelivered')",
            )
            .bind(if delivered {
                "delivered"
            } else {
                "undelivered"
            })
            .bind(ms(at))
            .bind(error.map(|e| e.chars().take(200).collect::<String>()))
            .bind(provider)
            .bind(provider_ref),
        )
        .await?;
    Ok(changed > 0)
}

/// A due message as the range query reads it.
struct Due {
    id: i64,
    key: String,
    kind: Kind,
    due_at: Option<Timestamp>,
    attempts: u32,
    next_attempt_at: i64,
    body: Option<String>,
    tracking: Option<String>,
    department: Option<String>,
    address: Option<String>,
}

impl Due {
    fn decode(row: &Row) -> Result<Self, AppError> {
        let kind: String = row.get("kind")?;
        let due_at: Option<i64> = row.get("due_at")?;
        let address: Option<String> = row.get("address")?;
        Ok(Self {
            id: row.get("id")?,
            key: row.get("dedupe_key")?,
            kind: Kind::from_code(&kind)?,
            due_at: due_at.map(instant).transpose()?,
            attempts: attempts(row)?,
            next_attempt_at: row.get("next_attempt_at")?,
            body: row.get("body")?,
            tracking: row.get("tracking_no")?,
            department: row.get("name_zh")?,
            address: address.filter(|a| !a.trim().is_empty()),
        })
    }

    /// The message's text and template parameters, rendered now from the tracking number
    /// (grouped for reading, as the citizen's confirmation shows it) and the deadline, or
    /// from the text written with it.
    fn render(&self) -> Result<(String, Vec<Param>), AppError> {
        if let Some(body) = &self.body {
            return Ok((body.clone(), params(self.kind, "", None, None, body)));
        }
        let stored = self.tracking.as_deref().unwrap_or_default();
        let tracking = crate::ids::TrackingNumber::parse(stored)
            .map_err(|_| AppError::Corrupt(format!("tracking number {stored}")))?
            .to_string();
        let department = self.department.as_deref();
        Ok((
            text(self.kind, &tracking, department, self.due_at),
            params(self.kind, &tracking, department, self.due_at, ""),
        ))
    }
}

/// A message's text: Chinese, signed 【民意】, one SMS segment (70 characters) where the
/// department's name allows. An SMS answer's and a meeting notice's text is written with it,
/// not rendered here.
pub fn text(
    kind: Kind,
    tracking: &str,
    department: Option<&str>,
    due_at: Option<Timestamp>,
) -> String {
    let due = due_at.map_or_else(String::new, iso::beijing_minutes);
    let to = department.map_or_else(String::new, |d| format!("{d}："));
    match kind {
        Kind::Dispatched => format!("【民意】{to}诉求{tracking}已交办贵单位，请于{due}前答复。"),
        Kind::Reminded => format!("【民意】{to}催办：诉求{tracking}将于{due}到期，请按时答复。"),
        Kind::Escalated => {
            format!("【民意】{to}督办：诉求{tracking}已到答复时限{due}，请立即办理并答复。")
        }
        Kind::Reopened => format!("【民意】{to}诉求{tracking}须重新办理，请于{due}前答复。"),
        Kind::Replied => {
            format!("【民意】您的诉求{tracking}已有答复，请凭受理编号和查询码在网站查看并评价。")
        }
        Kind::SmsAnswer | Kind::MeetingNotice => String::new(),
    }
}

/// The most messages of one case the desk lists.
pub const MAX_OF_CASE: u32 = 50;

/// One of a case's messages as the desk lists it (never the number it went to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// When it was written.
    pub created_at: Timestamp,
    /// What it is about.
    pub kind: Kind,
    /// `None` for the citizen (or an SMS's sender), else the department's id.
    pub department: Option<i64>,
    /// Its state (`pending`, `sending`, `sent`, `delivered`, `undelivered`, `failed`,
    /// `no_address`).
    pub state: String,
    /// Tries so far.
    pub attempts: u32,
    /// The last failure, if any.
    pub last_error: Option<String>,
}

/// A case's messages, oldest first, at most [`MAX_OF_CASE`].
pub async fn of_case<S: Store>(store: &S, case_id: i64) -> Result<Vec<Message>, AppError> {
    store
        .query(
            Statement::new(
                "SELECT created_at, kind, department_id, state, attempts, last_error FROM outbox \
                 WHERE case_id = ? ORDER BY id LIMIT ?",
            )
            .bind(case_id)
            .bind(MAX_OF_CASE),
        )
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.get("kind")?;
            Ok(Message {
                created_at: instant(r.get("created_at")?)?,
                kind: Kind::from_code(&kind)?,
                department: r.get("department_id")?,
                state: r.get("state")?,
                attempts: attempts(r)?,
                last_error: r.get("last_error")?,
            })
        })
        .collect()
}

fn attempts(row: &Row) -> Result<u32, AppError> {
    u32::try_from(row.get::<i64>("attempts")?)
        .map_err(|_| AppError::Corrupt("outbox attempts".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base() {
        assert_eq!(backoff(1), BACKOFF_BASE_MS);
        assert_eq!(backoff(2), 2 * BACKOFF_BASE_MS);
        assert_eq!(backoff(5), 16 * BACKOFF_BASE_MS);
        assert_eq!(backoff(u32::MAX), BACKOFF_BASE_MS << 20);
    }

    #[test]
    fn texts_fit_one_segment_and_name_the_case() {
        let due = Timestamp::from_second(1_764_604_800).ok();
        for kind in [
            Kind::Dispatched,
            Kind::Reminded,
            Kind::Escalated,
            Kind::Reopened,
            Kind::Replied,
        ] {
            let t = text(kind, "K7Q-H3X-PD9", Some("市城管局"), due);
            assert!(t.contains("K7Q-H3X-PD9"), "{t}");
            assert!(t.chars().count() <= 70, "{} chars: {t}", t.chars().count());
            assert_eq!(Kind::from_code(kind.code()), Ok(kind));
        }
    }

    #[test]
    fn template_parameters_are_named_in_their_documented_order() {
        let due = Timestamp::from_second(1_764_604_800).ok();
        let names = |kind| {
            params(
                kind,
                "K7Q-H3X-PD9",
                Some("市城管局"),
                due,
                "【民意】您已确认。",
            )
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
        };
        for kind in [
            Kind::Dispatched,
            Kind::Reminded,
            Kind::Escalated,
            Kind::Reopened,
        ] {
            assert_eq!(names(kind), ["department", "tracking", "due"]);
        }
        assert_eq!(names(Kind::Replied), ["tracking"]);
        assert_eq!(
            params(Kind::Dispatched, "K7Q-H3X-PD9", Some("市城管局"), due, ""),
            vec![
                ("department", "市城管局".to_owned()),
                ("tracking", "K7Q-H3X-PD9".to_owned()),
                ("due", "2025-12-02 00:00".to_owned())
            ]
        );
        // Texts written at the event lose their signature: the provider adds its own.
        for kind in [Kind::SmsAnswer, Kind::MeetingNotice] {
            assert_eq!(
                params(kind, "", None, None, "【民意】您已确认。"),
                vec![("text", "您已确认。".to_owned())]
            );
        }
        assert_eq!(unsigned("无签名】"), "无签名】");
        assert_eq!(unsigned("【未闭合"), "【未闭合");
    }

    #[test]
    fn templates_map_kinds_and_a_missing_one_is_refused_for_good() {
        let t = Templates::parse(r#"{"dispatched": "SMS_1", "sms_answer": " 2 "}"#).expect("valid");
        assert_eq!(t.get(Kind::Dispatched), Some("SMS_1"));
        assert_eq!(t.get(Kind::SmsAnswer), Some("2"));
        assert_eq!(t.get(Kind::Replied), None);
        let message = Outgoing {
            id: "1/2/citizen".into(),
            to: "13800138000".into(),
            text: String::new(),
            kind: Kind::Replied,
            params: Vec::new(),
        };
        match t.for_message(&message) {
            Err(SendError::Refused(why)) => {
                assert!(why.contains("未配置") && why.contains("replied"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        for bad in [
            "",
            "[]",
            r#"{"dispatch": "SMS_1"}"#,
            r#"{"replied": ""}"#,
            r#"{"replied": 7}"#,
        ] {
            assert!(Templates::parse(bad).is_err(), "{bad}");
        }
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.code()), Some(kind));
        }
    }
}

//! Criticism records (通报批评情形): a department met a trigger of the regulations, kept for
//! supervisors, leaders and the quarterly notice (001 §3: 每季度进行1次工作情况通报).
//!
//! The triggers the event log shows are written by [`records`], in the store batch of the
//! event that meets them, once (each record's `dedupe` key is UNIQUE); the ones that need a
//! person's judgment a supervisor records from the desk ([`record_by_hand`]). Every automatic
//! record can be recomputed from `case_event` (docs/desk.md, "Criticism records").

use super::{AppError, instant, ms};
use crate::calendar::{BEIJING, Timestamp};
use crate::case::{Case, EventKind, Status, Transition};
use crate::store::{Row, Statement, Store, StoreError};

/// Reports of one problem (the original and its duplicates) that make it "reported many
/// times" (001 §3(六) 群众多次反映): 项目自定 / project's choice, the seed gives no number.
pub const REPEATED_REPORTS: u32 = 3;
/// Late replies of a department in a quarter that meet 001 §3(三) (季度累计达3次以上).
pub const LATE_IN_A_QUARTER: u32 = 3;
/// Records on one page of a list.
pub const PAGE: u32 = 100;
/// The last page a list answers.
pub const MAX_PAGE: u32 = 100;
/// Longest note of a record made by hand, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// A criticism trigger: the seven of 001 §3 and the supervision rule of 002 §4.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// 001 §3(一): 被连续2次退回重新办理 — a case's draft rejected by review twice in a row.
    RedoneTwice,
    /// 001 §3(二): 要求书面反馈，无特殊原因未反馈，又处理不到位 (by hand).
    NoWrittenFeedback,
    /// 001 §3(三): 没有按规定时限反馈，季度累计达3次以上 — the third late reply in a quarter.
    LateThreeTimes,
    /// 001 §3(四): 反馈情况与实际处理情况不一致，且造成不良影响 (by hand).
    FeedbackContradicts,
    /// 001 §3(五): 不认真办理，推诿拖拉，延误问题解决 (by hand).
    DelayShirking,
    /// 001 §3(六): 对同一问题，群众多次反映，不及时办理又不作回复 — a case reported
    /// [`REPEATED_REPORTS`] times and still unanswered.
    RepeatedReports,
    /// 001 §3(七): 值班人员擅自脱岗、离岗，电话无人接听 (by hand).
    Unattended,
    /// 002 §4.2: 连续督办两次仍未处理回复 — a case escalated a second time, unanswered.
    EscalatedTwice,
}

impl Trigger {
    /// Every trigger, in the order of the regulations.
    pub const ALL: [Trigger; 8] = [
        Self::RedoneTwice,
        Self::NoWrittenFeedback,
        Self::LateThreeTimes,
        Self::FeedbackContradicts,
        Self::DelayShirking,
        Self::RepeatedReports,
        Self::Unattended,
        Self::EscalatedTwice,
    ];

    /// The stable code stored in `criticism.code`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::RedoneTwice => "redone_twice",
            Self::NoWrittenFeedback => "no_written_feedback",
            Self::LateThreeTimes => "late_three_times",
            Self::FeedbackContradicts => "feedback_contradicts",
            Self::DelayShirking => "delay_shirking",
            Self::RepeatedReports => "repeated_reports",
            Self::Unattended => "unattended",
            Self::EscalatedTwice => "escalated_twice",
        }
    }

    /// The trigger with this code, if any.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Whether only a person can tell it is met (a supervisor records it with a note).
    pub const fn by_hand(self) -> bool {
        matches!(
            self,
            Self::NoWrittenFeedback
                | Self::FeedbackContradicts
                | Self::DelayShirking
                | Self::Unattended
        )
    }

    /// The trigger as the regulations say it, with its clause: Chinese, English.
    pub const fn describe(self) -> (&'static str, &'static str) {
        match self {
            Self::RedoneTwice => (
                "被连续2次退回重新办理（001 §3(一)）",
                "a case sent back for redo twice in a row (001 §3(一))",
            ),
            Self::NoWrittenFeedback => (
                "要求书面反馈，无特殊原因未反馈，又处理不到位（001 §3(二)）",
                "no written feedback where required, and the matter not dealt with (001 §3(二))",
            ),
            Self::LateThreeTimes => (
                "没有按规定时限反馈，季度累计达3次以上（001 §3(三)）",
                "three or more replies past the deadline in a quarter (001 §3(三))",
            ),
            Self::FeedbackContradicts => (
                "反馈情况与实际处理情况不一致，且造成不良影响（001 §3(四)）",
                "feedback contradicting what was done, with ill effect (001 §3(四))",
            ),
            Self::DelayShirking => (
                "不认真办理，推诿拖拉，延误问题解决，造成不良影响（001 §3(五)）",
                "careless handling, shirking or delay, with ill effect (001 §3(五))",
            ),
            Self::RepeatedReports => (
                "同一问题群众多次反映，不及时办理又不作回复（001 §3(六)）",
                "the same problem reported many times, neither handled nor answered (001 §3(六))",
            ),
            Self::Unattended => (
                "值班人员擅自脱岗、离岗，电话无人接听（001 §3(七)）",
                "duty staff absent, the telephone unanswered (001 §3(七))",
            ),
            Self::EscalatedTwice => (
                "连续督办两次仍未处理回复（002 §4.2）",
                "a case escalated twice and still unanswered (002 §4.2)",
            ),
        }
    }
}

/// A calendar quarter in Beijing time, the period of the regulations' notices and of the
/// late-reply count (001 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quarter {
    /// The year.
    pub year: i16,
    /// 1 to 4.
    pub number: i8,
}

impl Quarter {
    /// The quarter holding an instant.
    pub fn of(at: Timestamp) -> Self {
        let date = BEIJING.to_datetime(at).date();
        Self {
            year: date.year(),
            number: (date.month() - 1) / 3 + 1,
        }
    }

    /// `2026-Q4` (or `2026-q4`), for years 2000–2100.
    pub fn parse(text: &str) -> Option<Self> {
        let (year, number) = text.trim().split_once('-')?;
        let year: i16 = year.parse().ok().filter(|y| (2000..=2100).contains(y))?;
        let number: i8 = number.strip_prefix(['Q', 'q'])?.parse().ok()?;
        (1..=4).contains(&number).then_some(Self { year, number })
    }

    /// Its first instant.
    pub fn start(self) -> Timestamp {
        month_start(self.year, (self.number - 1) * 3 + 1)
    }

    /// The first instant of the next quarter.
    pub fn end(self) -> Timestamp {
        if self.number == 4 {
            month_start(self.year + 1, 1)
        } else {
            month_start(self.year, self.number * 3 + 1)
        }
    }
}

impl std::fmt::Display for Quarter {
    /// `2026-Q4`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.number)
    }
}

/// Midnight Beijing time on the first of a month. Every month of a year jiff holds has one,
/// so the fallback is never taken.
fn month_start(year: i16, month: i8) -> Timestamp {
    super::public::month_start(year, month).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The statuses of a case its lead department has not answered yet.
const UNANSWERED: [Status; 6] = [
    Status::Dispatched,
    Status::ReturnRequested,
    Status::InProgress,
    Status::SignOffPending,
    Status::UnderReview,
    Status::Approved,
];

/// The criticism records the transition `t` of case `id` (from `before`) writes, for the
/// same batch as its event (which precedes them there), charged to the lead department that
/// had the case when it met the trigger. Empty for most events.
pub fn records(id: i64, before: &Case, t: &Transition) -> Vec<Statement> {
    let at = t.event.at;
    let period = Quarter::of(at);
    let seq = t.event.seq;
    let lead = before.lead;
    let one = |trigger: Trigger, department: i64| {
        Statement::new(
            "INSERT INTO criticism (department_id, code, case_id, period, at, dedupe) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe) DO NOTHING",
        )
        .bind(department)
        .bind(trigger.code())
        .bind(id)
        .bind(period.to_string())
        .bind(ms(at))
        .bind(format!("{}:{id}:{seq}", trigger.code()))
    };
    match (&t.event.kind, lead) {
        (EventKind::Rejected { .. }, Some(d)) if t.case.redo_count >= 2 => {
            vec![one(Trigger::RedoneTwice, d)]
        }
        (EventKind::Escalated { level: 2, .. }, Some(d)) => vec![one(Trigger::EscalatedTwice, d)],
        (EventKind::Published { late: true, .. }, Some(d)) => {
            // The department's late replies this quarter, this one included; written once per
            // department and quarter, by the reply that reaches the count. CROSS JOIN keeps
            // SQLite reading the quarter's late replies (a partial index, migration 0008)
            // first, not every case the department ever led.
            vec![
                Statement::new(format!(
                    "INSERT INTO criticism (department_id, code, case_id, period, at, dedupe) \
                     SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM case_event e \
                       CROSS JOIN \"case\" c ON c.id = e.case_id \
                       WHERE e.kind = 'published' AND json_extract(e.data, '$.late') = 1 \
                       AND e.at >= ? AND e.at < ? AND c.lead_department_id = ?) \
                     >= {LATE_IN_A_QUARTER} ON CONFLICT (dedupe) DO NOTHING"
                ))
                .bind(d)
                .bind(Trigger::LateThreeTimes.code())
                .bind(id)
                .bind(period.to_string())
                .bind(ms(at))
                .bind(format!("{}:{d}:{period}", Trigger::LateThreeTimes.code()))
                .bind(ms(period.start()))
                .bind(ms(period.end()))
                .bind(d),
            ]
        }
        (
            EventKind::Dismissed {
                duplicate_of: Some(original),
                ..
            },
            _,
        ) => {
            // After the batch's earlier statement counted this report on the original: once
            // per handling round of the original, for its lead department.
            let open = UNANSWERED.map(|s| format!("'{}'", s.code())).join(", ");
            vec![
                Statement::new(format!(
                    "INSERT INTO criticism (department_id, code, case_id, period, at, dedupe) \
                     SELECT c.lead_department_id, ?, c.id, ?, ?, \
                       ? || c.id || ':' || c.round FROM \"case\" c \
                     WHERE c.id = ? AND c.report_count >= {REPEATED_REPORTS} \
                     AND c.lead_department_id IS NOT NULL AND c.status IN ({open}) \
                     ON CONFLICT (dedupe) DO NOTHING"
                ))
                .bind(Trigger::RepeatedReports.code())
                .bind(period.to_string())
                .bind(ms(at))
                .bind(format!("{}:", Trigger::RepeatedReports.code()))
                .bind(*original),
            ]
        }
        _ => Vec::new(),
    }
}

/// A trigger a supervisor records by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByHand {
    /// The department.
    pub department: i64,
    /// One of the triggers [`Trigger::by_hand`].
    pub trigger: Trigger,
    /// The case it concerns, if one.
    pub case_id: Option<i64>,
    /// What the supervisor found (required).
    pub note: String,
    /// The supervisor's account.
    pub account: i64,
    /// When.
    pub at: Timestamp,
}

/// Stores a record made by hand; refuses a trigger the event log decides, an empty or long
/// note, and an unknown department or case.
pub async fn record_by_hand<S: Store>(store: &S, r: &ByHand) -> Result<(), AppError> {
    if !r.trigger.by_hand() {
        return Err(AppError::Invalid {
            field: "trigger",
            problem: "此情形由系统按办理记录自动登记 / this trigger is recorded from the event log"
                .into(),
        });
    }
    let note = r.note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::Invalid {
            field: "note",
            problem: format!(
                "须填写说明，最多{MAX_NOTE_CHARS}字 / a note is required, at most {MAX_NOTE_CHARS} characters"
            ),
        });
    }
    let statement = Statement::new(
        "INSERT INTO criticism (department_id, code, case_id, period, at, account_id, note, dedupe) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.department)
    .bind(r.trigger.code())
    .bind(r.case_id)
    .bind(Quarter::of(r.at).to_string())
    .bind(ms(r.at))
    .bind(r.account)
    .bind(note)
    .bind(format!("hand:{}:{}", r.account, ms(r.at)));
    match store.execute(statement).await {
        Ok(_) => Ok(()),
        Err(StoreError::Constraint(m)) if m.contains("FOREIGN KEY") => Err(AppError::Invalid {
            field: "department",
            problem: "没有该单位或该诉求 / no such department or case".into(),
        }),
        Err(StoreError::Constraint(_)) => Err(AppError::Conflict),
        Err(e) => Err(e.into()),
    }
}

/// One stored record, as the desk lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The department.
    pub department: i64,
    /// Its Chinese name.
    pub name_zh: String,
    /// Its English name.
    pub name_en: String,
    /// The trigger met.
    pub trigger: Trigger,
    /// The case's tracking number, if the record concerns one.
    pub tracking: Option<String>,
    /// The quarter (`2026-Q4`).
    pub period: String,
    /// When it was met or recorded.
    pub at: Timestamp,
    /// Who recorded it by hand (display name); `None`: the event log.
    pub by: Option<String>,
    /// The supervisor's note (empty for automatic records).
    pub note: String,
}

/// Page `page` (from 1, at most [`MAX_PAGE`]) of the records made in `[from, to)`, oldest
/// first, and whether another page follows.
pub async fn list<S: Store>(
    store: &S,
    from: Timestamp,
    to: Timestamp,
    page: u32,
) -> Result<(Vec<Record>, bool), AppError> {
    let page = page.clamp(1, MAX_PAGE);
    let mut rows = store
        .query(
            Statement::new(format!(
                "SELECT k.department_id, d.name_zh, d.name_en, k.code, c.tracking_no, k.period, \
                 k.at, a.display_name, k.note FROM criticism k \
                 JOIN department d ON d.id = k.department_id \
                 LEFT JOIN \"case\" c ON c.id = k.case_id \
                 LEFT JOIN staff_account a ON a.id = k.account_id \
                 WHERE k.at >= ? AND k.at < ? ORDER BY k.at, k.id LIMIT {} OFFSET {}",
                PAGE + 1,
                (page - 1) * PAGE
            ))
            .bind(ms(from))
            .bind(ms(to)),
        )
        .await?
        .iter()
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    Ok((rows, more))
}

fn decode(row: &Row) -> Result<Record, AppError> {
    let code: String = row.get("code")?;
    Ok(Record {
        department: row.get("department_id")?,
        name_zh: row.get("name_zh")?,
        name_en: row.get("name_en")?,
        trigger: Trigger::from_code(&code)
            .ok_or_else(|| AppError::Corrupt(format!("criticism code {code}")))?,
        tracking: row.get("tracking_no")?,
        period: row.get("period")?,
        at: instant(row.get("at")?)?,
        by: row.get("display_name")?,
        note: row.get("note")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_in_beijing_time() {
        let q = Quarter::parse("2026-q4").expect("parses");
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.start().to_string(), "2026-09-30T16:00:00Z");
        assert_eq!(q.end().to_string(), "2026-12-31T16:00:00Z");
        // 30 Sep 23:30 in Beijing is the third quarter's; 1 Oct 00:00 the fourth's.
        let before: Timestamp = "2026-09-30T15:30:00Z".parse().expect("instant");
        assert_eq!(Quarter::of(before).to_string(), "2026-Q3");
        assert_eq!(Quarter::of(q.start()), q);
        for bad in ["2026-Q5", "2026-Q0", "1999-Q1", "2026-4", "Q4"] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_trigger_has_its_own_code_and_the_schema_accepts_it() {
        let schema = include_str!("../../../migrations/0008_criticism.sql");
        for t in Trigger::ALL {
            assert_eq!(Trigger::from_code(t.code()), Some(t));
            assert!(schema.contains(&format!("'{}'", t.code())), "{t:?}");
        }
        assert_eq!(Trigger::ALL.iter().filter(|t| t.by_hand()).count(), 4);
    }
}

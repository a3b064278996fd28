//! Statistics by department and period, computed from the event log (the archive), so any
//! period can be recomputed: what was dispatched to a department, returned by it, answered
//! (on time or late), escalated as overdue, sent back for redo, and how citizens rated it.
//!
//! Attribution: dispatches and returns go to the department the event names; every other
//! event to the case's lead department now (a case keeps its lead once accepted, except after
//! an approved return, whose later events belong to the next lead). What the office receives
//! is counted apart ([`received`]): a case is received before any department has it.

use super::AppError;
use crate::calendar::Timestamp;
use crate::case::{Category, Channel, Facts};
use crate::policy::Policy;
use crate::store::{Row, Statement, Store};

/// The most departments one report shows.
pub const MAX_DEPARTMENTS: u32 = 500;

/// One department's counts in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DepartmentStats {
    /// The department's id.
    pub department: i64,
    /// Its Chinese name.
    pub name_zh: String,
    /// Its English name.
    pub name_en: String,
    /// Cases dispatched to it (交办).
    pub dispatched: u32,
    /// Of those dispatches, the ones of cases whose first response had already been marked
    /// late (`first_response_late` before the dispatch: dispatch is the first response).
    pub first_responses_late: u32,
    /// Returns it made or asked for (退回).
    pub returned: u32,
    /// Replies published (答复), including further replies of promised work.
    pub answered: u32,
    /// Of those, published after the deadline.
    pub answered_late: u32,
    /// Cases escalated as overdue (超期督办).
    pub overdue: u32,
    /// Drafts sent back by review (退回重办).
    pub redos: u32,
    /// Ratings 满意.
    pub satisfied: u32,
    /// Ratings 基本满意.
    pub basic: u32,
    /// Ratings 不满意.
    pub unsatisfied: u32,
    /// Replies whose rating window closed without a rating (counted apart, never as satisfied).
    pub unrated: u32,
    /// Cases sent back by review twice in a row (连续2次退回重办, 001 §3(一)).
    pub redone_twice: u32,
    /// Cases escalated a second time without an answer (连续督办两次, 002 §4.2).
    pub escalated_twice: u32,
}

impl DepartmentStats {
    /// Replies published on time.
    pub fn on_time(&self) -> u32 {
        self.answered.saturating_sub(self.answered_late)
    }

    /// On-time reply rate (按时答复率): on time ÷ answered.
    pub fn on_time_rate(&self) -> Option<Rate> {
        ratio(self.on_time(), self.answered)
    }

    /// First-response rate (首次响应及时率): dispatched cases whose first response was not
    /// late ÷ dispatched. Dispatch is the first response (docs/lifecycle.md), so a case
    /// dispatched before its first-response duty fell due counts as on time.
    pub fn first_response_rate(&self) -> Option<Rate> {
        ratio(
            self.dispatched.saturating_sub(self.first_responses_late),
            self.dispatched,
        )
    }

    /// Response rate (答复率): answered ÷ dispatched.
    pub fn response_rate(&self) -> Option<Rate> {
        ratio(self.answered, self.dispatched)
    }

    /// Satisfaction rate (满意率): ratings counting as satisfied under `policy` ÷ ratings
    /// given (unrated cases are not in it).
    pub fn satisfaction_rate(&self, policy: &Policy) -> Option<Rate> {
        let basic = if policy.basic_counts_as_satisfied {
            self.basic
        } else {
            0
        };
        ratio(
            self.satisfied + basic,
            self.satisfied + self.basic + self.unsatisfied,
        )
    }
}

/// A rate in tenths of a percent (per mille), rounded half up: integers only, so no float
/// formatting code reaches the wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(pub u32);

impl std::fmt::Display for Rate {
    /// `75.0%`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}%", self.0 / 10, self.0 % 10)
    }
}

fn ratio(part: u32, whole: u32) -> Option<Rate> {
    (whole > 0).then(|| {
        let (part, whole) = (u64::from(part), u64::from(whole));
        Rate(u32::try_from((part * 2000 + whole) / (2 * whole)).unwrap_or(u32::MAX))
    })
}

/// The counts of every department with any of these events in `[from, to)`, by department id.
pub async fn by_department<S: Store>(
    store: &S,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<DepartmentStats>, AppError> {
    store
        .query(
            Statement::new(by_department_sql())
                .bind(from.as_millisecond())
                .bind(to.as_millisecond()),
        )
        .await?
        .iter()
        .map(decode)
        .collect()
}

/// The query of [`by_department`], over `[?, ?)`. Its list of event kinds is the partial index
/// `case_event_counted`'s (migration 0011), word for word, so the period is a range over that
/// index (a test checks the plan).
pub fn by_department_sql() -> String {
    format!(
        "WITH ev AS (\
           SELECT e.kind, e.data, e.prev, e.first_late, CASE e.kind \
               WHEN 'dispatched' THEN json_extract(e.data, '$.lead') \
               WHEN 'returned' THEN json_extract(e.data, '$.department') \
               WHEN 'return_requested' THEN json_extract(e.data, '$.department') \
               ELSE c.lead_department_id END AS dept \
           FROM (SELECT x.*, CASE WHEN x.kind IN ('rejected', 'approved') THEN \
                   (SELECT p.kind FROM case_event p WHERE p.case_id = x.case_id \
                    AND p.seq < x.seq AND p.kind IN ('rejected', 'approved') \
                    ORDER BY p.seq DESC LIMIT 1) END AS prev, \
                 CASE WHEN x.kind = 'dispatched' THEN EXISTS (SELECT 1 FROM case_event f \
                   WHERE f.case_id = x.case_id AND f.seq < x.seq \
                   AND f.kind = 'first_response_late') END AS first_late \
                 FROM case_event x WHERE x.at >= ? AND x.at < ? AND x.kind IN ('dispatched', \
                   'returned', 'return_requested', 'published', 'escalated', 'rejected', 'rated', \
                   'closed_unrated')) e \
           JOIN \"case\" c ON c.id = e.case_id) \
         SELECT d.id, d.name_zh, d.name_en, \
           sum(ev.kind = 'dispatched') AS dispatched, \
           sum(ev.kind = 'dispatched' AND ev.first_late) AS first_responses_late, \
           sum(ev.kind IN ('returned', 'return_requested')) AS returned, \
           sum(ev.kind = 'published') AS answered, \
           sum(ev.kind = 'published' AND json_extract(ev.data, '$.late')) AS answered_late, \
           sum(ev.kind = 'escalated' AND json_extract(ev.data, '$.overdue')) AS overdue, \
           sum(ev.kind = 'rejected') AS redos, \
           sum(ev.kind = 'rated' AND json_extract(ev.data, '$.rating') = 'satisfied') AS satisfied, \
           sum(ev.kind = 'rated' AND json_extract(ev.data, '$.rating') = 'basic') AS basic, \
           sum(ev.kind = 'rated' AND json_extract(ev.data, '$.rating') = 'unsatisfied') AS unsatisfied, \
           sum(ev.kind = 'closed_unrated') AS unrated, \
           sum(ev.kind = 'rejected' AND ev.prev = 'rejected') AS redone_twice, \
           sum(ev.kind = 'escalated' AND json_extract(ev.data, '$.level') = 2) AS escalated_twice \
         FROM ev JOIN department d ON d.id = ev.dept \
         GROUP BY d.id ORDER BY d.id LIMIT {MAX_DEPARTMENTS}"
    )
}

/// What the office received (受理) in a period: every case registered, by channel. Not per
/// department: the office receives a case before dispatching it, and some never reach one
/// (answered on the spot, dismissed, transferred out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Cases registered in the period.
    pub total: u32,
    /// The same by channel, most first (channels with none are left out).
    pub by_channel: Vec<(Channel, u32)>,
}

/// The cases registered in `[from, to)`, by channel: the cases received in the period (a
/// case's `registered` event is at its receipt, in its channel, which never changes).
pub async fn received<S: Store>(
    store: &S,
    from: Timestamp,
    to: Timestamp,
) -> Result<Received, AppError> {
    let rows = store
        .query(
            Statement::new(
                "SELECT channel, count(*) AS n FROM \"case\" \
                 WHERE received_at >= ? AND received_at < ? GROUP BY 1 ORDER BY 2 DESC, 1",
            )
            .bind(from.as_millisecond())
            .bind(to.as_millisecond()),
        )
        .await?;
    let mut out = Received::default();
    for row in &rows {
        let code: String = row.get("channel")?;
        let channel = Channel::from_code(&code)
            .ok_or_else(|| AppError::Corrupt(format!("channel {code}")))?;
        let n = u32::try_from(row.get::<i64>("n")?).unwrap_or(u32::MAX);
        out.total = out.total.saturating_add(n);
        out.by_channel.push((channel, n));
    }
    Ok(out)
}

fn decode(row: &Row) -> Result<DepartmentStats, AppError> {
    let n = |column: &str| -> Result<u32, AppError> {
        let v: Option<i64> = row.get(column)?;
        u32::try_from(v.unwrap_or(0)).map_err(|_| AppError::Corrupt(format!("{column} count")))
    };
    Ok(DepartmentStats {
        department: row.get("id")?,
        name_zh: row.get("name_zh")?,
        name_en: row.get("name_en")?,
        dispatched: n("dispatched")?,
        first_responses_late: n("first_responses_late")?,
        returned: n("returned")?,
        answered: n("answered")?,
        answered_late: n("answered_late")?,
        overdue: n("overdue")?,
        redos: n("redos")?,
        satisfied: n("satisfied")?,
        basic: n("basic")?,
        unsatisfied: n("unsatisfied")?,
        unrated: n("unrated")?,
        redone_twice: n("redone_twice")?,
        escalated_twice: n("escalated_twice")?,
    })
}

/// How far back the public ranking looks, in days (项目自定 / project's choice).
pub const RANKING_WINDOW_DAYS: i64 = 90;
/// The fewest replies a department needs in the window to be ranked (项目自定 / project's
/// choice: a rate over a handful of replies says little).
pub const RANKING_MIN_ANSWERED: u32 = 10;

/// Departments ranked by on-time reply rate over the [`RANKING_WINDOW_DAYS`] before `now`,
/// those with at least [`RANKING_MIN_ANSWERED`] replies, best first (more replies first on a
/// tie).
pub async fn ranking<S: Store>(
    store: &S,
    now: Timestamp,
) -> Result<Vec<DepartmentStats>, AppError> {
    let from = Timestamp::from_millisecond(now.as_millisecond() - RANKING_WINDOW_DAYS * 86_400_000)
        .map_err(|_| AppError::Corrupt("ranking window".into()))?;
    // Up to and including `now`.
    let to = Timestamp::from_millisecond(now.as_millisecond() + 1)
        .map_err(|_| AppError::Corrupt("ranking window".into()))?;
    let mut ranked: Vec<DepartmentStats> = by_department(store, from, to)
        .await?
        .into_iter()
        .filter(|s| s.answered >= RANKING_MIN_ANSWERED)
        .collect();
    crate::sort::insertion_sort_by(&mut ranked, |a, b| {
        // on time ÷ answered, compared exactly by cross-multiplying.
        let (x, y) = (
            u64::from(a.on_time()) * u64::from(b.answered),
            u64::from(b.on_time()) * u64::from(a.answered),
        );
        y.cmp(&x).then(b.answered.cmp(&a.answered))
    });
    Ok(ranked)
}

/// Public cases received per month (Beijing time) and category since `from`: hot topics.
pub async fn topics<S: Store>(
    store: &S,
    from: Timestamp,
) -> Result<Vec<(String, Category, u32)>, AppError> {
    let sql = format!(
        "SELECT strftime('%Y-%m', c.received_at / 1000 + 28800, 'unixepoch') AS month, \
           c.category, count(*) AS n FROM \"case\" c \
         WHERE c.received_at >= ? AND {} GROUP BY 1, 2 ORDER BY 1 DESC, 3 DESC LIMIT 200",
        Facts::PUBLIC_SQL
    );
    store
        .query(Statement::new(sql).bind(from.as_millisecond()))
        .await?
        .iter()
        .map(|r| {
            let code: String = r.get("category")?;
            Ok((
                r.get("month")?,
                Category::from_code(&code)
                    .ok_or_else(|| AppError::Corrupt(format!("category {code}")))?,
                u32::try_from(r.get::<i64>("n")?).unwrap_or(u32::MAX),
            ))
        })
        .collect()
}

/// The report as CSV for a spreadsheet: UTF-8 with a byte-order mark (so Excel reads the
/// Chinese headers), CRLF line ends, rates as percentages with one decimal; the departments'
/// table, then, after an empty line, what the office received (in total and by channel).
pub fn to_csv(stats: &[DepartmentStats], received: &Received, policy: &Policy) -> String {
    use std::fmt::Write as _;
    let mut csv = String::from(
        "\u{FEFF}单位,Department,交办,首次响应超时,退回,答复,按时答复,超期答复,超期督办,退回重办,满意,基本满意,不满意,未评价,答复率,按时答复率,满意率,首次响应及时率,连续2次退回重办,连续督办两次\r\n",
    );
    let pct = |r: Option<Rate>| r.map_or_else(String::new, |r| r.to_string());
    for s in stats {
        let _ = write!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            field(&s.name_zh),
            field(&s.name_en),
            s.dispatched,
            s.first_responses_late,
            s.returned,
            s.answered,
            s.on_time(),
            s.answered_late,
            s.overdue,
            s.redos,
            s.satisfied,
            s.basic,
            s.unsatisfied,
            s.unrated,
            pct(s.response_rate()),
            pct(s.on_time_rate()),
            pct(s.satisfaction_rate(policy)),
            pct(s.first_response_rate()),
            s.redone_twice,
            s.escalated_twice,
        );
    }
    let _ = write!(csv, "\r\n受理合计,Received,{}\r\n", received.total);
    for (channel, n) in &received.by_channel {
        let _ = write!(
            csv,
            "受理：{},Received: {},{n}\r\n",
            channel.label_zh(),
            channel.label_en()
        );
    }
    csv
}

/// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_csv() {
        let s = DepartmentStats {
            department: 1,
            name_zh: "市城管局".into(),
            name_en: "Urban, Management".into(),
            dispatched: 4,
            first_responses_late: 1,
            answered: 4,
            answered_late: 1,
            satisfied: 1,
            basic: 1,
            unsatisfied: 1,
            unrated: 1,
            ..DepartmentStats::default()
        };
        let policy = Policy::default();
        assert_eq!(s.on_time_rate(), Some(Rate(750)));
        assert_eq!(s.satisfaction_rate(&policy), Some(Rate(667)));
        assert_eq!(Rate(667).to_string(), "66.7%");
        let strict = Policy {
            basic_counts_as_satisfied: false,
            ..Policy::default()
        };
        assert_eq!(s.satisfaction_rate(&strict), Some(Rate(333)));
        assert_eq!(s.first_response_rate(), Some(Rate(750)));
        let received = Received {
            total: 5,
            by_channel: vec![(Channel::Web, 4), (Channel::Phone, 1)],
        };
        let csv = to_csv(&[s], &received, &policy);
        assert!(csv.starts_with("\u{FEFF}单位,"));
        assert!(csv.contains("\r\n市城管局,\"Urban, Management\",4,1,0,4,3,1,"));
        assert!(
            csv.contains(",100.0%,75.0%,66.7%,75.0%,0,0\r\n\r\n受理合计,Received,5\r\n"),
            "{csv}"
        );
        assert!(
            csv.ends_with(
                "受理：网上留言,Received: Web form,4\r\n受理：热线电话,Received: Hotline call,1\r\n"
            ),
            "{csv}"
        );
        assert_eq!(DepartmentStats::default().on_time_rate(), None);
        assert_eq!(DepartmentStats::default().first_response_rate(), None);
    }
}

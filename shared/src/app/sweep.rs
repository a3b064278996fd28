//! The sweep: every time-driven duty of a case, one bounded batch per run. Every runtime runs
//! this same code — the Worker's cron trigger, Spin's cron component, and the ops entry an
//! operator's scheduler calls on Spin (`POST /ops/sweep`).
//!
//! [`TASKS`] is the duty → action table: each duty's pending instant is a case column, and its
//! action is a lifecycle command issued by the system, so it goes through `Case::handle` and the
//! event log like a staff action. One partial index finds the cases with any duty due (on the
//! generated column of their earliest, [`super::cases::DUE_SQL`]); each such case gets its due
//! duties done in the table's order.
//!
//! Exactly once under any schedule: doing a duty clears its column in the same batch as the
//! event (`Case::handle`), so a second or overlapping run finds nothing, and a racing run
//! loses on the case's version guard. A run cut off half way leaves the rest due for the next.

use super::cases::{DueCase, Duty, Rules, apply, due};
use super::{AppError, Host, ms};
use crate::case::{Actor, Command, Role};
use crate::store::{Statement, Store};

/// The most cases with duties due, and the most expired rows of each kind, one run handles: the
/// project's own bound. A duty done costs four queries (load, co-handlers, draft, its batch), so
/// a run is at most 25 cases × 7 duties × 4 + 1 range query + 2 purges + 1 rules load = 704
/// queries; with the meetings' draws (at most 6) and the outbox (at most 180,
/// [`super::outbox::BATCH`]) a scheduled run stays inside D1's 1,000 per invocation on paid
/// plans; the next run finishes the rest ([`Report::more`]). On the free plan (50 queries) use
/// [`run`] with a batch of 1.
pub const BATCH: u32 = 25;

/// Deletes the earliest expired retry keys (now, at most): found through their expiry index,
/// deleted by their key. Written without `rowid`, so it runs before migration 0012 too.
pub const EXPIRED_KEYS_SQL: &str = "DELETE FROM idempotency WHERE (scope, key) IN \
    (SELECT scope, key FROM idempotency WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)";

/// Deletes the rows of ended budget windows, earliest first (now, at most): since migration
/// 0012 the table's key is `(expires_at, key)`, so the rows are found in key order and deleted
/// by their key, however many clients a window had.
pub const ENDED_BUDGETS_SQL: &str = "DELETE FROM submission_budget WHERE (expires_at, key) IN \
    (SELECT expires_at, key FROM submission_budget WHERE expires_at <= ? \
    ORDER BY expires_at, key LIMIT ?)";

/// What one run did, and whether work was left for the next.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Same-day dispatches marked late (`Command::MarkDispatchLate`).
    pub dispatches_late: u32,
    /// First responses marked late (`Command::MarkFirstResponseLate`).
    pub first_responses_late: u32,
    /// Cases deemed accepted once their return window lapsed (`Command::Accept`).
    pub deemed_accepted: u32,
    /// Escalations (`Command::Escalate`: at the deadline, marking the case overdue, and later).
    pub escalated: u32,
    /// Reminders before the deadline (`Command::Remind`).
    pub reminded: u32,
    /// Stage reports marked late (`Command::MarkStageReportLate`).
    pub stage_reports_late: u32,
    /// Replies whose rating window lapsed, closed as not rated (`Command::CloseUnrated`).
    pub closed_unrated: u32,
    /// Cases that moved on meanwhile (another run or staff got there first).
    pub skipped: u32,
    /// Expired idempotency keys deleted.
    pub expired_keys: u64,
    /// Ended submission-budget windows deleted.
    pub ended_budgets: u64,
    /// Whether a batch was full, so more may be due now: call again.
    pub more: bool,
    /// The cases changed, by id, as they are now (what the public pages' caches must drop).
    pub changed: Vec<(i64, crate::case::Case)>,
}

/// A duty of the sweep: the command that does it and the count it adds to.
pub struct Task {
    /// The duty (its case column).
    pub duty: Duty,
    /// The lifecycle command that does it.
    pub command: fn() -> Command,
    count: fn(&mut Report) -> &mut u32,
}

/// The duty → action table, in the order a run does a case's due duties: escalation before the
/// reminder, so a case found past its deadline is escalated and not reminded.
pub const TASKS: [Task; 7] = [
    Task {
        duty: Duty::DispatchBy,
        command: || Command::MarkDispatchLate,
        count: |r| &mut r.dispatches_late,
    },
    Task {
        duty: Duty::FirstResponse,
        command: || Command::MarkFirstResponseLate,
        count: |r| &mut r.first_responses_late,
    },
    Task {
        duty: Duty::ReturnWindow,
        command: || Command::Accept,
        count: |r| &mut r.deemed_accepted,
    },
    Task {
        duty: Duty::Escalate,
        command: || Command::Escalate,
        count: |r| &mut r.escalated,
    },
    Task {
        duty: Duty::Remind,
        command: || Command::Remind,
        count: |r| &mut r.reminded,
    },
    Task {
        duty: Duty::StageReport,
        command: || Command::MarkStageReportLate,
        count: |r| &mut r.stage_reports_late,
    },
    Task {
        duty: Duty::RatingWindow,
        command: || Command::CloseUnrated,
        count: |r| &mut r.closed_unrated,
    },
];

/// Runs one bounded sweep at the host's `now`, at most `batch` cases and `batch` expired rows of
/// each kind.
pub async fn run<S: Store, H: Host>(
    store: &S,
    host: &H,
    rules: Rules<'_>,
    batch: u32,
) -> Result<Report, AppError> {
    let now = host.now();
    let mut report = Report::default();
    let system = Actor {
        role: Role::System,
        account: None,
    };
    let cases = due(store, now, batch).await?;
    report.more = cases.len() >= batch as usize;
    for DueCase { id, mut duties } in cases {
        for task in &TASKS {
            if !task.duty.is_due(&duties, now) {
                continue;
            }
            match apply(store, host, rules, id, &system, (task.command)()).await {
                Ok(done) => {
                    *(task.count)(&mut report) += 1;
                    duties = done.case.duties.clone();
                    // One entry per case, as it stands after its last duty.
                    if report.changed.last().is_some_and(|(last, _)| *last == id) {
                        report.changed.pop();
                    }
                    report.changed.push((id, done.case));
                }
                // The case moved on meanwhile: the next run finds what is still due.
                Err(AppError::Conflict) => {
                    report.skipped += 1;
                    break;
                }
                Err(AppError::Lifecycle(_)) => report.skipped += 1,
                Err(e) => return Err(e),
            }
        }
    }
    let purge = |sql: &'static str| Statement::new(sql).bind(ms(now)).bind(batch);
    report.expired_keys = store.execute(purge(EXPIRED_KEYS_SQL)).await?;
    report.ended_budgets = store.execute(purge(ENDED_BUDGETS_SQL)).await?;
    report.more |=
        report.expired_keys >= u64::from(batch) || report.ended_budgets >= u64::from(batch);
    Ok(report)
}

/// The duty → action table as Markdown, for `docs/sweep.md`: each duty's column, the command
/// that does it, and the clause behind it (from the transition table).
pub fn to_markdown() -> String {
    use std::fmt::Write as _;
    let mut md = String::from(
        "| 义务 Duty (column) | 到期时的操作 Action when due | 依据 Clause |\n| --- | --- | --- |\n",
    );
    for t in &TASKS {
        let rule = crate::case::table::rule((t.command)().kind());
        let _ = writeln!(
            md,
            "| `{}` | {} {:?} | {} |",
            t.duty.column(),
            rule.command.label_zh(),
            rule.command,
            rule.clause
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::table::{Who, rule};

    #[test]
    fn every_duty_has_one_task_done_by_the_system_and_the_docs_show_them() {
        for duty in Duty::ALL {
            assert_eq!(
                TASKS.iter().filter(|t| t.duty == *duty).count(),
                1,
                "{duty:?}"
            );
        }
        for t in &TASKS {
            let who = rule((t.command)().kind()).who;
            assert!(
                matches!(
                    who,
                    Who::System | Who::LeadDepartmentOrSystem | Who::SupervisorOrSystem
                ),
                "{:?} is not the sweep's to do",
                t.duty
            );
        }
        crate::docs::assert_current("docs/sweep.md", &to_markdown());
    }
}

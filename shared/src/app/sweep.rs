//! The sweep: the time-driven duties done so far, one bounded batch per run. Every runtime runs
//! this same code — the Worker's cron trigger, Spin's cron component, and the ops entry an
//! operator's scheduler calls on Spin (`POST /ops/sweep`).
//!
//! Exactly once under any schedule: doing a duty clears its column in the same batch as the
//! event (`Case::handle`), so a second or overlapping run finds nothing, and a racing run
//! loses on the event's primary key. A run cut off half way leaves the rest due for the next.

use super::cases::{Duty, Rules, apply, due};
use super::{AppError, Host, ms};
use crate::case::{Actor, Command, Role};
use crate::store::{Statement, Store};

/// The most cases of each duty, and the most expired rows of each kind, one run handles: the
/// project's own bound. A case costs four queries (load, co-handlers, draft, its batch), so a
/// full run of the three duties is at most 3 × 75 × 4 + 5 = 905 queries, inside D1's 1,000 per
/// invocation on paid plans; the next run finishes the rest. On the free plan (50) use [`run`]
/// with a batch of 4.
pub const BATCH: u32 = 75;

/// What one run did, and whether work was left for the next.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Same-day dispatches marked late (`Command::MarkDispatchLate`).
    pub dispatches_late: u32,
    /// First responses marked late (`Command::MarkFirstResponseLate`).
    pub first_responses_late: u32,
    /// Cases deemed accepted once their return window lapsed (`Command::Accept`).
    pub deemed_accepted: u32,
    /// Cases that moved on meanwhile (another run or staff got there first).
    pub skipped: u32,
    /// Expired idempotency keys deleted.
    pub expired_keys: u64,
    /// Ended submission-budget windows deleted.
    pub ended_budgets: u64,
    /// Whether a batch was full, so more may be due now: call again.
    pub more: bool,
}

/// A duty this sweep does: the command that does it and the count it adds to.
struct Task {
    duty: Duty,
    command: fn() -> Command,
    count: fn(&mut Report) -> &mut u32,
}

/// The duties this sweep does, in order.
const TASKS: [Task; 3] = [
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
];

/// Runs one bounded sweep at the host's `now`, at most `batch` items of each kind.
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
    for task in &TASKS {
        let ids = due(store, task.duty, now, batch).await?;
        report.more |= ids.len() >= batch as usize;
        for id in ids {
            match apply(store, host, rules, id, &system, (task.command)()).await {
                Ok(_) => *(task.count)(&mut report) += 1,
                Err(AppError::Conflict | AppError::Lifecycle(_)) => report.skipped += 1,
                Err(e) => return Err(e),
            }
        }
    }
    let purge = |table: &str| {
        Statement::new(format!(
            "DELETE FROM {table} WHERE rowid IN \
             (SELECT rowid FROM {table} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)"
        ))
        .bind(ms(now))
        .bind(batch)
    };
    report.expired_keys = store.execute(purge("idempotency")).await?;
    report.ended_budgets = store.execute(purge("submission_budget")).await?;
    report.more |=
        report.expired_keys >= u64::from(batch) || report.ended_budgets >= u64::from(batch);
    Ok(report)
}

//! What the back office reads: work queues by role, a case with its whole timeline, and the
//! citizen's contact details (callers audit every reading of those).

use super::cases::Contact;
use super::{AppError, instant};
use crate::calendar::Timestamp;
use crate::case::{Category, Status};
use crate::ids::TrackingNumber;
use crate::staff::StaffRole;
use crate::store::{Row, Statement, Store};

/// The most cases one queue page shows (oldest deadline first).
pub const QUEUE_PAGE: u32 = 50;

/// One line of a work queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueItem {
    /// The case's id.
    pub id: i64,
    /// Tracking number as stored (no dashes).
    pub tracking: String,
    /// Title (staff see it unmasked).
    pub title: String,
    /// Category.
    pub category: Category,
    /// Status.
    pub status: Status,
    /// Received.
    pub received_at: Timestamp,
    /// Deadline, once set.
    pub due_at: Option<Timestamp>,
    /// Whether an escalation marked it overdue.
    pub overdue: bool,
    /// How many times it was reported (1 plus its linked duplicates).
    pub reports: u32,
}

/// One event of a case's whole timeline, as staff see it (free-text fields included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When.
    pub at: Timestamp,
    /// Who acted (`operator`, `department`, …).
    pub actor: String,
    /// The event's kind code.
    pub kind: String,
    /// Its details (JSON).
    pub data: String,
}

/// The queue of `role`: what waits for that role to act, by deadline. Operators see cases
/// awaiting dispatch, returned, waiting for a decision on a return or a reopen; a department's
/// handler sees its cases in hand and the cases it co-handles whose opinion is still due this
/// round; its head sees drafts awaiting sign-off; reviewers see drafts to review and approved
/// replies to publish; leaders see the cases they instructed, still open; supervisors see
/// overdue cases. Admins have no case queue.
pub async fn queue<S: Store>(store: &S, role: StaffRole) -> Result<Vec<QueueItem>, AppError> {
    let Some(statement) = queue_statement(role) else {
        return Ok(Vec::new());
    };
    store.query(statement).await?.iter().map(item).collect()
}

/// The columns a queue row is read from.
const QUEUE_COLUMNS: &str = "c.id, c.tracking_no, c.title, c.category, c.status, \
    c.received_at, c.due_at, c.overdue_since IS NOT NULL AS overdue, c.report_count";

/// The query of `role`'s queue (`None`: no case queue). Each reads an index of its own, never
/// the whole case table (migration 0013; a plan test in `adapters/native-sqlite` checks): a
/// partial index whose condition is the queue's, in the queue's order, or for a department
/// its cases by department.
pub fn queue_statement(role: StaffRole) -> Option<Statement> {
    let by_deadline = |condition: &str| {
        Statement::new(format!(
            "SELECT {QUEUE_COLUMNS} FROM \"case\" c WHERE {condition} \
             ORDER BY coalesce(c.due_at, c.received_at), c.id LIMIT {QUEUE_PAGE}"
        ))
    };
    Some(match role {
        StaffRole::Operator => by_deadline(
            "c.status IN ('registered', 'returned', 'return_requested', 'reopen_requested')",
        ),
        // The cases it leads and those it co-handles, by deadline together (a department is
        // never both on a case, so no case comes twice).
        StaffRole::Handler(d) => Statement::new(format!(
            "SELECT {QUEUE_COLUMNS}, coalesce(c.due_at, c.received_at) AS deadline \
             FROM \"case\" c WHERE c.lead_department_id = ? \
             AND c.status IN ('dispatched', 'in_progress', 'following_up') \
             UNION ALL \
             SELECT {QUEUE_COLUMNS}, coalesce(c.due_at, c.received_at) AS deadline \
             FROM case_department k JOIN \"case\" c ON c.id = k.case_id \
             WHERE k.department_id = ? AND k.role = 'co' AND k.answered_round IS NOT c.round \
             AND c.status IN ('dispatched', 'in_progress') \
             ORDER BY deadline, id LIMIT {QUEUE_PAGE}"
        ))
        .bind(d)
        .bind(d),
        StaffRole::Head(d) => {
            by_deadline("c.lead_department_id = ? AND c.status = 'sign_off_pending'").bind(d)
        }
        StaffRole::Reviewer => by_deadline("c.status IN ('under_review', 'approved')"),
        StaffRole::Leader => by_deadline("c.leader_instructed = 1 AND c.closed_at IS NULL"),
        StaffRole::Supervisor => by_deadline("c.overdue_since IS NOT NULL AND c.closed_at IS NULL"),
        StaffRole::Admin => return None,
    })
}

fn item(row: &Row) -> Result<QueueItem, AppError> {
    let code = |column: &str| -> Result<String, AppError> { Ok(row.get(column)?) };
    let category = code("category")?;
    let status = code("status")?;
    Ok(QueueItem {
        id: row.get("id")?,
        tracking: row.get("tracking_no")?,
        title: row.get("title")?,
        category: Category::from_code(&category)
            .ok_or_else(|| AppError::Corrupt(format!("category {category}")))?,
        status: Status::from_code(&status)
            .ok_or_else(|| AppError::Corrupt(format!("status {status}")))?,
        received_at: instant(row.get("received_at")?)?,
        due_at: row.get::<Option<i64>>("due_at")?.map(instant).transpose()?,
        overdue: row.get("overdue")?,
        reports: u32::try_from(row.get::<i64>("report_count")?).unwrap_or(u32::MAX),
    })
}

/// The id of the case with this tracking number (as typed or as stored), if there is one.
pub async fn case_id<S: Store>(store: &S, tracking: &str) -> Result<i64, AppError> {
    let tracking = TrackingNumber::parse(tracking).map_err(|_| AppError::NotFound)?;
    store
        .query(Statement::new("SELECT id FROM \"case\" WHERE id = ?").bind(tracking.number()))
        .await?
        .first()
        .ok_or(AppError::NotFound)?
        .get("id")
        .map_err(AppError::from)
}

/// The case a duplicate chain ends at: `id` itself, or the case it was linked to.
pub async fn original<S: Store>(store: &S, id: i64) -> Result<i64, AppError> {
    store
        .query(
            Statement::new(
                "SELECT coalesce(duplicate_of, id) AS original FROM \"case\" WHERE id = ?",
            )
            .bind(id),
        )
        .await?
        .first()
        .ok_or(AppError::NotFound)?
        .get("original")
        .map_err(AppError::from)
}

/// A case's title and body, unmasked.
pub async fn case_text<S: Store>(store: &S, id: i64) -> Result<(String, String), AppError> {
    let rows = store
        .query(Statement::new("SELECT title, body FROM \"case\" WHERE id = ?").bind(id))
        .await?;
    let row = rows.first().ok_or(AppError::NotFound)?;
    Ok((row.get("title")?, row.get("body")?))
}

/// Every event of a case, oldest first (at most 200).
pub async fn timeline<S: Store>(store: &S, id: i64) -> Result<Vec<Entry>, AppError> {
    store
        .query(
            Statement::new(
                "SELECT at, actor_kind, kind, data FROM case_event WHERE case_id = ? \
                 ORDER BY seq LIMIT 200",
            )
            .bind(id),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Entry {
                at: instant(r.get("at")?)?,
                actor: r.get("actor_kind")?,
                kind: r.get("kind")?,
                data: r.get("data")?,
            })
        })
        .collect()
}

/// The citizen's contact details, if any were given. Personal data: the caller audits the
/// reading in the same request.
pub async fn contact<S: Store>(store: &S, id: i64) -> Result<Option<Contact>, AppError> {
    let rows = store
        .query(
            Statement::new("SELECT name, phone, email FROM case_contact WHERE case_id = ?")
                .bind(id),
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(Contact {
                name: r.get("name")?,
                phone: r.get("phone")?,
                email: r.get("email")?,
            })
        })
        .transpose()
}

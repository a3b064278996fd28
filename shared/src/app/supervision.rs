//! What supervisors (督查员) watch: open cases that are overdue (`overdue_since`) or have been
//! escalated (督办, `escalations > 0`), counted by lead department and listed a page at a time,
//! longest overdue first. Nothing personal: no contact details, not even the citizen's title
//! or text, only the case's tracking number, category, status and dates.

use super::{AppError, instant};
use crate::calendar::Timestamp;
use crate::case::{Category, Status};
use crate::store::{Row, Statement, Store};

/// Cases on one page of the list.
pub const PAGE: u32 = 50;
/// The last page the list answers (so 10,000 cases at most are reachable by paging; the
/// department filter narrows further).
pub const MAX_PAGE: u32 = 200;
/// The most departments the counts show.
pub const MAX_DEPARTMENTS: u32 = 500;

/// Which cases count: open, and overdue or escalated. Overdue ones are open by the table's
/// CHECK; closed escalated ones are history, not supervision work.
const WATCHED: &str = "c.closed_at IS NULL AND (c.overdue_since IS NOT NULL OR c.escalations > 0)";

/// Which lead department a list is narrowed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every department, and cases not yet dispatched.
    All,
    /// One lead department.
    Department(i64),
    /// Cases with no lead department yet.
    Unassigned,
}

/// One lead department's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentCounts {
    /// The lead department (`None`: not yet dispatched).
    pub department: Option<i64>,
    /// Its Chinese name.
    pub name_zh: String,
    /// Its English name.
    pub name_en: String,
    /// Open overdue cases.
    pub overdue: i64,
    /// Open escalated cases.
    pub escalated: i64,
}

/// One case on the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watched {
    /// Tracking number as stored.
    pub tracking: String,
    /// Category.
    pub category: Category,
    /// Status.
    pub status: Status,
    /// The lead department (`None`: not yet dispatched).
    pub department: Option<i64>,
    /// Its Chinese name.
    pub name_zh: String,
    /// Its English name.
    pub name_en: String,
    /// The deadline.
    pub due_at: Option<Timestamp>,
    /// Overdue since (the deadline it missed).
    pub overdue_since: Option<Timestamp>,
    /// How many times it was escalated.
    pub escalations: i64,
}

/// Counts of open overdue and escalated cases by lead department, most overdue first.
pub async fn counts<S: Store>(store: &S) -> Result<Vec<DepartmentCounts>, AppError> {
    store
        .query(Statement::new(format!(
            "SELECT c.lead_department_id AS department, coalesce(d.name_zh, '') AS name_zh, \
             coalesce(d.name_en, '') AS name_en, \
             sum(c.overdue_since IS NOT NULL) AS overdue, sum(c.escalations > 0) AS escalated \
             FROM \"case\" c LEFT JOIN department d ON d.id = c.lead_department_id \
             WHERE {WATCHED} GROUP BY c.lead_department_id \
             ORDER BY overdue DESC, escalated DESC, c.lead_department_id IS NULL, \
             c.lead_department_id LIMIT {MAX_DEPARTMENTS}"
        )))
        .await?
        .iter()
        .map(|row| {
            Ok(DepartmentCounts {
                department: row.get("department")?,
                name_zh: row.get("name_zh")?,
                name_en: row.get("name_en")?,
                overdue: row.get("overdue")?,
                escalated: row.get("escalated")?,
            })
        })
        .collect()
}

/// Page `page` (from 1, at most [`MAX_PAGE`]) of the watched cases in `scope`, grouped by
/// lead department (cases not yet dispatched last), within each the longest overdue first,
/// then the most escalated; and whether another page follows.
pub async fn list<S: Store>(
    store: &S,
    scope: Scope,
    page: u32,
) -> Result<(Vec<Watched>, bool), AppError> {
    let page = page.clamp(1, MAX_PAGE);
    let (filter, department) = match scope {
        Scope::All => ("", None),
        Scope::Department(d) => (" AND c.lead_department_id = ?", Some(d)),
        Scope::Unassigned => (" AND c.lead_department_id IS NULL", None),
    };
    let mut statement = Statement::new(format!(
        "SELECT c.tracking_no, c.category, c.status, c.lead_department_id AS department, \
         coalesce(d.name_zh, '') AS name_zh, coalesce(d.name_en, '') AS name_en, c.due_at, \
         c.overdue_since, c.escalations \
         FROM \"case\" c LEFT JOIN department d ON d.id = c.lead_department_id \
         WHERE {WATCHED}{filter} \
         ORDER BY c.lead_department_id IS NULL, c.lead_department_id, \
         c.overdue_since IS NULL, c.overdue_since, c.escalations DESC, c.id \
         LIMIT {} OFFSET {}",
        PAGE + 1,
        (page - 1) * PAGE
    ));
    if let Some(d) = department {
        statement = statement.bind(d);
    }
    let mut rows = store
        .query(statement)
        .await?
        .iter()
        .map(watched)
        .collect::<Result<Vec<_>, _>>()?;
    let more = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    Ok((rows, more))
}

fn watched(row: &Row) -> Result<Watched, AppError> {
    let category: String = row.get("category")?;
    let status: String = row.get("status")?;
    Ok(Watched {
        tracking: row.get("tracking_no")?,
        category: Category::from_code(&category)
            .ok_or_else(|| AppError::Corrupt(format!("category {category}")))?,
        status: Status::from_code(&status)
            .ok_or_else(|| AppError::Corrupt(format!("status {status}")))?,
        department: row.get("department")?,
        name_zh: row.get("name_zh")?,
        name_en: row.get("name_en")?,
        due_at: row.get::<Option<i64>>("due_at")?.map(instant).transpose()?,
        overdue_since: row
            .get::<Option<i64>>("overdue_since")?
            .map(instant)
            .transpose()?,
        escalations: row.get("escalations")?,
    })
}

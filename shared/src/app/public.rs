//! What the public may read: a case's page by tracking number, and lists of public cases.
//!
//! A case is public when [`Facts::is_public`] says so, from its current facts (the citizen
//! consented and it is not a discipline case); lists use the same rule in SQL
//! ([`Facts::PUBLIC_SQL`]). A case that is not public is shown only to whoever holds its
//! query code. Nothing here reads `case_contact`: personal data never reaches a public page,
//! an API answer or Open311. What is shown is also redacted here, once for every surface:
//! phone and ID-card numbers in texts are masked ([`crate::redact::mask_numbers`]), the
//! location is coarsened to about 100 m, and the street address appears only when the
//! citizen asked for it to be shown.

use super::cases::Rules;
use super::{AppError, Host, instant};
use crate::calendar::{BEIJING, Time, Timestamp};
use crate::calendar::{Calendar, explain::Explanation};
use crate::case::{
    Actor, Category, Channel, Command, Complexity, DispatchMethod, Facts, Grade, Rating, Role,
    Status, Transition, Truthfulness, Urgency, Visibility,
};
use crate::ids::{QueryCode, TrackingNumber};
use crate::policy::Policy;
use crate::redact::{coarse_coordinate, mask_numbers};
use crate::store::{Row, Statement, Store, Value};

/// Most rows one public list returns.
pub const MAX_PAGE: u32 = 50;
/// Most events a public timeline shows.
pub const MAX_TIMELINE: u32 = 100;

/// A department's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentName {
    /// Store id.
    pub id: i64,
    /// Stable code.
    pub code: String,
    /// Chinese name.
    pub zh: String,
    /// English name.
    pub en: String,
}

/// One public step of a case's history: what happened and when, never free text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    /// The event's code (`registered`, `dispatched`, ...).
    pub kind: String,
    /// When.
    pub at: Timestamp,
    /// The published explanation an extension carries (its stage report, 000 §9.2(2) 上网作出
    /// 说明), phone and ID-card numbers masked.
    pub note: Option<String>,
}

/// A published reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicReply {
    /// The reply text.
    pub body: String,
    /// How true the message was found.
    pub truthfulness: Truthfulness,
    /// Result grade, if any.
    pub grade: Option<Grade>,
    /// Who may read it.
    pub visibility: Visibility,
    /// When it was published.
    pub published_at: Timestamp,
}

/// A case as the public (or the holder of its query code) sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicCase {
    /// Tracking number.
    pub tracking: TrackingNumber,
    /// Whether the case is public ([`Facts::is_public`] of its current facts).
    pub public: bool,
    /// Where it stands.
    pub status: Status,
    /// What it asks for.
    pub category: Category,
    /// How it arrived.
    pub channel: Channel,
    /// How fast it must move.
    pub urgency: Urgency,
    /// How much work it needs.
    pub complexity: Complexity,
    /// Title, phone and ID-card numbers masked.
    pub title: String,
    /// The message, phone and ID-card numbers masked.
    pub body: String,
    /// When it was received.
    pub received_at: Timestamp,
    /// The current deadline.
    pub due_at: Option<Timestamp>,
    /// Whether the deadline counts over a year without a published schedule.
    pub provisional: bool,
    /// The rulebook version that set the deadline (0: the built-in preset).
    pub rulebook_version: u32,
    /// The lead department, once dispatched.
    pub department: Option<DepartmentName>,
    /// Public steps, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Replies the reader may see, oldest first.
    pub replies: Vec<PublicReply>,
    /// Latitude, if given, coarsened to about 100 m.
    pub latitude: Option<f64>,
    /// Longitude, if given, coarsened to about 100 m.
    pub longitude: Option<f64>,
    /// Street address, if given and the citizen asked for it to be shown.
    pub address: Option<String>,
    /// When it was last changed.
    pub updated_at: Timestamp,
    /// Until when the citizen may rate the reply (while the case waits for a rating).
    pub rating_until: Option<Timestamp>,
    /// When and how it was last dispatched (case pages only; the deadline counts from it).
    pub dispatched: Option<(Timestamp, DispatchMethod)>,
}

/// Which cases a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only cases with a published public reply (the public list); otherwise every public case.
    pub replied_only: bool,
    /// Only this lead department.
    pub department: Option<i64>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only these statuses (empty: any).
    pub statuses: Vec<Status>,
    /// Received at or after.
    pub received_from: Option<Timestamp>,
    /// Received before.
    pub received_before: Option<Timestamp>,
    /// Title or message contains this text. Only answered cases can match: a case enters the
    /// search index when its first public reply is published (migration 0002's triggers).
    pub search: Option<String>,
    /// Only these tracking numbers (empty: any).
    pub tracking: Vec<TrackingNumber>,
}

/// A position in a list: the (received_at, id) of the last row of the previous page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The last row's receipt instant.
    pub received_at: i64,
    /// The last row's id.
    pub id: i64,
}

impl Cursor {
    /// The cursor as a URL-safe token.
    pub fn token(self) -> String {
        format!("{}.{}", self.received_at, self.id)
    }

    /// Parses a token made by [`Cursor::token`].
    pub fn parse(token: &str) -> Option<Self> {
        let (a, b) = token.split_once('.')?;
        Some(Self {
            received_at: a.parse().ok()?,
            id: b.parse().ok()?,
        })
    }
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The cases, newest first.
    pub cases: Vec<PublicCase>,
    /// Where the next page starts, if there is one.
    pub next: Option<Cursor>,
}

/// Why a case page cannot be shown.
pub fn code_required() -> AppError {
    AppError::Invalid {
        field: "code",
        problem: "此件为不公开诉求，请输入查询码 / a private case: enter its query code".into(),
    }
}

const CASE_COLUMNS: &str = "c.id, c.tracking_no, c.query_code_hash, c.publish_consent, c.status, \
     c.category, c.channel, c.urgency, c.complexity, c.title, c.body, c.received_at, c.updated_at, c.due_at, \
     c.deadline_provisional, c.rulebook_version, c.latitude, c.longitude, c.address, \
     c.address_public, c.rating_until, d.id AS dept_id, d.code AS dept_code, d.name_zh AS dept_zh, d.name_en AS dept_en";

const PUBLIC_CONDITION: &str = Facts::PUBLIC_SQL;

/// The page of one case. A private case needs its query code; a wrong or missing code gives
/// [`code_required`], the same answer whether or not the case exists is *not* promised: the
/// tracking number alone reveals nothing but that.
pub async fn case_page<S: Store>(
    store: &S,
    secret: &[u8],
    tracking: &TrackingNumber,
    code: Option<&QueryCode>,
) -> Result<PublicCase, AppError> {
    // One round trip: the case, its public timeline and its published replies (private ones
    // included, filtered below once the code is checked) as JSON arrays.
    let rows = store
        .query(
            Statement::new(format!(
                "SELECT {CASE_COLUMNS}, \
                 (SELECT json_group_array(json_array(seq, kind, at, note)) FROM \
                   (SELECT seq, kind, at, CASE kind WHEN 'extended' \
                      THEN json_extract(data, '$.stage_report') END AS note \
                    FROM case_event WHERE case_id = c.id AND public = 1 \
                    ORDER BY seq LIMIT {MAX_TIMELINE})) AS timeline_json, \
                 (SELECT json_group_array(json_array(published_at, body, truthfulness, grade, visibility)) \
                  FROM (SELECT published_at, body, truthfulness, grade, visibility FROM reply \
                    WHERE case_id = c.id AND state = 'published' ORDER BY published_at LIMIT 20)) \
                   AS replies_json, \
                 (SELECT json_array(at, json_extract(data, '$.method')) FROM case_event \
                  WHERE case_id = c.id AND kind = 'dispatched' ORDER BY seq DESC LIMIT 1) \
                   AS dispatched_json \
                 FROM \"case\" c LEFT JOIN department d ON d.id = c.lead_department_id \
                 WHERE c.id = ?"
            ))
            .bind(tracking.number()),
        )
        .await?;
    let row = rows.first().ok_or(AppError::NotFound)?;
    let hash: Option<String> = row.get("query_code_hash")?;
    let holder = match (&hash, code) {
        (Some(h), Some(c)) => c.verify(secret, tracking, h),
        _ => false,
    };
    let mut case = decode(row)?;
    // Decided from the case's current facts: a private case, or one made private since it was
    // submitted (reclassified as discipline), shows nothing without its code.
    if !case.public && !holder {
        return Err(code_required());
    }
    case.timeline = json_rows(row, "timeline_json", |v| {
        Some((
            v.first()?.as_i64()?,
            TimelineEntry {
                kind: v.get(1)?.as_str()?.to_owned(),
                at: Timestamp::from_millisecond(v.get(2)?.as_i64()?).ok()?,
                note: v
                    .get(3)
                    .and_then(serde_json::Value::as_str)
                    .map(|n| mask_numbers(n).into_owned()),
            },
        ))
    })?;
    case.dispatched = row
        .get::<Option<String>>("dispatched_json")?
        .and_then(|text| {
            let v: serde_json::Value = serde_json::from_str(&text).ok()?;
            Some((
                Timestamp::from_millisecond(v.get(0)?.as_i64()?).ok()?,
                DispatchMethod::from_code(v.get(1)?.as_str()?)?,
            ))
        });
    case.replies = json_rows(row, "replies_json", |v| {
        let reply = PublicReply {
            published_at: Timestamp::from_millisecond(v.first()?.as_i64()?).ok()?,
            body: mask_numbers(v.get(1)?.as_str()?).into_owned(),
            truthfulness: Truthfulness::from_code(v.get(2)?.as_str()?)?,
            grade: v.get(3)?.as_str().and_then(Grade::from_code),
            visibility: Visibility::from_code(v.get(4)?.as_str()?)?,
        };
        Some((reply.published_at.as_millisecond(), reply))
    })?
    .into_iter()
    .filter(|r| holder || r.visibility.is_public())
    .collect();
    Ok(case)
}

/// Rates a case's reply as its citizen: the query code proves who rates (every case gets one
/// from migration 0005 on; a case registered before has none, and an operator records its
/// rating after a callback). A wrong code is refused like a wrong code on the case page.
pub async fn rate<S: Store, H: Host>(
    store: &S,
    host: &H,
    rules: Rules<'_>,
    tracking: &TrackingNumber,
    code: &QueryCode,
    rating: Rating,
    comment: Option<String>,
) -> Result<Transition, AppError> {
    let rows = store
        .query(
            Statement::new("SELECT id, query_code_hash FROM \"case\" WHERE id = ?")
                .bind(tracking.number()),
        )
        .await?;
    let row = rows.first().ok_or(AppError::NotFound)?;
    let hash: Option<String> = row.get("query_code_hash")?;
    if !hash.is_some_and(|h| code.verify(rules.secret, tracking, &h)) {
        return Err(code_required());
    }
    super::cases::apply(
        store,
        host,
        rules,
        row.get("id")?,
        &Actor::anonymous(Role::Citizen),
        Command::Rate { rating, comment },
    )
    .await
}

/// Decodes a `json_group_array` column of arrays, each by `item` into (sort key, value), and
/// returns the values in key order.
fn json_rows<T>(
    row: &Row,
    column: &str,
    item: impl Fn(&[serde_json::Value]) -> Option<(i64, T)>,
) -> Result<Vec<T>, AppError> {
    let text: String = row.get(column)?;
    let corrupt = || AppError::Corrupt(column.to_owned());
    let serde_json::Value::Array(items) = serde_json::from_str(&text).map_err(|_| corrupt())?
    else {
        return Err(corrupt());
    };
    let mut keys = Vec::with_capacity(items.len());
    let mut values = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let (key, value) = v.as_array().and_then(|a| item(a)).ok_or_else(corrupt)?;
        keys.push((key, i));
        values.push(Some(value));
    }
    // (key, position) pairs are unique, so this is the stable order by key; sorting them
    // rather than the values keeps one copy of the sort for every `T`.
    crate::sort::heapsort(&mut keys);
    Ok(keys.iter().filter_map(|&(_, i)| values[i].take()).collect())
}

/// A page of public cases, newest first.
pub async fn list<S: Store>(
    store: &S,
    filter: &Filter,
    after: Option<Cursor>,
    limit: u32,
) -> Result<Page, AppError> {
    let limit = limit.clamp(1, MAX_PAGE);
    // A search starts from the FTS index (CROSS JOIN keeps that join order), so its cost grows
    // with the matches, not with the table (docs/search.md).
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let from = match search {
        Some(_) => "case_search s CROSS JOIN \"case\" c ON c.id = s.rowid",
        None => "\"case\" c",
    };
    let mut sql = format!(
        "SELECT {CASE_COLUMNS} FROM {from} LEFT JOIN department d ON d.id = c.lead_department_id \
         WHERE {PUBLIC_CONDITION}"
    );
    let mut params: Vec<Value> = Vec::new();
    if filter.replied_only {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM reply r WHERE r.case_id = c.id AND r.state = 'published' \
             AND r.visibility IN ('public', 'both'))",
        );
    }
    if let Some(d) = filter.department {
        sql.push_str(" AND c.lead_department_id = ?");
        params.push(d.into());
    }
    if let Some(c) = filter.category {
        sql.push_str(" AND c.category = ?");
        params.push(c.code().into());
    }
    if !filter.statuses.is_empty() {
        sql.push_str(" AND c.status IN (");
        sql.push_str(&vec!["?"; filter.statuses.len()].join(", "));
        sql.push(')');
        params.extend(filter.statuses.iter().map(|s| Value::from(s.code())));
    }
    if !filter.tracking.is_empty() {
        sql.push_str(" AND c.id IN (");
        sql.push_str(&vec!["?"; filter.tracking.len()].join(", "));
        sql.push(')');
        params.extend(filter.tracking.iter().map(|t| Value::from(t.number())));
    }
    if let Some(from) = filter.received_from {
        sql.push_str(" AND c.received_at >= ?");
        params.push(from.as_millisecond().into());
    }
    if let Some(before) = filter.received_before {
        sql.push_str(" AND c.received_at < ?");
        params.push(before.as_millisecond().into());
    }
    if let Some(term) = search {
        let expression = crate::search::match_expression(term).map_err(|e| AppError::Invalid {
            field: "q",
            problem: e.to_string(),
        })?;
        sql.push_str(" AND s.grams MATCH ?");
        params.push(expression.into());
    }
    if let Some(cursor) = after {
        sql.push_str(" AND (c.received_at < ? OR (c.received_at = ? AND c.id < ?))");
        params.push(cursor.received_at.into());
        params.push(cursor.received_at.into());
        params.push(cursor.id.into());
    }
    sql.push_str(" ORDER BY c.received_at DESC, c.id DESC LIMIT ?");
    params.push((limit + 1).into());
    let rows = store
        .query(Statement {
            sql: sql.into(),
            params,
        })
        .await?;
    let mut cases = Vec::with_capacity(rows.len());
    let mut last = None;
    for row in rows.iter().take(limit as usize) {
        cases.push(decode(row)?);
        last = Some(Cursor {
            received_at: row.get("received_at")?,
            id: row.get("id")?,
        });
    }
    let next = if rows.len() > limit as usize {
        last
    } else {
        None
    };
    // Lists carry each case's public replies (for Open311's status_notes), in one query.
    let ids: Vec<i64> = rows
        .iter()
        .take(cases.len())
        .map(|r| r.get("id"))
        .collect::<Result<_, _>>()?;
    let mut by_case = replies_of(store, &ids, false).await?;
    for (case, id) in cases.iter_mut().zip(&ids) {
        case.replies = by_case.remove(id).unwrap_or_default();
    }
    Ok(Page { cases, next })
}

/// Why the case's deadline is the date it is ("why this date"): the days skipped and counted,
/// from the dispatch with its method's cap once dispatched, from receipt before. `None` when
/// the deadline is no longer the one counted so (extended, re-handled, a required limit),
/// since the stored instant then came from a decision, not from counting.
pub fn deadline_explanation(
    case: &PublicCase,
    calendar: &Calendar,
    policy: &Policy,
) -> Option<Explanation> {
    let facts = Facts {
        channel: case.channel,
        category: case.category,
        urgency: case.urgency,
        complexity: case.complexity,
        publish_consent: case.public,
    };
    let (start, method) = match case.dispatched {
        Some((at, method)) => (at, Some(method)),
        None => (case.received_at, None),
    };
    let limit = policy.handling_limit(&facts, method);
    let deadline = calendar.deadline(start, limit, &policy.office_hours).ok()?;
    (Some(deadline.at) == case.due_at).then(|| Explanation {
        from_dispatch: method.is_some(),
        ..calendar.explain(&deadline)
    })
}

/// Active departments, by code.
pub async fn departments<S: Store>(store: &S) -> Result<Vec<DepartmentName>, AppError> {
    store
        .query(Statement::new(
            "SELECT id AS dept_id, code AS dept_code, name_zh AS dept_zh, name_en AS dept_en \
             FROM department WHERE active = 1 ORDER BY code LIMIT 500",
        ))
        .await?
        .iter()
        .map(department)
        .collect()
}

/// The instant a Beijing calendar month starts (for month filters).
pub fn month_start(year: i16, month: i8) -> Option<Timestamp> {
    let first = jiff::civil::Date::new(year, month, 1).ok()?;
    BEIJING
        .to_timestamp(first.to_datetime(Time::midnight()))
        .ok()
}

/// The published replies of several cases the reader may see, grouped by case, oldest first.
async fn replies_of<S: Store>(
    store: &S,
    ids: &[i64],
    holder: bool,
) -> Result<std::collections::HashMap<i64, Vec<PublicReply>>, AppError> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let visible = if holder {
        "('public', 'both', 'private')"
    } else {
        "('public', 'both')"
    };
    let placeholders = vec!["?"; ids.len()].join(", ");
    let statement = Statement {
        sql: format!(
            "SELECT case_id, body, truthfulness, grade, visibility, published_at FROM reply \
             WHERE case_id IN ({placeholders}) AND state = 'published' AND visibility IN {visible} \
             ORDER BY case_id, published_at LIMIT 500"
        )
        .into(),
        params: ids.iter().map(|&id| Value::from(id)).collect(),
    };
    for r in store.query(statement).await? {
        let reply = PublicReply {
            body: mask_numbers(&r.get::<String>("body")?).into_owned(),
            truthfulness: code(&r, "truthfulness", Truthfulness::from_code)?,
            grade: r
                .get::<Option<String>>("grade")?
                .and_then(|g| Grade::from_code(&g)),
            visibility: code(&r, "visibility", Visibility::from_code)?,
            published_at: instant(r.get("published_at")?)?,
        };
        out.entry(r.get::<i64>("case_id")?)
            .or_insert_with(Vec::new)
            .push(reply);
    }
    Ok(out)
}

fn code<T>(row: &Row, column: &str, from: fn(&str) -> Option<T>) -> Result<T, AppError> {
    let text: String = row.get(column)?;
    from(&text).ok_or_else(|| AppError::Corrupt(format!("{column} = {text:?}")))
}

fn department(row: &Row) -> Result<DepartmentName, AppError> {
    Ok(DepartmentName {
        id: row.get("dept_id")?,
        code: row.get("dept_code")?,
        zh: row.get("dept_zh")?,
        en: row.get("dept_en")?,
    })
}

fn decode(row: &Row) -> Result<PublicCase, AppError> {
    let tracking: String = row.get("tracking_no")?;
    let facts = Facts {
        channel: code(row, "channel", Channel::from_code)?,
        category: code(row, "category", Category::from_code)?,
        urgency: code(row, "urgency", Urgency::from_code)?,
        complexity: code(row, "complexity", Complexity::from_code)?,
        publish_consent: row.get("publish_consent")?,
    };
    let address_public: bool = row.get("address_public")?;
    Ok(PublicCase {
        tracking: TrackingNumber::parse(&tracking)
            .map_err(|_| AppError::Corrupt(format!("tracking_no {tracking}")))?,
        public: facts.is_public(),
        status: code(row, "status", Status::from_code)?,
        category: facts.category,
        channel: facts.channel,
        urgency: facts.urgency,
        complexity: facts.complexity,
        title: mask_numbers(&row.get::<String>("title")?).into_owned(),
        body: mask_numbers(&row.get::<String>("body")?).into_owned(),
        received_at: instant(row.get("received_at")?)?,
        due_at: row.get::<Option<i64>>("due_at")?.map(instant).transpose()?,
        provisional: row.get("deadline_provisional")?,
        rulebook_version: u32::try_from(row.get::<i64>("rulebook_version")?)
            .map_err(|_| AppError::Corrupt("rulebook_version".into()))?,
        department: match row.get::<Option<i64>>("dept_id")? {
            Some(_) => Some(department(row)?),
            None => None,
        },
        timeline: Vec::new(),
        replies: Vec::new(),
        latitude: row.get::<Option<f64>>("latitude")?.map(coarse_coordinate),
        longitude: row.get::<Option<f64>>("longitude")?.map(coarse_coordinate),
        address: if address_public {
            row.get("address")?
        } else {
            None
        },
        updated_at: instant(row.get("updated_at")?)?,
        rating_until: row
            .get::<Option<i64>>("rating_until")?
            .map(instant)
            .transpose()?,
        dispatched: None,
    })
}

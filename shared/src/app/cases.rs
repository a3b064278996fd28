//! Registering cases, loading them, and applying lifecycle commands atomically.

use super::idempotency::{self, Idempotency, KEY_TTL_MS};
use super::{AppError, Host, instant, ms};
use crate::calendar::Calendar;
use crate::calendar::Timestamp;
use crate::case::{
    Actor, Case, Category, Channel, Command, Complexity, Context, DepartmentId, DispatchMethod,
    Duties, EventKind, Facts, Grade, ReplyDraft, Role, Status, Transition, Truthfulness, Urgency,
    Withhold,
};
use crate::ids::{QueryCode, TrackingNumber};
use crate::policy::Policy;
use crate::redact::mask_numbers;
use crate::store::{Row, Statement, Store, StoreError, Value};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest message body, in characters.
pub const MAX_BODY_CHARS: usize = 5_000;
/// How far back an operator may date a receipt, in days (项目自定 / project's choice: a letter
/// registered a week late is already a failure worth recording, not hiding).
pub const MAX_BACKDATE_DAYS: i64 = 30;
/// Longest source system name or source id of an import.
pub const MAX_SOURCE_CHARS: usize = 64;

/// What an operator or an importing platform records at intake beyond a citizen's form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Intake {
    /// The real receipt time of a call, letter or visit (`None`: now). Never in the future,
    /// at most [`MAX_BACKDATE_DAYS`] back: deadlines count from it.
    pub received_at: Option<Timestamp>,
    /// A leader instructed it (领导批示件, 001 §2).
    pub leader_instructed: bool,
    /// The required time limit (要求时限) of an urgent or leader-instructed case.
    pub required_by: Option<Timestamp>,
    /// An answer given on the spot (当即答复): the consultation closes at intake.
    pub answered_on_the_spot: Option<String>,
    /// The other platform and its id, for imports (003 §2.3): registering the same pair
    /// again finds the first case.
    pub source: Option<(String, String)>,
}

/// How a citizen can be reached. Personal data: stored apart, never public.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    /// Name, if given.
    pub name: Option<String>,
    /// Phone number, if given (needed for SMS notices).
    pub phone: Option<String>,
    /// E-mail address, if given.
    pub email: Option<String>,
}

/// Where the matter is, when the citizen says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// Street address.
    pub address: Option<String>,
    /// Whether the citizen asked for the address to be shown publicly (otherwise the public
    /// sees only the location coarsened to about 100 m).
    pub address_public: bool,
}

/// A case as submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct NewCase {
    /// Classification and the citizen's publication choice.
    pub facts: Facts,
    /// Title.
    pub title: String,
    /// The message.
    pub body: String,
    /// Contact details.
    pub contact: Contact,
    /// Location.
    pub location: Location,
    /// A key that makes a retried submission find the first one's case: the form's token, or
    /// the API client's `Idempotency-Key`, with the client it belongs to.
    pub idempotency: Option<Idempotency>,
    /// Intake details (staff and imports; the default for citizens' own submissions).
    pub intake: Intake,
}

/// A client's submission budget for the current window, checked inside the registration
/// batch (exact, atomic, no extra round trip).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Names the client and the window (a keyed hash; never the client's address).
    pub key: String,
    /// Submissions allowed in the window.
    pub limit: u32,
    /// When the window ends.
    pub window_ends: crate::calendar::Timestamp,
}

/// What registration hands back to the citizen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// The store's id.
    pub id: i64,
    /// The tracking number.
    pub tracking: TrackingNumber,
    /// The query code: opens a private case and proves the citizen when rating; shown once,
    /// stored only hashed (`None` when an import is registered again).
    pub query_code: Option<QueryCode>,
    /// The case as registered.
    pub case: Case,
    /// Whether this answers a retry (the case was registered by an earlier request with the
    /// same idempotency key and the same content).
    pub replayed: bool,
}

/// The rules a use case decides by.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'a> {
    /// Working-day calendar (built-in plus the store's years).
    pub calendar: &'a Calendar,
    /// Deadline policy.
    pub policy: &'a Policy,
    /// The rulebook version the policy comes from, recorded on every case whose deadlines
    /// it sets (0: the built-in preset).
    pub rulebook: u32,
    /// The deployment's secret for query-code hashes.
    pub secret: &'a [u8],
}

/// Registers a case (受理): stores it with its deadlines and first event in one batch.
pub async fn register<S: Store, H: Host>(
    store: &S,
    host: &H,
    rules: Rules<'_>,
    input: NewCase,
    actor: Actor,
    budget: Option<&Budget>,
) -> Result<Registered, AppError> {
    check_text("title", &input.title, MAX_TITLE_CHARS)?;
    check_text("body", &input.body, MAX_BODY_CHARS)?;
    if let Some(Idempotency { key, .. }) = &input.idempotency
        && (!(16..=128).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(AppError::Invalid {
            field: "idempotency_key",
            problem: "须为16至128个可见ASCII字符 / must be 16–128 visible ASCII characters".into(),
        });
    }
    let now = host.now();
    let received_at = received_at(&input.intake, now)?;
    if let Some((system, id)) = &input.intake.source {
        check_text("source_system", system, MAX_SOURCE_CHARS)?;
        check_text("source_id", id, MAX_SOURCE_CHARS)?;
    }
    let plan = rules
        .policy
        .plan(rules.calendar, &input.facts, received_at, true, None)
        .map_err(crate::case::LifecycleError::from)?;
    let mut registered = Case::register(input.facts, received_at, &plan, actor.clone());
    registered.require(input.intake.leader_instructed, input.intake.required_by)?;
    let mut events = vec![registered.event];
    let mut case = registered.case;
    if let Some(answer) = &input.intake.answered_on_the_spot {
        let ctx = Context {
            now: now.max(received_at),
            calendar: rules.calendar,
            policy: rules.policy,
        };
        let answered = case.handle(
            &actor,
            Command::AnswerOnTheSpot {
                answer: answer.clone(),
            },
            &ctx,
        )?;
        events.push(answered.event);
        case = answered.case;
    }
    // What a retry is compared by: only a registration with an idempotency key needs it.
    let keyed = input
        .idempotency
        .as_ref()
        .map(|i| (i, idempotency::fingerprint(&input)));
    // A fresh tracking number collides with an existing one about once in 10^5 registrations
    // at ten million cases; try again with new random bits.
    for _ in 0..4 {
        let tracking = TrackingNumber::generate(random5(host));
        // Every case gets a code: it opens a private case and, for any case, proves the
        // citizen when rating the reply.
        let query_code = Some(match &keyed {
            // A retry must hand back the same code, which is stored only hashed: derive it.
            Some((i, fingerprint)) => keyed_code(rules.secret, i, fingerprint),
            None => QueryCode::generate(random5(host)),
        });
        let code_hash = query_code.as_ref().map(|c| c.hash(rules.secret, &tracking));
        let id = tracking.number();
        // The statements, through the registration view or (before migration 0015) without it.
        let batch = |through_view: bool| {
            // The columns a registration fills; those it leaves empty are not sent.
            let row: Vec<(&str, Value)> = vec![
                ("id", id.into()),
                ("tracking_no", tracking.as_str().into()),
                ("query_code_hash", code_hash.as_deref().into()),
                ("channel", case.facts.channel.code().into()),
                ("category", case.facts.category.code().into()),
                ("urgency", case.facts.urgency.code().into()),
                ("complexity", case.facts.complexity.code().into()),
                ("title", input.title.as_str().into()),
                ("body", input.body.as_str().into()),
                ("publish_consent", case.facts.publish_consent.into()),
                ("status", case.status.code().into()),
                ("version", case.version.into()),
                ("round", u32::from(case.round).into()),
                ("received_at", ms(case.received_at).into()),
                ("updated_at", ms(case.updated_at).into()),
                ("due_at", case.due_at.map(ms).into()),
                ("deadline_provisional", case.provisional.into()),
                (
                    "first_response_by",
                    case.duties.first_response_by.map(ms).into(),
                ),
                ("remind_at", case.duties.remind_at.map(ms).into()),
                ("escalate_at", case.duties.escalate_at.map(ms).into()),
                (
                    "stage_report_by",
                    case.duties.stage_report_by.map(ms).into(),
                ),
                ("latitude", input.location.latitude.into()),
                ("longitude", input.location.longitude.into()),
                ("address", input.location.address.clone().into()),
                ("address_public", input.location.address_public.into()),
                // What the search index takes in once a public reply is published (a trigger):
                // the text as published, so a search for a phone number finds nothing.
                (
                    "search_grams",
                    crate::search::index_text(
                        &mask_numbers(&input.title),
                        &mask_numbers(&input.body),
                    )
                    .into(),
                ),
                ("rulebook_version", rules.rulebook.into()),
                ("dispatch_by", case.duties.dispatch_by.map(ms).into()),
                ("leader_instructed", case.leader_instructed.into()),
                ("required_by", case.required_by.map(ms).into()),
                ("closed_at", case.closed_at.map(ms).into()),
                (
                    "source_system",
                    input.intake.source.as_ref().map(|s| s.0.as_str()).into(),
                ),
                (
                    "external_ref",
                    input.intake.source.as_ref().map(|s| s.1.as_str()).into(),
                ),
            ];
            // The budget before the key: a request the budget refuses never learns whether its
            // key was used.
            let mut batch = if through_view {
                vec![registration_insert(row, &events[0], budget)]
            } else {
                let mut batch = vec![
                    Statement::insert("\"case\"", row),
                    event_insert(id, &events[0]),
                ];
                batch.extend(budget.map(budget_statement));
                batch
            };
            batch.extend(events[1..].iter().map(|e| event_insert(id, e)));
            if let Some((i, fingerprint)) = &keyed {
                batch.extend(key_statements(i, fingerprint, id, received_at));
            }
            let c = &input.contact;
            if c.name.is_some() || c.phone.is_some() || c.email.is_some() {
                batch.push(
                    Statement::new(
                        "INSERT INTO case_contact (case_id, name, phone, email) VALUES (?, ?, ?, ?)",
                    )
                    .bind(id)
                    .bind(c.name.clone())
                    .bind(c.phone.clone())
                    .bind(c.email.clone()),
                );
            }
            batch
        };
        let mut outcome = store.batch(batch(true)).await;
        // A store without the view: on Spin the new code runs before `POST /ops/migrations`
        // applies 0015.
        if matches!(&outcome, Err(StoreError::Backend(m)) if m.contains(REGISTRATION_VIEW)) {
            outcome = store.batch(batch(false)).await;
        }
        match outcome {
            Ok(_) => {
                return Ok(Registered {
                    id: tracking.number(),
                    tracking,
                    query_code,
                    case,
                    replayed: false,
                });
            }
            // The id repeats an existing case's (so does the tracking number: before migration
            // 0014 its own unique key may be the one that reports it).
            Err(StoreError::Constraint(m))
                if m.contains("case.id") || m.contains("tracking_no") =>
            {
                continue;
            }
            Err(StoreError::Constraint(m)) if m.contains("within_budget") => {
                return Err(AppError::OverBudget);
            }
            Err(StoreError::Constraint(m)) if m.contains("idempotency") => {
                let Some((i, fingerprint)) = &keyed else {
                    return Err(AppError::Conflict);
                };
                return replay(store, rules.secret, i, fingerprint, received_at).await;
            }
            Err(StoreError::Constraint(m)) if m.contains("external_ref") => {
                return imported(store, &input.intake).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict)
}

/// The receipt instant of an intake: now, or the operator's earlier time within
/// [`MAX_BACKDATE_DAYS`]; anything else is refused.
pub fn received_at(intake: &Intake, now: Timestamp) -> Result<Timestamp, AppError> {
    let Some(at) = intake.received_at else {
        return Ok(now);
    };
    let earliest = now
        .checked_sub(jiff::SignedDuration::from_hours(24 * MAX_BACKDATE_DAYS))
        .unwrap_or(now);
    if at > now || at < earliest {
        return Err(AppError::Invalid {
            field: "received_at",
            problem: format!(
                "受理时间不能晚于现在，也不能早于{MAX_BACKDATE_DAYS}天前 / the receipt time cannot lie ahead or more than {MAX_BACKDATE_DAYS} days back"
            ),
        });
    }
    Ok(at)
}

/// The case imported from a platform under its id there (through the partial unique index
/// `case_by_source`, migration 0014).
pub const IMPORTED_SQL: &str =
    "SELECT id, tracking_no FROM \"case\" WHERE source_system = ? AND external_ref = ?";

/// The case an earlier import of the same (source system, source id) registered.
async fn imported<S: Store>(store: &S, intake: &Intake) -> Result<Registered, AppError> {
    let (system, id) = intake.source.as_ref().ok_or(AppError::Conflict)?;
    let row = store
        .query(
            Statement::new(IMPORTED_SQL)
                .bind(system.as_str())
                .bind(id.as_str()),
        )
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Conflict)?;
    let id: i64 = row.get("id")?;
    let tracking: String = row.get("tracking_no")?;
    Ok(Registered {
        id,
        tracking: TrackingNumber::parse(&tracking)
            .map_err(|_| AppError::Corrupt(format!("tracking_no {tracking}")))?,
        query_code: None,
        case: load(store, id).await?,
        replayed: true,
    })
}

/// The view a registration writes through (migration 0015): its trigger writes the case, its
/// first event and the client's count against the budget, as one statement.
const REGISTRATION_VIEW: &str = "case_registration";

/// The registration's case row, first event and budget count as one INSERT into
/// [`REGISTRATION_VIEW`]. No budget, no budget row (staff and imports).
fn registration_insert(
    mut columns: Vec<(&str, Value)>,
    event: &crate::case::Event,
    budget: Option<&Budget>,
) -> Statement {
    columns.extend(EVENT_COLUMNS.into_iter().zip(event_values(event)));
    if let Some(b) = budget {
        columns.extend(BUDGET_COLUMNS.into_iter().zip(budget_values(b)));
    }
    Statement::insert(REGISTRATION_VIEW, columns)
}

/// The budget's columns in [`REGISTRATION_VIEW`] (`key`, `budget`, `expires_at` of
/// `submission_budget`).
const BUDGET_COLUMNS: [&str; 3] = ["budget_key", "budget_limit", "budget_expires_at"];

/// A budget's values, in [`BUDGET_COLUMNS`] order.
fn budget_values(b: &Budget) -> [Value; 3] {
    [
        b.key.as_str().into(),
        b.limit.into(),
        ms(b.window_ends).into(),
    ]
}

/// Counts one submission against the budget (the CHECK refuses the batch when spent), on a
/// store without [`REGISTRATION_VIEW`]. Rows of ended windows are the sweep's to delete, off
/// the submission's path. The upsert names no conflict target: the budget's key is `key`
/// before migration 0012 and `(expires_at, key)` after, so this works on both, whichever of
/// the code and the migration comes first.
fn budget_statement(b: &Budget) -> Statement {
    let [key, limit, window_ends] = budget_values(b);
    Statement::new(
        "INSERT INTO submission_budget (key, used, budget, expires_at) VALUES (?, 1, ?, ?) \
         ON CONFLICT DO UPDATE SET used = used + 1, budget = excluded.budget",
    )
    .bind(key)
    .bind(limit)
    .bind(window_ends)
}

/// Remembers the key with the case, freeing it first if it expired. Other expired keys are the
/// sweep's to delete, off the submission's path.
fn key_statements(
    i: &Idempotency,
    fingerprint: &str,
    id: i64,
    now: crate::calendar::Timestamp,
) -> [Statement; 2] {
    [
        Statement::new("DELETE FROM idempotency WHERE scope = ? AND key = ? AND expires_at <= ?")
            .bind(i.scope.as_str())
            .bind(i.key.as_str())
            .bind(ms(now)),
        Statement::new(
            "INSERT INTO idempotency (scope, key, fingerprint, case_id, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(i.scope.as_str())
        .bind(i.key.as_str())
        .bind(fingerprint)
        .bind(id)
        .bind(ms(now))
        .bind(ms(now) + KEY_TTL_MS),
    ]
}

/// The query code of a keyed submission: derived, so a retry gets the same one back although
/// only its hash is stored.
fn keyed_code(secret: &[u8], i: &Idempotency, fingerprint: &str) -> QueryCode {
    QueryCode::derive(secret, &format!("{}\n{}\n{fingerprint}", i.scope, i.key))
}

/// The answer to a retry: the case the key registered, if the request is the same one
/// (otherwise [`AppError::KeyReused`], which reveals nothing of the first).
async fn replay<S: Store>(
    store: &S,
    secret: &[u8],
    i: &Idempotency,
    fingerprint: &str,
    now: crate::calendar::Timestamp,
) -> Result<Registered, AppError> {
    let rows = store
        .query(
            Statement::new(
                "SELECT k.fingerprint, c.id, c.tracking_no, c.query_code_hash FROM idempotency k \
                 JOIN \"case\" c ON c.id = k.case_id \
                 WHERE k.scope = ? AND k.key = ? AND k.expires_at > ?",
            )
            .bind(i.scope.as_str())
            .bind(i.key.as_str())
            .bind(ms(now)),
        )
        .await?;
    // Gone meanwhile (expired between the two statements): the client may simply retry.
    let row = rows.first().ok_or(AppError::Conflict)?;
    if row.get::<String>("fingerprint")? != fingerprint {
        return Err(AppError::KeyReused);
    }
    let id: i64 = row.get("id")?;
    let tracking: String = row.get("tracking_no")?;
    let tracking = TrackingNumber::parse(&tracking)
        .map_err(|_| AppError::Corrupt(format!("tracking_no {tracking}")))?;
    let query_code = row
        .get::<Option<String>>("query_code_hash")?
        .map(|_| keyed_code(secret, i, fingerprint));
    Ok(Registered {
        id,
        tracking,
        query_code,
        case: load(store, id).await?,
        replayed: true,
    })
}

/// Loads a case's state.
pub async fn load<S: Store>(store: &S, id: i64) -> Result<Case, AppError> {
    let row = store
        .query(Statement::new("SELECT * FROM \"case\" WHERE id = ?").bind(id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let co_rows = store
        .query(
            Statement::new(
                "SELECT department_id, answered_round = (SELECT round FROM \"case\" WHERE id = ?) \
                 AS answered FROM case_department WHERE case_id = ? AND role = 'co' \
                 ORDER BY department_id",
            )
            .bind(id)
            .bind(id),
        )
        .await?;
    let mut co_handlers = Vec::with_capacity(co_rows.len());
    let mut co_answered = Vec::new();
    for r in &co_rows {
        let d: i64 = r.get("department_id")?;
        co_handlers.push(d);
        if r.get::<Option<bool>>("answered")?.unwrap_or(false) {
            co_answered.push(d);
        }
    }
    let draft = store
        .query(
            Statement::new(
                "SELECT body, truthfulness, grade, withhold, promised_by FROM reply \
                 WHERE case_id = ? AND state IN ('draft', 'approved') ORDER BY id DESC LIMIT 1",
            )
            .bind(id),
        )
        .await?
        .first()
        .map(decode_draft)
        .transpose()?;
    let mut case = decode_case(&row, co_handlers, draft)?;
    case.co_answered = co_answered;
    Ok(case)
}

/// Applies a command to a stored case: loads it, decides, and writes the new state, the event
/// and its side records in one atomic batch. A concurrent change makes it fail with
/// [`AppError::Conflict`] and write nothing.
pub async fn apply<S: Store, H: Host>(
    store: &S,
    host: &H,
    rules: Rules<'_>,
    id: i64,
    actor: &Actor,
    command: Command,
) -> Result<Transition, AppError> {
    let before = load(store, id).await?;
    let ctx = Context {
        now: host.now(),
        calendar: rules.calendar,
        policy: rules.policy,
    };
    let transition = before.handle(actor, command, &ctx)?;
    store_transition(store, id, &before, &transition, rules.rulebook).await?;
    Ok(transition)
}

/// Writes a decided transition of the case `before` in one atomic batch: the case row (guarded
/// by the version it was decided on, recording `rulebook` if the transition set a new
/// deadline), the event, its side records, the criticism records it meets and the messages
/// it causes (the outbox). If the case changed since `before` was loaded, nothing is written
/// and the answer is [`AppError::Conflict`].
pub async fn store_transition<S: Store>(
    store: &S,
    id: i64,
    before: &Case,
    transition: &Transition,
    rulebook: u32,
) -> Result<(), AppError> {
    let mut batch = vec![case_update(id, before, &transition.case, rulebook)];
    batch.push(event_insert(id, &transition.event));
    batch.extend(side_records(id, before, transition));
    batch.extend(super::criticism::records(id, before, transition));
    batch.extend(super::outbox::for_transition(id, transition));
    match store.batch(batch).await {
        Ok(_) => Ok(()),
        Err(StoreError::Constraint(m)) if m.contains("FOREIGN KEY") => Err(AppError::Invalid {
            field: "department",
            problem: "没有该单位 / no such department".into(),
        }),
        Err(StoreError::Constraint(_)) => Err(AppError::Conflict),
        Err(e) => Err(e.into()),
    }
}

/// A time-driven duty the sweep acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// Same-day dispatch due.
    DispatchBy,
    /// First response due.
    FirstResponse,
    /// Return window lapsed.
    ReturnWindow,
    /// Reminder due.
    Remind,
    /// Escalation due.
    Escalate,
    /// Stage report due.
    StageReport,
    /// Rating window lapsed.
    RatingWindow,
}

impl Duty {
    /// Every duty.
    pub const ALL: &'static [Duty] = &[
        Duty::DispatchBy,
        Duty::FirstResponse,
        Duty::ReturnWindow,
        Duty::Remind,
        Duty::Escalate,
        Duty::StageReport,
        Duty::RatingWindow,
    ];

    /// The instant the duty falls due in `duties`, while it is pending.
    pub const fn pending(self, duties: &Duties) -> Option<Timestamp> {
        match self {
            Duty::DispatchBy => duties.dispatch_by,
            Duty::FirstResponse => duties.first_response_by,
            Duty::ReturnWindow => duties.return_by,
            Duty::Remind => duties.remind_at,
            Duty::Escalate => duties.escalate_at,
            Duty::StageReport => duties.stage_report_by,
            Duty::RatingWindow => duties.rating_until,
        }
    }

    /// Whether the duty has fallen due at `now`, as the lifecycle decides it: a "by" instant
    /// (dispatch, first response, the end of the rating window) is still in time when it is
    /// reached, so that duty falls due only after it; the others fall due at their instant.
    pub fn is_due(self, duties: &Duties, now: Timestamp) -> bool {
        self.pending(duties).is_some_and(|at| match self {
            Duty::DispatchBy | Duty::FirstResponse | Duty::RatingWindow => at < now,
            Duty::ReturnWindow | Duty::Remind | Duty::Escalate | Duty::StageReport => at <= now,
        })
    }

    /// The case column holding the duty's pending instant.
    pub const fn column(self) -> &'static str {
        match self {
            Duty::DispatchBy => "dispatch_by",
            Duty::FirstResponse => "first_response_by",
            Duty::ReturnWindow => "return_by",
            Duty::Remind => "remind_at",
            Duty::Escalate => "escalate_at",
            Duty::StageReport => "stage_report_by",
            Duty::RatingWindow => "rating_until",
        }
    }
}

/// A case with a duty fallen due, and its pending duties as the sweep found them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueCase {
    /// The case id.
    pub id: i64,
    /// Its pending duties.
    pub duties: Duties,
}

/// The sweep's range query: cases whose earliest pending duty (the generated column
/// `next_duty_at`, migration 0011) has fallen due at the first parameter, at most the second,
/// earliest first, with their duty columns; served by the partial index `case_duty_due`.
pub const DUE_SQL: &str = "SELECT id, dispatch_by, first_response_by, return_by, remind_at, \
    escalate_at, stage_report_by, rating_until FROM \"case\" \
    WHERE next_duty_at IS NOT NULL AND next_duty_at <= ? ORDER BY next_duty_at LIMIT ?";

/// The cases with a duty fallen due at `now`, earliest first, at most `limit`: a range query
/// over one partial index, whose cost is the work due, not the size of the table.
pub async fn due<S: Store>(
    store: &S,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<DueCase>, AppError> {
    let limit = limit.min(u32::try_from(crate::store::MAX_ROWS).unwrap_or(u32::MAX));
    store
        .query(Statement::new(DUE_SQL).bind(ms(now)).bind(limit))
        .await?
        .iter()
        .map(|row| {
            Ok(DueCase {
                id: row.get("id")?,
                duties: decode_duties(row)?,
            })
        })
        .collect()
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), AppError> {
    let problem = if value.trim().is_empty() {
        "不能为空 / must not be empty"
    } else if value.chars().count() > max {
        "内容过长 / too long"
    } else {
        return Ok(());
    };
    Err(AppError::Invalid {
        field,
        problem: problem.into(),
    })
}

fn random5<H: Host>(host: &H) -> [u8; 5] {
    let mut bytes = [0u8; 5];
    host.fill_random(&mut bytes);
    bytes
}

/// An event's columns in [`REGISTRATION_VIEW`], in the order of [`event_values`] (and of
/// `case_event`'s columns after `case_id`).
const EVENT_COLUMNS: [&str; 7] = [
    "event_seq",
    "event_at",
    "event_actor_kind",
    "event_actor_ref",
    "event_kind",
    "event_public",
    "event_data",
];

/// An event's values: `seq`, `at`, `actor_kind`, `actor_ref`, `kind`, `public`, `data`.
fn event_values(event: &crate::case::Event) -> [Value; 7] {
    let (kind, account) = (event.actor.role, event.actor.account.clone());
    [
        event.seq.into(),
        ms(event.at).into(),
        role_code(kind).into(),
        account
            .or_else(|| match kind {
                Role::Department(d) | Role::DepartmentHead(d) => Some(d.to_string()),
                _ => None,
            })
            .into(),
        event.kind.code().into(),
        event.kind.is_public().into(),
        event.kind.data().to_string().into(),
    ]
}

/// The INSERT of an event.
fn event_insert(case_id: i64, event: &crate::case::Event) -> Statement {
    let mut insert = Statement::new(
        "INSERT INTO case_event (case_id, seq, at, actor_kind, actor_ref, kind, public, data) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(case_id);
    insert.params.extend(event_values(event));
    insert
}

fn role_code(role: Role) -> &'static str {
    match role {
        Role::Citizen => "citizen",
        Role::Operator => "operator",
        Role::Department(_) => "department",
        Role::DepartmentHead(_) => "department_head",
        Role::Leader => "leader",
        Role::Reviewer => "reviewer",
        Role::Supervisor => "supervisor",
        Role::System => "system",
    }
}

/// The UPDATE of every mutable column, guarded by the version read.
fn case_update(id: i64, before: &Case, after: &Case, rulebook: u32) -> Statement {
    let d = &after.duties;
    let replanned = after.due_at != before.due_at || after.round != before.round;
    Statement::new(
        "UPDATE \"case\" SET category = ?, urgency = ?, complexity = ?, status = ?, version = ?, \
         round = ?, lead_department_id = ?, updated_at = ?, due_at = ?, deadline_provisional = ?, \
         first_response_by = ?, return_by = ?, remind_at = ?, escalate_at = ?, stage_report_by = ?, \
         rating_until = ?, overdue_since = ?, escalations = ?, redo_count = ?, extended = ?, \
         following_up = ?, first_response_late = ?, closed_at = ?, dispatch_method = ?, \
         dispatch_by = ?, coordinated_round = ?, leader_instructed = ?, required_by = ?, \
         rulebook_version = CASE WHEN ? THEN ? ELSE rulebook_version END \
         WHERE id = ? AND version = ?",
    )
    .bind(after.facts.category.code())
    .bind(after.facts.urgency.code())
    .bind(after.facts.complexity.code())
    .bind(after.status.code())
    .bind(after.version)
    .bind(u32::from(after.round))
    .bind(after.lead)
    .bind(ms(after.updated_at))
    .bind(after.due_at.map(ms))
    .bind(after.provisional)
    .bind(d.first_response_by.map(ms))
    .bind(d.return_by.map(ms))
    .bind(d.remind_at.map(ms))
    .bind(d.escalate_at.map(ms))
    .bind(d.stage_report_by.map(ms))
    .bind(d.rating_until.map(ms))
    .bind(after.overdue_since.map(ms))
    .bind(u32::from(after.escalations))
    .bind(u32::from(after.redo_count))
    .bind(after.extended)
    .bind(after.following_up)
    .bind(after.first_response_late)
    .bind(after.closed_at.map(ms))
    .bind(after.dispatch_method.map(DispatchMethod::code))
    .bind(d.dispatch_by.map(ms))
    .bind(after.coordinated.then_some(u32::from(after.round)))
    .bind(after.leader_instructed)
    .bind(after.required_by.map(ms))
    .bind(replanned)
    .bind(rulebook)
    .bind(id)
    .bind(before.version)
}

/// Rows besides the case and its event that a transition writes.
fn side_records(id: i64, before: &Case, t: &Transition) -> Vec<Statement> {
    let now = ms(t.event.at);
    let reply_state = |from: &str, to: &str, column: &str| {
        Statement::new(format!(
            "UPDATE reply SET state = ?, {column} = ? WHERE case_id = ? AND state = ?"
        ))
        .bind(to)
        .bind(now)
        .bind(id)
        .bind(from)
    };
    match &t.event.kind {
        EventKind::Dispatched {
            lead, co_handlers, ..
        } => {
            let mut v = vec![
                Statement::new("DELETE FROM case_department WHERE case_id = ?").bind(id),
                dept_insert(id, *lead, "lead"),
            ];
            v.extend(co_handlers.iter().map(|&d| dept_insert(id, d, "co")));
            v
        }
        EventKind::Returned { .. } | EventKind::ReturnDecided { approved: true, .. } => {
            vec![Statement::new("DELETE FROM case_department WHERE case_id = ?").bind(id)]
        }
        EventKind::CoHandlerOpinion { department, .. } => vec![
            Statement::new(
                "UPDATE case_department SET answered_round = ? \
                 WHERE case_id = ? AND department_id = ?",
            )
            .bind(u32::from(t.case.round))
            .bind(id)
            .bind(*department),
        ],
        EventKind::DraftSentBack { .. } => vec![reply_state("draft", "sent_back", "reviewed_at")],
        EventKind::Dismissed {
            duplicate_of: Some(original),
            ..
        } => vec![
            Statement::new("UPDATE \"case\" SET duplicate_of = ? WHERE id = ?")
                .bind(*original)
                .bind(id),
            Statement::new(
                "UPDATE \"case\" SET report_count = report_count + 1 WHERE id = ? AND id <> ?",
            )
            .bind(*original)
            .bind(id),
        ],
        EventKind::DraftSubmitted { .. } => match &t.case.draft {
            Some(d) => vec![
                Statement::new(
                    "INSERT INTO reply (case_id, round, department_id, body, truthfulness, grade, \
                     withhold, promised_by, state, drafted_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?)",
                )
                .bind(id)
                .bind(u32::from(t.case.round))
                .bind(t.case.lead)
                .bind(d.body.as_str())
                .bind(d.truthfulness.code())
                .bind(d.grade.map(Grade::code))
                .bind(d.withhold.map(Withhold::code))
                .bind(d.promised_by.map(ms))
                .bind(now),
            ],
            None => Vec::new(),
        },
        EventKind::Approved => vec![reply_state("draft", "approved", "reviewed_at")],
        EventKind::Rejected { .. } => vec![reply_state("draft", "rejected", "reviewed_at")],
        EventKind::Published { visibility, .. } => vec![
            Statement::new(
                "UPDATE reply SET state = 'published', visibility = ?, published_at = ? \
                 WHERE case_id = ? AND state = 'approved'",
            )
            .bind(visibility.code())
            .bind(now)
            .bind(id),
        ],
        EventKind::Rated {
            rating,
            satisfied,
            comment,
            callback,
        } => vec![
            Statement::new(
                "INSERT INTO rating (case_id, round, satisfied, comment, at, level, callback) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(u32::from(before.round))
            .bind(*satisfied)
            .bind(comment.clone())
            .bind(now)
            .bind(rating.code())
            .bind(*callback),
        ],
        _ => Vec::new(),
    }
}

fn dept_insert(case_id: i64, department: DepartmentId, role: &str) -> Statement {
    Statement::new("INSERT INTO case_department (case_id, department_id, role) VALUES (?, ?, ?)")
        .bind(case_id)
        .bind(department)
        .bind(role)
}

fn code<T>(row: &Row, column: &str, from: fn(&str) -> Option<T>) -> Result<T, AppError> {
    let text: String = row.get(column)?;
    from(&text).ok_or_else(|| AppError::Corrupt(format!("{column} = {text:?}")))
}

fn opt_instant(row: &Row, column: &str) -> Result<Option<crate::calendar::Timestamp>, AppError> {
    row.get::<Option<i64>>(column)?.map(instant).transpose()
}

fn small<T: TryFrom<i64>>(row: &Row, column: &str) -> Result<T, AppError> {
    let v: i64 = row.get(column)?;
    T::try_from(v).map_err(|_| AppError::Corrupt(format!("{column} = {v}")))
}

fn decode_draft(row: &Row) -> Result<ReplyDraft, AppError> {
    Ok(ReplyDraft {
        body: row.get("body")?,
        truthfulness: code(row, "truthfulness", Truthfulness::from_code)?,
        grade: row
            .get::<Option<String>>("grade")?
            .map(|g| Grade::from_code(&g).ok_or_else(|| AppError::Corrupt(format!("grade {g}"))))
            .transpose()?,
        withhold: row
            .get::<Option<String>>("withhold")?
            .map(|w| {
                Withhold::from_code(&w).ok_or_else(|| AppError::Corrupt(format!("withhold {w}")))
            })
            .transpose()?,
        promised_by: opt_instant(row, "promised_by")?,
    })
}

fn decode_duties(row: &Row) -> Result<Duties, AppError> {
    Ok(Duties {
        dispatch_by: opt_instant(row, "dispatch_by")?,
        first_response_by: opt_instant(row, "first_response_by")?,
        return_by: opt_instant(row, "return_by")?,
        remind_at: opt_instant(row, "remind_at")?,
        escalate_at: opt_instant(row, "escalate_at")?,
        stage_report_by: opt_instant(row, "stage_report_by")?,
        rating_until: opt_instant(row, "rating_until")?,
    })
}

fn decode_case(
    row: &Row,
    co_handlers: Vec<DepartmentId>,
    draft: Option<ReplyDraft>,
) -> Result<Case, AppError> {
    Ok(Case {
        facts: Facts {
            channel: code(row, "channel", Channel::from_code)?,
            category: code(row, "category", Category::from_code)?,
            urgency: code(row, "urgency", Urgency::from_code)?,
            complexity: code(row, "complexity", Complexity::from_code)?,
            publish_consent: row.get("publish_consent")?,
        },
        status: code(row, "status", Status::from_code)?,
        version: small(row, "version")?,
        round: small(row, "round")?,
        received_at: instant(row.get("received_at")?)?,
        updated_at: instant(row.get("updated_at")?)?,
        lead: row.get("lead_department_id")?,
        dispatch_method: row
            .get::<Option<String>>("dispatch_method")?
            .map(|m| {
                DispatchMethod::from_code(&m)
                    .ok_or_else(|| AppError::Corrupt(format!("dispatch_method {m}")))
            })
            .transpose()?,
        co_handlers,
        co_answered: Vec::new(),
        coordinated: row.get::<Option<i64>>("coordinated_round")? == Some(row.get::<i64>("round")?),
        leader_instructed: row.get("leader_instructed")?,
        required_by: opt_instant(row, "required_by")?,
        due_at: opt_instant(row, "due_at")?,
        provisional: row.get("deadline_provisional")?,
        duties: decode_duties(row)?,
        overdue_since: opt_instant(row, "overdue_since")?,
        escalations: small(row, "escalations")?,
        redo_count: small(row, "redo_count")?,
        extended: row.get("extended")?,
        following_up: row.get("following_up")?,
        first_response_late: row.get("first_response_late")?,
        draft,
        closed_at: opt_instant(row, "closed_at")?,
    })
}

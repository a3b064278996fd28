//! The case lifecycle: what a case is, who may do what to it and when, and the audit event
//! every change leaves behind.
//!
//! The allowed changes are one table ([`table::TRANSITIONS`]) that `docs/lifecycle.md` renders
//! for people to check against the regulations; [`Case::handle`] enforces it and the guards
//! beside each rule (windows, duties that must be due, input limits).

mod event;
mod kinds;
mod lifecycle;
pub mod table;

pub use event::{Event, EventKind};
pub use kinds::{
    Category, Channel, Complexity, Dismissal, DispatchMethod, Grade, Rating, Status,
    TransferTarget, Truthfulness, Urgency, Visibility, Withhold,
};
pub use lifecycle::{Command, Context, LifecycleError, Transition};
pub use table::CommandKind;

use crate::calendar::Timestamp;
use crate::policy::Plan;

/// A department's id in the store.
pub type DepartmentId = i64;

/// What the citizen (or the operator at intake) said the case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// How it arrived.
    pub channel: Channel,
    /// What it asks for.
    pub category: Category,
    /// How fast it must move.
    pub urgency: Urgency,
    /// How much work it needs.
    pub complexity: Complexity,
    /// The citizen's choice at submission: the case and its reply may be published (002 §3).
    pub publish_consent: bool,
}

impl Facts {
    /// Whether the public may read the case: the citizen consented (002 §3) and it is not a
    /// discipline case (项目自定 / project's choice; 004 §9 says only 不再专门办理). The one
    /// place this is decided, from the case's current facts: a case reclassified as discipline
    /// stops being public on every surface at once. [`Facts::PUBLIC_SQL`] says the same in SQL
    /// for lists and counts.
    pub const fn is_public(&self) -> bool {
        self.publish_consent && !matches!(self.category, Category::Discipline)
    }

    /// [`Facts::is_public`] as an SQL condition on the `"case"` table aliased `c`.
    pub const PUBLIC_SQL: &'static str = "(c.publish_consent = 1 AND c.category <> 'discipline')";
}

/// The part a person plays in a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The citizen who submitted the case (proved by tracking number and query code).
    Citizen,
    /// Hotline or mailbox operator: registers, classifies, dispatches (交办).
    Operator,
    /// Staff of a department; lead or co-handler depending on the case.
    Department(DepartmentId),
    /// The head of a department, who signs its replies off (签发); also acts as its staff.
    DepartmentHead(DepartmentId),
    /// A city leader: instructions (批示) and required time limits (要求时限).
    Leader,
    /// Reviewer of the dispatching office: reviews and publishes replies (审核, 统一回复).
    Reviewer,
    /// Supervisor: reminds and escalates by hand (催办, 督办).
    Supervisor,
    /// The scheduled sweep, acting on duties that have fallen due.
    System,
}

/// Who issued a command, for the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The role played.
    pub role: Role,
    /// The staff account, when a person acted (never the citizen's personal data).
    pub account: Option<String>,
}

impl Actor {
    /// An actor with no account (citizen, sweep).
    pub const fn anonymous(role: Role) -> Self {
        Self {
            role,
            account: None,
        }
    }
}

/// A reply as the department drafts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyDraft {
    /// The reply text: attitude, work done and result, verification, citizen's feedback.
    pub body: String,
    /// How true the message was found.
    pub truthfulness: Truthfulness,
    /// Result grade, where it applies (proposals).
    pub grade: Option<Grade>,
    /// One of the four never-public kinds, if the department says so.
    pub withhold: Option<Withhold>,
    /// When the reply promises further work: the date it promises it by.
    pub promised_by: Option<Timestamp>,
}

/// The instants the sweep acts on while they are pending (`None` once done).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Duties {
    /// Dispatch of a case that must go out the same working day (petitions, 004 §9).
    pub dispatch_by: Option<Timestamp>,
    /// First response to the citizen.
    pub first_response_by: Option<Timestamp>,
    /// End of the department's window to return a misrouted case.
    pub return_by: Option<Timestamp>,
    /// Reminder before the deadline.
    pub remind_at: Option<Timestamp>,
    /// Next escalation (at the deadline, then again later).
    pub escalate_at: Option<Timestamp>,
    /// Stage report of a complex case.
    pub stage_report_by: Option<Timestamp>,
    /// End of the citizen's rating window.
    pub rating_until: Option<Timestamp>,
}

/// The state of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// What the case is.
    pub facts: Facts,
    /// Where it stands.
    pub status: Status,
    /// Number of events so far; the newest event's sequence number.
    pub version: u32,
    /// Handling round: 1, plus one for each re-handling.
    pub round: u16,
    /// When it was received.
    pub received_at: Timestamp,
    /// When it last changed (the newest event's instant).
    pub updated_at: Timestamp,
    /// Lead department (主办), once dispatched.
    pub lead: Option<DepartmentId>,
    /// How it was dispatched: the limit follows the method (001 §2).
    pub dispatch_method: Option<DispatchMethod>,
    /// Co-handling departments (会办).
    pub co_handlers: Vec<DepartmentId>,
    /// Co-handlers that sent their opinion in this round.
    pub co_answered: Vec<DepartmentId>,
    /// Whether the office coordinated the co-handlers in this round, so the lead may reply
    /// without every opinion (000 §2.2(5)).
    pub coordinated: bool,
    /// A leader's instruction is on the case (领导批示件, 001 §2).
    pub leader_instructed: bool,
    /// The required time limit (要求时限) set for an urgent or leader-instructed case (001 §2):
    /// it replaces the policy's limit.
    pub required_by: Option<Timestamp>,
    /// The current deadline.
    pub due_at: Option<Timestamp>,
    /// Whether the deadline counts over a year without a published schedule.
    pub provisional: bool,
    /// Pending duties.
    pub duties: Duties,
    /// Since when the case is overdue (set by the first escalation past the deadline).
    pub overdue_since: Option<Timestamp>,
    /// Escalations (督办) in this round without an answer.
    pub escalations: u8,
    /// Draft replies rejected in a row (001 §3(一): twice in a row is a criticism trigger).
    pub redo_count: u8,
    /// Whether this round's deadline was already extended once.
    pub extended: bool,
    /// Whether the case is following up a promise (a further reply is due).
    pub following_up: bool,
    /// Whether the first response came late.
    pub first_response_late: bool,
    /// The reply under review or awaiting publication.
    pub draft: Option<ReplyDraft>,
    /// When it closed or was transferred out.
    pub closed_at: Option<Timestamp>,
}

impl Case {
    /// Registers a new case (受理): the first event of its life. The caller computed `plan`
    /// with [`crate::policy::Policy::plan`] from the same facts and `received_at`.
    pub fn register(facts: Facts, received_at: Timestamp, plan: &Plan, actor: Actor) -> Transition {
        let case = Case {
            dispatch_method: None,
            co_answered: Vec::new(),
            coordinated: false,
            leader_instructed: false,
            required_by: None,
            facts,
            status: Status::Registered,
            version: 1,
            round: 1,
            received_at,
            updated_at: received_at,
            lead: None,
            co_handlers: Vec::new(),
            due_at: Some(plan.due_at),
            provisional: plan.provisional,
            duties: Duties {
                dispatch_by: plan.dispatch_by,
                first_response_by: plan.first_response_by,
                return_by: None,
                remind_at: plan.remind_at,
                escalate_at: Some(plan.due_at),
                stage_report_by: plan.stage_report_by,
                rating_until: None,
            },
            overdue_since: None,
            escalations: 0,
            redo_count: 0,
            extended: false,
            following_up: false,
            first_response_late: false,
            draft: None,
            closed_at: None,
        };
        let event = Event {
            seq: 1,
            at: received_at,
            actor,
            kind: EventKind::Registered {
                channel: facts.channel,
                category: facts.category,
                due_at: plan.due_at,
                acknowledged: plan.acknowledge_at_once,
            },
        };
        Transition { case, event }
    }

    /// Whether the case is past its deadline at `now` and still unanswered.
    pub fn is_late(&self, now: Timestamp) -> bool {
        self.status_has_running_clock() && self.due_at.is_some_and(|due| now >= due)
    }

    /// Whether the deadline is running: the case is open and no reply is out.
    pub fn status_has_running_clock(&self) -> bool {
        matches!(
            self.status,
            Status::Registered
                | Status::Dispatched
                | Status::ReturnRequested
                | Status::Returned
                | Status::InProgress
                | Status::SignOffPending
                | Status::UnderReview
                | Status::Approved
                | Status::FollowingUp
        )
    }
}

#[cfg(test)]
mod tests;

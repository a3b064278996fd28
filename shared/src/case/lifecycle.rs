//! [`Case::handle`]: checks a command against the transition table and its guards, and
//! yields the next state with the event that records it.

use super::table::{self, CommandKind, Who};
use super::{
    Actor, Case, Category, Complexity, DepartmentId, Dismissal, DispatchMethod, Event, EventKind,
    Rating, ReplyDraft, Role, Status, TransferTarget, Truthfulness, Urgency, Visibility,
};
use crate::calendar::{Calendar, CalendarError, Timestamp};
use crate::policy::Policy;
use std::fmt;

/// Longest reason, note, opinion or comment, in characters.
pub const MAX_NOTE_CHARS: usize = 500;
/// Longest reply or stage report, in characters.
pub const MAX_REPLY_CHARS: usize = 20_000;
/// Most co-handling departments on one case.
pub const MAX_CO_HANDLERS: usize = 10;

/// What a command is decided against: the time and the deployment's rules.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The host's clock.
    pub now: Timestamp,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The deadline policy.
    pub policy: &'a Policy,
}

/// A command to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Correct the classification (before dispatch).
    Classify {
        /// Category.
        category: Category,
        /// Urgency.
        urgency: Urgency,
        /// Complexity.
        complexity: Complexity,
    },
    /// Assign departments.
    Dispatch {
        /// Lead department.
        lead: DepartmentId,
        /// Co-handling departments.
        co_handlers: Vec<DepartmentId>,
        /// How the office hands it over (the limit follows it, 001 §2).
        method: DispatchMethod,
    },
    /// Send a misrouted case back (or ask to, where the policy needs the office's consent).
    Return {
        /// Why it is not the department's.
        reason: String,
    },
    /// Decide a department's return request.
    DecideReturn {
        /// True: the case goes back for dispatch; false: the department handles it.
        approve: bool,
        /// The office's note.
        note: String,
    },
    /// Coordinate the co-handlers, so the lead may reply.
    Coordinate {
        /// What was agreed.
        note: String,
    },
    /// A leader's instruction.
    Instruct {
        /// The instruction.
        text: String,
        /// A required time limit (要求时限), replacing the policy's.
        required_by: Option<Timestamp>,
    },
    /// Answer a consultation at intake and close it.
    AnswerOnTheSpot {
        /// The answer given.
        answer: String,
    },
    /// Take the case on.
    Accept,
    /// Extend the deadline with a stage report.
    Extend {
        /// What was done so far and what remains.
        stage_report: String,
        /// The new deadline.
        until: Timestamp,
    },
    /// A co-handler's opinion.
    CoHandlerOpinion {
        /// The opinion.
        text: String,
    },
    /// Submit a draft reply for the head's sign-off.
    SubmitDraft(ReplyDraft),
    /// Sign the draft off (签发).
    SignOff,
    /// Send the draft back to the handler.
    SendBackDraft {
        /// Why.
        reason: String,
    },
    /// Approve the draft.
    Approve,
    /// Reject the draft.
    Reject {
        /// Why.
        reason: String,
    },
    /// Publish the approved reply.
    Publish {
        /// The visibility the office asks for; the rules may force it private.
        visibility: Visibility,
    },
    /// Rate the reply.
    Rate {
        /// The level.
        rating: Rating,
        /// Optional comment.
        comment: Option<String>,
    },
    /// Reopen a closed case.
    Reopen {
        /// Why.
        reason: String,
    },
    /// Confirm or decline a reopen request.
    DecideReopen {
        /// True: a new round; false: closed again.
        confirm: bool,
        /// Why (required when declining).
        note: String,
    },
    /// Transfer out.
    TransferOut {
        /// Where to.
        target: TransferTarget,
        /// Note.
        note: String,
    },
    /// Close without handling.
    Dismiss {
        /// Why.
        reason: Dismissal,
        /// Note.
        note: String,
        /// The original case of a duplicate (required for [`Dismissal::Duplicate`]).
        duplicate_of: Option<i64>,
    },
    /// Close after the rating window.
    CloseUnrated,
    /// Record a late first response.
    MarkFirstResponseLate,
    /// Record a missed same-day dispatch.
    MarkDispatchLate,
    /// Record a stage report not made by its date.
    MarkStageReportLate,
    /// Remind.
    Remind,
    /// Escalate.
    Escalate,
}

impl Command {
    /// The command's kind, its row in the transition table.
    pub fn kind(&self) -> CommandKind {
        match self {
            Self::Classify { .. } => CommandKind::Classify,
            Self::Dispatch { .. } => CommandKind::Dispatch,
            Self::Return { .. } => CommandKind::Return,
            Self::DecideReturn { .. } => CommandKind::DecideReturn,
            Self::Coordinate { .. } => CommandKind::Coordinate,
            Self::Instruct { .. } => CommandKind::Instruct,
            Self::AnswerOnTheSpot { .. } => CommandKind::AnswerOnTheSpot,
            Self::SignOff => CommandKind::SignOff,
            Self::SendBackDraft { .. } => CommandKind::SendBackDraft,
            Self::DecideReopen { .. } => CommandKind::DecideReopen,
            Self::MarkDispatchLate => CommandKind::MarkDispatchLate,
            Self::MarkStageReportLate => CommandKind::MarkStageReportLate,
            Self::Accept => CommandKind::Accept,
            Self::Extend { .. } => CommandKind::Extend,
            Self::CoHandlerOpinion { .. } => CommandKind::CoHandlerOpinion,
            Self::SubmitDraft(_) => CommandKind::SubmitDraft,
            Self::Approve => CommandKind::Approve,
            Self::Reject { .. } => CommandKind::Reject,
            Self::Publish { .. } => CommandKind::Publish,
            Self::Rate { .. } => CommandKind::Rate,
            Self::Reopen { .. } => CommandKind::Reopen,
            Self::TransferOut { .. } => CommandKind::TransferOut,
            Self::Dismiss { .. } => CommandKind::Dismiss,
            Self::CloseUnrated => CommandKind::CloseUnrated,
            Self::MarkFirstResponseLate => CommandKind::MarkFirstResponseLate,
            Self::Remind => CommandKind::Remind,
            Self::Escalate => CommandKind::Escalate,
        }
    }
}

/// Why a command was refused. Nothing changes when a command is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LifecycleError {
    /// The transition table has no such change from the current status.
    NotAllowed {
        /// The command.
        command: CommandKind,
        /// The current status.
        status: Status,
    },
    /// The actor's role may not issue this command on this case.
    Forbidden {
        /// The command.
        command: CommandKind,
    },
    /// A window has closed (return, rating, reopen) or the command repeats a one-off.
    WindowClosed {
        /// The command.
        command: CommandKind,
    },
    /// A sweep command arrived before its duty fell due.
    NotDue {
        /// The command.
        command: CommandKind,
    },
    /// Legal and discipline cases are transferred out, not dispatched (004 §9).
    MustTransfer,
    /// A co-handler has not answered and the office has not coordinated (000 §2.2(5)).
    AwaitingCoHandlers,
    /// A field of the command is invalid.
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong, Chinese first.
        problem: &'static str,
    },
    /// Deadline arithmetic left the representable range.
    Calendar(CalendarError),
}

impl fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAllowed { command, status } => write!(
                f,
                "当前状态“{}”下不能执行此操作 / {command:?} is not allowed while {}",
                status.label_zh(),
                status.label_en()
            ),
            Self::Forbidden { command } => {
                write!(f, "无权执行此操作 / not permitted to {command:?} this case")
            }
            Self::WindowClosed { command } => {
                write!(f, "已超过办理期限或已执行过 / the window for {command:?} has closed")
            }
            Self::NotDue { command } => write!(f, "尚未到期 / {command:?} is not due yet"),
            Self::MustTransfer => f.write_str(
                "涉法涉诉、党风廉政类诉求只能转出 / legal and discipline cases can only be transferred out",
            ),
            Self::AwaitingCoHandlers => f.write_str(
                "会办单位尚未全部回复意见，也未经协调 / not every co-handler has answered and the office has not coordinated",
            ),
            Self::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            Self::Calendar(_) => f.write_str("日期超出范围 / date out of range"),
        }
    }
}

impl std::error::Error for LifecycleError {}

impl From<CalendarError> for LifecycleError {
    fn from(e: CalendarError) -> Self {
        Self::Calendar(e)
    }
}

/// The outcome of an accepted command: the next state and the event recording it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The case after the change.
    pub case: Case,
    /// The event to append to the archive.
    pub event: Event,
}

impl Transition {
    /// At intake: marks a leader-instructed case (批示件) and applies a required time limit
    /// (要求时限), which 001 §2 allows only for urgent and leader-instructed cases.
    pub fn require(
        &mut self,
        leader_instructed: bool,
        required_by: Option<Timestamp>,
    ) -> Result<(), LifecycleError> {
        let case = &mut self.case;
        case.leader_instructed = leader_instructed;
        let Some(r) = required_by else {
            return Ok(());
        };
        if !leader_instructed && case.facts.urgency != Urgency::Urgent {
            return Err(invalid(
                "required_by",
                "只有紧急件和领导批示件可设要求时限 / only urgent and leader-instructed cases take a required limit",
            ));
        }
        if r <= case.received_at {
            return Err(invalid(
                "required_by",
                "要求时限须晚于受理时间 / the required limit must follow receipt",
            ));
        }
        case.set_required(r);
        if let EventKind::Registered { due_at, .. } = &mut self.event.kind {
            *due_at = r;
        }
        Ok(())
    }
}

impl Case {
    /// Decides a command: refuses it with a typed error, or returns the next state and its
    /// event. Pure: the same case, command and context always give the same answer.
    pub fn handle(
        &self,
        actor: &Actor,
        command: Command,
        ctx: &Context<'_>,
    ) -> Result<Transition, LifecycleError> {
        let kind = command.kind();
        let rule = table::rule(kind);
        if !rule.from.contains(&self.status) {
            return Err(LifecycleError::NotAllowed {
                command: kind,
                status: self.status,
            });
        }
        if !self.may(actor.role, rule.who) {
            return Err(LifecycleError::Forbidden { command: kind });
        }
        // Events never go back in time, whatever the host's clock says.
        let now = ctx.now.max(self.updated_at);
        let by_system = actor.role == Role::System;
        let mut next = self.clone();
        let event = match command {
            Command::Classify {
                category,
                urgency,
                complexity,
            } => {
                next.facts.category = category;
                next.facts.urgency = urgency;
                next.facts.complexity = complexity;
                let plan =
                    ctx.policy
                        .plan(ctx.calendar, &next.facts, self.received_at, true, None)?;
                next.follow(&plan);
                next.duties.first_response_by =
                    self.duties.first_response_by.and(plan.first_response_by);
                if category != self.facts.category {
                    next.duties.dispatch_by = plan.dispatch_by;
                }
                EventKind::Classified {
                    category,
                    due_at: next.due_at.unwrap_or(plan.due_at),
                }
            }
            Command::Dispatch {
                lead,
                co_handlers,
                method,
            } => {
                if self.facts.category.is_transferred_out() {
                    return Err(LifecycleError::MustTransfer);
                }
                let mut co = co_handlers;
                crate::sort::heapsort(&mut co);
                co.dedup();
                if co.contains(&lead) {
                    return Err(invalid(
                        "co_handlers",
                        "会办单位不能包含主办单位 / the lead cannot also co-handle",
                    ));
                }
                if co.len() > MAX_CO_HANDLERS {
                    return Err(invalid(
                        "co_handlers",
                        "会办单位过多 / too many co-handlers",
                    ));
                }
                let return_by = ctx
                    .policy
                    .after(ctx.calendar, now, ctx.policy.return_window)?;
                // The department's clock starts now, capped by how it is handed over.
                let plan = ctx
                    .policy
                    .plan(ctx.calendar, &self.facts, now, false, Some(method))?;
                next.status = Status::Dispatched;
                next.lead = Some(lead);
                next.dispatch_method = Some(method);
                next.co_handlers.clone_from(&co);
                next.co_answered.clear();
                next.coordinated = false;
                next.duties.first_response_by = None;
                next.duties.dispatch_by = None;
                next.duties.return_by = Some(return_by);
                next.follow(&plan);
                EventKind::Dispatched {
                    lead,
                    co_handlers: co,
                    method,
                    return_by,
                    due_at: next.due_at.unwrap_or(plan.due_at),
                }
            }
            Command::Return { reason } => {
                note("reason", &reason)?;
                if self.duties.return_by.is_none_or(|end| now > end) {
                    return Err(LifecycleError::WindowClosed { command: kind });
                }
                let department = self.lead.unwrap_or_default();
                next.duties.return_by = None;
                if ctx.policy.return_needs_approval {
                    next.status = Status::ReturnRequested;
                    EventKind::ReturnRequested { department, reason }
                } else {
                    next.back_to_dispatch(ctx, now)?;
                    EventKind::Returned { department, reason }
                }
            }
            Command::DecideReturn {
                approve,
                note: text_note,
            } => {
                if !approve || !text_note.trim().is_empty() {
                    note("note", &text_note)?;
                }
                if approve {
                    next.back_to_dispatch(ctx, now)?;
                } else {
                    // 逾期未退回的,由原定承办单位负责办理 (000 §2.1(3)): the department handles it.
                    next.status = Status::InProgress;
                }
                EventKind::ReturnDecided {
                    approved: approve,
                    note: text_note,
                }
            }
            Command::Coordinate { note: text_note } => {
                note("note", &text_note)?;
                if self.co_handlers.is_empty() {
                    return Err(invalid(
                        "note",
                        "此件没有会办单位 / the case has no co-handlers",
                    ));
                }
                next.coordinated = true;
                EventKind::Coordinated { note: text_note }
            }
            Command::Instruct {
                text: instruction,
                required_by,
            } => {
                note("text", &instruction)?;
                if let Some(r) = required_by {
                    if r <= now {
                        return Err(invalid(
                            "required_by",
                            "要求时限须在将来 / the required limit must lie ahead",
                        ));
                    }
                    next.set_required(r);
                }
                next.leader_instructed = true;
                EventKind::Instructed {
                    text: instruction,
                    required_by,
                }
            }
            Command::AnswerOnTheSpot { answer } => {
                text("answer", &answer, MAX_REPLY_CHARS)?;
                if self.facts.category != Category::Consultation {
                    return Err(invalid(
                        "category",
                        "只有咨询类可当即答复 / only a consultation can be answered on the spot",
                    ));
                }
                next.close(now);
                EventKind::AnsweredOnTheSpot { answer }
            }
            Command::Accept => {
                if by_system && self.duties.return_by.is_some_and(|end| now < end) {
                    return Err(LifecycleError::NotDue { command: kind });
                }
                next.status = Status::InProgress;
                next.duties.return_by = None;
                EventKind::Accepted {
                    automatic: by_system,
                }
            }
            Command::Extend {
                stage_report,
                until,
            } => {
                text("stage_report", &stage_report, MAX_REPLY_CHARS)?;
                // Only before the deadline (004 §10 对确需延期的…提前说明): an extension never
                // turns lateness already incurred into punctuality.
                if self.extended || self.due_at.is_some_and(|due| now >= due) {
                    return Err(LifecycleError::WindowClosed { command: kind });
                }
                let due = self.due_at.unwrap_or(now);
                let latest = ctx.policy.latest_extension(ctx.calendar, due)?;
                if until <= due || until > latest {
                    return Err(invalid(
                        "until",
                        "新期限须晚于原期限且不超过延期上限 / the new deadline must be later than the old one and within the cap",
                    ));
                }
                next.extended = true;
                next.due_at = Some(until);
                next.duties.stage_report_by = None;
                next.duties.remind_at = None;
                next.duties.escalate_at = Some(until);
                EventKind::Extended {
                    stage_report,
                    due_at: until,
                }
            }
            Command::CoHandlerOpinion { text: opinion } => {
                text("text", &opinion, MAX_REPLY_CHARS)?;
                let (Role::Department(department) | Role::DepartmentHead(department)) = actor.role
                else {
                    return Err(LifecycleError::Forbidden { command: kind });
                };
                if !next.co_answered.contains(&department) {
                    next.co_answered.push(department);
                    crate::sort::heapsort(&mut next.co_answered);
                }
                EventKind::CoHandlerOpinion {
                    department,
                    text: opinion,
                }
            }
            Command::SubmitDraft(draft) => {
                text("body", &draft.body, MAX_REPLY_CHARS)?;
                let all_answered = self
                    .co_handlers
                    .iter()
                    .all(|d| self.co_answered.contains(d));
                if !all_answered && !self.coordinated {
                    return Err(LifecycleError::AwaitingCoHandlers);
                }
                if draft.promised_by.is_some_and(|p| p <= now) {
                    return Err(invalid(
                        "promised_by",
                        "承诺期限须在将来 / the promise date must lie ahead",
                    ));
                }
                next.status = Status::SignOffPending;
                let event = EventKind::DraftSubmitted {
                    truthfulness: draft.truthfulness,
                    grade: draft.grade,
                    withhold: draft.withhold,
                    promised_by: draft.promised_by,
                };
                next.draft = Some(draft);
                event
            }
            Command::SignOff => {
                next.status = Status::UnderReview;
                EventKind::SignedOff
            }
            Command::SendBackDraft { reason } => {
                note("reason", &reason)?;
                next.back_to_handling();
                EventKind::DraftSentBack { reason }
            }
            Command::Approve => {
                next.status = Status::Approved;
                next.redo_count = 0;
                EventKind::Approved
            }
            Command::Reject { reason } => {
                note("reason", &reason)?;
                next.back_to_handling();
                next.redo_count = self.redo_count.saturating_add(1);
                EventKind::Rejected { reason }
            }
            Command::Publish { visibility } => {
                let draft = self.draft.clone().ok_or(LifecycleError::NotAllowed {
                    command: kind,
                    status: self.status,
                })?;
                let must_be_private = self.facts.category == Category::Discipline
                    || !self.facts.publish_consent
                    || draft.truthfulness == Truthfulness::Untrue
                    || draft.withhold.is_some();
                let actual = if must_be_private {
                    Visibility::Private
                } else {
                    visibility
                };
                let late = self.is_late(now);
                next.draft = None;
                next.overdue_since = None;
                next.escalations = 0;
                next.duties.remind_at = None;
                next.duties.stage_report_by = None;
                next.following_up = draft.promised_by.is_some();
                if let Some(promised_by) = draft.promised_by {
                    next.status = Status::FollowingUp;
                    next.due_at = Some(promised_by);
                    next.duties.escalate_at = Some(promised_by);
                    next.duties.rating_until = None;
                } else {
                    next.status = Status::Replied;
                    next.duties.escalate_at = None;
                    next.duties.rating_until = Some(ctx.policy.after(
                        ctx.calendar,
                        now,
                        ctx.policy.rating_window,
                    )?);
                }
                EventKind::Published {
                    visibility: actual,
                    forced_private: actual != visibility,
                    late,
                }
            }
            Command::Rate { rating, comment } => {
                if let Some(c) = &comment {
                    note("comment", c)?;
                }
                if !ctx.policy.offers_rating(rating) {
                    return Err(invalid(
                        "rating",
                        "本地评价不设此等级 / this level is not on the rating scale",
                    ));
                }
                if self.duties.rating_until.is_none_or(|end| now > end) {
                    return Err(LifecycleError::WindowClosed { command: kind });
                }
                next.duties.rating_until = None;
                if rating == Rating::Unsatisfied {
                    // 不满意: the office decides whether the department re-handles (000 §2.5).
                    next.status = Status::ReopenRequested;
                } else {
                    next.close(now);
                }
                EventKind::Rated {
                    rating,
                    satisfied: ctx.policy.counts_as_satisfied(rating),
                    comment,
                    callback: actor.role == Role::Operator,
                }
            }
            Command::Reopen { reason } if actor.role == Role::Citizen => {
                note("reason", &reason)?;
                next.check_reopen_window(ctx, now)?;
                next.status = Status::ReopenRequested;
                next.closed_at = None;
                EventKind::ReopenRequested { reason }
            }
            Command::DecideReopen {
                confirm: false,
                note: reason,
            } => {
                note("note", &reason)?;
                next.close(now);
                EventKind::ReopenDeclined { reason }
            }
            Command::DecideReopen {
                confirm: true,
                note: reason,
            } => {
                next.start_round(ctx, now)?;
                if self.lead.is_none() {
                    next.status = Status::Registered;
                }
                EventKind::Reopened {
                    reason,
                    round: next.round,
                    due_at: next.due_at.unwrap_or(now),
                }
            }
            Command::Reopen { reason } => {
                note("reason", &reason)?;
                next.check_reopen_window(ctx, now)?;
                next.closed_at = None;
                next.start_round(ctx, now)?;
                if self.lead.is_none() {
                    next.status = Status::Registered;
                }
                EventKind::Reopened {
                    reason,
                    round: next.round,
                    due_at: next.due_at.unwrap_or(now),
                }
            }
            Command::TransferOut {
                target,
                note: text_note,
            } => {
                note("note", &text_note)?;
                next.status = Status::TransferredOut;
                next.close(now);
                EventKind::TransferredOut {
                    target,
                    note: text_note,
                }
            }
            Command::Dismiss {
                reason,
                note: text_note,
                duplicate_of,
            } => {
                note("note", &text_note)?;
                if (reason == Dismissal::Duplicate) != duplicate_of.is_some() {
                    return Err(invalid(
                        "duplicate_of",
                        "重复件须关联原件，其他情形不关联 / a duplicate names its original; nothing else does",
                    ));
                }
                next.close(now);
                EventKind::Dismissed {
                    reason,
                    note: text_note,
                    duplicate_of,
                }
            }
            Command::CloseUnrated => {
                if self.duties.rating_until.is_some_and(|end| now <= end) {
                    return Err(LifecycleError::NotDue { command: kind });
                }
                next.close(now);
                EventKind::ClosedUnrated
            }
            Command::MarkFirstResponseLate => {
                let Some(due) = self.duties.first_response_by else {
                    return Err(LifecycleError::WindowClosed { command: kind });
                };
                if now <= due {
                    return Err(LifecycleError::NotDue { command: kind });
                }
                next.duties.first_response_by = None;
                next.first_response_late = true;
                EventKind::FirstResponseLate
            }
            Command::MarkDispatchLate => {
                let Some(due) = self.duties.dispatch_by else {
                    return Err(LifecycleError::WindowClosed { command: kind });
                };
                if now <= due {
                    return Err(LifecycleError::NotDue { command: kind });
                }
                next.duties.dispatch_by = None;
                EventKind::DispatchLate
            }
            Command::MarkStageReportLate => {
                let Some(due) = self.duties.stage_report_by else {
                    return Err(LifecycleError::WindowClosed { command: kind });
                };
                if now < due {
                    return Err(LifecycleError::NotDue { command: kind });
                }
                next.duties.stage_report_by = None;
                EventKind::StageReportLate
            }
            Command::Remind => {
                if by_system {
                    let Some(at) = self.duties.remind_at else {
                        return Err(LifecycleError::WindowClosed { command: kind });
                    };
                    if now < at {
                        return Err(LifecycleError::NotDue { command: kind });
                    }
                }
                next.duties.remind_at = None;
                EventKind::Reminded
            }
            Command::Escalate => {
                if by_system {
                    let Some(at) = self.duties.escalate_at else {
                        return Err(LifecycleError::WindowClosed { command: kind });
                    };
                    if now < at {
                        return Err(LifecycleError::NotDue { command: kind });
                    }
                }
                let level = self.escalations.saturating_add(1);
                let overdue = self.overdue_since.is_none() && self.is_late(now);
                if overdue {
                    next.overdue_since = self.due_at;
                    // Past the deadline a reminder is moot: the escalation says more.
                    next.duties.remind_at = None;
                }
                next.escalations = level;
                next.duties.escalate_at = match (level, self.due_at) {
                    (1, Some(due)) if now >= due => {
                        Some(ctx.policy.second_escalation(ctx.calendar, due)?)
                    }
                    (1, Some(due)) => Some(due),
                    _ => None,
                };
                EventKind::Escalated { level, overdue }
            }
        };
        next.version = self.version + 1;
        next.updated_at = now;
        // The table's `to` column binds in release builds too: a change the code computes
        // but the table does not list is refused, never stored.
        if !rule.to.contains(&next.status) {
            return Err(LifecycleError::NotAllowed {
                command: kind,
                status: self.status,
            });
        }
        Ok(Transition {
            case: next,
            event: Event {
                seq: self.version + 1,
                at: now,
                actor: actor.clone(),
                kind: event,
            },
        })
    }

    /// Whether the actor's role matches the table's "who" for this case.
    fn may(&self, role: Role, who: Who) -> bool {
        let department = match role {
            Role::Department(d) | Role::DepartmentHead(d) => Some(d),
            _ => None,
        };
        let lead = department.is_some() && department == self.lead;
        match who {
            Who::Operator => role == Role::Operator,
            Who::LeadDepartment => lead,
            Who::LeadDepartmentHead => {
                matches!(role, Role::DepartmentHead(d) if Some(d) == self.lead)
            }
            Who::Leader => role == Role::Leader,
            Who::CoDepartment => department.is_some_and(|d| self.co_handlers.contains(&d)),
            Who::Reviewer => role == Role::Reviewer,
            Who::Citizen => role == Role::Citizen,
            Who::CitizenOrOperator => matches!(role, Role::Citizen | Role::Operator),
            Who::System => role == Role::System,
            Who::LeadDepartmentOrSystem => lead || role == Role::System,
            Who::SupervisorOrSystem => matches!(role, Role::Supervisor | Role::System),
        }
    }

    /// Ends the case: every duty is done and nothing is overdue any more.
    fn close(&mut self, now: Timestamp) {
        if self.status != Status::TransferredOut {
            self.status = Status::Closed;
        }
        self.closed_at = Some(now);
        self.overdue_since = None;
        self.draft = None;
        self.duties = super::Duties::default();
    }

    /// Starts a new handling round with the lead department (重新办理), its limit counted
    /// from now and capped by the original dispatch method.
    fn start_round(&mut self, ctx: &Context<'_>, now: Timestamp) -> Result<(), LifecycleError> {
        let plan = ctx
            .policy
            .plan(ctx.calendar, &self.facts, now, false, self.dispatch_method)?;
        self.status = Status::InProgress;
        self.round = self.round.saturating_add(1);
        self.extended = false;
        self.following_up = false;
        self.escalations = 0;
        self.overdue_since = None;
        self.co_answered.clear();
        self.coordinated = false;
        self.required_by = None;
        self.duties = super::Duties::default();
        self.follow(&plan);
        Ok(())
    }

    /// A draft sent back (by the head or by review): dropped, and the department handles the
    /// case again, or follows up its promise.
    fn back_to_handling(&mut self) {
        self.status = if self.following_up {
            Status::FollowingUp
        } else {
            Status::InProgress
        };
        self.draft = None;
    }

    /// Sets a required time limit (要求时限): it becomes the deadline, and the duties counted to
    /// the old one follow it.
    fn set_required(&mut self, r: Timestamp) {
        self.required_by = Some(r);
        self.due_at = Some(r);
        self.provisional = false;
        self.duties.remind_at = self.duties.remind_at.filter(|&t| t < r);
        self.duties.escalate_at = Some(r);
        self.duties.stage_report_by = None;
    }

    /// Takes a round's deadlines from `plan`, unless a required time limit replaces them.
    fn follow(&mut self, plan: &crate::policy::Plan) {
        let due = self.required_by.unwrap_or(plan.due_at);
        self.due_at = Some(due);
        self.provisional = plan.provisional && self.required_by.is_none();
        self.duties.remind_at = plan.remind_at.filter(|&t| t < due);
        self.duties.escalate_at = Some(due);
        self.duties.stage_report_by = plan.stage_report_by.filter(|_| self.required_by.is_none());
    }

    /// A returned case waits for dispatch again: no departments, and a same-day duty where
    /// the category needs one.
    fn back_to_dispatch(
        &mut self,
        ctx: &Context<'_>,
        now: Timestamp,
    ) -> Result<(), LifecycleError> {
        self.status = Status::Returned;
        self.lead = None;
        self.dispatch_method = None;
        self.co_handlers.clear();
        self.co_answered.clear();
        self.coordinated = false;
        self.duties.dispatch_by = if ctx.policy.same_day_dispatch.contains(&self.facts.category) {
            Some(ctx.policy.same_working_day(ctx.calendar, now)?)
        } else {
            None
        };
        Ok(())
    }

    /// Refuses a reopen after the window that closure opened.
    fn check_reopen_window(&self, ctx: &Context<'_>, now: Timestamp) -> Result<(), LifecycleError> {
        let closed_at = self.closed_at.unwrap_or(now);
        let window_end = ctx
            .policy
            .after(ctx.calendar, closed_at, ctx.policy.reopen_window)?;
        if now > window_end {
            return Err(LifecycleError::WindowClosed {
                command: CommandKind::Reopen,
            });
        }
        Ok(())
    }
}

fn invalid(field: &'static str, problem: &'static str) -> LifecycleError {
    LifecycleError::Invalid { field, problem }
}

/// Checks a short free-text field: not blank, at most [`MAX_NOTE_CHARS`].
fn note(field: &'static str, value: &str) -> Result<(), LifecycleError> {
    text(field, value, MAX_NOTE_CHARS)
}

fn text(field: &'static str, value: &str, max_chars: usize) -> Result<(), LifecycleError> {
    if value.trim().is_empty() {
        return Err(invalid(field, "不能为空 / must not be empty"));
    }
    if value.chars().count() > max_chars {
        return Err(invalid(field, "内容过长 / too long"));
    }
    Ok(())
}

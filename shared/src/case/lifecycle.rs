//! [`Case::handle`]: checks a command against the transition table and its guards, and
//! yields the next state with the event that records it.

use super::table::{self, CommandKind, Who};
use super::{
    Actor, Case, Category, Complexity, DepartmentId, Dismissal, Event, EventKind, ReplyDraft, Role,
    Status, TransferTarget, Truthfulness, Urgency, Visibility,
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
    },
    /// Send a misrouted case back.
    Return {
        /// Why it is not the department's.
        reason: String,
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
    /// Submit a draft reply for review.
    SubmitDraft(ReplyDraft),
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
        /// Satisfied or not.
        satisfied: bool,
        /// Optional comment.
        comment: Option<String>,
    },
    /// Reopen a closed case.
    Reopen {
        /// Why.
        reason: String,
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
    },
    /// Close after the rating window.
    CloseUnrated,
    /// Record a late first response.
    MarkFirstResponseLate,
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
                let plan = ctx
                    .policy
                    .plan(ctx.calendar, &next.facts, self.received_at, true)?;
                next.due_at = Some(plan.due_at);
                next.provisional = plan.provisional;
                next.duties.first_response_by =
                    self.duties.first_response_by.and(plan.first_response_by);
                next.duties.remind_at = plan.remind_at;
                next.duties.escalate_at = Some(plan.due_at);
                next.duties.stage_report_by = plan.stage_report_by;
                EventKind::Classified {
                    category,
                    due_at: plan.due_at,
                }
            }
            Command::Dispatch { lead, co_handlers } => {
                if self.facts.category.is_transferred_out() {
                    return Err(LifecycleError::MustTransfer);
                }
                let mut co = co_handlers;
                co.sort_unstable();
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
                next.status = Status::Dispatched;
                next.lead = Some(lead);
                next.co_handlers.clone_from(&co);
                next.duties.first_response_by = None;
                next.duties.return_by = Some(return_by);
                EventKind::Dispatched {
                    lead,
                    co_handlers: co,
                    return_by,
                }
            }
            Command::Return { reason } => {
                note("reason", &reason)?;
                if self.duties.return_by.is_none_or(|end| now > end) {
                    return Err(LifecycleError::WindowClosed { command: kind });
                }
                let department = self.lead.unwrap_or_default();
                next.status = Status::Returned;
                next.lead = None;
                next.co_handlers.clear();
                next.duties.return_by = None;
                EventKind::Returned { department, reason }
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
                if self.extended {
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
                let Role::Department(department) = actor.role else {
                    return Err(LifecycleError::Forbidden { command: kind });
                };
                EventKind::CoHandlerOpinion {
                    department,
                    text: opinion,
                }
            }
            Command::SubmitDraft(draft) => {
                text("body", &draft.body, MAX_REPLY_CHARS)?;
                if draft.promised_by.is_some_and(|p| p <= now) {
                    return Err(invalid(
                        "promised_by",
                        "承诺期限须在将来 / the promise date must lie ahead",
                    ));
                }
                next.status = Status::UnderReview;
                let event = EventKind::DraftSubmitted {
                    truthfulness: draft.truthfulness,
                    grade: draft.grade,
                    withhold: draft.withhold,
                    promised_by: draft.promised_by,
                };
                next.draft = Some(draft);
                event
            }
            Command::Approve => {
                next.status = Status::Approved;
                next.redo_count = 0;
                EventKind::Approved
            }
            Command::Reject { reason } => {
                note("reason", &reason)?;
                next.status = if self.following_up {
                    Status::FollowingUp
                } else {
                    Status::InProgress
                };
                next.draft = None;
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
            Command::Rate { satisfied, comment } => {
                if let Some(c) = &comment {
                    note("comment", c)?;
                }
                if self.duties.rating_until.is_none_or(|end| now > end) {
                    return Err(LifecycleError::WindowClosed { command: kind });
                }
                next.duties.rating_until = None;
                if satisfied {
                    next.close(now);
                } else {
                    next.start_round(ctx, now)?;
                }
                EventKind::Rated { satisfied, comment }
            }
            Command::Reopen { reason } => {
                note("reason", &reason)?;
                let closed_at = self.closed_at.unwrap_or(now);
                let window_end =
                    ctx.policy
                        .after(ctx.calendar, closed_at, ctx.policy.reopen_window)?;
                if now > window_end {
                    return Err(LifecycleError::WindowClosed { command: kind });
                }
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
            } => {
                note("note", &text_note)?;
                next.close(now);
                EventKind::Dismissed {
                    reason,
                    note: text_note,
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
        let lead = matches!(role, Role::Department(d) if Some(d) == self.lead);
        match who {
            Who::Operator => role == Role::Operator,
            Who::LeadDepartment => lead,
            Who::CoDepartment => {
                matches!(role, Role::Department(d) if self.co_handlers.contains(&d))
            }
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

    /// Starts a new handling round with the lead department (重新办理).
    fn start_round(&mut self, ctx: &Context<'_>, now: Timestamp) -> Result<(), LifecycleError> {
        let plan = ctx.policy.plan(ctx.calendar, &self.facts, now, false)?;
        self.status = Status::InProgress;
        self.round = self.round.saturating_add(1);
        self.due_at = Some(plan.due_at);
        self.provisional = plan.provisional;
        self.extended = false;
        self.following_up = false;
        self.escalations = 0;
        self.overdue_since = None;
        self.duties = super::Duties {
            remind_at: plan.remind_at,
            escalate_at: Some(plan.due_at),
            stage_report_by: plan.stage_report_by,
            ..super::Duties::default()
        };
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

//! Audit events: one per state change, append-only (the archive of 004 §15; keeping it
//! append-only is the project's way of doing it).

use super::{
    Actor, Category, Channel, DepartmentId, Dismissal, DispatchMethod, Grade, Rating,
    TransferTarget, Truthfulness, Visibility, Withhold,
};
use crate::calendar::Timestamp;
use serde_json::{Value, json};

/// One state change of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Position in the case's history, from 1; equals the case's version after the change.
    pub seq: u32,
    /// When it happened (never earlier than the event before it).
    pub at: Timestamp,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub kind: EventKind,
}

/// What happened, with the details the archive keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// 受理: the case was registered.
    Registered {
        /// How it arrived.
        channel: Channel,
        /// What it asks for.
        category: Category,
        /// The deadline computed at intake.
        due_at: Timestamp,
        /// Whether a courtesy acknowledgement went out at once.
        acknowledged: bool,
    },
    /// The classification was corrected.
    Classified {
        /// The new category.
        category: Category,
        /// The recomputed deadline.
        due_at: Timestamp,
    },
    /// 交办: dispatched.
    Dispatched {
        /// Lead department.
        lead: DepartmentId,
        /// Co-handling departments.
        co_handlers: Vec<DepartmentId>,
        /// How it was dispatched.
        method: DispatchMethod,
        /// End of the return window.
        return_by: Timestamp,
        /// The deadline, fixed at dispatch.
        due_at: Timestamp,
    },
    /// A same-day dispatch was missed.
    DispatchLate,
    /// The lead department asked the office to take the case back.
    ReturnRequested {
        /// The department asking.
        department: DepartmentId,
        /// Why.
        reason: String,
    },
    /// The office decided a return request.
    ReturnDecided {
        /// True: returned for dispatch; false: the department handles it.
        approved: bool,
        /// The office's note.
        note: String,
    },
    /// The office coordinated the co-handlers.
    Coordinated {
        /// What was agreed.
        note: String,
    },
    /// A leader's instruction (批示).
    Instructed {
        /// The instruction.
        text: String,
        /// The required time limit, if one was set.
        required_by: Option<Timestamp>,
    },
    /// A consultation answered at intake and closed (当即答复).
    AnsweredOnTheSpot {
        /// The answer given.
        answer: String,
    },
    /// The department head signed the draft off (签发).
    SignedOff,
    /// The department head sent the draft back to the handler.
    DraftSentBack {
        /// Why.
        reason: String,
    },
    /// 退回: returned by the lead department.
    Returned {
        /// The department that returned it.
        department: DepartmentId,
        /// Why.
        reason: String,
    },
    /// 签收: accepted by the lead department (or deemed accepted).
    Accepted {
        /// True when the sweep accepted it after the return window.
        automatic: bool,
    },
    /// 延期: extended with a stage report.
    Extended {
        /// The stage report.
        stage_report: String,
        /// The new deadline.
        due_at: Timestamp,
    },
    /// 会办意见: a co-handler's opinion.
    CoHandlerOpinion {
        /// The co-handling department.
        department: DepartmentId,
        /// The opinion.
        text: String,
    },
    /// A draft reply went to review.
    DraftSubmitted {
        /// Truthfulness stated by the department.
        truthfulness: Truthfulness,
        /// Result grade, if any.
        grade: Option<Grade>,
        /// Never-public reason, if any.
        withhold: Option<Withhold>,
        /// Promise date, if the reply promises further work.
        promised_by: Option<Timestamp>,
    },
    /// The reviewer approved the draft.
    Approved,
    /// The reviewer rejected the draft.
    Rejected {
        /// Why.
        reason: String,
    },
    /// 答复: the reply was published.
    Published {
        /// Who may read it.
        visibility: Visibility,
        /// True when the citizen asked for more publicity than the rules allowed.
        forced_private: bool,
        /// True when published after the deadline.
        late: bool,
    },
    /// The reply was rated.
    Rated {
        /// The level given.
        rating: Rating,
        /// Whether it counts as satisfied under the policy in force.
        satisfied: bool,
        /// The citizen's comment, if any.
        comment: Option<String>,
        /// True when an operator recorded it after a callback (回访).
        callback: bool,
    },
    /// A reopen request waits for the office.
    ReopenRequested {
        /// Why.
        reason: String,
    },
    /// The office declined to reopen; the case is closed again.
    ReopenDeclined {
        /// Why.
        reason: String,
    },
    /// 重新办理: a new handling round began.
    Reopened {
        /// Why.
        reason: String,
        /// The new round.
        round: u16,
        /// The new deadline.
        due_at: Timestamp,
    },
    /// 转出: transferred out of the platform.
    TransferredOut {
        /// Where to.
        target: TransferTarget,
        /// The operator's note.
        note: String,
    },
    /// Closed without handling.
    Dismissed {
        /// Why.
        reason: Dismissal,
        /// The operator's note.
        note: String,
        /// The original case, for a duplicate.
        duplicate_of: Option<i64>,
    },
    /// Closed after the rating window lapsed.
    ClosedUnrated,
    /// The first response came late.
    FirstResponseLate,
    /// A stage report was not made by its date.
    StageReportLate,
    /// 催办: a reminder.
    Reminded,
    /// 督办: an escalation.
    Escalated {
        /// 1 for the first escalation of the round, then 2, ...
        level: u8,
        /// Whether this escalation marked the case overdue.
        overdue: bool,
    },
}

impl EventKind {
    /// The stable code stored in `case_event.kind`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "registered",
            Self::Classified { .. } => "classified",
            Self::Dispatched { .. } => "dispatched",
            Self::DispatchLate => "dispatch_late",
            Self::ReturnRequested { .. } => "return_requested",
            Self::ReturnDecided { .. } => "return_decided",
            Self::Coordinated { .. } => "coordinated",
            Self::Instructed { .. } => "instructed",
            Self::AnsweredOnTheSpot { .. } => "answered_on_the_spot",
            Self::SignedOff => "signed_off",
            Self::DraftSentBack { .. } => "draft_sent_back",
            Self::Returned { .. } => "returned",
            Self::Accepted { .. } => "accepted",
            Self::Extended { .. } => "extended",
            Self::CoHandlerOpinion { .. } => "co_handler_opinion",
            Self::DraftSubmitted { .. } => "draft_submitted",
            Self::Approved => "approved",
            Self::Rejected { .. } => "rejected",
            Self::Published { .. } => "published",
            Self::Rated { .. } => "rated",
            Self::ReopenRequested { .. } => "reopen_requested",
            Self::ReopenDeclined { .. } => "reopen_declined",
            Self::Reopened { .. } => "reopened",
            Self::TransferredOut { .. } => "transferred_out",
            Self::Dismissed { .. } => "dismissed",
            Self::ClosedUnrated => "closed_unrated",
            Self::FirstResponseLate => "first_response_late",
            Self::StageReportLate => "stage_report_late",
            Self::Reminded => "reminded",
            Self::Escalated { .. } => "escalated",
        }
    }

    /// Whether the public timeline of a public case shows this event. Internal handling
    /// (returns, drafts, review, supervision, transfers) and private replies never show.
    pub fn is_public(&self) -> bool {
        match self {
            Self::Registered { .. }
            | Self::Dispatched { .. }
            | Self::Accepted { .. }
            | Self::Extended { .. }
            | Self::AnsweredOnTheSpot { .. }
            | Self::Rated { .. }
            | Self::ReopenRequested { .. }
            | Self::ReopenDeclined { .. }
            | Self::Reopened { .. }
            | Self::Dismissed { .. }
            | Self::ClosedUnrated => true,
            Self::Published { visibility, .. } => visibility.is_public(),
            _ => false,
        }
    }

    /// The details as JSON, stored in `case_event.data`.
    pub fn data(&self) -> Value {
        let ms = |t: &Timestamp| t.as_millisecond();
        match self {
            Self::Registered {
                channel,
                category,
                due_at,
                acknowledged,
            } => json!({"channel": channel.code(), "category": category.code(),
                        "due_at": ms(due_at), "acknowledged": acknowledged}),
            Self::Classified { category, due_at } => {
                json!({"category": category.code(), "due_at": ms(due_at)})
            }
            Self::Dispatched {
                lead,
                co_handlers,
                method,
                return_by,
                due_at,
            } => json!({"lead": lead, "co_handlers": co_handlers, "method": method.code(),
                        "return_by": ms(return_by), "due_at": ms(due_at)}),
            Self::ReturnRequested { department, reason } => {
                json!({"department": department, "reason": reason})
            }
            Self::ReturnDecided { approved, note } => json!({"approved": approved, "note": note}),
            Self::Coordinated { note } => json!({"note": note}),
            Self::Instructed { text, required_by } => {
                json!({"text": text, "required_by": required_by.as_ref().map(ms)})
            }
            Self::AnsweredOnTheSpot { answer } => json!({"answer": answer}),
            Self::DraftSentBack { reason }
            | Self::ReopenRequested { reason }
            | Self::ReopenDeclined { reason } => json!({"reason": reason}),
            Self::Returned { department, reason } => {
                json!({"department": department, "reason": reason})
            }
            Self::Accepted { automatic } => json!({"automatic": automatic}),
            Self::Extended {
                stage_report,
                due_at,
            } => json!({"stage_report": stage_report, "due_at": ms(due_at)}),
            Self::CoHandlerOpinion { department, text } => {
                json!({"department": department, "text": text})
            }
            Self::DraftSubmitted {
                truthfulness,
                grade,
                withhold,
                promised_by,
            } => json!({"truthfulness": truthfulness.code(), "grade": grade.map(Grade::code),
                        "withhold": withhold.map(Withhold::code),
                        "promised_by": promised_by.as_ref().map(ms)}),
            Self::Approved
            | Self::SignedOff
            | Self::DispatchLate
            | Self::ClosedUnrated
            | Self::FirstResponseLate
            | Self::StageReportLate
            | Self::Reminded => json!({}),
            Self::Rejected { reason } => json!({"reason": reason}),
            Self::Published {
                visibility,
                forced_private,
                late,
            } => {
                json!({"visibility": visibility.code(), "forced_private": forced_private, "late": late})
            }
            Self::Rated {
                rating,
                satisfied,
                comment,
                callback,
            } => json!({"rating": rating.code(), "satisfied": satisfied, "comment": comment,
                        "callback": callback}),
            Self::Reopened {
                reason,
                round,
                due_at,
            } => json!({"reason": reason, "round": round, "due_at": ms(due_at)}),
            Self::TransferredOut { target, note } => {
                json!({"target": target.code(), "note": note})
            }
            Self::Dismissed {
                reason,
                note,
                duplicate_of,
            } => json!({"reason": reason.code(), "note": note, "duplicate_of": duplicate_of}),
            Self::Escalated { level, overdue } => json!({"level": level, "overdue": overdue}),
        }
    }
}

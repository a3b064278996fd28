//! The transition table: every change a case may go through, who may make it, and the clause
//! of the regulations behind it. `docs/lifecycle.md` is rendered from this table (a test keeps
//! it current), so what people read is what the code enforces.

use super::Status::{self, *};
use std::fmt::Write as _;

/// The kinds of command a case accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// Correct category, urgency or complexity before dispatch.
    Classify,
    /// Assign a lead and co-handling departments.
    Dispatch,
    /// The lead department sends a misrouted case back.
    Return,
    /// The lead department takes the case on (or the sweep, once the return window lapsed).
    Accept,
    /// Extend the deadline once, with a stage report.
    Extend,
    /// A co-handling department sends its opinion to the lead.
    CoHandlerOpinion,
    /// The lead department submits a draft reply for review.
    SubmitDraft,
    /// The reviewer approves the draft.
    Approve,
    /// The reviewer rejects the draft; the department redoes it.
    Reject,
    /// The office publishes the approved reply.
    Publish,
    /// The citizen rates the reply.
    Rate,
    /// The citizen or an operator asks to reopen a closed case.
    Reopen,
    /// Transfer a legal or discipline case out of the platform.
    TransferOut,
    /// Close without handling (duplicate, no content, withdrawn).
    Dismiss,
    /// Close a replied case whose rating window lapsed.
    CloseUnrated,
    /// Record that the first response came too late.
    MarkFirstResponseLate,
    /// Remind the department before the deadline.
    Remind,
    /// Escalate (督办) at or after the deadline.
    Escalate,
}

impl CommandKind {
    /// The name of the command as an office calls it.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Classify => "更正分类",
            Self::Dispatch => "交办",
            Self::Return => "退回",
            Self::Accept => "签收",
            Self::Extend => "延期",
            Self::CoHandlerOpinion => "会办意见",
            Self::SubmitDraft => "提交答复稿",
            Self::Approve => "审核通过",
            Self::Reject => "审核退回",
            Self::Publish => "发布答复",
            Self::Rate => "满意度评价",
            Self::Reopen => "申请重办",
            Self::TransferOut => "转出",
            Self::Dismiss => "不予办理",
            Self::CloseUnrated => "逾期未评价办结",
            Self::MarkFirstResponseLate => "首次响应超时",
            Self::Remind => "催办",
            Self::Escalate => "督办",
        }
    }
}

/// Who may issue a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Operators only.
    Operator,
    /// Staff of the case's lead department.
    LeadDepartment,
    /// Staff of one of the case's co-handling departments.
    CoDepartment,
    /// Reviewers.
    Reviewer,
    /// The citizen.
    Citizen,
    /// The citizen or an operator.
    CitizenOrOperator,
    /// The sweep, once the duty is due.
    System,
    /// The lead department, or the sweep once the duty is due.
    LeadDepartmentOrSystem,
    /// A supervisor by hand, or the sweep once the duty is due.
    SupervisorOrSystem,
}

impl Who {
    fn describe(self) -> &'static str {
        match self {
            Who::Operator => "话务/交办员 Operator",
            Who::LeadDepartment => "主办单位 Lead department",
            Who::CoDepartment => "会办单位 Co-handling department",
            Who::Reviewer => "审核人 Reviewer",
            Who::Citizen => "留言人 Citizen",
            Who::CitizenOrOperator => "留言人或话务员 Citizen or operator",
            Who::System => "定时任务 Sweep (when due)",
            Who::LeadDepartmentOrSystem => {
                "主办单位；到期后定时任务 Lead department; sweep when due"
            }
            Who::SupervisorOrSystem => "督办人；到期后定时任务 Supervisor; sweep when due",
        }
    }
}

/// One row of the transition table.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The command.
    pub command: CommandKind,
    /// The statuses it is allowed from.
    pub from: &'static [Status],
    /// The statuses it may lead to.
    pub to: &'static [Status],
    /// Who may issue it.
    pub who: Who,
    /// What it does and its guards, Chinese first.
    pub note: &'static str,
    /// The regulation clause (seed number and section, as `docs/regulations.md` cites them), or
    /// 项目自定 where no clause states the rule.
    pub clause: &'static str,
}

const CLOCK_RUNNING: &[Status] = &[
    Registered,
    Dispatched,
    Returned,
    InProgress,
    UnderReview,
    Approved,
    FollowingUp,
];

/// Every allowed change. Anything not here is refused with
/// [`super::LifecycleError::NotAllowed`].
pub const TRANSITIONS: &[Rule] = &[
    Rule {
        command: CommandKind::Classify,
        from: &[Registered, Returned],
        to: &[Registered, Returned],
        who: Who::Operator,
        note: "更正类别、紧急程度、复杂程度，按受理时间重算时限 / correct the classification; deadlines recomputed from receipt",
        clause: "004 §9",
    },
    Rule {
        command: CommandKind::Dispatch,
        from: &[Registered, Returned],
        to: &[Dispatched],
        who: Who::Operator,
        note: "指定主办单位及会办单位；涉法涉诉、党风廉政类不交办，只能转出；退回时限自交办起算 / assign lead and co-handlers; legal and discipline cases can only be transferred out; the return window starts",
        clause: "004 §9, 003 §2.4, 000 §2.2(5)",
    },
    Rule {
        command: CommandKind::Return,
        from: &[Dispatched],
        to: &[Returned],
        who: Who::LeadDepartment,
        note: "非本单位职责，须在退回时限内说明理由 / not ours: only inside the return window, with a reason",
        clause: "004 §10",
    },
    Rule {
        command: CommandKind::Accept,
        from: &[Dispatched],
        to: &[InProgress],
        who: Who::LeadDepartmentOrSystem,
        note: "签收办理；退回时限届满未退回的视为签收 / take the case on; deemed accepted when the return window lapses",
        clause: "004 §10, 000 §2.1(3)",
    },
    Rule {
        command: CommandKind::Extend,
        from: &[InProgress],
        to: &[InProgress],
        who: Who::LeadDepartment,
        note: "报送阶段性办理情况并延期，每轮一次，不超过设定上限（项目自定） / stage report and a new deadline, once a round, within the configured cap (project's choice)",
        clause: "004 §10, 000 §9.2(2)",
    },
    Rule {
        command: CommandKind::CoHandlerOpinion,
        from: &[InProgress],
        to: &[InProgress],
        who: Who::CoDepartment,
        note: "会办单位向主办单位提出意见 / a co-handler's opinion to the lead",
        clause: "000 §2.2(5)",
    },
    Rule {
        command: CommandKind::SubmitDraft,
        from: &[InProgress, FollowingUp],
        to: &[UnderReview],
        who: Who::LeadDepartment,
        note: "提交答复稿：注明属实程度，可注明结果等级、不宜公开情形、承诺事项期限 / draft reply with truthfulness; grade, never-public reason and promise date where they apply",
        clause: "004 §10, 004 §12, 000 §2.4(3)",
    },
    Rule {
        command: CommandKind::Approve,
        from: &[UnderReview],
        to: &[Approved],
        who: Who::Reviewer,
        note: "审核事实、政策、法律、文字、保密 / review facts, policy, law, wording, secrecy",
        clause: "004 §11",
    },
    Rule {
        command: CommandKind::Reject,
        from: &[UnderReview],
        to: &[InProgress, FollowingUp],
        who: Who::Reviewer,
        note: "退回重办，须说明理由；连续退回计数 / sent back for redo with a reason; consecutive redos are counted",
        clause: "004 §11, 001 §2, 001 §3(一)",
    },
    Rule {
        command: CommandKind::Publish,
        from: &[Approved],
        to: &[Replied, FollowingUp],
        who: Who::Reviewer,
        note: "统一回复。不属实、四类不宜公开情形、党风廉政类、留言人未同意公开的，一律个别答复；有承诺事项的转跟踪落实 / unified reply; untrue, the four never-public kinds, discipline cases and cases without consent are forced private; promises lead to follow-up",
        clause: "004 §12, 002 §3；党风廉政类不公开：项目自定",
    },
    Rule {
        command: CommandKind::Rate,
        from: &[Replied],
        to: &[Closed, InProgress],
        who: Who::Citizen,
        note: "评价期内：满意即办结；不满意则重新办理（新一轮，重算时限） / within the rating window: satisfied closes; unsatisfied starts a new round",
        clause: "000 §2.5, 003 §2.7；评价期：项目自定",
    },
    Rule {
        command: CommandKind::Reopen,
        from: &[Closed],
        to: &[InProgress, Registered],
        who: Who::CitizenOrOperator,
        note: "办结后申请期内可申请重办，须说明理由 / within the reopen window after closure, with a reason",
        clause: "项目自定 / project's choice",
    },
    Rule {
        command: CommandKind::TransferOut,
        from: &[Registered, Returned],
        to: &[TransferredOut],
        who: Who::Operator,
        note: "涉法涉诉转政法机关，党风廉政转纪检监察机关，不公开 / legal to the legal organs, discipline to the commission; never public",
        clause: "004 §9；不公开：项目自定（参见 000 §9.2(2)）",
    },
    Rule {
        command: CommandKind::Dismiss,
        from: &[Registered, Returned],
        to: &[Closed],
        who: Who::Operator,
        note: "重复、无实质内容或本人撤回，须说明 / duplicate, no content or withdrawn, with a note",
        clause: "项目自定 / project's choice",
    },
    Rule {
        command: CommandKind::CloseUnrated,
        from: &[Replied],
        to: &[Closed],
        who: Who::System,
        note: "评价期届满未评价，办结 / the rating window lapsed without a rating",
        clause: "项目自定 / project's choice",
    },
    Rule {
        command: CommandKind::MarkFirstResponseLate,
        from: CLOCK_RUNNING,
        to: CLOCK_RUNNING,
        who: Who::System,
        note: "首次响应超时，记录在案 / the first response is late: recorded",
        clause: "000 §9.2(1), 003 §2.6；时限：项目自定",
    },
    Rule {
        command: CommandKind::Remind,
        from: &[Dispatched, InProgress, UnderReview, Approved, FollowingUp],
        to: &[Dispatched, InProgress, UnderReview, Approved, FollowingUp],
        who: Who::SupervisorOrSystem,
        note: "到期前催办 / reminder before the deadline",
        clause: "004 §4, 002 §4.1；时点：项目自定",
    },
    Rule {
        command: CommandKind::Escalate,
        from: CLOCK_RUNNING,
        to: CLOCK_RUNNING,
        who: Who::SupervisorOrSystem,
        note: "督办：到期时第一次（标记超期），其后再次 / supervision: at the deadline (marks the case overdue) and again later",
        clause: "004 §13, 000 §9.3(1), 002 §4.2；再次督办时点：项目自定",
    },
];

/// The table's row for a command.
pub fn rule(command: CommandKind) -> &'static Rule {
    TRANSITIONS
        .iter()
        .find(|r| r.command == command)
        .unwrap_or_else(|| unreachable!("every command kind has a row"))
}

fn statuses(list: &[Status]) -> String {
    list.iter()
        .map(|s| format!("{} {}", s.label_zh(), s.label_en()))
        .collect::<Vec<_>>()
        .join("、")
}

/// The table as Markdown, for `docs/lifecycle.md`.
pub fn to_markdown() -> String {
    let mut md = String::from(
        "| 操作 Command | 从 From | 到 To | 谁 Who | 规则 Rule | 依据 Clause |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for r in TRANSITIONS {
        let _ = writeln!(
            md,
            "| {} {:?} | {} | {} | {} | {} | {} |",
            r.command.label_zh(),
            r.command,
            statuses(r.from),
            statuses(r.to),
            r.who.describe(),
            r.note,
            r.clause
        );
    }
    md
}

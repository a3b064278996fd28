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
    /// The lead department sends a misrouted case back (or asks to, where the office decides).
    Return,
    /// The office approves or refuses a department's request to return a case.
    DecideReturn,
    /// The office coordinates co-handlers who disagree, so the lead may reply.
    Coordinate,
    /// A leader's instruction (批示), with a required time limit if given.
    Instruct,
    /// The operator answers a consultation on the spot (当即答复) and closes it.
    AnswerOnTheSpot,
    /// The lead department takes the case on (or the sweep, once the return window lapsed).
    Accept,
    /// Extend the deadline once, with a stage report.
    Extend,
    /// A co-handling department sends its opinion to the lead.
    CoHandlerOpinion,
    /// The lead department submits a draft reply for its head's sign-off.
    SubmitDraft,
    /// The department head signs the draft off (签发); it goes to review.
    SignOff,
    /// The department head sends the draft back to the handler.
    SendBackDraft,
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
    /// The office confirms or declines a reopen request.
    DecideReopen,
    /// Transfer a legal or discipline case out of the platform.
    TransferOut,
    /// Close without handling (duplicate, no content, withdrawn).
    Dismiss,
    /// Close a replied case whose rating window lapsed.
    CloseUnrated,
    /// Record that the first response came too late.
    MarkFirstResponseLate,
    /// Record that a same-day dispatch came too late.
    MarkDispatchLate,
    /// Record that a stage report was not made by its date.
    MarkStageReportLate,
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
            Self::DecideReturn => "退回审批",
            Self::Coordinate => "协调会办",
            Self::Instruct => "领导批示",
            Self::AnswerOnTheSpot => "当即答复",
            Self::Accept => "签收",
            Self::Extend => "延期",
            Self::CoHandlerOpinion => "会办意见",
            Self::SubmitDraft => "提交答复稿",
            Self::SignOff => "签发",
            Self::SendBackDraft => "退回修改",
            Self::Approve => "审核通过",
            Self::Reject => "审核退回",
            Self::Publish => "发布答复",
            Self::Rate => "满意度评价",
            Self::Reopen => "申请重办",
            Self::DecideReopen => "重办确认",
            Self::TransferOut => "转出",
            Self::Dismiss => "不予办理",
            Self::CloseUnrated => "逾期未评价办结",
            Self::MarkFirstResponseLate => "首次响应超时",
            Self::MarkDispatchLate => "交办超时",
            Self::MarkStageReportLate => "阶段报告超时",
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
    /// The head of the case's lead department.
    LeadDepartmentHead,
    /// A city leader.
    Leader,
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
            Who::LeadDepartmentHead => "主办单位负责人 Head of the lead department",
            Who::Leader => "领导 Leader",
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
    ReturnRequested,
    Returned,
    InProgress,
    SignOffPending,
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
        note: "指定主办单位、会办单位和交办方式；时限自交办起算并按交办方式封顶（书面7个、电话短信3个工作日），有要求时限的按要求时限；涉法涉诉、党风廉政类不交办，只能转出；退回时限自交办起算 / assign lead, co-handlers and the dispatch method; the deadline is fixed now, counted from dispatch and capped by the method (written 7, phone/SMS 3 working days) unless a required limit is set; legal and discipline cases can only be transferred out; the return window starts",
        clause: "004 §9, 001 §2, 003 §2.4, 000 §2.2(5)",
    },
    Rule {
        command: CommandKind::Return,
        from: &[Dispatched],
        to: &[Returned, ReturnRequested],
        who: Who::LeadDepartment,
        note: "非本单位职责，须在退回时限内说明理由；政策要求时须经交办机构同意（默认要求） / not ours: only inside the return window, with a reason; where the policy says so (the default) the office must consent",
        clause: "004 §10, 000 §2.1(3)",
    },
    Rule {
        command: CommandKind::DecideReturn,
        from: &[ReturnRequested],
        to: &[Returned, InProgress],
        who: Who::Operator,
        note: "同意则退回待重新交办（须当日交办的重新计当日时限）；不同意则由原承办单位办理 / consent: back for dispatch (same-day categories get a new same-day duty); refusal: the department handles it",
        clause: "000 §2.1(3)",
    },
    Rule {
        command: CommandKind::Coordinate,
        from: &[Dispatched, InProgress],
        to: &[Dispatched, InProgress],
        who: Who::Operator,
        note: "会办单位意见不一致或逾期未复，由交办机构协调，主办单位即可答复 / the office coordinates co-handlers; the lead may then reply",
        clause: "000 §2.2(5), 001 §2",
    },
    Rule {
        command: CommandKind::Instruct,
        from: CLOCK_RUNNING,
        to: CLOCK_RUNNING,
        who: Who::Leader,
        note: "领导批示；可设要求时限，替代按政策计算的时限 / a leader's instruction; a required limit, if given, replaces the policy's",
        clause: "001 §2",
    },
    Rule {
        command: CommandKind::AnswerOnTheSpot,
        from: &[Registered],
        to: &[Closed],
        who: Who::Operator,
        note: "咨询类能答复的当即答复并办结 / a consultation answered at intake is closed",
        clause: "001 §2, 004 §9",
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
        from: &[Dispatched, InProgress],
        to: &[Dispatched, InProgress],
        who: Who::CoDepartment,
        note: "会办单位向主办单位提出意见；每轮每个会办单位都回复（或经协调）后主办单位方可提交答复 / a co-handler's opinion to the lead; the lead replies once every co-handler answered this round (or the office coordinated)",
        clause: "000 §2.2(5)",
    },
    Rule {
        command: CommandKind::SubmitDraft,
        from: &[InProgress, FollowingUp],
        to: &[SignOffPending],
        who: Who::LeadDepartment,
        note: "提交答复稿：注明属实程度，可注明结果等级、不宜公开情形、承诺事项期限；会办意见齐全或已协调 / draft reply with truthfulness; grade, never-public reason and promise date where they apply; every co-handler answered or the office coordinated",
        clause: "004 §10, 004 §12, 000 §2.4(3), 000 §2.2(5)",
    },
    Rule {
        command: CommandKind::SignOff,
        from: &[SignOffPending],
        to: &[UnderReview],
        who: Who::LeadDepartmentHead,
        note: "单位负责人签发后报审核 / the head signs off; the draft goes to review",
        clause: "000 §5.1, 000 §2.4(1), 001 §2",
    },
    Rule {
        command: CommandKind::SendBackDraft,
        from: &[SignOffPending],
        to: &[InProgress, FollowingUp],
        who: Who::LeadDepartmentHead,
        note: "负责人退回承办人修改（不计退回重办） / the head sends the draft back to the handler (not a redo)",
        clause: "000 §2.4(1)",
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
        to: &[Closed, ReopenRequested],
        who: Who::CitizenOrOperator,
        note: "评价期内由留言人评价，或话务员回访后代为记录：满意、基本满意即办结；不满意转待确认重办 / within the rating window, by the citizen or recorded by an operator after a callback: satisfied or basically satisfied closes; unsatisfied opens a reopen request",
        clause: "000 §2.5, 003 §2.6（回访）, 003 §2.7；评价等级与评价期：项目自定",
    },
    Rule {
        command: CommandKind::Reopen,
        from: &[Closed],
        to: &[InProgress, Registered, ReopenRequested],
        who: Who::CitizenOrOperator,
        note: "办结后申请期内可申请重办，须说明理由；留言人申请的待话务员确认 / within the reopen window after closure, with a reason; a citizen's request waits for an operator",
        clause: "项目自定 / project's choice",
    },
    Rule {
        command: CommandKind::DecideReopen,
        from: &[ReopenRequested],
        to: &[InProgress, Registered, Closed],
        who: Who::Operator,
        note: "确认则主办单位重新办理（新一轮，重算时限）；不予重办须说明理由并办结 / confirmed: the lead re-handles in a new round; declined: closed, with a reason",
        clause: "000 §2.5, 003 §2.7",
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
        note: "重复、无实质内容或本人撤回，须说明；重复件关联原件并计入原件的反映次数 / duplicate, no content or withdrawn, with a note; a duplicate is linked to its original, whose report count grows",
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
        command: CommandKind::MarkDispatchLate,
        from: &[Registered, Returned],
        to: &[Registered, Returned],
        who: Who::System,
        note: "须当日交办而未交办，记录在案 / a same-day dispatch missed: recorded",
        clause: "004 §9",
    },
    Rule {
        command: CommandKind::MarkStageReportLate,
        from: CLOCK_RUNNING,
        to: CLOCK_RUNNING,
        who: Who::System,
        note: "复杂案件到期未报送阶段性办理情况（延期或答复即视为已报送），记录在案 / a complex case's stage report not made by its date (an extension or the reply makes it): recorded",
        clause: "004 §10",
    },
    Rule {
        command: CommandKind::Remind,
        from: CLOCK_RUNNING,
        to: CLOCK_RUNNING,
        who: Who::SupervisorOrSystem,
        note: "到期前催办（未交办的催交办机构） / reminder before the deadline (to the office while not dispatched)",
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

//! The handling actions staff take on a case: each one a lifecycle command, issued in the
//! role the person holds for it (the transition table decides whether it is allowed now),
//! recorded in the case's events with the account, and in the audit trail.

use maud::{Markup, html};
use minyi::app::cases;
use minyi::app::desk;
use minyi::app::public::DepartmentName;
use minyi::app::staff::Staff;
use minyi::case::{
    Actor, Case, Command, Grade, ReplyDraft, Role, Status, Truthfulness, Visibility,
};
use minyi::staff::StaffRole;
use minyi_web::{Env, Lang, Request, Response, WebError};

use crate::audit;

/// What a person can do to a case from the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// 交办: the operator assigns the lead department.
    Dispatch,
    /// 签收: the department takes the case on.
    Accept,
    /// 退回: the department sends a misrouted case back.
    Return,
    /// 答复: the department submits its draft reply for review.
    Draft,
    /// 审核通过.
    Approve,
    /// 退回重办: the reviewer rejects the draft.
    Reject,
    /// 发布: the reviewer publishes the approved reply.
    Publish,
}

impl Action {
    const ALL: [Action; 7] = [
        Action::Dispatch,
        Action::Accept,
        Action::Return,
        Action::Draft,
        Action::Approve,
        Action::Reject,
        Action::Publish,
    ];

    fn code(self) -> &'static str {
        match self {
            Action::Dispatch => "dispatch",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Draft => "draft",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Publish => "publish",
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match self {
            Action::Dispatch => lang.pick("交办", "Dispatch"),
            Action::Accept => lang.pick("签收", "Accept"),
            Action::Return => lang.pick("退回", "Return"),
            Action::Draft => lang.pick("提交答复", "Submit reply"),
            Action::Approve => lang.pick("审核通过", "Approve"),
            Action::Reject => lang.pick("退回重办", "Reject"),
            Action::Publish => lang.pick("发布", "Publish"),
        }
    }

    /// The status in which the action applies (the lifecycle checks it again).
    fn applies_in(self, status: Status) -> bool {
        match self {
            Action::Dispatch => matches!(status, Status::Registered | Status::Returned),
            Action::Accept | Action::Return => status == Status::Dispatched,
            Action::Draft => status == Status::InProgress,
            Action::Approve | Action::Reject => status == Status::UnderReview,
            Action::Publish => status == Status::Approved,
        }
    }

    /// The lifecycle role `staff` acts in for this action on `case`, if they hold it: the
    /// operator dispatches; the lead department's handler or head handles; the reviewer
    /// reviews and publishes.
    fn role(self, staff: &Staff, case: &Case) -> Option<Role> {
        match self {
            Action::Dispatch => staff.holds(StaffRole::Operator).then_some(Role::Operator),
            Action::Accept | Action::Return | Action::Draft => {
                let lead = case.lead?;
                (staff.holds(StaffRole::Handler(lead)) || staff.holds(StaffRole::Head(lead)))
                    .then_some(Role::Department(lead))
            }
            Action::Approve | Action::Reject | Action::Publish => {
                staff.holds(StaffRole::Reviewer).then_some(Role::Reviewer)
            }
        }
    }
}

/// The actions the person's roles offer on the case in its current status.
pub fn offered(staff: &Staff, case: &Case) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| a.applies_in(case.status) && a.role(staff, case).is_some())
        .collect()
}

/// Takes `action` on the case: 303 back to the case, or the lifecycle's refusal.
pub async fn act<E: Env>(
    env: &E,
    req: &Request,
    staff: &Staff,
    tracking: &str,
    action: &str,
) -> Result<Response, WebError> {
    let action = Action::ALL
        .into_iter()
        .find(|a| a.code() == action)
        .ok_or(WebError::NotFound)?;
    let id = desk::case_id(env.store(), tracking).await?;
    let case = cases::load(env.store(), id).await?;
    let role = action.role(staff, &case).ok_or_else(|| {
        WebError::forbidden(
            "您的角色不能对此件执行该操作 / your roles do not allow this on this case",
        )
    })?;
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let command = command(action, &get)?;
    let actor = Actor {
        role,
        account: Some(format!("staff:{}", staff.account_id)),
    };
    let rules = env.rules().await?;
    cases::apply(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        id,
        &actor,
        command,
    )
    .await?;
    audit(
        env,
        req,
        Some((staff.account_id, &role_code(role))),
        action.code(),
        Some(id),
        "",
    )
    .await?;
    Ok(Response::see_other(&format!("/desk/cases/{tracking}")))
}

fn role_code(role: Role) -> String {
    match role {
        Role::Department(d) => format!("department:{d}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The lifecycle command of an action, from its form fields.
fn command(action: Action, get: &dyn Fn(&str) -> String) -> Result<Command, WebError> {
    let required = |name: &str| {
        let v = get(name);
        if v.is_empty() {
            Err(WebError::bad(name, "此项必填 / required"))
        } else {
            Ok(v)
        }
    };
    Ok(match action {
        Action::Dispatch => Command::Dispatch {
            lead: required("lead")?.parse().map_err(|_| {
                WebError::bad("lead", "请选择承办单位 / choose the lead department")
            })?,
            co_handlers: Vec::new(),
        },
        Action::Accept => Command::Accept,
        Action::Return => Command::Return {
            reason: required("reason")?,
        },
        Action::Draft => Command::SubmitDraft(ReplyDraft {
            body: required("body")?,
            truthfulness: Truthfulness::from_code(&required("truthfulness")?)
                .ok_or_else(|| WebError::bad("truthfulness", "请选择 / choose one"))?,
            grade: Grade::from_code(&get("grade")),
            withhold: None,
            promised_by: None,
        }),
        Action::Approve => Command::Approve,
        Action::Reject => Command::Reject {
            reason: required("reason")?,
        },
        Action::Publish => Command::Publish {
            visibility: Visibility::from_code(&required("visibility")?)
                .ok_or_else(|| WebError::bad("visibility", "请选择 / choose one"))?,
        },
    })
}

/// The form of one action.
pub fn form(lang: Lang, tracking: &str, action: Action, departments: &[DepartmentName]) -> Markup {
    html! {
        form method="post" action={ "/desk/cases/" (tracking) "/" (action.code()) } {
            h3 { (action.label(lang)) }
            @match action {
                Action::Dispatch => {
                    label for="lead" { (lang.pick("承办单位", "Lead department")) }
                    select #lead name="lead" required {
                        @for d in departments { option value=(d.id) { (lang.pick(&d.zh, &d.en)) } }
                    }
                }
                Action::Return | Action::Reject => {
                    label for={ (action.code()) "-reason" } { (lang.pick("理由", "Reason")) }
                    textarea id={ (action.code()) "-reason" } name="reason" required {}
                }
                Action::Draft => {
                    label for="body" { (lang.pick("答复内容", "Reply")) }
                    textarea #body name="body" required {}
                    label for="truthfulness" { (lang.pick("反映情况", "Findings")) }
                    select #truthfulness name="truthfulness" required {
                        @for t in Truthfulness::ALL { option value=(t.code()) { (lang.pick(t.label_zh(), t.label_en())) } }
                    }
                    label for="grade" { (lang.pick("办理结果", "Result")) }
                    select #grade name="grade" {
                        @for g in Grade::ALL { option value=(g.code()) { (lang.pick(g.label_zh(), g.label_en())) } }
                    }
                }
                Action::Publish => {
                    label for="visibility" { (lang.pick("答复方式", "Visibility")) }
                    select #visibility name="visibility" required {
                        @for v in Visibility::ALL { option value=(v.code()) { (lang.pick(v.label_zh(), v.label_en())) } }
                    }
                }
                Action::Accept | Action::Approve => {}
            }
            button type="submit" { (action.label(lang)) }
        }
    }
}

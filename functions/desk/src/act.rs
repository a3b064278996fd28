//! The handling actions staff take on a case: each one a lifecycle command, issued in the
//! role the person holds for it (the transition table decides whether it is allowed now),
//! recorded in the case's events with the account, and in the audit trail.
//!
//! Forms post `application/x-www-form-urlencoded` and are answered 303 back to the case; API
//! clients (a bearer token or a JSON body) get the case's new status as JSON.

use maud::{Markup, html};
use minyi::app::public::DepartmentName;
use minyi::app::staff::Staff;
use minyi::app::{cases, desk};
use minyi::calendar::{Timestamp, iso};
use minyi::case::table::{self, CommandKind};
use minyi::case::{
    Actor, Case, Category, Command, Complexity, Dismissal, DispatchMethod, Grade, Rating,
    ReplyDraft, Role, TransferTarget, Truthfulness, Urgency, Visibility, Withhold,
};
use minyi::ids::TrackingNumber;
use minyi::staff::StaffRole;
use minyi_web::{Env, Lang, Request, Response, WebError, cache};

use crate::audit;

/// Who among the staff issues an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum By {
    /// An operator (受理/交办).
    Operator,
    /// A handler or the head of the lead department.
    Lead,
    /// The head of the lead department (签发).
    LeadHead,
    /// A handler or head of a co-handling department.
    CoHandler,
    /// A reviewer.
    Reviewer,
    /// A leader.
    Leader,
    /// A supervisor.
    Supervisor,
}

/// What a person can do to a case from the desk: the code in the URL, the labels, the
/// lifecycle command it issues and who issues it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    command: CommandKind,
    by: By,
}

const fn action(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    command: CommandKind,
    by: By,
) -> Action {
    Action {
        code,
        zh,
        en,
        command,
        by,
    }
}

/// Every action, in the order the case page offers them.
const ACTIONS: &[Action] = &[
    action(
        "classify",
        "更正分类",
        "Reclassify",
        CommandKind::Classify,
        By::Operator,
    ),
    action(
        "dispatch",
        "交办",
        "Dispatch",
        CommandKind::Dispatch,
        By::Operator,
    ),
    action(
        "approve-return",
        "同意退回",
        "Approve the return",
        CommandKind::DecideReturn,
        By::Operator,
    ),
    action(
        "refuse-return",
        "不同意退回",
        "Refuse the return",
        CommandKind::DecideReturn,
        By::Operator,
    ),
    action(
        "coordinate",
        "协调会办",
        "Coordinate co-handlers",
        CommandKind::Coordinate,
        By::Operator,
    ),
    action("accept", "签收", "Accept", CommandKind::Accept, By::Lead),
    action(
        "return",
        "申请退回",
        "Return",
        CommandKind::Return,
        By::Lead,
    ),
    action(
        "opinion",
        "会办意见",
        "Co-handler's opinion",
        CommandKind::CoHandlerOpinion,
        By::CoHandler,
    ),
    action(
        "extend",
        "延期（阶段性报告）",
        "Extend (stage report)",
        CommandKind::Extend,
        By::Lead,
    ),
    action(
        "draft",
        "提交答复",
        "Submit reply",
        CommandKind::SubmitDraft,
        By::Lead,
    ),
    action(
        "sign-off",
        "签发",
        "Sign off",
        CommandKind::SignOff,
        By::LeadHead,
    ),
    action(
        "send-back",
        "退回修改",
        "Send back to the handler",
        CommandKind::SendBackDraft,
        By::LeadHead,
    ),
    action(
        "approve",
        "审核通过",
        "Approve",
        CommandKind::Approve,
        By::Reviewer,
    ),
    action(
        "reject",
        "退回重办",
        "Reject",
        CommandKind::Reject,
        By::Reviewer,
    ),
    action(
        "publish",
        "发布",
        "Publish",
        CommandKind::Publish,
        By::Reviewer,
    ),
    action(
        "callback",
        "回访评价",
        "Record a callback rating",
        CommandKind::Rate,
        By::Operator,
    ),
    action(
        "confirm-reopen",
        "确认重办",
        "Confirm the reopen",
        CommandKind::DecideReopen,
        By::Operator,
    ),
    action(
        "decline-reopen",
        "不予重办",
        "Decline the reopen",
        CommandKind::DecideReopen,
        By::Operator,
    ),
    action(
        "reopen",
        "重新办理",
        "Reopen",
        CommandKind::Reopen,
        By::Operator,
    ),
    action(
        "dismiss",
        "不予办理",
        "Close without handling",
        CommandKind::Dismiss,
        By::Operator,
    ),
    action(
        "transfer",
        "转出",
        "Transfer out",
        CommandKind::TransferOut,
        By::Operator,
    ),
    action(
        "instruct",
        "领导批示",
        "Leader's instruction",
        CommandKind::Instruct,
        By::Leader,
    ),
    action(
        "remind",
        "催办",
        "Remind",
        CommandKind::Remind,
        By::Supervisor,
    ),
    action(
        "escalate",
        "督办",
        "Escalate",
        CommandKind::Escalate,
        By::Supervisor,
    ),
];

impl Action {
    /// The lifecycle role `staff` acts in for this action on `case`, if they hold it. A
    /// handler acts as the department; a head signs off as its head.
    fn role(self, staff: &Staff, case: &Case) -> Option<Role> {
        let member = |d| staff.holds(StaffRole::Handler(d)) || staff.holds(StaffRole::Head(d));
        let department = |d| {
            if staff.holds(StaffRole::Handler(d)) {
                Some(Role::Department(d))
            } else {
                staff
                    .holds(StaffRole::Head(d))
                    .then_some(Role::DepartmentHead(d))
            }
        };
        match self.by {
            By::Operator => staff.holds(StaffRole::Operator).then_some(Role::Operator),
            By::Lead => department(case.lead?),
            By::LeadHead => {
                let lead = case.lead?;
                staff
                    .holds(StaffRole::Head(lead))
                    .then_some(Role::DepartmentHead(lead))
            }
            By::CoHandler => case
                .co_handlers
                .iter()
                .copied()
                .find(|&d| member(d))
                .and_then(department),
            By::Reviewer => staff.holds(StaffRole::Reviewer).then_some(Role::Reviewer),
            By::Leader => staff.holds(StaffRole::Leader).then_some(Role::Leader),
            By::Supervisor => staff
                .holds(StaffRole::Supervisor)
                .then_some(Role::Supervisor),
        }
    }
}

/// The actions the person's roles offer on the case in its current status (the transition
/// table's "from" column decides; the lifecycle checks everything again when it is taken).
pub fn offered(staff: &Staff, case: &Case) -> Vec<Action> {
    ACTIONS
        .iter()
        .copied()
        .filter(|a| table::rule(a.command).from.contains(&case.status))
        .filter(|a| a.role(staff, case).is_some())
        .collect()
}

/// Takes the action named `code` on the case: 303 back to the case for a form, the new
/// status as JSON for an API client, or the lifecycle's refusal.
pub async fn act<E: Env>(
    env: &E,
    req: &Request,
    staff: &Staff,
    tracking: &str,
    code: &str,
) -> Result<Response, WebError> {
    let action = ACTIONS
        .iter()
        .copied()
        .find(|a| a.code == code)
        .ok_or(WebError::NotFound)?;
    let id = desk::case_id(env.store(), tracking).await?;
    let case = cases::load(env.store(), id).await?;
    let role = action.role(staff, &case).ok_or_else(|| {
        WebError::forbidden(
            "您的角色不能对此件执行该操作 / your roles do not allow this on this case",
        )
    })?;
    let fields = fields(req)?;
    let form = Form(&fields);
    let mut command = command(action, &form)?;
    if let Command::Dismiss { duplicate_of, .. } = &mut command
        && let Some(original) = form.optional("duplicate_of")
    {
        *duplicate_of = Some(original_case(env, id, &original).await?);
    }
    let actor = Actor {
        role,
        account: Some(format!("staff:{}", staff.account_id)),
    };
    let rules = env.rules().await?;
    let done = cases::apply(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        id,
        &actor,
        command,
    )
    .await?;
    env.purge(&cache::keys_of_case(id, &[&case, &done.case]))
        .await;
    audit(
        env,
        req,
        Some((staff.account_id, &role_code(role))),
        action.code,
        Some(id),
        "",
    )
    .await?;
    if crate::is_api(req) {
        let c = &done.case;
        return Ok(Response::json(
            200,
            &serde_json::json!({
                "tracking": tracking,
                "status": c.status.code(),
                "version": c.version,
                "due_at": c.due_at.map(iso::utc),
            }),
        ));
    }
    Ok(Response::see_other(&format!("/desk/cases/{tracking}")))
}

/// The root of a duplicate chain: the case `tracking` names, or the case it duplicates.
async fn original_case<E: Env>(env: &E, id: i64, tracking: &str) -> Result<i64, WebError> {
    let number = TrackingNumber::parse(tracking)
        .map_err(|_| WebError::bad("duplicate_of", "受理编号格式不对 / not a tracking number"))?;
    let original = desk::original(env.store(), number.number()).await?;
    if original == id {
        return Err(WebError::bad(
            "duplicate_of",
            "不能关联本件自身 / a case cannot duplicate itself",
        ));
    }
    Ok(original)
}

fn role_code(role: Role) -> String {
    match role {
        Role::Department(d) => format!("department:{d}"),
        Role::DepartmentHead(d) => format!("department_head:{d}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The most values one JSON field may carry (co-handlers are capped lower by the lifecycle).
const MAX_VALUES: usize = 32;

/// The request's fields: a form's, or a JSON object's (strings as they are, numbers and
/// booleans as text, arrays as repeated fields).
pub fn fields(req: &Request) -> Result<Vec<(String, String)>, WebError> {
    if !req
        .header("content-type")
        .is_some_and(|t| t.trim_start().starts_with("application/json"))
    {
        return req.form();
    }
    let body = req.json()?;
    let object = body
        .as_object()
        .ok_or_else(|| WebError::bad("body", "须为JSON对象 / must be a JSON object"))?;
    let mut out = Vec::new();
    for (name, value) in object {
        let values = match value {
            serde_json::Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        for v in values.into_iter().take(MAX_VALUES) {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            out.push((name.clone(), text));
        }
    }
    Ok(out)
}

/// Reads an action's fields.
struct Form<'a>(&'a [(String, String)]);

impl Form<'_> {
    fn optional(&self, name: &str) -> Option<String> {
        Some(minyi_web::field(self.0, name).trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn text(&self, name: &str) -> String {
        self.optional(name).unwrap_or_default()
    }

    fn required(&self, name: &str) -> Result<String, WebError> {
        self.optional(name)
            .ok_or_else(|| WebError::bad(name, "此项必填 / required"))
    }

    fn code<T>(&self, name: &str, from: fn(&str) -> Option<T>) -> Result<T, WebError> {
        from(&self.required(name)?)
            .ok_or_else(|| WebError::bad(name, "请从列表中选择 / choose from the list"))
    }

    fn optional_code<T>(
        &self,
        name: &str,
        from: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, WebError> {
        self.optional(name)
            .map(|v| {
                from(&v).ok_or_else(|| WebError::bad(name, "请从列表中选择 / choose from the list"))
            })
            .transpose()
    }

    fn department(&self, value: &str, name: &str) -> Result<i64, WebError> {
        value
            .parse()
            .map_err(|_| WebError::bad(name, "请选择单位 / choose a department"))
    }

    /// Every value of a repeated field.
    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// An instant: `YYYY-MM-DD` (the end of that day, 24:00 Beijing time), `YYYY-MM-DDTHH:MM`
    /// (Beijing time, as a browser's date-time field sends it) or RFC 3339 with an offset.
    fn instant(&self, name: &str) -> Result<Option<Timestamp>, WebError> {
        let Some(v) = self.optional(name) else {
            return Ok(None);
        };
        when(&v)
            .map(Some)
            .ok_or_else(|| WebError::bad(name, "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD"))
    }
}

/// See [`Form::instant`].
pub fn when(value: &str) -> Option<Timestamp> {
    if let Some(date) = iso::parse_date(value) {
        let next = date.tomorrow().ok()?;
        return iso::parse_datetime(&format!("{next}T00:00+08:00"));
    }
    iso::parse_datetime(value).or_else(|| iso::parse_datetime(&format!("{value}+08:00")))
}

/// The lifecycle command of an action, from its fields.
fn command(action: Action, f: &Form<'_>) -> Result<Command, WebError> {
    Ok(match action.code {
        "classify" => Command::Classify {
            category: f.code("category", Category::from_code)?,
            urgency: f.code("urgency", Urgency::from_code)?,
            complexity: f.code("complexity", Complexity::from_code)?,
        },
        "dispatch" => Command::Dispatch {
            lead: f.department(&f.required("lead")?, "lead")?,
            co_handlers: f
                .all("co")
                .map(|d| f.department(d, "co"))
                .collect::<Result<_, _>>()?,
            method: f.code("method", DispatchMethod::from_code)?,
        },
        "approve-return" | "refuse-return" => Command::DecideReturn {
            approve: action.code == "approve-return",
            note: f.text("note"),
        },
        "coordinate" => Command::Coordinate {
            note: f.required("note")?,
        },
        "accept" => Command::Accept,
        "return" => Command::Return {
            reason: f.required("reason")?,
        },
        "opinion" => Command::CoHandlerOpinion {
            text: f.required("text")?,
        },
        "extend" => Command::Extend {
            stage_report: f.required("stage_report")?,
            until: f
                .instant("until")?
                .ok_or_else(|| WebError::bad("until", "此项必填 / required"))?,
        },
        "draft" => Command::SubmitDraft(ReplyDraft {
            body: f.required("body")?,
            truthfulness: f.code("truthfulness", Truthfulness::from_code)?,
            grade: f.optional_code("grade", Grade::from_code)?,
            withhold: f.optional_code("withhold", Withhold::from_code)?,
            promised_by: f.instant("promised_by")?,
        }),
        "sign-off" => Command::SignOff,
        "send-back" => Command::SendBackDraft {
            reason: f.required("reason")?,
        },
        "approve" => Command::Approve,
        "reject" => Command::Reject {
            reason: f.required("reason")?,
        },
        "publish" => Command::Publish {
            visibility: f.code("visibility", Visibility::from_code)?,
        },
        "callback" => Command::Rate {
            rating: f.code("rating", Rating::from_code)?,
            comment: f.optional("comment"),
        },
        "confirm-reopen" | "decline-reopen" => Command::DecideReopen {
            confirm: action.code == "confirm-reopen",
            note: f.text("note"),
        },
        "reopen" => Command::Reopen {
            reason: f.required("reason")?,
        },
        "dismiss" => Command::Dismiss {
            reason: f.code("dismissal", Dismissal::from_code)?,
            note: f.required("note")?,
            // Resolved to the original case's id by the caller.
            duplicate_of: None,
        },
        "transfer" => Command::TransferOut {
            target: f.code("target", TransferTarget::from_code)?,
            note: f.required("note")?,
        },
        "instruct" => Command::Instruct {
            text: f.required("text")?,
            required_by: f.instant("required_by")?,
        },
        "remind" => Command::Remind,
        "escalate" => Command::Escalate,
        _ => return Err(WebError::NotFound),
    })
}

/// The form of one action; `suggested` preselects the lead the responsibility list suggests.
pub fn form(
    lang: Lang,
    tracking: &str,
    action: Action,
    departments: &[DepartmentName],
    suggested: Option<i64>,
) -> Markup {
    let id = |name: &str| format!("{}-{name}", action.code);
    let text = |name: &str, zh: &str, en: &str, required: bool| {
        html! {
            label for=(id(name)) { (lang.pick(zh, en)) }
            textarea id=(id(name)) name=(name) required[required] {}
        }
    };
    let date = |name: &str, zh: &str, en: &str, required: bool| {
        html! {
            label for=(id(name)) { (lang.pick(zh, en)) }
            input id=(id(name)) name=(name) type="date" required[required];
        }
    };
    macro_rules! choose {
        ($name:expr, $zh:expr, $en:expr, $all:expr, $optional:expr) => {
            html! {
                label for=(id($name)) { (lang.pick($zh, $en)) }
                select id=(id($name)) name=($name) required[!$optional] {
                    @if $optional { option value="" { "—" } }
                    @for v in $all { option value=(v.code()) { (lang.pick(v.label_zh(), v.label_en())) } }
                }
            }
        };
    }
    html! {
        form method="post" action={ "/desk/cases/" (tracking) "/" (action.code) } {
            h3 { (lang.pick(action.zh, action.en)) }
            @match action.code {
                "classify" => {
                    (choose!("category", "类别", "Category", Category::ALL, false))
                    (choose!("urgency", "紧急程度", "Urgency", Urgency::ALL, false))
                    (choose!("complexity", "复杂程度", "Complexity", Complexity::ALL, false))
                }
                "dispatch" => {
                    label for=(id("lead")) { (lang.pick("主办单位", "Lead department")) }
                    select id=(id("lead")) name="lead" required {
                        @for d in departments {
                            option value=(d.id) selected[suggested == Some(d.id)] {
                                (lang.pick(&d.zh, &d.en))
                                @if suggested == Some(d.id) { (lang.pick("（职责清单建议）", " (suggested by the responsibility list)")) }
                            }
                        }
                    }
                    label for=(id("co")) { (lang.pick("会办单位（可多选）", "Co-handlers (any)")) }
                    select id=(id("co")) name="co" multiple size="4" {
                        @for d in departments { option value=(d.id) { (lang.pick(&d.zh, &d.en)) } }
                    }
                    (choose!("method", "交办方式", "Dispatch method", DispatchMethod::ALL, false))
                }
                "approve-return" | "confirm-reopen" => { (text("note", "说明（可选）", "Note (optional)", false)) }
                "refuse-return" | "coordinate" | "decline-reopen" => { (text("note", "说明", "Note", true)) }
                "return" | "send-back" | "reject" | "reopen" => { (text("reason", "理由", "Reason", true)) }
                "opinion" => { (text("text", "会办意见", "Opinion", true)) }
                "extend" => {
                    (text("stage_report", "阶段性办理情况（将公开说明）", "Stage report (published)", true))
                    (date("until", "新办理期限", "New deadline", true))
                }
                "draft" => {
                    (text("body", "答复内容", "Reply", true))
                    (choose!("truthfulness", "反映情况", "Findings", Truthfulness::ALL, false))
                    (choose!("grade", "办理结果", "Result", Grade::ALL, true))
                    (choose!("withhold", "不宜公开情形", "Never-public reason", Withhold::ALL, true))
                    (date("promised_by", "承诺办结日期（如有）", "Promised by (if any)", false))
                }
                "publish" => { (choose!("visibility", "答复方式", "Visibility", Visibility::ALL, false)) }
                "callback" => {
                    (choose!("rating", "回访评价", "Rating", Rating::ALL, false))
                    (text("comment", "回访记录（可选）", "Callback note (optional)", false))
                }
                "dismiss" => {
                    (choose!("dismissal", "情形", "Why", Dismissal::ALL, false))
                    (text("note", "说明", "Note", true))
                    label for=(id("duplicate_of")) { (lang.pick("原件受理编号（重复件）", "Original's tracking number (duplicates)")) }
                    input id=(id("duplicate_of")) name="duplicate_of";
                }
                "transfer" => {
                    (choose!("target", "转往", "To", TransferTarget::ALL, false))
                    (text("note", "说明", "Note", true))
                }
                "instruct" => {
                    (text("text", "批示内容", "Instruction", true))
                    (date("required_by", "要求时限（可选）", "Required by (optional)", false))
                }
                _ => {}
            }
            button type="submit" { (lang.pick(action.zh, action.en)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_code_and_command_and_the_openapi_lists_them() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("openapi.json")).expect("json");
        let listed: Vec<&str> = doc["paths"]["/desk/cases/{tracking_number}/{action}"]["post"]
            ["parameters"][1]["schema"]["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .map(|v| v.as_str().expect("code"))
            .collect();
        let codes: Vec<&str> = ACTIONS.iter().map(|a| a.code).collect();
        assert_eq!(listed, codes);
        for a in ACTIONS {
            // Each code parses to its own command kind (a form with every field filled).
            let fields: Vec<(String, String)> = [
                ("category", "complaint"),
                ("urgency", "normal"),
                ("complexity", "ordinary"),
                ("lead", "1"),
                ("method", "written"),
                ("note", "说明"),
                ("reason", "理由"),
                ("text", "意见"),
                ("stage_report", "报告"),
                ("until", "2026-12-31"),
                ("body", "答复"),
                ("truthfulness", "true"),
                ("visibility", "public"),
                ("rating", "satisfied"),
                ("dismissal", "no_content"),
                ("target", "legal_organs"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
            let c = command(*a, &Form(&fields)).expect("parses");
            assert_eq!(c.kind(), a.command, "{}", a.code);
        }
    }

    #[test]
    fn dates_are_read_in_beijing_time() {
        assert_eq!(
            when("2026-11-25").map(iso::utc).as_deref(),
            Some("2026-11-25T16:00:00Z")
        );
        assert_eq!(
            when("2026-11-25T09:30").map(iso::utc).as_deref(),
            Some("2026-11-25T01:30:00Z")
        );
        assert_eq!(when("2026-13-01"), None);
    }
}

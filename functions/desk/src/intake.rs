//! Intake by staff: an operator registers a call, letter, mailbox letter or visit with its real
//! receipt time (受理), may answer a consultation on the spot (当即答复), mark a leader's
//! instruction and a required time limit; other platforms' cases come in as an idempotent
//! batch (003 §2.3 民意汇聚).

use maud::html;
use minyi::app::Host;
use minyi::app::cases::{self, Contact, Intake, Location, NewCase, Registered};
use minyi::app::staff::Staff;
use minyi::case::{Actor, Category, Channel, Complexity, Facts, Role, Urgency};
use minyi::staff::StaffRole;
use minyi_web::html::{page, respond};
use minyi_web::{Env, Lang, Request, Response, WebError};
use serde_json::{Value, json};

use crate::act::when;
use crate::audit;

/// The channels an operator registers by hand.
const STAFF_CHANNELS: [Channel; 5] = [
    Channel::Phone,
    Channel::Letter,
    Channel::Visit,
    Channel::Mailbox,
    Channel::Sms,
];

/// Most cases in one import batch.
pub const MAX_IMPORT: usize = 100;

fn operator(staff: &Staff) -> Result<Actor, WebError> {
    if !staff.holds(StaffRole::Operator) {
        return Err(WebError::forbidden(
            "只有话务员可以受理 / only operators register cases",
        ));
    }
    Ok(Actor {
        role: Role::Operator,
        account: Some(format!("staff:{}", staff.account_id)),
    })
}

/// `GET /desk/intake`: the intake form.
pub fn form(req: &Request, lang: Lang, staff: &Staff) -> Result<Response, WebError> {
    operator(staff)?;
    macro_rules! choose {
        ($name:expr, $zh:expr, $en:expr, $all:expr) => {
            html! {
                label for=($name) { (lang.pick($zh, $en)) }
                select id=($name) name=($name) required {
                    @for v in $all { option value=(v.code()) { (lang.pick(v.label_zh(), v.label_en())) } }
                }
            }
        };
    }
    let main = html! {
        p { a href="/desk/" { (lang.pick("← 待办", "← Work")) } }
        h1 { (lang.pick("受理登记", "Register a case")) }
        form method="post" action="/desk/intake" {
            (choose!("channel", "来源渠道", "Channel", STAFF_CHANNELS))
            label for="received_at" { (lang.pick("实际受理时间（北京时间）", "Received at (Beijing time)")) }
            input #received_at name="received_at" type="datetime-local" required;
            (choose!("category", "类别", "Category", Category::ALL))
            (choose!("urgency", "紧急程度", "Urgency", Urgency::ALL))
            (choose!("complexity", "复杂程度", "Complexity", Complexity::ALL))
            label for="title" { (lang.pick("标题", "Title")) }
            input #title name="title" required maxlength="100";
            label for="body" { (lang.pick("诉求内容", "Message")) }
            textarea #body name="body" required maxlength="5000" {}
            label for="name" { (lang.pick("姓名（可选）", "Name (optional)")) }
            input #name name="name" maxlength="50" autocomplete="off";
            label for="phone" { (lang.pick("电话（可选）", "Phone (optional)")) }
            input #phone name="phone" maxlength="20" inputmode="tel" autocomplete="off";
            label { input name="publish" type="checkbox" value="yes"; " " (lang.pick("留言人同意公开", "The citizen agrees to publication")) }
            label { input name="leader_instructed" type="checkbox" value="yes"; " " (lang.pick("领导批示件", "Leader-instructed")) }
            label for="required_by" { (lang.pick("要求时限（紧急件、批示件，可选）", "Required by (urgent or instructed; optional)")) }
            input #required_by name="required_by" type="date";
            label for="answer" { (lang.pick("当即答复（咨询类，填写即办结）", "Answered on the spot (consultations; closes the case)")) }
            textarea #answer name="answer" maxlength="20000" {}
            button type="submit" { (lang.pick("受理", "Register")) }
        }
    };
    Ok(respond(
        lang,
        req,
        200,
        page(lang, req, lang.pick("受理登记", "Register a case"), main),
    ))
}

/// `POST /desk/intake`: registers the case (form or JSON) and shows its tracking number and,
/// for a private case, the query code to tell the citizen (once; never stored readable).
pub async fn register<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    let actor = operator(staff)?;
    let fields = crate::act::fields(req)?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let optional = |name: &str| Some(get(name)).filter(|v| !v.is_empty());
    let code = |name: &str| get(name);
    let channel = Channel::from_code(&code("channel"))
        .filter(|c| STAFF_CHANNELS.contains(c))
        .ok_or_else(|| WebError::bad("channel", "请选择来源渠道 / choose the channel"))?;
    let received_at = when(&get("received_at"))
        .ok_or_else(|| WebError::bad("received_at", "请填写受理时间 / give the receipt time"))?;
    let yes = |name: &str| matches!(get(name).as_str(), "yes" | "true" | "on" | "1");
    let case = NewCase {
        facts: Facts {
            channel,
            category: Category::from_code(&code("category"))
                .ok_or_else(|| WebError::bad("category", "请选择类别 / choose a category"))?,
            urgency: Urgency::from_code(&code("urgency")).unwrap_or(Urgency::Normal),
            complexity: Complexity::from_code(&code("complexity")).unwrap_or(Complexity::Ordinary),
            publish_consent: yes("publish"),
        },
        title: get("title"),
        body: get("body"),
        contact: Contact {
            name: optional("name"),
            phone: optional("phone"),
            email: None,
        },
        location: Location::default(),
        idempotency: None,
        intake: Intake {
            received_at: Some(received_at),
            leader_instructed: yes("leader_instructed"),
            required_by: optional("required_by")
                .map(|v| {
                    when(&v).ok_or_else(|| {
                        WebError::bad(
                            "required_by",
                            "日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD",
                        )
                    })
                })
                .transpose()?,
            answered_on_the_spot: optional("answer"),
            source: None,
        },
    };
    let rules = env.rules().await?;
    let done = cases::register(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        case,
        actor,
        None,
    )
    .await?;
    audit(
        env,
        req,
        Some((staff.account_id, "operator")),
        "intake",
        Some(done.id),
        "",
    )
    .await?;
    if crate::is_api(req) {
        return Ok(
            Response::json(201, &registered_json(&done)).with_header("cache-control", "no-store")
        );
    }
    let tracking = done.tracking.as_str();
    let main = html! {
        h1 { (lang.pick("已受理", "Registered")) }
        dl {
            dt { (lang.pick("受理编号", "Tracking number")) } dd #tracking { (done.tracking.to_string()) }
            @if let Some(code) = &done.query_code {
                dt { (lang.pick("查询码（请告知留言人，仅显示一次）", "Query code (tell the citizen; shown once)")) }
                dd #query-code { (code.display()) }
            }
            dt { (lang.pick("状态", "Status")) } dd { (lang.pick(done.case.status.label_zh(), done.case.status.label_en())) }
        }
        p { a href={ "/desk/cases/" (tracking) } { (lang.pick("查看此件", "Open the case")) } }
        p { a href="/desk/intake" { (lang.pick("继续受理", "Register another")) } }
    };
    Ok(respond(
        lang,
        req,
        201,
        page(lang, req, lang.pick("已受理", "Registered"), main),
    )
    .with_header("cache-control", "no-store"))
}

fn registered_json(done: &Registered) -> Value {
    json!({
        "tracking": done.tracking.as_str(),
        "query_code": done.query_code.as_ref().map(|c| c.display()),
        "status": done.case.status.code(),
        "due_at": done.case.due_at.map(minyi::calendar::iso::utc),
        "replayed": done.replayed,
    })
}

/// `POST /desk/api/import`: a batch of cases from another platform, `{"source_system": "…",
/// "cases": [{"source_id", "received_at", "category", "title", "body", "urgency"?,
/// "publish_consent"?, "contact"?: {"name"?, "phone"?}}]}`. Every item is checked first and
/// nothing is stored if any is wrong; each is then registered idempotently on (source system,
/// source id), so a retried batch registers nothing twice.
pub async fn import<E: Env>(env: &E, req: &Request, staff: &Staff) -> Result<Response, WebError> {
    let actor = operator(staff)?;
    let body = req.json()?;
    let system = body["source_system"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if system.is_empty() {
        return Err(WebError::bad("source_system", "此项必填 / required"));
    }
    let items = body["cases"]
        .as_array()
        .filter(|a| !a.is_empty() && a.len() <= MAX_IMPORT)
        .ok_or_else(|| {
            WebError::bad(
                "cases",
                "须为1至100件的数组 / must be an array of 1–100 cases",
            )
        })?;
    let cases: Vec<NewCase> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            imported(&system, item).map_err(|field| WebError::BadRequest {
                field: format!("cases[{i}].{field}"),
                problem: "缺少或无效 / missing or invalid".into(),
            })
        })
        .collect::<Result<_, _>>()?;
    let now = env.host().now();
    for (i, case) in cases.iter().enumerate() {
        cases::received_at(&case.intake, now).map_err(|e| match WebError::from(e) {
            WebError::BadRequest { field, problem } => WebError::BadRequest {
                field: format!("cases[{i}].{field}"),
                problem,
            },
            other => other,
        })?;
    }
    let rules = env.rules().await?;
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let source_id = case.intake.source.as_ref().map(|s| s.1.clone());
        let done = cases::register(
            env.store(),
            env.host(),
            rules.rules(&env.config().secret),
            case,
            actor.clone(),
            None,
        )
        .await?;
        let mut row = registered_json(&done);
        row["source_id"] = json!(source_id);
        results.push(row);
    }
    audit(
        env,
        req,
        Some((staff.account_id, "operator")),
        "import",
        None,
        &format!("{system}: {}", results.len()),
    )
    .await?;
    Ok(
        Response::json(200, &json!({ "results": results }))
            .with_header("cache-control", "no-store"),
    )
}

/// One imported case, or the name of its first bad field.
fn imported(system: &str, item: &Value) -> Result<NewCase, &'static str> {
    let text = |name: &'static str| {
        item[name]
            .as_str()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(name)
    };
    let contact = |name: &str| item["contact"][name].as_str().map(str::to_owned);
    Ok(NewCase {
        facts: Facts {
            channel: Channel::Import,
            category: Category::from_code(&text("category")?).ok_or("category")?,
            urgency: match item["urgency"].as_str() {
                None => Urgency::Normal,
                Some(u) => Urgency::from_code(u).ok_or("urgency")?,
            },
            complexity: Complexity::Ordinary,
            publish_consent: item["publish_consent"].as_bool().unwrap_or(false),
        },
        title: text("title")?,
        body: text("body")?,
        contact: Contact {
            name: contact("name"),
            phone: contact("phone"),
            email: None,
        },
        location: Location::default(),
        idempotency: None,
        intake: Intake {
            received_at: Some(
                minyi::calendar::iso::parse_datetime(&text("received_at")?).ok_or("received_at")?,
            ),
            source: Some((system.to_owned(), text("source_id")?)),
            ..Intake::default()
        },
    })
}

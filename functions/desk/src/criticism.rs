//! `GET /desk/criticism?quarter=YYYY-Qn[&page=N]` (supervisors, leaders, admins): the
//! criticism records (通报批评情形) of a quarter, oldest first, a page at a time; and
//! `POST /desk/criticism` (supervisors only): a trigger only a person can judge, recorded with
//! a note and audited.

use maud::html;
use minyi::app::Host;
use minyi::app::criticism::{self, ByHand, Quarter, Record, Trigger};
use minyi::app::staff::Staff;
use minyi::ids::TrackingNumber;
use minyi::staff::StaffRole;
use minyi_web::html::{page, respond, time};
use minyi_web::{Env, Lang, Request, Response, WebError};

/// The list of a quarter's records, with the form for supervisors.
pub async fn page_of<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    crate::statistics::require_oversight(staff)?;
    let quarter = match req.query_param("quarter") {
        Some(q) => Quarter::parse(&q)
            .ok_or_else(|| WebError::bad("quarter", "格式应为 YYYY-Qn / expected YYYY-Qn"))?,
        None => Quarter::of(env.host().now()),
    };
    let page_no = req
        .query_param("page")
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, criticism::MAX_PAGE);
    let (records, more) =
        criticism::list(env.store(), quarter.start(), quarter.end(), page_no).await?;
    let link = |page: u32| format!("/desk/criticism?quarter={quarter}&page={page}");
    let title = lang.pick("通报批评情形", "Criticism records");
    let main = html! {
        (crate::admin::nav(lang, staff))
        h1 { (title) " " (quarter) }
        form method="get" action="/desk/criticism" {
            label for="quarter" { (lang.pick("季度", "Quarter")) }
            input #quarter name="quarter" value=(quarter) pattern="[0-9]{4}-[Qq][1-4]";
            button type="submit" { (lang.pick("查看", "Show")) }
        }
        p.hint { (lang.pick(
            "依据001 §3（每季度通报一次）和002 §4.2。系统按办理记录自动登记可判定的情形；其余由督查员登记并说明。",
            "Under 001 §3 (a notice each quarter) and 002 §4.2. Triggers the event log shows are recorded automatically; the others by a supervisor, with a note.",
        )) }
        p { a href={ "/desk/statistics?quarter=" (quarter) } { (lang.pick("本季度统计", "This quarter's statistics")) } }
        (list(lang, &records))
        nav.pages {
            @if page_no > 1 { a href=(link(page_no - 1)) rel="prev" { (lang.pick("← 上一页", "← Previous")) } " " }
            @if more && page_no < criticism::MAX_PAGE { a href=(link(page_no + 1)) rel="next" { (lang.pick("下一页 →", "Next →")) } }
        }
        @if staff.holds(StaffRole::Supervisor) {
            (form(env, lang).await?)
        }
    };
    Ok(respond(lang, req, 200, page(lang, req, title, main)))
}

/// The records as a table (or a sentence when there are none).
pub fn list(lang: Lang, records: &[Record]) -> maud::Markup {
    html! {
        @if records.is_empty() {
            p { (lang.pick("本期没有通报批评情形。", "No criticism records in this period.")) }
        } @else {
            table #criticism {
                thead { tr {
                    th { (lang.pick("时间", "When")) }
                    th { (lang.pick("单位", "Department")) }
                    th { (lang.pick("情形", "Trigger")) }
                    th { (lang.pick("诉求", "Case")) }
                    th { (lang.pick("登记", "Recorded by")) }
                    th { (lang.pick("说明", "Note")) }
                } }
                tbody { @for r in records { tr {
                    td { (time::date_time(lang, r.at)) }
                    td { (lang.pick(&r.name_zh, &r.name_en)) }
                    td { (lang.pick(r.trigger.describe().0, r.trigger.describe().1)) }
                    td { @if let Some(t) = &r.tracking { a href={ "/desk/cases/" (t) } { (t) } } @else { "—" } }
                    td { @if let Some(by) = &r.by { (by) } @else { (lang.pick("系统", "System")) } }
                    td { (r.note) }
                } } }
            }
        }
    }
}

/// The supervisor's form for the triggers only a person can judge.
async fn form<E: Env>(env: &E, lang: Lang) -> Result<maud::Markup, WebError> {
    let departments = minyi::app::public::departments(env.store()).await?;
    Ok(html! {
        section #record-criticism {
            h2 { (lang.pick("登记通报批评情形", "Record a criticism trigger")) }
            form method="post" action="/desk/criticism" {
                label for="department" { (lang.pick("单位", "Department")) }
                select #department name="department" required {
                    @for d in &departments { option value=(d.id) { (lang.pick(&d.zh, &d.en)) } }
                }
                label for="trigger" { (lang.pick("情形", "Trigger")) }
                select #trigger name="trigger" required {
                    @for t in Trigger::ALL.into_iter().filter(|t| t.by_hand()) {
                        option value=(t.code()) { (lang.pick(t.describe().0, t.describe().1)) }
                    }
                }
                label for="tracking" { (lang.pick("受理编号（可选）", "Tracking number (optional)")) }
                input #tracking name="tracking";
                label for="note" { (lang.pick("说明", "Note")) }
                textarea #note name="note" required maxlength=(criticism::MAX_NOTE_CHARS) {}
                button type="submit" { (lang.pick("登记", "Record")) }
            }
        }
    })
}

/// `POST /desk/criticism`: a supervisor records a trigger with a note; audited.
pub async fn record<E: Env>(env: &E, req: &Request, staff: &Staff) -> Result<Response, WebError> {
    if !staff.holds(StaffRole::Supervisor) {
        return Err(WebError::forbidden("仅督查员 / supervisors only"));
    }
    let fields = crate::act::fields(req)?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let department = get("department")
        .parse()
        .map_err(|_| WebError::bad("department", "无此单位 / no such department"))?;
    let trigger = Trigger::from_code(&get("trigger"))
        .ok_or_else(|| WebError::bad("trigger", "请从列表中选择 / choose from the list"))?;
    let tracking = get("tracking");
    let case_id = if tracking.is_empty() {
        None
    } else {
        Some(
            TrackingNumber::parse(&tracking)
                .map_err(|_| WebError::bad("tracking", "受理编号格式不对 / not a tracking number"))?
                .number(),
        )
    };
    let at = env.host().now();
    criticism::record_by_hand(
        env.store(),
        &ByHand {
            department,
            trigger,
            case_id,
            note: get("note"),
            account: staff.account_id,
            at,
        },
    )
    .await?;
    crate::audit(
        env,
        req,
        Some((staff.account_id, "supervisor")),
        "record_criticism",
        case_id,
        trigger.code(),
    )
    .await?;
    if crate::is_api(req) {
        return Ok(Response::json(
            201,
            &serde_json::json!({"trigger": trigger.code(), "period": Quarter::of(at).to_string()}),
        ));
    }
    Ok(Response::see_other(&format!(
        "/desk/criticism?quarter={}",
        Quarter::of(at)
    )))
}

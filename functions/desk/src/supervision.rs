//! `GET /desk/supervision` (督办, supervisors and admins): open overdue and escalated cases,
//! counted by lead department and listed a page at a time, longest overdue first, each
//! linking to its case. Nothing personal is shown: no names, phone numbers or case text, only
//! tracking numbers, categories, statuses and dates.

use maud::html;
use minyi::app::Host;
use minyi::app::staff::Staff;
use minyi::app::supervision::{self, DepartmentCounts, Scope, Watched};
use minyi::staff::StaffRole;
use minyi_web::html::{page, respond, time};
use minyi_web::{Env, Lang, Request, Response, WebError};

/// The supervision page.
pub async fn page_of<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    if !(staff.holds(StaffRole::Supervisor) || staff.holds(StaffRole::Admin)) {
        return Err(WebError::forbidden(
            "仅督查员和管理员 / supervisors and admins only",
        ));
    }
    let page_no = req
        .query_param("page")
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, supervision::MAX_PAGE);
    let department = req.query_param("department").unwrap_or_default();
    let scope = match department.as_str() {
        "" => Scope::All,
        "none" => Scope::Unassigned,
        id => Scope::Department(
            id.parse()
                .map_err(|_| WebError::bad("department", "无此单位 / no such department"))?,
        ),
    };
    let counts = supervision::counts(env.store()).await?;
    let (cases, more) = supervision::list(env.store(), scope, page_no).await?;
    let now = env.host().now();
    let link = |page: u32| {
        let mut pairs = vec![("page".to_owned(), page.to_string())];
        if !department.is_empty() {
            pairs.push(("department".to_owned(), department.clone()));
        }
        minyi_web::html::href("/desk/supervision", &pairs)
    };
    let title = lang.pick("督办", "Supervision");
    let main = html! {
        (crate::admin::nav(lang, staff))
        h1 { (title) }
        p.hint { (lang.pick(
            "未办结的超期件和被督办件，按主办单位统计；列表按单位分组，超期最久的在前。",
            "Open cases that are overdue or have been escalated, counted by lead department; the list is grouped by department, longest overdue first.",
        )) }
        section {
            h2 { (lang.pick("按单位统计", "By department")) }
            @if counts.is_empty() {
                p { (lang.pick("没有超期或督办中的诉求。", "No overdue or escalated cases.")) }
            } @else {
                table {
                    thead { tr {
                        th { (lang.pick("主办单位", "Lead department")) }
                        th { (lang.pick("超期", "Overdue")) }
                        th { (lang.pick("督办", "Escalated")) }
                    } }
                    tbody { @for c in &counts { tr {
                        td { a href=(filter_link(c)) { (department_name(lang, c.department, &c.name_zh, &c.name_en)) } }
                        td { (c.overdue) }
                        td { (c.escalated) }
                    } } }
                }
                @if !department.is_empty() {
                    p { a href="/desk/supervision" { (lang.pick("显示全部单位", "All departments")) } }
                }
            }
        }
        section {
            h2 { (lang.pick("诉求", "Cases")) " · " (lang.pick("第", "page ")) (page_no) (lang.pick("页", "")) }
            @for group in cases.chunk_by(|a, b| a.department == b.department) {
                h3 { (department_name(lang, group[0].department, &group[0].name_zh, &group[0].name_en)) }
                table {
                    thead { tr {
                        th { (lang.pick("受理编号", "Tracking")) }
                        th { (lang.pick("类别", "Category")) }
                        th { (lang.pick("状态", "Status")) }
                        th { (lang.pick("时限", "Due")) }
                        th { (lang.pick("超期天数", "Days overdue")) }
                        th { (lang.pick("督办次数", "Escalations")) }
                    } }
                    tbody { @for w in group { (row(lang, w, now)) } }
                }
            }
            @if cases.is_empty() {
                p { (lang.pick("本页没有诉求。", "No cases on this page.")) }
            }
            nav.pages {
                @if page_no > 1 { a href=(link(page_no - 1)) rel="prev" { (lang.pick("← 上一页", "← Previous")) } " " }
                @if more && page_no < supervision::MAX_PAGE { a href=(link(page_no + 1)) rel="next" { (lang.pick("下一页 →", "Next →")) } }
            }
        }
    };
    Ok(respond(lang, req, 200, page(lang, req, title, main)))
}

fn filter_link(c: &DepartmentCounts) -> String {
    match c.department {
        Some(d) => format!("/desk/supervision?department={d}"),
        None => "/desk/supervision?department=none".to_owned(),
    }
}

fn department_name(lang: Lang, id: Option<i64>, zh: &str, en: &str) -> String {
    match id {
        None => lang.pick("尚未交办", "Not yet dispatched").to_owned(),
        Some(_) => lang.pick(zh, en).to_owned(),
    }
}

fn row(lang: Lang, w: &Watched, now: minyi::calendar::Timestamp) -> maud::Markup {
    let days = w
        .overdue_since
        .map(|since| (now.as_second() - since.as_second()).max(0) / 86_400);
    html! {
        tr {
            td { a href={ "/desk/cases/" (w.tracking) } { (w.tracking) } }
            td { (lang.pick(w.category.label_zh(), w.category.label_en())) }
            td { (lang.pick(w.status.label_zh(), w.status.label_en())) }
            td { @if let Some(due) = w.due_at { (time::deadline(lang, due)) } @else { "—" } }
            td { @if let Some(d) = days { (d) } @else { "—" } }
            td { (w.escalations) }
        }
    }
}

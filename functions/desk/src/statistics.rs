//! `GET /desk/statistics?month=YYYY-MM` (supervisors, leaders, admins): a month's counts and
//! rates by department, computed from the event log, with a server-rendered SVG chart of the
//! on-time reply rate; `&format=csv` downloads the same table for a spreadsheet.

use maud::{Markup, html};
use minyi::app::Host;
use minyi::app::public::month_start;
use minyi::app::staff::Staff;
use minyi::app::statistics::{self, DepartmentStats};
use minyi::calendar::shanghai;
use minyi::policy::Policy;
use minyi::staff::StaffRole;
use minyi_web::html::{page, respond};
use minyi_web::{Env, Lang, Request, Response, WebError};

/// The statistics page, or its CSV.
pub async fn page_of<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    if ![StaffRole::Supervisor, StaffRole::Leader, StaffRole::Admin]
        .iter()
        .any(|r| staff.holds(*r))
    {
        return Err(WebError::forbidden(
            "仅督查员、领导和管理员 / supervisors, leaders and admins only",
        ));
    }
    let (year, month) = match req.query_param("month") {
        Some(m) => parse_month(&m)
            .ok_or_else(|| WebError::bad("month", "格式应为 YYYY-MM / expected YYYY-MM"))?,
        None => {
            let today = env.host().now().to_zoned(shanghai()).date();
            (today.year(), today.month())
        }
    };
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let bad = || WebError::bad("month", "超出范围 / out of range");
    let from = month_start(year, month).ok_or_else(bad)?;
    let to = month_start(next_year, next_month).ok_or_else(bad)?;
    let stats = statistics::by_department(env.store(), from, to).await?;
    let rules = env.rules().await?;
    let policy = &rules.rulebook.policy;
    let label = format!("{year:04}-{month:02}");
    if req.query_param("format").as_deref() == Some("csv") {
        return Ok(Response::new(
            200,
            "text/csv; charset=utf-8",
            statistics::to_csv(&stats, policy),
        )
        .with_header(
            "content-disposition",
            &format!("attachment; filename=\"minyi-statistics-{label}.csv\""),
        )
        .with_header("cache-control", "no-store"));
    }
    let title = lang.pick("统计", "Statistics");
    let pct = |r: Option<f64>| r.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0));
    let main = html! {
        (crate::admin::nav(lang, staff))
        h1 { (title) " " (label) }
        form method="get" action="/desk/statistics" {
            label for="month" { (lang.pick("月份", "Month")) }
            input #month name="month" type="month" value=(label);
            button type="submit" { (lang.pick("查看", "Show")) }
        }
        p { a href={ "/desk/statistics?month=" (label) "&format=csv" } { (lang.pick("下载CSV（可用Excel打开）", "Download CSV (opens in a spreadsheet)")) } }
        @if stats.is_empty() {
            p { (lang.pick("本月没有办理记录。", "Nothing handled this month.")) }
        } @else {
            (chart(lang, &stats))
            table #statistics {
                thead { tr {
                    th { (lang.pick("单位", "Department")) }
                    th { (lang.pick("交办", "Dispatched")) }
                    th { (lang.pick("退回", "Returned")) }
                    th { (lang.pick("答复", "Answered")) }
                    th { (lang.pick("超期答复", "Late")) }
                    th { (lang.pick("超期督办", "Overdue")) }
                    th { (lang.pick("退回重办", "Redos")) }
                    th { (lang.pick("满意/基本/不满意", "Satisfied/basic/not")) }
                    th { (lang.pick("未评价", "Not rated")) }
                    th { (lang.pick("按时答复率", "On time")) }
                    th { (lang.pick("满意率", "Satisfaction")) }
                } }
                tbody { @for s in &stats { tr {
                    td { (lang.pick(&s.name_zh, &s.name_en)) }
                    td { (s.dispatched) } td { (s.returned) } td { (s.answered) }
                    td { (s.answered_late) } td { (s.overdue) } td { (s.redos) }
                    td { (s.satisfied) " / " (s.basic) " / " (s.unsatisfied) }
                    td { (s.unrated) }
                    td { (pct(s.on_time_rate())) }
                    td { (pct(s.satisfaction_rate(policy))) }
                } } }
            }
            p.hint { (rate_note(lang, policy)) }
        }
    };
    Ok(respond(lang, req, 200, page(lang, req, title, main)))
}

fn rate_note(lang: Lang, policy: &Policy) -> &'static str {
    match (policy.basic_counts_as_satisfied, lang) {
        (true, Lang::Zh) => "满意率 =（满意 + 基本满意）÷ 已评价；未评价的不计入。",
        (true, Lang::En) => "Satisfaction = (satisfied + basic) ÷ rated; not rated is left out.",
        (false, Lang::Zh) => "满意率 = 满意 ÷ 已评价；未评价的不计入。",
        (false, Lang::En) => "Satisfaction = satisfied ÷ rated; not rated is left out.",
    }
}

/// `YYYY-MM`.
fn parse_month(text: &str) -> Option<(i16, i8)> {
    let (y, m) = text.trim().split_once('-')?;
    let (y, m): (i16, i8) = (y.parse().ok()?, m.parse().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

/// A horizontal bar per department: its on-time reply rate, as inline SVG (no script, no
/// chart library).
fn chart(lang: Lang, stats: &[DepartmentStats]) -> Markup {
    const ROW: usize = 28;
    const LABEL: usize = 180;
    const BAR: f64 = 400.0;
    let height = ROW * stats.len() + 10;
    html! {
        figure {
            figcaption { (lang.pick("按时答复率", "On-time reply rate")) }
            svg #on-time-chart xmlns="http://www.w3.org/2000/svg" role="img" width=(LABEL + 460) height=(height)
                viewBox={ "0 0 " (LABEL + 460) " " (height) } {
                @for (i, s) in stats.iter().enumerate() {
                    @let y = i * ROW + 5;
                    @let rate = s.on_time_rate().unwrap_or(0.0);
                    text x="0" y=(y + 17) font-size="14" { (lang.pick(&s.name_zh, &s.name_en)) }
                    rect x=(LABEL) y=(y) width=(format!("{:.1}", BAR * rate)) height="20" fill="#b22222" {}
                    text x=(format!("{:.1}", LABEL as f64 + BAR * rate + 6.0)) y=(y + 16) font-size="13" {
                        (s.on_time_rate().map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0)))
                    }
                }
            }
        }
    }
}

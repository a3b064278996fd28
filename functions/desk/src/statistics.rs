//! `GET /desk/statistics?month=YYYY-MM` (or `quarter=YYYY-Qn`, or `week=YYYY-MM-DD` for the
//! week starting that day; supervisors, leaders, admins): what the office received, a
//! period's counts and rates by department, computed from the event log, the criticism
//! records of the period, and a server-rendered SVG chart of the on-time reply rate;
//! `&format=csv` downloads the tables for a spreadsheet.

use maud::{Markup, html};
use minyi::app::Host;
use minyi::app::criticism::{self, Quarter};
use minyi::app::public::month_start;
use minyi::app::staff::Staff;
use minyi::app::statistics::{self, DepartmentStats, Rate};
use minyi::calendar::{BEIJING, Time, Timestamp, iso};
use minyi::policy::Policy;
use minyi::staff::StaffRole;
use minyi_web::html::{page, respond};
use minyi_web::{Env, Lang, Request, Response, WebError};

/// Refuses anyone but the roles that oversee departments' work: supervisors, leaders, admins
/// (the statistics and the criticism records).
pub(crate) fn require_oversight(staff: &Staff) -> Result<(), WebError> {
    if [StaffRole::Supervisor, StaffRole::Leader, StaffRole::Admin]
        .iter()
        .any(|r| staff.holds(*r))
    {
        Ok(())
    } else {
        Err(WebError::forbidden(
            "仅督查员、领导和管理员 / supervisors, leaders and admins only",
        ))
    }
}

/// The statistics page, or its CSV.
pub async fn page_of<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    require_oversight(staff)?;
    let period = Period::of(req, env.host().now())?;
    let stats = statistics::by_department(env.store(), period.from, period.to).await?;
    let received = statistics::received(env.store(), period.from, period.to).await?;
    let rules = env.rules().await?;
    let policy = &rules.rulebook.policy;
    let label = period.label.clone();
    if req.query_param("format").as_deref() == Some("csv") {
        return Ok(Response::new(
            200,
            "text/csv; charset=utf-8",
            statistics::to_csv(&stats, &received, policy),
        )
        .with_header(
            "content-disposition",
            &format!("attachment; filename=\"minyi-statistics-{label}.csv\""),
        )
        .with_header("cache-control", "no-store"));
    }
    let (records, more) = criticism::list(env.store(), period.from, period.to, 1).await?;
    let title = lang.pick("统计", "Statistics");
    let pct = |r: Option<Rate>| r.map_or_else(|| "—".to_owned(), |r| r.to_string());
    let main = html! {
        (crate::admin::nav(lang, staff))
        h1 { (title) " " (label) }
        form method="get" action="/desk/statistics" {
            label for="month" { (lang.pick("月份", "Month")) }
            input #month name="month" type="month" value=(label);
            button type="submit" { (lang.pick("查看", "Show")) }
        }
        p {
            (lang.pick("也可按季度或周：", "Also by quarter or week: "))
            code { "?quarter=2026-Q4" } " · " code { "?week=2026-11-23" }
        }
        p { a href={ "/desk/statistics?" (period.query) "&format=csv" } { (lang.pick("下载CSV（可用Excel打开）", "Download CSV (opens in a spreadsheet)")) } }
        section #received {
            h2 { (lang.pick("受理", "Received")) }
            p {
                (lang.pick("本期受理诉求共", "Cases received in the period: ")) strong { (received.total) } (lang.pick("件", ""))
                @for (channel, n) in &received.by_channel {
                    " · " (lang.pick(channel.label_zh(), channel.label_en())) " " (n)
                }
            }
        }
        @if stats.is_empty() {
            p { (lang.pick("本期没有办理记录。", "Nothing handled in this period.")) }
        } @else {
            (chart(lang, &stats))
            table #statistics {
                thead { tr {
                    th { (lang.pick("单位", "Department")) }
                    th { (lang.pick("交办", "Dispatched")) }
                    th { (lang.pick("首次响应超时", "First response late")) }
                    th { (lang.pick("退回", "Returned")) }
                    th { (lang.pick("答复", "Answered")) }
                    th { (lang.pick("超期答复", "Late")) }
                    th { (lang.pick("超期督办", "Overdue")) }
                    th { (lang.pick("退回重办", "Redos")) }
                    th { (lang.pick("满意/基本/不满意", "Satisfied/basic/not")) }
                    th { (lang.pick("未评价", "Not rated")) }
                    th { (lang.pick("按时答复率", "On time")) }
                    th { (lang.pick("满意率", "Satisfaction")) }
                    th { (lang.pick("首次响应及时率", "First response on time")) }
                } }
                tbody { @for s in &stats { tr {
                    td { (lang.pick(&s.name_zh, &s.name_en)) }
                    td { (s.dispatched) } td { (s.first_responses_late) }
                    td { (s.returned) } td { (s.answered) }
                    td { (s.answered_late) } td { (s.overdue) } td { (s.redos) }
                    td { (s.satisfied) " / " (s.basic) " / " (s.unsatisfied) }
                    td { (s.unrated) }
                    td { (pct(s.on_time_rate())) }
                    td { (pct(s.satisfaction_rate(policy))) }
                    td { (pct(s.first_response_rate())) }
                } } }
            }
            p.hint { (rate_note(lang, policy)) }
        }
        section #triggers {
            h2 { (lang.pick("通报批评情形", "Criticism records")) }
            (crate::criticism::list(lang, &records))
            p {
                @if more { (lang.pick("仅列出前一页。", "The first page only. ")) }
                a href={ "/desk/criticism?quarter=" (Quarter::of(period.from)) } { (lang.pick("按季度查看全部记录", "All records of the quarter")) }
            }
        }
    };
    Ok(respond(lang, req, 200, page(lang, req, title, main)))
}

fn rate_note(lang: Lang, policy: &Policy) -> &'static str {
    match (policy.basic_counts_as_satisfied, lang) {
        (true, Lang::Zh) => {
            "满意率 =（满意 + 基本满意）÷ 已评价；未评价的不计入。首次响应及时率 = 首次响应未超时的交办件 ÷ 交办。"
        }
        (true, Lang::En) => {
            "Satisfaction = (satisfied + basic) ÷ rated; not rated is left out. First response on time = dispatched cases whose first response was not late ÷ dispatched."
        }
        (false, Lang::Zh) => {
            "满意率 = 满意 ÷ 已评价；未评价的不计入。首次响应及时率 = 首次响应未超时的交办件 ÷ 交办。"
        }
        (false, Lang::En) => {
            "Satisfaction = satisfied ÷ rated; not rated is left out. First response on time = dispatched cases whose first response was not late ÷ dispatched."
        }
    }
}

/// The period a report covers: `[from, to)` in Beijing time.
struct Period {
    from: Timestamp,
    to: Timestamp,
    /// How the page names it (`2026-11`, `2026-Q4`, `2026-11-23`).
    label: String,
    /// The query string that asks for it again.
    query: String,
}

impl Period {
    /// From `quarter=YYYY-Qn`, `week=YYYY-MM-DD` (seven days from that date) or
    /// `month=YYYY-MM`; the current month by default.
    fn of(req: &Request, now: Timestamp) -> Result<Period, WebError> {
        if let Some(q) = req.query_param("quarter") {
            let q = Quarter::parse(&q)
                .ok_or_else(|| WebError::bad("quarter", "格式应为 YYYY-Qn / expected YYYY-Qn"))?;
            return Ok(Period {
                from: q.start(),
                to: q.end(),
                label: q.to_string(),
                query: format!("quarter={q}"),
            });
        }
        if let Some(w) = req.query_param("week") {
            let wrong = || WebError::bad("week", "格式应为 YYYY-MM-DD / expected YYYY-MM-DD");
            let date = iso::parse_date(w.trim()).ok_or_else(wrong)?;
            let from = BEIJING
                .to_timestamp(date.to_datetime(Time::midnight()))
                .map_err(|_| wrong())?;
            // Seven days of 24 hours: Beijing time has no daylight saving.
            let to = Timestamp::from_millisecond(from.as_millisecond() + 7 * 86_400_000)
                .map_err(|_| wrong())?;
            return Ok(Period {
                from,
                to,
                label: date.to_string(),
                query: format!("week={date}"),
            });
        }
        let wrong = || WebError::bad("month", "格式应为 YYYY-MM / expected YYYY-MM");
        let (y, m) = match req.query_param("month") {
            Some(m) => m
                .trim()
                .split_once('-')
                .and_then(|(y, m)| Some((year(y)?, m.parse::<i8>().ok()?)))
                .filter(|(_, m)| (1..=12).contains(m))
                .ok_or_else(wrong)?,
            None => {
                let today = BEIJING.to_datetime(now).date();
                (today.year(), today.month())
            }
        };
        Ok(Period {
            from: month_start(y, m).ok_or_else(wrong)?,
            to: next_month_start(y, m).ok_or_else(wrong)?,
            label: format!("{y:04}-{m:02}"),
            query: format!("month={y:04}-{m:02}"),
        })
    }
}

fn year(text: &str) -> Option<i16> {
    text.parse().ok().filter(|y| (2000..=2100).contains(y))
}

/// The start of the month after `month` of `year`.
fn next_month_start(year: i16, month: i8) -> Option<Timestamp> {
    if month == 12 {
        month_start(year + 1, 1)
    } else {
        month_start(year, month + 1)
    }
}

/// A horizontal bar per department: its on-time reply rate, as inline SVG (no script, no
/// chart library).
fn chart(lang: Lang, stats: &[DepartmentStats]) -> Markup {
    const ROW: usize = 28;
    const LABEL: usize = 180;
    /// The longest bar, in pixels (100 %).
    const BAR: u32 = 400;
    let height = ROW * stats.len() + 10;
    html! {
        figure {
            figcaption { (lang.pick("按时答复率", "On-time reply rate")) }
            svg #on-time-chart xmlns="http://www.w3.org/2000/svg" role="img" width=(LABEL + 460) height=(height)
                viewBox={ "0 0 " (LABEL + 460) " " (height) } {
                @for (i, s) in stats.iter().enumerate() {
                    @let y = i * ROW + 5;
                    @let width = s.on_time_rate().map_or(0, |r| BAR * r.0 / 1000);
                    text x="0" y=(y + 17) font-size="14" { (lang.pick(&s.name_zh, &s.name_en)) }
                    rect x=(LABEL) y=(y) width=(width) height="20" fill="#b22222" {}
                    text x=(LABEL as u32 + width + 6) y=(y + 16) font-size="13" {
                        (s.on_time_rate().map_or_else(|| "—".to_owned(), |r| r.to_string()))
                    }
                }
            }
        }
    }
}

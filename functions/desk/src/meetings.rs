//! Open meetings at the desk (000 §1), for operators and admins:
//!
//! | route | does |
//! | --- | --- |
//! | `GET /desk/meetings` | the meetings, and the form to create one |
//! | `POST /desk/meetings` | creates a meeting (form or JSON): code, title, topics (one per line, `单位编码: 议题`), place, time, stream, capacity, speaking time, registration window, selection |
//! | `GET /desk/meetings/{code}` | the meeting, its registrations in the draw's order, attendance |
//! | `POST /desk/meetings/{code}/publish` | publishes it: refused unless 3 working days ahead |
//! | `POST /desk/meetings/{code}/attend` | marks a selected citizen present by registration code |
//! | `POST /desk/meetings/{code}/recording` | publishes the recording's address on the meeting page |
//! | `GET /desk/meetings/{code}/registrations.csv` | the registrations for a spreadsheet (UTF-8 with BOM); audited |

use maud::html;
use minyi::app::meetings::{self, NewMeeting, Topic};
use minyi::app::staff::Staff;
use minyi::meeting::{DEFAULT_CAPACITY, DEFAULT_SPEAKING_MINUTES, Selection};
use minyi::staff::StaffRole;
use minyi_web::html::{page, respond, time};
use minyi_web::{Env, Lang, Method, Request, Response, WebError, cache};

/// Answers `/desk/meetings...` for a logged-in person.
pub async fn route<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
    rest: &[&str],
) -> Result<Response, WebError> {
    if !(staff.holds(StaffRole::Operator) || staff.holds(StaffRole::Admin)) {
        return Err(WebError::forbidden(
            "仅受理员和管理员 / operators and admins only",
        ));
    }
    match (req.method, rest) {
        (Method::Get, []) => list(env, req, lang, staff).await,
        (Method::Post, []) => create(env, req).await,
        (Method::Get, [code]) => show(env, req, lang, staff, code).await,
        (Method::Post, [code, "publish"]) => {
            let rules = env.rules().await?;
            meetings::publish(env.store(), env.host(), &rules.calendar, code).await?;
            env.purge(&cache::meeting_keys(&code.to_uppercase())).await;
            done(req, code)
        }
        (Method::Post, [code, "recording"]) => {
            let fields = crate::act::fields(req)?;
            meetings::set_recording(
                env.store(),
                code,
                minyi_web::field(&fields, "recording_url"),
            )
            .await?;
            env.purge(&cache::meeting_keys(&code.to_uppercase())).await;
            done(req, code)
        }
        (Method::Post, [code, "attend"]) => {
            let fields = crate::act::fields(req)?;
            meetings::attend(env.store(), code, minyi_web::field(&fields, "registration")).await?;
            done(req, code)
        }
        (Method::Get, [code, "registrations.csv"]) => csv(env, req, staff, code).await,
        _ => Err(WebError::NotFound),
    }
}

/// After a change: JSON for API clients, back to the meeting's page for browsers.
fn done(req: &Request, code: &str) -> Result<Response, WebError> {
    if crate::is_api(req) {
        return Ok(Response::json(
            200,
            &serde_json::json!({"meeting": code.to_uppercase()}),
        ));
    }
    Ok(Response::see_other(&format!(
        "/desk/meetings/{}",
        code.to_uppercase()
    )))
}

async fn list<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    let all = meetings::list(env.store(), true, 100).await?;
    let title = lang.pick("公众列席会议", "Open meetings");
    let main = html! {
        (crate::admin::nav(lang, staff))
        h1 { (title) }
        ul { @for m in &all { li {
            a href={ "/desk/meetings/" (m.code) } { (m.code) " " (m.title) }
            " · " (time::date_time(lang, m.starts_at))
            @if m.published_at.is_none() { " · " (lang.pick("未发布", "not published")) }
        } } }
        h2 { (lang.pick("新建会议", "New meeting")) }
        form method="post" action="/desk/meetings" {
            label for="code" { (lang.pick("会议编号（短信报名用）", "Code (for SMS sign-up)")) }
            input #code name="code" required maxlength="12" pattern="[A-Za-z0-9]{2,12}";
            label for="title" { (lang.pick("会议名称", "Title")) }
            input #title name="title" required maxlength="200";
            label for="topics" { (lang.pick("议题（每行一个：单位编码: 议题）", "Topics (one a line: department code: topic)")) }
            textarea #topics name="topics" required rows="4" {}
            label for="place" { (lang.pick("地点", "Place")) }
            input #place name="place" required maxlength="200";
            label for="starts_at" { (lang.pick("开始时间", "Starts")) }
            input #starts_at name="starts_at" type="datetime-local" required;
            label for="opens_at" { (lang.pick("报名开始", "Registration opens")) }
            input #opens_at name="opens_at" type="datetime-local" required;
            label for="closes_at" { (lang.pick("报名截止", "Registration closes")) }
            input #closes_at name="closes_at" type="datetime-local" required;
            label for="stream_url" { (lang.pick("直播地址（可选）", "Live stream (optional)")) }
            input #stream_url name="stream_url" type="url";
            label for="capacity" { (lang.pick("列席名额", "Places")) }
            input #capacity name="capacity" type="number" min="1" max="50" value=(DEFAULT_CAPACITY);
            label for="speaking_minutes" { (lang.pick("每人发言分钟", "Minutes each")) }
            input #speaking_minutes name="speaking_minutes" type="number" min="1" max="30" value=(DEFAULT_SPEAKING_MINUTES);
            label for="selection" { (lang.pick("选取方式", "Selection")) }
            select #selection name="selection" {
                option value="lottery" { (lang.pick("公开抽签", "Public lottery")) }
                option value="first_come" { (lang.pick("按报名先后", "First come")) }
            }
            button type="submit" { (lang.pick("创建", "Create")) }
        }
    };
    Ok(respond(lang, req, 200, page(lang, req, title, main)))
}

async fn create<E: Env>(env: &E, req: &Request) -> Result<Response, WebError> {
    let fields = crate::act::fields(req)?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let at = |name: &'static str| {
        crate::act::when(&get(name)).ok_or_else(|| WebError::bad(name, "时间格式不对 / not a time"))
    };
    let number = |name: &'static str, default: u32| -> Result<u32, WebError> {
        match get(name).as_str() {
            "" => Ok(default),
            n => n
                .parse()
                .map_err(|_| WebError::bad(name, "须为数字 / a number")),
        }
    };
    let departments = minyi::app::public::departments(env.store()).await?;
    let mut topics = Vec::new();
    for line in get("topics")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let (unit, topic) = line.split_once([':', '：']).ok_or_else(|| {
            WebError::bad(
                "topics",
                "每行须为“单位编码: 议题” / each line: department code: topic",
            )
        })?;
        let department = departments
            .iter()
            .find(|d| d.code == unit.trim())
            .ok_or_else(|| WebError::bad("topics", "没有该单位编码 / no such department code"))?;
        topics.push(Topic {
            topic: topic.trim().to_owned(),
            department: department.id,
        });
    }
    let new = NewMeeting {
        code: get("code"),
        title: get("title"),
        topics,
        place: get("place"),
        starts_at: at("starts_at")?,
        stream_url: Some(get("stream_url")).filter(|u| !u.is_empty()),
        capacity: number("capacity", DEFAULT_CAPACITY)?,
        speaking_minutes: number("speaking_minutes", DEFAULT_SPEAKING_MINUTES)?,
        selection: if get("selection") == "first_come" {
            Selection::FirstCome
        } else {
            Selection::Lottery
        },
        opens_at: at("opens_at")?,
        closes_at: at("closes_at")?,
    };
    meetings::create(env.store(), env.host(), &new).await?;
    if crate::is_api(req) {
        return Ok(Response::json(
            201,
            &serde_json::json!({"meeting": new.code.to_uppercase()}),
        ));
    }
    Ok(Response::see_other(&format!(
        "/desk/meetings/{}",
        new.code.to_uppercase()
    )))
}

async fn show<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
    code: &str,
) -> Result<Response, WebError> {
    let meeting = meetings::find(env.store(), code).await?;
    let registrants = meetings::registrants(env.store(), meeting.id).await?;
    let main = html! {
        (crate::admin::nav(lang, staff))
        h1 { (meeting.code) " " (meeting.title) }
        p { (time::date_time(lang, meeting.starts_at)) " · " (meeting.place) }
        @if meeting.published_at.is_none() {
            form method="post" action={ "/desk/meetings/" (meeting.code) "/publish" } {
                button type="submit" { (lang.pick("发布预告", "Publish the announcement")) }
            }
        } @else {
            p { a href={ "/meetings/" (meeting.code) } { (lang.pick("公开页面", "Public page")) } }
        }
        form method="post" action={ "/desk/meetings/" (meeting.code) "/recording" } {
            label for="recording_url" { (lang.pick("录像地址", "Recording")) }
            input #recording_url name="recording_url" type="url" value=[meeting.recording_url.as_deref()];
            button type="submit" { (lang.pick("公布录像", "Publish the recording")) }
        }
        h2 { (lang.pick("报名", "Registrations")) " (" (registrants.len()) ")" }
        p { a href={ "/desk/meetings/" (meeting.code) "/registrations.csv" } { (lang.pick("下载CSV（将记录）", "Download CSV (recorded)")) } }
        form method="post" action={ "/desk/meetings/" (meeting.code) "/attend" } {
            label for="registration" { (lang.pick("到场登记（报名码）", "Mark present (registration code)")) }
            input #registration name="registration" required maxlength="6";
            button type="submit" { (lang.pick("登记到场", "Present")) }
        }
        table #registrations {
            thead { tr {
                th { (lang.pick("顺序", "Order")) } th { (lang.pick("报名码", "Code")) }
                th { (lang.pick("姓名", "Name")) } th { (lang.pick("状态", "State")) }
                th { (lang.pick("渠道", "Via")) } th { (lang.pick("意见", "Opinion")) }
            } }
            tbody { @for r in &registrants { tr {
                td { @if let Some(n) = r.rank { (n) } }
                td { code { (r.code) } }
                td { (r.name) }
                td { (r.state) }
                td { (r.channel) }
                td { @if let Some(o) = &r.opinion { (o) } }
            } } }
        }
    };
    Ok(respond(
        lang,
        req,
        200,
        page(lang, req, &meeting.title, main),
    ))
}

/// The registrations as CSV: UTF-8 with BOM and CRLF, so spreadsheets keep the Chinese.
async fn csv<E: Env>(
    env: &E,
    req: &Request,
    staff: &Staff,
    code: &str,
) -> Result<Response, WebError> {
    let meeting = meetings::find(env.store(), code).await?;
    let registrants = meetings::registrants(env.store(), meeting.id).await?;
    crate::audit(
        env,
        req,
        Some((staff.account_id, "operator")),
        "export_registrations",
        None,
        &meeting.code,
    )
    .await?;
    let cell = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("\u{FEFF}顺序,报名码,姓名,手机号,渠道,报名时间,状态,书面意见\r\n");
    for r in &registrants {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            r.rank.map_or_else(String::new, |n| n.to_string()),
            r.code,
            cell(&r.name),
            cell(&r.phone),
            r.channel,
            minyi::calendar::iso::beijing_minutes(r.registered_at),
            r.state,
            cell(r.opinion.as_deref().unwrap_or("")),
        ));
    }
    Ok(Response::new(200, "text/csv; charset=utf-8", out)
        .with_header(
            "content-disposition",
            &format!(
                "attachment; filename=\"minyi-meeting-{}.csv\"",
                meeting.code
            ),
        )
        .with_header("cache-control", "no-store"))
}

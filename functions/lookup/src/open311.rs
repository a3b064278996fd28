//! Open311 GeoReport v2 reads: services, service definitions, requests.
//!
//! Only public cases are ever listed or shown, and never anything about the person who wrote
//! them: the rows come from [`minyi::app::public`], which does not read `case_contact`.

use minyi::app::public::{self, Cursor, Filter, PublicCase};
use minyi::calendar::{BEIJING, Limit, Time, Timestamp, iso};
use minyi::case::{Category, Channel, Complexity, Facts, Status, Urgency};
use minyi::ids::TrackingNumber;
use minyi::policy::Policy;
use minyi::rulebook::Rulebook;
use minyi_web::open311::{self, Failure, Format, truncate};
use minyi_web::{Env, Request, Response, WebError};
use serde_json::{Value, json};

/// Most requests one page holds (also the default page size).
pub const MAX_PAGE_SIZE: u32 = 50;
/// Longest date window of a request list, in days (the spec's limit and default).
pub const WINDOW_DAYS: i64 = 90;
/// Most `service_request_id`s one list request may name.
pub const MAX_IDS: usize = 50;
/// Longest `status_notes`, in characters (the latest public reply, cut).
pub const MAX_NOTES_CHARS: usize = 500;
/// Longest `description`, in characters (the schema's limit).
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// Answers `GET /open311/v2/...`; `rest` is the path after `v2`.
pub async fn read<E: Env>(env: &E, req: &Request, rest: &[&str]) -> Response {
    match answer(env, req, rest).await {
        Ok(r) => r,
        Err(f) => f.render(Format::of_path(&req.path)),
    }
}

/// An error in Open311's format, in the format the path asks for.
pub fn error(req: &Request, error: &WebError) -> Response {
    Failure::from(error.clone()).render(Format::of_path(&req.path))
}

async fn answer<E: Env>(env: &E, req: &Request, rest: &[&str]) -> Result<Response, Failure> {
    open311::check_jurisdiction(env.config(), req.query_param("jurisdiction_id").as_deref())?;
    let not_found = || Failure::not_found(&req.path);
    match rest {
        [resource] => match Format::split(resource) {
            Some(("services", format)) => {
                let in_force = env.rules().await?;
                Ok(format.render(200, "services", &services(&in_force.rulebook)))
            }
            Some(("requests", format)) => list(env, req, format).await,
            _ => Err(not_found()),
        },
        ["services", resource] => {
            let (code, format) = Format::split(resource).ok_or_else(not_found)?;
            let in_force = env.rules().await?;
            let offered = &in_force.rulebook.form_categories;
            let category = open311::service(code, offered).ok_or_else(not_found)?;
            Ok(format.render(200, "service_definition", &definition(category)))
        }
        ["requests", resource] => {
            let (id, format) = Format::split(resource).ok_or_else(not_found)?;
            let case = one(env, id).await?;
            Ok(format.render(200, "service_requests", &json!([request(&case)])))
        }
        _ => Err(not_found()),
    }
}

/// The handling limit of an Open311 request of this category under `policy`.
fn limit(policy: &Policy, category: Category) -> Limit {
    policy.handling_limit(
        &Facts {
            channel: Channel::Open311,
            category,
            urgency: Urgency::Normal,
            complexity: Complexity::Ordinary,
            publish_consent: true,
        },
        None,
    )
}

fn limit_text(limit: Limit) -> (String, String) {
    match limit {
        Limit::WorkingDays(n) => (format!("{n}个工作日"), format!("{n} working days")),
        Limit::WorkingHours(n) => (format!("{n}个工作小时"), format!("{n} working hours")),
        Limit::CalendarDays(n) => (format!("{n}日"), format!("{n} days")),
        Limit::CalendarHours(n) => (format!("{n}小时"), format!("{n} hours")),
    }
}

/// Keywords and group of a service.
fn tags(category: Category) -> (&'static str, &'static str) {
    match category {
        Category::Consultation => (
            "咨询,政策,办事,question,policy",
            "咨询建议 Questions and suggestions",
        ),
        Category::Suggestion => (
            "建议,意见,suggestion,idea",
            "咨询建议 Questions and suggestions",
        ),
        Category::Complaint => (
            "投诉,噪音,环境,complaint,noise",
            "投诉求助 Complaints and help",
        ),
        Category::HelpRequest => ("求助,困难,help,assistance", "投诉求助 Complaints and help"),
        Category::Report => ("举报,违法,report,violation", "投诉求助 Complaints and help"),
        Category::Petition => ("信访,petition", "信访法律 Petitions and legal matters"),
        Category::Legal => (
            "涉法涉诉,诉讼,legal,litigation",
            "信访法律 Petitions and legal matters",
        ),
        Category::Discipline => ("", ""),
    }
}

/// `services.json`: one service per category the rulebook offers, except discipline.
fn services(rulebook: &Rulebook) -> Value {
    Value::Array(
        open311::services(&rulebook.form_categories)
            .map(|c| {
                let (zh, en) = limit_text(limit(&rulebook.policy, c));
                let mut description = format!(
                    "{}类诉求，自受理次日起{zh}内答复。{} requests are answered within {en} of receipt.",
                    c.label_zh(),
                    c.label_en()
                );
                if c.is_transferred_out() {
                    description.push_str(" 转政法机关办理。Transferred to the legal organs.");
                }
                let (keywords, group) = tags(c);
                json!({
                    "service_code": c.code(),
                    "service_name": open311::service_name(c),
                    "description": description,
                    "metadata": true,
                    "type": "realtime",
                    "keywords": keywords,
                    "group": group,
                })
            })
            .collect(),
    )
}

/// A service definition: two optional attributes, whether the request may be published and
/// whether its address may be shown.
pub fn definition(category: Category) -> Value {
    json!({
        "service_code": category.code(),
        "attributes": [{
            "variable": true,
            "code": "publish",
            "datatype": "singlevaluelist",
            "required": false,
            "datatype_description": "yes 或 no，缺省为 no（不公开）/ yes or no; no (private) when left out",
            "order": 1,
            "description": "是否同意在网站上公开此诉求及答复（不公开个人信息）。\
                Whether the request and its answer may be published (personal data never is).",
            "values": [
                {"key": "yes", "name": "公开 Publish"},
                {"key": "no", "name": "不公开 Keep private"},
            ],
        }, {
            "variable": true,
            "code": "show_address",
            "datatype": "singlevaluelist",
            "required": false,
            "datatype_description": "yes 或 no，缺省为 no / yes or no; no when left out",
            "order": 2,
            "description": "是否在公开页面上显示address_string；不显示时只公开约100米范围的大致位置。\
                Whether address_string may be shown publicly; otherwise only the location to about 100 m is.",
            "values": [
                {"key": "yes", "name": "显示地址 Show the address"},
                {"key": "no", "name": "不显示 Do not show"},
            ],
        }],
    })
}

/// Open311's status of a Minyi status: `closed` once the answer is out or the case ended,
/// `open` while it is handled (a case following up on its answer is open again).
pub fn status(s: Status) -> &'static str {
    if closed_statuses().contains(&s) {
        "closed"
    } else {
        "open"
    }
}

fn closed_statuses() -> [Status; 3] {
    [Status::Replied, Status::Closed, Status::TransferredOut]
}

/// One request as Open311 shows it; no personal data.
pub fn request(c: &PublicCase) -> Value {
    let notes = c
        .replies
        .iter()
        .rev()
        .find(|r| r.visibility.is_public())
        .map(|r| truncate(&r.body, MAX_NOTES_CHARS));
    let mut notice = format!("{} {}", c.status.label_zh(), c.status.label_en());
    if let Some(due) = c.due_at
        && status(c.status) == "open"
    {
        let when = open311::local(due);
        notice.push_str(&format!(
            "；答复期限 {when}（北京时间）; answer due by {when} Beijing time"
        ));
    }
    json!({
        "service_request_id": c.tracking.to_string(),
        "status": status(c.status),
        "status_notes": notes,
        "service_name": open311::service_name(c.category),
        "service_code": c.category.code(),
        "description": truncate(&c.body, MAX_DESCRIPTION_CHARS),
        "agency_responsible": c.department.as_ref().map(|d| format!("{} {}", d.zh, d.en)),
        "service_notice": notice,
        "requested_datetime": open311::datetime(c.received_at),
        "updated_datetime": open311::datetime(c.updated_at),
        "expected_datetime": c.due_at.map(open311::datetime),
        "address": c.address,
        "lat": c.latitude,
        "long": c.longitude,
    })
}

async fn one<E: Env>(env: &E, id: &str) -> Result<PublicCase, Failure> {
    let not_found = || Failure::not_found(&format!("service_request_id {id}"));
    let tracking = TrackingNumber::parse(id).map_err(|_| not_found())?;
    let case = public::case_page(env.store(), &env.config().secret, &tracking, None)
        .await
        .map_err(Failure::from)?;
    if !case.public {
        return Err(not_found());
    }
    Ok(case)
}

async fn list<E: Env>(env: &E, req: &Request, format: Format) -> Result<Response, Failure> {
    let mut filter = Filter::default();
    let ids = req
        .query_param("service_request_id")
        .filter(|v| !v.trim().is_empty());
    if let Some(ids) = ids {
        // The spec: naming requests overrides every other filter.
        for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            filter.tracking.push(TrackingNumber::parse(id).map_err(|_| {
                Failure::field(
                    "service_request_id",
                    &format!("无效的编号 / invalid id {id}"),
                )
            })?);
        }
        if filter.tracking.len() > MAX_IDS {
            return Err(Failure::field(
                "service_request_id",
                "一次最多50个 / at most 50 at once",
            ));
        }
    } else {
        if let Some(code) = req.query_param("service_code").filter(|v| !v.is_empty()) {
            // Cases of a category no longer offered stay findable.
            filter.category = Some(open311::service(&code, Category::ALL).ok_or_else(|| {
                Failure::field(
                    "service_code",
                    &format!("未知的服务 / unknown service {code}"),
                )
            })?);
        }
        if let Some(s) = req.query_param("status").filter(|v| !v.is_empty()) {
            filter.statuses = statuses(&s)?;
        }
        let (from, before) = window(req, minyi::app::Host::now(env.host()))?;
        filter.received_from = Some(from);
        filter.received_before = Some(before);
    }
    let size = match req.query_param("page_size") {
        None => MAX_PAGE_SIZE,
        Some(s) => s
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| Failure::field("page_size", "须为1至50的整数 / must be 1–50"))?,
    };
    let after = match req.query_param("cursor").filter(|v| !v.is_empty()) {
        None => None,
        Some(c) => Some(
            Cursor::parse(&c)
                .ok_or_else(|| Failure::field("cursor", "分页参数无效 / bad cursor"))?,
        ),
    };
    let page = public::list(env.store(), &filter, after, size).await?;
    let body = Value::Array(page.cases.iter().map(request).collect());
    let response = format.render(200, "service_requests", &body);
    Ok(match page.next {
        Some(next) => {
            let token = next.token();
            let link = format!("<{}>; rel=\"next\"", next_url(req, &token));
            response
                .with_header("link", &link)
                .with_header("x-next-cursor", &token)
        }
        None => response,
    })
}

fn statuses(value: &str) -> Result<Vec<Status>, Failure> {
    let (mut open, mut closed) = (false, false);
    for s in value.split(',').map(str::trim) {
        match s {
            "open" => open = true,
            "closed" => closed = true,
            other => {
                return Err(Failure::field(
                    "status",
                    &format!("须为open或closed / must be open or closed, not {other}"),
                ));
            }
        }
    }
    Ok(Status::ALL
        .iter()
        .copied()
        .filter(|s| if status(*s) == "closed" { closed } else { open })
        .collect())
}

/// The receipt window `[from, before)`: `start_date` and `end_date` (inclusive), W3C
/// datetimes or dates (Beijing time); by default the 90 days up to now; at most 90 days.
fn window(req: &Request, now: Timestamp) -> Result<(Timestamp, Timestamp), Failure> {
    let span = jiff::SignedDuration::from_hours(WINDOW_DAYS * 24);
    let parse = |name: &str, end: bool| -> Result<Option<Timestamp>, Failure> {
        match req.query_param(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(None),
            Some(v) => instant(v.trim(), end).map(Some).ok_or_else(|| {
                Failure::field(
                    name,
                    "须为W3C日期时间，如 2026-11-20T10:00:00+08:00 / must be a W3C datetime",
                )
            }),
        }
    };
    let start = parse("start_date", false)?;
    let end = parse("end_date", true)?;
    let (from, before) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s.checked_add(span).map_or(now, |e| e.min(now)).max(s)),
        (None, Some(e)) => (e.checked_sub(span).unwrap_or(e), e),
        (None, None) => (now.checked_sub(span).unwrap_or(now), now),
    };
    if before < from {
        return Err(Failure::field(
            "end_date",
            "结束时间早于开始时间 / end_date is before start_date",
        ));
    }
    if before.duration_since(from) > span {
        return Err(Failure::field(
            "start_date",
            "时间范围最长90天 / the window is at most 90 days",
        ));
    }
    // `before` is exclusive; a datetime end is inclusive, so include its millisecond.
    Ok((
        from,
        before
            .checked_add(jiff::SignedDuration::from_millis(1))
            .unwrap_or(before),
    ))
}

/// A W3C datetime (with offset), or a date in Beijing time: its first instant, or with `end`
/// its last.
fn instant(value: &str, end: bool) -> Option<Timestamp> {
    if let Some(t) = iso::parse_datetime(value) {
        return Some(t);
    }
    let date = iso::parse_date(value)?;
    let day = if end { date.tomorrow().ok()? } else { date };
    let t = BEIJING
        .to_timestamp(day.to_datetime(Time::midnight()))
        .ok()?;
    if end {
        t.checked_sub(jiff::SignedDuration::from_millis(1)).ok()
    } else {
        Some(t)
    }
}

/// This request's URL with the cursor of the next page.
fn next_url(req: &Request, token: &str) -> String {
    let mut query: Vec<String> = req
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
        .collect();
    query.push(format!("cursor={}", encode(token)));
    format!("{}?{}", req.path, query.join("&"))
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

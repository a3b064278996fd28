//! The JSON API: `GET /api/v1/cases`, `GET /api/v1/cases/{tracking}`, and the OpenAPI 3.1
//! document that describes both doors of the API at `/api/openapi.json`.

use crate::query::ListQuery;
use minyi::app::public::{self, PublicCase};
use minyi::calendar::iso;
use minyi::ids::{QueryCode, TrackingNumber};
use minyi_web::limits;
use minyi_web::{Env, Lang, Request, Response, WebError};
use serde_json::{Value, json};

const OPENAPI: &str = include_str!("openapi.json");

/// The query parameters of `GET /api/v1/cases`.
const API_LIST_PARAMETERS: &[&str] = &["category", "department", "month", "q", "cursor", "limit"];

/// The OpenAPI document.
pub fn openapi() -> Response {
    Response::new(200, "application/json; charset=utf-8", OPENAPI)
}

/// A page of public cases with a published reply.
pub async fn list<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let _ = lang;
    // The pages' filter form sends empty fields for "any"; the API's document allows no
    // empty value, so one is refused here, naming it.
    if let Some((name, _)) = req
        .query_pairs()
        .into_iter()
        .find(|(k, v)| API_LIST_PARAMETERS.contains(&k.as_str()) && v.trim().is_empty())
    {
        return Err(WebError::bad(&name, "不能为空 / must not be empty"));
    }
    let mut q = ListQuery::parse(req)?;
    q.filter.replied_only = true;
    let limit = match req.query_param("limit") {
        Some(l) => l
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=public::MAX_PAGE).contains(n))
            .ok_or_else(|| WebError::bad("limit", "须为1至50的整数 / must be 1–50"))?,
        None => 20,
    };
    let page = public::list(env.store(), &q.filter, q.after, limit).await?;
    Ok(Response::json(
        200,
        &json!({
            "cases": page.cases.iter().map(case_json).collect::<Vec<_>>(),
            "next_cursor": page.next.map(public::Cursor::token),
        }),
    ))
}

/// One case; a private one needs the `X-Query-Code` header.
pub async fn case<E: Env>(
    env: &E,
    req: &Request,
    tracking: &str,
    lang: Lang,
) -> Result<Response, WebError> {
    // A well-formed number whose check character fails names no case: 404, as documented.
    let tracking = match TrackingNumber::parse(tracking) {
        Err(minyi::ids::IdError::Check) => return Err(WebError::NotFound),
        _ => parse_tracking(tracking, lang)?,
    };
    let code = match req.header("x-query-code") {
        Some(c) => {
            limits::check_code_attempt(env, req, &tracking).await?;
            Some(QueryCode::parse(c).map_err(|_| WebError::CodeRequired)?)
        }
        None => None,
    };
    let case =
        public::case_page(env.store(), &env.config().secret, &tracking, code.as_ref()).await?;
    Ok(Response::json(200, &case_json(&case)).with_header("cache-control", "no-store"))
}

/// A tracking number from a path, or a clear 400.
pub fn parse_tracking(raw: &str, lang: Lang) -> Result<TrackingNumber, WebError> {
    TrackingNumber::parse(raw).map_err(|e| {
        let text = e.to_string();
        let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
        WebError::bad("tracking_number", lang.pick(zh, en))
    })
}

/// A case as the API shows it: no personal data, ever.
pub fn case_json(c: &PublicCase) -> Value {
    json!({
        "tracking_number": c.tracking.to_string(),
        "public": c.public,
        "status": c.status.code(),
        "status_label": {"zh": c.status.label_zh(), "en": c.status.label_en()},
        "category": c.category.code(),
        "channel": c.channel.code(),
        "title": c.title,
        "body": c.body,
        "received_at": iso::utc(c.received_at),
        "updated_at": iso::utc(c.updated_at),
        "due_at": c.due_at.map(iso::utc),
        "deadline_provisional": c.provisional,
        "department": c.department.as_ref().map(|d| json!({"code": d.code, "name_zh": d.zh, "name_en": d.en})),
        "location": {"lat": c.latitude, "long": c.longitude, "address": c.address},
        "timeline": c.timeline.iter().map(|e| json!({"event": e.kind, "at": iso::utc(e.at), "note": e.note})).collect::<Vec<_>>(),
        "replies": c.replies.iter().map(|r| json!({
            "body": r.body,
            "truthfulness": r.truthfulness.code(),
            "grade": r.grade.map(minyi::case::Grade::code),
            "visibility": r.visibility.code(),
            "published_at": iso::utc(r.published_at),
        })).collect::<Vec<_>>(),
    })
}

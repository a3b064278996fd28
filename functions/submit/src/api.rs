//! `POST /api/v1/cases`: the JSON door.

use crate::input::Submission;
use crate::service;
use minyi::app::cases::Registered;
use minyi::calendar::iso;
use minyi::case::Channel;
use minyi_web::{Env, Lang, Request, Response, WebError};
use serde_json::{Value, json};

/// Registers a case from a JSON body; `Idempotency-Key` makes retries safe.
pub async fn create<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let body = req.json()?;
    let Value::Object(object) = body else {
        return Err(WebError::bad(
            "body",
            "须为JSON对象 / must be a JSON object",
        ));
    };
    let header_key = req.header("idempotency-key").map(str::to_owned);
    let field = |name: &str| {
        if name == "idempotency_key" && header_key.is_some() {
            return header_key.clone();
        }
        match object.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => Some(String::from("\u{0}")),
        }
    };
    let submission =
        Submission::parse(field, Channel::Web).map_err(|errors| errors[0].to_web(lang))?;
    let registered = service::register(env, submission, req.client_ip.as_deref()).await?;
    let location = format!("/api/v1/cases/{}", registered.tracking.as_str());
    Ok(Response::json(201, &created(&registered)).with_header("location", &location))
}

/// The answer to a registration: what the citizen must keep.
pub fn created(r: &Registered) -> Value {
    json!({
        "tracking_number": r.tracking.to_string(),
        "query_code": r.query_code.as_ref().map(minyi::ids::QueryCode::display),
        "status": r.case.status.code(),
        "received_at": iso::utc(r.case.received_at),
        "due_at": r.case.due_at.map(iso::utc),
        "deadline_provisional": r.case.provisional,
        "links": {
            "self": format!("/api/v1/cases/{}", r.tracking.as_str()),
            "page": format!("/cases/{}", r.tracking.as_str()),
        },
    })
}

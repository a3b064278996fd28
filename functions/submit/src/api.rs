//! `POST /api/v1/cases`: the JSON door.

use crate::input::Submission;
use crate::service;
use minyi::app::cases::Registered;
use minyi::calendar::iso;
use minyi::case::Channel;
use minyi_web::{Env, Lang, Request, Response, WebError};
use serde_json::{Map, Value, json};

/// The JSON type a property must have.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Flag,
    Number,
}

/// Every property the request body may have (`additionalProperties: false` in the OpenAPI
/// document), with its type.
const PROPERTIES: &[(&str, Kind)] = &[
    ("category", Kind::Text),
    ("title", Kind::Text),
    ("body", Kind::Text),
    ("publish", Kind::Flag),
    ("consent", Kind::Flag),
    ("name", Kind::Text),
    ("phone", Kind::Text),
    ("email", Kind::Text),
    ("lat", Kind::Number),
    ("long", Kind::Number),
    ("address", Kind::Text),
    ("show_address", Kind::Flag),
];

/// Registers a case from a JSON body; `Idempotency-Key` makes retries safe.
pub async fn create<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let Value::Object(object) = req.json()? else {
        return Err(WebError::bad(
            "body",
            "须为JSON对象 / must be a JSON object",
        ));
    };
    let fields = typed_fields(&object)?;
    let key = req.header("idempotency-key").map(str::to_owned);
    if key.as_deref().is_some_and(|k| k.trim().is_empty()) {
        return Err(WebError::bad(
            "idempotency_key",
            "Idempotency-Key不能为空 / the Idempotency-Key header must not be empty",
        ));
    }
    let field = |name: &str| {
        if name == "idempotency_key" {
            return key.clone();
        }
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let in_force = env.rules().await?;
    let submission = Submission::parse(field, Channel::Web, &in_force.rulebook.form_categories)
        .map_err(|errors| errors[0].to_web(lang))?;
    let scope = service::api_scope(env, req);
    let registered = service::register(env, submission, req, &scope, &in_force).await?;
    let location = format!("/api/v1/cases/{}", registered.tracking.as_str());
    let response = Response::json(201, &created(&registered))
        .with_header("location", &location)
        .with_header("cache-control", "no-store");
    Ok(if registered.replayed {
        response.with_header("idempotent-replayed", "true")
    } else {
        response
    })
}

/// The body's properties as text, each checked against its documented type; an unknown
/// property or a value of the wrong type is named.
fn typed_fields(object: &Map<String, Value>) -> Result<Vec<(String, String)>, WebError> {
    object
        .iter()
        .map(|(name, value)| {
            let Some((_, kind)) = PROPERTIES.iter().find(|(p, _)| p == name) else {
                return Err(WebError::bad(
                    &name.chars().take(64).collect::<String>(),
                    "未知的字段 / unknown property",
                ));
            };
            let text = match (kind, value) {
                (Kind::Text, Value::String(s)) => s.clone(),
                (Kind::Flag, Value::Bool(b)) => b.to_string(),
                (Kind::Number, Value::Number(n)) => n.to_string(),
                (Kind::Text, _) => {
                    return Err(WebError::bad(name, "须为字符串 / must be a string"));
                }
                (Kind::Flag, _) => {
                    return Err(WebError::bad(
                        name,
                        "须为true或false / must be true or false",
                    ));
                }
                (Kind::Number, _) => {
                    return Err(WebError::bad(name, "须为数字 / must be a number"));
                }
            };
            Ok((name.clone(), text))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_and_unknown_properties_are_named() {
        let bad = |v: Value| match typed_fields(v.as_object().expect("object")) {
            Err(WebError::BadRequest { field, problem }) => (field, problem),
            other => panic!("{other:?}"),
        };
        let (field, problem) = bad(json!({"title": 3}));
        assert_eq!(
            (field.as_str(), problem.contains("string")),
            ("title", true)
        );
        let (field, problem) = bad(json!({"publish": "yes"}));
        assert_eq!(
            (field.as_str(), problem.contains("true or false")),
            ("publish", true)
        );
        let (field, problem) = bad(json!({"lat": "32.1"}));
        assert_eq!((field.as_str(), problem.contains("number")), ("lat", true));
        let (field, problem) = bad(json!({"admin": true}));
        assert_eq!(
            (field.as_str(), problem.contains("unknown")),
            ("admin", true)
        );
        assert!(typed_fields(json!({"title": "t", "lat": 1.5}).as_object().expect("o")).is_ok());
    }
}

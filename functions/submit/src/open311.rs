//! `POST /open311/v2/requests.{json,xml}`: Open311 GeoReport v2 service requests.
//!
//! The form fields of the spec are mapped onto a Minyi submission and checked by the same
//! parser as every other door ([`Submission::parse`]):
//!
//! | Open311 | Minyi |
//! | --- | --- |
//! | `service_code` | category |
//! | `description` | body; the title is its first 30 characters |
//! | `first_name`, `last_name` | name |
//! | `phone`, `email`, `lat`, `long` | the same |
//! | `address_string` | address |
//! | `attribute[publish]` (`yes`/`no`, default `no`) | publication |
//! | `attribute[show_address]` (`yes`/`no`, default `no`) | the address shown publicly |
//!
//! A request is published only when the client says so explicitly: without
//! `attribute[publish]=yes` it is registered as a private case (its query code is not
//! returned: Open311 has no field for it; the citizen follows it through the partner system).
//! The specification's limits hold: `description` at most 4,000 characters, `lat` and `long`
//! together or not at all. The API key's holder answers for the citizen's consent to the
//! processing of personal data.

use crate::input::Submission;
use crate::service;
use minyi::app::cases::Registered;
use minyi::app::keys;
use minyi::case::Channel;
use minyi_web::open311::{self, Failure, Format};
use minyi_web::{Env, Request, Response, WebError};
use serde_json::{Value, json};

/// Characters of the description that make the case's title.
const TITLE_CHARS: usize = 30;
/// The specification's limit on `description`, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// Creates a service request; `resource` is the last path segment (`requests.json`).
pub async fn create<E: Env>(env: &E, req: &Request, resource: &str) -> Response {
    let Some(("requests", format)) = Format::split(resource) else {
        return Failure::not_found(resource).render(Format::of_path(&req.path));
    };
    match register(env, req).await {
        Ok(r) => format.render(201, "service_requests", &created(&r)),
        Err(f) => f.render(format),
    }
}

async fn register<E: Env>(env: &E, req: &Request) -> Result<Registered, Failure> {
    let form = req.form().map_err(|e| match e {
        WebError::UnsupportedMediaType => Failure::new(
            415,
            "须以application/x-www-form-urlencoded提交 / send application/x-www-form-urlencoded",
        ),
        other => other.into(),
    })?;
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let key = get("api_key").unwrap_or_default();
    if !keys::verify(env.store(), &key).await? {
        return Err(WebError::Unauthorized.into());
    }
    // Retries are the key holder's: its idempotency keys are its own.
    let scope = format!("open311:{}", &keys::digest(&key)[..16]);
    open311::check_jurisdiction(env.config(), get("jurisdiction_id").as_deref())?;
    let code = get("service_code").unwrap_or_default();
    if code.is_empty() {
        return Err(Failure::field("service_code", "此项必填 / required"));
    }
    let in_force = env.rules().await?;
    let offered = &in_force.rulebook.form_categories;
    if open311::service(&code, offered).is_none() {
        return Err(Failure::not_found(&format!("service_code {code}")));
    }
    let description = get("description").unwrap_or_default();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Failure::field(
            "description",
            "最多4000个字符 / at most 4,000 characters",
        ));
    }
    let has = |name: &str| get(name).is_some_and(|v| !v.is_empty());
    if has("lat") != has("long") {
        return Err(Failure::field(
            if has("lat") { "long" } else { "lat" },
            "lat与long须同时提供 / lat and long go together",
        ));
    }
    let title: String = description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(TITLE_CHARS)
        .collect();
    let full_name = [get("first_name"), get("last_name")]
        .into_iter()
        .flatten()
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let idempotency_key = req.header("idempotency-key").map(str::to_owned);
    let field = |name: &str| match name {
        "category" => Some(code.clone()),
        "title" => Some(title.clone()),
        "body" => Some(description.clone()),
        "name" => Some(full_name.clone()),
        "address" => get("address_string"),
        "publish" => Some(get("attribute[publish]").unwrap_or_else(|| "no".into())),
        "show_address" => get("attribute[show_address]"),
        "consent" => Some("yes".into()),
        "idempotency_key" => idempotency_key.clone(),
        other => get(other),
    };
    let submission = Submission::parse(field, Channel::Open311, offered).map_err(|errors| {
        let e = &errors[0];
        Failure::field(
            open311_name(e.field),
            &format!("{} / {}", e.problem.zh, e.problem.en),
        )
    })?;
    Ok(service::register(env, submission, req, &scope, &in_force).await?)
}

/// A submission field as the Open311 client named it.
fn open311_name(field: &str) -> &str {
    match field {
        "category" => "service_code",
        "title" | "body" => "description",
        "name" => "first_name",
        "address" => "address_string",
        "publish" => "attribute[publish]",
        "show_address" => "attribute[show_address]",
        other => other,
    }
}

/// The spec's answer: `[{service_request_id, service_notice, account_id}]`.
fn created(r: &Registered) -> Value {
    let tracking = r.tracking.to_string();
    let notice = match r.case.due_at {
        Some(due) => {
            let when = open311::local(due);
            let provisional = if r.case.provisional {
                "（暂定 provisional）"
            } else {
                ""
            };
            format!(
                "已受理，受理编号 {tracking}，答复期限 {when}{provisional}（北京时间）。\
                 Received as {tracking}; an answer is due by {when} Beijing time."
            )
        }
        None => format!("已受理，受理编号 {tracking}。Received as {tracking}."),
    };
    json!([{
        "service_request_id": tracking,
        "service_notice": notice,
        "account_id": null,
    }])
}

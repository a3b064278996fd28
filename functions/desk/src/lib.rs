//! # minyi-desk
//!
//! The staff back office, under `/desk/`: login (password and, for every role that sees
//! personal data, a second factor), work queues by role, a case with its whole timeline and
//! the citizen's contact details (each reading audited), and the handling actions, every one
//! through `Case::handle`. Its own unit (`minyi_site::desk`): no public build carries it.
//!
//! | route | does |
//! | --- | --- |
//! | `GET /desk/login`, `POST /desk/login` | the login form; a session cookie |
//! | `POST /desk/api/session` | the same for API clients (JSON in, bearer token out) |
//! | `POST /desk/logout` | ends the session |
//! | `GET /desk/` | the work queues of the person's roles |
//! | `GET /desk/cases/{tracking}` | a case, its timeline, contact details (audited), actions |
//! | `GET /desk/intake`, `POST /desk/intake` | an operator registers a call, letter or visit |
//! | `POST /desk/api/import` | a batch of cases from another platform, idempotent |
//! | `POST /desk/cases/{tracking}/{action}` | every handling action (`act.rs` lists them) |
//! | `POST /desk/api/accounts` | an admin creates an account (JSON); the TOTP enrolment URI once |
//! | `/desk/admin/...`, `/desk/sessions` | admins' screens; a person's own sessions (`admin.rs`) |
//! | `GET /desk/supervision` | overdue and escalated cases by department (supervisors, admins) |
//! | `GET /desk/statistics?month=YYYY-MM[&format=csv]` | a period's counts and rates by department |
//! | `GET /desk/criticism?quarter=YYYY-Qn`, `POST /desk/criticism` | a quarter's criticism records; a supervisor records one |
//! | `/desk/meetings...` | open meetings: create, publish, registrations, attendance, CSV (`meetings.rs`) |
//! | `POST /desk/setup` | the first admin, with the ops secret as bearer, only while no account exists |
//! | `GET /desk/api/openapi.json` | the OpenAPI 3.1 document of all this |
//!
//! State changes must show where they come from (`Sec-Fetch-Site` or `Origin`, a bearer token,
//! or a JSON body): a request with none of these is refused, unlike on the public site.

mod accounts;
mod act;
mod admin;
mod criticism;
mod intake;
mod login;
mod meetings;
mod pages;
mod password;
mod session;
mod statistics;
mod supervision;
pub mod totp;

use minyi::app::Host;
use minyi::app::staff::{self, Staff};
use minyi::staff::StaffRole;
use minyi::store::Store;
use minyi_web::{Env, Lang, Method, Request, Response, WebError, html, limits};

/// Answers `/desk` and `/desk/...`; `None` for any other path.
pub async fn handle<E: Env>(env: &E, req: &Request) -> Option<Response> {
    let rest = req.path.strip_prefix("/desk")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let lang = Lang::of(req);
    let answer = if req.method != Method::Get && !shows_origin(req) {
        Err(WebError::forbidden(
            "请从本系统页面提交 / submit from the desk's own pages",
        ))
    } else {
        route(env, req, lang, rest.trim_start_matches('/')).await
    };
    Some(answer.unwrap_or_else(|e| {
        if rest.starts_with("/api/") {
            e.to_problem(lang)
        } else {
            html::error_page(lang, req, &e)
        }
    }))
}

async fn route<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    rest: &str,
) -> Result<Response, WebError> {
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match (req.method, segments.as_slice()) {
        (Method::Get, ["login"]) => Ok(pages::login(req, lang, 200, None)),
        (Method::Post, ["login"]) => login_form(env, req, lang).await,
        (Method::Post, ["api", "session"]) => login_api(env, req).await,
        (Method::Post, ["logout"]) => logout(env, req).await,
        (Method::Post, ["setup"]) => setup(env, req).await,
        (Method::Get, ["api", "openapi.json"]) => Ok(Response::new(
            200,
            "application/json; charset=utf-8",
            include_str!("openapi.json"),
        )),
        (_, ["login" | "logout" | "setup"] | ["api", "session"]) => {
            Err(WebError::MethodNotAllowed {
                allow: minyi_web::ALLOW_READ_POST,
            })
        }
        (method, rest) => {
            let Some(staff) = session::current(env, req).await? else {
                return Ok(match method {
                    Method::Get => Response::see_other("/desk/login"),
                    _ => WebError::Unauthorized.to_problem(lang),
                });
            };
            match (method, rest) {
                (Method::Get, []) => pages::queues(env, req, lang, &staff).await,
                (Method::Get, ["cases", tracking]) => {
                    pages::case(env, req, lang, &staff, tracking_number(tracking)?.as_str()).await
                }
                (Method::Post, ["cases", tracking, action]) => {
                    let tracking = tracking_number(tracking)?;
                    act::act(env, req, &staff, tracking.as_str(), action).await
                }
                (Method::Get, ["intake"]) => intake::form(req, lang, &staff),
                (Method::Post, ["intake"]) => intake::register(env, req, lang, &staff).await,
                (Method::Post, ["api", "import"]) => intake::import(env, req, &staff).await,
                (Method::Post, ["api", "accounts"]) => accounts::create_api(env, req, &staff).await,
                (_, ["admin", ..] | ["sessions", ..]) => {
                    admin::route(env, req, lang, &staff, rest).await
                }
                (_, ["meetings", rest @ ..]) => meetings::route(env, req, lang, &staff, rest).await,
                (Method::Get, ["statistics"]) => statistics::page_of(env, req, lang, &staff).await,
                (Method::Get, ["criticism"]) => criticism::page_of(env, req, lang, &staff).await,
                (Method::Post, ["criticism"]) => criticism::record(env, req, &staff).await,
                (Method::Get, ["supervision"]) => {
                    supervision::page_of(env, req, lang, &staff).await
                }
                _ => Err(WebError::NotFound),
            }
        }
    }
}

/// A tracking number as people write it (`K7Q-H3X-PD9`, lower case and confusable letters
/// forgiven, as on the public site).
fn tracking_number(text: &str) -> Result<minyi::ids::TrackingNumber, WebError> {
    minyi::ids::TrackingNumber::parse(text).map_err(|_| WebError::NotFound)
}

/// Whether the request comes from an API client (a bearer token or a JSON body), which is
/// answered with JSON rather than pages and redirects.
fn is_api(req: &Request) -> bool {
    req.header("authorization").is_some()
        || req
            .header("content-type")
            .is_some_and(|t| t.trim_start().starts_with("application/json"))
}

/// Whether a state-changing request shows it is not a plain cross-site form post: a browser's
/// `Sec-Fetch-Site` or `Origin` (the serve path has refused cross-site ones already), a bearer
/// token, or a JSON body (which a cross-site form cannot send).
fn shows_origin(req: &Request) -> bool {
    req.header("sec-fetch-site").is_some() || req.header("origin").is_some() || is_api(req)
}

async fn login_form<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name);
    let attempt = login::Attempt {
        login: get("login"),
        password: get("password"),
        code: get("code"),
    };
    match login::log_in(env, req, &attempt).await? {
        Ok(token) => {
            Ok(Response::see_other("/desk/").with_header("set-cookie", &session::cookie(&token)))
        }
        Err(login::Refused) => Ok(pages::login(req, lang, 401, Some(attempt.login))),
    }
}

async fn login_api<E: Env>(env: &E, req: &Request) -> Result<Response, WebError> {
    let body = req.json()?;
    let text = |name: &str| body[name].as_str().unwrap_or_default();
    let attempt = login::Attempt {
        login: text("login"),
        password: text("password"),
        code: text("code"),
    };
    match login::log_in(env, req, &attempt).await? {
        Ok(token) => {
            // A session token: never kept by a cache.
            Ok(Response::json(
                201,
                &serde_json::json!({"token": token, "expires_in": session::TTL_MS / 1000}),
            )
            .with_header("cache-control", "no-store"))
        }
        Err(login::Refused) => Err(WebError::forbidden(login::REFUSED)),
    }
}

async fn logout<E: Env>(env: &E, req: &Request) -> Result<Response, WebError> {
    if let Some(token) = session::token_of(req) {
        staff::revoke(env.store(), &session::token_hash(&token), env.host().now()).await?;
    }
    Ok(Response::see_other("/desk/login").with_header("set-cookie", &session::cleared()))
}

/// Writes one audit row for `staff` acting (or reading) from this request's client.
async fn audit<E: Env>(
    env: &E,
    req: &Request,
    staff: Option<(i64, &str)>,
    action: &str,
    case_id: Option<i64>,
    detail: &str,
) -> Result<(), WebError> {
    let client = limits::client_key(env, req);
    env.store()
        .execute(staff::audit(
            env.host().now(),
            staff,
            action,
            case_id,
            &client,
            detail,
        ))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(())
}

/// The roles of `staff` as one audit string (`operator,handler:3`).
fn roles_text(staff: &Staff) -> String {
    staff
        .roles
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// `POST /desk/setup`: the first admin account, once, for a caller holding the deployment's
/// ops secret (`MINYI_OPS_SECRET`). Refused when any account exists.
async fn setup<E: Env>(env: &E, req: &Request) -> Result<Response, WebError> {
    let Some(secret) = env.config().ops_secret.as_deref() else {
        return Err(WebError::NotFound);
    };
    if !req.bears(secret) {
        return Err(WebError::Unauthorized);
    }
    if staff::count(env.store()).await? > 0 {
        return Err(WebError::Conflict);
    }
    let body = req.json()?;
    let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    let id = accounts::create(
        env,
        &text("login"),
        &text("display_name"),
        &text("password"),
        &[StaffRole::Admin],
    )
    .await?
    .0;
    audit(env, req, Some((id, "admin")), "setup", None, "").await?;
    Ok(Response::json(201, &serde_json::json!({"id": id})))
}

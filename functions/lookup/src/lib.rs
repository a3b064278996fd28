//! # minyi-lookup
//!
//! The lookup function: what the public reads. A case's page by tracking number (a private
//! case also needs its query code), the list of answered cases with filters and search, the
//! JSON API with its OpenAPI document, Open311 GeoReport v2 reads, the public statistics
//! (departments ranked by on-time reply rate, hot topics), and the open meetings' pages.

mod api;
mod meetings;
mod open311;
mod pages;
pub mod query;
mod ranking;

use minyi_web::cache;
use minyi_web::limits::{self, Bucket};
use minyi_web::{
    ALLOW_READ, ALLOW_READ_POST, Env, Lang, Method, Request, Response, WebError, html,
};

/// Answers the requests this function owns; `None` for any other path. What any reader would
/// get the same is marked for shared caches ([`shared_for`]); the serve path decides the rest
/// (`minyi_web::cache::seal`).
pub async fn handle<E: Env>(env: &E, req: &Request) -> Option<Response> {
    let segments = req.segments()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let response = answer(env, req, &segments).await?;
    Some(match shared_for(env, req.method, &segments) {
        Some(seconds) if response.status == 200 => cache::public(response, seconds),
        _ => response,
    })
}

/// How long shared caches may keep the answer to a read any reader gets the same: the pages,
/// the JSON API's reads, Open311's reads, the OpenAPI document. (`/track` answers a code;
/// a private case's page is a 403, never kept.)
fn shared_for<E: Env>(env: &E, method: Method, segments: &[&str]) -> Option<u32> {
    if method != Method::Get {
        return None;
    }
    match segments {
        ["api", "openapi.json"]
        | [
            "open311",
            "v2",
            "services" | "services.json" | "services.xml",
            ..,
        ] => Some(cache::STABLE_SECONDS),
        []
        | ["cases"]
        | ["cases", _]
        | ["statistics"]
        | ["meetings"]
        | ["meetings", _]
        | ["api", "v1", "cases"]
        | ["api", "v1", "cases", _]
        | ["open311", "v2", ..] => Some(env.config().shared_cache_seconds),
        _ => None,
    }
}

async fn answer<E: Env>(env: &E, req: &Request, segments: &[&str]) -> Option<Response> {
    let lang = Lang::of(req);
    let owned = matches!(
        segments,
        [] | ["cases", ..]
            | ["track"]
            | ["statistics"]
            | ["meetings", ..]
            | ["api", "v1", "cases", ..]
            | ["api", "openapi.json"]
            | ["open311", "v2", ..]
    );
    if !owned {
        return None;
    }
    if let Err(e) = limits::check(env, Bucket::Read, req).await {
        return Some(match segments.first() {
            Some(&"api") => e.to_problem(lang),
            Some(&"open311") => open311::error(req, &e),
            _ => html::error_page(lang, req, &e),
        });
    }
    let page = match (req.method, segments) {
        (Method::Get, ["api", "openapi.json"]) => return Some(api::openapi()),
        (Method::Get, ["api", "v1", "cases"]) => {
            return Some(
                api::list(env, req, lang)
                    .await
                    .unwrap_or_else(|e| e.to_problem(lang)),
            );
        }
        (Method::Get, ["api", "v1", "cases", tracking]) => {
            return Some(
                api::case(env, req, tracking, lang)
                    .await
                    .unwrap_or_else(|e| e.to_problem(lang)),
            );
        }
        (_, ["api", "v1", "cases"]) => {
            let e = WebError::MethodNotAllowed {
                allow: ALLOW_READ_POST,
            };
            return Some(e.to_problem(lang));
        }
        (_, ["api", "v1", "cases", _] | ["api", "openapi.json"]) => {
            let e = WebError::MethodNotAllowed { allow: ALLOW_READ };
            return Some(e.to_problem(lang));
        }
        (_, ["api", ..]) => return Some(WebError::NotFound.to_problem(lang)),
        (Method::Get, ["open311", "v2", rest @ ..]) => {
            return Some(open311::read(env, req, rest).await);
        }
        (_, ["open311", ..]) => {
            let requests = segments.len() == 3 && segments[2].starts_with("requests");
            let allow = if requests {
                ALLOW_READ_POST
            } else {
                ALLOW_READ
            };
            return Some(open311::error(req, &WebError::MethodNotAllowed { allow }));
        }
        (Method::Get, []) => pages::home(env, req, lang).await,
        (Method::Get, ["cases"]) => pages::list(env, req, lang).await,
        (Method::Get, ["cases", tracking]) => pages::case(env, req, tracking, None, lang).await,
        (Method::Get, ["track"]) => Ok(pages::track_form(req, lang, None)),
        (Method::Get, ["statistics"]) => ranking::page(env, req, lang).await,
        (Method::Get, ["meetings"]) => meetings::list(env, req, lang).await,
        (Method::Get, ["meetings", code]) => meetings::page(env, req, code, lang).await,
        (Method::Post, ["track"]) => pages::track(env, req, lang).await,
        (_, ["track"]) => Err(WebError::MethodNotAllowed {
            allow: ALLOW_READ_POST,
        }),
        (_, [] | ["cases"] | ["cases", _] | ["statistics"] | ["meetings"] | ["meetings", _]) => {
            Err(WebError::MethodNotAllowed { allow: ALLOW_READ })
        }
        (_, ["cases", _, "rate"]) => Err(WebError::MethodNotAllowed { allow: "POST" }),
        _ => Err(WebError::NotFound),
    };
    Some(page.unwrap_or_else(|e| html::error_page(lang, req, &e)))
}

//! # minyi-lookup
//!
//! The lookup function: what the public reads. A case's page by tracking number (a private
//! case also needs its query code), the list of answered cases with filters and search, the
//! JSON API with its OpenAPI document, Open311 GeoReport v2 reads, the public statistics
//! (departments ranked by on-time reply rate, hot topics), and the open meetings' pages.
//!
//! In two parts, so a deployment can serve them apart: [`crowd`], the pages a crowd reads (the
//! start page, the answered cases, a case's page and its tracking form, the open meetings),
//! and [`cold`], the reads few clients make ([`is_cold`]: the JSON API with its OpenAPI
//! document, Open311, the statistics). [`handle`] answers both.

mod api;
mod meetings;
mod open311;
mod pages;
pub mod query;
mod ranking;

use minyi_web::cache;
use minyi_web::limits::{self, Bucket};
use minyi_web::{
    ALLOW_READ, ALLOW_READ_POST, Env, Lang, Method, Request, Response, WebError, html, under,
};

/// Answers the requests this function owns ([`crowd`], then [`cold`]); `None` for any other
/// path.
pub async fn handle<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if let Some(r) = crowd(env, req).await {
        return Some(r);
    }
    cold(env, req).await
}

/// Whether a request belongs to [`cold`], by its path: anything under `/api`, `/open311` or
/// `/statistics`. The public Worker hands these to the Worker behind it
/// (docs/deploy-workers.md).
pub fn is_cold(path: &str) -> bool {
    under(path, "/api") || under(path, "/open311") || under(path, "/statistics")
}

/// The pages a crowd reads: `/`, `/cases`, `/cases/{tracking}`, `/track` (the tracking form,
/// and a private case's page for its query code), `/meetings`, `/meetings/{code}`; `None` for
/// any other path, and for every path [`is_cold`] names.
pub async fn crowd<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if is_cold(&req.path) {
        return None;
    }
    let segments = req.segments()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if !matches!(
        segments.as_slice(),
        [] | ["cases", ..] | ["track"] | ["meetings", ..]
    ) {
        return None;
    }
    let lang = Lang::of(req);
    let refused = |e: &WebError| html::error_page(lang, req, e);
    Some(
        read(
            env,
            req,
            &segments,
            refused,
            crowd_answer(env, req, &segments, lang),
        )
        .await,
    )
}

/// The reads few clients make ([`is_cold`]): the JSON API's reads with its OpenAPI document,
/// Open311's reads and the statistics page; `None` for any other request.
pub async fn cold<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if !is_cold(&req.path) {
        return None;
    }
    let segments = req.segments()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if !matches!(
        segments.as_slice(),
        ["statistics"]
            | ["api", "v1", "cases", ..]
            | ["api", "openapi.json"]
            | ["open311", "v2", ..]
    ) {
        return None;
    }
    let lang = Lang::of(req);
    let refused = |e: &WebError| match segments.first() {
        Some(&"api") => e.to_problem(lang),
        Some(&"open311") => open311::error(req, e),
        _ => html::error_page(lang, req, e),
    };
    Some(
        read(
            env,
            req,
            &segments,
            refused,
            cold_answer(env, req, &segments, lang),
        )
        .await,
    )
}

/// One read of a path a part owns: refused (in the part's own format) past the client's read
/// budget, else `answer`; what any reader would get the same is marked for shared caches
/// ([`shared_for`]); the serve path decides the rest (`minyi_web::cache::seal`).
async fn read<E: Env>(
    env: &E,
    req: &Request,
    segments: &[&str],
    refused: impl FnOnce(&WebError) -> Response,
    answer: impl Future<Output = Response>,
) -> Response {
    if let Err(e) = limits::check(env, Bucket::Read, req).await {
        return refused(&e);
    }
    let response = answer.await;
    match shared_for(env, req.method, segments) {
        Some(seconds) if response.status == 200 => cache::public(response, seconds),
        _ => response,
    }
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

/// The answer to a path [`crowd`] owns.
async fn crowd_answer<E: Env>(env: &E, req: &Request, segments: &[&str], lang: Lang) -> Response {
    let page = match (req.method, segments) {
        (Method::Get, []) => pages::home(env, req, lang).await,
        (Method::Get, ["cases"]) => pages::list(env, req, lang).await,
        (Method::Get, ["cases", tracking]) => pages::case(env, req, tracking, None, lang).await,
        (Method::Get, ["track"]) => Ok(pages::track_form(req, lang, None)),
        (Method::Post, ["track"]) => pages::track(env, req, lang).await,
        (_, ["track"]) => Err(WebError::MethodNotAllowed {
            allow: ALLOW_READ_POST,
        }),
        (Method::Get, ["meetings"]) => meetings::list(env, req, lang).await,
        (Method::Get, ["meetings", code]) => meetings::page(env, req, code, lang).await,
        (_, [] | ["cases"] | ["cases", _] | ["meetings"] | ["meetings", _]) => {
            Err(WebError::MethodNotAllowed { allow: ALLOW_READ })
        }
        (_, ["cases", _, "rate"]) => Err(WebError::MethodNotAllowed { allow: "POST" }),
        _ => Err(WebError::NotFound),
    };
    page.unwrap_or_else(|e| html::error_page(lang, req, &e))
}

/// The answer to a path [`cold`] owns.
async fn cold_answer<E: Env>(env: &E, req: &Request, segments: &[&str], lang: Lang) -> Response {
    let page = match (req.method, segments) {
        (Method::Get, ["api", "openapi.json"]) => return api::openapi(),
        (Method::Get, ["api", "v1", "cases"]) => {
            return api::list(env, req, lang)
                .await
                .unwrap_or_else(|e| e.to_problem(lang));
        }
        (Method::Get, ["api", "v1", "cases", tracking]) => {
            return api::case(env, req, tracking, lang)
                .await
                .unwrap_or_else(|e| e.to_problem(lang));
        }
        (_, ["api", "v1", "cases"]) => {
            let e = WebError::MethodNotAllowed {
                allow: ALLOW_READ_POST,
            };
            return e.to_problem(lang);
        }
        (_, ["api", "v1", "cases", _] | ["api", "openapi.json"]) => {
            let e = WebError::MethodNotAllowed { allow: ALLOW_READ };
            return e.to_problem(lang);
        }
        (_, ["api", ..]) => return WebError::NotFound.to_problem(lang),
        (Method::Get, ["open311", "v2", rest @ ..]) => return open311::read(env, req, rest).await,
        (_, ["open311", ..]) => {
            let requests = segments.len() == 3 && segments[2].starts_with("requests");
            let allow = if requests {
                ALLOW_READ_POST
            } else {
                ALLOW_READ
            };
            return open311::error(req, &WebError::MethodNotAllowed { allow });
        }
        (Method::Get, ["statistics"]) => ranking::page(env, req, lang).await,
        (_, ["statistics"]) => Err(WebError::MethodNotAllowed { allow: ALLOW_READ }),
        _ => Err(WebError::NotFound),
    };
    page.unwrap_or_else(|e| html::error_page(lang, req, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cold_reads_are_named_by_their_path() {
        for path in [
            "/api",
            "/api/openapi.json",
            "/api/v1/cases",
            "/api/v1/cases/K7QH3XPD9",
            "/open311/v2/services.json",
            "/open311/v2/requests/K7QH3XPD9.xml",
            "/statistics",
        ] {
            assert!(is_cold(path), "{path}");
        }
        for path in [
            "/",
            "/cases",
            "/cases/K7QH3XPD9",
            "/track",
            "/meetings/M1",
            "/apis",
            "/statistics.csv",
        ] {
            assert!(!is_cold(path), "{path}");
        }
    }
}

//! # minyi-submit
//!
//! The submit function: a citizen's message in, a tracking number out. Three doors lead to the
//! same use case ([`minyi::app::cases::register`]): the web form (`/submit`), the JSON API
//! (`POST /api/v1/cases`) and Open311 (`POST /open311/v2/requests.{json,xml}`). The citizen's
//! rating of a reply (`POST /submit/rating`, the form on the case page) and the open meetings'
//! registrations and answers (`POST /submit/meetings/...`) are here too: the public side's
//! other writes.

mod api;
mod decimal;
pub mod input;
mod meetings;
mod open311;
mod pages;
mod rating;
mod service;

use minyi_web::{Env, Lang, Method, Request, Response, WebError, html, under};

/// Whether a request is this function's: the form (`/submit`, its page and its posts under
/// `/submit/...`) and the writes of the JSON API and Open311. The public Worker hands these to
/// the submit Worker (docs/deploy-workers.md); [`handle`] answers exactly these.
pub fn owns(method: Method, path: &str) -> bool {
    under(path, "/submit")
        || (method == Method::Post
            && (path.trim_end_matches('/') == "/api/v1/cases"
                || path
                    .strip_prefix("/open311/v2/requests")
                    .is_some_and(|rest| !rest.contains('/'))))
}

/// Answers the requests this function owns ([`owns`]); `None` for any other path.
pub async fn handle<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if !owns(req.method, &req.path) {
        return None;
    }
    let segments = req.segments()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let lang = Lang::of(req);
    let response = match (req.method, segments.as_slice()) {
        (Method::Get, ["submit"]) => pages::form(env, req, lang).await,
        (Method::Post, ["submit"]) => pages::submit(env, req, lang).await,
        (_, ["submit"]) => Err(WebError::MethodNotAllowed {
            allow: minyi_web::ALLOW_READ_POST,
        }),
        (Method::Post, ["submit", "rating"]) => rating::rate(env, req, lang).await,
        (_, ["submit", "rating"]) => Err(WebError::MethodNotAllowed { allow: "POST" }),
        (Method::Post, ["submit", "meetings", code]) => {
            meetings::register(env, req, code, lang).await
        }
        (Method::Post, ["submit", "meetings", code, "answer"]) => {
            meetings::answer(env, req, code, lang).await
        }
        (Method::Post, ["submit", "meetings", code, "comment"]) => {
            meetings::comment(env, req, code, lang).await
        }
        (_, ["submit", "meetings", ..]) => Err(WebError::MethodNotAllowed { allow: "POST" }),
        (Method::Post, ["api", "v1", "cases"]) => {
            return Some(
                api::create(env, req, lang)
                    .await
                    .unwrap_or_else(|e| e.to_problem(lang)),
            );
        }
        (Method::Post, ["open311", "v2", requests]) if requests.starts_with("requests") => {
            return Some(open311::create(env, req, requests).await);
        }
        _ => return None,
    };
    Some(response.unwrap_or_else(|e| html::error_page(lang, req, &e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owns_the_form_and_the_writes_only() {
        for (method, path) in [
            (Method::Get, "/submit"),
            (Method::Post, "/submit"),
            (Method::Post, "/submit/rating"),
            (Method::Post, "/submit/meetings/M1/answer"),
            (Method::Post, "/api/v1/cases"),
            (Method::Post, "/api/v1/cases/"),
            (Method::Post, "/open311/v2/requests.json"),
            (Method::Post, "/open311/v2/requests.xml"),
        ] {
            assert!(owns(method, path), "{path}");
        }
        for (method, path) in [
            (Method::Get, "/api/v1/cases"),
            (Method::Post, "/api/v1/cases/K7QH3XPD9"),
            (Method::Get, "/open311/v2/requests.json"),
            (Method::Post, "/open311/v2/requests/K7QH3XPD9.json"),
            (Method::Post, "/track"),
            (Method::Get, "/submitted"),
            (Method::Post, "/__contract"),
        ] {
            assert!(!owns(method, path), "{path}");
        }
    }
}

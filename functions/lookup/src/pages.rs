//! The public pages: start page, answered cases, a case's page, tracking form.

use minyi_web::{Env, Lang, Request, Response, WebError};

/// `GET /`: the start page.
pub async fn home<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let _ = (env, req, lang);
    Err(WebError::NotFound)
}

/// `GET /cases`: answered cases with filters, search and paging.
pub async fn list<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let _ = (env, req, lang);
    Err(WebError::NotFound)
}

/// `GET /cases/{tracking}` (and `POST /track` with a code): a case's page.
pub async fn case<E: Env>(
    env: &E,
    req: &Request,
    tracking: &str,
    code: Option<&str>,
    lang: Lang,
) -> Result<Response, WebError> {
    let _ = (env, req, tracking, code, lang);
    Err(WebError::NotFound)
}

/// `GET /track`: the form asking for tracking number and query code.
pub fn track_form(req: &Request, lang: Lang, error: Option<&WebError>) -> Response {
    let _ = (req, lang, error);
    Response::html(501, String::from("not built yet"))
}

/// `POST /track`: shows the case the form names.
pub async fn track<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let _ = (env, req, lang);
    Err(WebError::NotFound)
}

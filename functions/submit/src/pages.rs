//! The web form and its confirmation page.

use minyi_web::{Env, Lang, Request, Response, WebError};

/// `GET /submit`: the form.
pub fn form<E: Env>(env: &E, req: &Request, lang: Lang) -> Response {
    let _ = (env, req, lang);
    Response::html(501, String::from("not built yet"))
}

/// `POST /submit`: registers the case and shows the confirmation.
pub async fn submit<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let _ = (env, req, lang);
    Err(WebError::NotFound)
}

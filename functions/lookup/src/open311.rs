//! Open311 GeoReport v2 reads: services, service definitions, requests.

use minyi_web::{Env, Request, Response, WebError};

/// Answers `GET /open311/v2/...`; `rest` is the path after `v2`.
pub async fn read<E: Env>(env: &E, req: &Request, rest: &[&str]) -> Response {
    let _ = (env, req, rest);
    Response::json(501, &serde_json::json!([]))
}

/// An error in Open311's format, in the format the path asks for.
pub fn error(req: &Request, error: &WebError) -> Response {
    let _ = req;
    Response::json(
        error.status(),
        &serde_json::json!([{"code": error.status(), "description": error.title().en}]),
    )
}

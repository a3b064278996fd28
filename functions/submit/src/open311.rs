//! `POST /open311/v2/requests.{json,xml}`: Open311 GeoReport v2 service requests.

use minyi_web::{Env, Request, Response};

/// Creates a service request; `resource` is the last path segment (`requests.json`).
pub async fn create<E: Env>(env: &E, req: &Request, resource: &str) -> Response {
    let _ = (env, req, resource);
    Response::json(501, &serde_json::json!([]))
}

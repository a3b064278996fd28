//! The submit component: `/submit`, `/api/...` and `/open311/...`.
//!
//! Spin routes by path, not method, and the JSON API and Open311 share paths between submit
//! (POST) and lookup (GET), so this component answers those paths the way the Worker answers
//! everything: submit, then lookup, else 404.

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_service]
async fn handle(req: spin_sdk::http::Request) -> minyi_spin::SpinResponse {
    minyi_spin::serve(req, async |env, req| {
        match minyi_submit::handle(env, req).await {
            Some(r) => Some(r),
            None => minyi_lookup::handle(env, req).await,
        }
    })
    .await
}

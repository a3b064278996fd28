//! The submit component: `/submit`, `/api/...` and `/open311/...`, served by the public unit
//! (submit, then lookup: Spin routes by path, not method, and the JSON API and Open311 share
//! paths between submit's POSTs and lookup's GETs).

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_service]
async fn handle(req: spin_sdk::http::Request) -> minyi_spin::SpinResponse {
    minyi_spin::serve(req, minyi_site::public).await
}

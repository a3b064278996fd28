//! The desk component: `/desk/...`, the staff back office. Route it from the staff hostname
//! only; public components never contain its code.

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_service]
async fn handle(req: spin_sdk::http::Request) -> minyi_spin::SpinResponse {
    minyi_spin::serve(req, minyi_site::desk).await
}

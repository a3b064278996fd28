//! The lookup component: the public pages (`/`, `/cases/...`, `/track`) and, as the
//! manifest's catch-all route, the 404 page for every other path.

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_service]
async fn handle(req: spin_sdk::http::Request) -> minyi_spin::SpinResponse {
    minyi_spin::serve(req, minyi_site::reads).await
}

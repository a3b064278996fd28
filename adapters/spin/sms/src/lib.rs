//! The SMS component: `/sms/...`, the SMS providers' webhooks (the provider unit). Serve it on
//! the hostname the providers are configured to call; it holds no public pages and no desk.

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_service]
async fn handle(req: spin_sdk::http::Request) -> minyi_spin::SpinResponse {
    minyi_spin::serve(req, minyi_site::provider).await
}

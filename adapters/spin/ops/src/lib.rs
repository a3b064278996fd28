//! The ops component: `/ops/...`, the operator's entry (schema migrations, the rulebook, and
//! the sweep a Kubernetes CronJob or systemd timer calls, since no released Spin cron trigger
//! loads a WASI 0.3 component). Refused without the `minyi_ops_secret` bearer token; absent
//! (404) when the variable is unset.

#[cfg(target_arch = "wasm32")]
#[spin_sdk::http_service]
async fn handle(req: spin_sdk::http::Request) -> minyi_spin::SpinResponse {
    minyi_spin::serve(req, minyi_site::ops).await
}

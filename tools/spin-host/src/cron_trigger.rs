//! The cron trigger (the `spin-trigger-cron` plugin): each trigger's six-field expression
//! (seconds first) fires a fresh instance's `handle-cron-event`.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use wasmtime::error::Context;

use crate::app::App;
use crate::bindings::cron::fermyon::spin_cron::cron_types::Metadata;

/// Runs component `id`'s `handle-cron-event` once; with `at`, its wall clock reads `at`.
pub async fn run(app: &App, id: &str, at: Option<SystemTime>) -> wasmtime::Result<()> {
    let loaded = app.cron.get(id).context("no such cron component")?;
    let mut store = app.store(&loaded.grants, at);
    let instance = loaded.pre.instantiate_async(&mut store).await?;
    let timestamp = at
        .unwrap_or_else(SystemTime::now)
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let result = store
        .run_concurrent(async |store| {
            instance
                .call_handle_cron_event(store, Metadata { timestamp })
                .await
        })
        .await??;
    result.map_err(|e| wasmtime::format_err!("the component reported {e:?}"))
}

/// Fires every cron trigger on its schedule, forever (also when there is none, so the HTTP
/// trigger keeps serving).
pub async fn schedule(app: Arc<App>) -> wasmtime::Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for trigger in &app.manifest.crons {
        let schedule = ::cron::Schedule::from_str(&trigger.expression)
            .with_context(|| format!("cron expression {:?}", trigger.expression))?;
        let app = Arc::clone(&app);
        let id = trigger.component.clone();
        tasks.spawn(async move {
            for next in schedule.upcoming(chrono::Utc) {
                let wait = (next - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                if let Err(e) = run(&app, &id, None).await {
                    eprintln!("spin-host: cron {id}: {e:#}");
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    std::future::pending().await
}

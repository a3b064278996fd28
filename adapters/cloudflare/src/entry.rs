//! The Worker's entry points: `fetch` (one unit of `minyi-site` through the shared serve path:
//! `public`, or `staff` in the desk's own build) and, in the desk's build only, `scheduled`
//! (the sweep, which delivers the outbox and so reads contact details: the public Worker
//! holds no such code; `wrangler.desk.toml` has the cron trigger).

use crate::{D1Store, KvStore, WorkerHost};
use futures_util::StreamExt;
use minyi_web::outbound::Reply;
use minyi_web::serve::serve;
use minyi_web::vars as config;
use minyi_web::{BodyReader, Config, Method, Request, Response, WebError};
use worker::{Context, Env, console_error, console_log, event};
#[cfg(feature = "desk")]
use worker::{ScheduleContext, ScheduledEvent};

/// The unit this Worker serves.
#[cfg(feature = "sms")]
use minyi_site::provider as unit;
#[cfg(not(any(feature = "desk", feature = "sms")))]
use minyi_site::public as unit;
#[cfg(all(feature = "desk", not(feature = "sms")))]
use minyi_site::staff as unit;

/// What one request runs against.
struct WorkerEnv {
    store: D1Store,
    kv: KvStore,
    host: WorkerHost,
    config: Config,
}

impl minyi_web::Env for WorkerEnv {
    type Store = D1Store;
    type Kv = KvStore;
    type Host = WorkerHost;

    fn store(&self) -> &D1Store {
        &self.store
    }

    fn kv(&self) -> &KvStore {
        &self.kv
    }

    fn host(&self) -> &WorkerHost {
        &self.host
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn log(&self, line: &str) {
        console_log!("{line}");
    }

    async fn send_post(&self, url: &str, headers: &[(&str, &str)], body: String) -> Reply {
        let sent = worker::Headers::new();
        for (name, value) in headers {
            sent.set(name, value).map_err(|e| e.to_string())?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(sent)
            .with_body(Some(body.into()));
        let request = worker::Request::new_with_init(url, &init).map_err(|e| e.to_string())?;
        let mut response = worker::Fetch::Request(request)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let text = response.text().await.map_err(|e| e.to_string())?;
        Ok((response.status_code(), text))
    }
}

#[event(fetch)]
async fn fetch(
    mut req: worker::Request,
    env: Env,
    _ctx: Context,
) -> worker::Result<worker::Response> {
    if let Some(behind) = worker_behind(&req, &env) {
        return behind.fetch_request(req).await;
    }
    let request = convert_request(&mut req).await;
    let worker_env = worker_env(&env);
    let response = serve(
        worker_env.as_ref().map_err(String::clone),
        request,
        unit,
        |line| console_error!("{line}"),
    )
    .await;
    convert_response(response)
}

/// In a local run (`scripts/dev`, `scripts/worker-test`) the desk's Worker is in front and hands
/// `/sms/...` to the SMS Worker (the `SMS` service binding) and every other request outside
/// `/desk` and `/ops` to the public Worker (`PUBLIC`), so one `wrangler dev` serves all three
/// over one local D1. A deployment binds neither: the staff hostname answers 404 outside
/// `/desk` and `/ops`.
#[cfg(feature = "desk")]
fn worker_behind(req: &worker::Request, env: &Env) -> Option<worker::Fetcher> {
    let url = req.inner().url();
    let (path, _) = split_url(&url);
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if under("/desk") || under("/ops") {
        return None;
    }
    if under("/sms") {
        return env.service("SMS").ok();
    }
    env.service("PUBLIC").ok()
}

/// The public and SMS Workers forward nothing.
#[cfg(not(feature = "desk"))]
fn worker_behind(_req: &worker::Request, _env: &Env) -> Option<worker::Fetcher> {
    None
}

fn worker_env(env: &Env) -> Result<WorkerEnv, String> {
    let config = config::read(|name| {
        env.secret(name)
            .map(|s| s.to_string())
            .or_else(|_| env.var(name).map(|v| v.to_string()))
            .ok()
    })
    .map_err(|e| e.to_string())?;
    Ok(WorkerEnv {
        store: D1Store::from_env(env, "DB").map_err(|e| e.to_string())?,
        kv: KvStore::from_env(env, "KV").map_err(|e| e.to_string())?,
        host: WorkerHost,
        config,
    })
}

/// The platform-neutral request, its body read through [`BodyReader`] (413 past the cap).
async fn convert_request(req: &mut worker::Request) -> Result<Request, WebError> {
    // The URL as the runtime gives it (already normalised by workerd), split by hand:
    // `worker::Request::url()` would link the `url` crate and its IDNA tables.
    let url = req.inner().url();
    let (path, query) = split_url(&url);
    let headers: Vec<(String, String)> = req.headers().entries().collect();
    let mut reader = BodyReader::new(
        req.headers()
            .get("content-length")
            .ok()
            .flatten()
            .as_deref(),
    )?;
    // The method as the client sent it: `worker::Method` reads a method it does not know
    // (QUERY, ...) as GET.
    let method = Method::parse(&req.inner().method());
    if req.inner().body().is_some() && method != Method::Get {
        let mut stream = req.stream().map_err(|_| BodyReader::unreadable())?;
        while let Some(chunk) = stream.next().await {
            reader.push(&chunk.map_err(|_| BodyReader::unreadable())?)?;
        }
    }
    let client_ip = req.headers().get("cf-connecting-ip").ok().flatten();
    let body = reader.finish();
    Ok(Request::new(method, path, query, headers, body, client_ip))
}

/// The path and query of an absolute URL (`https://host/path?query#fragment`).
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let target = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let target = target.split_once('#').map_or(target, |(t, _)| t);
    target.split_once('?').unwrap_or((target, ""))
}

fn convert_response(r: Response) -> worker::Result<worker::Response> {
    let headers = worker::Headers::new();
    for (name, value) in &r.headers {
        headers.append(name, value)?;
    }
    Ok(worker::Response::from_bytes(r.body)?
        .with_status(r.status)
        .with_headers(headers))
}

/// The cron trigger (`wrangler.desk.toml`): one bounded run of the sweep every runtime shares
/// (`minyi_ops::sweep`); what is left waits for the next trigger.
#[cfg(feature = "desk")]
#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let outcome = match worker_env(&env) {
        Ok(env) => minyi_ops::sweep(&env).await.map_err(|e| format!("{e:?}")),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) => console_log!(
            "minyi: sweep ({}): {}",
            event.cron(),
            minyi_ops::report(&report)
        ),
        Err(message) => console_error!("minyi: sweep ({}) failed: {message}", event.cron()),
    }
}

//! The Worker's entry points: `fetch` (one unit of `minyi-site` through the shared serve path)
//! and, in the desk's build only, `scheduled` (the sweep, which delivers the outbox and so
//! reads contact details: the public Worker holds no such code; `wrangler.desk.toml` has the
//! cron trigger). Four builds of this crate, one per feature:
//!
//! | build | unit | Worker |
//! | --- | --- | --- |
//! | (none) | `reads`, from the edge cache (crate::edge) | `minyi`, the public site: hands the form and the writes to `SUBMIT` |
//! | `submit` | `writes` | `minyi-submit`, behind the public Worker |
//! | `desk` | `staff` | `minyi-desk`, the staff hostname, with the cron sweep |
//! | `sms` | `provider` | `minyi-sms`, the SMS providers' webhooks |

use crate::edge::{self, Purger};
use crate::{D1Store, KvStore, WorkerHost};
use futures_util::StreamExt;
use minyi_web::outbound::Reply;
use minyi_web::serve::serve;
use minyi_web::vars as config;
use minyi_web::{BodyReader, Config, Method, Request, Response, WebError, cache};
use std::cell::OnceCell;
use std::rc::Rc;
use worker::{Context, Env, console_error, console_log, event};
#[cfg(feature = "desk")]
use worker::{ScheduleContext, ScheduledEvent};

#[cfg(any(
    all(feature = "desk", feature = "sms"),
    all(feature = "desk", feature = "submit"),
    all(feature = "sms", feature = "submit")
))]
compile_error!("build one Worker at a time: at most one of the features desk, sms, submit");

/// The unit this Worker serves.
#[cfg(feature = "sms")]
use minyi_site::provider as unit;
#[cfg(not(any(feature = "desk", feature = "sms", feature = "submit")))]
use minyi_site::reads as unit;
#[cfg(feature = "desk")]
use minyi_site::staff as unit;
#[cfg(feature = "submit")]
use minyi_site::writes as unit;

/// Whether this is the public Worker: the one in front of the crowd, answering from the edge
/// cache.
const PUBLIC: bool = cfg!(not(any(
    feature = "desk",
    feature = "sms",
    feature = "submit"
)));

/// What one request runs against.
struct WorkerEnv {
    store: D1Store,
    kv: KvStore,
    host: WorkerHost,
    config: Rc<Config>,
    purger: Purger,
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

    async fn purge(&self, keys: &[String]) {
        self.purger.purge(keys).await;
    }

    async fn send_post(&self, url: &str, headers: &[(&str, &str)], body: String) -> Reply {
        crate::host::post(url, headers, body).await
    }
}

#[event(fetch)]
async fn fetch(
    mut req: worker::Request,
    env: Env,
    ctx: Context,
) -> worker::Result<worker::Response> {
    if let Some(behind) = worker_behind(&req, &env) {
        return behind.fetch_request(req).await;
    }
    let url = req.inner().url();
    let origin = origin_of(&url).to_owned();
    let mut request = convert_request(&mut req).await;
    // The public Worker answers a cacheable read from its own copy or the edge cache when it
    // can; on a miss the site runs without the request's `If-None-Match`, so the full answer
    // can be kept, and the 304 is decided after.
    let mut shared = None;
    if PUBLIC
        && let Ok(request) = &mut request
        && let Some(key) = cache::key(request)
    {
        let key_url = format!("{origin}{key}");
        let if_none_match = request.header("if-none-match").map(str::to_owned);
        if let Some(kept) = edge::remembered(&key_url) {
            let kept = kept.with_header(edge::SOURCE, "isolate");
            return convert_response(cache::not_modified(if_none_match.as_deref(), kept));
        }
        if let Some(hit) = edge::lookup(&key_url).await {
            edge::remember(key_url, &hit);
            let hit = hit.with_header(edge::SOURCE, "edge");
            return convert_response(cache::not_modified(if_none_match.as_deref(), hit));
        }
        request.remove_header("if-none-match");
        shared = Some((key_url, if_none_match));
    }
    let worker_env = worker_env(&env, Some(origin));
    let response = serve(
        worker_env.as_ref().map_err(String::clone),
        request,
        unit,
        |line| console_error!("{line}"),
    )
    .await;
    match shared {
        Some((key_url, if_none_match)) if is_public(&response) => {
            edge::remember(key_url.clone(), &response);
            let mut full = convert_response(response.clone())?;
            edge::store(&ctx, key_url, &mut full);
            convert_response(cache::not_modified(if_none_match.as_deref(), response))
        }
        _ => convert_response(response),
    }
}

/// Whether the serve path left a response public (`minyi_web::cache::seal`).
fn is_public(response: &Response) -> bool {
    response
        .header("cache-control")
        .is_some_and(|c| c.starts_with("public"))
}

/// In a local run (`scripts/dev`, `scripts/worker-test`) the desk's Worker is in front and hands
/// `/sms/...` to the SMS Worker (the `SMS` service binding) and every other request outside
/// `/desk` and `/ops` to the public Worker (`PUBLIC`, which hands the writes on to `SUBMIT`), so
/// one `wrangler dev` serves all four over one local D1. A deployment binds neither: the staff hostname answers 404 outside
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

/// The public Worker hands the form and the writes to the submit Worker (the `SUBMIT` service
/// binding, in every deployment).
#[cfg(not(any(feature = "desk", feature = "sms", feature = "submit")))]
fn worker_behind(req: &worker::Request, env: &Env) -> Option<worker::Fetcher> {
    let url = req.inner().url();
    let (path, _) = split_url(&url);
    if !minyi_site::is_write(Method::parse(&req.inner().method()), path) {
        return None;
    }
    match env.service("SUBMIT") {
        Ok(submit) => Some(submit),
        Err(_) => {
            console_error!("minyi: the SUBMIT service binding is missing: see wrangler.toml");
            None
        }
    }
}

/// The submit and SMS Workers forward nothing.
#[cfg(any(feature = "sms", feature = "submit"))]
fn worker_behind(_req: &worker::Request, _env: &Env) -> Option<worker::Fetcher> {
    None
}

thread_local! {
    /// The configuration, read once per isolate: variables and secrets change only with a
    /// deployment, which starts new isolates (reading them costs ~50 calls into JavaScript).
    static CONFIG: OnceCell<Result<Rc<Config>, String>> = const { OnceCell::new() };
}

/// The ports of one request (`origin`: the scheme and host it came to, `None` for a cron run).
fn worker_env(env: &Env, origin: Option<String>) -> Result<WorkerEnv, String> {
    let config = CONFIG.with(|kept| {
        kept.get_or_init(|| {
            config::read(|name| {
                env.secret(name)
                    .map(|s| s.to_string())
                    .or_else(|_| env.var(name).map(|v| v.to_string()))
                    .ok()
            })
            .map(Rc::new)
            .map_err(|e| e.to_string())
        })
        .clone()
    })?;
    Ok(WorkerEnv {
        store: D1Store::from_env(env, "DB").map_err(|e| e.to_string())?,
        kv: KvStore::from_env(env, "KV").map_err(|e| e.to_string())?,
        host: WorkerHost,
        config,
        purger: Purger::new(env, origin),
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

/// The scheme and host of an absolute URL (`https://host`).
fn origin_of(url: &str) -> &str {
    let host_at = url.find("://").map_or(0, |i| i + 3);
    url[host_at..]
        .find('/')
        .map_or(url, |i| &url[..host_at + i])
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
    let outcome = match worker_env(&env, None) {
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

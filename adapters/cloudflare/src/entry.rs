//! The Worker's entry points: `fetch` (one unit of `minyi-site` through the shared serve path)
//! and, in the desk's build only, `scheduled` (the sweep, which delivers the outbox and so
//! reads contact details: the public Worker holds no such code; `wrangler.desk.toml` has the
//! cron trigger). Four builds of this crate, one per feature:
//!
//! | build | unit | Worker |
//! | --- | --- | --- |
//! | (none) | `front` (the pages), from the edge cache (crate::edge) | `minyi`, the public site: hands the form, the writes and the cold reads (`minyi_site::is_back`) to `SUBMIT` |
//! | `submit` | `back` (the form, the writes, the cold reads), from the edge cache | `minyi-submit`, on the public hostname's `/api`, `/open311` and `/submit` routes, and behind the public Worker |
//! | `desk` | `staff` | `minyi-desk`, the staff hostname, with the cron sweep |
//! | `sms` | `provider` | `minyi-sms`, the SMS providers' webhooks |

use crate::behind;
use crate::edge::{self, Purger};
use crate::{D1Store, KvStore, WorkerHost};
use futures_util::StreamExt;
use minyi_web::outbound::Reply;
use minyi_web::serve::serve;
use minyi_web::vars as config;
use minyi_web::{BodyReader, Config, Method, Request, WebError};
use std::cell::OnceCell;
use std::rc::Rc;
use worker::js_sys::Uint8Array;
use worker::wasm_bindgen_futures::JsFuture;
use worker::worker_sys::web_sys;
use worker::{Context, Env, console_error, console_log, event};
#[cfg(feature = "desk")]
use worker::{ScheduleContext, ScheduledEvent};

#[cfg(any(
    all(feature = "desk", feature = "sms"),
    all(feature = "desk", feature = "submit"),
    all(feature = "sms", feature = "submit")
))]
compile_error!("build one Worker at a time: at most one of the features desk, sms, submit");

#[cfg(feature = "submit")]
use minyi_site::back as unit;
#[cfg(not(any(feature = "desk", feature = "sms", feature = "submit")))]
use minyi_site::front as unit;
/// The unit this Worker serves.
#[cfg(feature = "sms")]
use minyi_site::provider as unit;
#[cfg(feature = "desk")]
use minyi_site::staff as unit;

/// Whether this Worker serves the public hostname (the public Worker and the submit Worker,
/// each on its routes): it answers cacheable reads from the edge cache.
const PUBLIC: bool = cfg!(not(any(feature = "desk", feature = "sms")));

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
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<web_sys::Response> {
    let url = req.url();
    let method = Method::parse(&req.method());
    let (path, query) = split_url(&url);
    let origin = origin_of(&url);
    // A public Worker answers a cacheable read from its isolate's copy or the edge cache when
    // it can, before anything else of the request is read (the edge cache is the zone's: it
    // holds what either public Worker kept).
    let read = PUBLIC
        .then(|| edge::Read::of(&req, method, origin, path, query))
        .flatten();
    if let Some(read) = &read {
        if let Some(hit) = edge::remembered(read) {
            return Ok(hit);
        }
        if let Some(hit) = edge::lookup(read).await {
            return Ok(hit);
        }
    }
    // What the Worker behind serves goes there as it came (that Worker keeps its own reads).
    if let Some(behind) = behind::worker_for(method, path, &env) {
        return behind.fetch(&req).await;
    }
    let mut request = convert_request(req, method, path, query).await;
    if read.is_some()
        && let Ok(request) = &mut request
    {
        // On a miss the site answers in full, so the page can be kept; the 304 is decided
        // after.
        request.remove_header("if-none-match");
    }
    let worker_env = worker_env(&env, Some(origin.to_owned()));
    let response = serve(
        worker_env.as_ref().map_err(String::clone),
        request,
        unit,
        |line| console_error!("{line}"),
    )
    .await;
    Ok(match &read {
        Some(read) => edge::keep(&ctx, read, response)?,
        None => edge::to_js(&response, None)?,
    })
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

/// The platform-neutral request, its body read through [`BodyReader`] (413 past the cap): in
/// one piece when its length is declared (and so within the cap), chunk by chunk otherwise.
async fn convert_request(
    req: web_sys::Request,
    method: Method,
    path: &str,
    query: &str,
) -> Result<Request, WebError> {
    let headers: Vec<(String, String)> = worker::Headers(req.headers()).entries().collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let declared = header("content-length");
    let mut reader = BodyReader::new(declared.as_deref())?;
    if req.body().is_some() && method != Method::Get {
        // A declared length BodyReader accepted is within the cap (workerd holds the body to it).
        if declared.is_some_and(|n| n.trim().parse::<u64>().is_ok()) {
            let whole = req.array_buffer().map_err(|_| BodyReader::unreadable())?;
            let whole = JsFuture::from(whole)
                .await
                .map_err(|_| BodyReader::unreadable())?;
            reader.push(&Uint8Array::new(&whole).to_vec())?;
        } else {
            let mut stream = worker::Request::from(req)
                .stream()
                .map_err(|_| BodyReader::unreadable())?;
            while let Some(chunk) = stream.next().await {
                reader.push(&chunk.map_err(|_| BodyReader::unreadable())?)?;
            }
        }
    }
    let client_ip = header("cf-connecting-ip");
    Ok(Request::new(
        method,
        path,
        query,
        headers,
        reader.finish(),
        client_ip,
    ))
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

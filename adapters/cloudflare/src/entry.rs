//! The Worker's entry points: `fetch` (submit, then lookup, through the shared serve path) and
//! `scheduled`.

use crate::{D1Store, KvStore, WorkerHost};
use futures_util::StreamExt;
use minyi_web::serve::serve;
use minyi_web::vars::{self as config, OUTBOUND_PREFIX, form_body};
use minyi_web::{Config, MAX_BODY_BYTES, Method, Request, Response, WebError};
use worker::{Context, Env, ScheduleContext, ScheduledEvent, console_error, console_log, event};

/// How long an isolate keeps the calendar it read (a year saved by the deployment takes
/// effect within this long).
const CALENDAR_TTL_MS: i64 = 60_000;

thread_local! {
    /// The calendar in force and when it was read: isolates live across requests, so
    /// submissions need not read `calendar_year` every time.
    static CALENDAR: std::cell::RefCell<Option<(i64, minyi::calendar::Calendar)>> =
        const { std::cell::RefCell::new(None) };
}

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

    async fn calendar(&self) -> Result<minyi::calendar::Calendar, WebError> {
        use minyi::app::Host;
        let now = self.host.now().as_millisecond();
        let cached = CALENDAR.with_borrow(|slot| {
            slot.as_ref()
                .filter(|(read_at, _)| (0..CALENDAR_TTL_MS).contains(&(now - read_at)))
                .map(|(_, calendar)| calendar.clone())
        });
        if let Some(calendar) = cached {
            return Ok(calendar);
        }
        let calendar = minyi::app::calendar::load(&self.store).await?;
        CALENDAR.with_borrow_mut(|slot| *slot = Some((now, calendar.clone())));
        Ok(calendar)
    }

    async fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<(u16, String), String> {
        if !url.starts_with(OUTBOUND_PREFIX) {
            return Err(format!(
                "outbound requests may go only to {OUTBOUND_PREFIX}"
            ));
        }
        let body: String = form_body(fields);
        let headers = worker::Headers::new();
        headers
            .set("content-type", "application/x-www-form-urlencoded")
            .map_err(|e| e.to_string())?;
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
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
    let request = convert_request(&mut req).await;
    let worker_env = worker_env(&env);
    let response = serve(
        worker_env.as_ref().map_err(String::clone),
        request,
        async |worker_env: &WorkerEnv, req: &Request| {
            #[cfg(all(feature = "contract", minyi_contract))]
            if let Some(r) = minyi_store_contract::endpoint::answer(worker_env, req).await {
                return Some(r);
            }
            match minyi_submit::handle(worker_env, req).await {
                Some(r) => Some(r),
                None => minyi_lookup::handle(worker_env, req).await,
            }
        },
        |line| console_error!("{line}"),
    )
    .await;
    convert_response(response)
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

/// The platform-neutral request; bodies over [`MAX_BODY_BYTES`] are refused from their
/// `Content-Length` before any byte is read, and while reading when there is none.
async fn convert_request(req: &mut worker::Request) -> Result<Request, WebError> {
    // The URL as the runtime gives it (already normalised by workerd), split by hand:
    // `worker::Request::url()` would link the `url` crate and its IDNA tables.
    let url = req.inner().url();
    let (path, query) = split_url(&url);
    let headers: Vec<(String, String)> = req.headers().entries().collect();
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(WebError::PayloadTooLarge);
    }
    // The method as the client sent it: `worker::Method` reads a method it does not know
    // (QUERY, ...) as GET.
    let method = Method::parse(&req.inner().method());
    let mut body = Vec::new();
    if req.inner().body().is_some() && method != Method::Get {
        let mut stream = req
            .stream()
            .map_err(|_| WebError::bad("body", "无法读取 / unreadable"))?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| WebError::bad("body", "无法读取 / unreadable"))?;
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(WebError::PayloadTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
    }
    let client_ip = req.headers().get("cf-connecting-ip").ok().flatten();
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

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, _env: Env, _ctx: ScheduleContext) {
    // The sweep (reminders, overdue marking, escalation, outbound delivery) fills this in.
    console_log!(
        "minyi: scheduled run for {} (nothing to sweep yet)",
        event.cron()
    );
}

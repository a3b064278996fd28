//! The public pages in Cloudflare's edge cache (the Workers Cache API, docs/cache.md): the
//! public Worker answers a cached read without running the site, stores what the serve path
//! marked public, and every Worker that changes a case or a meeting purges the keys the change
//! makes stale. What may be cached, under which key and for how long is decided once, in
//! `minyi_web::cache`; this module only moves responses in and out of the runtime's cache.

use minyi_web::{Method, Request, Response, cache};
use std::cell::RefCell;
use worker::js_sys::{Date, Uint8Array};
use worker::wasm_bindgen::JsValue;
use worker::worker_sys::web_sys;
use worker::{Cache, Context, Env, console_error};

/// Purges for one request or cron run. Where the keys live: the public site's origin
/// (`MINYI_PUBLIC_ORIGIN`, e.g. `https://www.city.example`), or else the origin the request
/// came to. The zone purge (`MINYI_CF_ZONE_ID` with the secret `MINYI_CF_API_TOKEN`, a token
/// allowed `Zone.Cache Purge`) reaches every data center; `Cache::delete` reaches only the one
/// that runs the Worker. Read only when a change purges: reads cost nothing.
pub struct Purger {
    env: Env,
    request_origin: Option<String>,
}

/// URLs one call of the zone purge API may name (Cloudflare's limit on most plans).
const URLS_PER_PURGE: usize = 30;

impl Purger {
    /// The purger of a request to `request_origin` (`None` for a cron run).
    pub fn new(env: &Env, request_origin: Option<String>) -> Self {
        Self {
            env: env.clone(),
            request_origin,
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.env
            .secret(name)
            .map(|s| s.to_string())
            .or_else(|_| self.env.var(name).map(|v| v.to_string()))
            .ok()
            .map(|v| v.trim().trim_end_matches('/').to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Drops `keys` from this data center's cache, then from every data center's when the zone
    /// purge is configured. Failures are logged, never raised: the copies expire anyway.
    pub async fn purge(&self, keys: &[String]) {
        if keys.is_empty() {
            return;
        }
        let Some(origin) = self
            .get("MINYI_PUBLIC_ORIGIN")
            .or_else(|| self.request_origin.clone())
        else {
            console_error!("minyi: cache purge skipped: set MINYI_PUBLIC_ORIGIN");
            return;
        };
        let urls: Vec<String> = keys.iter().map(|k| format!("{origin}{k}")).collect();
        // All at once: a case's change names some forty keys.
        let cache = Cache::default();
        let deletes = urls.iter().map(|url| cache.delete(url.as_str(), false));
        for outcome in futures_util::future::join_all(deletes).await {
            if let Err(e) = outcome {
                console_error!("minyi: cache delete failed: {e}");
            }
        }
        if let Some((zone, token)) = self
            .get("MINYI_CF_ZONE_ID")
            .zip(self.get("MINYI_CF_API_TOKEN"))
        {
            for chunk in urls.chunks(URLS_PER_PURGE) {
                if let Err(e) = purge_zone(&zone, &token, chunk).await {
                    console_error!("minyi: zone cache purge failed: {e}");
                }
            }
        }
    }
}

/// One call of Cloudflare's purge-by-URL API.
async fn purge_zone(zone: &str, token: &str, urls: &[String]) -> Result<(), String> {
    let body = serde_json::json!({ "files": urls }).to_string();
    let bearer = format!("Bearer {token}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", bearer.as_str()),
    ];
    let url = format!("https://api.cloudflare.com/client/v4/zones/{zone}/purge_cache");
    match crate::host::post(&url, &headers, body).await? {
        (200..=299, _) => Ok(()),
        (status, _) => Err(format!("HTTP {status}")),
    }
}

/// The response header that says where a cached answer came from: `isolate` (the isolate's
/// own copy) or `edge` (the edge cache). Absent on an answer the site made.
const SOURCE: &str = "x-minyi-cache";

/// How long the isolate keeps its own copy of a page it read from, or stored into, the edge
/// cache: one second (the project's choice). A crowd on one page then costs one Cache API read
/// per second per isolate instead of one per reader; a purge reaches these copies only by their
/// expiry, so a change shows within a second plus the purge.
const MEMORY_MS: f64 = 1000.0;

/// The most pages, and body bytes, the isolate keeps (of its 128 MB): a crowd gathers on a
/// few pages at a time.
const MEMORY_PAGES: usize = 64;
const MEMORY_BYTES: usize = 8 << 20;

/// A read a shared cache may answer: its key as a URL on the public origin, and the entity
/// tag the client already holds.
pub struct Read {
    /// The key (`minyi_web::cache::key`) under the origin the request came to.
    pub url: String,
    /// The client's `If-None-Match`.
    pub if_none_match: Option<String>,
}

impl Read {
    /// The cacheable read `req` is, if it is one: decided from its method, its URL and the
    /// few headers a key depends on ([`cache::KEY_HEADERS`]), without reading anything else
    /// of the request, so that a hit costs a handful of calls into JavaScript.
    pub fn of(
        req: &web_sys::Request,
        method: Method,
        origin: &str,
        path: &str,
        query: &str,
    ) -> Option<Self> {
        if method != Method::Get {
            return None;
        }
        let headers = req.headers();
        let held = |name: &str| headers.get(name).ok().flatten();
        let probe = Request::new(
            method,
            path,
            query,
            cache::KEY_HEADERS
                .iter()
                .filter_map(|name| Some(((*name).to_owned(), held(name)?))),
            Vec::new(),
            None,
        );
        Some(Self {
            url: format!("{origin}{}", cache::key(&probe)?),
            if_none_match: held("if-none-match"),
        })
    }
}

/// One page kept in the isolate, ready to answer: the body and the response's status and
/// headers as JavaScript objects, so a hit is one `new Response`.
struct Kept {
    url: String,
    until: f64,
    size: usize,
    etag: Option<String>,
    body: Uint8Array,
    headers: web_sys::Headers,
    init: web_sys::ResponseInit,
}

thread_local! {
    static MEMORY: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
}

/// The isolate's answer to `read`, from its own fresh copy: the page, or 304 when the client
/// holds it already.
pub fn remembered(read: &Read) -> Option<web_sys::Response> {
    let now = Date::now();
    MEMORY.with(|memory| {
        let memory = memory.borrow();
        let kept = memory
            .iter()
            .find(|kept| kept.url == read.url && kept.until > now)?;
        let unchanged = read
            .if_none_match
            .as_deref()
            .zip(kept.etag.as_deref())
            .is_some_and(|(wanted, etag)| cache::etag_matches(wanted, etag));
        if unchanged {
            let headers = web_sys::Headers::new_with_headers(&kept.headers).ok()?;
            headers.delete("content-type").ok()?;
            let init = web_sys::ResponseInit::new();
            init.set_status(304);
            init.set_headers(&headers);
            web_sys::Response::new_with_opt_str_and_init(None, &init).ok()
        } else {
            web_sys::Response::new_with_opt_buffer_source_and_init(Some(&kept.body), &kept.init)
                .ok()
        }
    })
}

/// Keeps a copy of `response` in the isolate for [`MEMORY_MS`], in place of any older copy;
/// past [`MEMORY_PAGES`] or [`MEMORY_BYTES`] the expired copies go, then the oldest.
fn remember(url: &str, response: &Response) {
    let Ok(headers) = js_headers(response, Some("isolate")) else {
        return;
    };
    let init = web_sys::ResponseInit::new();
    init.set_status(response.status);
    init.set_headers(&headers);
    let kept = Kept {
        url: url.to_owned(),
        until: Date::now() + MEMORY_MS,
        size: response.body.len(),
        etag: response.header("etag").map(str::to_owned),
        body: Uint8Array::from(response.body.as_slice()),
        headers,
        init,
    };
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let now = Date::now();
        memory.retain(|k| k.url != url && k.until > now);
        let mut held: usize = memory.iter().map(|k| k.size).sum();
        while !memory.is_empty()
            && (memory.len() >= MEMORY_PAGES || held + kept.size > MEMORY_BYTES)
        {
            held -= memory.remove(0).size;
        }
        memory.push(kept);
    });
}

/// The edge cache's answer to `read`, kept in the isolate too, if the edge cache has the page.
pub async fn lookup(read: &Read) -> Option<web_sys::Response> {
    let hit = Cache::default()
        .get(read.url.as_str(), false)
        .await
        .ok()??;
    let hit = from_worker(hit).await?;
    remember(&read.url, &hit);
    answer(read, hit, Some("edge")).ok()
}

/// The answer to `read` from a response the site just made: kept in the isolate and, after the
/// answer is sent, in the edge cache when the serve path marked it public
/// (`minyi_web::cache::seal`); then the page, or 304 when the client holds it already.
pub fn keep(ctx: &Context, read: &Read, response: Response) -> Result<web_sys::Response, JsValue> {
    if is_public(&response) {
        remember(&read.url, &response);
        let copy = to_js(&response, None)?;
        let url = read.url.clone();
        ctx.wait_until(async move {
            if let Err(e) = Cache::default()
                .put(url.as_str(), worker::Response::from(copy))
                .await
            {
                console_error!("minyi: cache put failed: {e}");
            }
        });
    }
    answer(read, response, None)
}

/// Whether the serve path left a response public (`minyi_web::cache::seal`) with its full
/// body.
fn is_public(response: &Response) -> bool {
    response.status == 200
        && response
            .header("cache-control")
            .is_some_and(|c| c.starts_with("public"))
}

/// `response` for the client of `read` (304 when it holds the page), marked with where it
/// came from.
fn answer(
    read: &Read,
    response: Response,
    source: Option<&str>,
) -> Result<web_sys::Response, JsValue> {
    to_js(
        &cache::not_modified(read.if_none_match.as_deref(), response),
        source,
    )
}

/// A response of the runtime (from the edge cache) read whole.
async fn from_worker(mut response: worker::Response) -> Option<Response> {
    let headers = response.headers().entries().collect();
    let body = response.bytes().await.ok()?;
    Some(Response {
        status: response.status_code(),
        headers,
        body,
    })
}

/// The runtime's response for `response`, with [`SOURCE`] set to `source` if given.
pub fn to_js(response: &Response, source: Option<&str>) -> Result<web_sys::Response, JsValue> {
    let init = web_sys::ResponseInit::new();
    init.set_status(response.status);
    let headers = js_headers(response, source)?;
    init.set_headers(&headers);
    // No body at all when empty: a 304 must have none.
    let body = (!response.body.is_empty()).then(|| Uint8Array::from(response.body.as_slice()));
    web_sys::Response::new_with_opt_buffer_source_and_init(body.as_deref(), &init)
}

fn js_headers(response: &Response, source: Option<&str>) -> Result<web_sys::Headers, JsValue> {
    let headers = web_sys::Headers::new()?;
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    if let Some(source) = source {
        headers.set(SOURCE, source)?;
    }
    Ok(headers)
}

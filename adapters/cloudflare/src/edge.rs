//! The public pages in Cloudflare's edge cache (the Workers Cache API, docs/cache.md): the
//! public Worker answers a cached read without running the site, stores what the serve path
//! marked public, and every Worker that changes a case or a meeting purges the keys the change
//! makes stale. What may be cached, under which key and for how long is decided once, in
//! `minyi_web::cache`; this module only moves responses in and out of the runtime's cache.

use minyi_web::Response;
use std::cell::RefCell;
use worker::js_sys::Date;
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
pub const SOURCE: &str = "x-minyi-cache";

/// How long the isolate keeps its own copy of a page it read from, or stored into, the edge
/// cache: one second (the project's choice). A crowd on one page then costs one Cache API read
/// per second per isolate instead of one per reader; a purge reaches these copies only by their
/// expiry, so a change shows within a second plus the purge.
const MEMORY_MS: f64 = 1000.0;

/// The most pages, and body bytes, the isolate keeps (of its 128 MB): a crowd gathers on a
/// few pages at a time.
const MEMORY_PAGES: usize = 64;
const MEMORY_BYTES: usize = 8 << 20;

/// One page kept in the isolate: its key, until when, and the response.
struct Kept {
    url: String,
    until: f64,
    response: Response,
}

thread_local! {
    static MEMORY: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
}

/// The isolate's copy of the page under `url`, if it is still fresh.
pub fn remembered(url: &str) -> Option<Response> {
    let now = Date::now();
    MEMORY.with(|memory| {
        memory
            .borrow()
            .iter()
            .find(|kept| kept.url == url && kept.until > now)
            .map(|kept| kept.response.clone())
    })
}

/// Keeps a copy of `response` in the isolate for [`MEMORY_MS`], in place of any older copy;
/// past [`MEMORY_PAGES`] or [`MEMORY_BYTES`] the expired copies go, then the oldest.
pub fn remember(url: String, response: &Response) {
    let now = Date::now();
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        memory.retain(|kept| kept.url != url && kept.until > now);
        let mut held: usize = memory.iter().map(|k| k.response.body.len()).sum();
        while !memory.is_empty()
            && (memory.len() >= MEMORY_PAGES || held + response.body.len() > MEMORY_BYTES)
        {
            held -= memory.remove(0).response.body.len();
        }
        memory.push(Kept {
            url,
            until: now + MEMORY_MS,
            response: response.clone(),
        });
    });
}

/// The edge cache's copy of the page under `url`, if it has one.
pub async fn lookup(url: &str) -> Option<Response> {
    let mut hit = Cache::default().get(url, false).await.ok()??;
    let headers = hit.headers().entries().collect();
    let body = hit.bytes().await.ok()?;
    Some(Response {
        status: hit.status_code(),
        headers,
        body,
    })
}

/// Keeps a response the serve path marked public under `url` in the edge cache, after the
/// answer is sent.
pub fn store(ctx: &Context, url: String, response: &mut worker::Response) {
    let Ok(copy) = response.cloned() else {
        return;
    };
    ctx.wait_until(async move {
        if let Err(e) = Cache::default().put(url.as_str(), copy).await {
            console_error!("minyi: cache put failed: {e}");
        }
    });
}

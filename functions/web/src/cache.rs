//! Shared caching of the public reads (docs/cache.md): which requests a shared cache may
//! answer, under which key, for how long, and which keys a change to a case makes stale.
//!
//! - A function marks a response it would show anyone with [`public`]; everything else is
//!   `no-store`. [`seal`] (on the serve path) has the last word: a marked response is kept
//!   public only for an anonymous `GET` that has a [`key`], with status 200 and no cookie set,
//!   and gets a strong `ETag` (a digest of its body); [`not_modified`] answers a matching
//!   `If-None-Match` with 304.
//! - The key is the path and the query with its fields sorted, `lang=zh` (the default) dropped,
//!   and on pages empty fields dropped (the pages ignore them; the JSON API refuses them, so
//!   there they stay). The language is in the URL, never in a cookie, so a key never mixes
//!   languages. A request carrying a query code, an API key, a search text or credentials has
//!   no key: it is never looked up in, nor stored into, a shared cache, so no personal data is
//!   ever part of a key.
//! - [`case_keys`] lists the keys a change to a case makes stale (its pages, and the first page
//!   of every list it appears in); the desk and the sweep purge them after the change.

use crate::{Method, Request, Response};
use minyi::calendar::iso;
use minyi::case::Case;
use minyi::ids::TrackingNumber;
use sha2::{Digest, Sha256};

/// How long a shared cache keeps a page of cases (a case, the lists, the home page, the
/// statistics, a meeting) by default: 60 seconds (the project's choice; a deployment sets
/// `MINYI_SHARED_CACHE_SECONDS`). Changes purge what they touch at once ([`case_keys`]) where
/// the runtime can reach its cache; this is the bound on anything a purge missed (another list
/// page, a count, a countdown).
pub const PAGE_SECONDS: u32 = 60;

/// The longest `MINYI_SHARED_CACHE_SECONDS` allowed: one hour.
pub const MAX_PAGE_SECONDS: u32 = 3600;

/// How long a shared cache keeps what changes only with a deployment or the rulebook (the
/// OpenAPI document, Open311's service list): 10 minutes (the project's choice).
pub const STABLE_SECONDS: u32 = 600;

/// Query fields whose presence keeps a request out of shared caches: a query code, an API key
/// (secrets), a search text (what a citizen types may name them).
const PRIVATE_FIELDS: &[&str] = &["code", "api_key", "q"];

/// Request headers whose presence keeps a request out of shared caches: the only headers
/// [`key`] reads, so a runtime may compute a key from the method, the URL and these alone.
pub const KEY_HEADERS: &[&str] = &["authorization", "x-query-code"];

/// Marks a response any reader would get the same: shared caches may keep it `seconds`
/// (`s-maxage`) and serve it stale for as long again while they refresh it; browsers
/// revalidate every time (`max-age=0`), which costs a 304.
#[must_use]
pub fn public(mut response: Response, seconds: u32) -> Response {
    set_cache_control(
        &mut response,
        &format!("public, max-age=0, s-maxage={seconds}, stale-while-revalidate={seconds}"),
    );
    response
}

/// The shared-cache key of a request (its path and canonical query), or `None` when a shared
/// cache must neither answer it nor keep its answer.
pub fn key(req: &Request) -> Option<String> {
    if req.method != Method::Get || KEY_HEADERS.iter().any(|h| req.header(h).is_some()) {
        return None;
    }
    let mut fields = req.query_pairs();
    if fields
        .iter()
        .any(|(k, v)| PRIVATE_FIELDS.contains(&k.as_str()) && !(k == "q" && v.trim().is_empty()))
    {
        return None;
    }
    let page = !(req.path.starts_with("/api/") || req.path.starts_with("/open311/"));
    fields.retain(|(k, v)| !((k == "lang" && v == "zh") || (page && v.trim().is_empty())));
    Some(canonical(
        &case_path(req).unwrap_or_else(|| req.path.clone()),
        fields,
    ))
}

/// A case's page or document as the site links it (`/cases/K7QH3XPD9`), however the tracking
/// number was typed (`k7q-h3x-pd9`): one key, which a purge reaches.
fn case_path(req: &Request) -> Option<String> {
    let segments = req.segments()?;
    let (prefix, typed) = match segments.as_slice() {
        [c, t] if c == "cases" => ("/cases/", t),
        [a, v, c, t] if a == "api" && v == "v1" && c == "cases" => ("/api/v1/cases/", t),
        _ => return None,
    };
    let tracking = TrackingNumber::parse(typed).ok()?;
    Some(format!("{prefix}{}", tracking.as_str()))
}

/// A path with its query fields sorted by name (a stable sort: repeated fields keep their
/// order; at most 64 fields, `Request::query_pairs`) and re-encoded.
fn canonical(path: &str, mut fields: Vec<(String, String)>) -> String {
    if fields.is_empty() {
        return path.to_owned();
    }
    minyi::sort::insertion_sort_by(&mut fields, |a, b| a.0.cmp(&b.0));
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(fields);
    format!("{path}?{}", query.finish())
}

/// The serve path's last word on caching: a response marked [`public`] stays so only for a
/// request with a [`key`], with status 200 and no cookie set, and then carries an `ETag`;
/// every other response is `no-store`.
pub fn seal(req: &Request, mut response: Response) -> Response {
    let marked = response
        .header("cache-control")
        .is_some_and(|c| c.starts_with("public"));
    let shareable = marked
        && response.status == 200
        && response.header("set-cookie").is_none()
        && key(req).is_some();
    if shareable {
        let etag = etag(&response.body);
        response.headers.push(("etag".into(), etag));
    } else {
        set_cache_control(&mut response, "no-store");
    }
    response
}

/// 304 Not Modified for a request whose `If-None-Match` names the response's `ETag` (the
/// headers kept, the body dropped); the response itself otherwise.
pub fn not_modified(if_none_match: Option<&str>, response: Response) -> Response {
    let matches = match (if_none_match, response.header("etag")) {
        (Some(wanted), Some(etag)) => etag_matches(wanted, etag),
        _ => false,
    };
    if !matches {
        return response;
    }
    Response {
        status: 304,
        headers: response
            .headers
            .into_iter()
            .filter(|(k, _)| k != "content-type")
            .collect(),
        body: Vec::new(),
    }
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, RFC 9110 §13.1.2).
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let etag = etag.trim_start_matches("W/");
    if_none_match.split(',').any(|w| {
        let w = w.trim();
        w == "*" || w.trim_start_matches("W/") == etag
    })
}

/// A strong entity tag: the first 16 bytes of the body's SHA-256, in hex.
fn etag(body: &[u8]) -> String {
    format!("\"{}\"", minyi::hex::encode(&Sha256::digest(body)[..16]))
}

fn set_cache_control(response: &mut Response, value: &str) {
    response.headers.retain(|(k, _)| k != "cache-control");
    response
        .headers
        .push(("cache-control".into(), value.to_owned()));
}

/// The keys a change to the case `id` makes stale, for each state it was in (before and
/// after a reclassification or a redispatch: it leaves some lists and joins others).
pub fn keys_of_case(id: i64, states: &[&Case]) -> Vec<String> {
    let tracking = TrackingNumber::of_number(id);
    let mut keys: Vec<String> = Vec::new();
    for case in states {
        let month = &iso::beijing(case.received_at)[..7];
        for key in case_keys(&Filed {
            tracking: tracking.as_str(),
            department: case.lead,
            category: case.facts.category.code(),
            month,
        }) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// What a case's list entries are filed under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filed<'a> {
    /// The tracking number.
    pub tracking: &'a str,
    /// The lead department's id, once dispatched.
    pub department: Option<i64>,
    /// The category's code.
    pub category: &'a str,
    /// The month it was received (`2026-03`, Beijing time).
    pub month: &'a str,
}

/// The keys a change to a case makes stale: its page (both languages), its JSON and Open311
/// documents, and the first page of every list it appears in (each combination of its
/// category, department and month; pages in both languages), the home page and the statistics.
pub fn case_keys(case: &Filed<'_>) -> Vec<String> {
    let t = case.tracking;
    let department = case.department.map(|d| d.to_string());
    let mut filters: Vec<(&str, &str)> = vec![("category", case.category)];
    if let Some(d) = &department {
        filters.push(("department", d));
    }
    filters.push(("month", case.month));
    let mut keys = Vec::new();
    for lang in [None, Some("en")] {
        let with_lang = |mut fields: Vec<(String, String)>| {
            if let Some(l) = lang {
                fields.push(("lang".into(), l.into()));
            }
            fields
        };
        keys.push(canonical(&format!("/cases/{t}"), with_lang(Vec::new())));
        keys.push(canonical("/", with_lang(Vec::new())));
        keys.push(canonical("/statistics", with_lang(Vec::new())));
        for subset in 0..1u32 << filters.len() {
            let fields: Vec<(String, String)> = filters
                .iter()
                .enumerate()
                .filter(|(i, _)| subset & (1 << i) != 0)
                .map(|(_, (k, v))| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            if lang.is_none() {
                keys.push(canonical("/api/v1/cases", fields.clone()));
            }
            keys.push(canonical("/cases", with_lang(fields)));
        }
    }
    keys.push(format!("/api/v1/cases/{t}"));
    for format in ["json", "xml"] {
        keys.push(format!("/open311/v2/requests/{t}.{format}"));
        keys.push(format!("/open311/v2/requests.{format}"));
    }
    keys
}

/// The keys of a meeting's page and the meetings list (both languages).
pub fn meeting_keys(code: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for lang in ["", "?lang=en"] {
        keys.push(format!("/meetings/{code}{lang}"));
        keys.push(format!("/meetings{lang}"));
    }
    keys.push(format!("/meetings/{code}.ics"));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(target: &str) -> Request {
        Request::from_target(Method::Get, target)
    }

    #[test]
    fn keys_are_canonical_and_carry_the_language() {
        assert_eq!(key(&get("/cases/K7Q")).as_deref(), Some("/cases/K7Q"));
        assert_eq!(
            key(&get("/cases/K7Q?lang=zh")).as_deref(),
            Some("/cases/K7Q")
        );
        assert_eq!(
            key(&get("/cases/K7Q?lang=en")).as_deref(),
            Some("/cases/K7Q?lang=en")
        );
        // The list's filter form sends every field, empty ones too.
        assert_eq!(
            key(&get(
                "/cases?lang=zh&q=&department=3&category=&month=2026-10"
            ))
            .as_deref(),
            Some("/cases?department=3&month=2026-10")
        );
        // However the tracking number was typed.
        let t = TrackingNumber::generate([1, 2, 3, 4, 5]);
        let typed = format!("/cases/{}?lang=en", t.to_string().to_lowercase());
        assert_eq!(
            key(&get(&typed)),
            Some(format!("/cases/{}?lang=en", t.as_str()))
        );
        // The API refuses an empty field: it stays in the key.
        assert_eq!(
            key(&get("/api/v1/cases?month=&category=complaint")).as_deref(),
            Some("/api/v1/cases?category=complaint&month=")
        );
    }

    #[test]
    fn private_requests_have_no_key() {
        assert_eq!(key(&get("/cases?q=%E8%B7%AF%E7%81%AF")), None);
        assert_eq!(key(&get("/cases/K7Q?code=ABCD")), None);
        assert_eq!(key(&get("/open311/v2/requests.json?api_key=k")), None);
        assert_eq!(
            key(&get("/api/v1/cases/K7Q").with_header("X-Query-Code", "c")),
            None
        );
        assert_eq!(
            key(&get("/cases").with_header("Authorization", "Bearer x")),
            None
        );
        assert_eq!(key(&Request::from_target(Method::Post, "/cases")), None);
    }

    #[test]
    fn only_a_marked_anonymous_200_stays_public() {
        let page = || public(Response::html(200, "<p>x</p>".into()), PAGE_SECONDS);
        let sealed = seal(&get("/cases"), page());
        assert!(
            sealed
                .header("cache-control")
                .unwrap()
                .contains("s-maxage=60")
        );
        let etag = sealed.header("etag").expect("etag").to_owned();
        assert_eq!(etag.len(), 34);
        for (req, resp) in [
            (get("/cases?q=x"), page()),
            (get("/cases"), page().with_header("set-cookie", "a=b")),
            (get("/cases"), {
                let mut p = page();
                p.status = 404;
                p
            }),
            (get("/cases"), Response::html(200, "<p>x</p>".into())),
        ] {
            let sealed = seal(&req, resp);
            assert_eq!(sealed.header("cache-control"), Some("no-store"));
            assert_eq!(sealed.header("etag"), None);
        }
        let fresh = not_modified(Some(&etag), seal(&get("/cases"), page()));
        assert_eq!((fresh.status, fresh.body.len()), (304, 0));
        assert_eq!(fresh.header("etag"), Some(etag.as_str()));
        let changed = not_modified(Some("\"other\""), seal(&get("/cases"), page()));
        assert_eq!(changed.status, 200);
    }

    #[test]
    fn a_change_reaches_every_list_its_case_is_on() {
        let keys = case_keys(&Filed {
            tracking: "K7Q-H3X-PD9",
            department: Some(3),
            category: "complaint",
            month: "2026-10",
        });
        for k in [
            "/cases/K7Q-H3X-PD9",
            "/cases/K7Q-H3X-PD9?lang=en",
            "/cases",
            "/cases?lang=en",
            "/cases?category=complaint&department=3&lang=en&month=2026-10",
            "/cases?department=3",
            "/api/v1/cases?department=3&month=2026-10",
            "/api/v1/cases/K7Q-H3X-PD9",
            "/open311/v2/requests/K7Q-H3X-PD9.xml",
            "/",
            "/statistics?lang=en",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} missing");
        }
        // What the list's own filter form asks for is among them.
        let asked = key(&get(
            "/cases?lang=en&q=&department=3&category=complaint&month=2026-10",
        ))
        .expect("key");
        assert!(keys.contains(&asked));
        assert_eq!(keys.len(), 2 * (3 + 8) + 8 + 1 + 4);
    }
}

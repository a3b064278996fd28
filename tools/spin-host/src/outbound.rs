//! Outbound HTTP (`wasi:http/client`): checked against the component's
//! `allowed_outbound_hosts` as Spin does, logged on stderr, and recorded (`--record-outbound`,
//! one JSON line per request, with its body unless it was sent on to loopback). A test host never sends traffic off the machine:
//! an allowed request is answered by a stub (`--outbound-reply`) when one matches its URL, sent
//! when it goes to loopback, and refused with `destination-unavailable` otherwise.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_send_request};

use crate::manifest::Grants;

/// A canned answer for requests whose URL starts with `url_prefix`.
pub struct Stub {
    /// The URL prefix it answers.
    pub url_prefix: String,
    /// Its status.
    pub status: u16,
    /// Its body.
    pub body: Bytes,
}

impl Stub {
    /// Parses `URL_PREFIX=STATUS:BODY` (the `--outbound-reply` argument).
    pub fn parse(arg: &str) -> wasmtime::Result<Self> {
        let usage =
            || wasmtime::format_err!("--outbound-reply URL_PREFIX=STATUS:BODY, not {arg:?}");
        let (url_prefix, reply) = arg.split_once('=').ok_or_else(usage)?;
        let (status, body) = reply.split_once(':').ok_or_else(usage)?;
        Ok(Self {
            url_prefix: url_prefix.to_owned(),
            status: status.parse().map_err(|_| usage())?,
            body: Bytes::from(body.to_owned()),
        })
    }
}

/// What the host does with outbound requests, for every instance.
#[derive(Default)]
pub struct Policy {
    /// Canned answers.
    pub stubs: Vec<Stub>,
    /// Where requests are recorded, if anywhere.
    pub record: Option<Mutex<std::fs::File>>,
}

/// The outbound hooks of one instance.
pub struct Outbound {
    grants: Arc<Grants>,
    policy: Arc<Policy>,
}

impl Outbound {
    /// Hooks enforcing `grants` under `policy`.
    pub fn new(grants: Arc<Grants>, policy: Arc<Policy>) -> Self {
        Self { grants, policy }
    }
}

impl Policy {
    fn record(&self, component: &str, method: &str, url: &str, verdict: &str, body: &[u8]) {
        let Some(file) = &self.record else { return };
        let line = serde_json::json!({
            "component": component, "method": method, "url": url, "verdict": verdict,
            "body": String::from_utf8_lossy(body),
        });
        if let Ok(mut file) = file.lock() {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// Whether `allowed` (a manifest entry: `scheme://host[:port]`, `*` for any host or port)
/// admits a request to `scheme`, `host` and `port`.
pub fn allows(allowed: &str, scheme: &str, host: &str, port: u16) -> bool {
    let Some((a_scheme, rest)) = allowed.split_once("://") else {
        return false;
    };
    // `[v6]:port`, `[v6]`, `host:port` or `host`.
    let (a_host, a_port) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((h, p)) => (h, p.strip_prefix(':')),
        None => match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        },
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let default_port = if scheme == "https" { 443 } else { 80 };
    (a_scheme == "*" || a_scheme == scheme)
        && (a_host == "*" || a_host.eq_ignore_ascii_case(host))
        && match a_port {
            None => port == default_port,
            Some("*") => true,
            Some(p) => p.parse() == Ok(port),
        }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

type Sent = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), Error>> + Send>,
                ),
                Error,
            >,
        > + Send,
>;

impl WasiHttpHooks for Outbound {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Sent {
        _ = fut;
        let uri = request.uri();
        let url = uri.to_string();
        let scheme = uri.scheme_str().unwrap_or("https").to_owned();
        let host = uri.host().unwrap_or("").to_owned();
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let allowed = self
            .grants
            .allowed_outbound_hosts
            .iter()
            .any(|a| allows(a, &scheme, &host, port));
        let stub = self
            .policy
            .stubs
            .iter()
            .position(|s| url.starts_with(&s.url_prefix));
        let verdict = match (allowed, stub, is_loopback(&host)) {
            (false, _, _) => "denied (not in allowed_outbound_hosts)",
            (true, Some(_), _) => "allowed, answered by a stub",
            (true, None, true) => "allowed, sent",
            (true, None, false) => "allowed, not sent (test host: loopback only)",
        };
        let method = request.method().to_string();
        let component = self.grants.component.clone();
        eprintln!("spin-host: outbound {method} {url} from {component}: {verdict}");
        let policy = Arc::clone(&self.policy);
        Box::new(async move {
            match (allowed, stub, is_loopback(&host)) {
                (true, None, true) => {
                    policy.record(&component, &method, &url, verdict, b"");
                    let (res, io) = default_send_request(request, options).await?;
                    Ok((
                        res.map(BodyExt::boxed_unsync),
                        Box::new(io) as Box<dyn Future<Output = _> + Send>,
                    ))
                }
                (allowed, stub, _) => {
                    let body = request.into_body().collect().await?.to_bytes();
                    policy.record(&component, &method, &url, verdict, &body);
                    let stub = match (allowed, stub) {
                        (false, _) => return Err(Error::HttpRequestDenied),
                        (true, None) => return Err(Error::DestinationUnavailable),
                        (true, Some(i)) => &policy.stubs[i],
                    };
                    let mut res = http::Response::new(
                        Full::new(stub.body.clone())
                            .map_err(|never| match never {})
                            .boxed_unsync(),
                    );
                    *res.status_mut() =
                        http::StatusCode::from_u16(stub.status).unwrap_or(http::StatusCode::OK);
                    let done = Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>;
                    Ok((res, done))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::allows;

    #[test]
    fn outbound_hosts_match_like_spin() {
        let cf = "https://challenges.cloudflare.com";
        assert!(allows(cf, "https", "challenges.cloudflare.com", 443));
        assert!(!allows(cf, "http", "challenges.cloudflare.com", 80));
        assert!(!allows(cf, "https", "challenges.cloudflare.com", 8443));
        assert!(!allows(cf, "https", "evil.example", 443));
        assert!(allows("http://127.0.0.1:*", "http", "127.0.0.1", 9000));
        assert!(allows("*://*:*", "http", "example.org", 1));
        assert!(!allows("http://127.0.0.1:8080", "http", "127.0.0.1", 8081));
        assert!(allows("http://[::1]:8080", "http", "[::1]", 8080));
        assert!(allows("http://[::1]", "http", "::1", 80));
        assert!(!allows("http://[::1]:8080", "http", "[::1]", 80));
        assert!(super::is_loopback("[::1]"));
    }
}

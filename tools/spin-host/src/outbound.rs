//! Outbound HTTP (`wasi:http/client`): checked against the component's
//! `allowed_outbound_hosts` as Spin does, and recorded on stderr. A test host never sends
//! traffic off the machine, so an allowed request to anywhere but loopback is answered with
//! `destination-unavailable` instead of being sent.

use std::sync::Arc;

use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_send_request};

use crate::state::Grants;

/// The outbound hooks of one instance.
pub struct Outbound {
    grants: Arc<Grants>,
}

impl Outbound {
    /// Hooks enforcing `grants`.
    pub fn new(grants: Arc<Grants>) -> Self {
        Self { grants }
    }
}

/// Whether `allowed` (a manifest entry: `scheme://host[:port]`, `*` for any host or port)
/// admits a request to `scheme`, `host` and `port`.
pub fn allows(allowed: &str, scheme: &str, host: &str, port: u16) -> bool {
    let Some((a_scheme, rest)) = allowed.split_once("://") else {
        return false;
    };
    let (a_host, a_port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
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
        let verdict = match (allowed, is_loopback(&host)) {
            (false, _) => "denied (not in allowed_outbound_hosts)",
            (true, false) => "allowed, not sent (test host: loopback only)",
            (true, true) => "allowed, sent",
        };
        eprintln!(
            "spin-host: outbound {} {scheme}://{host}:{port}{} from {}: {verdict}",
            request.method(),
            uri.path(),
            self.grants.component
        );
        Box::new(async move {
            match (allowed, is_loopback(&host)) {
                (false, _) => Err(Error::HttpRequestDenied),
                (true, false) => Err(Error::DestinationUnavailable),
                (true, true) => {
                    let (res, io) = default_send_request(request, options).await?;
                    Ok((
                        res.map(BodyExt::boxed_unsync),
                        Box::new(io) as Box<dyn Future<Output = _> + Send>,
                    ))
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
    }
}

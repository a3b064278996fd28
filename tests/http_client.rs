//! The end-to-end suites' HTTP client: `ureq` (no TLS, no redirects, no compression), one
//! request at a time, the whole response read. Loopback only: it refuses any host but
//! 127.0.0.1 and localhost. Any method, any header, any status: the suite judges them.

use std::time::Duration;

/// A response as received.
#[derive(Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Sends one request to `base` (`http://127.0.0.1:PORT`) and reads the whole response.
pub fn send(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let authority = base
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("plain http only: {base}"))
        .trim_end_matches('/');
    let host = authority.split(':').next().unwrap_or_default();
    assert!(
        host == "127.0.0.1" || host == "localhost",
        "end-to-end tests talk to loopback only, not {host}"
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .allow_non_standard_methods(true)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("http://{authority}{target}"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(body.to_vec())
        .unwrap_or_else(|e| panic!("{method} {target}: {e}"));
    let mut response = agent
        .run(request)
        .unwrap_or_else(|e| panic!("{method} {target}: {e}"));
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .read_to_vec()
        .unwrap_or_else(|e| panic!("{method} {target}: reading the body: {e}"));
    HttpResponse {
        status: response.status().as_u16(),
        headers,
        body,
    }
}

//! The response every function returns.

/// A response, converted to the runtime's own type by the shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The Content-Security-Policy of every page: no scripts, no outside resources, forms post
/// only here. (Turnstile, when configured, widens `script-src` and `frame-src` on the form.)
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `Strict-Transport-Security` of every response: browsers keep to HTTPS for a year. Not
/// `includeSubDomains`: that would bind the city's other hosts, a decision for its IT office.
pub const HSTS: &str = "max-age=31536000";

impl Response {
    /// A response with a body and a content type, and the headers every response carries.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("x-content-type-options".into(), "nosniff".into()),
                ("strict-transport-security".into(), HSTS.into()),
            ],
            body: body.into(),
        }
    }

    /// An HTML page with the page security headers.
    pub fn html(status: u16, page: String) -> Self {
        Self::new(status, "text/html; charset=utf-8", page)
            .with_header("content-security-policy", PAGE_CSP)
            .with_header("referrer-policy", "no-referrer")
            .with_header("cache-control", "no-store")
    }

    /// A JSON document.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::new(status, "application/json; charset=utf-8", value.to_string())
    }

    /// An XML document.
    pub fn xml(status: u16, document: String) -> Self {
        Self::new(status, "application/xml; charset=utf-8", document)
    }

    /// A redirect (303 See Other) to a path on this site.
    pub fn see_other(location: &str) -> Self {
        Self::new(303, "text/plain; charset=utf-8", "").with_header("location", location)
    }

    /// Adds a header (builder style).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (for tests and logs of our own output).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

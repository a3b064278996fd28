//! The request as every function sees it.

use crate::WebError;

/// The largest request body any route accepts; runtimes refuse larger bodies before reading
/// them whole (413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A request body as a shell reads it, chunk by chunk: refused with 413 from its declared
/// `Content-Length` before any byte is read, and as soon as the bytes read pass
/// [`MAX_BODY_BYTES`] when it declares none (or lies).
#[derive(Debug, Default)]
pub struct BodyReader(Vec<u8>);

impl BodyReader {
    /// A reader for a body that declares `content_length` (the header's value, if any).
    pub fn new(content_length: Option<&str>) -> Result<Self, WebError> {
        let declared = content_length.and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(WebError::PayloadTooLarge);
        }
        Ok(Self::default())
    }

    /// Takes the next chunk.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), WebError> {
        if self.0.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(WebError::PayloadTooLarge);
        }
        self.0.extend_from_slice(chunk);
        Ok(())
    }

    /// The body read.
    pub fn finish(self) -> Vec<u8> {
        self.0
    }

    /// The error of a body the runtime could not deliver.
    pub fn unreadable() -> WebError {
        WebError::bad("body", "无法读取 / unreadable")
    }
}

/// The value of the form field `name` among `fields` ([`Request::form`]), as sent (empty when
/// absent); callers trim what is not a secret.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Whether `path` is `prefix` or lies under it (`/api`: `/api`, `/api/`, `/api/v1`, not
/// `/apis`): how the functions that hand requests between Workers name what they own.
pub fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Most form or query fields read from one request.
const MAX_FIELDS: usize = 64;

/// HTTP methods the functions distinguish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET (and HEAD, answered like GET).
    Get,
    /// POST.
    Post,
    /// Anything else.
    Other,
}

impl Method {
    /// The method of an HTTP method name.
    pub fn parse(name: &str) -> Self {
        match name.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" => Method::Get,
            "POST" => Method::Post,
            _ => Method::Other,
        }
    }
}

/// A request, converted from the runtime's own type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The path, percent-encoded as received (`/cases/K7Q-H3X-PD9`), with any run of
    /// slashes or backslashes at its start made one slash: pages put the path into links and
    /// `Link` headers, and `//host/...` (or `/\host/...`, which browsers read the same way)
    /// would point to another site.
    pub path: String,
    /// The query string without `?`.
    pub query: String,
    /// Headers, names in lower case.
    headers: Vec<(String, String)>,
    /// The body (at most [`MAX_BODY_BYTES`]).
    pub body: Vec<u8>,
    /// The client's address, as the runtime reports it (for rate limits; never logged).
    pub client_ip: Option<String>,
}

impl Request {
    /// A request from its parts; header names are stored in lower case.
    pub fn new(
        method: Method,
        path: impl Into<String>,
        query: impl Into<String>,
        headers: impl IntoIterator<Item = (String, String)>,
        body: Vec<u8>,
        client_ip: Option<String>,
    ) -> Self {
        Self {
            method,
            path: site_path(path.into()),
            query: query.into(),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            body,
            client_ip,
        }
    }

    /// Whether the request carries `Authorization: Bearer <secret>`. The comparison is of
    /// SHA-256 digests in constant time, so neither the secret's bytes nor its length leak
    /// through timing.
    pub fn bears(&self, secret: &[u8]) -> bool {
        use sha2::{Digest, Sha256};
        let given = self
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .map_or("", str::trim);
        let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(secret));
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }

    /// A request from a URL path with an optional `?query` (for tests and tools).
    pub fn from_target(method: Method, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Self::new(method, path, query, [], Vec::new(), None)
    }

    /// Adds a header (builder style).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Drops a header (every occurrence).
    pub fn remove_header(&mut self, name: &str) {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(k, _)| *k != name);
    }

    /// Sets the body (builder style).
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// A header's value (the first, if repeated).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments, percent-decoded (`+` stays `+`); `None` for a path that is not
    /// valid UTF-8 once decoded (no function owns such a path: 404).
    pub fn segments(&self) -> Option<Vec<String>> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .ok()
                    .map(|v| v.into_owned())
            })
            .collect()
    }

    /// The query's fields (at most 64).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes())
            .take(MAX_FIELDS)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// One query field.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The fields of an `application/x-www-form-urlencoded` body (at most 64).
    pub fn form(&self) -> Result<Vec<(String, String)>, WebError> {
        let content_type = self.header("content-type").unwrap_or("");
        if !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            return Err(WebError::UnsupportedMediaType);
        }
        if std::str::from_utf8(&self.body).is_err() {
            return Err(WebError::bad("body", "不是有效的UTF-8 / not valid UTF-8"));
        }
        Ok(form_urlencoded::parse(&self.body)
            .take(MAX_FIELDS)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect())
    }

    /// The body parsed as JSON (content type `application/json`).
    pub fn json(&self) -> Result<serde_json::Value, WebError> {
        let content_type = self.header("content-type").unwrap_or("");
        if !content_type
            .to_ascii_lowercase()
            .starts_with("application/json")
        {
            return Err(WebError::UnsupportedMediaType);
        }
        // Through `from_str`, the reader every other JSON parse uses: one copy of the parser.
        std::str::from_utf8(&self.body)
            .ok()
            .and_then(|text| serde_json::from_str(text).ok())
            .ok_or_else(|| WebError::bad("body", "不是有效的JSON / not valid JSON"))
    }
}

/// A path that can only name this site: `/` followed by no slash or backslash.
fn site_path(path: String) -> String {
    let rest = path.trim_start_matches(['/', '\\']);
    if rest.len() + 1 == path.len() && path.starts_with('/') {
        path
    } else {
        format!("/{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_capped_before_and_while_reading() {
        let over = (MAX_BODY_BYTES + 1).to_string();
        assert_eq!(
            BodyReader::new(Some(&over)).err(),
            Some(WebError::PayloadTooLarge)
        );
        let mut reader = BodyReader::new(Some("10")).expect("small");
        reader.push(&[b'a'; MAX_BODY_BYTES]).expect("fits");
        assert_eq!(reader.push(b"b"), Err(WebError::PayloadTooLarge));
        let mut reader = BodyReader::new(None).expect("undeclared");
        reader.push(b"ok").expect("fits");
        assert_eq!(reader.finish(), b"ok");
    }

    #[test]
    fn under_a_prefix_means_at_or_below_it() {
        for path in ["/api", "/api/", "/api/v1/cases"] {
            assert!(under(path, "/api"), "{path}");
        }
        for path in ["/apis", "/", "/ap", "/v1/api"] {
            assert!(!under(path, "/api"), "{path}");
        }
    }

    #[test]
    fn segments_are_decoded_and_query_fields_read() {
        let r = Request::from_target(
            Method::Get,
            "/cases/K7Q%2DH3X-PD9/?lang=en&q=%E8%B7%AF%E7%81%AF",
        );
        assert_eq!(
            r.segments(),
            Some(vec!["cases".into(), "K7Q-H3X-PD9".into()])
        );
        assert_eq!(r.query_param("lang").as_deref(), Some("en"));
        assert_eq!(r.query_param("q").as_deref(), Some("路灯"));
        assert_eq!(r.query_param("none"), None);
        // `+` is a plus in a path; bytes that are not UTF-8 once decoded own no segment.
        let plus = Request::from_target(Method::Get, "/a+b");
        assert_eq!(plus.segments(), Some(vec!["a+b".into()]));
        let bad = Request::from_target(Method::Get, "/cases/%FF%FE");
        assert_eq!(bad.segments(), None);
    }

    #[test]
    fn a_path_never_names_another_host() {
        for evil in [
            "//evil.example/x",
            "///evil.example",
            "/\\evil.example",
            "\\/evil",
            "",
        ] {
            let r = Request::from_target(Method::Get, evil);
            assert!(r.path.starts_with('/'), "{evil}: {}", r.path);
            assert!(!r.path[1..].starts_with(['/', '\\']), "{evil}: {}", r.path);
        }
        assert_eq!(Request::from_target(Method::Get, "//cases").path, "/cases");
        assert_eq!(
            Request::from_target(Method::Get, "/cases/x").path,
            "/cases/x"
        );
    }

    #[test]
    fn forms_need_their_content_type_and_valid_utf8() {
        let r = Request::from_target(Method::Post, "/submit").with_body("a=1&b=%E4%B8%AD");
        assert_eq!(r.form(), Err(WebError::UnsupportedMediaType));
        let r = r.with_header(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        );
        assert_eq!(r.form().expect("form")[1], ("b".into(), "中".into()));
        let bad = r.clone().with_body(vec![b'a', b'=', 0xff]);
        assert!(matches!(bad.form(), Err(WebError::BadRequest { .. })));
    }
}

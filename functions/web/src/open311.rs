//! Open311 GeoReport v2 shared by the submit and lookup functions: formats, errors, XML.
//!
//! Every Open311 answer is built once as JSON (what the official schemas describe) and
//! rendered as JSON or as XML in the shape of the specification's examples, chosen by the
//! resource's extension (`requests.json`, `requests.xml`; none means JSON).

use crate::{Config, Response, WebError};
use minyi::calendar::Timestamp;
use minyi::case::Category;
use serde_json::{Value, json};

/// The representation a client asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `application/json` (also when the resource has no extension).
    #[default]
    Json,
    /// `application/xml`.
    Xml,
}

impl Format {
    /// Splits a resource into its name and format: `requests.xml` → (`requests`, XML),
    /// `requests` → (`requests`, JSON). `None` for an extension other than `json` or `xml`.
    pub fn split(resource: &str) -> Option<(&str, Format)> {
        match resource.rsplit_once('.') {
            None => Some((resource, Format::Json)),
            Some((stem, ext)) if ext.eq_ignore_ascii_case("json") => Some((stem, Format::Json)),
            Some((stem, ext)) if ext.eq_ignore_ascii_case("xml") => Some((stem, Format::Xml)),
            Some(_) => None,
        }
    }

    /// The format of a URL path's last segment (JSON unless it ends in `.xml`).
    pub fn of_path(path: &str) -> Format {
        let last = path.rsplit('/').next().unwrap_or("");
        Self::split(last).map_or(Format::Json, |(_, f)| f)
    }

    /// Renders a document: JSON as is, XML under `root` (see [`to_xml`]).
    pub fn render(self, status: u16, root: &str, value: &Value) -> Response {
        match self {
            Format::Json => Response::json(status, value),
            Format::Xml => Response::xml(status, to_xml(root, value)),
        }
    }
}

/// An Open311 error: the HTTP status, which is also the error's `code`, and a description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// HTTP status and Open311 error code.
    pub status: u16,
    /// What went wrong, Chinese and English.
    pub description: String,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u32>,
    /// The methods the resource answers, for 405.
    pub allow: Option<&'static str>,
}

impl Failure {
    /// A failure with a status and a description.
    pub fn new(status: u16, description: impl Into<String>) -> Self {
        Self {
            status,
            description: description.into(),
            retry_after: None,
            allow: None,
        }
    }

    /// 400: a missing or invalid field (`field` as Open311 names it).
    pub fn field(field: &str, problem: &str) -> Self {
        Self::new(400, format!("{field}: {problem}"))
    }

    /// 404: nothing here.
    pub fn not_found(what: &str) -> Self {
        Self::new(404, format!("未找到 / not found: {what}"))
    }

    /// The spec's error list: `[{code, description}]`, `<errors><error>…</error></errors>`.
    pub fn render(&self, format: Format) -> Response {
        let body = json!([{"code": self.status, "description": self.description}]);
        let mut r = format.render(self.status, "errors", &body);
        if let Some(s) = self.retry_after {
            r = r.with_header("retry-after", &s.to_string());
        }
        if let Some(allow) = self.allow {
            r = r.with_header("allow", allow);
        }
        r
    }
}

impl From<WebError> for Failure {
    /// Open311's statuses: a bad API key is 403, a private case is simply not there (404).
    fn from(e: WebError) -> Self {
        let title = e.title();
        match e {
            WebError::BadRequest { field, problem } => Self::field(&field, &problem),
            WebError::Unauthorized => Self::new(
                403,
                "缺少或无效的API密钥 / missing, unknown or revoked api_key",
            ),
            WebError::CodeRequired | WebError::NotFound => Self::not_found("service request"),
            WebError::RateLimited { retry_after } => Self {
                retry_after: Some(retry_after),
                ..Self::new(
                    429,
                    format!("{} / {}: retry after {retry_after} s", title.zh, title.en),
                )
            },
            WebError::MethodNotAllowed { allow } => Self {
                allow: Some(allow),
                ..Self::new(405, format!("{} / {}", title.zh, title.en))
            },
            other => Self::new(other.status(), format!("{} / {}", title.zh, title.en)),
        }
    }
}

impl From<minyi::app::AppError> for Failure {
    fn from(e: minyi::app::AppError) -> Self {
        WebError::from(e).into()
    }
}

/// Refuses a `jurisdiction_id` other than the deployment's (404, as the spec suggests). Any
/// value is accepted when the deployment names none, and leaving it out is always accepted.
pub fn check_jurisdiction(config: &Config, given: Option<&str>) -> Result<(), Failure> {
    match (config.jurisdiction_id.as_deref(), given.map(str::trim)) {
        (Some(ours), Some(theirs)) if !theirs.is_empty() && theirs != ours => Err(Failure::new(
            404,
            format!("未知的jurisdiction_id / unknown jurisdiction_id: {theirs}"),
        )),
        _ => Ok(()),
    }
}

/// The category an Open311 `service_code` names, if the rulebook offers it; discipline cases
/// are never offered here (they are never public and go to the discipline commission).
pub fn service(code: &str, offered: &[Category]) -> Option<Category> {
    Category::from_code(code.trim()).filter(|c| services(offered).any(|s| s == *c))
}

/// The categories offered as Open311 services: the rulebook's form categories, in its order,
/// without discipline cases.
pub fn services(offered: &[Category]) -> impl Iterator<Item = Category> + '_ {
    offered
        .iter()
        .copied()
        .filter(|c| *c != Category::Discipline)
}

/// A service's name, Chinese first: `投诉 Complaint`.
pub fn service_name(category: Category) -> String {
    format!("{} {}", category.label_zh(), category.label_en())
}

/// An instant as a W3C datetime in Beijing time: `2026-12-02T00:00:00+08:00`.
pub fn datetime(t: Timestamp) -> String {
    minyi::calendar::iso::beijing(t)
}

/// An instant as people read it in Beijing time: `2026-12-02 00:00`.
pub fn local(t: Timestamp) -> String {
    minyi::calendar::iso::beijing_minutes(t)
}

/// Truncates to at most `max` characters, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A small XML writer: elements and escaped text, nothing else.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    /// A document with the XML declaration.
    pub fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"),
        }
    }

    /// Opens an element.
    pub fn open(&mut self, tag: &str) {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
    }

    /// Closes an element.
    pub fn close(&mut self, tag: &str) {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }

    /// An element holding escaped text.
    pub fn leaf(&mut self, tag: &str, text: &str) {
        self.open(tag);
        self.out.push_str(&escape(text));
        self.close(tag);
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// The XML form of an Open311 JSON document, as in the spec's examples: an array becomes
/// `root` holding one element per item, named by the singular of its parent (`services` →
/// `service`, `service_requests` → `request`, `errors` → `error`, `attributes` → `attribute`,
/// `values` → `value`); an object's fields become child elements; `null` an empty element.
pub fn to_xml(root: &str, value: &Value) -> String {
    let mut xml = Xml::new();
    element(&mut xml, root, value);
    xml.finish()
}

fn singular(tag: &str) -> &str {
    match tag {
        "service_requests" => "request",
        t => t.strip_suffix('s').unwrap_or(t),
    }
}

/// Tags come from our own field names; anything else is made a safe name.
fn tag_name(key: &str) -> String {
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name
    } else {
        format!("_{name}")
    }
}

fn element(xml: &mut Xml, tag: &str, value: &Value) {
    let tag = tag_name(tag);
    match value {
        Value::Null => xml.leaf(&tag, ""),
        Value::Bool(b) => xml.leaf(&tag, if *b { "true" } else { "false" }),
        Value::Number(n) => xml.leaf(&tag, &n.to_string()),
        Value::String(s) => xml.leaf(&tag, s),
        Value::Array(items) => {
            xml.open(&tag);
            for item in items {
                element(xml, singular(&tag), item);
            }
            xml.close(&tag);
        }
        Value::Object(fields) => {
            xml.open(&tag);
            for (k, v) in fields {
                element(xml, k, v);
            }
            xml.close(&tag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(
            Format::split("requests.xml"),
            Some(("requests", Format::Xml))
        );
        assert_eq!(
            Format::split("services.JSON"),
            Some(("services", Format::Json))
        );
        assert_eq!(Format::split("services"), Some(("services", Format::Json)));
        assert_eq!(Format::split("services.csv"), None);
        assert_eq!(Format::of_path("/open311/v2/requests/K7Q.xml"), Format::Xml);
    }

    #[test]
    fn xml_follows_the_spec_shape_and_escapes() {
        let v = json!([{"code": 403, "description": "<a href=\"x\">&'\u{1}"}]);
        assert_eq!(
            to_xml("errors", &v),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error><code>403</code>\
             <description>&lt;a href=&quot;x&quot;&gt;&amp;&apos;</description></error></errors>"
        );
        let r = json!([{"service_request_id": "A", "lat": null}]);
        let xml = to_xml("service_requests", &r);
        assert!(xml.contains("<service_requests><request>"), "{xml}");
        assert!(
            xml.contains("<service_request_id>A</service_request_id>"),
            "{xml}"
        );
        assert!(xml.contains("<lat></lat>"), "{xml}");
    }

    #[test]
    fn errors_map_to_open311_statuses() {
        assert_eq!(Failure::from(WebError::Unauthorized).status, 403);
        assert_eq!(Failure::from(WebError::CodeRequired).status, 404);
        let limited = Failure::from(WebError::RateLimited { retry_after: 9 }).render(Format::Xml);
        assert_eq!(limited.status, 429);
        assert_eq!(limited.header("retry-after"), Some("9"));
        assert_eq!(
            limited.header("content-type"),
            Some("application/xml; charset=utf-8")
        );
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("路灯不亮了", 3), "路灯…");
        assert_eq!(truncate("路灯", 3), "路灯");
    }
}

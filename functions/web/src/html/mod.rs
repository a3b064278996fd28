//! The page layout every HTML page shares, and the error page. Server-rendered, no
//! JavaScript, readable on a phone; maud escapes every interpolated value.

pub mod text;
pub mod time;

use crate::{Lang, Request, Response, WebError};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = include_str!("style.css");

/// Where the Turnstile widget's script comes from.
pub const TURNSTILE_ORIGIN: &str = "https://challenges.cloudflare.com";

/// A page response: the page security headers, and on the staff desk the `lang` cookie when
/// the address chose a language (`?lang=`), so the choice sticks on later desk pages. Public
/// pages set no cookie: their language is in every link, so a shared cache can keep them by
/// URL ([`crate::cache`]).
pub fn respond(lang: Lang, req: &Request, status: u16, page: String) -> Response {
    let r = Response::html(status, page);
    if crate::lang::sticks(req) && req.query_param("lang").is_some() {
        r.with_header(
            "set-cookie",
            &format!(
                "lang={}; Path=/desk; Max-Age=31536000; SameSite=Lax; Secure; HttpOnly",
                lang.code()
            ),
        )
    } else {
        r
    }
}

/// Widens the page's Content-Security-Policy for the Turnstile widget (script and frame from
/// Cloudflare's challenge origin). Only the form that shows the widget gets this.
#[must_use]
pub fn allow_turnstile(mut r: Response) -> Response {
    for (name, value) in &mut r.headers {
        if name.eq_ignore_ascii_case("content-security-policy") {
            *value = value.replace(
                "default-src 'none';",
                &format!(
                    "default-src 'none'; script-src {TURNSTILE_ORIGIN}; frame-src {TURNSTILE_ORIGIN}; connect-src {TURNSTILE_ORIGIN};"
                ),
            );
        }
    }
    r
}

/// A site path with a query built from `pairs` (each value percent-encoded).
pub fn href(path: &str, pairs: &[(String, String)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("{path}?{}", query.finish())
}

/// The half of a `"中文 / English"` message that matches the reader's language.
pub fn half(lang: Lang, message: &str) -> &str {
    match message.split_once(" / ") {
        Some((zh, en)) => lang.pick(zh, en),
        None => message,
    }
}

/// A whole page: head, header with the language switch, `main`, footer.
pub fn page(lang: Lang, req: &Request, title: &str, main: Markup) -> String {
    let switch = switch_link(req, lang.other());
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.pick("民意", "Minyi")) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a.brand href={"/?lang=" (lang.code())} { (lang.pick("民意 · 政民互动平台", "Minyi · Citizen Messages")) }
                    nav {
                        a href={"/submit?lang=" (lang.code())} { (lang.pick("我要留言", "Submit")) }
                        a href={"/cases?lang=" (lang.code())} { (lang.pick("办理公开", "Answered cases")) }
                        a href={"/track?lang=" (lang.code())} { (lang.pick("查询进度", "Track a case")) }
                        a href={"/statistics?lang=" (lang.code())} { (lang.pick("办理统计", "Statistics")) }
                        a.lang href=(switch) hreflang=(lang.other().tag()) { (lang.other().pick("中文", "English")) }
                    }
                }
                main { (main) }
                footer {
                    p { (lang.pick("本平台不公开任何个人信息。", "This platform never publishes personal information.")) }
                }
            }
        }
    }
    .into_string()
}

/// The current page's address in another language.
pub fn switch_link(req: &Request, to: Lang) -> String {
    let rest: Vec<(String, String)> = req
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k != "lang")
        .collect();
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &rest {
        query.append_pair(k, v);
    }
    query.append_pair("lang", to.code());
    format!("{}?{}", req.path, query.finish())
}

/// A readable error page with the error's status.
pub fn error_page(lang: Lang, req: &Request, error: &WebError) -> Response {
    let title = error.title().get(lang);
    let detail = match error {
        WebError::BadRequest { field, problem } => match text::field_name(field) {
            Some(name) => format!(
                "{}{}{}",
                name.get(lang),
                lang.pick("：", ": "),
                half(lang, problem)
            ),
            None => half(lang, problem).to_owned(),
        },
        other => other.detail(lang),
    };
    let body = page(
        lang,
        req,
        title,
        html! {
            section.error {
                h1 { (title) }
                p { (detail) }
                p { a href={"/?lang=" (lang.code())} { (text::BACK_HOME.get(lang)) } }
            }
        },
    );
    error.with_headers(respond(lang, req, error.status(), body))
}

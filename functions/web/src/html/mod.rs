//! The page layout every HTML page shares, and the error page. Server-rendered, no
//! JavaScript, readable on a phone; maud escapes every interpolated value.

use crate::{Lang, Request, Response, WebError};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = include_str!("style.css");

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
    let body = page(
        lang,
        req,
        title,
        html! {
            section.error {
                h1 { (title) }
                p { (error.detail(lang)) }
                p { a href={"/?lang=" (lang.code())} { (lang.pick("返回首页", "Back to the start page")) } }
            }
        },
    );
    error.with_retry(Response::html(error.status(), body))
}

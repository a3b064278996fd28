//! The one serve path of every runtime: a shell converts its request, opens its [`Env`], calls
//! [`serve`] with the functions it bundles, and converts the [`Response`] back. Everything
//! between lives here, once: the refusal of requests the shell could not convert (413), of a
//! deployment that cannot serve (503, logged), of cross-site requests that would change
//! state (403), the client's address as the deployment trusts it, the 404 page, the log
//! line of a failure, and what shared caches may keep ([`cache::seal`]) with its 304s.

use crate::{Env, Lang, Method, Request, Response, WebError, cache, html};

/// Serves one request: `env` is the shell's ports (or why they could not be opened),
/// `request` the converted request (or why it could not be), `functions` the bundle in the
/// order they answer a path (each answers `None` for a path it does not own), and `log`
/// the runtime's error log.
pub async fn serve<E: Env>(
    env: Result<&E, String>,
    request: Result<Request, WebError>,
    functions: impl AsyncFn(&E, &Request) -> Option<Response>,
    log: impl Fn(&str),
) -> Response {
    let mut req = match request {
        Ok(r) => r,
        Err(e) => {
            let probe = Request::from_target(Method::Get, "/");
            return html::error_page(Lang::of(&probe), &probe, &e);
        }
    };
    let lang = Lang::of(&req);
    let env = match env {
        Ok(env) => env,
        Err(message) => {
            log(&format!("minyi: cannot serve: {message}"));
            return html::error_page(lang, &req, &WebError::Unavailable(message));
        }
    };
    if let Some(refusal) = cross_site_refusal(&req) {
        return match first_segment(&req) {
            "api" => refusal.to_problem(lang),
            "open311" => crate::open311::Failure::from(refusal)
                .render(crate::open311::Format::of_path(&req.path)),
            _ => html::error_page(lang, &req, &refusal),
        };
    }
    req.client_ip = env
        .config()
        .client_address
        .resolve(req.client_ip.as_deref(), |name| {
            req.header(name).map(str::to_owned)
        });
    let response = match functions(env, &req).await {
        Some(r) => r,
        None => html::error_page(lang, &req, &WebError::NotFound),
    };
    if response.status >= 500 {
        // The route and status only: never the body, the query, a header or the client's
        // address (docs/privacy.md).
        log(&format!(
            "minyi: {} {} answered {}",
            method_name(req.method),
            req.path,
            response.status
        ));
    }
    let response = cache::seal(&req, response);
    cache::not_modified(req.header("if-none-match"), response)
}

/// Refuses a browser's cross-site request that would change state, as Go's
/// `http.CrossOriginProtection` does: `Sec-Fetch-Site` must be `same-origin` or `none`; a
/// browser too old to send it is judged by `Origin` against `Host`. A request with neither
/// header is not from a browser (an app, a partner system, curl) and passes; it cannot ride on
/// a citizen's browser.
pub fn cross_site_refusal(req: &Request) -> Option<WebError> {
    if req.method == Method::Get {
        return None;
    }
    let refused = match req.header("sec-fetch-site") {
        Some(site) => !matches!(site.trim(), "same-origin" | "none"),
        None => match (req.header("origin"), req.header("host")) {
            (None, _) => false,
            (Some(origin), host) => {
                let origin_host = origin
                    .split_once("://")
                    .map_or(origin, |(_, rest)| rest)
                    .trim_end_matches('/');
                host.is_none_or(|h| !origin_host.eq_ignore_ascii_case(h.trim()))
            }
        },
    };
    refused.then(|| {
        WebError::forbidden(
            "跨站请求被拒绝，请在本站页面上提交 / cross-site request refused: submit from this site's own pages",
        )
    })
}

fn first_segment(req: &Request) -> &str {
    req.path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Other => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(headers: &[(&str, &str)]) -> Request {
        headers.iter().fold(
            Request::from_target(Method::Post, "/submit"),
            |r, (k, v)| r.with_header(k, v),
        )
    }

    #[test]
    fn cross_site_state_changes_are_refused() {
        assert!(cross_site_refusal(&post(&[("Sec-Fetch-Site", "cross-site")])).is_some());
        assert!(cross_site_refusal(&post(&[("Sec-Fetch-Site", "same-site")])).is_some());
        assert!(cross_site_refusal(&post(&[("Sec-Fetch-Site", "same-origin")])).is_none());
        assert!(cross_site_refusal(&post(&[("Sec-Fetch-Site", "none")])).is_none());
        let evil = [("Origin", "https://evil.example"), ("Host", "city.example")];
        assert!(cross_site_refusal(&post(&evil)).is_some());
        let ours = [("Origin", "https://city.example"), ("Host", "city.example")];
        assert!(cross_site_refusal(&post(&ours)).is_none());
        assert!(cross_site_refusal(&post(&[("Origin", "null")])).is_some());
        // Not a browser: nothing to ride on.
        assert!(cross_site_refusal(&post(&[])).is_none());
        // Reads are never refused.
        let read =
            Request::from_target(Method::Get, "/").with_header("Sec-Fetch-Site", "cross-site");
        assert!(cross_site_refusal(&read).is_none());
        assert_eq!(
            cross_site_refusal(&post(&[("Sec-Fetch-Site", "cross-site")])).map(|e| e.status()),
            Some(403)
        );
    }
}

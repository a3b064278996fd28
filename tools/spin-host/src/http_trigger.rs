//! The HTTP trigger: routes each request to its component by the manifest, as Spin does
//! (exact routes first, then the longest wildcard), adds Spin's request headers, and runs a
//! fresh instance of the component for it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery};
use http::{HeaderValue, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use wasmtime::error::Context;
use wasmtime_wasi_http::p3::Request as WasiRequest;

use crate::app::App;
use crate::cron_trigger;
use crate::manifest::Route;

/// The test hook that runs every cron component once: `POST` with `?at=<unix ms>` to run
/// it as if at that instant. Served only with `--test-hooks`. Spin keeps `/.well-known/spin/`
/// for itself (health, info), so no application route can be shadowed here.
pub const CRON_HOOK: &str = "/.well-known/spin/cron";

/// Serves `app` on `listener` until the task is dropped.
pub async fn serve(app: Arc<App>, listener: TcpListener, test_hooks: bool) -> wasmtime::Result<()> {
    loop {
        let (stream, peer) = listener.accept().await?;
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let app = Arc::clone(&app);
                async move { Ok::<_, Infallible>(handle(&app, req, peer, test_hooks).await) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("spin-host: connection from {peer}: {e}");
            }
        });
    }
}

async fn handle(
    app: &App,
    req: Request<Incoming>,
    peer: SocketAddr,
    test_hooks: bool,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    if test_hooks && path == CRON_HOOK {
        return cron_hook(app, &req).await;
    }
    let Some(route) = app.manifest.route(&path) else {
        return text(StatusCode::NOT_FOUND, "Not Found\n".into());
    };
    match call(app, route, req, peer).await {
        Ok(response) => response,
        Err(e) => {
            eprintln!("spin-host: {}: {e:#}", route.component);
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error\n".into(),
            )
        }
    }
}

/// Runs the route's component on `req`, collecting its response.
async fn call(
    app: &App,
    route: &Route,
    req: Request<Incoming>,
    peer: SocketAddr,
) -> wasmtime::Result<Response<Full<Bytes>>> {
    let loaded = &app.http[&route.component];
    let req = match with_spin_headers(req, route, peer) {
        Ok(req) => req,
        Err(reason) => return Ok(text(StatusCode::BAD_REQUEST, format!("{reason}\n"))),
    };
    let mut store = app.store(&loaded.grants, None);
    let service = loaded.pre.instantiate_async(&mut store).await?;
    let (req, body_io) = WasiRequest::from_http(store.data_mut().outbound(), req);
    store
        .run_concurrent(async |store| {
            let respond = async {
                let res = match service.handle(store, req).await? {
                    Ok(res) => res,
                    Err(code) => wasmtime::bail!("the component answered an error: {code:?}"),
                };
                let res = store.with(|s| res.into_http(s, async { Ok(()) }))?;
                let (parts, body) = res.into_parts();
                let body = body.collect().await.context("reading the response body")?;
                Ok(Response::from_parts(parts, Full::new(body.to_bytes())))
            };
            let read = async { body_io.await.context("reading the request body") };
            let (response, ()) = tokio::try_join!(respond, read)?;
            Ok(response)
        })
        .await?
}

/// The request as Spin hands it to a component: an absolute URL and Spin's `spin-*` headers.
/// A `Host` header that is not a valid authority is refused (the reason is returned, for a
/// 400), never spliced into the path.
fn with_spin_headers(
    req: Request<Incoming>,
    route: &Route,
    peer: SocketAddr,
) -> Result<Request<Incoming>, &'static str> {
    let (mut parts, body) = req.into_parts();
    let authority = match parts.headers.get(http::header::HOST) {
        None => Authority::from_static("127.0.0.1"),
        Some(host) => Authority::try_from(host.as_bytes()).map_err(|_| "bad Host header")?,
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    parts.uri = Uri::builder()
        .scheme("http")
        .authority(authority)
        .path_and_query(path_and_query)
        .build()
        .map_err(|_| "bad request target")?;
    let full_url = parts.uri.to_string();
    let path = parts.uri.path().to_owned();
    let header = |v: &str| HeaderValue::from_str(v).map_err(|_| "bad request target");
    let h = &mut parts.headers;
    h.insert("spin-full-url", header(&full_url)?);
    h.insert("spin-path-info", header(route.path_info(&path))?);
    h.insert("spin-matched-route", header(&route.pattern)?);
    h.insert("spin-raw-component-route", header(&route.pattern)?);
    h.insert("spin-component-route", header(&route.base)?);
    h.insert("spin-base-path", HeaderValue::from_static("/"));
    h.insert("spin-client-addr", header(&peer.to_string())?);
    Ok(Request::from_parts(parts, body))
}

async fn cron_hook(app: &App, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() != http::Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "POST only\n".into());
    }
    let at = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("at=")))
        .map(str::parse::<u64>);
    let at = match at {
        None => None,
        Some(Ok(ms)) => Some(UNIX_EPOCH + Duration::from_millis(ms)),
        Some(Err(_)) => return text(StatusCode::BAD_REQUEST, "at: unix milliseconds\n".into()),
    };
    let mut report = String::new();
    let mut ok = true;
    for id in app.cron.keys() {
        match cron_trigger::run(app, id, at).await {
            Ok(()) => report.push_str(&format!("{id}: ok\n")),
            Err(e) => {
                ok = false;
                report.push_str(&format!("{id}: failed: {e:#}\n"));
            }
        }
    }
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    text(status, report)
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

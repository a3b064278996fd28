//! The request path every Spin HTTP component shares: convert the request, open the env, serve
//! the component's unit through the shared serve path (`minyi_web::serve`), convert back.

use bytes::Bytes;
use http_body_util::BodyExt;
use minyi_web::{BodyReader, Config, Method, Request, Response, WebError};
use spin_sdk::http::FullBody;

use crate::config::spin_name;
use crate::{SpinHost, SpinKv, SpinStore};
use minyi_web::outbound::Reply;
use minyi_web::vars::{self as config, VARIABLES};

/// The response type of every Spin HTTP component.
pub type SpinResponse = http::Response<FullBody<Bytes>>;

/// The database and key-value store labels the manifest grants every component.
const LABEL: &str = "default";

/// What one request runs against.
pub struct SpinEnv {
    store: SpinStore,
    kv: SpinKv,
    host: SpinHost,
    config: Config,
}

impl SpinEnv {
    /// Opens the `default` database and store and reads the configuration from Spin variables.
    pub async fn open() -> Result<Self, String> {
        let mut values = Vec::with_capacity(VARIABLES.len());
        for name in VARIABLES {
            // An undeclared or unset variable reads as unset; the manifest declares them all.
            let value = spin_sdk::variables::get(spin_name(name)).await.ok();
            values.push((*name, value));
        }
        let config = config::read(|name| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.clone())
        })
        .map_err(|e| e.to_string())?;
        Ok(Self {
            store: SpinStore::open(LABEL).await.map_err(|e| e.to_string())?,
            kv: SpinKv::open(LABEL).await.map_err(|e| e.to_string())?,
            host: SpinHost,
            config,
        })
    }
}

impl minyi_web::Env for SpinEnv {
    type Store = SpinStore;
    type Kv = SpinKv;
    type Host = SpinHost;

    fn store(&self) -> &SpinStore {
        &self.store
    }

    fn kv(&self) -> &SpinKv {
        &self.kv
    }

    fn host(&self) -> &SpinHost {
        &self.host
    }

    fn config(&self) -> &Config {
        &self.config
    }

    /// A Spin instance serves at most 128 requests: reads are counted in the key-value store.
    fn reads_in_kv(&self) -> bool {
        true
    }

    fn log(&self, line: &str) {
        eprintln!("{line}");
    }

    async fn send_post(&self, url: &str, headers: &[(&str, &str)], body: String) -> Reply {
        let mut request = http::Request::post(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(FullBody::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = spin_sdk::http::send(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

/// Serves one Spin request with `unit` (one of `minyi-site`'s units) through the shared serve
/// path.
pub async fn serve(
    req: spin_sdk::http::Request,
    unit: impl AsyncFn(&SpinEnv, &Request) -> Option<Response>,
) -> SpinResponse {
    let request = convert_request(req).await;
    let env = SpinEnv::open().await;
    let response =
        minyi_web::serve::serve(env.as_ref().map_err(String::clone), request, unit, |line| {
            eprintln!("{line}")
        })
        .await;
    convert_response(response)
}

/// The platform-neutral request, its body read through [`BodyReader`] (413 past the cap).
async fn convert_request(req: spin_sdk::http::Request) -> Result<Request, WebError> {
    let (parts, mut body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let mut reader = BodyReader::new(
        parts
            .headers
            .get("content-length")
            .and_then(|v| v.to_str().ok()),
    )?;
    let method = Method::parse(parts.method.as_str());
    if method != Method::Get {
        while let Some(frame) = body.frame().await {
            if let Ok(chunk) = frame.map_err(|_| BodyReader::unreadable())?.into_data() {
                reader.push(&chunk)?;
            }
        }
    }
    // Spin names the peer in `spin-client-addr` (`ip:port`, `[v6]:port`).
    let client_ip = parts
        .headers
        .get("spin-client-addr")
        .and_then(|v| v.to_str().ok())
        .map(client_ip);
    let body = reader.finish();
    Ok(Request::new(method, path, query, headers, body, client_ip))
}

/// The address of `ip:port` or `[v6]:port` without the port.
fn client_ip(addr: &str) -> String {
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest).to_owned();
    }
    match addr.rsplit_once(':') {
        Some((ip, port)) if !ip.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            ip.to_owned()
        }
        _ => addr.to_owned(),
    }
}

fn convert_response(r: Response) -> SpinResponse {
    let mut builder = http::Response::builder().status(r.status);
    for (name, value) in &r.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(FullBody::new(Bytes::from(r.body)))
        .unwrap_or_else(|_| {
            let mut fallback = http::Response::new(FullBody::new(Bytes::new()));
            *fallback.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
}

//! A bare Worker: one D1 statement per request, for comparison with Minyi's submit and lookup;
//! a static answer (`GET /static`); and a held answer (`GET /held/{name}`: the bytes and headers
//! last put with `PUT /held/{name}`, kept in the isolate as JavaScript objects and answered with
//! one `new Response`), for comparison with the pages Minyi answers from its cache. The bench
//! puts a cached page there, so the two answers are byte for byte the same.

use std::cell::RefCell;
use worker::js_sys::Uint8Array;
use worker::wasm_bindgen::JsValue;
use worker::worker_sys::web_sys;
use worker::{Env, Request, Response, Result, event};

/// The prefix of a `PUT /held/{name}` request's headers that are held (without it).
const HELD_PREFIX: &str = "x-held-";

thread_local! {
    static HELD: RefCell<Vec<(String, Uint8Array, web_sys::ResponseInit)>> = const { RefCell::new(Vec::new()) };
}

#[event(fetch)]
async fn fetch(
    raw: web_sys::Request,
    env: Env,
    _ctx: worker::Context,
) -> Result<web_sys::Response> {
    let url = raw.url();
    let target = url.splitn(4, '/').nth(3).unwrap_or("");
    let path = format!("/{}", target.split(['?', '#']).next().unwrap_or(""));
    if let Some(name) = path.strip_prefix("/held/") {
        if raw.method() == "GET" {
            return held(name).map_err(|e| worker::Error::RustError(format!("{e:?}")));
        }
        let mut req = Request::from(raw);
        let init = web_sys::ResponseInit::new();
        let headers = web_sys::Headers::new()?;
        for (k, v) in req.headers().entries() {
            if let Some(k) = k.strip_prefix(HELD_PREFIX) {
                headers.append(k, &v)?;
            }
        }
        init.set_headers(&headers);
        let body = Uint8Array::from(req.bytes().await?.as_slice());
        HELD.with_borrow_mut(|held| {
            held.retain(|(n, ..)| n != name);
            held.push((name.to_owned(), body, init));
        });
        return Ok(Response::ok("held")?.into());
    }
    answer(Request::from(raw), &path, env).await.map(Into::into)
}

/// The held answer under `name`.
fn held(name: &str) -> std::result::Result<web_sys::Response, JsValue> {
    HELD.with_borrow(|held| match held.iter().find(|(n, ..)| n == name) {
        Some((_, body, init)) => {
            web_sys::Response::new_with_opt_buffer_source_and_init(Some(body), init)
        }
        None => web_sys::Response::new_with_opt_str_and_init(
            Some("not held"),
            &web_sys::ResponseInit::new(),
        ),
    })
}

async fn answer(req: Request, path: &str, env: Env) -> Result<Response> {
    if path == "/static" {
        return Response::ok("static");
    }
    let db = env.d1("DB")?;
    if req.method() == worker::Method::Post && path == "/insert" {
        let stmt = db
            .prepare("INSERT INTO bench (title, body, at) VALUES (?1, ?2, ?3)")
            .bind(&[
                "路灯不亮".into(),
                "人民路路灯坏了一周。".into(),
                1_767_225_600_000_f64.into(),
            ])?;
        stmt.run().await?;
        return Response::ok("inserted");
    }
    if let Some(id) = path.strip_prefix("/read/") {
        let id: f64 = id.parse().unwrap_or(1.0);
        let row = db
            .prepare("SELECT id, title, body, at FROM bench WHERE id = ?1")
            .bind(&[id.into()])?
            .first::<serde_json::Value>(None)
            .await?;
        return Response::ok(if row.is_some() { "found" } else { "none" });
    }
    Response::error("not found", 404)
}

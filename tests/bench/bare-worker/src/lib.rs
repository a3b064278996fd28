//! A bare Worker: one D1 statement per request, for comparison with Minyi's submit and lookup;
//! the write a submission makes (`POST /insert-submission`: the same statement into Minyi's
//! schema, and nothing else), to tell a submission's write from the rest of it;
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
    if req.method() == worker::Method::Post && path == "/insert-submission" {
        db.batch(submission_write(&db)?).await?;
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

/// A budget key as Minyi makes one (a keyed hash of the client, then the hour), for a client of
/// its own: each bench submission is a citizen's first in the hour, and opens a window.
fn budget_key(now: f64) -> String {
    let client = (worker::js_sys::Math::random() * 2f64.powi(52)) as u64;
    format!("{client:016x}:{}", (now / 3_600_000.0).floor())
}

/// What Minyi writes for the bench's submission (a public complaint from the web form): one
/// INSERT into the registration view of migration 0015, whose trigger writes the case row with
/// the 24 columns that submission fills (the others keep their defaults), its registration
/// event, and the client's count against the submission budget; in a batch, as Minyi sends it.
/// The values are the bench submission's own; the ids and the client are fresh for every request.
fn submission_write(db: &worker::D1Database) -> Result<Vec<worker::D1PreparedStatement>> {
    let id = (worker::js_sys::Math::random() * 1e12).floor();
    let now = worker::Date::now().as_millis() as f64;
    let day = 86_400_000.0;
    let values: [JsValue; 33] = [
        id.into(),
        format!("B{id}").into(),
        "520e25f7689838cafd7c6312dd55f532eda4b644f3075d902b1b8d1cd752c9c4".into(),
        "web".into(),
        "complaint".into(),
        "normal".into(),
        "ordinary".into(),
        "路灯不亮".into(),
        "人民路路灯坏了一周。".into(),
        1.into(),
        "registered".into(),
        1.into(),
        1.into(),
        now.into(),
        now.into(),
        (now + 11.0 * day).into(),
        0.into(),
        (now + 2.5 * day).into(),
        (now + 10.0 * day).into(),
        (now + 11.0 * day).into(),
        0.into(),
        "路灯 灯不 不亮 人民 民路 路路 路灯 灯坏 坏了 了一 一周".into(),
        0.into(),
        0.into(),
        1.into(),
        now.into(),
        "citizen".into(),
        "registered".into(),
        1.into(),
        format!(
            r#"{{"acknowledged":false,"category":"complaint","channel":"web","due_at":{}}}"#,
            now + 11.0 * day
        )
        .into(),
        budget_key(now).into(),
        1e8.into(),
        (((now / 3_600_000.0).floor() + 1.0) * 3_600_000.0).into(),
    ];
    Ok(vec![
        db.prepare(
            "INSERT INTO case_registration (id, tracking_no, query_code_hash, channel, category, \
             urgency, complexity, title, body, publish_consent, status, version, round, \
             received_at, updated_at, due_at, deadline_provisional, first_response_by, remind_at, \
             escalate_at, address_public, search_grams, rulebook_version, leader_instructed, \
             event_seq, event_at, event_actor_kind, event_kind, event_public, event_data, \
             budget_key, budget_limit, budget_expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
             ?, ?, ?, ?, ?, ?)",
        )
        .bind(&values)?,
    ])
}

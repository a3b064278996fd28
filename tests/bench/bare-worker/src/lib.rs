//! A bare Worker: one D1 statement per request, for comparison with Minyi's submit and lookup,
//! and a static answer (`GET /static`), for comparison with pages that must survive a crowd.

use worker::{Env, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: worker::Context) -> Result<Response> {
    let path = req.path();
    if path == "/static" {
        return Response::ok("static");
    }
    let db = env.d1("DB")?;
    if req.method() == worker::Method::Post && path == "/insert" {
        let stmt = db
            .prepare("INSERT INTO bench (title, body, at) VALUES (?1, ?2, ?3)")
            .bind(&["路灯不亮".into(), "人民路路灯坏了一周。".into(), 1_767_225_600_000_f64.into()])?;
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

//! The deployment units against each other: the two public Cloudflare Workers (the front unit,
//! handing what `minyi_site::is_back` names to the back unit) answer every public request as
//! Spin's units do, and each Worker answers only its own requests.

use jiff::civil::Date;
use minyi::calendar::BEIJING;
use minyi_tests::NativeEnv;
use minyi_web::{Method, Request, Response};
use serde_json::{Value, json};

fn site() -> NativeEnv {
    let friday = Date::constant(2026, 11, 20).at(10, 0, 0, 0);
    NativeEnv::new(BEIJING.to_timestamp(friday).expect("local"))
}

/// A case registered through the Workers (a write: the back unit's); its tracking number
/// and query code.
fn register(env: &NativeEnv, publish: bool) -> (String, String) {
    let case = json!({
        "category": "complaint",
        "title": "路灯不亮",
        "body": "人民路路灯坏了三天。",
        "publish": publish,
        "consent": true,
    });
    let req = Request::from_target(Method::Post, "/api/v1/cases")
        .with_header("content-type", "application/json")
        .with_body(case.to_string());
    let created = env.send_workers(&req);
    assert_eq!(created.status, 201, "{}", created.text());
    let body: Value = serde_json::from_slice(&created.body).expect("json");
    let field = |name: &str| body[name].as_str().expect(name).to_owned();
    (field("tracking_number"), field("query_code"))
}

fn same(a: &Response, b: &Response) -> bool {
    a.status == b.status && a.headers == b.headers && a.body == b.body
}

#[test]
fn the_workers_answer_the_public_reads_as_spin_does() {
    let env = site();
    let (public, _) = register(&env, true);
    let (private, code) = register(&env, false);
    let mut requests: Vec<Request> = [
        "/",
        "/cases",
        "/cases?lang=en",
        &format!("/cases/{public}"),
        &format!("/cases/{private}"),
        &format!("/cases/{public}/rate"),
        "/track",
        "/meetings",
        "/meetings/NONE",
        "/statistics",
        "/statistics/more",
        "/api/openapi.json",
        "/api/v1/cases",
        &format!("/api/v1/cases/{public}"),
        &format!("/api/v1/cases/{public}/more"),
        "/api/v2",
        "/open311/v2/services.json",
        "/open311/v2/services.xml",
        "/open311/v2/requests.json",
        &format!("/open311/v2/requests/{public}.json"),
        "/nowhere",
        "/%61pi/openapi.json",
    ]
    .iter()
    .map(|target| Request::from_target(Method::Get, target))
    .collect();
    for (method, target) in [
        (Method::Other, "/cases"),
        (Method::Other, "/track"),
        (Method::Post, "/statistics"),
        (Method::Other, "/api/v1/cases"),
        (Method::Post, "/api/openapi.json"),
        (Method::Other, "/open311/v2/requests.json"),
    ] {
        requests.push(Request::from_target(method, target));
    }
    requests.push(
        Request::from_target(Method::Post, "/track")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(format!("tracking={private}&code={code}")),
    );
    for req in &requests {
        let target = format!("{:?} {}", req.method, req.path);
        let spin = env.send(req);
        assert!(same(&spin, &env.send_reads(req)), "{target}");
        let workers = env.send_workers(req);
        assert!(
            same(&spin, &workers),
            "{target}: {} from Spin, {} from the Workers",
            spin.status,
            workers.status
        );
    }
}

#[test]
fn each_worker_answers_only_its_own_requests() {
    let env = site();
    let (tracking, _) = register(&env, true);
    for (method, target, back) in [
        (Method::Get, format!("/cases/{tracking}"), false),
        (Method::Get, format!("/api/v1/cases/{tracking}"), true),
        (Method::Post, "/track".to_owned(), false),
        (Method::Get, "/submit".to_owned(), true),
        (Method::Get, "/statistics".to_owned(), true),
        (Method::Get, "/api/openapi.json".to_owned(), true),
        (Method::Get, "/open311/v2/services.json".to_owned(), true),
    ] {
        let req = Request::from_target(method, &target);
        assert_eq!(minyi_site::is_back(method, &req.path), back, "{target}");
        let (own, other) = if back {
            (
                env.serve(&req, minyi_site::back),
                env.serve(&req, minyi_site::front),
            )
        } else {
            (
                env.serve(&req, minyi_site::front),
                env.serve(&req, minyi_site::back),
            )
        };
        assert_ne!(own.status, 404, "{target}");
        assert_eq!(
            other.status, 404,
            "{target}: the other Worker has no such route"
        );
    }
}

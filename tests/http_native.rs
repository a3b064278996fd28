//! The composed site on native adapters, request by request: the JSON API. (Pages and Open311
//! have their own test files.)

use jiff::civil::Date;
use minyi::calendar::{BEIJING, Timestamp};
use minyi_tests::NativeEnv;
use minyi_web::{Method, Request};
use serde_json::{Value, json};

fn at(date: Date, hour: i8) -> Timestamp {
    BEIJING.to_timestamp(date.at(hour, 0, 0, 0)).expect("local")
}

fn post_json(path: &str, body: &Value) -> Request {
    Request::from_target(Method::Post, path)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
}

fn body(r: &minyi_web::Response) -> Value {
    serde_json::from_slice(&r.body).expect("json body")
}

fn complaint(publish: bool) -> Value {
    json!({
        "category": "complaint",
        "title": "夜间施工噪音",
        "body": "幸福小区旁工地每晚十一点后仍在施工。",
        "name": "李四",
        "phone": "13900139000",
        "publish": publish,
        "consent": true,
    })
}

#[test]
fn a_case_submitted_through_the_api_reads_back_without_personal_data() {
    let env = NativeEnv::new(at(Date::constant(2026, 11, 20), 10));
    let created = env.send(&post_json("/api/v1/cases", &complaint(true)));
    assert_eq!(created.status, 201, "{}", created.text());
    let c = body(&created);
    let tracking = c["tracking_number"].as_str().expect("tracking").to_owned();
    assert!(
        c["query_code"].is_string(),
        "every case gets a code, to rate the reply"
    );
    // Friday 20 Nov 2026 10:00, 7 working days: 23–27 Nov, 30 Nov, 1 Dec → 24:00 1 Dec.
    assert_eq!(c["due_at"], "2026-12-01T16:00:00Z");
    let location = created.header("location").expect("location").to_owned();
    let read = env.send(&Request::from_target(Method::Get, &location));
    assert_eq!(read.status, 200);
    let case = body(&read);
    assert_eq!(case["tracking_number"], tracking.as_str());
    assert_eq!(case["status"], "registered");
    assert_eq!(case["timeline"][0]["event"], "registered");
    let text = read.text();
    assert!(
        !text.contains("李四") && !text.contains("13900139000"),
        "{text}"
    );
}

#[test]
fn a_private_case_needs_its_query_code() {
    let env = NativeEnv::new(at(Date::constant(2026, 11, 20), 10));
    let created = body(&env.send(&post_json("/api/v1/cases", &complaint(false))));
    let code = created["query_code"].as_str().expect("code").to_owned();
    let path = format!(
        "/api/v1/cases/{}",
        created["tracking_number"].as_str().expect("t")
    );
    assert_eq!(
        env.send(&Request::from_target(Method::Get, &path)).status,
        403
    );
    let wrong = Request::from_target(Method::Get, &path).with_header("x-query-code", "0000-0000");
    assert_eq!(env.send(&wrong).status, 403);
    let right = Request::from_target(Method::Get, &path).with_header("x-query-code", &code);
    assert_eq!(env.send(&right).status, 200);
}

#[test]
fn bad_input_is_a_problem_and_changes_nothing() {
    let env = NativeEnv::new(at(Date::constant(2026, 11, 20), 10));
    let mut bad = complaint(true);
    bad["title"] = json!("");
    let r = env.send(&post_json("/api/v1/cases", &bad));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json; charset=utf-8")
    );
    assert_eq!(body(&r)["field"], "title");
    let not_json = Request::from_target(Method::Post, "/api/v1/cases").with_body("{");
    assert_eq!(env.send(&not_json).status, 415);
    let list = body(&env.send(&Request::from_target(Method::Get, "/api/v1/cases")));
    assert_eq!(list["cases"], json!([]));
    let typo = env.send(&Request::from_target(
        Method::Get,
        "/api/v1/cases/K7Q-H3X-PD0",
    ));
    assert_eq!(typo.status, 404, "the check character fails: no such case");
    let bad_shape = env.send(&Request::from_target(Method::Get, "/api/v1/cases/K7Q-H3X"));
    assert_eq!(bad_shape.status, 400);
    assert_eq!(body(&bad_shape)["field"], "tracking_number");
}

#[test]
fn a_retried_post_with_the_same_idempotency_key_creates_one_case() {
    let env = NativeEnv::new(at(Date::constant(2026, 11, 20), 10));
    let req = post_json("/api/v1/cases", &complaint(false))
        .with_header("idempotency-key", "retry-key-0123456789");
    let first = body(&env.send(&req));
    let second = body(&env.send(&req));
    assert_eq!(first["tracking_number"], second["tracking_number"]);
    assert_eq!(first["query_code"], second["query_code"]);
}

#[test]
fn clients_over_their_budget_are_told_when_to_come_back() {
    let mut env = NativeEnv::new(at(Date::constant(2026, 11, 20), 10));
    env.config.limits.submissions_per_hour = 2;
    let mut req = post_json("/api/v1/cases", &complaint(true));
    req.client_ip = Some("203.0.113.9".into());
    assert_eq!(env.send(&req).status, 201);
    assert_eq!(env.send(&req).status, 201);
    let limited = env.send(&req);
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    req.client_ip = Some("203.0.113.10".into());
    assert_eq!(
        env.send(&req).status,
        201,
        "another client has its own budget"
    );
}

#[test]
fn the_openapi_document_describes_the_routes_that_exist() {
    let env = NativeEnv::new(at(Date::constant(2026, 11, 20), 10));
    let r = env.send(&Request::from_target(Method::Get, "/api/openapi.json"));
    assert_eq!(r.status, 200);
    let doc = body(&r);
    assert_eq!(doc["openapi"], "3.1.0");
    let created = body(&env.send(&post_json("/api/v1/cases", &complaint(true))));
    let tracking = created["tracking_number"]
        .as_str()
        .expect("tracking")
        .to_owned();
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .expect("operations")
                .keys()
                .map(|m| (m.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    // Each documented operation reaches its handler: the documented success status, with the
    // documented content type.
    for (method, path) in &documented {
        let concrete = path.replace("{tracking_number}", &tracking);
        let req = match method.as_str() {
            "POST" => post_json(&concrete, &complaint(true)),
            "GET" => Request::from_target(Method::Get, &concrete),
            other => panic!("undocumented method {other}"),
        };
        let resp = env.send(&req);
        let op = &doc["paths"][path][method.to_lowercase()];
        let success = op["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .find(|s| s.starts_with('2'))
            .expect("a success response");
        assert_eq!(
            resp.status.to_string(),
            *success,
            "{method} {path}: {}",
            resp.text()
        );
        let documented_type = op["responses"][success]["content"]
            .as_object()
            .and_then(|c| c.keys().next().cloned())
            .expect("a content type");
        assert!(
            resp.header("content-type")
                .unwrap_or_default()
                .starts_with(&documented_type),
            "{method} {path}: {:?}",
            resp.header("content-type")
        );
    }
    // And every route the API answers is documented: probe paths and methods around the
    // documented ones; anything but 404 (no such route) or 405 (no such method) must be a
    // documented operation, and a 405's Allow lists exactly the documented methods (+ HEAD).
    let probes = [
        "/api".to_owned(),
        "/api/v1".to_owned(),
        "/api/v1/cases".to_owned(),
        format!("/api/v1/cases/{tracking}"),
        format!("/api/v1/cases/{tracking}/replies"),
        "/api/v2/cases".to_owned(),
        "/api/openapi.json".to_owned(),
        "/api/openapi.yaml".to_owned(),
    ];
    let template = |p: &str| p.replace(&tracking, "{tracking_number}");
    for path in &probes {
        for method in [Method::Get, Method::Post, Method::Other] {
            let name = match method {
                Method::Get => "GET",
                Method::Post => "POST",
                Method::Other => "PUT",
            };
            let req = match method {
                Method::Post => post_json(path, &complaint(true)),
                m => Request::from_target(m, path),
            };
            let resp = env.send(&req);
            let is_documented = documented.contains(&(name.to_owned(), template(path)));
            match resp.status {
                404 => assert!(!is_documented, "{name} {path} is documented but not routed"),
                405 => {
                    assert!(!is_documented, "{name} {path}");
                    let mut allowed: Vec<String> = documented
                        .iter()
                        .filter(|(_, p)| *p == template(path))
                        .map(|(m, _)| m.clone())
                        .collect();
                    if allowed.iter().any(|m| m == "GET") {
                        allowed.push("HEAD".into());
                    }
                    let mut allow: Vec<String> = resp
                        .header("allow")
                        .unwrap_or_default()
                        .split(", ")
                        .map(str::to_owned)
                        .collect();
                    allowed.sort();
                    allow.sort();
                    assert_eq!(allow, allowed, "{name} {path}");
                }
                status => assert!(
                    is_documented,
                    "{name} {path} answers {status} but is not documented"
                ),
            }
        }
    }
    // The documented categories are exactly the domain's.
    let enumerated = doc["components"]["schemas"]["NewCase"]["properties"]["category"]["enum"]
        .as_array()
        .expect("enum")
        .len();
    assert_eq!(enumerated, minyi::case::Category::ALL.len());
}

//! The ops entry and the deployment's rules on native adapters, through the same serve path
//! and units the Workers use (staff for `/ops/`, public for the site): the rulebook changes deadlines from the next registration
//! on (old cases keep theirs and say which rules set them), the form offers what the rulebook
//! offers, migrations report their state, the sweep does its work once, and nothing under
//! `/ops/` answers without the secret.

use jiff::civil::Date;
use minyi::calendar::{BEIJING, Timestamp};
use minyi::store::{Statement, Store};
use minyi_tests::{NativeEnv, OPS_SECRET};
use minyi_web::{Method, Request, Response};
use serde_json::{Value, json};

/// Friday 2026-11-20, 10:00 in Shanghai.
fn friday() -> Timestamp {
    BEIJING
        .to_timestamp(Date::constant(2026, 11, 20).at(10, 0, 0, 0))
        .expect("local")
}

fn ops(method: Method, path: &str) -> Request {
    Request::from_target(method, path).with_header("authorization", &format!("Bearer {OPS_SECRET}"))
}

fn json_of(r: &Response) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

fn submit(env: &NativeEnv, category: &str) -> Response {
    env.send(
        &Request::from_target(Method::Post, "/api/v1/cases")
            .with_header("content-type", "application/json")
            .with_body(
                json!({"category": category, "title": "咨询社保转移", "body": "请问跨省社保转移怎么办理？",
                       "publish": true, "consent": true})
                .to_string(),
            ),
    )
}

fn save_rulebook(env: &NativeEnv, document: &Value) -> Response {
    env.send_desk(&ops(Method::Post, "/ops/rulebook").with_body(document.to_string()))
}

fn rulebook_version(env: &NativeEnv, tracking: &str) -> i64 {
    let rows = pollster::block_on(
        env.store.query(
            Statement::new("SELECT rulebook_version AS v FROM \"case\" WHERE tracking_no = ?")
                .bind(tracking.replace('-', "")),
        ),
    )
    .expect("query");
    rows[0].get("v").expect("v")
}

#[test]
fn a_new_limit_applies_from_the_next_registration_and_old_cases_keep_theirs() {
    let env = NativeEnv::new(friday());
    // Consultation: 2 working days by the built-in preset (002). Friday 10:00 → Tuesday 24:00.
    let before = json_of(&submit(&env, "consultation"));
    assert_eq!(before["due_at"], "2026-11-24T16:00:00Z", "{before}");

    let saved = save_rulebook(
        &env,
        &json!({"note": "咨询类改为5个工作日",
                "policy": {"categories": [{"category": "consultation", "working_days": 5}]}}),
    );
    assert_eq!(saved.status, 201, "{}", saved.text());
    assert_eq!(json_of(&saved)["version"], 1);

    let after = json_of(&submit(&env, "consultation"));
    // 5 working days from Friday: Mon–Fri of the next week, ending Friday 24:00.
    assert_eq!(after["due_at"], "2026-11-27T16:00:00Z", "{after}");

    // The first case keeps its deadline, and each case names the rules that set it.
    let first = before["tracking_number"].as_str().expect("tracking");
    let page = json_of(&env.send(&Request::from_target(
        Method::Get,
        &format!("/api/v1/cases/{first}"),
    )));
    assert_eq!(page["due_at"], "2026-11-24T16:00:00Z", "{page}");
    assert_eq!(rulebook_version(&env, first), 0);
    assert_eq!(
        rulebook_version(&env, after["tracking_number"].as_str().expect("t")),
        1
    );

    // The rulebook in force reads back, complete, with its version.
    let in_force = json_of(&env.send_desk(&ops(Method::Get, "/ops/rulebook")));
    assert_eq!(in_force["version"], 1);
    assert_eq!(
        in_force["document"]["policy"]["categories"][0]["working_days"],
        5
    );
    assert_eq!(
        in_force["document"]["policy"]["complex_working_days"], 15,
        "defaults spelled out"
    );
}

#[test]
fn a_bad_rulebook_names_its_field_and_changes_nothing() {
    let env = NativeEnv::new(friday());
    let refused = save_rulebook(
        &env,
        &json!({"policy": {"categories": [{"category": "consultation", "working_days": 0}]}}),
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    let problem = json_of(&refused);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("policy.categories[0].working_days")),
        "{problem}"
    );
    let in_force = json_of(&env.send_desk(&ops(Method::Get, "/ops/rulebook")));
    assert_eq!(in_force["version"], 0, "still the built-in preset");
    let due = json_of(&submit(&env, "consultation"));
    assert_eq!(due["due_at"], "2026-11-24T16:00:00Z");
}

#[test]
fn the_form_and_the_apis_offer_what_the_rulebook_offers() {
    let env = NativeEnv::new(friday());
    let form = env
        .send(&Request::from_target(Method::Get, "/submit"))
        .text();
    assert!(form.contains(r#"value="petition""#));
    let saved = save_rulebook(
        &env,
        &json!({"form_categories": ["complaint", "consultation"]}),
    );
    assert_eq!(saved.status, 201, "{}", saved.text());

    let form = env
        .send(&Request::from_target(Method::Get, "/submit"))
        .text();
    assert!(form.contains(r#"value="complaint""#) && form.contains(r#"value="consultation""#));
    assert!(!form.contains(r#"value="petition""#), "no longer offered");

    let refused = submit(&env, "petition");
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(json_of(&refused)["field"], "category");
    assert_eq!(submit(&env, "complaint").status, 201);

    let services = json_of(&env.send(&Request::from_target(
        Method::Get,
        "/open311/v2/services.json",
    )));
    let codes: Vec<&str> = services
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["service_code"].as_str())
        .collect();
    assert_eq!(codes, ["complaint", "consultation"]);
}

#[test]
fn departments_named_by_a_rulebook_replace_the_list_and_old_ones_retire() {
    let env = NativeEnv::new(friday());
    let saved = save_rulebook(
        &env,
        &json!({"departments": [
            {"code": "water", "name_zh": "市水务集团", "name_en": "Water Group"},
            {"code": "edu", "name_zh": "市教育局", "name_en": "Education Bureau"}]}),
    );
    assert_eq!(saved.status, 201, "{}", saved.text());
    let rows = pollster::block_on(env.store.query(Statement::new(
        "SELECT code, name_zh, active FROM department ORDER BY code",
    )))
    .expect("departments");
    let got: Vec<(String, String, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.get("code").expect("c"),
                r.get("name_zh").expect("n"),
                r.get("active").expect("a"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("edu".into(), "市教育局".into(), 1),
            ("urban".into(), "市城管局".into(), 0),
            ("water".into(), "市水务集团".into(), 1),
        ]
    );
}

#[test]
fn nothing_under_ops_answers_without_the_secret() {
    let env = NativeEnv::new(friday());
    for (method, path) in [
        (Method::Get, "/ops/migrations"),
        (Method::Post, "/ops/migrations"),
        (Method::Get, "/ops/rulebook"),
        (Method::Post, "/ops/rulebook"),
        (Method::Post, "/ops/sweep"),
        (Method::Get, "/ops/nothing"),
    ] {
        let bare = env.send_desk(&Request::from_target(method, path));
        assert_eq!(bare.status, 401, "{path}");
        assert!(
            bare.header("www-authenticate")
                .is_some_and(|h| h.starts_with("Bearer"))
        );
        let wrong = env.send_desk(
            &Request::from_target(method, path)
                .with_header("authorization", "Bearer not-the-secret"),
        );
        assert_eq!(wrong.status, 401, "{path}");
    }
    let mut off = NativeEnv::new(friday());
    off.config.ops_secret = None;
    assert_eq!(
        off.send_desk(&ops(Method::Get, "/ops/migrations")).status,
        404,
        "no secret, no entry"
    );
}

#[test]
fn migrations_report_what_is_applied_and_applying_twice_does_nothing() {
    let env = NativeEnv::new(friday());
    let status = json_of(&env.send_desk(&ops(Method::Get, "/ops/migrations")));
    let names: Vec<&str> = minyi::store::MIGRATIONS.iter().map(|(n, _)| *n).collect();
    assert_eq!(status["applied"], json!(names));
    assert_eq!(status["pending"], json!([]));
    let again = json_of(&env.send_desk(&ops(Method::Post, "/ops/migrations")));
    assert_eq!(again["applied_now"], json!([]));
    let unknown = env.send_desk(&ops(
        Method::Post,
        "/ops/migrations?through=9999_nothing.sql",
    ));
    assert_eq!(unknown.status, 400);
}

#[test]
fn the_sweep_does_its_work_once() {
    let env = NativeEnv::new(friday());
    for _ in 0..3 {
        assert_eq!(submit(&env, "complaint").status, 201);
    }
    // Nothing is due yet.
    let early = json_of(&env.send_desk(&ops(Method::Post, "/ops/sweep")));
    assert_eq!(early["first_responses_late"], 0, "{early}");
    // A week later every first response (3 working hours) is overdue, and the
    // idempotency-free submissions left budget windows that have ended.
    env.host
        .set(friday() + jiff::SignedDuration::from_hours(24 * 7));
    let first = json_of(&env.send_desk(&ops(Method::Post, "/ops/sweep")));
    assert_eq!(first["first_responses_late"], 3, "{first}");
    assert_eq!(
        first["ended_budgets"], 1,
        "the one client's window: {first}"
    );
    assert_eq!(first["more"], false);
    let second = json_of(&env.send_desk(&ops(Method::Post, "/ops/sweep")));
    assert_eq!(second["first_responses_late"], 0, "{second}");
    assert_eq!(second["ended_budgets"], 0, "{second}");
    let late = pollster::block_on(env.store.query(Statement::new(
        "SELECT count(*) AS n FROM case_event WHERE kind = 'first_response_late'",
    )))
    .expect("count");
    assert_eq!(late[0].get::<i64>("n").expect("n"), 3);
    assert_eq!(env.send_desk(&ops(Method::Get, "/ops/sweep")).status, 405);
}

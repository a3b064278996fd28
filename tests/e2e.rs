//! The end-to-end suite: the running platform driven over HTTP on loopback, exactly as a
//! browser, an app or an Open311 client would. The same suite runs against every runtime
//! (workerd via wrangler today; the Spin components later): point `MINYI_E2E_URL` at it.
//!
//! `./scripts/worker-test` starts a Worker on a free 127.0.0.1 port, runs this suite with
//! `--ignored --test-threads=1`, and stops it. The tests are ignored in a plain `cargo test`
//! because they need that server. Budgets the suite relies on are set by the script:
//! `MINYI_E2E_SUBMIT_BUDGET` submissions per client per hour.

use minyi_tests::http_client::{HttpResponse, send};
use serde_json::{Value, json};

const NEEDS_SERVER: &str = "needs a running server: ./scripts/worker-test runs it";

fn base() -> String {
    std::env::var("MINYI_E2E_URL").unwrap_or_else(|_| panic!("{NEEDS_SERVER} (MINYI_E2E_URL)"))
}

fn get(target: &str) -> HttpResponse {
    send(&base(), "GET", target, &[], b"")
}

fn get_with(target: &str, headers: &[(&str, &str)]) -> HttpResponse {
    send(&base(), "GET", target, headers, b"")
}

fn post_json(target: &str, body: &Value, headers: &[(&str, &str)]) -> HttpResponse {
    let mut h = vec![("Content-Type", "application/json")];
    h.extend_from_slice(headers);
    send(&base(), "POST", target, &h, body.to_string().as_bytes())
}

fn post_form(target: &str, fields: &[(&str, &str)]) -> HttpResponse {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    send(
        &base(),
        "POST",
        target,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn case(publish: bool) -> Value {
    json!({
        "category": "help",
        "title": "小区停水三天",
        "body": "和平路12号小区连续三天停水，无人通知。",
        "name": "王五",
        "phone": "13700137000",
        "publish": publish,
        "consent": true,
        "lat": 32.19,
        "long": 119.42,
    })
}

/// The value of a hidden form field in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn a_submitted_case_reads_back_through_api_page_and_open311() {
    let created = post_json("/api/v1/cases", &case(true), &[]);
    assert_eq!(created.status, 201, "{}", created.text());
    let c = created.json();
    let tracking = c["tracking_number"].as_str().expect("tracking").to_owned();
    let compact = tracking.replace('-', "");
    let read = get(&format!("/api/v1/cases/{tracking}"));
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["due_at"], c["due_at"]);
    let page = get(&format!("/cases/{compact}"));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("小区停水三天"));
    let open311 = get(&format!("/open311/v2/requests/{compact}.json"));
    assert_eq!(open311.status, 200, "{}", open311.text());
    let request = &open311.json()[0];
    assert_eq!(request["service_code"], "help");
    assert_eq!(
        request["expected_datetime"].as_str().map(|s| s.is_empty()),
        Some(false)
    );
    for r in [read.text(), page.text(), open311.text()] {
        assert!(
            !r.contains("王五") && !r.contains("13700137000"),
            "personal data leaked"
        );
    }
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn the_web_form_registers_once_even_when_posted_twice() {
    let form = get("/submit");
    assert_eq!(form.status, 200);
    let token = hidden(&form.text(), "idempotency_key");
    let fields = [
        ("category", "suggestion"),
        ("title", "建议增设公交站"),
        ("body", "建议在新城路口增设公交站。"),
        ("publish", "yes"),
        ("consent", "yes"),
        ("idempotency_key", token.as_str()),
        ("website", ""),
    ];
    let first = post_form("/submit", &fields);
    assert_eq!(first.status, 200, "{}", first.text());
    let second = post_form("/submit", &fields);
    assert_eq!(second.status, 200);
    let tracking = |page: &str| {
        let i = page.find("id=\"tracking\"").expect("tracking number shown");
        page[i..]
            .split('>')
            .nth(1)
            .unwrap_or_default()
            .split('<')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(tracking(&first.text()), tracking(&second.text()));
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn a_private_case_needs_its_query_code() {
    let c = post_json("/api/v1/cases", &case(false), &[]).json();
    let tracking = c["tracking_number"].as_str().expect("tracking");
    let code = c["query_code"].as_str().expect("private cases get a code");
    let path = format!("/api/v1/cases/{tracking}");
    assert_eq!(get(&path).status, 403);
    assert_eq!(
        get_with(&path, &[("X-Query-Code", "0000-0000")]).status,
        403
    );
    assert_eq!(get_with(&path, &[("X-Query-Code", code)]).status, 200);
    let open311 = get(&format!(
        "/open311/v2/requests/{}.json",
        tracking.replace('-', "")
    ));
    assert_eq!(open311.status, 404, "private cases never appear in Open311");
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let mut bad = case(true);
    bad["title"] = json!("");
    let r = post_json("/api/v1/cases", &bad, &[]);
    assert_eq!(r.status, 400);
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("application/problem+json")
    );
    assert_eq!(r.json()["field"], "title");
    let huge = vec![b'x'; 70 * 1024];
    let r = send(
        &base(),
        "POST",
        "/api/v1/cases",
        &[("Content-Type", "application/json")],
        &huge,
    );
    assert_eq!(r.status, 413);
    assert_eq!(
        get("/api/v1/cases/K7Q-H3X-PDX").status,
        400,
        "a typo is caught by the check character"
    );
    assert_eq!(get("/no/such/page").status, 404);
    let page = get("/no/such/page?lang=en");
    assert!(page.text().contains("Not found"));
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn open311_services_and_keyed_posts() {
    let services = get("/open311/v2/services.json");
    assert_eq!(services.status, 200);
    assert!(services.json().as_array().is_some_and(|s| !s.is_empty()));
    let xml = get("/open311/v2/services.xml");
    assert!(xml.text().contains("<services>"));
    let no_key = post_form(
        "/open311/v2/requests.json",
        &[("service_code", "complaint"), ("description", "路面坑洼")],
    );
    assert_eq!(no_key.status, 403);
    if let Ok(key) = std::env::var("MINYI_E2E_API_KEY") {
        let ok = post_form(
            "/open311/v2/requests.json",
            &[
                ("api_key", key.as_str()),
                ("service_code", "complaint"),
                ("description", "解放路路面坑洼，雨天积水。"),
            ],
        );
        assert_eq!(ok.status, 201, "{}", ok.text());
        let id = ok.json()[0]["service_request_id"]
            .as_str()
            .expect("id")
            .replace('-', "");
        assert_eq!(get(&format!("/open311/v2/requests/{id}.json")).status, 200);
    }
}

/// Runs last (tests run in name order with one thread): it spends the client's budget.
#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn zz_a_client_over_its_budget_is_told_when_to_come_back() {
    let budget: usize = std::env::var("MINYI_E2E_SUBMIT_BUDGET")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("{NEEDS_SERVER} (MINYI_E2E_SUBMIT_BUDGET)"));
    let limited = (0..=budget)
        .map(|_| post_json("/api/v1/cases", &case(true), &[]))
        .find(|r| r.status == 429)
        .expect("the budget runs out");
    assert!(limited.header("retry-after").is_some());
}

//! The end-to-end suite: the running platform driven over HTTP on loopback, exactly as a
//! browser, an app or an Open311 client would. The same suite runs against every runtime
//! (workerd via wrangler today; the Spin components later): point `MINYI_E2E_URL` at it.
//!
//! `./scripts/worker-test` starts a Worker on a free 127.0.0.1 port, runs this suite with
//! `--ignored --test-threads=1`, and stops it. The tests are ignored in a plain `cargo test`
//! because they need that server. What the suite relies on is set by the script:
//! `MINYI_E2E_SUBMIT_BUDGET` submissions per client per hour, `MINYI_E2E_API_KEY` an Open311
//! key the server knows, and a server that takes the client's address from `X-Real-IP`
//! (`MINYI_CLIENT_IP_HEADER=X-Real-IP`), so a test can be a client of its own.

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
    post_form_with(target, fields, &[])
}

fn post_form_with(target: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> HttpResponse {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
    h.extend_from_slice(headers);
    send(&base(), "POST", target, &h, body.as_bytes())
}

/// A client address of its own for one test (the server trusts `X-Real-IP` in the suite).
fn client(n: u8) -> (&'static str, String) {
    let run = std::process::id() % 250;
    ("X-Real-IP", format!("198.51.{run}.{n}"))
}

fn api_key() -> String {
    std::env::var("MINYI_E2E_API_KEY")
        .unwrap_or_else(|_| panic!("{NEEDS_SERVER} (MINYI_E2E_API_KEY)"))
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
        404,
        "a typo is caught by the check character: no such case"
    );
    assert_eq!(
        get("/api/v1/cases/K7Q-H3X").status,
        400,
        "not a tracking number"
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
    let key = api_key();
    let ok = post_form(
        "/open311/v2/requests.json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "complaint"),
            ("description", "解放路路面坑洼，雨天积水。"),
            ("attribute[publish]", "yes"),
        ],
    );
    assert_eq!(ok.status, 201, "{}", ok.text());
    let id = ok.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .replace('-', "");
    assert_eq!(get(&format!("/open311/v2/requests/{id}.json")).status, 200);
    // Without an explicit publish attribute: registered, and private.
    let private = post_form(
        "/open311/v2/requests.json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "complaint"),
            ("description", "我家楼下的井盖丢了。"),
        ],
    );
    assert_eq!(private.status, 201, "{}", private.text());
    let id = private.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .replace('-', "");
    assert_eq!(get(&format!("/open311/v2/requests/{id}.json")).status, 404);
    // The specification's limit: description at most 4,000 characters.
    let long = "长".repeat(4001);
    let too_long = post_form(
        "/open311/v2/requests.json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "complaint"),
            ("description", long.as_str()),
        ],
    );
    assert_eq!(too_long.status, 400, "{}", too_long.text());
}

/// A client of its own (by `X-Real-IP`) gets exactly its budget: every request within it
/// succeeds, the one over it is refused and told when to come back, and another client is
/// unaffected.
#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn a_client_over_its_budget_is_told_when_to_come_back() {
    let budget: usize = std::env::var("MINYI_E2E_SUBMIT_BUDGET")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("{NEEDS_SERVER} (MINYI_E2E_SUBMIT_BUDGET)"));
    let (header, address) = client(1);
    let statuses: Vec<u16> = (0..=budget)
        .map(|_| post_json("/api/v1/cases", &case(true), &[(header, address.as_str())]).status)
        .collect();
    let mut expected = vec![201; budget];
    expected.push(429);
    assert_eq!(statuses, expected);
    let again = post_json("/api/v1/cases", &case(true), &[(header, address.as_str())]);
    assert!(again.header("retry-after").is_some());
    let (header, other) = client(2);
    assert_eq!(
        post_json("/api/v1/cases", &case(true), &[(header, other.as_str())]).status,
        201
    );
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn an_idempotency_key_is_the_clients_own_and_bound_to_its_request() {
    let (header, address) = client(3);
    let key = format!("e2e-retry-{}-0123456789", std::process::id());
    let headers = [
        (header, address.as_str()),
        ("Idempotency-Key", key.as_str()),
    ];
    let first = post_json("/api/v1/cases", &case(false), &headers);
    assert_eq!(first.status, 201, "{}", first.text());
    let replay = post_json("/api/v1/cases", &case(false), &headers);
    assert_eq!(replay.status, 201);
    assert_eq!(
        replay.json()["tracking_number"],
        first.json()["tracking_number"]
    );
    assert_eq!(replay.json()["query_code"], first.json()["query_code"]);
    let mut other = case(false);
    other["title"] = json!("另一件事");
    let reused = post_json("/api/v1/cases", &other, &headers);
    assert_eq!(reused.status, 422, "{}", reused.text());
    let tracking = first.json()["tracking_number"]
        .as_str()
        .expect("t")
        .to_owned();
    let code = first.json()["query_code"]
        .as_str()
        .expect("code")
        .to_owned();
    assert!(!reused.text().contains(&tracking) && !reused.text().contains(&code));
    // Another client with the same key: its own case, never the first one's code.
    let (header, elsewhere) = client(4);
    let theirs = post_json(
        "/api/v1/cases",
        &case(false),
        &[
            (header, elsewhere.as_str()),
            ("Idempotency-Key", key.as_str()),
        ],
    );
    assert_eq!(theirs.status, 201);
    assert_ne!(
        theirs.json()["tracking_number"],
        first.json()["tracking_number"]
    );
    assert_ne!(theirs.json()["query_code"], first.json()["query_code"]);
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn the_form_sent_again_never_shows_the_query_code_again() {
    let token = hidden(&get("/submit").text(), "idempotency_key");
    let fields = [
        ("category", "help"),
        ("title", "低保申请进度"),
        ("body", "我上月提交的低保申请至今没有消息。"),
        ("publish", "no"),
        ("consent", "yes"),
        ("idempotency_key", token.as_str()),
        ("website", ""),
    ];
    let first = post_form("/submit", &fields);
    assert_eq!(first.status, 200, "{}", first.text());
    assert!(first.text().contains("id=\"query-code\""));
    let second = post_form("/submit", &fields);
    assert_eq!(second.status, 200);
    assert!(
        !second.text().contains("id=\"query-code\""),
        "{}",
        second.text()
    );
    let forged = [("idempotency_key", "0123456789abcdef0123456789abcdef")];
    let mut fields = fields.to_vec();
    fields.retain(|(k, _)| *k != "idempotency_key");
    fields.extend_from_slice(&forged);
    assert_eq!(
        post_form("/submit", &fields).status,
        400,
        "a token not issued here"
    );
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn the_public_surface_holds_its_edges() {
    // HSTS on every answer; a cross-site POST is forbidden; a bad method names the good ones.
    assert!(get("/").header("strict-transport-security").is_some());
    let cross = post_json(
        "/api/v1/cases",
        &case(true),
        &[("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(cross.status, 403);
    let cross_form = post_form_with(
        "/submit",
        &[("title", "x")],
        &[("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(cross_form.status, 403);
    let honeypot = post_form("/submit", &[("website", "http://spam.example")]);
    assert_eq!(honeypot.status, 403, "{}", honeypot.text());
    let delete = send(&base(), "DELETE", "/api/v1/cases", &[], b"");
    assert_eq!(delete.status, 405);
    assert_eq!(delete.header("allow"), Some("GET, HEAD, POST"));
    // A method the runtime's SDK does not know is not read as GET.
    let query = send(&base(), "QUERY", "/api/openapi.json", &[], b"");
    assert_eq!(query.status, 405);
    // `//host` never becomes a link to another host.
    let page = get("//evil.example/cases?lang=en").text();
    assert!(!page.contains("href=\"//"), "{page}");
    // Inputs the store would refuse are refused by the parser, naming the field.
    let mut long_phone = case(true);
    long_phone["phone"] = json!(format!("+{}", "1".repeat(20)));
    let r = post_json("/api/v1/cases", &long_phone, &[]);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], "phone");
    let mut wrong_type = case(true);
    wrong_type["title"] = json!(12);
    let r = post_json("/api/v1/cases", &wrong_type, &[]);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("string")
    );
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn published_text_masks_numbers_and_coarsens_the_location() {
    let mut c = case(true);
    c["body"] = json!("请联系我13912345678，身份证11010519491231002X。");
    c["lat"] = json!(32.194561);
    c["long"] = json!(119.421234);
    c["address"] = json!("和平路12号3栋");
    let created = post_json("/api/v1/cases", &c, &[]);
    assert_eq!(created.status, 201, "{}", created.text());
    let tracking = created.json()["tracking_number"]
        .as_str()
        .expect("t")
        .to_owned();
    let api = get(&format!("/api/v1/cases/{tracking}"));
    let page = get(&format!("/cases/{}", tracking.replace('-', "")));
    let open311 = get(&format!(
        "/open311/v2/requests/{}.json",
        tracking.replace('-', "")
    ));
    for r in [&api, &page, &open311] {
        let text = r.text();
        for secret in [
            "13912345678",
            "11010519491231002X",
            "32.194561",
            "119.421234",
            "和平路12号",
        ] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
    }
    assert_eq!(api.json()["location"]["lat"], 32.195);
}

#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn search_finds_two_character_words() {
    let mut c = case(true);
    c["title"] = json!("井盖缺失");
    c["body"] = json!("光明路口的井盖丢失多日，行人容易跌落。");
    assert_eq!(post_json("/api/v1/cases", &c, &[]).status, 201);
    // The list shows answered cases only; the search itself must not fail.
    let r = get("/api/v1/cases?q=%E4%BA%95%E7%9B%96");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = get("/api/v1/cases?q=%E4%BA%95");
    assert_eq!(r.status, 400, "one character is below the floor");
}

/// The public reads any reader gets the same carry a shared cache's headers and a validator,
/// and answer a matching `If-None-Match` with 304; the language is in the URL (no cookie), so
/// each language is its own copy.
#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn public_reads_are_cacheable_and_revalidate_with_304() {
    for target in [
        "/cases",
        "/cases?lang=en",
        "/api/v1/cases",
        "/open311/v2/services.json",
    ] {
        let r = get(target);
        assert_eq!(r.status, 200, "{target}");
        let control = r.header("cache-control").unwrap_or_default();
        assert!(
            control.starts_with("public") && control.contains("s-maxage="),
            "{target}: {control}"
        );
        assert_eq!(r.header("set-cookie"), None, "{target}");
        let etag = r.header("etag").expect("etag").to_owned();
        let fresh = get_with(target, &[("If-None-Match", &etag)]);
        assert_eq!(fresh.status, 304, "{target}");
        assert!(fresh.body.is_empty());
        assert_eq!(fresh.header("etag"), Some(etag.as_str()));
        let changed = get_with(target, &[("If-None-Match", "\"not-this-one\"")]);
        assert_eq!(changed.status, 200, "{target}");
    }
    assert_ne!(
        get("/cases").header("etag"),
        get("/cases?lang=en").header("etag"),
        "one copy per language"
    );
}

/// Nothing private is ever kept by a shared cache: a private case read with its code, the
/// tracking form's answer, the form with its token, a search. A client that reads a private
/// case with its code, then another without it, gets nothing.
#[test]
#[ignore = "needs a running server: ./scripts/worker-test runs it"]
fn private_reads_are_never_cached() {
    let c = post_json("/api/v1/cases", &case(false), &[]).json();
    let tracking = c["tracking_number"].as_str().expect("tracking").to_owned();
    let code = c["query_code"].as_str().expect("code").to_owned();
    let compact = tracking.replace('-', "");
    let api = format!("/api/v1/cases/{tracking}");
    let ((header, mine_at), (_, theirs_at)) = (client(5), client(6));
    let mine = get_with(&api, &[("X-Query-Code", &code), (header, &mine_at)]);
    assert_eq!(mine.status, 200);
    assert!(mine.text().contains("小区停水三天"));
    assert_eq!(mine.header("cache-control"), Some("no-store"));
    assert_eq!(mine.header("etag"), None);
    let tracked = post_form_with(
        "/track",
        &[("tracking", compact.as_str()), ("code", code.as_str())],
        &[(header, &mine_at)],
    );
    assert_eq!(tracked.status, 200, "{}", tracked.text());
    assert!(tracked.text().contains("小区停水三天"));
    assert_eq!(tracked.header("cache-control"), Some("no-store"));
    // Another client, without the code, twice (a cache would answer the second).
    for _ in 0..2 {
        for target in [api.clone(), format!("/cases/{compact}")] {
            let theirs = get_with(&target, &[(header, &theirs_at)]);
            assert_eq!(theirs.status, 403, "{target}");
            assert!(!theirs.text().contains("小区停水三天"), "{target}");
            assert_eq!(theirs.header("cache-control"), Some("no-store"));
        }
    }
    for target in ["/submit", "/cases?q=%E5%81%9C%E6%B0%B4"] {
        let r = get(target);
        assert_eq!(r.status, 200, "{target}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{target}");
    }
}

//! Open311 GeoReport v2 on the composed site, request by request: every JSON answer is checked
//! against the official schemas, every XML answer is parsed.

use jiff::civil::Date;
use minyi::app::keys;
use minyi::calendar::{BEIJING, Timestamp};
use minyi::store::{Statement, Store};
use minyi_tests::NativeEnv;
use minyi_web::{Method, Request, Response};
use serde_json::Value;
use std::path::Path;

fn at(date: Date, hour: i8) -> Timestamp {
    BEIJING.to_timestamp(date.at(hour, 0, 0, 0)).expect("local")
}

/// Friday 20 Nov 2026, 10:00 Beijing time.
fn friday() -> Timestamp {
    at(Date::constant(2026, 11, 20), 10)
}

/// An official schema with its `$ref`s to sibling files inlined. The schemas are vendored
/// unchanged from the project's shared `open311-schema` folder into tests/fixtures.
fn schema(name: &str) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/open311-schema");
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut value: Value = serde_json::from_str(&text).expect("schema json");
    inline(&mut value);
    value
}

fn inline(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(file)) = map.remove("$ref")
                && let Value::Object(target) = schema(&file)
            {
                for (k, v) in target {
                    map.entry(k).or_insert(v);
                }
            }
            map.values_mut().for_each(inline);
        }
        Value::Array(items) => items.iter_mut().for_each(inline),
        _ => {}
    }
}

fn assert_valid(schema_file: &str, instance: &Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema(schema_file))
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{schema_file}: {errors:?}\n{instance}");
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form(path: &str, fields: &[(&str, &str)]) -> Request {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Request::from_target(Method::Post, path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(body)
}

fn get(env: &NativeEnv, target: &str) -> Response {
    env.send(&Request::from_target(Method::Get, target))
}

fn json(r: &Response) -> Value {
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8"),
        "{}",
        r.text()
    );
    serde_json::from_slice(&r.body).expect("json body")
}

/// Parses an XML answer and returns the text of every element named `tag`.
fn xml_texts(r: &Response, tag: &str) -> Vec<String> {
    assert_eq!(
        r.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let text = r.text();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

fn key(env: &NativeEnv) -> String {
    pollster::block_on(keys::issue(&env.store, &env.host, "城市服务App")).expect("issue")
}

const DESCRIPTION: &str =
    "幸福小区旁工地每晚十一点后仍在施工，噪音很大，严重影响居民休息，请有关部门尽快处理。";

fn request_fields<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("api_key", key),
        ("service_code", "complaint"),
        ("description", DESCRIPTION),
        ("lat", "31.2304"),
        ("long", "121.4737"),
        ("address_string", "幸福路88号"),
    ];
    // Published only when asked for explicitly; most tests read their requests back.
    if !extra.iter().any(|(k, _)| *k == "attribute[publish]") {
        fields.push(("attribute[publish]", "yes"));
    }
    fields.extend_from_slice(extra);
    fields
}

/// Posts a request and returns its id.
fn create(env: &NativeEnv, key: &str, extra: &[(&str, &str)]) -> String {
    let r = env.send(&form(
        "/open311/v2/requests.json",
        &request_fields(key, extra),
    ));
    assert_eq!(r.status, 201, "{}", r.text());
    json(&r)[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn assert_error(r: &Response, status: u16) -> String {
    assert_eq!(r.status, status, "{}", r.text());
    let v = json(r);
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v[0]["code"], status);
    v[0]["description"]
        .as_str()
        .expect("description")
        .to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|r| r["service_request_id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn services_and_their_definitions_follow_the_schemas() {
    let env = NativeEnv::new(friday());
    let services = json(&get(&env, "/open311/v2/services.json"));
    assert_valid("services.json", &services);
    let codes: Vec<&str> = services
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["service_code"].as_str().expect("code"))
        .collect();
    assert_eq!(
        codes,
        [
            "consultation",
            "complaint",
            "suggestion",
            "help",
            "petition",
            "report",
            "legal"
        ]
    );
    let complaint = &services[1];
    assert_eq!(complaint["service_name"], "投诉 Complaint");
    assert_eq!(complaint["type"], "realtime");
    let description = complaint["description"].as_str().expect("description");
    assert!(description.contains("7 working days"), "{description}");
    assert!(
        services[0]["description"]
            .as_str()
            .expect("d")
            .contains("2 working days")
    );
    // No extension means JSON.
    assert_eq!(json(&get(&env, "/open311/v2/services")), services);

    let xml = get(&env, "/open311/v2/services.xml");
    assert_eq!(xml.status, 200);
    assert_eq!(xml_texts(&xml, "service_code"), codes);
    assert!(xml.text().contains("<services><service>"));

    let definition = json(&get(&env, "/open311/v2/services/complaint.json"));
    assert_valid("service-definition.json", &definition);
    assert_eq!(definition["attributes"][0]["code"], "publish");
    assert_eq!(definition["attributes"][0]["datatype"], "singlevaluelist");
    assert_eq!(definition["attributes"][0]["required"], false);
    assert_eq!(definition["attributes"][1]["code"], "show_address");
    let xml = get(&env, "/open311/v2/services/complaint.xml");
    assert_eq!(xml_texts(&xml, "key"), ["yes", "no", "yes", "no"]);
    assert!(xml.text().contains("<service_definition>"));

    assert_error(&get(&env, "/open311/v2/services/discipline.json"), 404);
    assert_error(&get(&env, "/open311/v2/services/nonsense.json"), 404);
    assert_error(&get(&env, "/open311/v2/services.csv"), 404);
}

#[test]
fn a_request_needs_a_live_api_key() {
    let env = NativeEnv::new(friday());
    let fields = request_fields("", &[]);
    let without: Vec<_> = fields.iter().copied().skip(1).collect();
    let r = env.send(&form("/open311/v2/requests.json", &without));
    assert_error(&r, 403);
    let r = env.send(&form("/open311/v2/requests.json", &fields));
    assert_error(&r, 403);
    let wrong = request_fields("0123456789abcdef0123456789abcdef", &[]);
    assert_error(&env.send(&form("/open311/v2/requests.json", &wrong)), 403);

    let live = key(&env);
    assert_eq!(live.len(), 64);
    assert!(pollster::block_on(keys::verify(&env.store, &live)).expect("verify"));
    create(&env, &live, &[]);
    assert!(pollster::block_on(keys::revoke(&env.store, &env.host, &live)).expect("revoke"));
    let revoked = env.send(&form(
        "/open311/v2/requests.xml",
        &request_fields(&live, &[]),
    ));
    assert_eq!(revoked.status, 403);
    assert_eq!(xml_texts(&revoked, "code"), ["403"]);
    assert!(revoked.text().contains("<errors><error>"));
    // Only the first request, made with the live key, was registered.
    assert_eq!(
        json(&get(&env, "/open311/v2/requests.json"))
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // Keys are stored only hashed.
    let rows = pollster::block_on(
        env.store
            .query(Statement::new("SELECT key_sha256 FROM api_key")),
    )
    .expect("rows");
    let stored: String = rows[0].get("key_sha256").expect("hash");
    assert_eq!(stored, keys::digest(&live));
    assert_ne!(stored, live);
}

#[test]
fn bad_fields_are_named_with_the_right_status() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let send = |fields: &[(&str, &str)]| env.send(&form("/open311/v2/requests.json", fields));

    let mut unknown = request_fields(&key, &[]);
    unknown[1] = ("service_code", "potholes");
    assert!(assert_error(&send(&unknown), 404).contains("potholes"));
    unknown[1] = ("service_code", "discipline");
    assert_error(&send(&unknown), 404);

    let missing: Vec<_> = request_fields(&key, &[])
        .into_iter()
        .filter(|(k, _)| *k != "description")
        .collect();
    assert!(assert_error(&send(&missing), 400).starts_with("description:"));
    let no_code: Vec<_> = request_fields(&key, &[])
        .into_iter()
        .filter(|(k, _)| *k != "service_code")
        .collect();
    assert!(assert_error(&send(&no_code), 400).starts_with("service_code:"));
    let bad_lat = request_fields(&key, &[("lat", "91")]);
    let mut bad_lat: Vec<_> = bad_lat.into_iter().filter(|(k, _)| *k != "lat").collect();
    bad_lat.push(("lat", "91"));
    assert!(assert_error(&send(&bad_lat), 400).starts_with("lat:"));
    let bad_publish = request_fields(&key, &[("attribute[publish]", "maybe")]);
    assert!(assert_error(&send(&bad_publish), 400).starts_with("attribute[publish]:"));
    let json_body = Request::from_target(Method::Post, "/open311/v2/requests.json")
        .with_header("content-type", "application/json")
        .with_body("{}");
    assert_error(&env.send(&json_body), 415);
    assert_eq!(
        json(&get(&env, "/open311/v2/requests.json")),
        Value::Array(vec![])
    );
}

#[test]
fn a_good_request_reads_back_with_its_deadline() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let r = env.send(&form(
        "/open311/v2/requests.json",
        &request_fields(&key, &[("attribute[show_address]", "yes")]),
    ));
    assert_eq!(r.status, 201, "{}", r.text());
    let created = json(&r);
    let id = created[0]["service_request_id"].as_str().expect("id");
    assert_eq!(id.len(), 11, "grouped tracking number: {id}");
    assert_eq!(id.matches('-').count(), 2);
    // Friday 20 Nov 2026 10:00, 7 working days → 24:00 on 1 Dec (Beijing).
    let notice = created[0]["service_notice"].as_str().expect("notice");
    assert!(notice.contains("2026-12-02 00:00"), "{notice}");
    assert!(notice.contains(id), "{notice}");
    assert!(created[0]["account_id"].is_null());

    let one = json(&get(&env, &format!("/open311/v2/requests/{id}.json")));
    assert_valid("requests.json", &one);
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    let request = &one[0];
    assert_valid("request.json", request);
    assert_eq!(request["service_request_id"], id);
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "complaint");
    assert_eq!(request["service_name"], "投诉 Complaint");
    assert_eq!(request["description"], DESCRIPTION);
    assert_eq!(
        request["address"], "幸福路88号",
        "shown: the client asked for it"
    );
    // Coarsened to about 100 m on every public surface.
    assert_eq!(request["lat"], 31.23);
    assert_eq!(request["long"], 121.474);
    assert!(
        request["agency_responsible"].is_null(),
        "not dispatched yet"
    );
    let expected: Timestamp = request["expected_datetime"]
        .as_str()
        .expect("expected")
        .parse()
        .expect("datetime");
    assert_eq!(expected.to_string(), "2026-12-01T16:00:00Z");
    let requested: Timestamp = request["requested_datetime"]
        .as_str()
        .expect("requested")
        .parse()
        .expect("datetime");
    assert_eq!(requested, friday());

    // The title is the description's first 30 characters; the channel is Open311.
    let api = json(&get(&env, &format!("/api/v1/cases/{id}")));
    let title: String = DESCRIPTION.chars().take(30).collect();
    assert_eq!(api["title"], title.as_str());
    assert_eq!(api["channel"], "open311");

    // The same by the undecorated id, and as XML.
    let plain = id.replace('-', "");
    let again = json(&get(&env, &format!("/open311/v2/requests/{plain}.json")));
    assert_eq!(again, one);
    let xml = get(&env, &format!("/open311/v2/requests/{id}.xml"));
    assert_eq!(xml_texts(&xml, "service_request_id"), [id]);
    assert!(xml.text().contains("<service_requests><request>"));

    // An XML POST answers in XML.
    let r = env.send(&form(
        "/open311/v2/requests.xml",
        &request_fields(&key, &[]),
    ));
    assert_eq!(r.status, 201);
    assert_eq!(xml_texts(&r, "service_request_id").len(), 1);

    assert_error(&get(&env, "/open311/v2/requests/K7Q-H3X-PD0.json"), 404);
}

#[test]
fn a_request_without_an_explicit_publish_attribute_is_private() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let fields: Vec<_> = request_fields(&key, &[])
        .into_iter()
        .filter(|(k, _)| *k != "attribute[publish]")
        .collect();
    let r = env.send(&form("/open311/v2/requests.json", &fields));
    assert_eq!(r.status, 201, "{}", r.text());
    let id = json(&r)[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_error(&get(&env, &format!("/open311/v2/requests/{id}.json")), 404);
    assert!(ids(&json(&get(&env, "/open311/v2/requests.json"))).is_empty());
}

#[test]
fn the_specification_limits_hold() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let send = |fields: &[(&str, &str)]| env.send(&form("/open311/v2/requests.json", fields));
    let longest = "长".repeat(4000);
    let too_long = "长".repeat(4001);
    let with = |description: &str| {
        let mut fields: Vec<_> = request_fields(&key, &[])
            .into_iter()
            .filter(|(k, _)| *k != "description")
            .collect();
        fields.push(("description", description));
        send(&fields)
    };
    assert_eq!(with(&longest).status, 201);
    assert!(assert_error(&with(&too_long), 400).starts_with("description:"));
    let lat_only: Vec<_> = request_fields(&key, &[])
        .into_iter()
        .filter(|(k, _)| *k != "long")
        .collect();
    assert!(assert_error(&send(&lat_only), 400).starts_with("long:"));
}

#[test]
fn private_requests_never_appear() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let public = create(&env, &key, &[]);
    let private = create(&env, &key, &[("attribute[publish]", "no")]);
    let list = json(&get(&env, "/open311/v2/requests.json"));
    assert_valid("requests.json", &list);
    assert_eq!(ids(&list), [public.as_str()]);
    let by_ids = json(&get(
        &env,
        &format!("/open311/v2/requests.json?service_request_id={public},{private}"),
    ));
    assert_eq!(ids(&by_ids), [public.as_str()]);
    assert_error(
        &get(&env, &format!("/open311/v2/requests/{private}.json")),
        404,
    );
    let xml = get(&env, &format!("/open311/v2/requests/{private}.xml"));
    assert_eq!(xml.status, 404);
    assert_eq!(xml_texts(&xml, "code"), ["404"]);
    let xml_list = get(&env, "/open311/v2/requests.xml");
    assert_eq!(xml_texts(&xml_list, "service_request_id"), [public]);
}

#[test]
fn no_personal_data_leaves_through_open311() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let personal = [
        ("first_name", "王"),
        ("last_name", "小明"),
        ("phone", "13900139000"),
        ("email", "wang.xiaoming@example.cn"),
    ];
    let post = env.send(&form(
        "/open311/v2/requests.json",
        &request_fields(&key, &personal),
    ));
    assert_eq!(post.status, 201);
    let id = json(&post)[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let answers = [
        post,
        get(&env, "/open311/v2/requests.json"),
        get(&env, "/open311/v2/requests.xml"),
        get(&env, &format!("/open311/v2/requests/{id}.json")),
        get(&env, &format!("/open311/v2/requests/{id}.xml")),
        get(
            &env,
            &format!("/open311/v2/requests.json?service_request_id={id}"),
        ),
    ];
    for r in &answers {
        let text = r.text();
        assert!(text.contains(&id), "{text}");
        for needle in [
            "小明",
            "13900139000",
            "wang.xiaoming",
            "example.cn",
            key.as_str(),
        ] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }
    // The contact was kept, apart, for the city's own use.
    let rows = pollster::block_on(
        env.store
            .query(Statement::new("SELECT name, phone FROM case_contact")),
    )
    .expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<String>("name").expect("name"), "王 小明");
}

#[test]
fn status_filter_and_date_window_select_requests() {
    let env = NativeEnv::new(at(Date::constant(2026, 6, 1), 10));
    let key = key(&env);
    let old = create(&env, &key, &[]);
    env.host.set(friday());
    let open = create(&env, &key, &[]);
    let closed = create(&env, &key, &[]);
    pollster::block_on(
        env.store.execute(
            Statement::new("UPDATE \"case\" SET status = 'closed' WHERE tracking_no = ?")
                .bind(closed.replace('-', "")),
        ),
    )
    .expect("close");

    // Default window: the last 90 days, newest first.
    let all = json(&get(&env, "/open311/v2/requests.json"));
    assert_valid("requests.json", &all);
    assert_eq!(ids(&all), [closed.as_str(), open.as_str()]);
    let only_open = json(&get(&env, "/open311/v2/requests.json?status=open"));
    assert_eq!(ids(&only_open), [open.as_str()]);
    let only_closed = json(&get(&env, "/open311/v2/requests.json?status=closed"));
    assert_eq!(ids(&only_closed), [closed.as_str()]);
    assert_eq!(only_closed[0]["status"], "closed");
    let both = json(&get(&env, "/open311/v2/requests.json?status=open,closed"));
    assert_eq!(ids(&both).len(), 2);
    assert_error(&get(&env, "/open311/v2/requests.json?status=pending"), 400);

    // An explicit window reaches back; dates are Beijing days, datetimes W3C.
    let june = json(&get(
        &env,
        "/open311/v2/requests.json?start_date=2026-05-15&end_date=2026-06-01",
    ));
    assert_eq!(ids(&june), [old.as_str()]);
    let before_old = json(&get(
        &env,
        "/open311/v2/requests.json?start_date=2026-05-15T00:00:00%2B08:00&end_date=2026-06-01T09:59:59%2B08:00",
    ));
    assert_eq!(ids(&before_old), Vec::<String>::new());
    let since = json(&get(
        &env,
        "/open311/v2/requests.json?start_date=2026-11-20T10:00:00Z",
    ));
    assert_eq!(
        ids(&since),
        Vec::<String>::new(),
        "10:00Z is after 10:00 Beijing"
    );
    let by_code = json(&get(
        &env,
        "/open311/v2/requests.json?service_code=consultation",
    ));
    assert_eq!(ids(&by_code), Vec::<String>::new());
    assert_error(
        &get(&env, "/open311/v2/requests.json?service_code=potholes"),
        400,
    );
    // Naming requests overrides the window.
    let named = json(&get(
        &env,
        &format!("/open311/v2/requests.json?service_request_id={old}"),
    ));
    assert_eq!(ids(&named), [old]);

    for bad in [
        "start_date=2026-01-01&end_date=2026-11-20",
        "start_date=yesterday",
        "start_date=2026-11-20&end_date=2026-11-01",
        "service_request_id=K7Q-H3X-PD0",
    ] {
        assert_error(&get(&env, &format!("/open311/v2/requests.json?{bad}")), 400);
    }
}

#[test]
fn a_retried_post_with_the_same_idempotency_key_gives_the_same_id() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let req = form("/open311/v2/requests.json", &request_fields(&key, &[]))
        .with_header("Idempotency-Key", "open311-retry-0123456789");
    let first = env.send(&req);
    let second = env.send(&req);
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 201);
    assert_eq!(
        json(&first)[0]["service_request_id"],
        json(&second)[0]["service_request_id"]
    );
    let other = env.send(
        &form("/open311/v2/requests.json", &request_fields(&key, &[]))
            .with_header("Idempotency-Key", "open311-retry-9876543210"),
    );
    assert_ne!(
        json(&other)[0]["service_request_id"],
        json(&first)[0]["service_request_id"]
    );
    assert_eq!(
        json(&get(&env, "/open311/v2/requests.json"))
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn xml_escapes_what_clients_send() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let text = "A <b>&\"quoted\" 'x' </description> ]]> 路灯";
    let fields = request_fields(&key, &[("attribute[show_address]", "yes")]);
    let mut fields: Vec<_> = fields
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "description" | "address_string"))
        .collect();
    fields.push(("description", text));
    fields.push(("address_string", "<&\">"));
    let id = {
        let r = env.send(&form("/open311/v2/requests.json", &fields));
        assert_eq!(r.status, 201, "{}", r.text());
        json(&r)[0]["service_request_id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let xml = get(&env, &format!("/open311/v2/requests/{id}.xml"));
    assert_eq!(xml_texts(&xml, "description"), [text]);
    assert_eq!(xml_texts(&xml, "address"), ["<&\">"]);
    let raw = xml.text();
    assert!(raw.contains("&lt;b&gt;&amp;&quot;quoted&quot;"), "{raw}");
    let list = get(&env, "/open311/v2/requests.xml");
    assert_eq!(xml_texts(&list, "description"), [text]);
}

#[test]
fn pages_follow_the_cursor() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let made: Vec<String> = (0..3).map(|_| create(&env, &key, &[])).collect();
    let first = get(&env, "/open311/v2/requests.json?page_size=2&status=open");
    let link = first.header("link").expect("link").to_owned();
    assert_eq!(ids(&json(&first)).len(), 2);
    let next = link
        .strip_prefix('<')
        .and_then(|l| l.split_once(">; rel=\"next\""))
        .map(|(url, _)| url.to_owned())
        .expect("next url");
    assert!(next.contains("status=open"), "{next}");
    let second = get(&env, &next);
    assert_eq!(second.header("link"), None);
    let mut seen = ids(&json(&first));
    seen.extend(ids(&json(&second)));
    // All three were received at the same instant, so their order is the id tie-break; each
    // appears exactly once across the two pages.
    seen.sort();
    let mut expected = made.clone();
    expected.sort();
    assert_eq!(seen, expected);
    assert_error(&get(&env, "/open311/v2/requests.json?page_size=51"), 400);
    assert_error(&get(&env, "/open311/v2/requests.json?cursor=x"), 400);
}

#[test]
fn a_foreign_jurisdiction_and_a_spent_budget_are_refused_in_open311_form() {
    let mut env = NativeEnv::new(friday());
    env.config.jurisdiction_id = Some("minyi.example.gov.cn".into());
    let key = key(&env);
    let theirs = request_fields(&key, &[("jurisdiction_id", "elsewhere.gov")]);
    let r = env.send(&form("/open311/v2/requests.json", &theirs));
    assert!(assert_error(&r, 404).contains("jurisdiction_id"));
    let ours = request_fields(&key, &[("jurisdiction_id", "minyi.example.gov.cn")]);
    assert_eq!(
        env.send(&form("/open311/v2/requests.json", &ours)).status,
        201
    );
    assert_error(
        &get(
            &env,
            "/open311/v2/services.json?jurisdiction_id=elsewhere.gov",
        ),
        404,
    );
    let ok = get(
        &env,
        "/open311/v2/requests.json?jurisdiction_id=minyi.example.gov.cn",
    );
    assert_eq!(ids(&json(&ok)).len(), 1);

    env.config.limits.reads_per_minute = 1;
    let mut req = Request::from_target(Method::Get, "/open311/v2/services.xml");
    req.client_ip = Some("203.0.113.7".into());
    assert_eq!(env.send(&req).status, 200);
    let limited = env.send(&req);
    assert_eq!(limited.status, 429);
    assert_eq!(xml_texts(&limited, "code"), ["429"]);
    assert!(limited.header("retry-after").is_some());

    env.config.limits.submissions_per_hour = 0;
    let mut post = form("/open311/v2/requests.json", &request_fields(&key, &[]));
    post.client_ip = Some("203.0.113.8".into());
    assert_error(&env.send(&post), 429);
}

#[test]
fn a_replied_request_is_closed_with_the_public_reply_as_its_notes() {
    let env = NativeEnv::new(friday());
    let key = key(&env);
    let id = create(&env, &key, &[]);
    let tracking = id.replace('-', "");
    let long_reply = format!(
        "经查，已责令施工单位停止夜间施工。{}",
        "并加强巡查。".repeat(200)
    );
    let sql = |s: &'static str| Statement::new(s);
    pollster::block_on(env.store.batch(vec![
        sql("UPDATE \"case\" SET status = 'replied', lead_department_id = 1 WHERE tracking_no = ?")
            .bind(tracking.as_str()),
        sql("INSERT INTO reply (case_id, round, department_id, body, truthfulness, state, \
             visibility, drafted_at, published_at) SELECT id, 1, 1, ?, 'true', 'published', \
             'public', 0, 1 FROM \"case\" WHERE tracking_no = ?")
            .bind(long_reply.as_str())
            .bind(tracking.as_str()),
        sql("INSERT INTO reply (case_id, round, department_id, body, truthfulness, state, \
             visibility, drafted_at, published_at) SELECT id, 1, 1, '仅告知本人的答复', 'true', \
             'published', 'private', 0, 2 FROM \"case\" WHERE tracking_no = ?")
            .bind(tracking.as_str()),
    ]))
    .expect("reply");
    for target in [
        format!("/open311/v2/requests/{id}.json"),
        "/open311/v2/requests.json?status=closed".to_owned(),
    ] {
        let list = json(&get(&env, &target));
        assert_valid("requests.json", &list);
        let r = &list[0];
        assert_eq!(r["service_request_id"], id.as_str());
        assert_eq!(r["status"], "closed");
        assert_eq!(r["agency_responsible"], "市城管局 Urban Management Bureau");
        let notes = r["status_notes"].as_str().expect("notes");
        assert!(
            notes.starts_with("经查，已责令施工单位停止夜间施工。"),
            "{notes}"
        );
        assert!(
            notes.chars().count() <= 500 && notes.ends_with('…'),
            "{notes}"
        );
        assert!(!r.to_string().contains("仅告知本人"));
    }
    assert_eq!(
        ids(&json(&get(&env, "/open311/v2/requests.json?status=open"))),
        Vec::<String>::new()
    );
}

#[test]
fn the_schemas_are_live() {
    // Guards the guard: the inlined schemas do refuse what Open311 forbids.
    let bad = serde_json::json!([{
        "service_request_id": "A",
        "status": "pending",
        "service_code": "complaint",
        "requested_datetime": "yesterday",
    }]);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema("requests.json"))
        .expect("schema");
    assert_eq!(validator.iter_errors(&bad).count(), 2);
    let no_type =
        serde_json::json!([{"service_code": "x", "service_name": "x", "metadata": false}]);
    assert!(!jsonschema::is_valid(&schema("services.json"), &no_type));
}

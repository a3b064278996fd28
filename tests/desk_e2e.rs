//! The desk end to end over HTTP, against a running deployment: the public site at
//! `MINYI_E2E_URL` and the desk at `MINYI_DESK_URL` (default: the same address, as on the Spin
//! test host; on Workers the desk is a Worker of its own over the same database).
//! `scripts/spin-test` and `scripts/worker-test` run it with `--ignored`. Needs
//! `MINYI_OPS_SECRET` (the deployment's ops secret, for the first admin); the deployment must
//! have no staff account yet. The refusals that need time to pass (a return after its window,
//! an extension after the deadline, a rating after its window, an expired session) need a
//! clock the test controls: `tests/desk_flow_native.rs` and `tests/desk_native.rs` run them
//! through the same serve path and desk unit on native SQLite.

use std::sync::OnceLock;

use minyi_desk::totp;
use minyi_tests::http_client::{HttpResponse, send};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const NEEDS_SERVER: &str = "needs a running deployment: ./scripts/spin-test runs it";

/// The public site.
fn public() -> String {
    std::env::var("MINYI_E2E_URL").unwrap_or_else(|_| panic!("{NEEDS_SERVER} (MINYI_E2E_URL)"))
}

/// The desk.
fn base() -> String {
    std::env::var("MINYI_DESK_URL").unwrap_or_else(|_| public())
}

fn json_post(target: &str, token: Option<&str>, body: &Value) -> HttpResponse {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a));
    }
    send(
        &base(),
        "POST",
        target,
        &headers,
        body.to_string().as_bytes(),
    )
}

/// An action as an API client acting as a person (bearer session, JSON body).
fn act(token: &str, target: &str, body: &Value) -> HttpResponse {
    json_post(target, Some(token), body)
}

/// The citizen rates on the public case page with the query code.
fn rate(tracking: &str, code: &str, rating: &str) -> HttpResponse {
    send(
        &public(),
        "POST",
        "/submit/rating",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("tracking={tracking}&rating={rating}&code={code}").as_bytes(),
    )
}

/// A case's status as the public API shows it.
fn public_status(tracking: &str) -> String {
    let r = send(
        &public(),
        "GET",
        &format!("/api/v1/cases/{tracking}"),
        &[],
        b"",
    );
    r.json()["status"].as_str().unwrap_or_default().to_owned()
}

/// RFC 4648 base32 without padding, as in an `otpauth://` URI.
fn base32(text: &str) -> Vec<u8> {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32: {text}"),
        };
        bits = (bits << 5) | u64::from(v);
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

struct People {
    admin: String,
    secrets: Vec<(String, Vec<u8>)>,
}

/// The first admin (once per deployment), and an operator, a handler and the head of
/// department 1, a handler of department 2 and a reviewer, with their second-factor secrets.
fn people() -> &'static People {
    static PEOPLE: OnceLock<People> = OnceLock::new();
    PEOPLE.get_or_init(|| {
        let ops = std::env::var("MINYI_OPS_SECRET").unwrap_or_else(|_| panic!("{NEEDS_SERVER} (MINYI_OPS_SECRET)"));
        let auth = format!("Bearer {ops}");
        let setup = send(
            &base(),
            "POST",
            "/desk/setup",
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            json!({"login": "admin", "display_name": "管理员", "password": PASSWORD}).to_string().as_bytes(),
        );
        assert_eq!(setup.status, 201, "{}", setup.text());
        let admin = session("admin", &[]).expect("admin logs in without a second factor");
        let mut secrets = Vec::new();
        for (login, role) in [("wang", "operator"), ("lisi", "handler:1"), ("qian", "head:1"), ("sunqi", "handler:2"), ("zhao", "reviewer")] {
            let r = json_post(
                "/desk/api/accounts",
                Some(&admin),
                &json!({"login": login, "display_name": login, "password": PASSWORD, "roles": [role]}),
            );
            assert_eq!(r.status, 201, "{}", r.text());
            let uri = r.json()["totp_uri"].as_str().expect("a second factor").to_owned();
            let secret = uri.split("secret=").nth(1).and_then(|s| s.split('&').next()).expect("secret");
            secrets.push((login.to_owned(), base32(secret)));
        }
        People { admin, secrets }
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A bearer session for `login`, with the current code of `secret` if given.
fn session(login: &str, secret: &[u8]) -> Option<String> {
    let code = if secret.is_empty() {
        String::new()
    } else {
        format!("{:06}", totp::code(secret, now()))
    };
    let r = json_post(
        "/desk/api/session",
        None,
        &json!({"login": login, "password": PASSWORD, "code": code}),
    );
    (r.status == 201).then(|| r.json()["token"].as_str().expect("token").to_owned())
}

fn staff(login: &str) -> String {
    let p = people();
    let secret = &p.secrets.iter().find(|(l, _)| l == login).expect("known").1;
    session(login, secret).unwrap_or_else(|| panic!("{login} logs in"))
}

/// A citizen's public case: its tracking number as stored, and its query code.
fn citizen_case() -> (String, String) {
    let body = json!({"category": "complaint", "title": "路灯不亮", "body": "人民路路灯坏了一周。",
                      "name": "王五", "phone": "13700137000", "publish": true, "consent": true});
    let r = send(
        &public(),
        "POST",
        "/api/v1/cases",
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json();
    (
        body["tracking_number"]
            .as_str()
            .expect("t")
            .replace('-', ""),
        body["query_code"]
            .as_str()
            .expect("every case has a code")
            .to_owned(),
    )
}

#[test]
#[ignore = "needs a running deployment with the desk: ./scripts/spin-test"]
fn a_case_goes_from_dispatch_to_the_citizens_rating_over_http() {
    let (tracking, code) = citizen_case();
    let case = format!("/desk/cases/{tracking}");
    let op = staff("wang");
    let view = send(
        &base(),
        "GET",
        &case,
        &[("Authorization", &format!("Bearer {op}"))],
        b"",
    );
    assert_eq!(view.status, 200);
    assert!(
        view.text().contains("13700137000"),
        "the operator sees the contact"
    );
    let dispatch = json!({"lead": 1, "co": [2], "method": "written"});
    let r = act(&op, &format!("{case}/dispatch"), &dispatch);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "dispatched");
    let dept = staff("lisi");
    assert_eq!(
        act(&dept, &format!("{case}/accept"), &json!({})).status,
        200
    );
    let co = staff("sunqi");
    let opinion = json!({"text": "水务局：无管线施工"});
    assert_eq!(act(&co, &format!("{case}/opinion"), &opinion).status, 200);
    let reply = format!("已修复（{tracking}）");
    let draft = json!({"body": reply, "truthfulness": "true", "grade": "A"});
    assert_eq!(act(&dept, &format!("{case}/draft"), &draft).status, 200);
    let head = staff("qian");
    assert_eq!(
        act(&head, &format!("{case}/sign-off"), &json!({})).status,
        200
    );
    let rev = staff("zhao");
    assert_eq!(
        act(&rev, &format!("{case}/approve"), &json!({})).status,
        200
    );
    // The public reads before publication, each read twice: an edge cache keeps them. A case's
    // page and document show the reply once published; the lists show answered cases only,
    // so the case joins them then.
    let page = format!("/cases/{tracking}");
    let api = format!("/api/v1/cases/{tracking}");
    // A variant of the page no purge names (an unknown field makes a key of its own): a
    // control that shows the cache really answers from its copy.
    let control = format!("/cases/{tracking}?from=e2e");
    let dashed = format!("{}-{}-{}", &tracking[..3], &tracking[3..6], &tracking[6..]);
    let reads: [(&str, String); 6] = [
        (page.as_str(), reply.clone()),
        (api.as_str(), reply.clone()),
        (control.as_str(), reply.clone()),
        ("/cases", format!("/cases/{tracking}?")),
        ("/cases?department=1&lang=en", format!("/cases/{tracking}?")),
        ("/api/v1/cases", format!("\"{dashed}\"")),
    ];
    for (target, answered) in &reads {
        let first = read(target);
        assert!(
            !first.text().contains(answered),
            "{target} before publication"
        );
        let again = read(target);
        if edge_cache() {
            assert!(
                again.header("x-minyi-cache").is_some(),
                "{target}: from a cache"
            );
        }
    }
    let publish = json!({"visibility": "public"});
    assert_eq!(act(&rev, &format!("{case}/publish"), &publish).status, 200);
    if edge_cache() {
        // The public Worker's isolate keeps its own copy for a second (docs/cache.md); the
        // edge cache's copies are purged already.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    // Right after publication every purged read shows it, through the cache.
    for (target, answered) in reads.iter().filter(|(t, _)| *t != control) {
        let shown = read(target);
        assert!(
            shown.text().contains(answered),
            "{target}: {}",
            shown.text()
        );
        assert!(!shown.text().contains("13700137000"));
    }
    if edge_cache() {
        let stale = read(&control);
        assert_eq!(stale.header("x-minyi-cache"), Some("edge"));
        assert!(!stale.text().contains(&reply), "the control stays stale");
    }
    let rated = rate(&tracking, &code, "satisfied");
    assert_eq!(rated.status, 200, "{}", rated.text());
    // The rating (the submit Worker's write) purges too.
    if edge_cache() {
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    assert_eq!(public_status(&tracking), "closed");
}

/// Whether the deployment under test has an edge cache in front of its public pages (the
/// Workers build: `scripts/worker-test` says so).
fn edge_cache() -> bool {
    std::env::var("MINYI_E2E_EDGE_CACHE").is_ok_and(|v| v == "1")
}

/// An anonymous public read.
fn read(target: &str) -> HttpResponse {
    let r = send(&public(), "GET", target, &[], b"");
    assert_eq!(r.status, 200, "{target}: {}", r.text());
    r
}

#[test]
#[ignore = "needs a running deployment with the desk: ./scripts/spin-test"]
fn every_refusal_holds_over_http() {
    let (tracking, code) = citizen_case();
    let case = format!("/desk/cases/{tracking}");
    let other = staff("sunqi");
    let dispatch = json!({"lead": 1, "method": "phone"});
    assert_eq!(
        act(&other, &format!("{case}/dispatch"), &dispatch).status,
        403,
        "wrong role"
    );
    let op = staff("wang");
    assert_eq!(act(&op, &format!("{case}/dispatch"), &dispatch).status, 200);
    assert_eq!(
        act(&other, &format!("{case}/accept"), &json!({})).status,
        403,
        "another department's case"
    );
    let dept = staff("lisi");
    let draft = json!({"body": "x", "truthfulness": "true"});
    // A reply before acceptance: the transition table refuses it.
    assert_eq!(act(&dept, &format!("{case}/draft"), &draft).status, 400);
    assert_eq!(
        act(&dept, &format!("{case}/accept"), &json!({})).status,
        200
    );
    assert_eq!(act(&dept, &format!("{case}/draft"), &draft).status, 200);
    // A reply without the head's sign-off cannot be reviewed or published; a handler cannot
    // sign off.
    let rev = staff("zhao");
    assert_eq!(
        act(&rev, &format!("{case}/approve"), &json!({})).status,
        400
    );
    let publish = json!({"visibility": "public"});
    assert_eq!(act(&rev, &format!("{case}/publish"), &publish).status, 400);
    assert_eq!(
        act(&dept, &format!("{case}/sign-off"), &json!({})).status,
        403
    );
    let head = staff("qian");
    assert_eq!(
        act(&head, &format!("{case}/sign-off"), &json!({})).status,
        200
    );
    // Publishing an unapproved reply.
    assert_eq!(act(&rev, &format!("{case}/publish"), &publish).status, 400);
    assert_eq!(
        act(&rev, &format!("{case}/approve"), &json!({})).status,
        200
    );
    assert_eq!(act(&rev, &format!("{case}/publish"), &publish).status, 200);
    // A rating with a wrong code changes nothing.
    let wrong = if code == "ABCD-EFGH" {
        "ABCD-EFGJ"
    } else {
        "ABCD-EFGH"
    };
    assert_eq!(rate(&tracking, wrong, "satisfied").status, 403);
    assert_eq!(public_status(&tracking), "replied");
    // No second factor, no session, for a role that sees personal data.
    assert_eq!(session("wang", &[]), None);
    // A browser's cross-site post is refused; so is a post that shows no origin at all.
    let cookie_less = send(
        &base(),
        "POST",
        &format!("{case}/accept"),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        b"",
    );
    assert_eq!(cookie_less.status, 403);
    let bare = send(
        &base(),
        "POST",
        &format!("{case}/accept"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"",
    );
    assert_eq!(bare.status, 403);
    // A revoked session is dead.
    let token = staff("zhao");
    let out = send(
        &base(),
        "POST",
        "/desk/logout",
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(out.status, 303);
    let after = send(
        &base(),
        "GET",
        "/desk/",
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(after.header("location"), Some("/desk/login"));
    // The admin's session works; an unknown login is refused like a wrong password.
    assert!(!people().admin.is_empty());
    assert_eq!(session("nobody", &[]), None);
}

/// An instant `seconds` from now, as the desk's forms take it (RFC 3339, UTC).
fn at(seconds: i64) -> String {
    jiff::Timestamp::from_second(now() + seconds)
        .expect("instant")
        .to_string()
}

#[test]
#[ignore = "needs a running deployment with the desk: ./scripts/spin-test"]
fn a_meeting_takes_concurrent_registrations_and_is_drawn_once_over_http() {
    const N: usize = 12;
    let operator = staff("wang");
    let closes = now() + 20;
    // Registration closes in 20 seconds; the meeting is two weeks away, so it may be announced.
    let created = act(
        &operator,
        "/desk/meetings",
        &json!({"code": "E2E", "title": "端到端测试会议", "topics": "urban: 公交线网优化",
                "place": "市政府第一会议室", "starts_at": at(14 * 86_400), "opens_at": at(-60),
                "closes_at": at(20), "capacity": "3", "selection": "lottery"}),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let published = act(&operator, "/desk/meetings/E2E/publish", &json!({}));
    assert_eq!(published.status, 200, "{}", published.text());
    // N citizens at once, each with a number of its own, one of them twice: each learns its
    // registration code.
    let threads: Vec<_> = (0..=N)
        .map(|i| {
            std::thread::spawn(move || {
                let phone = format!("1390013{:04}", i % N);
                let r = send(
                    &public(),
                    "POST",
                    "/submit/meetings/E2E",
                    &[("Content-Type", "application/x-www-form-urlencoded")],
                    format!("name=%E5%B8%82%E6%B0%91{i}&phone={phone}").as_bytes(),
                );
                assert_eq!(r.status, 200, "{}", r.text());
                // The second registration of a number is told it registered, never its code.
                let code = r
                    .text()
                    .split("<p class=\"big\">")
                    .nth(1)
                    .and_then(|s| s.split("</p>").next())
                    .map(str::to_owned);
                (phone, code)
            })
        })
        .collect();
    let codes: Vec<(String, Option<String>)> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(
        codes.iter().filter(|(_, c)| c.is_some()).count(),
        N,
        "each number learns its code once"
    );
    let page = send(&public(), "GET", "/meetings/E2E", &[], b"");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("端到端测试会议"));
    // After the close the sweep draws it, once.
    while now() <= closes + 1 {
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let ops = std::env::var("MINYI_OPS_SECRET").expect("ops secret");
    let sweep = || {
        send(
            &base(),
            "POST",
            "/ops/sweep",
            &[("Authorization", &format!("Bearer {ops}"))],
            b"",
        )
        .json()["meetings_drawn"]
            .as_i64()
    };
    // A deployment's own schedule may get there first (the Spin host fires its cron trigger
    // every five minutes by the wall clock): the first call draws it or finds it drawn, and the
    // page below shows the one draw either way.
    let first = sweep();
    assert!(matches!(first, Some(0 | 1)), "{first:?}");
    assert_eq!(sweep(), Some(0));
    if edge_cache() {
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let drawn = send(&public(), "GET", "/meetings/E2E", &[], b"").text();
    assert_eq!(
        drawn.matches("<td><code>").count(),
        N,
        "every registration drawn once"
    );
    assert_eq!(drawn.matches("<td>入选").count(), 3, "{drawn}");
    // The first selected gives up on the web; the first on the waitlist moves up, and the next
    // sweep tells them.
    let first = drawn
        .split("<td><code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .expect("the first code");
    let phone = &codes
        .iter()
        .find(|(_, c)| c.as_deref() == Some(first))
        .expect("ours")
        .0;
    let gave_up = send(
        &public(),
        "POST",
        "/submit/meetings/E2E/answer",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("answer=cancel&registration={first}&phone={phone}").as_bytes(),
    );
    assert_eq!(gave_up.status, 200, "{}", gave_up.text());
    if edge_cache() {
        // Past the isolate's own copy of the page (read above); the edge's is purged.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let after = send(&public(), "GET", "/meetings/E2E", &[], b"").text();
    assert_eq!(after.matches("<td>入选").count(), 3, "{after}");
    assert_eq!(after.matches("<td>已放弃").count(), 1, "{after}");
    assert_eq!(sweep(), Some(0));
    let csv = send(
        &base(),
        "GET",
        "/desk/meetings/E2E/registrations.csv",
        &[("Authorization", &format!("Bearer {operator}"))],
        b"",
    );
    assert_eq!(csv.status, 200);
    assert_eq!(csv.text().matches("\r\n").count(), N + 1);
}

//! The desk on native adapters, request by request through the desk unit: the first admin,
//! accounts with a second factor, the handling loop from dispatch to publication, and the
//! refusals (wrong role, another department's case, no second factor, lockout, cross-site
//! posts, expired and revoked sessions). Contact details are shown only to roles that may see
//! them, and every reading is audited; no secret ever appears in a response.

use minyi::app::Host;
use minyi::calendar::Timestamp;
use minyi::store::{Statement, Store};
use minyi_desk::totp;
use minyi_tests::OPS_SECRET;
use minyi_tests::desk_client::{
    Desk, PASSWORD, api, beijing, form, json_of, login_api, page, status_of,
};
use minyi_web::{Method, Request};
use serde_json::json;

fn monday() -> Timestamp {
    beijing(2026, 11, 23, 9, 0)
}

fn desk() -> Desk {
    Desk::new(monday())
}

#[test]
fn a_case_goes_from_dispatch_to_publication() {
    let desk = desk();
    let operator = desk
        .account("wang", &["operator"])
        .expect("operator needs a second factor");
    let handler = desk.account("lisi", &["handler:1"]).expect("second factor");
    let head = desk.account("qian", &["head:1"]).expect("second factor");
    let reviewer = desk.account("zhao", &["reviewer"]).expect("second factor");
    let (tracking, _) = desk.citizen_case();

    let op = desk.login("wang", &operator);
    let queue = page(&desk.env, "/desk/", &op);
    assert_eq!(queue.status, 200);
    assert!(
        queue.text().contains(&tracking),
        "the new case waits for dispatch"
    );
    let view = page(&desk.env, &format!("/desk/cases/{tracking}"), &op).text();
    assert!(
        view.contains("13700137000"),
        "the operator sees the contact details"
    );
    let go = |cookie: &str, action: &str, fields: &[(&str, &str)]| {
        desk.env.send_desk(&form(
            &format!("/desk/cases/{tracking}/{action}"),
            cookie,
            fields,
        ))
    };
    assert_eq!(
        go(&op, "dispatch", &[("lead", "1"), ("method", "written")]).status,
        303
    );
    assert_eq!(status_of(&desk.env, &tracking), "dispatched");

    let dept = desk.login("lisi", &handler);
    assert_eq!(go(&dept, "accept", &[]).status, 303);
    let draft = go(
        &dept,
        "draft",
        &[
            ("body", "已修复路灯。"),
            ("truthfulness", "true"),
            ("grade", "A"),
        ],
    );
    assert_eq!(draft.status, 303, "{}", draft.text());
    assert_eq!(status_of(&desk.env, &tracking), "sign_off_pending");
    let signer = desk.login("qian", &head);
    assert_eq!(go(&signer, "sign-off", &[]).status, 303);
    assert_eq!(status_of(&desk.env, &tracking), "under_review");

    let rev = desk.login("zhao", &reviewer);
    assert_eq!(go(&rev, "approve", &[]).status, 303);
    assert_eq!(go(&rev, "publish", &[("visibility", "public")]).status, 303);
    assert_eq!(status_of(&desk.env, &tracking), "replied");

    let public = desk.env.send(&Request::from_target(
        Method::Get,
        &format!("/api/v1/cases/{tracking}"),
    ));
    assert!(public.text().contains("已修复路灯"), "{}", public.text());

    // Every action carries the account in the case's events and in the audit trail.
    let rows = pollster::block_on(desk.env.store.query(Statement::new(
        "SELECT action FROM audit_event WHERE case_id IS NOT NULL ORDER BY id",
    )))
    .expect("audit");
    let actions: Vec<String> = rows.iter().map(|r| r.get("action").expect("a")).collect();
    assert!(actions.contains(&"read_contact".to_owned()));
    for a in [
        "dispatch", "accept", "draft", "sign-off", "approve", "publish",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a} audited: {actions:?}");
    }
}

#[test]
fn roles_and_departments_bound_what_a_person_may_do() {
    let desk = desk();
    let operator = desk.account("wang", &["operator"]).expect("2fa");
    let water = desk.account("sun", &["handler:2"]).expect("2fa");
    let (tracking, _) = desk.citizen_case();
    let op = desk.login("wang", &operator);
    let other = desk.login("sun", &water);
    let go = |cookie: &str, action: &str, fields: &[(&str, &str)]| {
        desk.env.send_desk(&form(
            &format!("/desk/cases/{tracking}/{action}"),
            cookie,
            fields,
        ))
    };
    // A handler cannot dispatch.
    assert_eq!(go(&other, "dispatch", &[("lead", "2")]).status, 403);
    assert_eq!(
        go(&op, "dispatch", &[("lead", "1"), ("method", "written")]).status,
        303
    );
    // Another department's handler cannot take department 1's case.
    assert_eq!(go(&other, "accept", &[]).status, 403);
    // An operator cannot accept for a department; the lifecycle refuses a reply before
    // acceptance even to the right department (tested in the transition table).
    assert_eq!(go(&op, "accept", &[]).status, 403);
    assert_eq!(status_of(&desk.env, &tracking), "dispatched");
    // The water bureau's handler does not see the case's contact details in its queue.
    assert!(!page(&desk.env, "/desk/", &other).text().contains(&tracking));
}

#[test]
fn logins_need_the_second_factor_and_lock_after_failures() {
    let desk = desk();
    let operator = desk.account("wang", &["operator"]).expect("2fa");
    assert_eq!(
        login_api(&desk.env, "wang", ""),
        None,
        "no code, no session"
    );
    assert_eq!(login_api(&desk.env, "wang", "000000"), None, "a wrong code");
    let unknown = desk.env.send_desk(&api(
        Method::Post,
        "/desk/api/session",
        None,
        &json!({"login": "nobody", "password": PASSWORD, "code": ""}),
    ));
    let known = desk.env.send_desk(&api(
        Method::Post,
        "/desk/api/session",
        None,
        &json!({"login": "wang", "password": "wrong password!!", "code": ""}),
    ));
    assert_eq!(
        (unknown.status, json_of(&unknown)["detail"].clone()),
        (known.status, json_of(&known)["detail"].clone()),
        "a refusal never tells whether the account exists"
    );
    // Five failures in a row lock the account: the right password and code are refused too.
    for _ in 0..3 {
        assert_eq!(login_api(&desk.env, "wang", ""), None);
    }
    let code = format!(
        "{:06}",
        totp::code(&operator, desk.env.host.now().as_second())
    );
    assert_eq!(login_api(&desk.env, "wang", &code), None, "locked");
    // Fifteen minutes later it opens again.
    desk.env
        .host
        .set(monday() + jiff::SignedDuration::from_mins(16));
    let code = format!(
        "{:06}",
        totp::code(&operator, desk.env.host.now().as_second())
    );
    assert!(login_api(&desk.env, "wang", &code).is_some());
}

#[test]
fn sessions_expire_and_end_and_cross_site_posts_are_refused() {
    let desk = desk();
    let operator = desk.account("wang", &["operator"]).expect("2fa");
    let (tracking, _) = desk.citizen_case();
    let op = desk.login("wang", &operator);
    // A post without Sec-Fetch-Site or Origin (a form another site could make a browser
    // send, from an old browser) is refused on the desk.
    let bare = Request::from_target(Method::Post, &format!("/desk/cases/{tracking}/dispatch"))
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("cookie", &op)
        .with_body("lead=1");
    assert_eq!(desk.env.send_desk(&bare).status, 403);
    let cross = bare.clone().with_header("sec-fetch-site", "cross-site");
    assert_eq!(desk.env.send_desk(&cross).status, 403);
    assert_eq!(status_of(&desk.env, &tracking), "registered");
    // Logging out revokes the session server-side: the old cookie no longer works.
    let out = desk.env.send_desk(&form("/desk/logout", &op, &[]));
    assert_eq!(out.status, 303);
    assert_eq!(
        page(&desk.env, "/desk/", &op).header("location"),
        Some("/desk/login")
    );
    // A session expires after eight hours.
    let again = desk.login("wang", &operator);
    assert_eq!(page(&desk.env, "/desk/", &again).status, 200);
    desk.env
        .host
        .set(monday() + jiff::SignedDuration::from_hours(9));
    assert_eq!(
        page(&desk.env, "/desk/", &again).header("location"),
        Some("/desk/login")
    );
}

#[test]
fn the_first_admin_is_made_once_and_secrets_never_show() {
    let desk = desk();
    let again = desk.env.send_desk(
        &api(
            Method::Post,
            "/desk/setup",
            None,
            &json!({"login": "eve", "display_name": "e", "password": PASSWORD}),
        )
        .with_header("authorization", &format!("Bearer {OPS_SECRET}")),
    );
    assert_eq!(again.status, 409);
    let operator = desk.account("wang", &["operator"]).expect("2fa");
    let op = desk.login("wang", &operator);
    let rows = pollster::block_on(desk.env.store.query(Statement::new(
        "SELECT password_hash, totp_secret FROM staff_account WHERE login = 'wang'",
    )))
    .expect("row");
    let hash: String = rows[0].get("password_hash").expect("h");
    let secret: String = rows[0].get("totp_secret").expect("s");
    let (tracking, _) = desk.citizen_case();
    for r in [
        page(&desk.env, "/desk/", &op),
        page(&desk.env, &format!("/desk/cases/{tracking}"), &op),
        desk.env.send(&Request::from_target(
            Method::Get,
            &format!("/cases/{tracking}"),
        )),
        desk.env.send(&Request::from_target(
            Method::Get,
            &format!("/api/v1/cases/{tracking}"),
        )),
    ] {
        let text = r.text();
        assert!(!text.contains(&hash) && !text.contains(&secret) && !text.contains(PASSWORD));
        assert!(
            !text.contains(&op[op.find('=').expect("=") + 1..]),
            "no session token"
        );
    }
    // The public site never serves the desk.
    assert_eq!(
        desk.env
            .send(&Request::from_target(Method::Get, "/desk/login"))
            .status,
        404
    );
}

#[test]
fn the_openapi_document_describes_the_routes_that_exist() {
    let desk = desk();
    let (tracking, _) = desk.citizen_case();
    let meeting = desk.env.send_desk(&api(
        Method::Post,
        "/desk/meetings",
        Some(&desk.admin),
        &json!({"code": "DOC", "title": "会议", "topics": "urban: 议题", "place": "会议室",
                "starts_at": "2026-12-30T09:00", "opens_at": "2026-12-01T09:00",
                "closes_at": "2026-12-20T17:00"}),
    ));
    assert_eq!(meeting.status, 201, "{}", meeting.text());
    let r = desk
        .env
        .send_desk(&Request::from_target(Method::Get, "/desk/api/openapi.json"));
    assert_eq!(r.status, 200);
    let doc = json_of(&r);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 8, "{}", paths.len());
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            let concrete = path
                .replace("{tracking_number}", &tracking)
                .replace("{action}", "accept")
                .replace("{meeting_code}", "DOC");
            let req = match method.as_str() {
                "get" => Request::from_target(Method::Get, &concrete),
                "post" => api(Method::Post, &concrete, None, &json!({})),
                other => panic!("undocumented method {other}"),
            }
            .with_header("authorization", &format!("Bearer {}", desk.admin));
            let status = desk.env.send_desk(&req).status;
            // Reached its handler: whatever it answers to an admin with an empty body, the
            // route exists for this method.
            assert!(status != 404 && status != 405, "{method} {path}: {status}");
        }
    }
}

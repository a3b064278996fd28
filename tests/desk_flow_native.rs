//! The handling loop through the desk and the public site on native adapters, with the test
//! host's clock: intake → dispatch → co-handling → draft → head sign-off → review →
//! publication → the citizen's rating, and every refusal on the way, including the ones that
//! need time to pass (a return after its window, an extension after the deadline, a rating
//! after its window); deadlines of intake and dispatch over holidays and make-up days against
//! the calendar oracle; nothing secret in any answer or log line.

use minyi::calendar::{Date, Timestamp};
use minyi::store::{Statement, Store};
use minyi_tests::OPS_SECRET;
use minyi_tests::desk_client::{
    Desk, PASSWORD, api, beijing, column, form, json_of, page, status_of,
};
use minyi_web::{Method, Request, Response};
use serde_json::{Value, json};
use std::collections::HashSet;

/// The staff of one site: tokens for every role.
struct Staff {
    desk: Desk,
    operator: Vec<u8>,
    handler: Vec<u8>,
    head: Vec<u8>,
    co_handler: Vec<u8>,
    reviewer: Vec<u8>,
}

impl Staff {
    fn new(now: Timestamp) -> Self {
        let desk = Desk::new(now);
        let need = |login: &str, role: &str| desk.account(login, &[role]).expect("second factor");
        let operator = need("wang", "operator");
        let handler = need("lisi", "handler:1");
        let head = need("qian", "head:1");
        let co_handler = need("sun", "handler:2");
        let reviewer = need("zhao", "reviewer");
        assert_eq!(desk.account("zhou", &["leader"]), None);
        assert_eq!(desk.account("wuba", &["supervisor"]), None);
        Self {
            desk,
            operator,
            handler,
            head,
            co_handler,
            reviewer,
        }
    }

    fn token(&self, login: &str) -> String {
        let secret = match login {
            "wang" => &self.operator,
            "lisi" => &self.handler,
            "qian" => &self.head,
            "sun" => &self.co_handler,
            "zhao" => &self.reviewer,
            // Leaders and supervisors see no personal data: no second factor.
            _ => {
                return minyi_tests::desk_client::login_api(&self.desk.env, login, "")
                    .expect("login");
            }
        };
        self.desk.token(login, secret)
    }

    /// Takes an action as `login`; answers the status code.
    fn act(&self, login: &str, tracking: &str, action: &str, body: Value) -> u16 {
        self.desk.act(&self.token(login), tracking, action, &body).0
    }

    /// Registers a case at the desk as the operator: the JSON answer.
    fn intake(&self, body: Value) -> (u16, Value) {
        let r = self.desk.env.send_desk(&api(
            Method::Post,
            "/desk/intake",
            Some(&self.token("wang")),
            &body,
        ));
        let json = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        (r.status, json)
    }

    /// The public page of a case, as anyone sees it.
    fn public_page(&self, tracking: &str) -> Response {
        self.desk.env.send(&Request::from_target(
            Method::Get,
            &format!("/cases/{tracking}"),
        ))
    }

    fn set_clock(&self, now: Timestamp) {
        self.desk.env.host.set(now);
    }

    fn sweep(&self) -> Value {
        json_of(
            &self.desk.env.send_desk(
                &Request::from_target(Method::Post, "/ops/sweep")
                    .with_header("authorization", &format!("Bearer {OPS_SECRET}")),
            ),
        )
    }

    fn count(&self, sql: &'static str) -> i64 {
        let rows = pollster::block_on(self.desk.env.store.query(Statement::new(sql))).expect("q");
        rows[0].get("n").expect("n")
    }

    /// Dispatches to department 1 (in writing) and has it accepted.
    fn in_hand(&self, tracking: &str) {
        let dispatch = json!({"lead": 1, "method": "written"});
        assert_eq!(self.act("wang", tracking, "dispatch", dispatch), 200);
        assert_eq!(self.act("lisi", tracking, "accept", json!({})), 200);
    }

    /// Drafts, signs off, approves and publishes a reply.
    fn replied(&self, tracking: &str) {
        let draft = json!({"body": "已修复路灯。", "truthfulness": "true", "grade": "A"});
        assert_eq!(self.act("lisi", tracking, "draft", draft), 200);
        assert_eq!(self.act("qian", tracking, "sign-off", json!({})), 200);
        assert_eq!(self.act("zhao", tracking, "approve", json!({})), 200);
        let publish = json!({"visibility": "public"});
        assert_eq!(self.act("zhao", tracking, "publish", publish), 200);
        assert_eq!(status_of(&self.desk.env, tracking), "replied");
    }

    /// The citizen rates on the public page with a code.
    fn rate(&self, tracking: &str, code: &str, rating: &str) -> Response {
        self.desk.env.send(&form(
            "/submit/rating",
            "",
            &[
                ("tracking", tracking),
                ("rating", rating),
                ("code", code),
                ("comment", "谢谢"),
            ],
        ))
    }
}

fn millis(column_text: Option<String>) -> i64 {
    column_text.expect("set").parse().expect("ms")
}

#[test]
fn the_whole_loop_with_every_refusal_on_the_way() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let s = Staff::new(monday);
    // A call received last Friday evening, registered now with its real receipt time.
    let (status, created) = s.intake(json!({
        "channel": "phone", "received_at": "2026-11-20T18:30", "category": "complaint",
        "title": "小区路灯不亮", "body": "幸福小区3号楼前路灯坏了一周，电话13900139000。",
        "name": "刘一", "phone": "13900139000", "publish": "yes"}));
    assert_eq!(status, 201, "{created}");
    let tracking = created["tracking"].as_str().expect("tracking").to_owned();
    let code = created["query_code"]
        .as_str()
        .expect("every case has a code")
        .to_owned();
    assert_eq!(
        millis(column(&s.desk.env, &tracking, "received_at")),
        beijing(2026, 11, 20, 18, 30).as_millisecond()
    );
    // Before dispatch the deadline is an estimate from receipt: 7 working days after Friday.
    assert_eq!(
        millis(column(&s.desk.env, &tracking, "due_at")),
        beijing(2026, 12, 2, 0, 0).as_millisecond()
    );
    // Wrong role: a department's handler cannot dispatch.
    let dispatch = json!({"lead": 1, "co": [2], "method": "phone"});
    assert_eq!(s.act("sun", &tracking, "dispatch", dispatch.clone()), 403);
    assert_eq!(s.act("wang", &tracking, "dispatch", dispatch), 200);
    // Dispatched by phone on Monday: fixed now, 3 working days from dispatch (001 §2).
    assert_eq!(
        millis(column(&s.desk.env, &tracking, "due_at")),
        beijing(2026, 11, 27, 0, 0).as_millisecond()
    );
    // The public page explains the deadline from the dispatch.
    let shown = s.public_page(&tracking);
    assert!(
        shown.text().contains("自交办次日起计3个工作日"),
        "{}",
        shown.text()
    );
    // Another department's case: the co-handler cannot accept for the lead.
    assert_eq!(s.act("sun", &tracking, "accept", json!({})), 403);
    assert_eq!(s.act("lisi", &tracking, "accept", json!({})), 200);
    let draft =
        json!({"body": "经查，路灯线路老化，已更换。", "truthfulness": "true", "grade": "A"});
    // The lead cannot reply before the co-handler answered.
    assert_eq!(s.act("lisi", &tracking, "draft", draft.clone()), 400);
    let opinion = json!({"text": "水务局：该处无地下管线施工。"});
    assert_eq!(s.act("sun", &tracking, "opinion", opinion), 200);
    assert_eq!(s.act("lisi", &tracking, "draft", draft.clone()), 200);
    assert_eq!(status_of(&s.desk.env, &tracking), "sign_off_pending");
    // A reply without sign-off cannot be reviewed; an unapproved reply cannot be published;
    // a handler cannot sign off for the head.
    assert_eq!(s.act("zhao", &tracking, "approve", json!({})), 400);
    assert_eq!(
        s.act(
            "zhao",
            &tracking,
            "publish",
            json!({"visibility": "public"})
        ),
        400
    );
    assert_eq!(s.act("lisi", &tracking, "sign-off", json!({})), 403);
    assert_eq!(s.act("qian", &tracking, "sign-off", json!({})), 200);
    assert_eq!(
        s.act(
            "zhao",
            &tracking,
            "publish",
            json!({"visibility": "public"})
        ),
        400
    );
    // Rejected once: a redo.
    let reject = json!({"reason": "请补充核实过程"});
    assert_eq!(s.act("zhao", &tracking, "reject", reject), 200);
    assert_eq!(
        column(&s.desk.env, &tracking, "redo_count").as_deref(),
        Some("1")
    );
    s.replied(&tracking);
    // The citizen sees the rating form, and a wrong code changes nothing.
    let public = s.public_page(&tracking);
    assert!(public.text().contains("id=\"rate\""), "{}", public.text());
    let wrong = s.rate(&tracking, "ABCD-EFGH", "satisfied");
    assert_eq!(wrong.status, 403, "{}", wrong.text());
    assert_eq!(status_of(&s.desk.env, &tracking), "replied");
    let rated = s.rate(&tracking, &code, "basic");
    assert_eq!(rated.status, 200, "{}", rated.text());
    assert_eq!(status_of(&s.desk.env, &tracking), "closed");
    assert_eq!(
        s.count("SELECT count(*) AS n FROM rating WHERE level = 'basic' AND satisfied = 1 AND callback = 0"),
        1,
        "基本满意 counts as satisfied under the default policy"
    );
    // Every step is in the audit trail with its account.
    let actions: HashSet<String> = pollster::block_on(s.desk.env.store.query(Statement::new(
        "SELECT action FROM audit_event WHERE account_id IS NOT NULL",
    )))
    .expect("audit")
    .iter()
    .map(|r| r.get("action").expect("action"))
    .collect();
    for a in [
        "intake", "dispatch", "accept", "opinion", "draft", "sign-off", "reject", "approve",
        "publish",
    ] {
        assert!(actions.contains(a), "{a} audited: {actions:?}");
    }
    // Nothing secret in any answer or log line: no password, hash, session token, TOTP
    // secret, and no contact detail on the public side.
    let secrets = secrets_of(&s);
    let token = s.token("wang");
    let public_answers = [
        s.public_page(&tracking),
        s.desk.env.send(&Request::from_target(
            Method::Get,
            &format!("/api/v1/cases/{tracking}"),
        )),
        s.desk
            .env
            .send(&Request::from_target(Method::Get, "/cases")),
        s.desk.env.send(&Request::from_target(
            Method::Get,
            "/open311/v2/requests.json",
        )),
    ];
    for r in &public_answers {
        let text = r.text();
        for secret in secrets
            .iter()
            .chain([&token, &"13900139000".to_owned(), &"刘一".to_owned()])
        {
            assert!(!text.contains(secret.as_str()), "{secret} leaked: {text}");
        }
    }
    for line in s.desk.env.logs.borrow().iter() {
        for secret in secrets
            .iter()
            .chain([&token, &"13900139000".to_owned(), &"刘一".to_owned()])
        {
            assert!(
                !line.contains(secret.as_str()),
                "{secret} in a log line: {line}"
            );
        }
    }
}

/// Every stored password hash and TOTP secret, the password itself and every live session's
/// stored hash.
fn secrets_of(s: &Staff) -> Vec<String> {
    let rows = pollster::block_on(s.desk.env.store.query(Statement::new(
        "SELECT password_hash AS v FROM staff_account UNION ALL \
         SELECT totp_secret FROM staff_account WHERE totp_secret IS NOT NULL UNION ALL \
         SELECT token_hash FROM staff_session",
    )))
    .expect("secrets");
    let mut out: Vec<String> = rows.iter().map(|r| r.get("v").expect("v")).collect();
    out.push(PASSWORD.to_owned());
    assert!(out.len() > 10, "the search has something to find");
    out
}

#[test]
fn windows_and_deadlines_refuse_what_comes_too_late() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let s = Staff::new(monday);
    let (tracking, code) = s.desk.citizen_case();
    assert_eq!(
        s.act(
            "wang",
            &tracking,
            "dispatch",
            json!({"lead": 1, "method": "phone"})
        ),
        200
    );
    // The return window is 2 working days from dispatch: over by Thursday.
    s.set_clock(beijing(2026, 11, 26, 10, 0));
    let ret = json!({"reason": "不属本单位职责"});
    assert_eq!(s.act("lisi", &tracking, "return", ret), 400);
    assert_eq!(status_of(&s.desk.env, &tracking), "dispatched");
    // The sweep deems it accepted, once.
    assert_eq!(s.sweep()["deemed_accepted"], 1);
    assert_eq!(s.sweep()["deemed_accepted"], 0);
    assert_eq!(status_of(&s.desk.env, &tracking), "in_progress");
    // Past the deadline (24:00 Thursday) no extension can hide the lateness.
    s.set_clock(beijing(2026, 11, 27, 10, 0));
    let extend = json!({"stage_report": "已现场勘查，待更换线路。", "until": "2026-12-10"});
    assert_eq!(s.act("lisi", &tracking, "extend", extend.clone()), 400);
    // Another case, extended before its deadline: the stage report is published.
    let (other, _) = s.desk.citizen_case();
    s.in_hand(&other);
    assert_eq!(s.act("lisi", &other, "extend", extend), 200);
    assert_eq!(
        millis(column(&s.desk.env, &other, "due_at")),
        beijing(2026, 12, 11, 0, 0).as_millisecond()
    );
    let public = s.public_page(&other);
    assert!(
        public.text().contains("已现场勘查，待更换线路。"),
        "{}",
        public.text()
    );
    // A rating after its window (7 days) is refused and changes nothing.
    s.replied(&tracking);
    s.set_clock(beijing(2026, 12, 8, 10, 0));
    let late = s.rate(&tracking, &code, "satisfied");
    assert_eq!(late.status, 400, "{}", late.text());
    assert_eq!(status_of(&s.desk.env, &tracking), "replied");
}

#[test]
fn returns_reopens_callbacks_and_leaders_go_through_the_office() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let s = Staff::new(monday);
    // A return inside the window waits for the office; refused, the department handles it.
    let (first, _) = s.desk.citizen_case();
    assert_eq!(
        s.act(
            "wang",
            &first,
            "dispatch",
            json!({"lead": 1, "method": "written"})
        ),
        200
    );
    assert_eq!(
        s.act("lisi", &first, "return", json!({"reason": "属区级事权"})),
        200
    );
    assert_eq!(status_of(&s.desk.env, &first), "return_requested");
    assert_eq!(s.act("lisi", &first, "approve-return", json!({})), 403);
    assert_eq!(
        s.act(
            "wang",
            &first,
            "refuse-return",
            json!({"note": "市级道路，属城管局"})
        ),
        200
    );
    assert_eq!(status_of(&s.desk.env, &first), "in_progress");
    // Approved, it goes back for dispatch.
    let (second, code) = s.desk.citizen_case();
    assert_eq!(
        s.act(
            "wang",
            &second,
            "dispatch",
            json!({"lead": 1, "method": "written"})
        ),
        200
    );
    assert_eq!(
        s.act("lisi", &second, "return", json!({"reason": "属区级事权"})),
        200
    );
    assert_eq!(s.act("wang", &second, "approve-return", json!({})), 200);
    assert_eq!(status_of(&s.desk.env, &second), "returned");
    assert_eq!(column(&s.desk.env, &second, "lead_department_id"), None);
    // Unsatisfied: a reopen request the operator confirms; a new round starts.
    s.in_hand(&second);
    s.replied(&second);
    assert_eq!(s.rate(&second, &code, "unsatisfied").status, 200);
    assert_eq!(status_of(&s.desk.env, &second), "reopen_requested");
    assert_eq!(
        s.act(
            "wang",
            &second,
            "confirm-reopen",
            json!({"note": "回访核实未修好"})
        ),
        200
    );
    assert_eq!(
        (
            status_of(&s.desk.env, &second),
            column(&s.desk.env, &second, "round")
        ),
        ("in_progress".to_owned(), Some("2".to_owned()))
    );
    // A callback: the operator records the rating.
    s.replied(&second);
    assert_eq!(
        s.act(
            "wang",
            &second,
            "callback",
            json!({"rating": "satisfied", "comment": "电话回访"})
        ),
        200
    );
    assert_eq!(status_of(&s.desk.env, &second), "closed");
    assert_eq!(
        s.count("SELECT count(*) AS n FROM rating WHERE callback = 1"),
        1
    );
    // A leader's instruction with a required limit replaces the policy's deadline and puts
    // the case on the leader's queue.
    let (third, _) = s.desk.citizen_case();
    let instruct = json!({"text": "请城管局三日内处理并报结果", "required_by": "2026-11-25"});
    assert_eq!(s.act("zhou", &third, "instruct", instruct), 200);
    assert_eq!(
        millis(column(&s.desk.env, &third, "due_at")),
        beijing(2026, 11, 26, 0, 0).as_millisecond()
    );
    let leader = s.token("zhou");
    let queue = s.desk.env.send_desk(
        &Request::from_target(Method::Get, "/desk/")
            .with_header("authorization", &format!("Bearer {leader}")),
    );
    assert!(queue.text().contains(&third), "{}", queue.text());
    // Dispatch keeps the required limit, whatever the method.
    assert_eq!(
        s.act(
            "wang",
            &third,
            "dispatch",
            json!({"lead": 1, "method": "written"})
        ),
        200
    );
    assert_eq!(
        millis(column(&s.desk.env, &third, "due_at")),
        beijing(2026, 11, 26, 0, 0).as_millisecond()
    );
    // Supervisors may remind; operators may not.
    assert_eq!(s.act("wang", &third, "remind", json!({})), 403);
    assert_eq!(s.act("wuba", &third, "remind", json!({})), 200);
}

#[test]
fn intake_answers_on_the_spot_links_duplicates_and_imports_once() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let s = Staff::new(monday);
    let cases = || s.count("SELECT count(*) AS n FROM \"case\"");
    let call = |category: &str, extra: Value| {
        let mut body = json!({"channel": "phone", "received_at": "2026-11-23T08:50",
            "category": category, "title": "公积金提取", "body": "公积金提取需要哪些材料？"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        s.intake(body)
    };
    // Answered on the spot: registered and closed at once.
    let (status, done) = call(
        "consultation",
        json!({"answer": "携带身份证和购房合同到公积金中心办理。"}),
    );
    assert_eq!(
        (status, done["status"].as_str()),
        (201, Some("closed")),
        "{done}"
    );
    // Refused, nothing stored: a complaint answered on the spot, a receipt in the future, a
    // required limit on an ordinary case.
    let before = cases();
    assert_eq!(call("complaint", json!({"answer": "已答复"})).0, 400);
    assert_eq!(
        call("complaint", json!({"received_at": "2026-11-24T09:00"})).0,
        400
    );
    assert_eq!(
        call("complaint", json!({"required_by": "2026-11-25"})).0,
        400
    );
    assert_eq!(cases(), before);
    // Duplicates link to the original (typed as citizens see it); chains end at the root.
    let (original, _) = s.desk.citizen_case();
    let (again, _) = s.desk.citizen_case();
    let (third, _) = s.desk.citizen_case();
    let shown = format!(
        "{}-{}-{}",
        &original[0..3],
        &original[3..6],
        &original[6..9]
    );
    let dup = |of: &str| json!({"dismissal": "duplicate", "note": "同一路灯", "duplicate_of": of});
    assert_eq!(s.act("wang", &again, "dismiss", dup(&shown)), 200);
    assert_eq!(s.act("wang", &third, "dismiss", dup(&again)), 200);
    assert_eq!(
        column(&s.desk.env, &original, "report_count").as_deref(),
        Some("3")
    );
    assert_eq!(
        column(&s.desk.env, &third, "duplicate_of"),
        column(&s.desk.env, &original, "id")
    );
    assert_eq!(
        s.act("wang", &original, "dismiss", dup(&original)),
        400,
        "not itself"
    );
    // An import batch registers each source id once, however often it is sent.
    let token = s.token("wang");
    let batch = json!({"source_system": "12315", "cases": [
        {"source_id": "A-1", "received_at": "2026-11-22T10:00:00+08:00", "category": "complaint",
         "title": "商品质量", "body": "购买的电饭煲一周即坏。", "contact": {"phone": "13600136000"}},
        {"source_id": "A-2", "received_at": "2026-11-22T11:00:00+08:00", "category": "consultation",
         "title": "退货规定", "body": "七日无理由退货如何适用？"}]});
    let import = |body: &Value| {
        s.desk
            .env
            .send_desk(&api(Method::Post, "/desk/api/import", Some(&token), body))
    };
    let first = import(&batch);
    assert_eq!(first.status, 200, "{}", first.text());
    let before = cases();
    let second = import(&batch);
    let trackings = |r: &Response| -> Vec<Value> {
        json_of(r)["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| x["tracking"].clone())
            .collect()
    };
    assert_eq!(trackings(&first), trackings(&second));
    assert!(
        json_of(&second)["results"][0]["replayed"]
            .as_bool()
            .expect("flag")
    );
    assert_eq!(cases(), before, "nothing registered twice");
    // One bad item refuses the whole batch before anything is stored.
    let mut bad = batch.clone();
    bad["cases"][1]["source_id"] = json!("A-3");
    bad["cases"][1]["category"] = json!("nonsense");
    bad["cases"][0]["source_id"] = json!("A-4");
    assert_eq!(import(&bad).status, 400);
    assert_eq!(cases(), before);
    // A handler may not import.
    let handler = s.token("lisi");
    let refused = s.desk.env.send_desk(&api(
        Method::Post,
        "/desk/api/import",
        Some(&handler),
        &batch,
    ));
    assert_eq!(refused.status, 403);
    // The operator's intake page is a form on the desk.
    let cookie = s.desk.login("wang", &s.operator);
    assert!(
        page(&s.desk.env, "/desk/intake", &cookie)
            .text()
            .contains("name=\"received_at\"")
    );
}

/// Working days per the oracle fixture (PyPI chinesecalendar, independent of the crate).
fn oracle() -> HashSet<Date> {
    include_str!("fixtures/chinesecalendar-1.11.0.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let date: Date = cols.next()?.parse().ok()?;
            (cols.next()? == "1").then_some(date)
        })
        .collect()
}

/// 24:00 Beijing of the `n`th oracle working day after `start`'s date.
fn oracle_due(working: &HashSet<Date>, start: Date, n: usize) -> Timestamp {
    let last = std::iter::successors(start.tomorrow().ok(), |d| d.tomorrow().ok())
        .filter(|d| working.contains(d))
        .nth(n - 1)
        .expect("in the fixture");
    let next = last.tomorrow().expect("date");
    beijing(next.year(), next.month(), next.day(), 0, 0)
}

#[test]
fn deadlines_of_intake_and_dispatch_agree_with_the_calendar_oracle() {
    let working = oracle();
    let s = Staff::new(beijing(2025, 10, 13, 10, 0));
    // Intake of a call received on the eve of the 2025 National Day holiday (Oct 1–8 off,
    // Saturday Oct 11 worked), registered on Monday Oct 13: 5 working days from receipt.
    let (status, created) = s.intake(
        json!({"channel": "phone", "received_at": "2025-09-30T20:00",
        "category": "help", "title": "求助", "body": "老人独居需要帮助。"}),
    );
    assert_eq!(status, 201, "{created}");
    let help = created["tracking"].as_str().expect("t").to_owned();
    assert_eq!(
        millis(column(&s.desk.env, &help, "due_at")),
        oracle_due(&working, Date::constant(2025, 9, 30), 5).as_millisecond()
    );
    // Dispatches: at each instant the deadline counts from the dispatch, capped by the method.
    for (at, method, days) in [
        (beijing(2025, 9, 30, 20, 0), "written", 7),
        (beijing(2025, 10, 11, 10, 0), "sms", 3),
        (beijing(2026, 3, 6, 19, 0), "phone", 3),
        (beijing(2026, 3, 6, 19, 0), "written", 7),
    ] {
        s.set_clock(at);
        let (tracking, _) = s.desk.citizen_case();
        assert_eq!(
            s.act(
                "wang",
                &tracking,
                "dispatch",
                json!({"lead": 1, "method": method})
            ),
            200
        );
        let local = minyi::calendar::BEIJING.to_datetime(at).date();
        assert_eq!(
            millis(column(&s.desk.env, &tracking, "due_at")),
            oracle_due(&working, local, days).as_millisecond(),
            "dispatched {method} at {at}"
        );
    }
    // A petition received on a Friday evening is due for dispatch by Monday's close of
    // business; the sweep records the miss once.
    s.set_clock(beijing(2026, 3, 6, 18, 0));
    let (status, created) = s.intake(
        json!({"channel": "visit", "received_at": "2026-03-06T17:55",
        "category": "petition", "title": "信访", "body": "反映征收补偿问题。"}),
    );
    assert_eq!(status, 201, "{created}");
    let petition = created["tracking"].as_str().expect("t").to_owned();
    assert_eq!(
        millis(column(&s.desk.env, &petition, "dispatch_by")),
        beijing(2026, 3, 9, 17, 30).as_millisecond()
    );
    s.set_clock(beijing(2026, 3, 9, 17, 0));
    assert_eq!(s.sweep()["dispatches_late"], 0);
    s.set_clock(beijing(2026, 3, 9, 17, 31));
    assert_eq!(s.sweep()["dispatches_late"], 1);
    assert_eq!(s.sweep()["dispatches_late"], 0);
    assert_eq!(
        s.count("SELECT count(*) AS n FROM case_event WHERE kind = 'dispatch_late'"),
        1
    );
}

#[test]
fn the_responsibility_list_suggests_the_lead_on_the_dispatch_form() {
    let s = Staff::new(beijing(2026, 11, 23, 9, 0));
    let saved = s.desk.env.send_desk(
        &Request::from_target(Method::Post, "/ops/rulebook")
            .with_header("authorization", &format!("Bearer {OPS_SECRET}"))
            .with_body(
                json!({"departments": [
                        {"code": "urban", "name_zh": "市城管局", "name_en": "Urban Management Bureau"},
                        {"code": "water", "name_zh": "市水务局", "name_en": "Water Bureau"}],
                       "responsibilities": [
                        {"matter": "路灯", "department": "urban"},
                        {"matter": "自来水", "department": "water"}]})
                .to_string(),
            ),
    );
    assert_eq!(saved.status, 201, "{}", saved.text());
    let (status, created) = s.intake(
        json!({"channel": "phone", "received_at": "2026-11-23T08:30",
        "category": "complaint", "title": "停水", "body": "幸福小区自来水停了一天。"}),
    );
    assert_eq!(status, 201, "{created}");
    let tracking = created["tracking"].as_str().expect("t");
    let cookie = s.desk.login("wang", &s.operator);
    let view = page(&s.desk.env, &format!("/desk/cases/{tracking}"), &cookie).text();
    assert!(
        view.contains("<option value=\"2\" selected>市水务局（职责清单建议）"),
        "{view}"
    );
    assert!(!view.contains("<option value=\"1\" selected>"));
}

/// A bearer GET on the desk.
fn desk_get(s: &Staff, login: &str, path: &str) -> Response {
    s.desk.env.send_desk(
        &Request::from_target(Method::Get, path)
            .with_header("authorization", &format!("Bearer {}", s.token(login))),
    )
}

#[test]
fn a_months_statistics_count_what_the_archive_holds() {
    let s = Staff::new(beijing(2026, 11, 2, 9, 0));
    let draft = || json!({"body": "已处理。", "truthfulness": "true"});
    let cases: Vec<(String, String)> = (0..6).map(|_| s.desk.citizen_case()).collect();
    let [a, b, c, d, e, f] = [0, 1, 2, 3, 4, 5].map(|i| cases[i].0.clone());
    // A: answered on time, 满意. E: answered on time, never rated.
    for t in [&a, &e] {
        s.in_hand(t);
        s.replied(t);
    }
    assert_eq!(s.rate(&a, &cases[0].1, "satisfied").status, 200);
    // B: sent back once by review (a redo), then answered on time, 基本满意.
    s.in_hand(&b);
    assert_eq!(s.act("lisi", &b, "draft", draft()), 200);
    assert_eq!(s.act("qian", &b, "sign-off", json!({})), 200);
    assert_eq!(
        s.act("zhao", &b, "reject", json!({"reason": "请补充"})),
        200
    );
    s.replied(&b);
    assert_eq!(s.rate(&b, &cases[1].1, "basic").status, 200);
    // F: sent back twice in a row (a criticism trigger), then left unanswered.
    s.in_hand(&f);
    for _ in 0..2 {
        assert_eq!(s.act("lisi", &f, "draft", draft()), 200);
        assert_eq!(s.act("qian", &f, "sign-off", json!({})), 200);
        assert_eq!(
            s.act("zhao", &f, "reject", json!({"reason": "请补充"})),
            200
        );
    }
    // C: by phone (3 working days, by 24:00 Thursday 5 Nov), a return refused, escalated as
    // overdue on Friday, answered late, 不满意.
    assert_eq!(
        s.act(
            "wang",
            &c,
            "dispatch",
            json!({"lead": 1, "method": "phone"})
        ),
        200
    );
    assert_eq!(
        s.act("lisi", &c, "return", json!({"reason": "非本单位"})),
        200
    );
    assert_eq!(
        s.act("wang", &c, "refuse-return", json!({"note": "属城管"})),
        200
    );
    // D: the water bureau's, never answered.
    assert_eq!(
        s.act(
            "wang",
            &d,
            "dispatch",
            json!({"lead": 2, "method": "written"})
        ),
        200
    );
    s.set_clock(beijing(2026, 11, 6, 10, 0));
    assert_eq!(s.sweep()["escalated"], 1);
    s.replied(&c);
    assert_eq!(s.rate(&c, &cases[2].1, "unsatisfied").status, 200);
    // 20 Nov: D and F are overdue (by 24:00 11 Nov) and escalated twice; E's rating window
    // (7 days) has closed.
    s.set_clock(beijing(2026, 11, 20, 10, 0));
    let first = s.sweep();
    assert_eq!(first["closed_unrated"], 1, "{first}");
    s.sweep();
    let november = "/desk/statistics?month=2026-11";
    // Handlers do not see the statistics.
    assert_eq!(desk_get(&s, "lisi", november).status, 403);
    let csv = desk_get(&s, "wuba", &format!("{november}&format=csv"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = csv.text();
    assert!(text.starts_with('\u{FEFF}'), "a BOM for spreadsheets");
    // Hand-counted: urban dispatched A, B, C, E, F (each at once: no first response late);
    // returned C; answered A, B, C, E, C late; overdue C, F; redos B, F, F; 满意 A, 基本满意 B,
    // 不满意 C; unrated E; response 4 ÷ 5, satisfaction (1 + 1) ÷ 3; F redone twice in a row
    // and escalated twice.
    let urban = "\r\n市城管局,Urban Management Bureau,5,0,1,4,3,1,2,3,1,1,1,1,80.0%,75.0%,66.7%,100.0%,1,1\r\n";
    assert!(text.contains(urban), "{text}");
    assert!(
        text.contains("\r\n市水务局,Water Bureau,1,0,0,0,0,0,1,0,0,0,0,0,0.0%,,,100.0%,0,1\r\n"),
        "{text}"
    );
    let page = desk_get(&s, "wuba", november).text();
    assert!(
        page.contains("id=\"on-time-chart\"") && page.contains("75.0%"),
        "{page}"
    );
    assert!(
        page.contains("被连续2次退回重新办理") && page.contains("连续督办两次仍未处理回复"),
        "{page}"
    );
    // The quarter holds the same; the first week only what happened in it (no escalation of
    // F yet, E not yet closed unrated).
    let quarter = desk_get(&s, "wuba", "/desk/statistics?quarter=2026-Q4&format=csv").text();
    assert!(quarter.contains(urban), "{quarter}");
    let week = desk_get(&s, "wuba", "/desk/statistics?week=2026-11-02&format=csv").text();
    assert!(
        week.contains(
            "\r\n市城管局,Urban Management Bureau,5,0,1,4,3,1,1,3,1,1,1,0,80.0%,75.0%,66.7%,100.0%,1,0\r\n"
        ),
        "{week}"
    );
    // The office received the six web cases in November; October had nothing.
    assert!(
        text.ends_with("\r\n\r\n受理合计,Received,6\r\n受理：网上留言,Received: Web form,6\r\n"),
        "{text}"
    );
    let october = desk_get(&s, "wuba", "/desk/statistics?month=2026-10&format=csv").text();
    assert!(
        october.ends_with("连续督办两次\r\n\r\n受理合计,Received,0\r\n"),
        "{october}"
    );
}

#[test]
fn the_public_ranking_needs_enough_replies_and_shows_no_case() {
    let s = Staff::new(beijing(2026, 11, 2, 9, 0));
    let public = |s: &Staff| {
        s.desk
            .env
            .send(&Request::from_target(Method::Get, "/statistics"))
            .text()
    };
    let (first, _) = s.desk.citizen_case();
    s.in_hand(&first);
    s.replied(&first);
    let page = public(&s);
    assert!(
        !page.contains("id=\"ranking\""),
        "one reply is not enough to rank"
    );
    assert!(
        page.contains("id=\"topics\"") && page.contains("2026-11"),
        "{page}"
    );
    for _ in 0..10 {
        let (t, _) = s.desk.citizen_case();
        s.in_hand(&t);
        s.replied(&t);
    }
    let page = public(&s);
    assert!(page.contains("id=\"ranking\""), "{page}");
    assert!(
        page.contains("市城管局") && page.contains("100.0%"),
        "{page}"
    );
    assert!(
        !page.contains(&first) && !page.contains("路灯不亮"),
        "no case on it"
    );
}

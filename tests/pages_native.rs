//! The composed site on native adapters, request by request: the HTML pages (form,
//! confirmation, case page, tracking, lists, start page, errors).

use jiff::civil::Date;
use minyi::app::cases::{self, Rules};
use minyi::calendar::{BEIJING, Calendar, Timestamp};
use minyi::case::{Actor, Command, Grade, ReplyDraft, Role, Truthfulness, Visibility};
use minyi::policy::Policy;
use minyi::store::{Statement, Store};
use minyi_tests::NativeEnv;
use minyi_web::{Method, Request, Response, Turnstile};
use pollster::block_on;

fn at(date: Date, hour: i8) -> Timestamp {
    BEIJING.to_timestamp(date.at(hour, 0, 0, 0)).expect("local")
}

/// Friday 20 Nov 2026 10:00 Shanghai.
fn site() -> NativeEnv {
    NativeEnv::new(at(Date::constant(2026, 11, 20), 10))
}

fn get(env: &NativeEnv, target: &str) -> Response {
    env.send(&Request::from_target(Method::Get, target))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn post(target: &str, fields: &[(&str, &str)]) -> Request {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    Request::from_target(Method::Post, target)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(body.join("&"))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    let len = html[from..].find(end).expect("end");
    &html[from..from + len]
}

fn token(env: &NativeEnv) -> String {
    let form = get(env, "/submit").text();
    between(&form, r#"name="idempotency_key" value=""#, "\"").to_owned()
}

const NAME: &str = "王五";
const PHONE: &str = "13700137000";

fn fields<'a>(title: &'a str, category: &'a str, publish: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("category", category),
        ("title", title),
        (
            "body",
            "人民路与解放路交叉口路灯已坏一周，夜间行人很不安全。",
        ),
        ("name", NAME),
        ("phone", PHONE),
        ("publish", publish),
        ("consent", "yes"),
        ("website", ""),
    ]
}

/// Posts the form and returns the confirmation page.
fn submit(env: &NativeEnv, title: &str, category: &str, publish: &str) -> Response {
    let token = token(env);
    let mut f = fields(title, category, publish);
    f.push(("idempotency_key", &token));
    let r = env.send(&post("/submit", &f));
    assert_eq!(r.status, 200, "{}", r.text());
    r
}

fn tracking_of(confirmation: &Response) -> String {
    between(&confirmation.text(), r#"id="tracking">"#, "<").to_owned()
}

/// The tracking number as stored and used in addresses (no separators).
fn plain(tracking: &str) -> String {
    tracking.replace('-', "")
}

fn cases_stored(env: &NativeEnv) -> i64 {
    block_on(
        env.store
            .query(Statement::new("SELECT count(*) AS n FROM \"case\"")),
    )
    .expect("count")[0]
        .get("n")
        .expect("n")
}

/// Takes a case through dispatch to `lead`, handling, review and a published public reply.
fn answer(env: &NativeEnv, tracking: &str, lead: i64) {
    let id: i64 = block_on(env.store.query(
        Statement::new("SELECT id FROM \"case\" WHERE tracking_no = ?").bind(plain(tracking)),
    ))
    .expect("id")[0]
        .get("id")
        .expect("id");
    let calendar = Calendar::builtin();
    let policy = Policy::default();
    let rules = Rules {
        calendar: &calendar,
        policy: &policy,
        rulebook: 0,
        secret: &env.config.secret,
    };
    let steps = [
        (
            Role::Operator,
            Command::Dispatch {
                lead,
                co_handlers: vec![],
                method: minyi::case::DispatchMethod::Written,
            },
        ),
        (Role::Department(lead), Command::Accept),
        (
            Role::Department(lead),
            Command::SubmitDraft(ReplyDraft {
                body: "感谢来信，已安排维修。".into(),
                truthfulness: Truthfulness::True,
                grade: Some(Grade::A),
                withhold: None,
                promised_by: None,
            }),
        ),
        (Role::DepartmentHead(lead), Command::SignOff),
        (Role::Reviewer, Command::Approve),
        (
            Role::Reviewer,
            Command::Publish {
                visibility: Visibility::Public,
            },
        ),
    ];
    for (role, command) in steps {
        block_on(cases::apply(
            &env.store,
            &env.host,
            rules,
            id,
            &Actor::anonymous(role),
            command,
        ))
        .expect("apply");
    }
}

#[test]
fn the_form_renders_in_chinese_and_english() {
    let env = site();
    let zh = get(&env, "/submit");
    assert_eq!(zh.status, 200);
    let html = zh.text();
    for expected in [
        "诉求类别",
        "党风廉政",
        "最多100个字",
        "最多5000个字",
        "请自行核对字数",
        "短信通知",
        "个人信息处理说明",
        "同意公开",
        r#"class="hp""#,
        r#"tabindex="-1""#,
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    assert!(!html.contains("<script"), "no JavaScript without Turnstile");
    let token = token(&env);
    assert!(
        token.starts_with("f1.") && (16..=128).contains(&token.len()),
        "{token}"
    );
    assert!(token.bytes().all(|b| b.is_ascii_graphic()));
    assert!(
        !zh.header("content-security-policy")
            .expect("csp")
            .contains("script-src")
    );

    let en = get(&env, "/submit?lang=en");
    let html = en.text();
    assert!(html.contains("Category *") && html.contains("Party discipline"));
    assert!(html.contains("At most 5000 characters"));
    assert!(html.contains(r#"<html lang="en">"#));
    // The language is in the address, not a cookie: a shared cache keys pages by URL.
    assert_eq!(en.header("set-cookie"), None);
    assert!(
        html.contains(r#"action="/submit?lang=en""#),
        "the choice travels in links"
    );
}

#[test]
fn a_submission_flows_from_form_to_confirmation_to_case_page() {
    let env = site();
    let done = submit(&env, "路灯不亮", "complaint", "yes");
    let html = done.text();
    let tracking = tracking_of(&done);
    assert_eq!(tracking.len(), 11, "{tracking}");
    assert!(html.contains("留言已受理"));
    assert!(
        html.contains("查询码只显示这一次") && html.contains("评价答复时需要它"),
        "every case gets a code, needed to rate the reply"
    );
    // Friday 20 Nov 2026 10:00 + 7 working days → end of Tuesday 1 Dec.
    assert!(html.contains("2026年12月1日 24:00"), "{html}");
    assert!(html.contains(&format!("/cases/{}?lang=zh", plain(&tracking))));

    let page = get(&env, &format!("/cases/{tracking}"));
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("已受理") && html.contains("路灯不亮") && html.contains("投诉"));
    assert!(html.contains("尚未交办") && html.contains("2026年11月20日"));
    let en = get(&env, &format!("/cases/{tracking}?lang=en")).text();
    assert!(en.contains("Registered") && en.contains("1 Dec 2026 24:00"));
}

#[test]
fn a_private_case_shows_its_code_once_and_its_page_needs_it() {
    let env = site();
    let done = submit(&env, "家庭纠纷求助", "help", "no");
    let html = done.text();
    let tracking = tracking_of(&done);
    let code = between(&html, r#"id="query-code">"#, "<").to_owned();
    assert_eq!(code.len(), 9, "{code}");
    assert!(html.contains("查询码只显示这一次"));

    let without = get(&env, &format!("/cases/{tracking}"));
    assert_eq!(without.status, 403);
    let html = without.text();
    assert!(
        html.contains(&format!(r#"value="{tracking}""#)),
        "prefilled"
    );
    assert!(!html.contains("家庭纠纷求助"));

    let wrong = env.send(&post(
        "/track",
        &[("tracking", &tracking), ("code", "0000-0000")],
    ));
    assert_eq!(wrong.status, 403);
    assert!(wrong.text().contains("查询码不正确"));
    let right = env.send(&post("/track", &[("tracking", &tracking), ("code", &code)]));
    assert_eq!(right.status, 200);
    assert!(right.text().contains("家庭纠纷求助"));

    let no_code = env.send(&post("/track", &[("tracking", &tracking), ("code", "")]));
    assert_eq!(no_code.status, 303);
    assert_eq!(
        no_code.header("location"),
        Some(format!("/cases/{}?lang=zh", plain(&tracking)).as_str())
    );
    assert_eq!(get(&env, "/track").status, 200);
}

#[test]
fn field_errors_re_render_the_form_with_the_input_kept_and_store_nothing() {
    let env = site();
    let token = token(&env);
    let r = env.send(&post(
        "/submit",
        &[
            ("category", "complaint"),
            ("title", ""),
            ("body", "我写了很长的一段话，不想丢失。"),
            ("name", NAME),
            ("phone", "call me"),
            ("publish", "no"),
            ("idempotency_key", &token),
        ],
    ));
    assert_eq!(r.status, 400);
    let html = r.text();
    for expected in [
        "我写了很长的一段话，不想丢失。",
        r#"value="call me""#,
        NAME,
        &token,
        "此项必填",
        "电话号码格式不正确",
        "请阅读并同意个人信息处理说明",
        r#"value="complaint" selected"#,
        r#"value="no" checked"#,
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert_eq!(cases_stored(&env), 0);
}

#[test]
fn a_filled_honeypot_is_refused_and_nothing_is_stored() {
    let env = site();
    let mut f = fields("广告", "complaint", "yes");
    f.retain(|(k, _)| *k != "website");
    f.push(("website", "http://spam.example"));
    let r = env.send(&post("/submit", &f));
    assert_eq!(r.status, 403, "forbidden, not a bad request");
    assert_eq!(cases_stored(&env), 0);
}

#[test]
fn the_same_form_token_posted_twice_registers_one_case_and_never_shows_the_code_again() {
    let env = site();
    let token = token(&env);
    let mut f = fields("双击提交", "complaint", "no");
    f.push(("idempotency_key", &token));
    let first = env.send(&post("/submit", &f));
    assert_eq!(first.status, 200);
    let code = between(&first.text(), r#"id="query-code">"#, "<").to_owned();
    assert_eq!(code.len(), 9, "a private case's code is shown once: {code}");
    // Back, then send again (a double click, or the next person at a shared computer).
    let second = env.send(&post("/submit", &f));
    assert_eq!(second.status, 200);
    assert_eq!(tracking_of(&first), tracking_of(&second));
    assert!(second.text().contains("此表单已提交"));
    assert!(
        !second.text().contains(&code),
        "the code is never shown again"
    );
    assert!(!second.text().contains("query-code"));
    assert_eq!(cases_stored(&env), 1);

    // The same token with other content: refused, the form kept with a fresh token, the
    // first case not revealed.
    let mut edited = fields("另一件事", "complaint", "no");
    edited.push(("idempotency_key", &token));
    let third = env.send(&post("/submit", &edited));
    assert_eq!(third.status, 422);
    assert!(third.text().contains("这份表单已经提交过"));
    assert!(!third.text().contains(&tracking_of(&first)));
    assert!(third.text().contains("另一件事"), "what was typed is kept");
    assert_ne!(
        between(&third.text(), r#"name="idempotency_key" value=""#, "\""),
        token
    );
    assert_eq!(cases_stored(&env), 1);
}

#[test]
fn a_form_token_not_issued_here_or_expired_is_refused_and_the_form_kept() {
    let env = site();
    let forged = "0123456789abcdef0123456789abcdef";
    let mut f = fields("路灯不亮", "complaint", "yes");
    f.push(("idempotency_key", forged));
    let r = env.send(&post("/submit", &f));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("表单已过期或无效"));
    assert!(r.text().contains("路灯不亮"));
    assert_eq!(cases_stored(&env), 0);

    let token = token(&env);
    use minyi::app::Host as _;
    env.host.set(
        env.host
            .now()
            .checked_add(jiff::SignedDuration::from_hours(25))
            .expect("later"),
    );
    let mut f = fields("路灯不亮", "complaint", "yes");
    f.push(("idempotency_key", &token));
    assert_eq!(env.send(&post("/submit", &f)).status, 400);
    assert_eq!(cases_stored(&env), 0);
}

#[test]
fn personal_data_never_reaches_the_public_pages() {
    let env = site();
    let tracking = tracking_of(&submit(&env, "路灯不亮", "complaint", "yes"));
    answer(&env, &tracking, 1);
    for target in [
        format!("/cases/{tracking}"),
        "/cases".to_owned(),
        "/".to_owned(),
    ] {
        let r = get(&env, &target);
        assert_eq!(r.status, 200, "{target}");
        let html = r.text();
        assert!(html.contains("路灯不亮"), "{target}");
        assert!(!html.contains(NAME) && !html.contains(PHONE), "{target}");
    }
    let page = get(&env, &format!("/cases/{tracking}")).text();
    for expected in [
        "已答复",
        "市城管局",
        "感谢来信，已安排维修。",
        "属实",
        "A类",
        "已交办承办单位",
    ] {
        assert!(page.contains(expected), "{expected}");
    }
}

#[test]
fn list_filters_and_search_narrow_the_answered_cases() {
    let env = site();
    let lamp = tracking_of(&submit(&env, "路灯不亮", "complaint", "yes"));
    let water = tracking_of(&submit(&env, "停水通知在哪里看", "consultation", "yes"));
    let unanswered = tracking_of(&submit(&env, "尚未答复的留言", "complaint", "yes"));
    answer(&env, &lamp, 1);
    answer(&env, &water, 2);
    let shows = |target: &str| {
        let r = get(&env, target);
        assert_eq!(r.status, 200, "{target}");
        let html = r.text();
        (html.contains("路灯不亮"), html.contains("停水通知在哪里看"))
    };
    assert_eq!(shows("/cases"), (true, true));
    assert!(
        !get(&env, "/cases").text().contains("尚未答复的留言"),
        "{unanswered}"
    );
    assert_eq!(shows("/cases?q=%E5%81%9C%E6%B0%B4"), (false, true), "停水");
    assert_eq!(shows("/cases?category=consultation"), (false, true));
    assert_eq!(shows("/cases?department=1"), (true, false));
    assert_eq!(shows("/cases?month=2026-11"), (true, true));
    assert_eq!(shows("/cases?month=2026-10"), (false, false));
    assert_eq!(get(&env, "/cases?month=2026-13").status, 400);
    let home = get(&env, "/").text();
    assert!(
        home.contains("路灯不亮")
            && home.contains("我要留言")
            && home.contains(r#"action="/track?lang=zh""#)
    );
}

#[test]
fn the_list_pages_by_cursor_keeping_filters_and_language() {
    let env = site();
    for i in 0..21 {
        let t = tracking_of(&submit(&env, &format!("路灯{i:02}"), "complaint", "yes"));
        answer(&env, &t, 1);
    }
    let first = get(&env, "/cases?category=complaint&lang=en").text();
    assert_eq!(first.matches("<article").count(), 20);
    let next = between(&first, r#"rel="next" href=""#, "\"").replace("&amp;", "&");
    assert!(
        next.contains("category=complaint") && next.contains("lang=en"),
        "{next}"
    );
    let second = get(&env, &next).text();
    assert_eq!(second.matches("<article").count(), 1);
    assert!(!second.contains(r#"rel="next""#));
}

#[test]
fn lang_en_switches_the_text() {
    let env = site();
    let home = get(&env, "/?lang=en").text();
    assert!(home.contains("Submit a message") && home.contains("Latest replies"));
    assert!(
        !home.contains("我要留言</a>"),
        "the Chinese call to action is gone"
    );
    assert!(
        get(&env, "/cases?lang=en")
            .text()
            .contains("Answered messages")
    );
    assert!(
        get(&env, "/track?lang=en")
            .text()
            .contains("Tracking number")
    );
    let missing = get(&env, "/nowhere?lang=en");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Not found"));
}

#[test]
fn titles_are_escaped() {
    let env = site();
    let tracking = tracking_of(&submit(
        &env,
        "<script>alert(1)</script>",
        "complaint",
        "yes",
    ));
    let html = get(&env, &format!("/cases/{tracking}")).text();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
}

#[test]
fn error_pages_are_readable() {
    let mut env = site();
    let bad = get(&env, "/cases/K7Q-H3X-PD0");
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("受理编号"));
    let unknown = minyi::ids::TrackingNumber::generate([7, 7, 7, 7, 7]);
    let r = get(&env, &format!("/cases/{}?lang=en", unknown.as_str()));
    assert_eq!(r.status, 404);
    assert!(r.text().contains("Not found") && r.text().contains("Check the tracking number"));

    env.config.limits.reads_per_minute = 0;
    let mut req = Request::from_target(Method::Get, "/cases?lang=en");
    req.client_ip = Some("203.0.113.7".into());
    let limited = env.send(&req);
    assert_eq!(limited.status, 429);
    assert!(limited.text().contains("try again in"));
    assert!(limited.header("retry-after").is_some());
}

/// A site whose form is guarded by Turnstile (site key `0x4AAA-site`).
fn site_with_turnstile() -> NativeEnv {
    let mut env = site();
    env.config.turnstile = Some(Turnstile {
        site_key: "0x4AAA-site".into(),
        secret: "0x4AAA-secret".into(),
    });
    env
}

#[test]
fn turnstile_guards_the_form_when_configured() {
    let env = site_with_turnstile();
    let form = get(&env, "/submit");
    let html = form.text();
    assert!(html.contains(r#"class="cf-turnstile" data-sitekey="0x4AAA-site""#));
    assert!(html.contains("https://challenges.cloudflare.com/turnstile/v0/api.js"));
    let csp = form.header("content-security-policy").expect("csp");
    assert!(
        csp.contains("script-src https://challenges.cloudflare.com"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-src https://challenges.cloudflare.com"),
        "{csp}"
    );
    assert!(!html.contains("0x4AAA-secret"));

    let token = token(&env);
    let mut f = fields("路灯不亮", "complaint", "yes");
    f.push(("idempotency_key", &token));
    let refused = env.send(&post("/submit", &f));
    assert_eq!(refused.status, 403);
    assert!(refused.text().contains("人机验证未通过"));
    assert_eq!(cases_stored(&env), 0);
    assert!(env.outbound.borrow().is_empty());

    f.push(("cf-turnstile-response", "token-from-widget"));
    let mut req = post("/submit", &f);
    req.client_ip = Some("198.51.100.4".into());
    assert_eq!(env.send(&req).status, 200);
    assert_eq!(cases_stored(&env), 1);
    let outbound = env.outbound.borrow();
    assert_eq!(outbound.len(), 1);
    let (url, sent) = &outbound[0];
    assert_eq!(
        url,
        "https://challenges.cloudflare.com/turnstile/v0/siteverify"
    );
    let sent: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        sent,
        [
            ("secret", "0x4AAA-secret"),
            ("response", "token-from-widget"),
            ("remoteip", "198.51.100.4")
        ]
    );
    drop(outbound);
    // A re-POST of the same form is checked like any request before its token is looked up
    // (a refused request must not learn whether its token was used): Cloudflare is asked
    // again. (Real Turnstile tokens are single-use, so Cloudflare refuses it and the form is
    // shown again; this stub says yes, and the replay then registers nothing new.)
    let again = env.send(&req);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(cases_stored(&env), 1);
    assert_eq!(env.outbound.borrow().len(), 2);
}

#[test]
fn a_refused_or_unreachable_human_check_keeps_the_form() {
    let mut env = site_with_turnstile();
    for (reply, status, says) in [
        (
            Ok((200, r#"{"success": false}"#.to_owned())),
            403,
            "人机验证未通过",
        ),
        (Ok((500, String::new())), 503, "人机验证服务暂时无法连接"),
        (
            Ok((200, "<html>".to_owned())),
            503,
            "人机验证服务暂时无法连接",
        ),
        (
            Err("connection refused".to_owned()),
            503,
            "人机验证服务暂时无法连接",
        ),
    ] {
        env.outbound_reply = reply;
        let token = token(&env);
        let mut f = fields("路灯不亮", "complaint", "yes");
        f.push(("idempotency_key", &token));
        f.push(("cf-turnstile-response", "token-from-widget"));
        let r = env.send(&post("/submit", &f));
        assert_eq!(r.status, status);
        let html = r.text();
        assert!(html.contains(says), "{html}");
        assert!(
            html.contains("人民路与解放路交叉口路灯已坏一周"),
            "the input is kept"
        );
        assert_eq!(cases_stored(&env), 0);
    }
}

#[test]
fn every_error_page_reads_well_in_both_languages() {
    use minyi_web::{Lang, WebError, html};
    let req = Request::from_target(Method::Get, "/cases");
    for (error, zh, en) in [
        (
            WebError::bad(
                "month",
                "月份格式应为 2026-03 / month must look like 2026-03",
            ),
            "月份：月份格式应为 2026-03",
            "Month: month must look like 2026-03",
        ),
        (WebError::CodeRequired, "查询码", "query code"),
        (WebError::NotFound, "未找到", "Not found"),
        (WebError::PayloadTooLarge, "请缩短内容", "Shorten the text"),
        (
            WebError::RateLimited { retry_after: 42 },
            "请在42秒后再试",
            "try again in 42 seconds",
        ),
    ] {
        let page = html::error_page(Lang::Zh, &req, &error);
        assert_eq!(page.status, error.status());
        assert!(page.text().contains(zh), "{zh}: {}", page.text());
        let page = html::error_page(Lang::En, &req, &error);
        assert!(page.text().contains(en), "{en}: {}", page.text());
    }
}

#[test]
fn the_case_page_says_why_its_deadline_is_that_date() {
    // Received Tuesday 29 Sep 2026 10:00; 1–7 Oct off, Saturday 10 Oct worked.
    let env = NativeEnv::new(at(Date::constant(2026, 9, 29), 10));
    let tracking = tracking_of(&submit(&env, "国庆前反映的问题", "complaint", "yes"));
    let zh = get(&env, &format!("/cases/{}", plain(&tracking))).text();
    assert!(zh.contains("为什么是这一天"), "{zh}");
    assert!(zh.contains("国庆节") && zh.contains("调休上班"), "{zh}");
    let en = get(&env, &format!("/cases/{}?lang=en", plain(&tracking))).text();
    assert!(
        en.contains("Why this date") && en.contains("National Day"),
        "{en}"
    );
}

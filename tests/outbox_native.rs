//! The outbox on native adapters, through the desk, `POST /ops/sweep` and the test host's
//! clock: every message is written once with the event that causes it, delivered once however
//! often the sweep runs, retried with backoff, given up after its last try, closed by the
//! gateway's delivery report, and never logged with a whole phone number.

use minyi::app::outbox::{self, BACKOFF_BASE_MS, LEASE_MS, MAX_ATTEMPTS};
use minyi::calendar::Timestamp;
use minyi::store::{Statement, Store};
use minyi_tests::OPS_SECRET;
use minyi_tests::desk_client::{Desk, beijing, json_of};
use minyi_web::{Method, Request, SmsProvider};
use serde_json::{Value, json};

/// The citizen's number in `Desk::citizen_case`.
const CITIZEN_PHONE: &str = "13700137000";
/// The duty phone of department 1's office.
const DEPARTMENT_PHONE: &str = "13900139001";

struct Site {
    desk: Desk,
    operator: String,
    handler: String,
    co_handler: String,
    head: String,
    reviewer: String,
    /// The reviewer's second factor, to log in with a browser.
    reviewer_secret: Vec<u8>,
}

impl Site {
    fn new(now: Timestamp) -> Self {
        let desk = Desk::new(now);
        let secrets = [
            ("wang", "operator"),
            ("lisi", "handler:1"),
            ("sun", "handler:2"),
            ("qian", "head:1"),
            ("zhao", "reviewer"),
        ]
        .map(|(login, role)| (login, desk.account(login, &[role]).expect("2fa")));
        let [operator, handler, co_handler, head, reviewer] = secrets
            .each_ref()
            .map(|(login, secret)| desk.token(login, secret));
        let reviewer_secret = secrets[4].1.clone();
        sql(
            &desk,
            &format!("UPDATE department SET notice_phone = '{DEPARTMENT_PHONE}' WHERE id = 1"),
        );
        Self {
            desk,
            operator,
            handler,
            co_handler,
            head,
            reviewer,
            reviewer_secret,
        }
    }

    fn act(&self, token: &str, tracking: &str, action: &str, body: Value) {
        let (status, answer) = self.desk.act(token, tracking, action, &body);
        assert_eq!(status, 200, "{action}: {answer}");
    }

    /// A citizen's case dispatched to department 1 with department 2 co-handling, accepted,
    /// with the co-handler's opinion in: its tracking number.
    fn replied_case(&self) -> String {
        let (tracking, _) = self.desk.citizen_case();
        self.act(
            &self.operator,
            &tracking,
            "dispatch",
            json!({"lead": 1, "co": [2], "method": "written"}),
        );
        self.act(&self.handler, &tracking, "accept", json!({}));
        self.act(
            &self.co_handler,
            &tracking,
            "opinion",
            json!({"text": "同意"}),
        );
        tracking
    }

    fn publish(&self, tracking: &str) {
        self.act(
            &self.handler,
            tracking,
            "draft",
            json!({"body": "已修复", "truthfulness": "true"}),
        );
        self.act(&self.head, tracking, "sign-off", json!({}));
        self.act(&self.reviewer, tracking, "approve", json!({}));
        self.act(
            &self.reviewer,
            tracking,
            "publish",
            json!({"visibility": "public"}),
        );
    }

    /// One sweep run at `at`: its report.
    fn sweep_at(&self, at: Timestamp) -> Value {
        self.desk.env.host.set(at);
        let r = self.desk.env.send_desk(
            &Request::from_target(Method::Post, "/ops/sweep")
                .with_header("authorization", &format!("Bearer {OPS_SECRET}")),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        json_of(&r)
    }

    /// The outbox as (kind, recipient, state, attempts) of every row, in order.
    fn rows(&self) -> Vec<(String, String, String, i64)> {
        pollster::block_on(self.desk.env.store.query(Statement::new(
            "SELECT kind, recipient || coalesce(':' || department_id, '') AS who, state, attempts \
             FROM outbox ORDER BY id",
        )))
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r.get("kind").expect("kind"),
                r.get("who").expect("who"),
                r.get("state").expect("state"),
                r.get("attempts").expect("attempts"),
            )
        })
        .collect()
    }
}

fn sql(desk: &Desk, sql: &str) {
    pollster::block_on(desk.env.store.execute(Statement::new(sql.to_owned()))).expect(sql);
}

/// A stored tracking number as messages show it: `K7Q-H3X-PD9`.
fn grouped(tracking: &str) -> String {
    format!(
        "{}-{}-{}",
        &tracking[0..3],
        &tracking[3..6],
        &tracking[6..9]
    )
}

fn row(kind: &str, who: &str, state: &str, attempts: i64) -> (String, String, String, i64) {
    (kind.into(), who.into(), state.into(), attempts)
}

#[test]
fn each_message_is_written_with_its_event_and_sent_once() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let site = Site::new(monday);
    let tracking = site.replied_case();
    // The dispatch notified both departments, in the dispatch's own batch.
    assert_eq!(
        site.rows(),
        [
            row("dispatched", "department:1", "pending", 0),
            row("dispatched", "department:2", "pending", 0),
        ]
    );
    // The log provider: department 1's notice goes out; department 2 has no notice number.
    let first = site.sweep_at(monday);
    assert_eq!(first["outbox"]["sent"], 1, "{first}");
    assert_eq!(first["outbox"]["no_address"], 1, "{first}");
    let logged: Vec<String> = site
        .desk
        .env
        .logs
        .borrow()
        .iter()
        .filter(|l| l.contains("outbox"))
        .cloned()
        .collect();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(logged[0].contains(&grouped(&tracking)) && logged[0].contains("139******01"));
    assert!(
        site.desk
            .env
            .logs
            .borrow()
            .iter()
            .all(|l| !l.contains(DEPARTMENT_PHONE) && !l.contains(CITIZEN_PHONE)),
        "a whole number reached the log"
    );
    // Again at once, and again later: nothing is sent twice.
    for at in [monday, beijing(2026, 11, 23, 10, 0)] {
        let again = site.sweep_at(at);
        assert_eq!(again["outbox"]["sent"], 0, "{again}");
        assert_eq!(again["outbox"]["skipped"], 0, "{again}");
    }
    // The reply tells the citizen, once.
    site.publish(&tracking);
    let replied = site.sweep_at(beijing(2026, 11, 23, 11, 0));
    assert_eq!(replied["outbox"]["sent"], 1, "{replied}");
    assert_eq!(
        site.rows(),
        [
            row("dispatched", "department:1", "sent", 1),
            row("dispatched", "department:2", "no_address", 1),
            row("replied", "citizen", "sent", 1),
        ]
    );
    let citizen_line = site
        .desk
        .env
        .logs
        .borrow()
        .iter()
        .rfind(|l| l.contains("outbox"))
        .cloned()
        .expect("logged");
    assert!(
        citizen_line.contains("137******00") && citizen_line.contains("您的诉求"),
        "{citizen_line}"
    );
}

#[test]
fn reminders_and_escalations_notify_the_lead_once_each() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let site = Site::new(monday);
    let tracking = site.replied_case();
    let due: String =
        minyi_tests::desk_client::column(&site.desk.env, &tracking, "due_at").expect("deadline");
    let due = Timestamp::from_millisecond(due.parse().expect("ms")).expect("instant");
    // Far past the deadline: the runs catch up (reminder dropped for the escalation, then
    // the second escalation), and each escalation is one notice.
    let late = Timestamp::from_millisecond(due.as_millisecond() + 30 * 86_400_000).expect("t");
    for _ in 0..4 {
        site.sweep_at(late);
    }
    let kinds: Vec<(String, String, String, i64)> = site
        .rows()
        .into_iter()
        .filter(|(_, who, _, _)| who == "department:1")
        .collect();
    let escalations = pollster::block_on(site.desk.env.store.query(Statement::new(
        "SELECT count(*) AS n FROM case_event WHERE kind IN ('escalated', 'reminded')",
    )))
    .expect("count")[0]
        .get::<i64>("n")
        .expect("n");
    // One notice per dispatch, reminder and escalation event, each sent once.
    assert_eq!(kinds.len() as i64, 1 + escalations, "{kinds:?}");
    assert!(escalations >= 2, "{escalations}");
    assert!(
        kinds
            .iter()
            .all(|(_, _, state, attempts)| state == "sent" && *attempts == 1),
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|(k, ..)| k == "escalated"));
}

#[test]
fn the_gateway_gets_each_message_once_with_retries_backoff_and_a_final_failure() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let mut site = Site::new(monday);
    site.desk.env.config.sms = SmsProvider::Http {
        url: "https://sms.city.example/send".into(),
        token: Some("gateway-token".into()),
    };
    let site = site;
    // The gateway is down for the first two tries, then takes the message.
    site.desk
        .env
        .gateway_replies
        .borrow_mut()
        .extend([Ok((503, String::new())), Err("connection refused".into())]);
    let tracking = site.replied_case();
    let first = site.sweep_at(monday);
    assert_eq!(first["outbox"]["retrying"], 1, "{first}");
    // Not due again before its backoff.
    let early =
        site.sweep_at(Timestamp::from_millisecond(monday.as_millisecond() + 60_000).expect("t"));
    assert_eq!(early["outbox"]["retrying"], 0, "{early}");
    let t1 = monday.as_millisecond() + BACKOFF_BASE_MS;
    let second = site.sweep_at(Timestamp::from_millisecond(t1).expect("t"));
    assert_eq!(second["outbox"]["retrying"], 1, "{second}");
    // The second retry waits twice as long.
    let t2 = t1 + 2 * BACKOFF_BASE_MS;
    let not_yet = site.sweep_at(Timestamp::from_millisecond(t2 - 60_000).expect("t"));
    assert_eq!(not_yet["outbox"]["sent"], 0, "{not_yet}");
    let third = site.sweep_at(Timestamp::from_millisecond(t2).expect("t"));
    assert_eq!(third["outbox"]["sent"], 1, "{third}");
    {
        let posted = site.desk.env.gateway.borrow();
        assert_eq!(posted.len(), 3, "three tries of one message");
        for (url, auth, body) in posted.iter() {
            assert_eq!(url, "https://sms.city.example/send");
            assert_eq!(auth.as_deref(), Some("Bearer gateway-token"));
            assert_eq!(body["to"], DEPARTMENT_PHONE);
            assert_eq!(body["id"], posted[0].2["id"], "one dedupe id for every try");
            assert!(
                body["text"]
                    .as_str()
                    .expect("text")
                    .contains(&grouped(&tracking))
            );
        }
    }
    // The gateway's delivery report closes it; an unknown id matches nothing.
    let receipts = site.desk.env.send_desk(
        &Request::from_target(Method::Post, "/ops/outbox/receipts")
            .with_header("authorization", &format!("Bearer {OPS_SECRET}"))
            .with_header("content-type", "application/json")
            .with_body(
                json!([{"id": "gw-3", "delivered": true}, {"id": "nope", "delivered": false}])
                    .to_string(),
            ),
    );
    assert_eq!(json_of(&receipts)["matched"], 1, "{}", receipts.text());
    assert_eq!(
        site.rows()[0],
        row("dispatched", "department:1", "delivered", 3)
    );
    let malformed = site.desk.env.send_desk(
        &Request::from_target(Method::Post, "/ops/outbox/receipts")
            .with_header("authorization", &format!("Bearer {OPS_SECRET}"))
            .with_header("content-type", "application/json")
            .with_body(json!([{"id": "gw-3"}]).to_string()),
    );
    assert_eq!(malformed.status, 400, "{}", malformed.text());

    // The citizen's message meets a gateway that never answers well: MAX_ATTEMPTS tries,
    // then failed, and no more tries.
    site.publish(&tracking);
    site.desk
        .env
        .gateway_replies
        .borrow_mut()
        .extend((0..MAX_ATTEMPTS).map(|_| Ok((500, String::new()))));
    let mut at = beijing(2026, 11, 24, 9, 0).as_millisecond();
    let posted_before = site.desk.env.gateway.borrow().len();
    for attempt in 1..=MAX_ATTEMPTS {
        let run = site.sweep_at(Timestamp::from_millisecond(at).expect("t"));
        let expect = if attempt < MAX_ATTEMPTS {
            "retrying"
        } else {
            "failed"
        };
        assert_eq!(run["outbox"][expect], 1, "try {attempt}: {run}");
        at += outbox::backoff(attempt);
    }
    let after = site.sweep_at(Timestamp::from_millisecond(at + 86_400_000).expect("t"));
    assert_eq!(
        after["outbox"],
        json!({"sent": 0, "retrying": 0, "failed": 0, "no_address": 0, "skipped": 0})
    );
    assert_eq!(
        site.desk.env.gateway.borrow().len() - posted_before,
        MAX_ATTEMPTS as usize
    );
    assert_eq!(
        site.rows().last().cloned(),
        Some(row("replied", "citizen", "failed", i64::from(MAX_ATTEMPTS)))
    );
    // The desk's case view shows the case's messages and what became of them.
    let view = minyi_tests::desk_client::page(
        &site.desk.env,
        &format!("/desk/cases/{tracking}"),
        &site.desk.login("zhao", &site.reviewer_secret),
    );
    let html = view.text();
    assert_eq!(view.status, 200, "{html}");
    for shown in [
        "外发消息",
        "交办通知",
        "已送达",
        "答复通知",
        "发送失败",
        "HTTP 500",
    ] {
        assert!(html.contains(shown), "{shown} not on the case view");
    }
}

#[test]
fn a_refusal_is_final_and_a_lapsed_claim_is_tried_again() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let mut site = Site::new(monday);
    site.desk.env.config.sms = SmsProvider::Http {
        url: "https://sms.city.example/send".into(),
        token: None,
    };
    let site = site;
    site.desk
        .env
        .gateway_replies
        .borrow_mut()
        .push_back(Ok((400, r#"{"error": "bad number"}"#.into())));
    site.replied_case();
    let run = site.sweep_at(monday);
    assert_eq!(run["outbox"]["failed"], 1, "{run}");
    assert_eq!(
        site.desk.env.gateway.borrow()[0].1,
        None,
        "no token, no header"
    );

    // A run that claimed a message and died before the gateway answered: the claim lapses
    // after the lease and the next run sends it (the gateway sees the same id).
    let (tracking, _) = site.desk.citizen_case();
    site.act(
        &site.operator,
        &tracking,
        "dispatch",
        json!({"lead": 1, "method": "written"}),
    );
    let claimed_until = monday.as_millisecond() + LEASE_MS;
    sql(
        &site.desk,
        &format!(
            "UPDATE outbox SET state = 'sending', attempts = 1, next_attempt_at = {claimed_until} \
             WHERE state = 'pending'"
        ),
    );
    let during = site.sweep_at(Timestamp::from_millisecond(claimed_until - 1).expect("t"));
    assert_eq!(during["outbox"]["sent"], 0, "{during}");
    let after = site.sweep_at(Timestamp::from_millisecond(claimed_until).expect("t"));
    assert_eq!(after["outbox"]["sent"], 1, "{after}");
    assert_eq!(site.rows().last().expect("row").3, 2, "the second try");
}

#[test]
fn the_due_messages_are_a_range_scan_of_the_partial_index() {
    let site = Site::new(beijing(2026, 11, 23, 9, 0));
    let plan = pollster::block_on(
        site.desk.env.store.query(
            Statement::new(format!("EXPLAIN QUERY PLAN {}", outbox::DUE_SQL))
                .bind(0_i64)
                .bind(10_i64),
        ),
    )
    .expect("plan");
    let details: Vec<String> = plan
        .iter()
        .map(|r| r.get("detail").expect("detail"))
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("outbox_due") && d.contains("next_attempt_at<?")),
        "{details:?}"
    );
    assert!(
        details.iter().all(|d| !d.starts_with("SCAN")),
        "no table is scanned: {details:?}"
    );
}

#[test]
fn aliyun_gets_the_case_as_template_parameters_and_a_kind_without_a_template_fails_for_good() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let mut site = Site::new(monday);
    site.desk.env.config.sms = SmsProvider::Aliyun {
        access_key_id: "LTAI5tTest".into(),
        access_key_secret: "aliyun secret".into(),
        sign_name: "民意".into(),
        templates: outbox::Templates::parse(r#"{"dispatched": "SMS_100"}"#).expect("templates"),
        endpoint: minyi_web::ALIYUN_SMS_API.into(),
    };
    site.desk.env.config.sms_webhooks.callback_token = Some(CALLBACK.into());
    site.desk.env.outbound_reply = Ok((
        200,
        r#"{"Message":"OK","RequestId":"R1","Code":"OK","BizId":"900619746936498440^0"}"#.into(),
    ));
    let site = site;
    let tracking = site.replied_case();
    let first = site.sweep_at(monday);
    assert_eq!(first["outbox"]["sent"], 1, "{first}");
    let due: String =
        minyi_tests::desk_client::column(&site.desk.env, &tracking, "due_at").expect("deadline");
    let due = Timestamp::from_millisecond(due.parse().expect("ms")).expect("instant");
    {
        let posted = site.desk.env.outbound.borrow();
        assert_eq!(posted.len(), 1, "{posted:?}");
        let (url, fields) = &posted[0];
        assert_eq!(url, "https://dysmsapi.aliyuncs.com/");
        let field = |n: &str| {
            fields
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("no {n} in {fields:?}"))
        };
        assert_eq!(field("Action"), "SendSms");
        assert_eq!(field("PhoneNumbers"), DEPARTMENT_PHONE);
        assert_eq!(field("SignName"), "民意");
        assert_eq!(field("TemplateCode"), "SMS_100");
        // The case, structurally: the department, the tracking number, the deadline.
        let param: Value = serde_json::from_str(field("TemplateParam")).expect("JSON");
        assert_eq!(
            param,
            json!({"department": "市城管局", "tracking": grouped(&tracking),
                "due": minyi::calendar::iso::beijing_minutes(due)})
        );
        let key: String = pollster::block_on(site.desk.env.store.query(Statement::new(
            "SELECT dedupe_key FROM outbox WHERE kind = 'dispatched' AND department_id = 1",
        )))
        .expect("row")[0]
            .get("dedupe_key")
            .expect("key");
        assert_eq!(field("OutId"), key);
        assert_eq!(field("Timestamp"), "2026-11-23T01:00:00Z");
        assert_eq!(field("SignatureNonce").len(), 32);
        assert!(!field("Signature").is_empty());
    }
    let provider_ref = "SELECT count(*) AS n FROM outbox WHERE provider = 'aliyun' \
                        AND provider_ref = '900619746936498440^0'";
    assert_eq!(
        count(&site, &format!("{provider_ref} AND state = 'sent'")),
        1
    );
    // The reply notice has no template: refused at once, with the reason, never retried.
    site.publish(&tracking);
    let replied = site.sweep_at(beijing(2026, 11, 23, 11, 0));
    assert_eq!(replied["outbox"]["failed"], 1, "{replied}");
    assert_eq!(
        site.desk.env.outbound.borrow().len(),
        1,
        "nothing sent for it"
    );
    let error: String = pollster::block_on(site.desk.env.store.query(Statement::new(
        "SELECT last_error FROM outbox WHERE kind = 'replied' AND state = 'failed' AND attempts = 1",
    )))
    .expect("row")[0]
        .get("last_error")
        .expect("error");
    assert!(
        error.contains("未配置") && error.contains("replied"),
        "{error}"
    );
    // Aliyun's delivery report names the message by its BizId and closes it.
    let report = site.desk.env.send_provider(
        &Request::from_target(Method::Post, &format!("/sms/aliyun/{CALLBACK}/report"))
            .with_header("content-type", "application/json")
            .with_body(
                json!([{"phone_number": DEPARTMENT_PHONE, "send_time": "2026-11-23 09:00:01",
                    "report_time": "2026-11-23 09:00:05", "success": true, "err_code": "DELIVERED",
                    "err_msg": "用户接收成功", "biz_id": "900619746936498440^0", "out_id": "x"}])
                .to_string(),
            ),
    );
    assert_eq!(report.status, 200, "{}", report.text());
    assert_eq!(
        count(&site, &format!("{provider_ref} AND state = 'delivered'")),
        1
    );
}

/// The Aliyun and Tencent callbacks' path token in these tests.
const CALLBACK: &str = "Cb7q9ZxW4mN2pL8vR3tY6uJ1kH5gF0dS";

fn count(site: &Site, sql: &str) -> i64 {
    pollster::block_on(site.desk.env.store.query(Statement::new(sql.to_owned()))).expect(sql)[0]
        .get("n")
        .expect("n")
}

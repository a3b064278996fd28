//! Open meetings on native adapters, through the desk, the public site, the SMS webhook and the
//! sweep, with the test host's clock: an announcement refused when it comes too late, sign-up
//! by web and by SMS (one per number), the draw at the close (once, reproducible by anyone from
//! the published list and seed), every notice in the outbox, a cancellation promoting the next
//! on the waitlist, attendance, and the registrations' CSV.

use hmac::{KeyInit, Mac};
use minyi::calendar::Timestamp;
use minyi::meeting::{Entry, Selection, commitment, draw};
use minyi::store::{Statement, Store};
use minyi_tests::OPS_SECRET;
use minyi_tests::desk_client::{Desk, api, beijing, json_of};
use minyi_web::{Method, Request, Response, SmsWebhooks};
use serde_json::json;

const TWILIO_TOKEN: &str = "twilio auth token of the test account";
const PUBLIC_URL: &str = "https://sms.city.example";

struct Site {
    desk: Desk,
    /// The operator's second factor: a session is opened for each request (the tests move
    /// the clock past a session's idle limit).
    operator: Vec<u8>,
}

impl Site {
    fn new(now: Timestamp) -> Self {
        let mut desk = Desk::new(now);
        desk.env.config.sms_webhooks = SmsWebhooks {
            twilio_auth_token: Some(TWILIO_TOKEN.into()),
            public_url: Some(PUBLIC_URL.into()),
            callback_token: None,
            allow_from: Vec::new(),
        };
        let operator = desk.account("wang", &["operator"]).expect("2fa");
        Self { desk, operator }
    }

    fn token(&self) -> String {
        self.desk.token("wang", &self.operator)
    }

    fn staff(&self, method: Method, path: &str, body: &serde_json::Value) -> Response {
        self.desk
            .env
            .send_desk(&api(method, path, Some(&self.token()), body))
    }

    fn register(&self, name: &str, phone: &str) -> Response {
        let form: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("name", name),
                ("phone", phone),
                ("opinion", "建议延长公交末班车"),
            ])
            .finish();
        self.desk.env.send(
            &Request::from_target(Method::Post, "/submit/meetings/M26")
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_header("sec-fetch-site", "same-origin")
                .with_body(form),
        )
    }

    /// A text message through the Twilio webhook: the TwiML answer's text.
    fn sms(&self, sid: &str, from: &str, body: &str) -> String {
        let params = [("MessageSid", sid), ("From", from), ("Body", body)];
        let mut sorted = params.to_vec();
        sorted.sort();
        let mut mac =
            hmac::Hmac::<sha1::Sha1>::new_from_slice(TWILIO_TOKEN.as_bytes()).expect("key");
        mac.update(format!("{PUBLIC_URL}/sms/twilio").as_bytes());
        for (k, v) in sorted {
            mac.update(k.as_bytes());
            mac.update(v.as_bytes());
        }
        let signature = {
            use base64ct::Encoding;
            base64ct::Base64::encode_string(&mac.finalize().into_bytes())
        };
        let form: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let r = self.desk.env.send_provider(
            &Request::from_target(Method::Post, "/sms/twilio")
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_header("x-twilio-signature", &signature)
                .with_body(form),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.text()
    }

    fn sweep_at(&self, at: Timestamp) -> serde_json::Value {
        self.desk.env.host.set(at);
        json_of(
            &self.desk.env.send_desk(
                &Request::from_target(Method::Post, "/ops/sweep")
                    .with_header("authorization", &format!("Bearer {OPS_SECRET}")),
            ),
        )
    }

    fn count(&self, sql: &str) -> i64 {
        pollster::block_on(self.desk.env.store.query(Statement::new(sql.to_owned()))).expect(sql)[0]
            .get("n")
            .expect("n")
    }
}

fn meeting() -> serde_json::Value {
    // Thursday 2026-12-03 at 14:30, registration Monday 11-23 09:00 to Tuesday 12-01 17:00.
    json!({"code": "m26", "title": "研究公交线网优化方案", "topics": "urban: 公交线网优化\nwater: 供水价格调整",
        "place": "市政府第一会议室", "starts_at": "2026-12-03T14:30", "opens_at": "2026-11-23T09:00",
        "closes_at": "2026-12-01T17:00", "stream_url": "https://live.city.example/m26",
        "capacity": "3", "selection": "lottery"})
}

#[test]
fn a_meeting_from_announcement_to_attendance() {
    // Monday 2026-11-30: Tuesday, Wednesday and Thursday are only... Thursday 12-03 is 3
    // working days after Monday 11-30 (12-01, 12-02, 12-03): in time; on Tuesday 12-01 it is not.
    let site = Site::new(beijing(2026, 12, 1, 9, 0));
    let created = site.staff(Method::Post, "/desk/meetings", &meeting());
    assert_eq!(created.status, 201, "{}", created.text());
    let late = site.staff(Method::Post, "/desk/meetings/M26/publish", &json!({}));
    assert_eq!(late.status, 400, "{}", late.text());
    assert!(late.text().contains("3个工作日"), "{}", late.text());
    // Not published: the public sees nothing.
    let hidden = site
        .desk
        .env
        .send(&Request::from_target(Method::Get, "/meetings/M26"));
    assert_eq!(hidden.status, 404);

    let site = Site::new(beijing(2026, 11, 23, 9, 0));
    assert_eq!(
        site.staff(Method::Post, "/desk/meetings", &meeting())
            .status,
        201
    );
    let published = site.staff(Method::Post, "/desk/meetings/M26/publish", &json!({}));
    assert_eq!(published.status, 200, "{}", published.text());
    let page = site
        .desk
        .env
        .send(&Request::from_target(Method::Get, "/meetings/M26"));
    let html = page.text();
    assert_eq!(page.status, 200, "{html}");
    for shown in [
        "研究公交线网优化方案",
        "公交线网优化",
        "供水价格调整",
        "市政府第一会议室",
        "BM ",
        "报名",
    ] {
        assert!(html.contains(shown), "{shown} not on the page");
    }
    let seed_commitment = html
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .expect("commitment")
        .to_owned();
    assert_eq!(seed_commitment.len(), 64);
    let ics = site
        .desk
        .env
        .send(&Request::from_target(Method::Get, "/meetings/M26.ics"));
    assert!(
        ics.text().starts_with("BEGIN:VCALENDAR\r\n")
            && ics.text().contains("DTSTART:20261203T063000Z")
    );

    // Seven sign up on the web, one twice; one by SMS; one more by SMS without a name.
    let mut codes = Vec::new();
    for i in 0..7 {
        let r = site.register(&format!("市民{i}"), &format!("1370013700{i}"));
        assert_eq!(r.status, 200, "{}", r.text());
        codes.push(r.text());
    }
    let again = site.register("市民0", "13700137000");
    assert!(again.text().contains("已报名"), "{}", again.text());
    assert!(
        !again.text().contains("class=\"big\""),
        "a number's code is never shown to whoever types the number again"
    );
    let by_sms = site.sms("SMm1", "+8613900139000", "ｂｍ m26 张三");
    assert!(
        by_sms.contains("已报名会议M26") && by_sms.contains("报名码"),
        "{by_sms}"
    );
    assert!(
        site.sms("SMm2", "+8613900139001", "BM M26")
            .contains("姓名")
    );
    assert_eq!(
        site.count("SELECT count(*) AS n FROM meeting_registration"),
        8
    );

    // Closed: the sweep draws once.
    let close = beijing(2026, 12, 1, 17, 5);
    assert_eq!(site.sweep_at(close)["meetings_drawn"], 1);
    assert_eq!(site.sweep_at(close)["meetings_drawn"], 0);
    assert_eq!(site.count("SELECT count(*) AS n FROM meeting_draw"), 1);
    assert_eq!(
        site.count("SELECT count(*) AS n FROM meeting_registration WHERE state = 'selected'"),
        3
    );
    assert_eq!(
        site.count("SELECT count(*) AS n FROM meeting_registration WHERE state = 'waitlisted'"),
        5
    );
    // Everyone was told, once (the log provider sent them in the same run).
    assert_eq!(
        site.count(
            "SELECT count(*) AS n FROM outbox WHERE kind = 'meeting_notice' AND state = 'sent'"
        ),
        8
    );
    // The public page now shows the seed and the draw list; anyone can re-run it.
    let html = site
        .desk
        .env
        .send(&Request::from_target(Method::Get, "/meetings/M26"))
        .text();
    let seed = html
        .split("<code>")
        .nth(2)
        .and_then(|s| s.split("</code>").next())
        .expect("seed")
        .to_owned();
    assert_eq!(
        commitment(&seed),
        seed_commitment,
        "the seed matches its commitment"
    );
    let listed: Vec<String> = html
        .split("<td><code>")
        .skip(1)
        .map(|s| s.split("</code>").next().expect("code").to_owned())
        .collect();
    assert_eq!(listed.len(), 8);
    let entries: Vec<Entry> = listed
        .iter()
        .rev()
        .map(|code| Entry {
            code: code.clone(),
            arrived: 0,
        })
        .collect();
    let rerun: Vec<String> = draw(Selection::Lottery, &seed, &entries)
        .into_iter()
        .map(|e| e.code)
        .collect();
    assert_eq!(rerun, listed, "the published order is the lottery's");

    // A selected citizen by SMS gives up: the first on the waitlist moves up and is told.
    let first_selected: String = pollster::block_on(site.desk.env.store.query(Statement::new(
        "SELECT phone FROM meeting_registration WHERE rank = 1",
    )))
    .expect("row")[0]
        .get("phone")
        .expect("phone");
    let next: String = pollster::block_on(site.desk.env.store.query(Statement::new(
        "SELECT code FROM meeting_registration WHERE rank = 4",
    )))
    .expect("row")[0]
        .get("code")
        .expect("code");
    let gave_up = site.sms("SMm3", &format!("+86{first_selected}"), "QX");
    assert!(gave_up.contains("放弃"), "{gave_up}");
    assert_eq!(
        site.count(&format!(
            "SELECT count(*) AS n FROM meeting_registration WHERE code = '{next}' AND state = 'selected'"
        )),
        1
    );
    assert_eq!(
        site.count("SELECT count(*) AS n FROM outbox WHERE dedupe_key LIKE 'meeting/%/promoted/%'"),
        1
    );
    // Giving up twice promotes no one more.
    site.sms("SMm4", &format!("+86{first_selected}"), "QX");
    assert_eq!(
        site.count("SELECT count(*) AS n FROM meeting_registration WHERE state = 'selected'"),
        3
    );
    // The promoted citizen confirms on the web with the code and the number.
    let phone: String = pollster::block_on(site.desk.env.store.query(
        Statement::new("SELECT phone FROM meeting_registration WHERE code = ?").bind(next.as_str()),
    ))
    .expect("row")[0]
        .get("phone")
        .expect("phone");
    let form: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("answer", "confirm"),
            ("registration", next.as_str()),
            ("phone", phone.as_str()),
        ])
        .finish();
    let confirmed = site.desk.env.send(
        &Request::from_target(Method::Post, "/submit/meetings/M26/answer")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("sec-fetch-site", "same-origin")
            .with_body(form),
    );
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    // Attendance by registration code; a waitlisted code cannot be marked present.
    let attended = site.staff(
        Method::Post,
        "/desk/meetings/M26/attend",
        &json!({"registration": next}),
    );
    assert_eq!(attended.status, 200, "{}", attended.text());
    let waiting: String = pollster::block_on(site.desk.env.store.query(Statement::new(
        "SELECT code FROM meeting_registration WHERE state = 'waitlisted' LIMIT 1",
    )))
    .expect("row")[0]
        .get("code")
        .expect("code");
    let refused = site.staff(
        Method::Post,
        "/desk/meetings/M26/attend",
        &json!({"registration": waiting}),
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    // The CSV for a spreadsheet: BOM, Chinese names intact, every registration.
    let csv = site.desk.env.send_desk(
        &Request::from_target(Method::Get, "/desk/meetings/M26/registrations.csv")
            .with_header("authorization", &format!("Bearer {}", site.token())),
    );
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("\u{FEFF}顺序,报名码,姓名".as_bytes()));
    let text = csv.text();
    assert!(
        text.contains("\"张三\"") && text.contains("attended"),
        "{text}"
    );
    assert_eq!(text.matches("\r\n").count(), 9);
    // The public page never shows a name or a number.
    let html = site
        .desk
        .env
        .send(&Request::from_target(Method::Get, "/meetings/M26"))
        .text();
    assert!(!html.contains("张三") && !html.contains("13700137000"));
}

#[test]
fn comments_after_the_meeting_become_cases_due_from_the_topics_unit_in_three_working_days() {
    let site = Site::new(beijing(2026, 11, 23, 9, 0));
    assert_eq!(
        site.staff(Method::Post, "/desk/meetings", &meeting())
            .status,
        201
    );
    assert_eq!(
        site.staff(Method::Post, "/desk/meetings/M26/publish", &json!({}))
            .status,
        200
    );
    let comment = |site: &Site| {
        let form: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("topic", "1"),
                ("text", "水价调整应听证"),
                ("phone", "13700137000"),
            ])
            .finish();
        site.desk.env.send(
            &Request::from_target(Method::Post, "/submit/meetings/M26/comment")
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_header("sec-fetch-site", "same-origin")
                .with_body(form),
        )
    };
    // Before the meeting: no comments, and no form on the page.
    assert_eq!(comment(&site).status, 400);
    // Thursday 12-03 at 16:00, after the start: three working days ahead is Tuesday 12-08 (the
    // weekend between).
    site.desk.env.host.set(beijing(2026, 12, 3, 16, 0));
    let page = site
        .desk
        .env
        .send(&Request::from_target(Method::Get, "/meetings/M26"))
        .text();
    assert!(
        page.contains("对议题发表意见") && page.contains("观看直播"),
        "{page}"
    );
    let r = comment(&site);
    assert_eq!(r.status, 200, "{}", r.text());
    let (channel, due, body): (String, i64, String) = {
        let rows = pollster::block_on(site.desk.env.store.query(Statement::new(
            "SELECT channel, due_at, body FROM \"case\" WHERE channel = 'meeting'",
        )))
        .expect("case");
        (
            rows[0].get("channel").expect("channel"),
            rows[0].get("due_at").expect("due"),
            rows[0].get("body").expect("body"),
        )
    };
    assert_eq!(channel, "meeting");
    assert_eq!(
        due,
        beijing(2026, 12, 9, 0, 0).as_millisecond(),
        "end of Tuesday 12-08"
    );
    assert!(
        body.contains("供水价格调整") && body.contains("市水务局"),
        "{body}"
    );
    // The recording replaces the live stream on the page.
    let set = site.staff(
        Method::Post,
        "/desk/meetings/M26/recording",
        &json!({"recording_url": "https://video.city.example/m26"}),
    );
    assert_eq!(set.status, 200, "{}", set.text());
    let page = site
        .desk
        .env
        .send(&Request::from_target(Method::Get, "/meetings/M26"))
        .text();
    assert!(page.contains("观看录像") && page.contains("https://video.city.example/m26"));
    // A week after the start the page takes no more comments.
    site.desk.env.host.set(beijing(2026, 12, 10, 15, 0));
    assert_eq!(comment(&site).status, 400);
}

//! The SMS providers' webhooks on native adapters, through the SMS Worker's serve path:
//! Twilio signed as Twilio signs (computed here, apart from the function's own code), Aliyun
//! and Tencent Cloud in their push formats behind the secret path token. Messages become cases
//! once however often a provider retries, keywords query, opt out and back in, bad signatures
//! and tokens store nothing, answers go inline (TwiML) or through the outbox to the sender.

use hmac::{KeyInit, Mac};
use minyi::calendar::Timestamp;
use minyi::store::{Statement, Store};
use minyi_tests::NativeEnv;
use minyi_tests::desk_client::beijing;
use minyi_web::{Method, Request, Response, SmsWebhooks};
use serde_json::{Value, json};

const TWILIO_TOKEN: &str = "twilio auth token of the test account";
const PUBLIC_URL: &str = "https://sms.city.example";
const CALLBACK: &str = "Cb7q9ZxW4mN2pL8vR3tY6uJ1kH5gF0dS";

fn site(now: Timestamp) -> NativeEnv {
    let mut env = NativeEnv::new(now);
    env.config.sms_webhooks = SmsWebhooks {
        twilio_auth_token: Some(TWILIO_TOKEN.into()),
        public_url: Some(PUBLIC_URL.into()),
        callback_token: Some(CALLBACK.into()),
        allow_from: Vec::new(),
    };
    env.config.limits.submissions_per_hour = 3;
    env
}

/// Twilio's signature: base64 HMAC-SHA1 of the URL and the parameters sorted by name.
fn twilio_signature(url: &str, params: &[(&str, &str)]) -> String {
    use base64ct::Encoding;
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(TWILIO_TOKEN.as_bytes()).expect("key");
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64ct::Base64::encode_string(&mac.finalize().into_bytes())
}

fn twilio(env: &NativeEnv, sid: &str, from: &str, body: &str, signature: Option<&str>) -> Response {
    let params = [
        ("MessageSid", sid),
        ("AccountSid", "AC0123456789"),
        ("From", from),
        ("To", "+8610690000"),
        ("Body", body),
        ("NumMedia", "0"),
    ];
    let signed = twilio_signature(&format!("{PUBLIC_URL}/sms/twilio"), &params);
    let form: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    env.send_provider(
        &Request::from_target(Method::Post, "/sms/twilio")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("x-twilio-signature", signature.unwrap_or(&signed))
            .with_body(form),
    )
}

fn push(env: &NativeEnv, path: &str, body: &Value) -> Response {
    env.send_provider(
        &Request::from_target(Method::Post, path)
            .with_header("content-type", "application/json")
            .with_body(body.to_string()),
    )
}

fn count(env: &NativeEnv, sql: &str) -> i64 {
    pollster::block_on(env.store.query(Statement::new(sql.to_owned()))).expect(sql)[0]
        .get("n")
        .expect("n")
}

fn cases(env: &NativeEnv) -> i64 {
    count(
        env,
        "SELECT count(*) AS n FROM \"case\" WHERE channel = 'sms'",
    )
}

/// The text of a TwiML answer's message, if it has one.
fn message(r: &Response) -> Option<String> {
    let text = r.text();
    let start = text.find("<Message>")? + "<Message>".len();
    let end = text.find("</Message>")?;
    Some(text[start..end].to_owned())
}

#[test]
fn twilio_messages_become_cases_once_and_keywords_answer() {
    let env = site(beijing(2026, 11, 23, 9, 0));
    let first = twilio(&env, "SM001", "+8613700137000", "人民路路灯坏了一周", None);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(
        first.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    let answer = message(&first).expect("an answer");
    assert!(
        answer.contains("已受理") && answer.contains("CX "),
        "{answer}"
    );
    let tracking = answer.rsplit(' ').next().expect("tracking").to_owned();
    // Registered on the SMS channel, private, with the number as its contact (national form).
    assert_eq!(cases(&env), 1);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) AS n FROM \"case\" c JOIN case_contact cc ON cc.case_id = c.id \
             WHERE c.publish_consent = 0 AND cc.phone = '13700137000'"
        ),
        1
    );
    // Twilio retries the same message: no second case, no second answer.
    let retry = twilio(&env, "SM001", "+8613700137000", "人民路路灯坏了一周", None);
    assert_eq!(retry.status, 200);
    assert!(retry.text().ends_with("<Response/>"), "{}", retry.text());
    assert_eq!(cases(&env), 1);

    // The number asks after its case, in any width and with the number typed loosely.
    let query = twilio(
        &env,
        "SM002",
        "+8613700137000",
        &format!("ｃｘ　{}", tracking.to_lowercase()),
        None,
    );
    let answer = message(&query).expect("answer");
    assert!(
        answer.contains(&tracking) && answer.contains("已受理"),
        "{answer}"
    );
    // Another number cannot read it.
    let other = twilio(
        &env,
        "SM003",
        "+8613900139000",
        &format!("CX {tracking}"),
        None,
    );
    assert!(message(&other).expect("answer").contains("未找到"));

    // Opt out, and back in; the opt-out touches only the sender's number.
    let out = twilio(&env, "SM004", "+8613700137000", "TD", None);
    assert!(message(&out).expect("answer").contains("退订"));
    assert_eq!(
        count(
            &env,
            "SELECT count(*) AS n FROM sms_opt_out WHERE phone = '13700137000'"
        ),
        1
    );
    assert_eq!(count(&env, "SELECT count(*) AS n FROM sms_opt_out"), 1);
    twilio(&env, "SM005", "+8613700137000", "恢复", None);
    assert_eq!(count(&env, "SELECT count(*) AS n FROM sms_opt_out"), 0);
    let help = twilio(&env, "SM006", "+8613700137000", "帮助", None);
    assert!(message(&help).expect("help").contains("CX"));
    // Nothing of the kind ever becomes a case.
    assert_eq!(cases(&env), 1);
}

#[test]
fn bad_signatures_are_refused_and_store_nothing() {
    let env = site(beijing(2026, 11, 23, 9, 0));
    let inbound = "SELECT count(*) AS n FROM sms_inbound";
    for signature in ["", "AAAA", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="] {
        let r = twilio(&env, "SM100", "+8613700137000", "路灯坏了", Some(signature));
        assert_eq!(r.status, 403, "{signature:?}");
    }
    // Signed for another URL (a proxy that rewrote it, or a replay elsewhere).
    let params = [
        ("MessageSid", "SM101"),
        ("From", "+8613700137000"),
        ("Body", "x"),
    ];
    let elsewhere = twilio_signature("https://elsewhere.example/sms/twilio", &params);
    let r = env.send_provider(
        &Request::from_target(Method::Post, "/sms/twilio")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_header("x-twilio-signature", &elsewhere)
            .with_body("MessageSid=SM101&From=%2B8613700137000&Body=x"),
    );
    assert_eq!(r.status, 403);
    assert_eq!((cases(&env), count(&env, inbound)), (0, 0));
    // Wrong callback tokens: as if there were no such path.
    for path in [
        "/sms/aliyun/wrong-token/up",
        &format!("/sms/aliyun/{}/up", &CALLBACK[1..]),
        "/sms/tencent/x/reply",
    ] {
        let r = push(
            &env,
            path,
            &json!([{"phone_number": "13700137000", "content": "hi",
            "send_time": "2026-11-23 09:00:00", "dest_code": "1", "sequence_id": 1}]),
        );
        assert_eq!(r.status, 404, "{path}");
    }
    assert_eq!((cases(&env), count(&env, inbound)), (0, 0));
    // Without a configured secret a provider has no webhook at all.
    let mut off = site(beijing(2026, 11, 23, 9, 0));
    off.config.sms_webhooks = SmsWebhooks::default();
    assert_eq!(twilio(&off, "SM1", "+8613700137000", "x", None).status, 404);
    // An address list, when set, refuses every other sender.
    let mut listed = site(beijing(2026, 11, 23, 9, 0));
    listed.config.sms_webhooks.allow_from = vec!["203.0.113.7".into()];
    let path = format!("/sms/aliyun/{CALLBACK}/up");
    let from = |ip: &str| {
        let mut req = Request::from_target(Method::Get, &path);
        req.client_ip = Some(ip.into());
        listed.send_provider(&req).status
    };
    assert_eq!((from("198.51.100.1"), from("203.0.113.7")), (404, 200));
}

#[test]
fn aliyun_pushes_are_taken_once_and_answered_through_the_outbox() {
    let env = site(beijing(2026, 11, 23, 9, 0));
    let up = format!("/sms/aliyun/{CALLBACK}/up");
    // The console's connectivity check.
    let check = env.send_provider(&Request::from_target(Method::Get, &up));
    assert_eq!(check.status, 200);
    let ack: Value = serde_json::from_slice(&check.body).expect("json");
    assert_eq!(ack, json!({"code": 0, "msg": "接收成功"}));
    let messages = json!([
        {"phone_number": "13700137000", "content": "小区垃圾无人清运", "send_time": "2026-11-23 09:00:00",
         "dest_code": "1069", "sequence_id": 7001},
        {"phone_number": "13900139000", "content": "帮助", "send_time": "2026-11-23 09:00:05",
         "dest_code": "1069", "sequence_id": 7002}
    ]);
    let r = push(&env, &up, &messages);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(serde_json::from_slice::<Value>(&r.body).expect("json"), ack);
    assert_eq!(cases(&env), 1);
    let answers =
        "SELECT count(*) AS n FROM outbox WHERE kind = 'sms_answer' AND recipient = 'sender'";
    assert_eq!(count(&env, answers), 2);
    // Aliyun pushes the same batch again: nothing new.
    push(&env, &up, &messages);
    assert_eq!((cases(&env), count(&env, answers)), (1, 2));
    // A malformed item refuses the whole push, nothing taken.
    let bad = push(
        &env,
        &up,
        &json!([
            {"phone_number": "13700137001", "content": "新问题", "send_time": "t", "sequence_id": 7003},
            {"phone_number": "13700137002", "send_time": "t", "sequence_id": 7004}
        ]),
    );
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert_eq!(cases(&env), 1);

    // The sweep sends the answers to their senders through the gateway.
    let mut env = env;
    env.config.sms = minyi_web::SmsProvider::Http {
        url: "https://sms.city.example/send".into(),
        token: None,
    };
    let sweep = env.send_desk(
        &Request::from_target(Method::Post, "/ops/sweep").with_header(
            "authorization",
            &format!("Bearer {}", minyi_tests::OPS_SECRET),
        ),
    );
    assert_eq!(sweep.status, 200, "{}", sweep.text());
    let sent = env.gateway.borrow();
    let mut to: Vec<(String, bool)> = sent
        .iter()
        .map(|(_, _, b)| {
            (
                b["to"].as_str().expect("to").to_owned(),
                b["text"].as_str().expect("text").contains("已受理"),
            )
        })
        .collect();
    to.sort();
    assert_eq!(
        to,
        [("13700137000".into(), true), ("13900139000".into(), false)]
    );
}

#[test]
fn delivery_reports_close_sent_messages() {
    let env = site(beijing(2026, 11, 23, 9, 0));
    twilio(&env, "SM1", "+8613700137000", "路灯坏了", None);
    let case_id = count(&env, "SELECT id AS n FROM \"case\"");
    for (provider, reference) in [("aliyun", "biz-1"), ("tencent", "sid-1")] {
        pollster::block_on(
            env.store.execute(
                Statement::new(
                    "INSERT INTO outbox (dedupe_key, case_id, kind, recipient, state, attempts, \
                 created_at, provider, provider_ref, sent_at) \
                 VALUES (?, ?, 'replied', 'citizen', 'sent', 1, 0, ?, ?, 0)",
                )
                .bind(format!("test/{provider}"))
                .bind(case_id)
                .bind(provider)
                .bind(reference),
            ),
        )
        .expect("row");
    }
    let report = push(
        &env,
        &format!("/sms/aliyun/{CALLBACK}/report"),
        &json!([{"phone_number": "13700137000", "send_time": "2026-11-23 09:00:00",
            "report_time": "2026-11-23 09:00:03", "success": true, "err_code": "DELIVERED",
            "err_msg": "用户接收成功", "biz_id": "biz-1", "out_id": "x"}]),
    );
    assert_eq!(report.status, 200, "{}", report.text());
    let status = push(
        &env,
        &format!("/sms/tencent/{CALLBACK}/status"),
        &json!([{"user_receive_time": "2026-11-23 09:00:04", "nationcode": "86",
            "mobile": "13700137000", "report_status": "FAIL", "errmsg": "MK:0001",
            "description": "用户手机关机", "sid": "sid-1"}]),
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&status.body).expect("json"),
        json!({"result": 0, "errmsg": "OK"})
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) AS n FROM outbox WHERE provider = 'aliyun' AND state = 'delivered'"
        ),
        1
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) AS n FROM outbox WHERE provider = 'tencent' AND state = 'undelivered'"
        ),
        1
    );
}

#[test]
fn tencent_replies_without_ids_are_known_by_number_time_and_text() {
    let env = site(beijing(2026, 11, 23, 9, 0));
    let reply = format!("/sms/tencent/{CALLBACK}/reply");
    let message = json!({"extend": "", "mobile": "13700137000", "nationcode": "86",
        "sign": "民意", "text": "公交站牌损坏", "time": 1_795_395_600});
    let r = push(&env, &reply, &message);
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).expect("json"),
        json!({"result": 0, "errmsg": "OK"})
    );
    push(&env, &reply, &message);
    assert_eq!(cases(&env), 1);
    // The same words at another time are another message.
    let mut later = message.clone();
    later["time"] = json!(1_795_395_700);
    push(&env, &reply, &later);
    assert_eq!(cases(&env), 2);
    // A number may open at most its hourly budget of cases (3 here); then it is told to wait.
    for (i, t) in [1, 2, 3].iter().enumerate() {
        let mut more = message.clone();
        more["time"] = json!(1_795_395_800 + t);
        more["text"] = json!(format!("第{i}个问题"));
        push(&env, &reply, &more);
    }
    assert_eq!(cases(&env), 3);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) AS n FROM outbox WHERE body LIKE '%过于频繁%'"
        ),
        2
    );
}

#[test]
fn random_messages_never_opt_out_another_number_nor_open_a_case_twice() {
    let mut env = site(beijing(2026, 11, 23, 9, 0));
    env.config.limits.submissions_per_hour = 10_000;
    let pieces = [
        "CX ",
        "查询",
        "BM ",
        "报名",
        "QR",
        "确认",
        "取消",
        "TD",
        "退订",
        "T",
        "R",
        "STOP",
        "ＳＴＯＰ",
        "恢复",
        "START",
        "帮助",
        "K7Q-H3X-PD9",
        " ",
        "\u{3000}",
        "路灯不亮",
        "噪音",
        "。",
        "!",
    ];
    let phones = ["+8613700137000", "+8613800138000", "+14155550100"];
    let mut seed: u64 = 0x2026_1127;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).expect("fits") % n
    };
    let mut opted: Vec<&str> = Vec::new();
    let mut messages = 0;
    for i in 0..300 {
        let phone = phones[next(phones.len())];
        let text: String = (0..=next(4)).map(|_| pieces[next(pieces.len())]).collect();
        let sid = format!("SMF{i:04}");
        let r = twilio(&env, &sid, phone, &text, None);
        assert_eq!(r.status, 200, "{text:?}: {}", r.text());
        // The same delivery again changes nothing.
        assert!(
            twilio(&env, &sid, phone, &text, None)
                .text()
                .ends_with("<Response/>")
        );
        match minyi::sms::parse(&text) {
            minyi::sms::Keyword::OptOut => opted.push(phone),
            minyi::sms::Keyword::OptIn => opted.retain(|p| *p != phone),
            minyi::sms::Keyword::Message(m) if !m.is_empty() => messages += 1,
            _ => {}
        }
    }
    let mut want: Vec<String> = opted
        .iter()
        .map(|p| minyi::app::sms::normalise_phone(p).expect("phone"))
        .collect();
    want.sort();
    want.dedup();
    let have: Vec<String> = pollster::block_on(env.store.query(Statement::new(
        "SELECT phone FROM sms_opt_out ORDER BY phone",
    )))
    .expect("rows")
    .iter()
    .map(|r| r.get("phone").expect("phone"))
    .collect();
    assert_eq!(have, want);
    assert_eq!(cases(&env), messages);
    assert_eq!(count(&env, "SELECT count(*) AS n FROM sms_inbound"), 300);
}

#[test]
fn answers_go_out_through_twilio_and_its_status_callback_closes_them() {
    let mut env = site(beijing(2026, 11, 23, 9, 0));
    env.config.sms = minyi_web::SmsProvider::Twilio {
        account_sid: "AC0123456789".into(),
        auth_token: TWILIO_TOKEN.into(),
        from: "+8610690000".into(),
        status_callback: Some(format!("{PUBLIC_URL}/sms/twilio/status")),
    };
    env.outbound_reply = Ok((201, r#"{"sid": "SMout1", "status": "queued"}"#.into()));
    // An Aliyun message: its answer waits in the outbox.
    push(
        &env,
        &format!("/sms/aliyun/{CALLBACK}/up"),
        &json!([{"phone_number": "13700137000", "content": "帮助", "send_time": "t",
            "dest_code": "1069", "sequence_id": 1}]),
    );
    let sweep = env.send_desk(
        &Request::from_target(Method::Post, "/ops/sweep").with_header(
            "authorization",
            &format!("Bearer {}", minyi_tests::OPS_SECRET),
        ),
    );
    assert_eq!(sweep.status, 200, "{}", sweep.text());
    {
        let sent = env.outbound.borrow();
        assert_eq!(sent.len(), 1, "{sent:?}");
        let (url, fields) = &sent[0];
        assert_eq!(
            url,
            "https://api.twilio.com/2010-04-01/Accounts/AC0123456789/Messages.json"
        );
        let field = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(field("To"), Some("+8613700137000"));
        assert_eq!(field("From"), Some("+8610690000"));
        assert_eq!(
            field("StatusCallback"),
            Some("https://sms.city.example/sms/twilio/status")
        );
        assert!(field("Body").is_some_and(|b| b.contains("CX")));
    }
    let state =
        "SELECT count(*) AS n FROM outbox WHERE provider = 'twilio' AND provider_ref = 'SMout1'";
    assert_eq!(count(&env, &format!("{state} AND state = 'sent'")), 1);
    // Twilio's status callback, signed as Twilio signs it: `sent` changes nothing, `delivered`
    // closes the message; an unsigned one is refused.
    let callback = |status: &str, signature: Option<&str>| {
        let params = [
            ("MessageSid", "SMout1"),
            ("MessageStatus", status),
            ("AccountSid", "AC0123456789"),
        ];
        let signed = twilio_signature(&format!("{PUBLIC_URL}/sms/twilio/status"), &params);
        let form: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        env.send_provider(
            &Request::from_target(Method::Post, "/sms/twilio/status")
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_header("x-twilio-signature", signature.unwrap_or(&signed))
                .with_body(form),
        )
        .status
    };
    assert_eq!(callback("delivered", Some("forged")), 403);
    assert_eq!(callback("sent", None), 204);
    assert_eq!(count(&env, &format!("{state} AND state = 'sent'")), 1);
    assert_eq!(callback("delivered", None), 204);
    assert_eq!(count(&env, &format!("{state} AND state = 'delivered'")), 1);
}

#[test]
fn answers_go_out_through_tencent_and_its_status_report_closes_them() {
    let mut env = site(beijing(2026, 11, 23, 9, 0));
    env.config.sms = minyi_web::SmsProvider::Tencent {
        secret_id: "AKIDtest".into(),
        secret_key: "tencent secret".into(),
        app_id: "1400000000".into(),
        region: "ap-guangzhou".into(),
        sign_name: "民意".into(),
        templates: minyi::app::outbox::Templates::parse(r#"{"sms_answer": "449739"}"#)
            .expect("templates"),
        endpoint: minyi_web::TENCENT_SMS_API.into(),
    };
    env.gateway_replies.borrow_mut().push_back(Ok((
        200,
        r#"{"Response":{"SendStatusSet":[{"SerialNo":"5000:104571066915705365784949","PhoneNumber":"+8613700137000","Fee":1,"SessionContext":"s","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"r1"}}"#.into(),
    )));
    // A Tencent reply: its answer waits in the outbox.
    push(
        &env,
        &format!("/sms/tencent/{CALLBACK}/reply"),
        &json!([{"mobile": "13700137000", "nationcode": "86", "text": "帮助", "sign": "民意",
            "time": 1_764_000_000, "extend": ""}]),
    );
    let sweep = env.send_desk(
        &Request::from_target(Method::Post, "/ops/sweep").with_header(
            "authorization",
            &format!("Bearer {}", minyi_tests::OPS_SECRET),
        ),
    );
    assert_eq!(sweep.status, 200, "{}", sweep.text());
    {
        let sent = env.gateway.borrow();
        assert_eq!(sent.len(), 1, "{sent:?}");
        let (url, authorization, body) = &sent[0];
        assert_eq!(url, "https://sms.tencentcloudapi.com/");
        assert!(
            authorization.as_deref().is_some_and(|a| a.starts_with(
                "TC3-HMAC-SHA256 Credential=AKIDtest/2026-11-23/sms/tc3_request, \
                 SignedHeaders=content-type;host, Signature="
            )),
            "{authorization:?}"
        );
        assert_eq!(body["PhoneNumberSet"], json!(["+8613700137000"]));
        assert_eq!(body["SmsSdkAppId"], "1400000000");
        assert_eq!(body["TemplateId"], "449739");
        // One parameter, the answer's text without its signature.
        let params = body["TemplateParamSet"].as_array().expect("params");
        assert_eq!(params.len(), 1, "{body}");
        let text = params[0].as_str().expect("text");
        assert!(text.contains("CX") && !text.starts_with('【'), "{text}");
        let key: String = pollster::block_on(env.store.query(Statement::new(
            "SELECT dedupe_key FROM outbox WHERE kind = 'sms_answer'",
        )))
        .expect("row")[0]
            .get("dedupe_key")
            .expect("key");
        assert_eq!(body["SessionContext"], key);
    }
    let state = "SELECT count(*) AS n FROM outbox WHERE provider = 'tencent' \
                 AND provider_ref = '5000:104571066915705365784949'";
    assert_eq!(count(&env, &format!("{state} AND state = 'sent'")), 1);
    // Tencent's status report names the message by its sid and closes it.
    let report = push(
        &env,
        &format!("/sms/tencent/{CALLBACK}/status"),
        &json!([{"user_receive_time": "2026-11-23 09:00:05", "nationcode": "86",
            "mobile": "13700137000", "report_status": "SUCCESS", "errmsg": "DELIVRD",
            "description": "用户短信送达成功", "sid": "5000:104571066915705365784949"}]),
    );
    assert_eq!(report.status, 200, "{}", report.text());
    assert_eq!(count(&env, &format!("{state} AND state = 'delivered'")), 1);
}

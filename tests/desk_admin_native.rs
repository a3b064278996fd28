//! The desk's admin and supervision screens on native adapters, request by request through
//! the desk unit: an admin creates an account through the form (the enrolment URI shown once,
//! never cached), disables it (its sessions end, its logins are refused) and enables it again;
//! a bad rulebook or holiday schedule is refused and changes nothing, a good one takes effect;
//! the supervision list shows overdue cases without personal data; each screen refuses the
//! roles it is not for; a person ends their own sessions.

use jiff::SignedDuration;
use minyi::app::{Host, cases, rulebook};
use minyi::calendar::{Date, Timestamp};
use minyi::case::{Actor, Command, Role};
use minyi::store::{Statement, Store};
use minyi_desk::totp;
use minyi_tests::desk_client::{PASSWORD, api, beijing, form, json_of};
use minyi_tests::{NativeEnv, OPS_SECRET};
use minyi_web::{Method, Request, Response};
use pollster::block_on;
use serde_json::json;

fn monday() -> Timestamp {
    beijing(2026, 11, 23, 9, 0)
}

fn query(env: &NativeEnv, sql: &'static str) -> Vec<minyi::store::Row> {
    block_on(env.store.query(Statement::new(sql))).expect("query")
}

fn audited(env: &NativeEnv) -> Vec<String> {
    query(env, "SELECT action FROM audit_event ORDER BY id")
        .iter()
        .map(|r| r.get("action").expect("action"))
        .collect()
}

struct Desk {
    env: NativeEnv,
    /// The admin's session cookie.
    admin: String,
}

impl Desk {
    fn new() -> Self {
        let env = NativeEnv::new(monday());
        let setup = env.send_desk(
            &api(
                Method::Post,
                "/desk/setup",
                None,
                &json!({"login": "admin", "display_name": "管理员", "password": PASSWORD}),
            )
            .with_header("authorization", &format!("Bearer {OPS_SECRET}")),
        );
        assert_eq!(setup.status, 201, "{}", setup.text());
        let desk = Self {
            env,
            admin: String::new(),
        };
        let admin = desk.login("admin", None).expect("the admin logs in");
        Self { admin, ..desk }
    }

    fn get(&self, path: &str, cookie: &str) -> Response {
        self.env
            .send_desk(&Request::from_target(Method::Get, path).with_header("cookie", cookie))
    }

    fn post(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Response {
        self.env.send_desk(&form(path, cookie, fields))
    }

    /// Creates an account through the admin's form; answers the result page.
    fn create(&self, login: &str, roles: &[(&str, &str)]) -> Response {
        let mut fields = vec![
            ("login", login),
            ("display_name", "新同事"),
            ("password", PASSWORD),
        ];
        fields.extend_from_slice(roles);
        self.post("/desk/admin/accounts", &self.admin, &fields)
    }

    fn secret(&self, login: &str) -> Option<Vec<u8>> {
        let rows = block_on(self.env.store.query(
            Statement::new("SELECT totp_secret FROM staff_account WHERE login = ?").bind(login),
        ))
        .expect("query");
        rows[0]
            .get::<Option<String>>("totp_secret")
            .expect("secret")
            .map(|hex| minyi::hex::decode(&hex).expect("hex"))
    }

    fn id(&self, login: &str) -> i64 {
        block_on(
            self.env
                .store
                .query(Statement::new("SELECT id FROM staff_account WHERE login = ?").bind(login)),
        )
        .expect("query")[0]
            .get("id")
            .expect("id")
    }

    /// Logs in through the form (with the current code when `secret` is given); the cookie,
    /// or `None` when refused.
    fn login(&self, login: &str, secret: Option<&[u8]>) -> Option<String> {
        let code = secret.map_or_else(String::new, |s| {
            format!("{:06}", totp::code(s, self.env.host.now().as_second()))
        });
        let r = self.env.send_desk(&form(
            "/desk/login",
            "",
            &[("login", login), ("password", PASSWORD), ("code", &code)],
        ));
        if r.status != 303 {
            assert_eq!(r.status, 401, "{}", r.text());
            return None;
        }
        let set = r.header("set-cookie").expect("cookie");
        Some(set.split(';').next().expect("pair").to_owned())
    }

    /// Whether the cookie's session is live.
    fn live(&self, cookie: &str) -> bool {
        let r = self.get("/desk/", cookie);
        assert!(r.status == 200 || r.status == 303, "{}", r.status);
        r.status == 200
    }
}

#[test]
fn an_admin_creates_disables_and_enables_an_account_through_the_forms() {
    let desk = Desk::new();
    let page = desk.get("/desk/admin", &desk.admin);
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("action=\"/desk/admin/accounts\""));

    // A form with no role is refused next to the form, and creates nothing.
    let refused = desk.create("wang", &[]);
    assert_eq!(refused.status, 400);
    assert!(
        refused.text().contains("role=\"alert\""),
        "{}",
        refused.text()
    );
    assert!(
        !refused.text().contains(PASSWORD),
        "the password is not shown again"
    );
    assert_eq!(
        query(&desk.env, "SELECT count(*) AS n FROM staff_account")[0]
            .get::<i64>("n")
            .expect("n"),
        1
    );
    // A short password is refused by the same rules as the API.
    let short = desk.post(
        "/desk/admin/accounts",
        &desk.admin,
        &[
            ("login", "wang"),
            ("display_name", "王"),
            ("password", "short"),
            ("role", "operator"),
        ],
    );
    assert_eq!(short.status, 400);

    let created = desk.create("wang", &[("role", "operator"), ("handler", "2")]);
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let text = created.text();
    assert!(
        text.contains("otpauth://totp/"),
        "the enrolment URI, once: {text}"
    );
    let secret = desk
        .secret("wang")
        .expect("an operator needs a second factor");
    // The list shows the account, its roles and state, never a hash or a secret.
    let list = desk.get("/desk/admin", &desk.admin).text();
    assert!(list.contains("wang") && list.contains("新同事"));
    assert!(
        list.contains("受理员") && list.contains("市水务局"),
        "{list}"
    );
    let hash: String = query(
        &desk.env,
        "SELECT password_hash FROM staff_account WHERE login = 'wang'",
    )[0]
    .get("password_hash")
    .expect("hash");
    assert!(!list.contains(&hash) && !list.contains(&minyi::hex::encode(&secret)));
    assert!(!list.contains("otpauth://"), "the URI is shown only once");

    let wang = desk.login("wang", Some(&secret)).expect("logs in");
    assert!(desk.live(&wang));

    // Disabled: the live session ends at once and the next login is refused, by the form
    // and by the API.
    let id = desk.id("wang");
    let disabled = desk.post(
        &format!("/desk/admin/accounts/{id}/disable"),
        &desk.admin,
        &[],
    );
    assert_eq!(disabled.status, 303, "{}", disabled.text());
    assert!(!desk.live(&wang), "the disabled account's session ended");
    assert_eq!(desk.login("wang", Some(&secret)), None);
    let code = format!(
        "{:06}",
        totp::code(&secret, desk.env.host.now().as_second())
    );
    let by_api = desk.env.send_desk(&api(
        Method::Post,
        "/desk/api/session",
        None,
        &json!({"login": "wang", "password": PASSWORD, "code": code}),
    ));
    assert_eq!(by_api.status, 403);
    assert!(
        desk.get("/desk/admin", &desk.admin)
            .text()
            .contains("已停用")
    );

    // Enabled again, it logs in; "end all sessions" logs it out.
    let enabled = desk.post(
        &format!("/desk/admin/accounts/{id}/enable"),
        &desk.admin,
        &[],
    );
    assert_eq!(enabled.status, 303);
    let again = desk.login("wang", Some(&secret)).expect("enabled");
    assert!(desk.live(&again));
    let revoked = desk.post(
        &format!("/desk/admin/accounts/{id}/revoke"),
        &desk.admin,
        &[],
    );
    assert_eq!(revoked.status, 303);
    assert!(!desk.live(&again));
    // An admin cannot lock themselves out; an unknown account is 404.
    let me = desk.id("admin");
    assert_eq!(
        desk.post(
            &format!("/desk/admin/accounts/{me}/disable"),
            &desk.admin,
            &[]
        )
        .status,
        400
    );
    assert_eq!(
        desk.post("/desk/admin/accounts/12345/disable", &desk.admin, &[])
            .status,
        404
    );
    // A cross-site post is refused before it reaches the admin.
    let bare = Request::from_target(Method::Post, &format!("/desk/admin/accounts/{id}/disable"))
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("cookie", &desk.admin);
    assert_eq!(desk.env.send_desk(&bare).status, 403);

    let actions = audited(&desk.env);
    for a in [
        "create_account",
        "disable_account",
        "enable_account",
        "revoke_sessions",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a} audited: {actions:?}");
    }
}

#[test]
fn each_screen_refuses_the_roles_it_is_not_for() {
    let desk = Desk::new();
    assert_eq!(desk.create("lisi", &[("handler", "1")]).status, 201);
    assert_eq!(desk.create("zhou", &[("role", "supervisor")]).status, 201);
    let handler = desk
        .login("lisi", desk.secret("lisi").as_deref())
        .expect("handler");
    let supervisor = desk
        .login("zhou", None)
        .expect("supervisor: no second factor");
    for path in [
        "/desk/admin",
        "/desk/admin/rulebook",
        "/desk/admin/calendar",
        "/desk/supervision",
    ] {
        assert_eq!(desk.get(path, &handler).status, 403, "{path}");
    }
    for path in [
        "/desk/admin/accounts",
        "/desk/admin/rulebook",
        "/desk/admin/calendar",
    ] {
        assert_eq!(
            desk.post(path, &handler, &[("document", "{}")]).status,
            403,
            "{path}"
        );
        assert_eq!(desk.post(path, &supervisor, &[]).status, 403, "{path}");
    }
    assert_eq!(desk.get("/desk/admin", &supervisor).status, 403);
    assert_eq!(desk.get("/desk/supervision", &supervisor).status, 200);
    assert_eq!(desk.get("/desk/supervision", &desk.admin).status, 200);
    // The queue page links to what the person may open, and only that.
    let queue = desk.get("/desk/", &handler).text();
    assert!(queue.contains("/desk/sessions") && !queue.contains("/desk/admin"));
    assert!(!queue.contains("/desk/supervision"));
    assert!(
        desk.get("/desk/", &desk.admin)
            .text()
            .contains("/desk/admin/rulebook")
    );
    // Without a session, the login page.
    let anonymous = desk
        .env
        .send_desk(&Request::from_target(Method::Get, "/desk/admin"));
    assert_eq!(anonymous.header("location"), Some("/desk/login"));
}

const GOOD_RULEBOOK: &str = r#"{"note": "2027年版",
  "departments": [
    {"code": "urban", "name_zh": "市城管局", "name_en": "Urban Management Bureau"},
    {"code": "water", "name_zh": "市水务局", "name_en": "Water Bureau"},
    {"code": "parks", "name_zh": "市园林局", "name_en": "Parks Bureau"}],
  "responsibilities": [{"matter": "停水", "department": "water"}]}"#;

fn version_in_store(env: &NativeEnv) -> Option<i64> {
    query(env, "SELECT max(version) AS v FROM rulebook")[0]
        .get("v")
        .expect("v")
}

#[test]
fn a_bad_rulebook_is_refused_and_a_good_one_is_in_force() {
    let desk = Desk::new();
    let page = desk.get("/desk/admin/rulebook", &desk.admin);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("name=\"document\""));

    let bad = GOOD_RULEBOOK.replace("\"department\": \"water\"", "\"department\": \"police\"");
    let refused = desk.post("/desk/admin/rulebook", &desk.admin, &[("document", &bad)]);
    assert_eq!(refused.status, 400);
    let text = refused.text();
    assert!(
        text.contains("responsibilities[0].department"),
        "the field is named next to the form: {text}"
    );
    assert!(text.contains("police"), "the submitted text is kept");
    assert_eq!(version_in_store(&desk.env), None, "nothing saved");
    let not_json = desk.post("/desk/admin/rulebook", &desk.admin, &[("document", "{")]);
    assert_eq!(not_json.status, 400);
    assert_eq!(version_in_store(&desk.env), None);

    let saved = desk.post(
        "/desk/admin/rulebook",
        &desk.admin,
        &[("document", GOOD_RULEBOOK)],
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(version_in_store(&desk.env), Some(1));
    let page = desk.get("/desk/admin/rulebook", &desk.admin).text();
    assert!(page.contains("市园林局") && page.contains("停水"), "{page}");
    assert!(page.contains("2027年版"), "the history shows the note");
    // Saved departments are the departments now offered.
    let active: Vec<String> = query(
        &desk.env,
        "SELECT code FROM department WHERE active = 1 ORDER BY code",
    )
    .iter()
    .map(|r| r.get("code").expect("code"))
    .collect();
    assert_eq!(active, ["parks", "urban", "water"]);
    // A second bad save leaves version 1 in force.
    let again = desk.post(
        "/desk/admin/rulebook",
        &desk.admin,
        &[("document", r#"{"polcy": {}}"#)],
    );
    assert_eq!(again.status, 400);
    assert_eq!(version_in_store(&desk.env), Some(1));
    let in_force = block_on(rulebook::load(&desk.env.store)).expect("load");
    assert_eq!(in_force.rulebook.version, 1);
    assert_eq!(
        in_force.rulebook.suggest_lead("小区停水三天"),
        Some("water")
    );
    assert!(audited(&desk.env).contains(&"save_rulebook".to_owned()));
}

#[test]
fn a_saved_calendar_year_appears_and_a_bad_one_stores_nothing() {
    let desk = Desk::new();
    let page = desk.get("/desk/admin/calendar", &desk.admin);
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("value=\"2027\""),
        "next year by default"
    );

    let bad = desk.post(
        "/desk/admin/calendar",
        &desk.admin,
        &[
            ("year", "2027"),
            ("source", "国办发明电〔2026〕X号"),
            ("schedule", "2027 春节 02-30"),
        ],
    );
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("role=\"alert\""));
    assert!(bad.text().contains("02-30"), "the text is kept to correct");
    assert_eq!(
        query(&desk.env, "SELECT count(*) AS n FROM calendar_year")[0]
            .get::<i64>("n")
            .expect("n"),
        0
    );

    let saved = desk.post(
        "/desk/admin/calendar",
        &desk.admin,
        &[
            ("year", "2027"),
            ("source", "国办发明电〔2026〕X号"),
            (
                "schedule",
                "2027 元旦 01-01..01-03\r\n2027 春节 02-06..02-13 上班 02-20\r\n",
            ),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    let page = desk.get("/desk/admin/calendar", &desk.admin).text();
    assert!(page.contains("国办发明电〔2026〕X号") && page.contains("02-06..02-13"));
    let calendar = block_on(rulebook::load(&desk.env.store))
        .expect("load")
        .calendar;
    assert!(calendar.covers(2027));
    assert!(!calendar.is_working_day(Date::constant(2027, 2, 8)));
    assert!(audited(&desk.env).contains(&"save_calendar_year".to_owned()));
}

#[test]
fn the_supervision_list_shows_an_overdue_case_and_no_contact_data() {
    let desk = Desk::new();
    let r = desk.env.send(&api(
        Method::Post,
        "/api/v1/cases",
        None,
        &json!({"category": "complaint", "title": "路灯不亮", "body": "人民路路灯坏了一周。",
                "name": "王五", "phone": "13700137000", "email": "wangwu@example.com",
                "publish": true, "consent": true}),
    ));
    assert_eq!(r.status, 201, "{}", r.text());
    let tracking = json_of(&r)["tracking_number"]
        .as_str()
        .expect("tracking")
        .replace('-', "");
    let id: i64 =
        block_on(desk.env.store.query(
            Statement::new("SELECT id FROM \"case\" WHERE tracking_no = ?").bind(&*tracking),
        ))
        .expect("query")[0]
            .get("id")
            .expect("id");
    let apply = |role: Role, command: Command| {
        let rules = block_on(rulebook::load(&desk.env.store)).expect("rules");
        block_on(cases::apply(
            &desk.env.store,
            &desk.env.host,
            rules.rules(&desk.env.config.secret),
            id,
            &Actor::anonymous(role),
            command,
        ))
        .expect("apply");
    };
    apply(
        Role::Operator,
        Command::Dispatch {
            lead: 2,
            co_handlers: Vec::new(),
            method: minyi::case::DispatchMethod::Written,
        },
    );
    let empty = desk.get("/desk/supervision", &desk.admin).text();
    assert!(!empty.contains(&tracking), "not overdue yet");
    // A month on, the supervisor's escalation marks it overdue.
    desk.env
        .host
        .set(monday() + SignedDuration::from_hours(24 * 30));
    apply(Role::Supervisor, Command::Escalate);
    let admin = desk.login("admin", None).expect("a new day's session");

    let page = desk.get("/desk/supervision", &admin);
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains(&format!("href=\"/desk/cases/{tracking}\"")),
        "{text}"
    );
    assert!(text.contains("市水务局"), "grouped by the lead department");
    for personal in [
        "王五",
        "13700137000",
        "wangwu@example.com",
        "路灯不亮",
        "人民路",
    ] {
        assert!(
            !text.contains(personal),
            "{personal} on the supervision page"
        );
    }
    // The department filter and paging keep to their bounds.
    let water = desk.get("/desk/supervision?department=2", &admin).text();
    assert!(water.contains(&tracking));
    let urban = desk.get("/desk/supervision?department=1", &admin).text();
    assert!(!urban.contains(&format!("/desk/cases/{tracking}")));
    let far = desk.get("/desk/supervision?page=999999", &admin);
    assert_eq!(far.status, 200);
    assert_eq!(
        desk.get("/desk/supervision?department=x", &admin).status,
        400
    );
    // Nobody read contact details to build it.
    assert!(!audited(&desk.env).contains(&"read_contact".to_owned()));
}

#[test]
fn a_person_lists_and_ends_their_own_sessions() {
    let desk = Desk::new();
    desk.env.host.set(monday() + SignedDuration::from_mins(1));
    let other = desk.login("admin", None).expect("a second session");
    let page = desk.get("/desk/sessions", &desk.admin);
    assert_eq!(page.status, 200);
    let text = page.text();
    assert_eq!(text.matches("name=\"session\"").count(), 2, "{text}");
    assert!(text.contains("本会话"));
    let token = &other[other.find('=').expect("=") + 1..];
    assert!(!text.contains(token), "no token on the page");
    // The newer session's key: the first characters of its token's hash.
    let key: String = query(
        &desk.env,
        "SELECT substr(token_hash, 1, 16) AS k FROM staff_session ORDER BY created_at DESC LIMIT 1",
    )[0]
    .get("k")
    .expect("k");
    assert!(text.contains(&key));
    let ended = desk.post("/desk/sessions/revoke", &desk.admin, &[("session", &key)]);
    assert_eq!(ended.status, 303);
    assert!(!desk.live(&other));
    assert!(desk.live(&desk.admin));
    // Ending it again, or a key that is not one's own, changes nothing.
    assert_eq!(
        desk.post("/desk/sessions/revoke", &desk.admin, &[("session", &key)])
            .status,
        404
    );
    assert_eq!(
        desk.post(
            "/desk/sessions/revoke",
            &desk.admin,
            &[("session", "not a key")]
        )
        .status,
        404
    );
    assert!(audited(&desk.env).contains(&"revoke_session".to_owned()));
}

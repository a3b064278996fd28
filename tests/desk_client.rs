//! A staff client for the desk on native adapters: requests go through the same serve path
//! and desk unit as a deployment, with the test host's clock. Shared by the desk's native
//! test files.

use crate::{NativeEnv, OPS_SECRET};
use minyi::app::Host;
use minyi::calendar::{BEIJING, Timestamp};
use minyi::store::{Statement, Store};
use minyi_desk::totp;
use minyi_web::{Method, Request, Response};
use serde_json::{Value, json};

/// Every demo account's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// Beijing time on a date, as an instant.
pub fn beijing(year: i16, month: i8, day: i8, hour: i8, minute: i8) -> Timestamp {
    BEIJING
        .to_timestamp(jiff::civil::Date::constant(year, month, day).at(hour, minute, 0, 0))
        .expect("local")
}

/// A response body as JSON.
pub fn json_of(r: &Response) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

/// A JSON request, with a bearer token if given.
pub fn api(method: Method, path: &str, token: Option<&str>, body: &Value) -> Request {
    let req = Request::from_target(method, path)
        .with_header("content-type", "application/json")
        .with_body(body.to_string());
    match token {
        Some(t) => req.with_header("authorization", &format!("Bearer {t}")),
        None => req,
    }
}

/// A browser's form post from the site's own page, with a cookie (empty: none).
pub fn form(path: &str, cookie: &str, fields: &[(&str, &str)]) -> Request {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let req = Request::from_target(Method::Post, path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("sec-fetch-site", "same-origin")
        .with_body(body);
    if cookie.is_empty() {
        req
    } else {
        req.with_header("cookie", cookie)
    }
}

/// A desk page with a session cookie.
pub fn page(env: &NativeEnv, path: &str, cookie: &str) -> Response {
    env.send_desk(&Request::from_target(Method::Get, path).with_header("cookie", cookie))
}

/// A bearer session from the API, or `None` when refused.
pub fn login_api(env: &NativeEnv, login: &str, code: &str) -> Option<String> {
    let r = env.send_desk(&api(
        Method::Post,
        "/desk/api/session",
        None,
        &json!({"login": login, "password": PASSWORD, "code": code}),
    ));
    if r.status == 201 {
        assert_eq!(
            r.header("cache-control"),
            Some("no-store"),
            "a token is never cached"
        );
    }
    (r.status == 201).then(|| json_of(&r)["token"].as_str().expect("token").to_owned())
}

/// One column of a case, by stored tracking number.
pub fn column(env: &NativeEnv, tracking: &str, name: &str) -> Option<String> {
    let rows = pollster::block_on(
        env.store.query(
            Statement::new(format!(
                "SELECT CAST({name} AS TEXT) AS v FROM \"case\" WHERE tracking_no = ?"
            ))
            .bind(tracking),
        ),
    )
    .expect("query");
    rows[0].get("v").expect("value")
}

/// A case's status, by stored tracking number.
pub fn status_of(env: &NativeEnv, tracking: &str) -> String {
    column(env, tracking, "status").expect("status")
}

/// A site with its first admin, logged in through the API.
pub struct Desk {
    /// The site.
    pub env: NativeEnv,
    /// The admin's bearer token.
    pub admin: String,
}

impl Desk {
    /// A fresh site at `now` with its first admin.
    pub fn new(now: Timestamp) -> Self {
        let env = NativeEnv::new(now);
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
        let admin = login_api(&env, "admin", "").expect("admin needs no second factor");
        Self { env, admin }
    }

    /// Creates an account and answers its TOTP secret.
    pub fn account(&self, login: &str, roles: &[&str]) -> Option<Vec<u8>> {
        let r = self.env.send_desk(&api(
            Method::Post,
            "/desk/api/accounts",
            Some(&self.admin),
            &json!({"login": login, "display_name": login, "password": PASSWORD, "roles": roles}),
        ));
        assert_eq!(r.status, 201, "{}", r.text());
        let rows = pollster::block_on(self.env.store.query(
            Statement::new("SELECT totp_secret FROM staff_account WHERE login = ?").bind(login),
        ))
        .expect("query");
        rows[0]
            .get::<Option<String>>("totp_secret")
            .expect("secret")
            .map(|hex| minyi::hex::decode(&hex).expect("hex"))
    }

    /// The current second-factor code of `secret`.
    pub fn code(&self, secret: &[u8]) -> String {
        format!("{:06}", totp::code(secret, self.env.host.now().as_second()))
    }

    /// Logs in through the form with the right code; answers the cookie.
    pub fn login(&self, login: &str, secret: &[u8]) -> String {
        let code = self.code(secret);
        let r = self.env.send_desk(&form(
            "/desk/login",
            "",
            &[("login", login), ("password", PASSWORD), ("code", &code)],
        ));
        assert_eq!(r.status, 303, "{login}: {}", r.text());
        let set = r.header("set-cookie").expect("cookie");
        assert!(
            set.starts_with("__Host-minyi-desk=")
                && set.contains("HttpOnly")
                && set.contains("Secure")
        );
        set.split(';').next().expect("pair").to_owned()
    }

    /// A bearer session for an account with a second factor.
    pub fn token(&self, login: &str, secret: &[u8]) -> String {
        login_api(&self.env, login, &self.code(secret)).expect("logs in")
    }

    /// A citizen's public case through the public API: its stored tracking number and its
    /// query code.
    pub fn citizen_case(&self) -> (String, String) {
        let r = self.env.send(&api(
            Method::Post,
            "/api/v1/cases",
            None,
            &json!({"category": "complaint", "title": "路灯不亮", "body": "人民路路灯坏了一周。",
                        "name": "王五", "phone": "13700137000", "publish": true, "consent": true}),
        ));
        assert_eq!(r.status, 201, "{}", r.text());
        let body = json_of(&r);
        (
            body["tracking_number"]
                .as_str()
                .expect("tracking")
                .replace('-', ""),
            body["query_code"].as_str().expect("code").to_owned(),
        )
    }

    /// Takes an action on a case as an API client (bearer token, JSON body): the status and
    /// the answer's body.
    pub fn act(&self, token: &str, tracking: &str, action: &str, body: &Value) -> (u16, Value) {
        let r = self.env.send_desk(&api(
            Method::Post,
            &format!("/desk/cases/{tracking}/{action}"),
            Some(token),
            body,
        ));
        let json = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        (r.status, json)
    }
}

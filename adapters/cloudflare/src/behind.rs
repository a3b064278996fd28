//! The Workers behind this one: which requests a Worker hands on through a service binding,
//! and the hand-over itself, which passes the request and the answer through as the runtime
//! gave them (its body streams; nothing is converted).

use minyi_web::Method;
use worker::Env;
use worker::js_sys::{Function, Promise, Reflect};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::worker_sys::web_sys;

/// A Worker behind this one: a service binding.
pub struct Behind(JsValue);

impl Behind {
    /// The service binding `name`, if the Worker has it.
    #[cfg_attr(any(feature = "sms", feature = "submit"), expect(dead_code))] // they bind none
    fn bound(env: &Env, name: &str) -> Option<Self> {
        Reflect::get(env, &JsValue::from_str(name))
            .ok()
            .filter(|binding| !binding.is_undefined())
            .map(Self)
    }

    /// Hands `req` over and returns the answer.
    pub async fn fetch(&self, req: &web_sys::Request) -> worker::Result<web_sys::Response> {
        let fetch: Function = Reflect::get(&self.0, &JsValue::from_str("fetch"))?.dyn_into()?;
        let answer: Promise = fetch.call1(&self.0, req)?.dyn_into()?;
        Ok(JsFuture::from(answer).await?.dyn_into()?)
    }
}

/// In a local run (`scripts/dev`, `scripts/worker-test`) the desk's Worker is in front and hands
/// `/sms/...` to the SMS Worker (the `SMS` service binding) and every other request outside
/// `/desk` and `/ops` to the public Worker (`PUBLIC`, which hands the writes on to `SUBMIT`),
/// so one `wrangler dev` serves all four over one local D1. A deployment binds neither: the
/// staff hostname answers 404 outside `/desk` and `/ops`.
#[cfg(feature = "desk")]
pub fn worker_for(_method: Method, path: &str, env: &Env) -> Option<Behind> {
    use minyi_web::under;
    if under(path, "/desk") || under(path, "/ops") {
        return None;
    }
    if under(path, "/sms") {
        return Behind::bound(env, "SMS");
    }
    Behind::bound(env, "PUBLIC")
}

/// The public Worker hands the form, the writes and the cold reads (`minyi_site::is_back`) to
/// the submit Worker (the `SUBMIT` service binding, in every deployment).
#[cfg(not(any(feature = "desk", feature = "sms", feature = "submit")))]
pub fn worker_for(method: Method, path: &str, env: &Env) -> Option<Behind> {
    if !minyi_site::is_back(method, path) {
        return None;
    }
    let submit = Behind::bound(env, "SUBMIT");
    if submit.is_none() {
        worker::console_error!("minyi: the SUBMIT service binding is missing: see wrangler.toml");
    }
    submit
}

/// The submit and SMS Workers hand nothing on.
#[cfg(any(feature = "sms", feature = "submit"))]
pub fn worker_for(_method: Method, _path: &str, _env: &Env) -> Option<Behind> {
    None
}

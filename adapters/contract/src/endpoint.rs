//! `POST /__contract`: the contract run inside a runtime's test build (the Worker's and the Spin
//! components' `contract` feature), for a caller holding the deployment's secret. Written once
//! for every runtime shell.

use crate::run_all;
use minyi_web::{Config, Env, Method, Request, Response};

/// Runs the contract against `env`'s store and answers with its report (200 when every check
/// passed, else 500); `None` for any other request, which the shell serves as usual.
pub async fn answer<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if !is_authorized_call(req, env.config()) {
        return None;
    }
    let report = run_all(env.store()).await;
    let status = if report.is_success() { 200 } else { 500 };
    Some(Response::new(
        status,
        "text/plain; charset=utf-8",
        format!("{report}\n"),
    ))
}

/// Whether `req` is `POST /__contract` with `Authorization: Bearer <secret>`.
fn is_authorized_call(req: &Request, config: &Config) -> bool {
    req.method == Method::Post && req.path == "/__contract" && req.bears(&config.secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_opens_the_endpoint() {
        let config = Config {
            secret: b"s".repeat(32),
            turnstile: None,
            limits: Default::default(),
            shared_cache_seconds: 60,
            jurisdiction_id: None,
            client_address: Default::default(),
            ops_secret: None,
            sms: Default::default(),
            sms_webhooks: Default::default(),
        };
        let call = |auth: Option<&str>| {
            let req = Request::from_target(Method::Post, "/__contract");
            let req = match auth {
                Some(a) => req.with_header("authorization", a),
                None => req,
            };
            is_authorized_call(&req, &config)
        };
        assert!(call(Some(&format!("Bearer {}", "s".repeat(32)))));
        assert!(!call(Some("Bearer wrong")));
        assert!(!call(None));
        let get = Request::from_target(Method::Get, "/__contract")
            .with_header("authorization", &format!("Bearer {}", "s".repeat(32)));
        assert!(!is_authorized_call(&get, &config));
    }
}

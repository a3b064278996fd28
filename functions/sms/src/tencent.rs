//! Tencent Cloud SMS (腾讯云短信) callbacks: replies (`sms_reply`: `mobile`, `nationcode`,
//! `text`, `sign`, `time`, `extend`) and delivery reports (`sms_status`: arrays of `mobile`,
//! `nationcode`, `report_status`, `errmsg`, `description`, `sid`, `user_receive_time`), each
//! acknowledged with `{"result":0,"errmsg":"OK"}`. Tencent signs nothing: the path's secret
//! token (checked before this) and the optional address list authenticate it. A reply has no
//! message id, so a retry is known by number, time and text.

use minyi::app::sms::{AnswerBy, Inbound, Provider};
use minyi_web::{Env, Lang, Method, Request, Response, WebError};
use serde_json::json;

/// Answers `/sms/tencent/{token}/{kind}`.
pub async fn webhook<E: Env>(env: &E, req: &Request, kind: &str) -> Response {
    let answer = match (req.method, kind) {
        (Method::Post, "reply") => reply(env, req).await,
        (Method::Post, "status") => status(env, req).await,
        (_, "reply" | "status") => Err(WebError::MethodNotAllowed { allow: "POST" }),
        _ => Err(WebError::NotFound),
    };
    match answer {
        Ok(()) => Response::json(200, &json!({"result": 0, "errmsg": "OK"})),
        Err(e) => e.to_problem(Lang::Zh),
    }
}

/// Citizens' replies: every item checked before any is taken; answers go through the outbox.
async fn reply<E: Env>(env: &E, req: &Request) -> Result<(), WebError> {
    let mut messages = Vec::new();
    for item in crate::batch(req)? {
        messages.push(Inbound {
            provider: Provider::Tencent,
            message_id: None,
            phone: phone(&item)?,
            text: crate::field(&item, "text")?.to_owned(),
            sent_at: crate::number_or_text(&item, "time")?,
        });
    }
    for message in &messages {
        crate::take(env, message, AnswerBy::Outbox).await?;
    }
    Ok(())
}

/// Delivery reports of messages sent through Tencent Cloud (its `sid` names them).
async fn status<E: Env>(env: &E, req: &Request) -> Result<(), WebError> {
    let mut reports = Vec::new();
    for item in crate::batch(req)? {
        let delivered = crate::field(&item, "report_status")? == "SUCCESS";
        let error = item.get("errmsg").and_then(serde_json::Value::as_str);
        reports.push((
            crate::field(&item, "sid")?.to_owned(),
            delivered,
            error.map(str::to_owned),
        ));
    }
    for (id, delivered, error) in &reports {
        crate::receipt(env, "tencent", id, *delivered, error.as_deref()).await?;
    }
    Ok(())
}

/// The sender in E.164 from the country code and the national number.
fn phone(item: &serde_json::Value) -> Result<String, WebError> {
    let mobile = crate::field(item, "mobile")?;
    let nation = crate::number_or_text(item, "nationcode").unwrap_or_else(|_| "86".into());
    Ok(format!("+{nation}{mobile}"))
}

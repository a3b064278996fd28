//! Aliyun SMS (阿里云短信) HTTP batch push: inbound messages (SmsUp: a JSON array of
//! `phone_number`, `content`, `send_time`, `dest_code`, `sequence_id`) and delivery reports
//! (SmsReport: `phone_number`, `send_time`, `report_time`, `success`, `err_code`, `err_msg`,
//! `biz_id`, `out_id`), each acknowledged with `{"code":0,"msg":"接收成功"}`; a GET is the
//! console's connectivity check. Aliyun signs nothing: the path's secret token (checked
//! before this) and the optional address list authenticate it.

use minyi::app::sms::{AnswerBy, Inbound, Provider};
use minyi_web::{Env, Lang, Method, Request, Response, WebError};
use serde_json::json;

/// Answers `/sms/aliyun/{token}/{kind}`.
pub async fn webhook<E: Env>(env: &E, req: &Request, kind: &str) -> Response {
    let answer = match (req.method, kind) {
        (Method::Get, "up" | "report") => Ok(()),
        (Method::Post, "up") => up(env, req).await,
        (Method::Post, "report") => report(env, req).await,
        (_, "up" | "report") => Err(WebError::MethodNotAllowed { allow: "GET, POST" }),
        _ => Err(WebError::NotFound),
    };
    match answer {
        Ok(()) => Response::json(200, &json!({"code": 0, "msg": "接收成功"})),
        Err(e) => e.to_problem(Lang::Zh),
    }
}

/// Inbound messages: every item checked before any is taken; answers go through the outbox.
async fn up<E: Env>(env: &E, req: &Request) -> Result<(), WebError> {
    let mut messages = Vec::new();
    for item in crate::batch(req)? {
        messages.push(Inbound {
            provider: Provider::Aliyun,
            message_id: Some(crate::number_or_text(&item, "sequence_id")?),
            phone: crate::field(&item, "phone_number")?.to_owned(),
            text: crate::field(&item, "content")?.to_owned(),
            sent_at: crate::field(&item, "send_time")?.to_owned(),
        });
    }
    for message in &messages {
        crate::take(env, message, AnswerBy::Outbox).await?;
    }
    Ok(())
}

/// Delivery reports of messages sent through Aliyun (its `biz_id` names them).
async fn report<E: Env>(env: &E, req: &Request) -> Result<(), WebError> {
    let mut reports = Vec::new();
    for item in crate::batch(req)? {
        let success = item
            .get("success")
            .and_then(serde_json::Value::as_bool)
            .ok_or_else(|| WebError::bad("success", "须为布尔值 / must be true or false"))?;
        let error = item.get("err_msg").and_then(serde_json::Value::as_str);
        reports.push((
            crate::field(&item, "biz_id")?.to_owned(),
            success,
            error.map(str::to_owned),
        ));
    }
    for (id, success, error) in &reports {
        crate::receipt(env, "aliyun", id, *success, error.as_deref()).await?;
    }
    Ok(())
}

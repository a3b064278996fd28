//! The one error type of every handler, and its renderings.

use crate::{Lang, Response, Text};
use minyi::app::AppError;
use minyi::case::LifecycleError;
use serde_json::json;

/// Why a request failed. Nothing changed when a request fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebError {
    /// Bad input: which field and what is wrong, Chinese first.
    BadRequest {
        /// The field.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// No such page or record.
    NotFound,
    /// The route exists but not for this method; `allow` lists the methods it answers
    /// (RFC 9110 §15.5.6: the `Allow` header).
    MethodNotAllowed {
        /// The methods the route answers, as the `Allow` header says them.
        allow: &'static str,
    },
    /// Refused outright: a cross-site request that would change state, a filled honeypot, a
    /// failed human check.
    Forbidden {
        /// Why, Chinese first.
        problem: String,
    },
    /// The body is larger than [`crate::MAX_BODY_BYTES`].
    PayloadTooLarge,
    /// The body's content type is not the one the route reads.
    UnsupportedMediaType,
    /// Too many requests from this client; try again after this many seconds.
    RateLimited {
        /// Seconds to wait.
        retry_after: u32,
    },
    /// A missing or unknown API key.
    Unauthorized,
    /// A private case: its query code is needed (or was wrong).
    CodeRequired,
    /// A concurrent change; try again.
    Conflict,
    /// The idempotency key was already used for another request (422, as the IETF
    /// Idempotency-Key draft says).
    KeyReused,
    /// The service failed; the detail is for the operator's log only, never shown.
    Internal(String),
    /// The service cannot serve at all (misconfigured); the detail is for the operator's log.
    Unavailable(String),
}

/// `Allow` of a route that reads only.
pub const ALLOW_READ: &str = "GET, HEAD";
/// `Allow` of a route that reads and takes submissions.
pub const ALLOW_READ_POST: &str = "GET, HEAD, POST";

impl WebError {
    /// Bad input in `field`.
    pub fn bad(field: &str, problem: &str) -> Self {
        Self::BadRequest {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest { .. } => 400,
            Self::Unauthorized => 401,
            Self::CodeRequired | Self::Forbidden { .. } => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::Conflict => 409,
            Self::KeyReused => 422,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited { .. } => 429,
            Self::Internal(_) => 500,
            Self::Unavailable(_) => 503,
        }
    }

    /// A short title.
    pub fn title(&self) -> Text {
        let (zh, en) = match self {
            Self::BadRequest { .. } => ("填写有误", "Please check your input"),
            Self::NotFound => ("未找到", "Not found"),
            Self::MethodNotAllowed { .. } => ("不支持此操作", "Method not allowed"),
            Self::Forbidden { .. } => ("请求被拒绝", "Forbidden"),
            Self::PayloadTooLarge => ("提交内容过大", "Too large"),
            Self::UnsupportedMediaType => ("提交格式不支持", "Unsupported content type"),
            Self::RateLimited { .. } => ("操作过于频繁", "Too many requests"),
            Self::Unauthorized => ("缺少或无效的API密钥", "Missing or invalid API key"),
            Self::CodeRequired => ("需要查询码", "Query code required"),
            Self::Conflict => ("记录已被修改", "Changed meanwhile"),
            Self::KeyReused => ("幂等键已被使用", "Idempotency key already used"),
            Self::Internal(_) | Self::Unavailable(_) => ("服务暂时不可用", "Service unavailable"),
        };
        Text { zh, en }
    }

    /// What the reader should know or do, in their language.
    pub fn detail(&self, lang: Lang) -> String {
        match self {
            Self::BadRequest { field, problem } => format!("{field}: {problem}"),
            Self::NotFound => lang
                .pick(
                    "请核对受理编号或网址。",
                    "Check the tracking number or the address.",
                )
                .into(),
            Self::MethodNotAllowed { .. } => {
                lang.pick("请使用页面上的按钮。", "Use the page's buttons.").into()
            }
            Self::Forbidden { problem } => crate::html::half(lang, problem).to_owned(),
            Self::PayloadTooLarge => lang
                .pick("请缩短内容后重新提交。", "Shorten the text and submit again.")
                .into(),
            Self::UnsupportedMediaType => lang
                .pick("请以表单或JSON提交。", "Send a form or JSON.")
                .into(),
            Self::RateLimited { retry_after } => match lang {
                Lang::Zh => format!("请在{retry_after}秒后再试。"),
                Lang::En => format!("Please try again in {retry_after} seconds."),
            },
            Self::Unauthorized => lang
                .pick(
                    "请使用政府部门发放的API密钥。",
                    "Use an API key issued by the city.",
                )
                .into(),
            Self::CodeRequired => lang
                .pick(
                    "此件为不公开诉求，请输入提交时获得的查询码。",
                    "This case is private: enter the query code you received when you submitted it.",
                )
                .into(),
            Self::Conflict => lang.pick("请刷新后重试。", "Reload and try again.").into(),
            Self::KeyReused => lang
                .pick(
                    "该幂等键已用于另一次内容不同的提交；新的提交请使用新的键。",
                    "This idempotency key was used for a different request; use a new key for a new request.",
                )
                .into(),
            Self::Internal(_) | Self::Unavailable(_) => lang
                .pick(
                    "您的内容没有丢失，请稍后再试。",
                    "Nothing you sent was lost; please try again shortly.",
                )
                .into(),
        }
    }

    /// The error as `application/problem+json` (RFC 9457).
    pub fn to_problem(&self, lang: Lang) -> Response {
        let mut body = json!({
            "type": "about:blank",
            "title": self.title().get(lang),
            "status": self.status(),
            "detail": self.detail(lang),
        });
        if let Self::BadRequest { field, .. } = self {
            body["field"] = json!(field);
        }
        let mut r = Response::json(self.status(), &body);
        r.headers[0].1 = "application/problem+json; charset=utf-8".into();
        self.with_headers(r)
    }

    /// Refused outright, for a reason given in both languages.
    pub fn forbidden(problem: &str) -> Self {
        Self::Forbidden {
            problem: problem.into(),
        }
    }

    /// Adds the headers the status calls for: `Retry-After` to 429, `Allow` to 405.
    pub fn with_headers(&self, r: Response) -> Response {
        match self {
            Self::RateLimited { retry_after } => {
                r.with_header("retry-after", &retry_after.to_string())
            }
            Self::MethodNotAllowed { allow } => r.with_header("allow", allow),
            _ => r,
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid { field: "code", .. } => Self::CodeRequired,
            AppError::Invalid { field, problem } => Self::BadRequest {
                field: field.into(),
                problem,
            },
            AppError::NotFound => Self::NotFound,
            AppError::Conflict => Self::Conflict,
            AppError::OverBudget => Self::RateLimited { retry_after: 3600 },
            AppError::KeyReused => Self::KeyReused,
            AppError::Lifecycle(LifecycleError::Invalid { field, problem }) => {
                Self::bad(field, problem)
            }
            AppError::Lifecycle(other) => Self::bad("command", &other.to_string()),
            AppError::Store(e) => Self::Internal(e.to_string()),
            AppError::Corrupt(m) => Self::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_follow_rfc_9457() {
        let r = WebError::RateLimited { retry_after: 30 }.to_problem(Lang::En);
        assert_eq!(r.status, 429);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json; charset=utf-8")
        );
        assert_eq!(r.header("retry-after"), Some("30"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        assert_eq!(v["status"], 429);
        assert_eq!(v["title"], "Too many requests");
    }

    #[test]
    fn internal_details_are_never_shown() {
        let e = WebError::Internal("D1_ERROR: secret table layout".into());
        assert!(!e.to_problem(Lang::Zh).text().contains("D1_ERROR"));
        let e = WebError::Unavailable("MINYI_SECRET is not set".into());
        assert_eq!(e.status(), 503);
        assert!(!e.to_problem(Lang::Zh).text().contains("MINYI_SECRET"));
    }

    #[test]
    fn method_not_allowed_says_what_is_allowed() {
        let r = WebError::MethodNotAllowed {
            allow: ALLOW_READ_POST,
        }
        .to_problem(Lang::En);
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
    }
}

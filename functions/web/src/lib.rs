//! # minyi-web
//!
//! What every Minyi function shares for HTTP, on any runtime: the platform-neutral
//! [`Request`] and [`Response`], the [`Env`] bundle of ports a runtime provides, the reader's
//! [`Lang`], the [`WebError`] every handler returns and its three renderings (a readable page,
//! `application/problem+json`, Open311's error list), the page layout, and rate limits.
//!
//! The runtime shells (the Cloudflare Worker, the Spin components) convert their native
//! request into a [`Request`], call [`serve::serve`] with the functions they bundle, and
//! convert the [`Response`] back. Nothing here knows which runtime it is on.

pub mod cache;
pub mod client;
mod env;
mod error;
pub mod html;
mod lang;
pub mod limits;
pub mod open311;
pub mod outbound;
mod request;
mod response;
pub mod rules;
pub mod serve;
pub mod vars;

pub use env::{
    ALIYUN_SMS_API, Config, Env, RateLimits, SmsProvider, SmsWebhooks, TENCENT_SMS_API, TWILIO_API,
    Turnstile,
};
pub use error::{ALLOW_READ, ALLOW_READ_POST, WebError};
pub use lang::{Lang, Text};
pub use request::{BodyReader, MAX_BODY_BYTES, Method, Request, field, under};
pub use response::Response;

//! The open meetings' public writes (000 §1): `POST /submit/meetings/{code}` registers from the
//! meeting page's form (one registration per number: a second answers the first's code), and
//! `POST /submit/meetings/{code}/answer` lets a selected citizen confirm or give up a place
//! with the registration code and the number. The code is shown once, at the first
//! registration: a page never tells a number's code to whoever types the number. Each attempt counts against the client's
//! query-code budget: like a code, a registration code could otherwise be guessed.

use maud::html;
use minyi::app::meetings::{self, Answer, Via};
use minyi_web::html::{page, respond};
use minyi_web::limits::{self, Bucket};
use minyi_web::{Env, Lang, Request, Response, WebError, cache};

/// Registers and shows the registration code.
pub async fn register<E: Env>(
    env: &E,
    req: &Request,
    code: &str,
    lang: Lang,
) -> Result<Response, WebError> {
    limits::check(env, Bucket::Code, req).await?;
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let opinion = get("opinion");
    let registered = meetings::register(
        env.store(),
        env.host(),
        code,
        &get("name"),
        &get("phone"),
        Some(opinion.as_str()),
        Via::Web,
    )
    .await?;
    let title = lang.pick("报名成功", "Registered");
    let main = html! {
        h1 { (title) }
        section.ok {
            @if registered.existing {
                // Never the code again: whoever knows a number could otherwise learn its code
                // and give its place up.
                p { (lang.pick("该手机号已报名，报名码已在首次报名时显示；也可由该手机发短信 BM 会议编号 姓名 取回。",
                    "This number has registered; its code was shown then, and texting BM <code> <name> from it sends it again.")) }
            } @else {
                p { (lang.pick("您的报名码（请保存）：", "Your registration code (keep it): ")) }
                p.big { (registered.code) }
            }
            p { (lang.pick("报名截止后将公布选取结果，入选者会收到短信。", "The draw is published when registration closes; those selected are told by SMS.")) }
        }
        p { a href={ "/meetings/" (minyi::meeting::code_upper(code)) "?lang=" (lang.code()) } { (lang.pick("返回会议页面", "Back to the meeting")) } }
    };
    Ok(result_page(lang, req, title, main))
}

/// A comment on a topic after the meeting: a case, answered with its tracking number and code.
pub async fn comment<E: Env>(
    env: &E,
    req: &Request,
    code: &str,
    lang: Lang,
) -> Result<Response, WebError> {
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let topic = get("topic")
        .parse()
        .map_err(|_| WebError::bad("topic", "请选择议题 / choose a topic"))?;
    let optional = |name: &str| Some(get(name)).filter(|v| !v.is_empty());
    let (budget, _) = limits::submission_budget(env, req);
    let rules = env.rules().await?;
    let registered = meetings::comment(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        code,
        meetings::Comment {
            topic,
            text: get("text"),
            contact: minyi::app::cases::Contact {
                name: optional("name"),
                phone: optional("phone"),
                email: None,
            },
            publish: get("publish") == "yes",
        },
        Some(&budget),
    )
    .await?;
    let title = lang.pick("意见已受理", "Comment received");
    let main = html! {
        h1 { (title) }
        section.ok {
            p { (lang.pick("受理编号：", "Tracking number: ")) }
            p.big { (registered.tracking.to_string()) }
            @if let Some(q) = &registered.query_code {
                p { (lang.pick("查询码（只显示这一次）：", "Query code (shown only now): ")) strong { (q.display()) } }
            }
        }
    };
    Ok(result_page(lang, req, title, main))
}

/// A selected citizen's answer from the web.
pub async fn answer<E: Env>(
    env: &E,
    req: &Request,
    code: &str,
    lang: Lang,
) -> Result<Response, WebError> {
    limits::check(env, Bucket::Code, req).await?;
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let confirm = match get("answer").as_str() {
        "confirm" => true,
        "cancel" => false,
        _ => {
            return Err(WebError::bad(
                "answer",
                "须为 confirm 或 cancel / confirm or cancel",
            ));
        }
    };
    let reg = get("registration");
    let outcome = meetings::answer(
        env.store(),
        env.host(),
        &get("phone"),
        Some((code, reg.as_str())),
        confirm,
    )
    .await?;
    if outcome != Answer::Nothing {
        // The page's draw list shows each code's outcome.
        env.purge(&cache::meeting_keys(&code.to_uppercase())).await;
    }
    let (title, said) = match outcome {
        Answer::Confirmed => (
            lang.pick("已确认出席", "Confirmed"),
            lang.pick("您的列席名额已确认。", "Your place is confirmed."),
        ),
        Answer::Cancelled => (
            lang.pick("已放弃", "Given up"),
            lang.pick(
                "您已放弃名额，候补者将依次递补。",
                "You gave up your place; the waitlist moves up.",
            ),
        ),
        Answer::Nothing => return Err(WebError::NotFound),
    };
    let main = html! { h1 { (title) } section.ok { p { (said) } } };
    Ok(result_page(lang, req, title, main))
}

/// A write's outcome page: never stored by a cache (it may hold a code shown once).
fn result_page(lang: Lang, req: &Request, title: &str, main: maud::Markup) -> Response {
    respond(lang, req, 200, page(lang, req, title, main)).with_header("cache-control", "no-store")
}

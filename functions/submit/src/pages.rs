//! The web form and its confirmation page.
//!
//! No JavaScript: the form posts, the server answers with either the form again (every problem
//! next to its field, everything typed kept) or the confirmation. A hidden form token
//! ([`FormToken`]: signed for this form, valid 24 hours) is the idempotency key, so a double
//! click or a browser re-POST registers one case; the token is single-use, and its replay
//! shows that the form was sent, never the query code (the next person at a shared computer
//! pressing Back must not see it). A hidden honeypot field catches simple bots. Cloudflare
//! Turnstile is added only when configured.

use crate::input::{FieldError, MAX_ADDRESS_CHARS, MAX_NAME_CHARS, Submission};
use crate::service;
use maud::{Markup, html};
use minyi::app::Host;
use minyi::app::cases::{MAX_BODY_CHARS, MAX_TITLE_CHARS, Registered};
use minyi::app::idempotency::FormToken;
use minyi::case::{Category, Channel};
use minyi_web::html::{self, text, time};
use minyi_web::{Env, Lang, Request, Response, Text, WebError};

/// The honeypot field: hidden from people, filled by naive bots.
const HONEYPOT: &str = "website";
/// The form token field.
const TOKEN: &str = "idempotency_key";
/// The form its tokens are signed for.
const FORM: &str = "submit";
/// The field Turnstile's widget posts.
const TURNSTILE_FIELD: &str = "cf-turnstile-response";
/// Where Turnstile tokens are verified.
const TURNSTILE_VERIFY: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/// `GET /submit`: the form, with the categories the rulebook offers.
pub async fn form<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let in_force = env.rules().await?;
    let values = vec![(TOKEN.to_owned(), new_token(env))];
    let offered = &in_force.rulebook.form_categories;
    Ok(render(env, req, lang, offered, 200, &values, &[]))
}

/// `POST /submit`: registers the case and shows the confirmation.
pub async fn submit<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let fields = req.form()?;
    let in_force = env.rules().await?;
    let offered = &in_force.rulebook.form_categories;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if get(HONEYPOT).is_some_and(|v| !v.trim().is_empty()) {
        return Err(WebError::forbidden(&both(text::HONEYPOT_FILLED)));
    }
    let mut values: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k != HONEYPOT && k != TURNSTILE_FIELD)
        .cloned()
        .collect();
    let fresh_token = |values: &mut Vec<(String, String)>| {
        values.retain(|(k, _)| k != TOKEN);
        values.push((TOKEN.to_owned(), new_token(env)));
    };
    let token = get(TOKEN).filter(|t| !t.trim().is_empty());
    match token {
        // Not from our form (a script posting fields): registered without a retry key.
        None => fresh_token(&mut values),
        Some(t) if !FormToken::verify(&env.config().secret, FORM, t.trim(), env.host().now()) => {
            fresh_token(&mut values);
            let errors = [FieldError {
                field: TOKEN,
                problem: text::FORM_EXPIRED,
            }];
            return Ok(render(env, req, lang, offered, 400, &values, &errors));
        }
        Some(_) => {}
    }
    let submission = match Submission::parse(get, Channel::Web, offered) {
        Ok(s) => s,
        Err(errors) => return Ok(render(env, req, lang, offered, 400, &values, &errors)),
    };
    let refusal = match turnstile(env, req, &fields).await {
        HumanCheck::Passed => None,
        HumanCheck::Failed => Some((403, text::TURNSTILE_FAILED)),
        HumanCheck::Unreachable => Some((503, text::TURNSTILE_UNREACHABLE)),
    };
    if let Some((status, problem)) = refusal {
        let errors = [FieldError {
            field: TURNSTILE_FIELD,
            problem,
        }];
        return Ok(render(env, req, lang, offered, status, &values, &errors));
    }
    match service::register(env, submission, req, FormToken::SCOPE, &in_force).await {
        Ok(r) if r.replayed => Ok(already_sent(req, lang, &r)),
        Ok(r) => Ok(confirmation(req, lang, &r)),
        Err(WebError::KeyReused) => {
            fresh_token(&mut values);
            let errors = [FieldError {
                field: TOKEN,
                problem: text::FORM_ALREADY_USED,
            }];
            Ok(render(env, req, lang, offered, 422, &values, &errors))
        }
        Err(e) => Err(e),
    }
}

/// Both languages of a message, Chinese first (for errors rendered by language later).
fn both(t: Text) -> String {
    format!("{} / {}", t.zh, t.en)
}

/// A new form token, signed for this form.
fn new_token<E: Env>(env: &E) -> String {
    let mut random = [0u8; 16];
    env.host().fill_random(&mut random);
    FormToken::issue(&env.config().secret, FORM, env.host().now(), random)
}

/// The outcome of the Turnstile check.
enum HumanCheck {
    /// Turnstile is not configured, or Cloudflare accepted the token.
    Passed,
    /// No token, or Cloudflare refused it.
    Failed,
    /// Cloudflare could not be asked (network, outbound policy, a non-200 or malformed
    /// answer): not the citizen's fault, so the form is kept and they are asked to try again.
    Unreachable,
}

/// Checks the posted Turnstile token with Cloudflare.
async fn turnstile<E: Env>(env: &E, req: &Request, fields: &[(String, String)]) -> HumanCheck {
    let Some(turnstile) = &env.config().turnstile else {
        return HumanCheck::Passed;
    };
    let Some(token) = fields
        .iter()
        .find(|(k, _)| k == TURNSTILE_FIELD)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 4096)
    else {
        return HumanCheck::Failed;
    };
    let mut form = vec![("secret", turnstile.secret.as_str()), ("response", token)];
    if let Some(ip) = req.client_ip.as_deref() {
        form.push(("remoteip", ip));
    }
    match minyi_web::outbound::post_form(env, TURNSTILE_VERIFY, &form).await {
        Ok((200, body)) => match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(answer) if answer["success"] == serde_json::Value::Bool(true) => HumanCheck::Passed,
            Ok(answer) if answer["success"] == serde_json::Value::Bool(false) => HumanCheck::Failed,
            // An answer that is not Cloudflare's: the check could not be made.
            _ => HumanCheck::Unreachable,
        },
        _ => HumanCheck::Unreachable,
    }
}

/// The form, with the values to show and the problems to point out.
fn render<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    offered: &[Category],
    status: u16,
    values: &[(String, String)],
    errors: &[FieldError],
) -> Response {
    let value = |name: &str| -> &str {
        values
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let problems = |name: &str| -> Markup {
        html! {
            @for e in errors.iter().filter(|e| e.field == name) {
                p.field-error id={ (name) "-error" } { (e.problem.get(lang)) }
            }
        }
    };
    let invalid = |name: &str| errors.iter().any(|e| e.field == name);
    let turnstile = env.config().turnstile.as_ref();
    let publish = value("publish");
    let consent = matches!(value("consent"), "yes" | "true" | "1");
    let main = html! {
        h1 { (text::FORM_TITLE.get(lang)) }
        p { (text::FORM_INTRO.get(lang)) }
        @if !errors.is_empty() {
            section.error role="alert" {
                p { strong { (text::FORM_HAS_ERRORS.get(lang)) } }
                ul.errors {
                    @for e in errors {
                        li {
                            a href={ "#" (e.field) } {
                                @if let Some(name) = text::field_name(e.field) {
                                    (name.get(lang)) (lang.pick("：", ": "))
                                }
                                (e.problem.get(lang))
                            }
                        }
                    }
                }
            }
        }
        form method="post" action={ "/submit?lang=" (lang.code()) } accept-charset="utf-8" {
            input type="hidden" name=(TOKEN) value=(value(TOKEN));
            label for="category" { (text::FIELD_CATEGORY.get(lang)) }
            (problems("category"))
            select #category name="category" required class=[invalid("category").then_some("invalid")] {
                option value="" { (text::CHOOSE.get(lang)) }
                @for c in offered {
                    option value=(c.code()) selected[value("category") == c.code()] {
                        (category_label(lang, *c))
                    }
                }
            }
            label for="title" { (text::FIELD_TITLE.get(lang)) }
            p.hint { (text::max_chars(lang, MAX_TITLE_CHARS)) }
            (problems("title"))
            input #title type="text" name="title" value=(value("title")) required
                class=[invalid("title").then_some("invalid")];
            label for="body" { (text::FIELD_BODY.get(lang)) }
            p.hint { (text::max_chars(lang, MAX_BODY_CHARS)) " " (text::BODY_COUNT_HINT.get(lang)) }
            (problems("body"))
            textarea #body name="body" rows="10" required
                class=[invalid("body").then_some("invalid")] { (value("body")) }
            label for="name" { (text::FIELD_NAME.get(lang)) }
            p.hint { (text::max_chars(lang, MAX_NAME_CHARS)) }
            (problems("name"))
            input #name type="text" name="name" value=(value("name")) autocomplete="name"
                class=[invalid("name").then_some("invalid")];
            label for="phone" { (text::FIELD_PHONE.get(lang)) }
            p.hint { (text::PHONE_HINT.get(lang)) }
            (problems("phone"))
            input #phone type="tel" name="phone" value=(value("phone")) autocomplete="tel"
                class=[invalid("phone").then_some("invalid")];
            label for="email" { (text::FIELD_EMAIL.get(lang)) }
            (problems("email"))
            input #email type="email" name="email" value=(value("email")) autocomplete="email"
                class=[invalid("email").then_some("invalid")];
            label for="address" { (text::FIELD_ADDRESS.get(lang)) }
            p.hint { (text::max_chars(lang, MAX_ADDRESS_CHARS)) }
            (problems("address"))
            input #address type="text" name="address" value=(value("address"))
                class=[invalid("address").then_some("invalid")];
            (problems("show_address"))
            div.choice {
                input #show_address type="checkbox" name="show_address" value="yes"
                    checked[matches!(value("show_address"), "yes" | "true" | "1")];
                label for="show_address" { (text::SHOW_ADDRESS_LABEL.get(lang)) }
            }
            fieldset #publish {
                legend { strong { (text::FIELD_PUBLISH.get(lang)) } }
                p.hint { (text::PUBLISH_HINT.get(lang)) }
                (problems("publish"))
                div.choice {
                    input #publish-yes type="radio" name="publish" value="yes" required checked[publish == "yes"];
                    label for="publish-yes" { (text::PUBLISH_YES.get(lang)) }
                    input #publish-no type="radio" name="publish" value="no" checked[publish == "no"];
                    label for="publish-no" { (text::PUBLISH_NO.get(lang)) }
                }
            }
            section.card {
                h2 { (text::CONSENT_HEADING.get(lang)) }
                p.hint { (text::CONSENT_NOTICE.get(lang)) }
                (problems("consent"))
                div.choice {
                    input #consent type="checkbox" name="consent" value="yes" required checked[consent];
                    label for="consent" { (text::CONSENT_LABEL.get(lang)) }
                }
            }
            div.hp aria-hidden="true" {
                label for="website" { (text::HONEYPOT_LABEL.get(lang)) }
                input #website type="text" name=(HONEYPOT) value="" autocomplete="off" tabindex="-1";
            }
            @if let Some(t) = turnstile {
                div #(TURNSTILE_FIELD) {
                    (problems(TURNSTILE_FIELD))
                    div.cf-turnstile data-sitekey=(t.site_key) data-language=(lang.tag()) {}
                }
            }
            button type="submit" { (text::SUBMIT_BUTTON.get(lang)) }
        }
        @if turnstile.is_some() {
            script src={ (html::TURNSTILE_ORIGIN) "/turnstile/v0/api.js" } async defer {}
        }
    };
    let page = html::page(lang, req, text::FORM_TITLE.get(lang), main);
    let response = html::respond(lang, req, status, page);
    if turnstile.is_some() {
        html::allow_turnstile(response)
    } else {
        response
    }
}

/// A category in the reader's language first, the other in brackets.
fn category_label(lang: Lang, c: Category) -> String {
    let label = Text {
        zh: c.label_zh(),
        en: c.label_en(),
    };
    format!("{} / {}", label.get(lang), label.get(lang.other()))
}

/// The answer to a form sent again: its tracking number, never the query code.
fn already_sent(req: &Request, lang: Lang, r: &Registered) -> Response {
    let main = html! {
        h1 { (text::ALREADY_SENT_TITLE.get(lang)) }
        section.ok {
            p { (text::TRACKING_NUMBER.get(lang)) }
            p.big #tracking { (r.tracking.to_string()) }
            p { (text::ALREADY_SENT.get(lang)) }
        }
        p { a.cta href={ "/cases/" (r.tracking.as_str()) "?lang=" (lang.code()) } { (text::VIEW_CASE.get(lang)) } }
    };
    let title = text::ALREADY_SENT_TITLE.get(lang);
    html::respond(lang, req, 200, html::page(lang, req, title, main))
}

/// The confirmation: tracking number, the query code of a private case (once), the deadline.
fn confirmation(req: &Request, lang: Lang, r: &Registered) -> Response {
    let tracking = r.tracking.to_string();
    let main = html! {
        h1 { (text::DONE_TITLE.get(lang)) }
        section.ok {
            p { (text::TRACKING_NUMBER.get(lang)) }
            p.big #tracking { (tracking) }
            p { (text::KEEP_TRACKING.get(lang)) }
        }
        @if let Some(code) = &r.query_code {
            section.warn role="alert" {
                p { (text::QUERY_CODE.get(lang)) }
                p.big #query-code { (code.display()) }
                p { strong { (text::QUERY_CODE_ONCE.get(lang)) } }
            }
        }
        @if let Some(due) = r.case.due_at {
            dl.facts {
                dt { (text::DEADLINE.get(lang)) }
                dd {
                    (time::deadline(lang, due))
                    @if r.case.provisional { " " (text::PROVISIONAL.get(lang)) }
                }
            }
        }
        p { a.cta href={ "/cases/" (r.tracking.as_str()) "?lang=" (lang.code()) } { (text::VIEW_CASE.get(lang)) } }
    };
    html::respond(
        lang,
        req,
        200,
        html::page(lang, req, text::DONE_TITLE.get(lang), main),
    )
}

//! `POST /submit/rating`: the citizen rates a reply, proving who they are with the case's query
//! code (the form sits on the public case page). A write, so it lives here, beside the other
//! citizen input, and the read-only lookup component stays read-only.

use maud::html;
use minyi::app::public;
use minyi::case::Rating;
use minyi::ids::{QueryCode, TrackingNumber};
use minyi_web::html::{self, text};
use minyi_web::{Env, Lang, Request, Response, WebError, cache, limits};

/// Records the rating and thanks the citizen, or refuses with a page saying why.
pub async fn rate<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let tracking = TrackingNumber::parse(&get("tracking")).map_err(|_| {
        WebError::bad(
            "tracking_number",
            "受理编号格式不对 / not a tracking number",
        )
    })?;
    let rating = Rating::from_code(&get("rating"))
        .ok_or_else(|| WebError::bad("rating", "请选择评价 / choose a rating"))?;
    let comment = Some(get("comment")).filter(|c| !c.is_empty());
    limits::check_code_attempt(env, req, &tracking).await?;
    let code = QueryCode::parse(&get("code")).map_err(|_| WebError::CodeRequired)?;
    let rules = env.rules().await?;
    let rated = public::rate(
        env.store(),
        env.host(),
        rules.rules(&env.config().secret),
        &tracking,
        &code,
        rating,
        comment,
    )
    .await?;
    env.purge(&cache::keys_of_case(tracking.number(), &[&rated.case]))
        .await;
    let main = html! {
        h1 { (text::RATED_TITLE.get(lang)) }
        section.ok {
            p { (text::RATED_THANKS.get(lang)) }
            p.big { (tracking.to_string()) }
        }
        p { a.cta href={ "/cases/" (tracking.as_str()) "?lang=" (lang.code()) } { (text::VIEW_CASE.get(lang)) } }
    };
    let page = html::page(lang, req, text::RATED_TITLE.get(lang), main);
    Ok(html::respond(lang, req, 200, page).with_header("cache-control", "no-store"))
}

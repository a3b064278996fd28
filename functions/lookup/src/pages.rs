//! The public pages: start page, answered cases, a case's page, tracking form.
//!
//! Everything shown comes from [`minyi::app::public`], which never reads personal data. A
//! private case's text appears only for the holder of its query code, and the code travels
//! only in a POST body, never in an address.

use crate::api::parse_tracking;
use crate::query::{ListQuery, MAX_SEARCH_CHARS};
use maud::{Markup, html};
use minyi::app::public::{self, DepartmentName, PublicCase};
use minyi::app::rulebook;
use minyi::calendar::Explanation;
use minyi::case::{Category, Rating, Status};
use minyi::ids::QueryCode;
use minyi_web::html::{self, text, time};
use minyi_web::limits;
use minyi_web::{Env, Lang, Request, Response, Text, WebError};

/// Cases per list page.
const PAGE_SIZE: u32 = 20;
/// Cases on the start page.
const LATEST: u32 = 10;

/// `GET /`: the start page.
pub async fn home<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let filter = public::Filter {
        replied_only: true,
        ..public::Filter::default()
    };
    let latest = public::list(env.store(), &filter, None, LATEST).await?;
    let main = html! {
        h1 { (text::HOME_TITLE.get(lang)) }
        p { (text::HOME_WELCOME.get(lang)) }
        p { a.cta href={ "/submit?lang=" (lang.code()) } { (text::HOME_SUBMIT.get(lang)) } }
        section.card {
            h2 { (text::HOME_TRACK.get(lang)) }
            (track_fields(lang, "", false))
        }
        section.card {
            h2 { (text::HOME_SEARCH.get(lang)) }
            form method="get" action="/cases" {
                input type="hidden" name="lang" value=(lang.code());
                label for="q" { (text::SEARCH.get(lang)) }
                input #q type="search" name="q" maxlength=(MAX_SEARCH_CHARS);
                button type="submit" { (text::SEARCH_BUTTON.get(lang)) }
            }
        }
        h2 { (text::HOME_LATEST.get(lang)) }
        @if latest.cases.is_empty() {
            p { (text::LIST_EMPTY.get(lang)) }
        }
        @for c in &latest.cases {
            (case_item(lang, c))
        }
        p { a href={ "/cases?lang=" (lang.code()) } { (text::HOME_ALL.get(lang)) } }
    };
    let page = html::page(lang, req, text::HOME_TITLE.get(lang), main);
    Ok(html::respond(lang, req, 200, page))
}

/// `GET /cases`: answered cases with filters, search and paging.
pub async fn list<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let mut q = ListQuery::parse(req)?;
    q.filter.replied_only = true;
    let page = public::list(env.store(), &q.filter, q.after, PAGE_SIZE).await?;
    let departments = public::departments(env.store()).await?;
    let search = q.filter.search.clone().unwrap_or_default();
    let month = q.month.clone().unwrap_or_default();
    let next = page.next.map(|cursor| {
        let mut query = form_query(req, &["cursor", "lang"]);
        query.push(("cursor".into(), cursor.token()));
        query.push(("lang".into(), lang.code().into()));
        link("/cases", &query)
    });
    let main = html! {
        h1 { (text::LIST_TITLE.get(lang)) }
        form.card method="get" action="/cases" {
            input type="hidden" name="lang" value=(lang.code());
            div.filters {
                div {
                    label for="department" { (text::DEPARTMENT.get(lang)) }
                    select #department name="department" {
                        option value="" { (text::ANY.get(lang)) }
                        @for d in &departments {
                            option value=(d.id) selected[q.filter.department == Some(d.id)] {
                                (department_name(lang, d))
                            }
                        }
                    }
                }
                div {
                    label for="category" { (text::CATEGORY.get(lang)) }
                    select #category name="category" {
                        option value="" { (text::ANY.get(lang)) }
                        @for c in Category::ALL.iter().filter(|c| **c != Category::Discipline) {
                            option value=(c.code()) selected[q.filter.category == Some(*c)] {
                                (label(lang, c.label_zh(), c.label_en()))
                            }
                        }
                    }
                }
                div {
                    label for="month" { (text::MONTH.get(lang)) }
                    input #month type="text" name="month" value=(month) placeholder="2026-03"
                        inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}" title=(text::MONTH_HINT.get(lang));
                }
                div {
                    label for="q" { (text::SEARCH.get(lang)) }
                    input #q type="search" name="q" value=(search) maxlength=(MAX_SEARCH_CHARS);
                }
            }
            button type="submit" { (text::FILTER_BUTTON.get(lang)) }
        }
        @if page.cases.is_empty() {
            p { (text::LIST_EMPTY.get(lang)) }
        }
        @for c in &page.cases {
            (case_item(lang, c))
        }
        nav.pager {
            @if let Some(next) = next {
                a rel="next" href=(next) { (text::NEXT_PAGE.get(lang)) " →" }
            }
            @if q.after.is_some() {
                " "
                a href=(link("/cases", &{
                    let mut first = form_query(req, &["cursor", "lang"]);
                    first.push(("lang".into(), lang.code().into()));
                    first
                })) { (text::FIRST_PAGE.get(lang)) }
            }
        }
    };
    let page = html::page(lang, req, text::LIST_TITLE.get(lang), main);
    Ok(html::respond(lang, req, 200, page))
}

/// `GET /cases/{tracking}` (and `POST /track` with a code): a case's page.
pub async fn case<E: Env>(
    env: &E,
    req: &Request,
    tracking: &str,
    code: Option<&str>,
    lang: Lang,
) -> Result<Response, WebError> {
    let number = parse_tracking(tracking, lang)?;
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let parsed = match code.map(QueryCode::parse) {
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => return Ok(code_needed(req, lang, &number.to_string(), true)),
        None => None,
    };
    match public::case_page(env.store(), &env.config().secret, &number, parsed.as_ref()).await {
        Ok(c) => {
            // The explanation is a courtesy: without the rules the page still shows.
            let why = explanation(env, &c).await.map(|e| match lang {
                Lang::Zh => e.describe_zh(),
                Lang::En => e.describe_en(),
            });
            let levels = rating_levels(env).await;
            Ok(case_response(
                req,
                lang,
                &c,
                code.filter(|_| parsed.is_some()),
                why.as_deref(),
                &levels,
            ))
        }
        Err(e) => match WebError::from(e) {
            WebError::CodeRequired => {
                Ok(code_needed(req, lang, &number.to_string(), code.is_some()))
            }
            other => Err(other),
        },
    }
}

/// `GET /track`: the form asking for tracking number and query code.
pub fn track_form(req: &Request, lang: Lang, error: Option<&WebError>) -> Response {
    let tracking = req.query_param("tracking").unwrap_or_default();
    let problem = error.map(|e| (e.status(), problem_text(lang, e)));
    track_page(req, lang, problem, &tracking)
}

/// `POST /track`: shows the case the form names.
pub async fn track<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name).trim().to_owned();
    let (tracking, code) = (get("tracking"), get("code"));
    let number = match parse_tracking(&tracking, lang) {
        Ok(n) => n,
        Err(e) => {
            let problem = (e.status(), problem_text(lang, &e));
            return Ok(track_page(req, lang, Some(problem), &tracking));
        }
    };
    if code.is_empty() {
        return Ok(Response::see_other(&format!(
            "/cases/{}?lang={}",
            number.as_str(),
            lang.code()
        )));
    }
    limits::check_code_attempt(env, req, &number).await?;
    case(env, req, number.as_str(), Some(&code), lang).await
}

/// The rating levels the policy in force offers.
async fn rating_levels<E: Env>(env: &E) -> Vec<Rating> {
    match env.rules().await {
        Ok(in_force) => Rating::ALL
            .iter()
            .copied()
            .filter(|r| in_force.rulebook.policy.offers_rating(*r))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The tracking form answering a private case: 403, with the tracking number filled in.
fn code_needed(req: &Request, lang: Lang, tracking: &str, code_given: bool) -> Response {
    let message = if code_given {
        text::CODE_WRONG.get(lang).to_owned()
    } else {
        WebError::CodeRequired.detail(lang)
    };
    track_page(req, lang, Some((403, message)), tracking)
}

/// An error's message for a form: the field's problem, in the reader's language.
fn problem_text(lang: Lang, e: &WebError) -> String {
    match e {
        WebError::BadRequest { problem, .. } => html::half(lang, problem).to_owned(),
        other => other.detail(lang),
    }
}

fn track_page(
    req: &Request,
    lang: Lang,
    problem: Option<(u16, String)>,
    tracking: &str,
) -> Response {
    let status = problem.as_ref().map_or(200, |(s, _)| *s);
    let main = html! {
        h1 { (text::TRACK_TITLE.get(lang)) }
        p { (text::TRACK_INTRO.get(lang)) }
        @if let Some((_, message)) = &problem {
            section.error role="alert" { p { (message) } }
        }
        (track_fields(lang, tracking, true))
    };
    let page = html::page(lang, req, text::TRACK_TITLE.get(lang), main);
    html::respond(lang, req, status, page)
}

/// The tracking form's fields; the query code only where asked.
fn track_fields(lang: Lang, tracking: &str, with_code: bool) -> Markup {
    html! {
        form method="post" action={ "/track?lang=" (lang.code()) } {
            label for="tracking" { (text::FIELD_TRACKING.get(lang)) }
            input #tracking type="text" name="tracking" value=(tracking) required
                autocapitalize="characters" autocomplete="off" placeholder="K7Q-H3X-PD9";
            @if with_code {
                label for="code" { (text::FIELD_CODE.get(lang)) }
                input #code type="text" name="code" autocapitalize="characters"
                    autocomplete="off" placeholder="ABCD-EFGH";
            }
            button type="submit" { (text::TRACK_BUTTON.get(lang)) }
        }
    }
}

fn case_response(
    req: &Request,
    lang: Lang,
    c: &PublicCase,
    code: Option<&str>,
    why: Option<&str>,
    levels: &[Rating],
) -> Response {
    let show_text = c.public || code.is_some();
    let rating_open = c.status == Status::Replied && !levels.is_empty();
    let tracking = c.tracking.to_string();
    let heading = format!("{} {tracking}", text::CASE_TITLE.get(lang));
    let main = html! {
        h1 { (text::CASE_TITLE.get(lang)) " " span.code { (tracking) } }
        dl.facts {
            dt { (text::STATUS.get(lang)) }
            dd #status { strong { (label(lang, c.status.label_zh(), c.status.label_en())) } }
            dt { (text::CATEGORY.get(lang)) }
            dd { (label(lang, c.category.label_zh(), c.category.label_en())) }
            dt { (text::DEPARTMENT.get(lang)) }
            dd {
                @match &c.department {
                    Some(d) => (department_name(lang, d)),
                    None => (text::NOT_DISPATCHED.get(lang)),
                }
            }
            dt { (text::RECEIVED.get(lang)) }
            dd { (time::date(lang, c.received_at)) }
            @if let Some(due) = c.due_at {
                dt { (text::DEADLINE.get(lang)) }
                dd {
                    (time::deadline(lang, due))
                    @if c.provisional { " " (text::PROVISIONAL.get(lang)) }
                    @if let Some(why) = why {
                        details.why {
                            summary { (text::WHY_THIS_DATE.get(lang)) }
                            p { (why) }
                        }
                    }
                }
            }
        }
        section.card {
            h2 { (text::MESSAGE.get(lang)) }
            @if show_text {
                h3 #title { (c.title) }
                p.pre { (c.body) }
            } @else {
                p { (text::TEXT_HIDDEN.get(lang)) }
            }
        }
        h2 { (text::REPLIES.get(lang)) }
        @if c.replies.is_empty() {
            p { (text::NO_REPLY.get(lang)) }
        }
        @for r in &c.replies {
            section.card.reply {
                p.pre { (r.body) }
                dl.facts {
                    dt { (text::TRUTHFULNESS.get(lang)) }
                    dd { (label(lang, r.truthfulness.label_zh(), r.truthfulness.label_en())) }
                    @if let Some(g) = r.grade {
                        dt { (text::GRADE.get(lang)) }
                        dd { (label(lang, g.label_zh(), g.label_en())) }
                    }
                    dt { (text::PUBLISHED.get(lang)) }
                    dd { (time::date(lang, r.published_at)) }
                }
            }
        }
        @if let (true, Some(until)) = (rating_open, c.rating_until) {
            section.card #rate {
                h2 { (text::RATE_TITLE.get(lang)) }
                p { (text::RATE_UNTIL.get(lang)) " " (time::deadline(lang, until)) }
                form method="post" action={ "/submit/rating?lang=" (lang.code()) } {
                    input type="hidden" name="tracking" value=(c.tracking.as_str());
                    fieldset {
                        legend { (text::RATE_TITLE.get(lang)) }
                        @for r in levels {
                            label { input type="radio" name="rating" value=(r.code()) required; " " (label(lang, r.label_zh(), r.label_en())) }
                        }
                    }
                    label for="rate-comment" { (text::RATE_COMMENT.get(lang)) }
                    textarea #rate-comment name="comment" maxlength="500" {}
                    @match code {
                        Some(code) => { input type="hidden" name="code" value=(code); }
                        None => {
                            label for="rate-code" { (text::QUERY_CODE.get(lang)) }
                            input #rate-code name="code" required autocomplete="off";
                        }
                    }
                    button type="submit" { (text::RATE_BUTTON.get(lang)) }
                }
            }
        }
        h2 { (text::TIMELINE.get(lang)) }
        ol.timeline {
            @for e in &c.timeline {
                li {
                    span.meta { (time::date_time(lang, e.at)) } " " (text::event(&e.kind).get(lang))
                    @if let Some(note) = &e.note { p.pre { (note) } }
                }
            }
        }
    };
    let page = html::page(lang, req, &heading, main);
    html::respond(lang, req, 200, page)
}

/// One case in a list: title, category, department, received date, status.
fn case_item(lang: Lang, c: &PublicCase) -> Markup {
    html! {
        article.card {
            h3 { a href={ "/cases/" (c.tracking.as_str()) "?lang=" (lang.code()) } { (c.title) } }
            p.meta {
                (label(lang, c.category.label_zh(), c.category.label_en()))
                " · "
                @match &c.department {
                    Some(d) => (department_name(lang, d)),
                    None => (text::NOT_DISPATCHED.get(lang)),
                }
                " · " (text::RECEIVED.get(lang)) " " (time::date(lang, c.received_at))
                " · " strong { (label(lang, c.status.label_zh(), c.status.label_en())) }
            }
        }
    }
}

fn label(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    Text { zh, en }.get(lang)
}

fn department_name(lang: Lang, d: &DepartmentName) -> &str {
    match lang {
        Lang::Zh => &d.zh,
        Lang::En => &d.en,
    }
}

/// The request's query fields without the named ones.
fn form_query(req: &Request, without: &[&str]) -> Vec<(String, String)> {
    req.query_pairs()
        .into_iter()
        .filter(|(k, v)| !without.contains(&k.as_str()) && !v.trim().is_empty())
        .collect()
}

fn link(path: &str, query: &[(String, String)]) -> String {
    html::href(path, query)
}

/// How the case's deadline was counted, by the rules that set it (the rulebook version the case
/// records), if it can still be told.
async fn explanation<E: Env>(env: &E, case: &PublicCase) -> Option<Explanation> {
    let in_force = env.rules().await.ok()?;
    let policy = if case.rulebook_version == in_force.rulebook.version {
        in_force.rulebook.policy.clone()
    } else {
        rulebook::version(env.store(), case.rulebook_version)
            .await
            .ok()?
            .policy
    };
    public::deadline_explanation(case, &in_force.calendar, &policy)
}

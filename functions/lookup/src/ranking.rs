//! `GET /statistics`: the public ranking of departments by on-time reply rate over a rolling
//! window (only departments with enough replies), and hot topics: public cases by category and
//! month. Aggregates only: no case, name or text.

use maud::html;
use minyi::app::Host;
use minyi::app::statistics::{self, RANKING_MIN_ANSWERED, RANKING_WINDOW_DAYS};
use minyi::calendar::Timestamp;
use minyi_web::html::{page as layout, respond};
use minyi_web::{Env, Lang, Request, Response, WebError};

/// How many months of topics the page shows.
const TOPIC_MONTHS: i64 = 6;

/// The page.
pub async fn page<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let now = env.host().now();
    let ranked = statistics::ranking(env.store(), now).await?;
    let since = Timestamp::from_millisecond(now.as_millisecond() - TOPIC_MONTHS * 31 * 86_400_000)
        .map_err(|_| WebError::Internal("topic window".into()))?;
    let topics = statistics::topics(env.store(), since).await?;
    let title = lang.pick("办理统计", "Statistics");
    let main = html! {
        h1 { (title) }
        section.card {
            h2 { (lang.pick("单位按时答复率排名", "Departments by on-time reply rate")) }
            p.hint { (match lang {
                Lang::Zh => format!("近{RANKING_WINDOW_DAYS}日内，答复满{RANKING_MIN_ANSWERED}件的单位。"),
                Lang::En => format!("The last {RANKING_WINDOW_DAYS} days; departments with at least {RANKING_MIN_ANSWERED} replies."),
            }) }
            @if ranked.is_empty() {
                p { (lang.pick("暂无足够数据。", "Not enough replies yet.")) }
            } @else {
                table #ranking {
                    thead { tr {
                        th { (lang.pick("名次", "Rank")) }
                        th { (lang.pick("单位", "Department")) }
                        th { (lang.pick("答复", "Replies")) }
                        th { (lang.pick("按时答复率", "On time")) }
                    } }
                    tbody { @for (i, s) in ranked.iter().enumerate() { tr {
                        td { (i + 1) }
                        td { (lang.pick(&s.name_zh, &s.name_en)) }
                        td { (s.answered) }
                        td { (s.on_time_rate().map_or_else(String::new, |r| r.to_string())) }
                    } } }
                }
            }
        }
        section.card {
            h2 { (lang.pick("热点类别（公开留言，按月）", "Hot topics (public messages, by month)")) }
            @if topics.is_empty() {
                p { (lang.pick("暂无公开留言。", "No public messages yet.")) }
            } @else {
                table #topics {
                    thead { tr {
                        th { (lang.pick("月份", "Month")) }
                        th { (lang.pick("类别", "Category")) }
                        th { (lang.pick("件数", "Messages")) }
                    } }
                    tbody { @for (month, category, n) in &topics { tr {
                        td { (month) }
                        td { (lang.pick(category.label_zh(), category.label_en())) }
                        td { (n) }
                    } } }
                }
            }
        }
    };
    Ok(respond(lang, req, 200, layout(lang, req, title, main)))
}

//! The open meetings' public pages (000 §1): `GET /meetings` (announced meetings) and
//! `GET /meetings/{code}` (agenda, time and place, the countdown, the registration form while
//! it is open, the live stream and the recording, the lottery's commitment and, once drawn, the
//! seed and the draw list of registration codes — nothing personal), and
//! `GET /meetings/{code}.ics` (a calendar entry linking back to the page).

use maud::html;
use minyi::app::Host;
use minyi::app::meetings::{self, Meeting};
use minyi::calendar::Timestamp;
use minyi::meeting::Selection;
use minyi_web::html::{page as layout, respond, time};
use minyi_web::{Env, Lang, Request, Response, WebError};

/// `GET /meetings`.
pub async fn list<E: Env>(env: &E, req: &Request, lang: Lang) -> Result<Response, WebError> {
    let all = meetings::list(env.store(), false, 50).await?;
    let title = lang.pick("政府常务会议公众列席", "Open government meetings");
    let main = html! {
        h1 { (title) }
        @if all.is_empty() {
            p { (lang.pick("暂无会议预告。", "No meeting announced.")) }
        }
        ul.meetings { @for m in &all { li {
            a href={ "/meetings/" (m.code) "?lang=" (lang.code()) } { (m.title) }
            " · " (time::date_time(lang, m.starts_at))
        } } }
    };
    Ok(respond(lang, req, 200, layout(lang, req, title, main)))
}

/// `GET /meetings/{code}` or `GET /meetings/{code}.ics`.
pub async fn page<E: Env>(
    env: &E,
    req: &Request,
    code: &str,
    lang: Lang,
) -> Result<Response, WebError> {
    if let Some(code) = code.strip_suffix(".ics") {
        let meeting = published(env, code).await?;
        return Ok(ical(req, &meeting));
    }
    let meeting = published(env, code).await?;
    let now = env.host().now();
    let drawn = meetings::draw_list(env.store(), meeting.id).await?;
    let title = meeting.title.clone();
    let main = html! {
        h1 { (meeting.title) }
        dl {
            dt { (lang.pick("会议编号", "Meeting code")) } dd { strong { (meeting.code) } }
            dt { (lang.pick("时间", "Time")) } dd { (time::date_time(lang, meeting.starts_at)) " " (countdown(lang, now, meeting.starts_at)) }
            dt { (lang.pick("地点", "Place")) } dd { (meeting.place) }
            dt { (lang.pick("列席名额", "Places")) } dd { (meeting.capacity) }
            dt { (lang.pick("发言时间", "Speaking time")) } dd { (meeting.speaking_minutes) (lang.pick(" 分钟/人", " minutes each")) }
            dt { (lang.pick("报名时间", "Registration")) } dd { (time::date_time(lang, meeting.opens_at)) " – " (time::date_time(lang, meeting.closes_at)) }
            dt { (lang.pick("选取方式", "Selection")) } dd { (match meeting.selection {
                Selection::FirstCome => lang.pick("按报名先后", "first come"),
                Selection::Lottery => lang.pick("公开抽签", "public lottery"),
            }) }
        }
        h2 { (lang.pick("议题", "Agenda")) }
        ol { @for t in &meeting.topics { li { (t.topic) } } }
        p { a href={ "/meetings/" (meeting.code) ".ics" } { (lang.pick("加入日历（iCal）", "Add to calendar (iCal)")) } }
        @if let Some(url) = &meeting.recording_url {
            p { a.cta href=(url) { (lang.pick("观看录像", "Watch the recording")) } }
        } @else if let Some(url) = &meeting.stream_url {
            @if now >= meeting.starts_at {
                p { a.cta href=(url) { (lang.pick("观看直播", "Watch live")) } }
            } @else {
                p.hint { (lang.pick("会议开始后可在此观看直播。", "The live stream opens here when the meeting starts.")) }
            }
        }
        @if meeting.open_at(now) {
            section.card {
                h2 { (lang.pick("报名列席", "Sign up to attend")) }
                p.hint { (lang.pick("每个手机号限报一次；也可发短信：BM ", "One registration per phone number; or text: BM ")) (meeting.code) (lang.pick(" 姓名", " your name")) }
                form method="post" action={ "/submit/meetings/" (meeting.code) "?lang=" (lang.code()) } {
                    label for="name" { (lang.pick("姓名", "Name")) }
                    input #name name="name" required maxlength="50" autocomplete="name";
                    label for="phone" { (lang.pick("手机号", "Mobile number")) }
                    input #phone name="phone" required maxlength="20" inputmode="tel" autocomplete="tel";
                    label for="opinion" { (lang.pick("书面意见（可选）", "Written opinion (optional)")) }
                    textarea #opinion name="opinion" maxlength="2000" rows="4" {}
                    button type="submit" { (lang.pick("报名", "Sign up")) }
                }
            }
        }
        @if meeting.published_at.is_some() && now >= meeting.starts_at
            && now.as_second() < meeting.starts_at.as_second() + meetings::COMMENT_DAYS * 86_400 {
            section.card {
                h2 { (lang.pick("对议题发表意见", "Comment on a topic")) }
                p.hint { (lang.pick("议题提交单位将在3个工作日内答复。", "The unit that raised the topic answers within 3 working days.")) }
                form method="post" action={ "/submit/meetings/" (meeting.code) "/comment?lang=" (lang.code()) } {
                    label for="topic" { (lang.pick("议题", "Topic")) }
                    select #topic name="topic" { @for (i, t) in meeting.topics.iter().enumerate() { option value=(i) { (t.topic) } } }
                    label for="text" { (lang.pick("意见", "Comment")) }
                    textarea #text name="text" required maxlength="10000" rows="5" {}
                    label for="cname" { (lang.pick("姓名（可选）", "Name (optional)")) }
                    input #cname name="name" maxlength="50";
                    label for="cphone" { (lang.pick("电话（可选，用于回复）", "Phone (optional, for the answer)")) }
                    input #cphone name="phone" maxlength="20" inputmode="tel";
                    label { input type="checkbox" name="publish" value="yes"; (lang.pick(" 同意公开我的意见及答复", " My comment and its answer may be published")) }
                    button type="submit" { (lang.pick("提交意见", "Send")) }
                }
            }
        }
        @if meeting.selection == Selection::Lottery {
            section.card {
                h2 { (lang.pick("抽签公证", "The lottery, checkable")) }
                p { (lang.pick("种子的SHA-256承诺：", "SHA-256 commitment of the seed: ")) code { (meeting.seed_commitment) } }
                @if let Some(seed) = &meeting.seed {
                    p { (lang.pick("种子：", "Seed: ")) code { (seed) } }
                    p.hint { (lang.pick(
                        "每个报名码的签号为 SHA-256(种子 \":\" 报名码)，按签号从小到大排序，前列者入选，其余依次候补。",
                        "Each registration code's ticket is SHA-256(seed \":\" code); sorted ascending, the first are selected and the rest waitlisted in order.")) }
                }
            }
        }
        @if !drawn.is_empty() {
            section.card {
                h2 { (lang.pick("选取结果", "Draw")) }
                table #draw {
                    thead { tr { th { (lang.pick("顺序", "Order")) } th { (lang.pick("报名码", "Code")) } th { (lang.pick("结果", "Outcome")) } } }
                    tbody { @for (code, rank, state) in &drawn { tr {
                        td { (rank) } td { code { (code) } }
                        td { (outcome(lang, state)) }
                    } } }
                }
            }
        }
    };
    Ok(respond(lang, req, 200, layout(lang, req, &title, main)))
}

async fn published<E: Env>(env: &E, code: &str) -> Result<Meeting, WebError> {
    let meeting = meetings::find(env.store(), code).await?;
    if meeting.published_at.is_none() {
        return Err(WebError::NotFound);
    }
    Ok(meeting)
}

/// A registration's outcome as the draw list shows it.
fn outcome(lang: Lang, state: &str) -> &'static str {
    match state {
        "selected" | "confirmed" | "attended" => lang.pick("入选", "selected"),
        "waitlisted" => lang.pick("候补", "waitlisted"),
        _ => lang.pick("已放弃", "gave up"),
    }
}

/// "还有3天" until the start, or nothing once it began.
fn countdown(lang: Lang, now: Timestamp, starts: Timestamp) -> String {
    let left = starts.as_second() - now.as_second();
    if left <= 0 {
        return String::new();
    }
    let (days, hours) = (left / 86_400, left % 86_400 / 3600);
    match lang {
        Lang::Zh => format!("（距开会还有{days}天{hours}小时）"),
        Lang::En => format!("(in {days} days {hours} hours)"),
    }
}

/// The meeting as an iCalendar event (RFC 5545), its URL the meeting page.
fn ical(req: &Request, m: &Meeting) -> Response {
    let stamp = |t: Timestamp| minyi::calendar::iso::utc(t).replace(['-', ':'], "");
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace(';', "\\;")
            .replace(',', "\\,")
            .replace('\n', "\\n")
    };
    let host = req.header("host").unwrap_or("localhost");
    let url = format!("https://{host}/meetings/{}", m.code);
    let end = Timestamp::from_second(m.starts_at.as_second() + 2 * 3600).unwrap_or(m.starts_at);
    let body = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Minyi//Open meetings//ZH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:meeting-{}@{host}", m.code),
        format!("DTSTAMP:{}", stamp(m.published_at.unwrap_or(m.starts_at))),
        format!("DTSTART:{}", stamp(m.starts_at)),
        format!("DTEND:{}", stamp(end)),
        format!("SUMMARY:{}", escape(&m.title)),
        format!("LOCATION:{}", escape(&m.place)),
        format!("URL:{url}"),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ]
    .join("\r\n")
        + "\r\n";
    Response::new(200, "text/calendar; charset=utf-8", body).with_header(
        "content-disposition",
        &format!("attachment; filename=\"meeting-{}.ics\"", m.code),
    )
}

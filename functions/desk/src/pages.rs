//! The desk's pages: login, work queues, a case.

use maud::{Markup, html};
use minyi::app::Host;
use minyi::app::desk::{self, QueueItem};
use minyi::app::public::DepartmentName;
use minyi::app::staff::Staff;
use minyi::calendar::{BEIJING, Calendar, Timestamp};
use minyi::case::Status;
use minyi::staff::StaffRole;
use minyi_web::html::{page, respond, time};
use minyi_web::{Env, Lang, Request, Response, WebError};

use crate::{audit, roles_text};

/// The login form; `failed` keeps the login name after a refusal.
pub fn login(req: &Request, lang: Lang, status: u16, failed: Option<&str>) -> Response {
    let main = html! {
        h1 { (lang.pick("工作人员登录", "Staff login")) }
        @if failed.is_some() {
            section.error role="alert" { p { (minyi_web::html::half(lang, crate::login::REFUSED)) } }
        }
        form method="post" action="/desk/login" {
            label for="login" { (lang.pick("登录名", "Login")) }
            input #login name="login" required autocomplete="username" value=(failed.unwrap_or(""));
            label for="password" { (lang.pick("密码", "Password")) }
            input #password name="password" type="password" required autocomplete="current-password";
            label for="code" { (lang.pick("验证码（身份验证器）", "Code (authenticator app)")) }
            input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}";
            button type="submit" { (lang.pick("登录", "Log in")) }
        }
    };
    respond(
        lang,
        req,
        status,
        page(lang, req, lang.pick("工作人员登录", "Staff login"), main),
    )
}

/// The work queues of every role the person holds.
pub async fn queues<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    let mut sections = Vec::new();
    for role in &staff.roles {
        let items = desk::queue(env.store(), *role).await?;
        sections.push((*role, items));
    }
    let rules = env.rules().await?;
    let now = env.host().now();
    let main = html! {
        h1 { (lang.pick("待办", "Work")) " · " (staff.display_name) }
        (crate::admin::nav(lang, staff))
        form method="post" action="/desk/logout" { button type="submit" { (lang.pick("退出", "Log out")) } }
        @for (role, items) in &sections {
            section {
                h2 { (role_name(lang, *role)) }
                @if items.is_empty() {
                    p { (lang.pick("暂无待办。", "Nothing waiting.")) }
                } @else {
                    (queue_table(lang, &rules.calendar, now, items))
                }
            }
        }
    };
    Ok(respond(
        lang,
        req,
        200,
        page(lang, req, lang.pick("待办", "Work"), main),
    ))
}

fn queue_table(lang: Lang, calendar: &Calendar, now: Timestamp, items: &[QueueItem]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (lang.pick("受理编号", "Tracking")) }
                th { (lang.pick("标题", "Title")) }
                th { (lang.pick("状态", "Status")) }
                th { (lang.pick("时限", "Due")) }
                th { (lang.pick("剩余", "Left")) }
            } }
            tbody { @for item in items {
                @let (left, late) = item.due_at.map_or((String::new(), false), |d| time_left(lang, calendar, now, d));
                tr.overdue[late || item.overdue] {
                    td { a href={ "/desk/cases/" (item.tracking) } { (item.tracking) } }
                    td {
                        (item.title)
                        @if item.reports > 1 { " " small { (lang.pick("反映", "reported ")) (item.reports) (lang.pick("次", " times")) } }
                    }
                    td { (status_name(lang, item.status)) }
                    td { (due(lang, item.due_at)) }
                    td { @if late || item.overdue { strong { (lang.pick("已超期", "Overdue")) } } @else { (left) } }
                }
            } }
        }
    }
}

/// Time left before `due`: hours under a day, otherwise the working days after today up to
/// the deadline's last day; `true` once it has passed.
fn time_left(lang: Lang, calendar: &Calendar, now: Timestamp, due: Timestamp) -> (String, bool) {
    if now >= due {
        return (String::new(), true);
    }
    let hours = (due.as_second() - now.as_second()) / 3600;
    if hours < 24 {
        return (format!("{hours} {}", lang.pick("小时", "hours")), false);
    }
    let day = |t: Timestamp| BEIJING.to_datetime(t).date();
    let last = day(Timestamp::from_millisecond(due.as_millisecond() - 1).unwrap_or(due));
    let n = calendar.working_days_between(day(now), last);
    (
        format!(
            "{n} {}",
            lang.pick("个工作日（不含今天）", "working days after today")
        ),
        false,
    )
}

/// A case: its facts, text, the citizen's contact details for roles that may see them (the
/// reading is audited), the whole timeline, and the actions the person's roles offer.
pub async fn case<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
    tracking: &str,
) -> Result<Response, WebError> {
    let id = desk::case_id(env.store(), tracking).await?;
    let current = minyi::app::cases::load(env.store(), id).await?;
    let departments = minyi::app::public::departments(env.store()).await?;
    let (title, body) = desk::case_text(env.store(), id).await?;
    let timeline = desk::timeline(env.store(), id).await?;
    let messages = minyi::app::outbox::of_case(env.store(), id).await?;
    let contact = if staff.roles.iter().any(|r| r.sees_personal_data()) {
        audit(
            env,
            req,
            Some((staff.account_id, &roles_text(staff))),
            "read_contact",
            Some(id),
            "",
        )
        .await?;
        desk::contact(env.store(), id).await?
    } else {
        None
    };
    let actions = crate::act::offered(staff, &current);
    // The responsibility list's suggestion (职责清单, 003 §2.4): the operator still decides.
    let rules = env.rules().await?;
    let suggested = rules
        .rulebook
        .suggest_lead(&format!("{title}\n{body}"))
        .and_then(|code| departments.iter().find(|d| d.code == code))
        .map(|d| d.id);
    let main = html! {
        p { a href="/desk/" { (lang.pick("← 待办", "← Work")) } }
        h1 { (title) }
        dl {
            dt { (lang.pick("受理编号", "Tracking")) } dd { (tracking) }
            dt { (lang.pick("状态", "Status")) } dd { (status_name(lang, current.status)) }
            dt { (lang.pick("类别", "Category")) } dd { (lang.pick(current.facts.category.label_zh(), current.facts.category.label_en())) }
            dt { (lang.pick("时限", "Due")) } dd { (due(lang, current.due_at)) }
            dt { (lang.pick("来源", "Channel")) } dd { (lang.pick(current.facts.channel.label_zh(), current.facts.channel.label_en())) }
            dt { (lang.pick("受理时间", "Received")) } dd { (time::date_time(lang, current.received_at)) }
            @if let Some(m) = current.dispatch_method {
                dt { (lang.pick("交办方式", "Dispatched")) } dd { (lang.pick(m.label_zh(), m.label_en())) }
            }
            @if let Some(lead) = current.lead {
                dt { (lang.pick("主办单位", "Lead")) } dd { (department_name(lang, &departments, lead)) }
            }
            @if !current.co_handlers.is_empty() {
                dt { (lang.pick("会办单位", "Co-handlers")) }
                dd { @for d in &current.co_handlers {
                    (department_name(lang, &departments, *d))
                    " (" (if current.co_answered.contains(d) { lang.pick("已回复", "answered") } else { lang.pick("待回复", "pending") }) ") "
                } }
            }
            @if current.leader_instructed {
                dt { (lang.pick("领导批示件", "Leader-instructed")) } dd { (lang.pick("是", "yes")) }
            }
            @if let Some(r) = current.required_by {
                dt { (lang.pick("要求时限", "Required by")) } dd { (time::deadline(lang, r)) }
            }
            @if let Some(d) = current.duties.dispatch_by {
                dt { (lang.pick("当日交办截止", "Dispatch by")) } dd { (time::date_time(lang, d)) }
            }
            @if current.overdue_since.is_some() {
                dt { (lang.pick("超期", "Overdue")) } dd { strong { (lang.pick("是", "yes")) } }
            }
        }
        p.body { (body) }
        @if let Some(c) = &contact {
            section.contact {
                h2 { (lang.pick("联系方式（查看已记录）", "Contact (this reading is recorded)")) }
                dl {
                    @if let Some(n) = &c.name { dt { (lang.pick("姓名", "Name")) } dd { (n) } }
                    @if let Some(p) = &c.phone { dt { (lang.pick("电话", "Phone")) } dd { (p) } }
                    @if let Some(e) = &c.email { dt { (lang.pick("邮箱", "E-mail")) } dd { (e) } }
                }
            }
        }
        section {
            h2 { (lang.pick("办理记录", "Timeline")) }
            ol { @for e in &timeline { li {
                (time::date_time(lang, e.at)) " · " (e.actor) " · " strong { (minyi_web::html::text::event(&e.kind).get(lang)) }
                @if e.data != "{}" { " " code { (e.data) } }
            } } }
        }
        @if !messages.is_empty() {
            section.messages {
                h2 { (lang.pick("外发消息", "Messages sent")) }
                table {
                    tr {
                        th { (lang.pick("时间", "Written")) } th { (lang.pick("内容", "What")) }
                        th { (lang.pick("发往", "To")) } th { (lang.pick("状态", "State")) }
                        th { (lang.pick("尝试", "Tries")) }
                    }
                    @for m in &messages {
                        tr {
                            td { (time::date_time(lang, m.created_at)) }
                            td { (lang.pick(m.kind.label().0, m.kind.label().1)) }
                            td { @match m.department {
                                Some(d) => (department_name(lang, &departments, d)),
                                None => (lang.pick("市民", "the citizen")),
                            } }
                            td { (message_state(lang, &m.state)) @if let Some(e) = &m.last_error { " (" (e) ")" } }
                            td { (m.attempts) }
                        }
                    }
                }
            }
        }
        @for action in &actions {
            (crate::act::form(lang, tracking, *action, &departments, suggested))
        }
    };
    Ok(respond(lang, req, 200, page(lang, req, &title, main)))
}

/// An outbox state as staff read it.
fn message_state(lang: Lang, state: &str) -> &'static str {
    let (zh, en) = match state {
        "pending" => ("待发送", "waiting"),
        "sending" => ("发送中", "sending"),
        "sent" => ("已发送", "sent"),
        "delivered" => ("已送达", "delivered"),
        "undelivered" => ("未送达", "not delivered"),
        "failed" => ("发送失败", "failed"),
        "no_address" => ("无接收号码", "no number on record"),
        _ => ("未知", "unknown"),
    };
    lang.pick(zh, en)
}

fn due(lang: Lang, at: Option<Timestamp>) -> String {
    at.map_or_else(
        || lang.pick("未定", "not set").to_owned(),
        |t| time::deadline(lang, t),
    )
}

fn department_name(lang: Lang, departments: &[DepartmentName], id: i64) -> String {
    departments
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| format!("#{id}"), |d| lang.pick(&d.zh, &d.en).to_owned())
}

fn status_name(lang: Lang, s: Status) -> &'static str {
    lang.pick(s.label_zh(), s.label_en())
}

fn role_name(lang: Lang, role: StaffRole) -> String {
    let (zh, en) = role.labels();
    match role.department() {
        Some(d) => format!(
            "{} · {}{d}",
            lang.pick(zh, en),
            lang.pick("单位", "department ")
        ),
        None => lang.pick(zh, en).to_owned(),
    }
}

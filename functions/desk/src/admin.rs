//! The admin's screens, server-rendered and usable without JavaScript: accounts (list, create
//! with the second factor's enrolment URI shown once, disable, enable, revoke sessions), the
//! rulebook in force with its departments, responsibility list and history (saving a new
//! version), and the stored calendar years (adding or replacing one). Also every person's own
//! session list. Only admins reach the admin screens (others get 403); every change writes an
//! audit row.
//!
//! | route | does |
//! | --- | --- |
//! | `GET /desk/admin` | accounts, and the form to create one |
//! | `POST /desk/admin/accounts` | creates an account; the enrolment URI once |
//! | `POST /desk/admin/accounts/{id}/{disable,enable,revoke}` | disables (and logs out), enables, logs out |
//! | `GET /desk/admin/rulebook`, `POST /desk/admin/rulebook` | the rulebook in force; a new version |
//! | `GET /desk/admin/calendar`, `POST /desk/admin/calendar` | the stored years; add or replace one |
//! | `GET /desk/sessions`, `POST /desk/sessions/revoke` | the person's own sessions; end one |

use maud::{Markup, html};
use minyi::app::public::{self, DepartmentName};
use minyi::app::staff::{self, AccountSummary, Staff};
use minyi::app::{AppError, Host, calendar, rulebook};
use minyi::calendar::{BEIJING, Timestamp};
use minyi::staff::StaffRole;
use minyi_web::html::{half, page, respond, time};
use minyi_web::{Env, Lang, Method, Request, Response, WebError};

use crate::{audit, roles_text, session};

/// Links to the desk's screens the person's roles open: a small fragment for every page's top.
pub fn nav(lang: Lang, staff: &Staff) -> Markup {
    let admin = staff.holds(StaffRole::Admin);
    let supervises = admin || staff.holds(StaffRole::Supervisor);
    html! {
        nav.desk {
            a href="/desk/" { (lang.pick("待办", "Work")) }
            @if staff.holds(StaffRole::Operator) { " · " a href="/desk/intake" { (lang.pick("受理登记", "Register a case")) } }
            @if staff.holds(StaffRole::Operator) || admin { " · " a href="/desk/meetings" { (lang.pick("会议", "Meetings")) } }
            @if supervises { " · " a href="/desk/supervision" { (lang.pick("督办", "Supervision")) } }
            @if supervises || staff.holds(StaffRole::Leader) {
                " · " a href="/desk/statistics" { (lang.pick("统计", "Statistics")) }
                " · " a href="/desk/criticism" { (lang.pick("通报批评", "Criticism")) }
            }
            @if admin {
                " · " a href="/desk/admin" { (lang.pick("账户", "Accounts")) }
                " · " a href="/desk/admin/rulebook" { (lang.pick("单位与规则", "Departments and rules")) }
                " · " a href="/desk/admin/calendar" { (lang.pick("节假日", "Holidays")) }
            }
            " · " a href="/desk/sessions" { (lang.pick("我的会话", "My sessions")) }
        }
    }
}

/// Answers `/desk/admin...` and `/desk/sessions...` for a logged-in person.
pub async fn route<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
    rest: &[&str],
) -> Result<Response, WebError> {
    match (req.method, rest) {
        (Method::Get, ["sessions"]) => return sessions_page(env, req, lang, staff).await,
        (Method::Post, ["sessions", "revoke"]) => return revoke_own(env, req, staff).await,
        (_, ["sessions", ..]) => return Err(not_allowed(rest)),
        _ => {}
    }
    if !staff.holds(StaffRole::Admin) {
        return Err(WebError::forbidden("仅管理员 / admins only"));
    }
    match (req.method, rest) {
        (Method::Get, ["admin"]) => accounts_page(env, req, lang, staff, 200, None).await,
        (Method::Post, ["admin", "accounts"]) => create(env, req, lang, staff).await,
        (Method::Post, ["admin", "accounts", id, op]) => account_op(env, req, staff, id, op).await,
        (Method::Get, ["admin", "rulebook"]) => rulebook_page(env, req, lang, staff, None).await,
        (Method::Post, ["admin", "rulebook"]) => save_rulebook(env, req, lang, staff).await,
        (Method::Get, ["admin", "calendar"]) => calendar_page(env, req, lang, staff, None).await,
        (Method::Post, ["admin", "calendar"]) => save_year(env, req, lang, staff).await,
        _ => Err(not_allowed(rest)),
    }
}

/// 405 for a known path asked with the wrong method, 404 for any other.
fn not_allowed(rest: &[&str]) -> WebError {
    match rest {
        ["sessions"] | ["admin"] | ["admin", "rulebook" | "calendar"] => {
            WebError::MethodNotAllowed {
                allow: minyi_web::ALLOW_READ_POST,
            }
        }
        ["sessions", "revoke"] | ["admin", "accounts"] | ["admin", "accounts", _, _] => {
            WebError::MethodNotAllowed { allow: "POST" }
        }
        _ => WebError::NotFound,
    }
}

/// The admin's identity in the audit trail.
fn who(staff: &Staff) -> (i64, String) {
    (staff.account_id, roles_text(staff))
}

/// What a refused form keeps: the message and the fields to show again.
struct Refusal {
    message: String,
    fields: Vec<(String, String)>,
}

impl Refusal {
    fn of(error: &WebError, lang: Lang, fields: Vec<(String, String)>) -> Self {
        let message = match error {
            WebError::BadRequest { field, problem } => {
                let name = minyi_web::html::text::field_name(field)
                    .map_or_else(|| field.clone(), |n| n.get(lang).to_owned());
                format!("{name}{}{}", lang.pick("：", ": "), half(lang, problem))
            }
            other => other.detail(lang),
        };
        Self { message, fields }
    }

    fn field(&self, name: &str) -> &str {
        minyi_web::field(&self.fields, name)
    }
}

fn alert(refusal: Option<&Refusal>) -> Markup {
    html! {
        @if let Some(r) = refusal {
            section.error role="alert" { p { (r.message) } }
        }
    }
}

fn when(lang: Lang, at: Option<Timestamp>) -> String {
    at.map_or_else(|| "—".to_owned(), |t| time::date_time(lang, t))
}

fn role_label(lang: Lang, role: StaffRole, departments: &[DepartmentName]) -> String {
    let (zh, en) = role.labels();
    match role.department() {
        Some(d) => {
            let name = departments
                .iter()
                .find(|n| n.id == d)
                .map_or_else(|| d.to_string(), |n| lang.pick(&n.zh, &n.en).to_owned());
            format!("{}（{name}）", lang.pick(zh, en))
        }
        None => lang.pick(zh, en).to_owned(),
    }
}

// ---------------------------------------------------------------- accounts

/// The roles an admin can tick without a department.
const PLAIN_ROLES: [StaffRole; 5] = [
    StaffRole::Operator,
    StaffRole::Reviewer,
    StaffRole::Leader,
    StaffRole::Supervisor,
    StaffRole::Admin,
];

async fn accounts_page<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
    status: u16,
    refusal: Option<Refusal>,
) -> Result<Response, WebError> {
    let accounts = staff::accounts(env.store()).await?;
    let departments = public::departments(env.store()).await?;
    let now = env.host().now();
    let title = lang.pick("账户管理", "Accounts");
    let main = html! {
        (nav(lang, staff))
        h1 { (title) }
        (accounts_table(lang, &accounts, &departments, now, staff.account_id))
        section #create {
            h2 { (lang.pick("新建账户", "New account")) }
            (alert(refusal.as_ref()))
            (create_form(lang, &departments, refusal.as_ref()))
        }
    };
    Ok(respond(lang, req, status, page(lang, req, title, main)))
}

fn accounts_table(
    lang: Lang,
    accounts: &[AccountSummary],
    departments: &[DepartmentName],
    now: Timestamp,
    me: i64,
) -> Markup {
    html! {
        @if accounts.len() >= staff::ACCOUNTS_PAGE as usize {
            p.hint { (lang.pick("仅显示按登录名排序的前500个账户。", "Showing the first 500 accounts by login.")) }
        }
        table {
            thead { tr {
                th { (lang.pick("登录名", "Login")) }
                th { (lang.pick("姓名", "Name")) }
                th { (lang.pick("角色", "Roles")) }
                th { (lang.pick("状态", "State")) }
                th { (lang.pick("验证器", "Authenticator")) }
                th { (lang.pick("最近登录", "Last login")) }
                th { (lang.pick("操作", "Actions")) }
            } }
            tbody { @for a in accounts { tr {
                td { (a.login) }
                td { (a.display_name) }
                td { @for (i, role) in a.roles.iter().enumerate() {
                    @if i > 0 { "、" } (role_label(lang, *role, departments))
                } }
                td {
                    @if !a.active { (lang.pick("已停用", "Disabled")) }
                    @else if let Some(until) = a.locked_until.filter(|u| *u > now) {
                        (lang.pick("锁定至 ", "Locked until ")) (time::date_time(lang, until))
                    } @else { (lang.pick("启用", "Active")) }
                }
                td { (if a.second_factor { lang.pick("已绑定", "Enrolled") } else { lang.pick("无需", "Not needed") }) }
                td { (when(lang, a.last_login)) }
                td {
                    @if a.account_id != me {
                        @if a.active {
                            form method="post" action={ "/desk/admin/accounts/" (a.account_id) "/disable" } {
                                button type="submit" { (lang.pick("停用并下线", "Disable and log out")) }
                            }
                        } @else {
                            form method="post" action={ "/desk/admin/accounts/" (a.account_id) "/enable" } {
                                button type="submit" { (lang.pick("启用", "Enable")) }
                            }
                        }
                    }
                    form method="post" action={ "/desk/admin/accounts/" (a.account_id) "/revoke" } {
                        button type="submit" { (lang.pick("注销全部会话", "End all sessions")) }
                    }
                }
            } } }
        }
    }
}

fn create_form(lang: Lang, departments: &[DepartmentName], kept: Option<&Refusal>) -> Markup {
    let kept_value = |name: &str| kept.map_or("", |k| k.field(name)).to_owned();
    let ticked = |role: StaffRole| {
        kept.is_some_and(|k| {
            k.fields
                .iter()
                .any(|(name, v)| name == "role" && v == role.code())
        })
    };
    let department_select = |name: &str, label: &str| {
        let chosen = kept_value(name);
        html! {
            label for={ "new-" (name) } { (label) }
            select id={ "new-" (name) } name=(name) {
                option value="" { (lang.pick("无", "None")) }
                @for d in departments {
                    option value=(d.id) selected[chosen == d.id.to_string()] { (lang.pick(&d.zh, &d.en)) }
                }
            }
        }
    };
    html! {
        form method="post" action="/desk/admin/accounts" {
            label for="new-login" { (lang.pick("登录名（3至64个字符）", "Login (3–64 characters)")) }
            input #new-login name="login" required minlength="3" maxlength="64" autocomplete="off" value=(kept_value("login"));
            label for="new-name" { (lang.pick("姓名", "Name")) }
            input #new-name name="display_name" required maxlength="100" autocomplete="off" value=(kept_value("display_name"));
            label for="new-password" { (lang.pick("初始密码（至少12个字符）", "Initial password (at least 12 characters)")) }
            input #new-password name="password" type="password" required minlength="12" autocomplete="new-password";
            fieldset.choice {
                legend { (lang.pick("角色", "Roles")) }
                @for role in PLAIN_ROLES {
                    label {
                        input type="checkbox" name="role" value=(role.code()) checked[ticked(role)];
                        " " (lang.pick(role.labels().0, role.labels().1))
                    }
                }
            }
            (department_select("handler", lang.pick("承办人，所属单位", "Handler for department")))
            (department_select("head", lang.pick("签发人，所属单位", "Department head for department")))
            p.hint { (lang.pick(
                "能查看市民联系方式的角色（受理员、承办人、签发人、审核员）须绑定身份验证器；绑定链接只在创建后显示一次。",
                "Roles that see citizens' contact details (operator, handler, head, reviewer) need an authenticator; its enrolment link is shown once, after creation.",
            )) }
            button type="submit" { (lang.pick("创建账户", "Create account")) }
        }
    }
}

/// The roles ticked on the create form.
fn roles_of(fields: &[(String, String)]) -> Result<Vec<StaffRole>, WebError> {
    let mut roles = Vec::new();
    for (name, value) in fields {
        let role = match name.as_str() {
            "role" => PLAIN_ROLES.into_iter().find(|r| r.code() == value),
            "handler" | "head" if value.trim().is_empty() => continue,
            "handler" | "head" => {
                let department = value.trim().parse().ok();
                StaffRole::from_code(name, department)
            }
            _ => continue,
        }
        .ok_or_else(|| WebError::bad("roles", "未知角色或单位 / unknown role or department"))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(WebError::bad("roles", "至少一个角色 / at least one role"));
    }
    Ok(roles)
}

async fn create<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    admin: &Staff,
) -> Result<Response, WebError> {
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name);
    let created = match roles_of(&fields) {
        Ok(roles) => crate::accounts::create(
            env,
            get("login"),
            get("display_name"),
            get("password"),
            &roles,
        )
        .await
        .map(|done| (done, roles)),
        Err(e) => Err(e),
    };
    let ((id, totp_uri), roles) = match created {
        Ok(done) => done,
        Err(e @ WebError::BadRequest { .. }) => {
            // Shown again without the password.
            let kept = fields
                .into_iter()
                .filter(|(k, _)| k != "password")
                .collect();
            let refusal = Refusal::of(&e, lang, kept);
            return accounts_page(env, req, lang, admin, 400, Some(refusal)).await;
        }
        Err(e) => return Err(e),
    };
    let (me, my_roles) = who(admin);
    audit(
        env,
        req,
        Some((me, &my_roles)),
        "create_account",
        None,
        &format!("account {id}"),
    )
    .await?;
    let departments = public::departments(env.store()).await?;
    let title = lang.pick("账户已创建", "Account created");
    let main = html! {
        (nav(lang, admin))
        h1 { (title) }
        dl {
            dt { (lang.pick("登录名", "Login")) } dd { (get("login").trim()) }
            dt { (lang.pick("姓名", "Name")) } dd { (get("display_name").trim()) }
            dt { (lang.pick("角色", "Roles")) }
            dd { @for (i, role) in roles.iter().enumerate() { @if i > 0 { "、" } (role_label(lang, *role, &departments)) } }
        }
        @if let Some(uri) = &totp_uri {
            section.notice {
                h2 { (lang.pick("身份验证器绑定链接（仅显示这一次）", "Authenticator enrolment link (shown this once only)")) }
                p { (lang.pick(
                    "请当面交给账户持有人，在身份验证器应用中添加；离开本页后无法再次查看。",
                    "Hand it to the account's holder in person to add in an authenticator app; it cannot be shown again after this page.",
                )) }
                p { code.secret { (uri) } }
            }
        }
        p { a href="/desk/admin" { (lang.pick("← 账户管理", "← Accounts")) } }
    };
    // The second factor's secret: never kept by a cache (every desk page is `no-store`).
    Ok(respond(lang, req, 201, page(lang, req, title, main)))
}

async fn account_op<E: Env>(
    env: &E,
    req: &Request,
    admin: &Staff,
    id: &str,
    op: &str,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let now = env.host().now();
    let mut detail = format!("account {id}");
    let action = match op {
        "disable" | "enable" if id == admin.account_id => {
            return Err(WebError::bad(
                "account",
                "不能停用或启用自己的账户 / you cannot disable or enable your own account",
            ));
        }
        "disable" => {
            staff::set_active(env.store(), id, false, now).await?;
            "disable_account"
        }
        "enable" => {
            staff::set_active(env.store(), id, true, now).await?;
            "enable_account"
        }
        // An unknown account has no sessions: nothing is revoked, and the audit row says so.
        "revoke" => {
            let ended = staff::revoke_all(env.store(), id, now).await?;
            detail = format!("account {id}: {ended} sessions");
            "revoke_sessions"
        }
        _ => return Err(WebError::NotFound),
    };
    let (me, my_roles) = who(admin);
    audit(env, req, Some((me, &my_roles)), action, None, &detail).await?;
    Ok(Response::see_other("/desk/admin"))
}

// ---------------------------------------------------------------- own sessions

async fn sessions_page<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
) -> Result<Response, WebError> {
    let sessions = staff::sessions(env.store(), staff.account_id, env.host().now()).await?;
    let current = session::token_of(req).map(|t| session::token_hash(&t));
    let title = lang.pick("我的会话", "My sessions");
    let main = html! {
        (nav(lang, staff))
        h1 { (title) " · " (staff.display_name) }
        p.hint { (lang.pick(
            "以下是您账户当前有效的登录会话。不认识的会话请立即注销并联系管理员。",
            "These are your account's live sessions. End any you do not recognise and tell an administrator.",
        )) }
        table {
            thead { tr {
                th { (lang.pick("登录时间", "Logged in")) }
                th { (lang.pick("到期", "Expires")) }
                th { (lang.pick("操作", "Action")) }
            } }
            tbody { @for s in &sessions { tr {
                td {
                    (time::date_time(lang, s.created_at))
                    @if current.as_deref().is_some_and(|h| h.starts_with(&s.key)) {
                        " " strong { (lang.pick("（本会话）", "(this session)")) }
                    }
                }
                td { (time::date_time(lang, s.expires_at)) }
                td {
                    form method="post" action="/desk/sessions/revoke" {
                        input type="hidden" name="session" value=(s.key);
                        button type="submit" { (lang.pick("注销", "End")) }
                    }
                }
            } } }
        }
    };
    Ok(respond(lang, req, 200, page(lang, req, title, main)))
}

async fn revoke_own<E: Env>(env: &E, req: &Request, staff: &Staff) -> Result<Response, WebError> {
    let fields = req.form()?;
    let key = minyi_web::field(&fields, "session").trim();
    staff::revoke_own(env.store(), staff.account_id, key, env.host().now()).await?;
    let (me, roles) = who(staff);
    audit(
        env,
        req,
        Some((me, &roles)),
        "revoke_session",
        None,
        &format!("own session {key}"),
    )
    .await?;
    Ok(Response::see_other("/desk/sessions"))
}

// ---------------------------------------------------------------- rulebook

async fn rulebook_page<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
    refusal: Option<Refusal>,
) -> Result<Response, WebError> {
    let rules = env.rules().await?;
    let book = &rules.rulebook;
    let history = rulebook::history(env.store(), 50).await?;
    let stored = if book.departments.is_empty() {
        public::departments(env.store()).await?
    } else {
        Vec::new()
    };
    let document = refusal
        .as_ref()
        .map_or_else(|| book.to_json(), |r| r.field("document").to_owned());
    let name_of = |code: &str| {
        book.departments
            .iter()
            .find(|d| d.code == code)
            .map_or_else(String::new, |d| {
                lang.pick(&d.name_zh, &d.name_en).to_owned()
            })
    };
    let title = lang.pick("单位与规则", "Departments and rules");
    let main = html! {
        (nav(lang, staff))
        h1 { (title) }
        p {
            (lang.pick("现行版本：", "In force: version ")) strong { (book.version) }
            @if book.version == 0 { " " (lang.pick("（内置默认规则）", "(the built-in preset)")) }
            @if !book.note.is_empty() { " · " (book.note) }
        }
        section {
            h2 { (lang.pick("承办单位", "Departments")) }
            @if book.departments.is_empty() {
                p.hint { (lang.pick(
                    "现行规则未列出单位；以下为系统中现有的单位。在规则中写入 departments 即可统一管理。",
                    "The rules in force name no departments; these are the ones stored. Name them in the rules' departments to manage them here.",
                )) }
                table {
                    thead { tr { th { (lang.pick("代码", "Code")) } th { (lang.pick("中文名称", "Chinese name")) } th { (lang.pick("英文名称", "English name")) } } }
                    tbody { @for d in &stored { tr { td { code { (d.code) } } td { (d.zh) } td { (d.en) } } } }
                }
            } @else {
                table {
                    thead { tr { th { (lang.pick("代码", "Code")) } th { (lang.pick("中文名称", "Chinese name")) } th { (lang.pick("英文名称", "English name")) } } }
                    tbody { @for d in &book.departments { tr { td { code { (d.code) } } td { (d.name_zh) } td { (d.name_en) } } } }
                }
            }
        }
        section {
            h2 { (lang.pick("职责清单", "Responsibility list")) }
            @if book.responsibilities.is_empty() {
                p { (lang.pick("未设职责清单。", "No responsibility list.")) }
            } @else {
                table {
                    thead { tr { th { (lang.pick("事项", "Matter")) } th { (lang.pick("主办单位", "Lead department")) } } }
                    tbody { @for r in &book.responsibilities { tr {
                        td { (r.matter) }
                        td { code { (r.department) } " " (name_of(&r.department)) }
                    } } }
                }
            }
        }
        section #save {
            h2 { (lang.pick("保存新版本", "Save a new version")) }
            p.hint { (lang.pick(
                "规则文件为JSON，字段说明见 docs/rulebook.md；校验不通过则不保存任何内容。已受理的诉求保留原时限。",
                "The rules are a JSON document (docs/rulebook.md explains its fields); a document that fails validation saves nothing. Cases already registered keep their deadlines.",
            )) }
            (alert(refusal.as_ref()))
            form method="post" action="/desk/admin/rulebook" {
                label for="document" { (lang.pick("规则文件", "Rules document")) }
                textarea #document name="document" rows="24" spellcheck="false" required { (document) }
                button type="submit" { (lang.pick("保存为新版本", "Save as a new version")) }
            }
        }
        section {
            h2 { (lang.pick("版本记录", "Versions")) }
            @if history.is_empty() {
                p { (lang.pick("尚未保存过规则，使用内置默认规则。", "No version saved yet: the built-in preset is in force.")) }
            } @else {
                table {
                    thead { tr { th { (lang.pick("版本", "Version")) } th { (lang.pick("保存时间", "Saved")) } th { (lang.pick("说明", "Note")) } } }
                    tbody { @for v in &history { tr { td { (v.version) } td { (time::date_time(lang, v.saved_at)) } td { (v.note) } } } }
                }
            }
        }
    };
    let status = if refusal.is_some() { 400 } else { 200 };
    Ok(respond(lang, req, status, page(lang, req, title, main)))
}

async fn save_rulebook<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    admin: &Staff,
) -> Result<Response, WebError> {
    let fields = req.form()?;
    let document = minyi_web::field(&fields, "document");
    let saved = match rulebook::save(env.store(), env.host(), document).await {
        Ok(saved) => saved,
        Err(e @ AppError::Invalid { .. }) => {
            let refusal = Refusal::of(&WebError::from(e), lang, fields);
            return rulebook_page(env, req, lang, admin, Some(refusal)).await;
        }
        Err(e) => return Err(e.into()),
    };
    // This instance reads the new rules at once; others within their keeping time.
    minyi_web::rules::forget();
    let (me, roles) = who(admin);
    audit(
        env,
        req,
        Some((me, &roles)),
        "save_rulebook",
        None,
        &format!("version {}", saved.version),
    )
    .await?;
    Ok(Response::see_other("/desk/admin/rulebook"))
}

// ---------------------------------------------------------------- calendar years

async fn calendar_page<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    staff: &Staff,
    refusal: Option<Refusal>,
) -> Result<Response, WebError> {
    let years = calendar::stored_years(env.store()).await?;
    let next_year = BEIJING
        .to_datetime(env.host().now())
        .year()
        .saturating_add(1);
    let kept = |name: &str| refusal.as_ref().map(|r| r.field(name).to_owned());
    let title = lang.pick("节假日安排", "Holiday schedules");
    let main = html! {
        (nav(lang, staff))
        h1 { (title) }
        p.hint { (lang.pick(
            "系统内置历年国务院节假日安排；新一年的通知发布后在此录入（或更正某一年），保存后立即用于计算时限。",
            "Past years' State Council schedules are built in; when next year's notice is out, type it in here (or correct a year). It is used for deadlines once saved.",
        )) }
        section #save {
            h2 { (lang.pick("录入或替换一年", "Add or replace a year")) }
            (alert(refusal.as_ref()))
            form method="post" action="/desk/admin/calendar" {
                label for="year" { (lang.pick("年份", "Year")) }
                input #year name="year" inputmode="numeric" pattern="[0-9]{4}" required
                    value=(kept("year").unwrap_or_else(|| next_year.to_string()));
                label for="source" { (lang.pick("通知文号", "Notice")) }
                input #source name="source" required maxlength="200" placeholder="国办发明电〔2026〕N号"
                    value=(kept("source").unwrap_or_default());
                label for="schedule" { (lang.pick("安排（每行一个节日）", "Schedule (one holiday a line)")) }
                p.hint { (lang.pick("格式：", "Format: ")) code { "2027 春节 02-06..02-13 上班 02-20" } }
                textarea #schedule name="schedule" rows="12" spellcheck="false" required {
                    (kept("schedule").unwrap_or_default())
                }
                button type="submit" { (lang.pick("保存", "Save")) }
            }
        }
        section {
            h2 { (lang.pick("已录入的年份", "Stored years")) }
            @if years.is_empty() {
                p { (lang.pick("尚未录入，全部使用内置数据。", "None: the built-in data is used for every year.")) }
            } @else {
                table {
                    thead { tr {
                        th { (lang.pick("年份", "Year")) }
                        th { (lang.pick("通知文号", "Notice")) }
                        th { (lang.pick("更新时间", "Updated")) }
                        th { (lang.pick("安排", "Schedule")) }
                    } }
                    tbody { @for y in &years { tr {
                        td { (y.year) }
                        td { (y.source) }
                        td { (time::date_time(lang, y.updated_at)) }
                        td { pre { (y.schedule) } }
                    } } }
                }
            }
        }
    };
    let status = if refusal.is_some() { 400 } else { 200 };
    Ok(respond(lang, req, status, page(lang, req, title, main)))
}

async fn save_year<E: Env>(
    env: &E,
    req: &Request,
    lang: Lang,
    admin: &Staff,
) -> Result<Response, WebError> {
    let fields = req.form()?;
    let get = |name: &str| minyi_web::field(&fields, name);
    let year = get("year")
        .trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (1900..=9999).contains(y));
    let saved = match year {
        None => Err(WebError::bad(
            "year",
            "须为四位年份 / must be a four-digit year",
        )),
        Some(year) => calendar::save_year(
            env.store(),
            env.host(),
            year,
            &get("schedule").replace("\r\n", "\n"),
            get("source"),
        )
        .await
        .map(|_| year)
        .map_err(WebError::from),
    };
    let year = match saved {
        Ok(year) => year,
        Err(e @ WebError::BadRequest { .. }) => {
            let refusal = Refusal::of(&e, lang, fields);
            return calendar_page(env, req, lang, admin, Some(refusal)).await;
        }
        Err(e) => return Err(e),
    };
    minyi_web::rules::forget();
    let (me, roles) = who(admin);
    audit(
        env,
        req,
        Some((me, &roles)),
        "save_calendar_year",
        None,
        &format!("year {year}"),
    )
    .await?;
    Ok(Response::see_other("/desk/admin/calendar"))
}

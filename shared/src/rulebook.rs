//! A deployment's rules as data: the deadline policy, the categories the public form offers,
//! and the departments cases are dispatched to — changed without a release, versioned, and
//! recorded on every case (the version that set its deadlines).
//!
//! The document is JSON (`docs/rulebook.md` explains it and shows the built-in preset in this
//! form, kept current by a test). Every field may be left out and then
//! keeps the built-in preset's value, so a city writes only what differs. Parsing validates
//! everything and names the field that is wrong; a document that fails changes nothing.
//!
//! The document is read by walking a `serde_json::Value` rather than through derived
//! deserialisers: every component already parses JSON values, and the derived code cost each
//! of them 50–90 KB of wasm.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value, json};

use crate::calendar::{DayEnd, Limit, OfficeHours};
use crate::case::{Category, DispatchMethod};
use crate::policy::{CategoryRule, DispatchCap, Policy};

/// Longest rulebook document, in bytes (the table's CHECK).
pub const MAX_DOCUMENT_BYTES: usize = 65_536;

/// The largest number of days or hours any limit may have: the project's own sanity bound
/// (项目自定 / project's choice), far above anything the regulations set (their longest is
/// 3 months, for deputies' proposals, 000 §2.4(2); for ordinary messages 15 working days,
/// 004 §10).
pub const MAX_LIMIT: u16 = 366;

/// The most departments one rulebook may name (the project's own bound, far above a city's
/// 60–120 responsible units; every list is capped).
pub const MAX_DEPARTMENTS: usize = 500;

/// The most entries one responsibility list may have (the project's own bound).
pub const MAX_RESPONSIBILITIES: usize = 500;

/// The longest matter of a responsibility entry, in characters.
pub const MAX_MATTER_CHARS: usize = 50;

/// The rules in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rulebook {
    /// The stored version; 0 is the built-in preset of this release.
    pub version: u32,
    /// What changed and why, as the deployment wrote it.
    pub note: String,
    /// The deadline policy.
    pub policy: Policy,
    /// The categories a citizen may choose on the form and in the APIs, in the form's order.
    pub form_categories: Vec<Category>,
    /// The departments, when the document names them: saving it creates or renames these and
    /// retires the others (cases keep theirs). Empty leaves departments as they are.
    pub departments: Vec<Department>,
    /// The responsibility list (职责清单): which department leads on which matter, in the
    /// document's order; a suggestion for dispatch ([`Rulebook::suggest_lead`]), never a rule.
    pub responsibilities: Vec<Responsibility>,
}

/// One entry of the responsibility list (职责清单): a matter and the department that leads
/// on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Responsibility {
    /// A keyword or phrase (1–50 characters) looked for in a case's text.
    pub matter: String,
    /// The code of one of the same document's departments.
    pub department: String,
}

/// A responsible department (承办单位) as a rulebook names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    /// Stable code (letters, digits, `-`, `_`; at most 32).
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// Why a rulebook document was refused: the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulebookError {
    /// Where in the document (`policy.categories[2].working_days`), or `document`.
    pub path: String,
    /// What is wrong, Chinese first.
    pub problem: String,
}

impl fmt::Display for RulebookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl std::error::Error for RulebookError {}

impl Default for Rulebook {
    /// The built-in preset (version 0): the regulations' limits, every category on the form,
    /// departments as the store has them.
    fn default() -> Self {
        Self {
            version: 0,
            note: "内置默认规则 / built-in preset".into(),
            policy: Policy::default(),
            form_categories: Category::ALL.to_vec(),
            departments: Vec::new(),
            responsibilities: Vec::new(),
        }
    }
}

impl Rulebook {
    /// Parses and validates a document. The version is 0 until the store assigns one.
    pub fn parse(json: &str) -> Result<Self, RulebookError> {
        if json.len() > MAX_DOCUMENT_BYTES {
            return Err(error(
                "document",
                format!("超过{MAX_DOCUMENT_BYTES}字节 / longer than {MAX_DOCUMENT_BYTES} bytes"),
            ));
        }
        let value: Value = serde_json::from_str(json).map_err(|e| {
            let (line, column) = (e.line(), e.column());
            error(
                "document",
                format!(
                    "第{line}行第{column}列JSON无效 / invalid JSON at line {line}, column {column}"
                ),
            )
        })?;
        let doc = Fields::of("document", &value)?;
        doc.only(&[
            "note",
            "form_categories",
            "departments",
            "responsibilities",
            "policy",
        ])?;
        let preset = Rulebook::default();
        let note = match doc.get("note") {
            None => String::new(),
            Some(v) => doc.string("note", v)?.trim().to_owned(),
        };
        if note.chars().count() > 500 {
            return Err(error("note", "不超过500字 / at most 500 characters"));
        }
        let form_categories = match doc.get("form_categories") {
            None => preset.form_categories,
            Some(v) => form_categories(v)?,
        };
        let departments = match doc.get("departments") {
            None => Vec::new(),
            Some(v) => departments(v)?,
        };
        let responsibilities = match doc.get("responsibilities") {
            None => Vec::new(),
            Some(v) => responsibilities(v, &departments)?,
        };
        let policy = match doc.get("policy") {
            None => preset.policy,
            Some(v) => policy(v, preset.policy)?,
        };
        Ok(Rulebook {
            version: 0,
            note,
            policy,
            form_categories,
            departments,
            responsibilities,
        })
    }

    /// The document of these rules, every field written out (what `GET /ops/rulebook`
    /// answers and `docs/rulebook.md` shows).
    pub fn to_json(&self) -> String {
        let p = &self.policy;
        let mut doc = json!({
            "note": self.note,
            "form_categories": self.form_categories.iter().map(|c| c.code()).collect::<Vec<_>>(),
        });
        if !self.departments.is_empty() {
            doc["departments"] = self
                .departments
                .iter()
                .map(|d| json!({"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en}))
                .collect();
        }
        if !self.responsibilities.is_empty() {
            doc["responsibilities"] = self
                .responsibilities
                .iter()
                .map(|r| json!({"matter": r.matter, "department": r.department}))
                .collect();
        }
        let day_end = match p.office_hours.day_end() {
            DayEnd::Midnight => "midnight",
            DayEnd::CloseOfBusiness => "close_of_business",
        };
        doc["policy"] = json!({
            "categories": p.categories.iter().map(|r| json!({
                "category": r.category.code(),
                "working_days": r.working_days,
                "acknowledge_at_once": r.acknowledge_at_once,
                "source": r.source,
            })).collect::<Vec<_>>(),
            "dispatch_caps": p.dispatch_caps.iter().map(|c| json!({
                "method": c.method.code(),
                "working_days": c.working_days,
                "source": c.source,
            })).collect::<Vec<_>>(),
            "same_day_dispatch": p.same_day_dispatch.iter().map(|c| c.code()).collect::<Vec<_>>(),
            "return_needs_approval": p.return_needs_approval,
            "rating_levels": p.rating_levels,
            "basic_counts_as_satisfied": p.basic_counts_as_satisfied,
            "complex_working_days": p.complex_working_days,
            "meeting_comment_working_days": p.meeting_comment_working_days,
            "urgent": limit_json(p.urgent),
            "urgent_first_response": limit_json(p.urgent_first_response),
            "online_first_response": limit_json(p.online_first_response),
            "return_window": limit_json(p.return_window),
            "remind_before_working_days": p.remind_before_working_days,
            "escalate_again_after": limit_json(p.escalate_again_after),
            "max_extension_working_days": p.max_extension_working_days,
            "rating_window": limit_json(p.rating_window),
            "reopen_window": limit_json(p.reopen_window),
            "office_hours": {
                "periods": p.office_hours.periods().iter()
                    .map(|(a, b)| [hhmm(*a), hhmm(*b)]).collect::<Vec<_>>(),
                "day_end": day_end,
            },
        });
        // Serialising strings, numbers and lists cannot fail.
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// Whether citizens may choose `category`.
    pub fn offers(&self, category: Category) -> bool {
        self.form_categories.contains(&category)
    }

    /// The department code the responsibility list suggests as lead for a case whose text
    /// is `text`: of the entries whose matter occurs in the text (Latin letters compared
    /// without case: ASCII folding only, so no Unicode case tables reach the wasm), the one
    /// with the longest matter, in characters; among equally long ones, the first in the list.
    /// `None` when no matter occurs. A suggestion for the operator, who still decides.
    pub fn suggest_lead(&self, text: &str) -> Option<&str> {
        if self.responsibilities.is_empty() {
            return None;
        }
        let text = text.to_ascii_lowercase();
        let mut best: Option<(usize, &Responsibility)> = None;
        for r in &self.responsibilities {
            let length = r.matter.chars().count();
            if best.is_some_and(|(longest, _)| longest >= length) {
                continue;
            }
            if text.contains(&r.matter.to_ascii_lowercase()) {
                best = Some((length, r));
            }
        }
        best.map(|(_, r)| r.department.as_str())
    }
}

fn error(path: impl Into<String>, problem: impl Into<String>) -> RulebookError {
    RulebookError {
        path: path.into(),
        problem: problem.into(),
    }
}

/// The fields of one JSON object of the document, with its path for errors.
struct Fields<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// `value` as an object, or an error at `path`.
    fn of(path: impl Into<String>, value: &'a Value) -> Result<Self, RulebookError> {
        let path = path.into();
        match value {
            Value::Object(map) => Ok(Self { path, map }),
            _ => Err(error(path, "须为JSON对象 / must be an object")),
        }
    }

    /// Refuses a field not in `known`: a typo is an error, not a silently kept default.
    fn only(&self, known: &[&str]) -> Result<(), RulebookError> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => Err(error(
                self.at(k),
                format!(
                    "未知字段，可用：{0} / unknown field; known: {0}",
                    known.join(", ")
                ),
            )),
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    fn at(&self, name: &str) -> String {
        if self.path == "document" {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    fn string(&self, name: &str, v: &'a Value) -> Result<&'a str, RulebookError> {
        v.as_str()
            .ok_or_else(|| error(self.at(name), "须为字符串 / must be a string"))
    }

    /// A required field.
    fn required(&self, name: &str) -> Result<&'a Value, RulebookError> {
        self.get(name)
            .ok_or_else(|| error(self.at(name), "必填 / required"))
    }

    /// A count of days or hours between 1 and [`MAX_LIMIT`].
    fn count(&self, name: &str, v: &Value) -> Result<u16, RulebookError> {
        v.as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                error(
                    self.at(name),
                    format!("须为1至{MAX_LIMIT}的整数 / must be a whole number 1–{MAX_LIMIT}"),
                )
            })
    }

    /// An optional `true`/`false`, or `default`.
    fn flag_or(&self, name: &str, default: bool) -> Result<bool, RulebookError> {
        self.get(name).map_or(Ok(default), |v| {
            v.as_bool()
                .ok_or_else(|| error(self.at(name), "须为 true 或 false / must be true or false"))
        })
    }

    /// An optional count, or `default`.
    fn count_or(&self, name: &str, default: u16) -> Result<u16, RulebookError> {
        self.get(name).map_or(Ok(default), |v| self.count(name, v))
    }

    /// An optional limit (`{"working_days": n}` …), or `default`.
    fn limit_or(&self, name: &str, default: Limit) -> Result<Limit, RulebookError> {
        let Some(v) = self.get(name) else {
            return Ok(default);
        };
        let unit = Fields::of(self.at(name), v)?;
        let shape = "须为 {\"working_days\": n}、working_hours、calendar_days 或 calendar_hours 之一 / \
                     must be one of {\"working_days\": n}, working_hours, calendar_days, calendar_hours";
        let (kind, n) = match unit.map.iter().next() {
            Some((kind, n)) if unit.map.len() == 1 => (kind.as_str(), n),
            _ => return Err(error(unit.path, shape)),
        };
        let n = unit.count(kind, n)?;
        Ok(match kind {
            "working_days" => Limit::WorkingDays(n),
            "working_hours" => Limit::WorkingHours(n),
            "calendar_days" => Limit::CalendarDays(n),
            "calendar_hours" => Limit::CalendarHours(n),
            _ => return Err(error(unit.path, shape)),
        })
    }

    /// An optional `source` note (at most 200 characters).
    fn source(&self) -> Result<Cow<'static, str>, RulebookError> {
        let Some(v) = self.get("source") else {
            return Ok(Cow::Borrowed(""));
        };
        let text = self.string("source", v)?.trim();
        if text.chars().count() > 200 {
            return Err(error(
                self.at("source"),
                "不超过200字 / at most 200 characters",
            ));
        }
        Ok(Cow::Owned(text.to_owned()))
    }
}

/// The elements of a JSON list at `path`, each with its own path.
fn list<'a>(
    path: &str,
    v: &'a Value,
) -> Result<impl Iterator<Item = (String, &'a Value)>, RulebookError> {
    let items = v
        .as_array()
        .ok_or_else(|| error(path, "须为列表 / must be a list"))?;
    Ok(items
        .iter()
        .enumerate()
        .map(move |(i, item)| (format!("{path}[{i}]"), item)))
}

fn category(path: &str, v: &Value) -> Result<Category, RulebookError> {
    let code = v.as_str().unwrap_or_default();
    Category::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = Category::ALL.iter().map(|c| c.code()).collect();
        error(
            path,
            format!(
                "未知类别 {code}，可用：{0} / unknown category {code}; known: {0}",
                known.join(", ")
            ),
        )
    })
}

fn text(path: &str, v: Option<&Value>, max_chars: usize) -> Result<String, RulebookError> {
    let value = v.and_then(Value::as_str).unwrap_or_default().trim();
    if value.is_empty() || value.chars().count() > max_chars {
        return Err(error(
            path,
            format!("须为1至{max_chars}个字符 / must be 1–{max_chars} characters"),
        ));
    }
    Ok(value.to_owned())
}

fn form_categories(v: &Value) -> Result<Vec<Category>, RulebookError> {
    let mut out: Vec<Category> = Vec::new();
    for (path, item) in list("form_categories", v)? {
        let c = category(&path, item)?;
        if out.contains(&c) {
            return Err(error(
                path,
                format!("重复的类别 {} / listed twice", c.code()),
            ));
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(error(
            "form_categories",
            "至少一个类别 / at least one category",
        ));
    }
    Ok(out)
}

fn departments(v: &Value) -> Result<Vec<Department>, RulebookError> {
    let mut out: Vec<Department> = Vec::new();
    for (i, (path, item)) in list("departments", v)?.enumerate() {
        if i == MAX_DEPARTMENTS {
            return Err(error(
                "departments",
                format!("至多{MAX_DEPARTMENTS}个 / at most {MAX_DEPARTMENTS}"),
            ));
        }
        let d = Fields::of(path.clone(), item)?;
        d.only(&["code", "name_zh", "name_en"])?;
        let code = d
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim();
        if code.is_empty()
            || code.len() > 32
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(error(
                format!("{path}.code"),
                "须为1至32个字母、数字、-或_ / must be 1–32 letters, digits, - or _",
            ));
        }
        if out.iter().any(|o| o.code == code) {
            return Err(error(
                format!("{path}.code"),
                format!("重复的代码 {code} / {code} listed twice"),
            ));
        }
        out.push(Department {
            code: code.to_owned(),
            name_zh: text(&format!("{path}.name_zh"), d.get("name_zh"), 100)?,
            name_en: text(&format!("{path}.name_en"), d.get("name_en"), 200)?,
        });
    }
    Ok(out)
}

fn responsibilities(
    v: &Value,
    departments: &[Department],
) -> Result<Vec<Responsibility>, RulebookError> {
    let mut out: Vec<Responsibility> = Vec::new();
    for (i, (path, item)) in list("responsibilities", v)?.enumerate() {
        if i == MAX_RESPONSIBILITIES {
            return Err(error(
                "responsibilities",
                format!("至多{MAX_RESPONSIBILITIES}条 / at most {MAX_RESPONSIBILITIES}"),
            ));
        }
        let r = Fields::of(path.clone(), item)?;
        r.only(&["matter", "department"])?;
        let matter = text(&r.at("matter"), r.get("matter"), MAX_MATTER_CHARS)?;
        if out.iter().any(|o| o.matter.eq_ignore_ascii_case(&matter)) {
            return Err(error(
                r.at("matter"),
                format!("重复的事项 {matter} / {matter} listed twice"),
            ));
        }
        let department = r
            .get("department")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim();
        if department.is_empty() {
            return Err(error(r.at("department"), "必填 / required"));
        }
        if !departments.iter().any(|d| d.code == department) {
            return Err(error(
                r.at("department"),
                format!(
                    "须为本文件 departments 中的单位代码，没有 {department} / must be the code \
                     of a department in this document's departments; {department} is not"
                ),
            ));
        }
        out.push(Responsibility {
            matter,
            department: department.to_owned(),
        });
    }
    Ok(out)
}

fn policy(v: &Value, preset: Policy) -> Result<Policy, RulebookError> {
    let p = Fields::of("policy", v)?;
    p.only(&[
        "categories",
        "dispatch_caps",
        "same_day_dispatch",
        "return_needs_approval",
        "rating_levels",
        "basic_counts_as_satisfied",
        "complex_working_days",
        "meeting_comment_working_days",
        "urgent",
        "urgent_first_response",
        "online_first_response",
        "return_window",
        "remind_before_working_days",
        "escalate_again_after",
        "max_extension_working_days",
        "rating_window",
        "reopen_window",
        "office_hours",
    ])?;
    let categories = match p.get("categories") {
        None => preset.categories,
        Some(v) => {
            let mut out: Vec<CategoryRule> = Vec::new();
            for (path, item) in list("policy.categories", v)? {
                let r = Fields::of(path, item)?;
                r.only(&["category", "working_days", "acknowledge_at_once", "source"])?;
                let c = category(&r.at("category"), r.required("category")?)?;
                if out.iter().any(|o| o.category == c) {
                    return Err(error(
                        r.at("category"),
                        format!("重复的类别 {} / listed twice", c.code()),
                    ));
                }
                let acknowledge_at_once = match r.get("acknowledge_at_once") {
                    None => false,
                    Some(v) => v.as_bool().ok_or_else(|| {
                        error(
                            r.at("acknowledge_at_once"),
                            "须为 true 或 false / must be true or false",
                        )
                    })?,
                };
                out.push(CategoryRule {
                    category: c,
                    working_days: r.count("working_days", r.required("working_days")?)?,
                    acknowledge_at_once,
                    source: r.source()?,
                });
            }
            out
        }
    };
    let dispatch_caps = match p.get("dispatch_caps") {
        None => preset.dispatch_caps,
        Some(v) => {
            let mut out: Vec<DispatchCap> = Vec::new();
            for (path, item) in list("policy.dispatch_caps", v)? {
                let c = Fields::of(path, item)?;
                c.only(&["method", "working_days", "source"])?;
                let code = c.required("method")?.as_str().unwrap_or_default();
                let method = DispatchMethod::from_code(code).ok_or_else(|| {
                    error(
                        c.at("method"),
                        format!(
                            "未知交办方式 {code}，可用：written, phone, sms / unknown dispatch method"
                        ),
                    )
                })?;
                if out.iter().any(|o| o.method == method) {
                    return Err(error(c.at("method"), "重复的交办方式 / listed twice"));
                }
                out.push(DispatchCap {
                    method,
                    working_days: c.count("working_days", c.required("working_days")?)?,
                    source: c.source()?,
                });
            }
            out
        }
    };
    let same_day_dispatch = match p.get("same_day_dispatch") {
        None => preset.same_day_dispatch,
        Some(v) => {
            let mut out = Vec::new();
            for (path, item) in list("policy.same_day_dispatch", v)? {
                let c = category(&path, item)?;
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            out
        }
    };
    let rating_levels = match p.get("rating_levels") {
        None => preset.rating_levels,
        Some(v) => match v.as_u64() {
            Some(2) => 2,
            Some(3) => 3,
            _ => {
                return Err(error("policy.rating_levels", "须为2或3 / must be 2 or 3"));
            }
        },
    };
    let office_hours = match p.get("office_hours") {
        None => preset.office_hours,
        Some(v) => office_hours(v)?,
    };
    let mut policy = Policy {
        categories,
        dispatch_caps,
        same_day_dispatch,
        rating_levels,
        office_hours,
        ..preset
    };
    for (name, setting) in SETTINGS {
        match setting {
            Setting::Flag(at) => *at(&mut policy) = p.flag_or(name, *at(&mut policy))?,
            Setting::Count(at) => *at(&mut policy) = p.count_or(name, *at(&mut policy))?,
            Setting::Limit(at) => *at(&mut policy) = p.limit_or(name, *at(&mut policy))?,
        }
    }
    Ok(policy)
}

/// One of the policy's plain settings as the document names it, and the field it sets.
enum Setting {
    Flag(fn(&mut Policy) -> &mut bool),
    Count(fn(&mut Policy) -> &mut u16),
    Limit(fn(&mut Policy) -> &mut Limit),
}

/// The policy's plain settings, read in this order (the first mistake is the one reported):
/// one table instead of a call each (about 1 KB less wasm).
const SETTINGS: [(&str, Setting); 13] = [
    (
        "return_needs_approval",
        Setting::Flag(|p| &mut p.return_needs_approval),
    ),
    (
        "basic_counts_as_satisfied",
        Setting::Flag(|p| &mut p.basic_counts_as_satisfied),
    ),
    (
        "complex_working_days",
        Setting::Count(|p| &mut p.complex_working_days),
    ),
    (
        "meeting_comment_working_days",
        Setting::Count(|p| &mut p.meeting_comment_working_days),
    ),
    ("urgent", Setting::Limit(|p| &mut p.urgent)),
    (
        "urgent_first_response",
        Setting::Limit(|p| &mut p.urgent_first_response),
    ),
    (
        "online_first_response",
        Setting::Limit(|p| &mut p.online_first_response),
    ),
    ("return_window", Setting::Limit(|p| &mut p.return_window)),
    (
        "remind_before_working_days",
        Setting::Count(|p| &mut p.remind_before_working_days),
    ),
    (
        "escalate_again_after",
        Setting::Limit(|p| &mut p.escalate_again_after),
    ),
    (
        "max_extension_working_days",
        Setting::Count(|p| &mut p.max_extension_working_days),
    ),
    ("rating_window", Setting::Limit(|p| &mut p.rating_window)),
    ("reopen_window", Setting::Limit(|p| &mut p.reopen_window)),
];

fn office_hours(v: &Value) -> Result<OfficeHours, RulebookError> {
    let o = Fields::of("policy.office_hours", v)?;
    o.only(&["periods", "day_end"])?;
    let mut periods = Vec::new();
    for (path, item) in list("policy.office_hours.periods", o.required("periods")?)? {
        let pair = item.as_array().filter(|a| a.len() == 2);
        let times = pair.and_then(|a| Some((hh_mm(a[0].as_str()?)?, hh_mm(a[1].as_str()?)?)));
        periods.push(times.ok_or_else(|| {
            error(
                path,
                "须为 [\"HH:MM\", \"HH:MM\"] / must be [\"HH:MM\", \"HH:MM\"]",
            )
        })?);
    }
    let day_end = match o.get("day_end").map(Value::as_str) {
        None | Some(Some("midnight")) => DayEnd::Midnight,
        Some(Some("close_of_business")) => DayEnd::CloseOfBusiness,
        Some(_) => {
            return Err(error(
                o.at("day_end"),
                "须为 midnight 或 close_of_business / must be midnight or close_of_business",
            ));
        }
    };
    OfficeHours::new(periods, day_end).map_err(|e| error(o.at("periods"), e.to_string()))
}

fn limit_json(l: Limit) -> Value {
    match l {
        Limit::WorkingDays(n) => json!({"working_days": n}),
        Limit::WorkingHours(n) => json!({"working_hours": n}),
        Limit::CalendarDays(n) => json!({"calendar_days": n}),
        Limit::CalendarHours(n) => json!({"calendar_hours": n}),
    }
}

/// `HH:MM` (00:00–23:59) as a time of day; by hand, since jiff's `strptime` would bring its
/// whole format machinery into every component (over 100 KB of wasm).
fn hh_mm(s: &str) -> Option<jiff::civil::Time> {
    let (h, m) = s.split_once(':')?;
    let digits = |t: &str| {
        (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<i8>().ok())
            .flatten()
    };
    jiff::civil::Time::new(digits(h)?, digits(m)?, 0, 0).ok()
}

fn hhmm(t: jiff::civil::Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preset_round_trips_through_its_document() {
        let preset = Rulebook::default();
        let parsed = Rulebook::parse(&preset.to_json()).expect("the preset's own document");
        assert_eq!(parsed, preset);
    }

    #[test]
    fn docs_show_the_preset_as_a_document() {
        let json = Rulebook::default().to_json();
        crate::docs::assert_current("docs/rulebook.md", &format!("```json\n{json}\n```\n"));
    }

    #[test]
    fn an_empty_document_is_the_preset() {
        let parsed = Rulebook::parse("{}").expect("empty");
        assert_eq!(parsed.policy, Policy::default());
        assert_eq!(parsed.form_categories, Category::ALL);
    }

    #[test]
    fn a_partial_document_changes_only_what_it_names() {
        let doc = r#"{"note": "咨询类改为3个工作日",
            "policy": {"categories": [{"category": "consultation", "working_days": 3}],
                       "rating_window": {"calendar_days": 10}},
            "form_categories": ["complaint", "consultation"]}"#;
        let r = Rulebook::parse(doc).expect("valid");
        assert_eq!(r.policy.categories.len(), 1);
        assert_eq!(
            r.policy.category_rule(Category::Consultation).working_days,
            3
        );
        assert_eq!(r.policy.rating_window, Limit::CalendarDays(10));
        assert_eq!(r.policy.dispatch_caps, Policy::default().dispatch_caps);
        assert_eq!(
            r.form_categories,
            [Category::Complaint, Category::Consultation]
        );
        assert!(!r.offers(Category::Petition));
    }

    #[test]
    fn mistakes_name_their_field() {
        for (doc, path) in [
            (r#"{"polcy": {}}"#, "polcy"),
            (
                r#"{"policy": {"categories": [{"category": "gossip", "working_days": 3}]}}"#,
                "policy.categories[0].category",
            ),
            (
                r#"{"policy": {"categories": [{"category": "complaint", "working_days": 0}]}}"#,
                "policy.categories[0].working_days",
            ),
            (
                r#"{"policy": {"urgent": {"calendar_hours": 999}}}"#,
                "policy.urgent.calendar_hours",
            ),
            (
                r#"{"policy": {"office_hours": {"periods": [["14:00", "12:00"]]}}}"#,
                "policy.office_hours.periods",
            ),
            (
                r#"{"policy": {"office_hours": {"periods": [["8h", "12:00"]]}}}"#,
                "policy.office_hours.periods[0]",
            ),
            (r#"{"form_categories": []}"#, "form_categories"),
            (
                r#"{"form_categories": ["complaint", "complaint"]}"#,
                "form_categories[1]",
            ),
            (
                r#"{"departments": [{"code": "a b", "name_zh": "甲", "name_en": "A"}]}"#,
                "departments[0].code",
            ),
            (
                r#"{"departments": [{"code": "a", "name_zh": " ", "name_en": "A"}]}"#,
                "departments[0].name_zh",
            ),
            ("[1, 2", "document"),
            ("[1, 2]", "document"),
            (r#"{"policy": {"urgent": {"weeks": 1}}}"#, "policy.urgent"),
            (
                r#"{"policy": {"categories": [{"category": "complaint"}]}}"#,
                "policy.categories[0].working_days",
            ),
            (
                r#"{"policy": {"categories": [{"category": "complaint", "working_days": 3, "extra": 1}]}}"#,
                "policy.categories[0].extra",
            ),
        ] {
            let e = Rulebook::parse(doc).expect_err(doc);
            assert_eq!(e.path, path, "{doc}: {e}");
            assert!(e.problem.contains('/'), "bilingual: {e}");
        }
    }

    const TWO_DEPARTMENTS: &str = r#""departments": [
        {"code": "urban", "name_zh": "市城管局", "name_en": "Urban Management Bureau"},
        {"code": "water", "name_zh": "市水务局", "name_en": "Water Bureau"},
        {"code": "gas", "name_zh": "市燃气公司", "name_en": "Gas Company"}]"#;

    fn with_responsibilities(list: &str) -> String {
        format!(r#"{{{TWO_DEPARTMENTS}, "responsibilities": {list}}}"#)
    }

    #[test]
    fn the_responsibility_list_round_trips_and_is_optional() {
        let doc = with_responsibilities(
            r#"[{"matter": "路灯", "department": "urban"}, {"matter": "停水", "department": "water"}]"#,
        );
        let r = Rulebook::parse(&doc).expect("valid");
        assert_eq!(r.responsibilities.len(), 2);
        assert_eq!(
            r.responsibilities[1],
            Responsibility {
                matter: "停水".into(),
                department: "water".into()
            }
        );
        assert_eq!(Rulebook::parse(&r.to_json()).expect("own document"), r);
        let none = Rulebook::parse(&format!("{{{TWO_DEPARTMENTS}}}")).expect("valid");
        assert!(none.responsibilities.is_empty());
        assert!(!none.to_json().contains("responsibilities"));
        assert_eq!(none.suggest_lead("路灯不亮"), None);
    }

    #[test]
    fn responsibility_mistakes_name_their_field() {
        let long = "长".repeat(51);
        let too_many = format!(
            "[{}]",
            (0..=MAX_RESPONSIBILITIES)
                .map(|i| format!(r#"{{"matter": "事项{i}", "department": "urban"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        for (doc, path) in [
            (
                with_responsibilities(r#"{"matter": "路灯"}"#),
                "responsibilities",
            ),
            (
                with_responsibilities(r#"[{"matter": "路灯", "department": "police"}]"#),
                "responsibilities[0].department",
            ),
            (
                with_responsibilities(r#"[{"matter": "路灯"}]"#),
                "responsibilities[0].department",
            ),
            (
                with_responsibilities(r#"[{"matter": " ", "department": "urban"}]"#),
                "responsibilities[0].matter",
            ),
            (
                with_responsibilities(&format!(
                    r#"[{{"matter": "{long}", "department": "urban"}}]"#
                )),
                "responsibilities[0].matter",
            ),
            (
                with_responsibilities(
                    r#"[{"matter": "路灯", "department": "urban"}, {"matter": "路灯", "department": "water"}]"#,
                ),
                "responsibilities[1].matter",
            ),
            (
                with_responsibilities(
                    r#"[{"matter": "路灯", "department": "urban", "note": "x"}]"#,
                ),
                "responsibilities[0].note",
            ),
            (with_responsibilities(r#"["路灯"]"#), "responsibilities[0]"),
            (with_responsibilities(&too_many), "responsibilities"),
            // Codes are those of the same document: without departments none is known.
            (
                r#"{"responsibilities": [{"matter": "路灯", "department": "urban"}]}"#.into(),
                "responsibilities[0].department",
            ),
        ] {
            let e = Rulebook::parse(&doc).expect_err(&doc);
            assert_eq!(e.path, path, "{e}");
            assert!(e.problem.contains('/'), "bilingual: {e}");
        }
        let fifty = "长".repeat(50);
        assert!(
            Rulebook::parse(&with_responsibilities(&format!(
                r#"[{{"matter": "{fifty}", "department": "urban"}}]"#
            )))
            .is_ok()
        );
    }

    #[test]
    fn the_longest_matter_in_the_text_suggests_the_lead() {
        let r = Rulebook::parse(&with_responsibilities(
            r#"[{"matter": "管道", "department": "water"},
                {"matter": "燃气管道", "department": "gas"},
                {"matter": "路灯", "department": "urban"},
                {"matter": "井盖", "department": "urban"},
                {"matter": "水表", "department": "water"},
                {"matter": "LED", "department": "urban"}]"#,
        ))
        .expect("valid");
        // A matter that occurs wins; the longest one beats a shorter one inside it.
        assert_eq!(r.suggest_lead("小区燃气管道有异味"), Some("gas"));
        assert_eq!(r.suggest_lead("楼下管道漏水"), Some("water"));
        // Equally long matters: the first in the list.
        assert_eq!(r.suggest_lead("水表旁的井盖松动"), Some("urban"));
        assert_eq!(r.suggest_lead("井盖旁的水表坏了"), Some("urban"));
        // Letters are compared without case.
        assert_eq!(r.suggest_lead("the led lamp is out"), Some("urban"));
        assert_eq!(r.suggest_lead("噪音扰民"), None);
        assert_eq!(r.suggest_lead(""), None);
    }
}

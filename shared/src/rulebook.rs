//! A deployment's rules as data: the deadline policy, the categories the public form offers,
//! and the departments cases are dispatched to — changed without a release, versioned, and
//! recorded on every case (the version that set its deadlines).
//!
//! The document is JSON (`docs/rulebook.md` explains it and shows the built-in preset in this
//! form, kept current by a test). Every field may be left out and then
//! keeps the built-in preset's value, so a city writes only what differs. Parsing validates
//! everything and names the field that is wrong; a document that fails changes nothing.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar::{DayEnd, Limit, OfficeHours};
use crate::case::{Category, Channel};
use crate::policy::{CategoryRule, ChannelCap, Policy};

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
}

/// A responsible department (承办单位) as a rulebook names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
        let doc: Document = serde_json::from_str(json).map_err(|e| {
            error(
                "document",
                format!(
                    "第{}行第{}列：{e} / line {}, column {}",
                    e.line(),
                    e.column(),
                    e.line(),
                    e.column()
                ),
            )
        })?;
        doc.into_rulebook()
    }

    /// The document of these rules, every field written out (what `GET /ops/rulebook`
    /// answers and `docs/rulebook.md` shows).
    pub fn to_json(&self) -> String {
        let p = &self.policy;
        let doc = Document {
            note: self.note.clone(),
            form_categories: Some(
                self.form_categories
                    .iter()
                    .map(|c| c.code().to_owned())
                    .collect(),
            ),
            departments: (!self.departments.is_empty()).then(|| self.departments.clone()),
            policy: PolicyDoc {
                categories: Some(
                    p.categories
                        .iter()
                        .map(|r| CategoryDoc {
                            category: r.category.code().to_owned(),
                            working_days: r.working_days,
                            acknowledge_at_once: r.acknowledge_at_once,
                            source: r.source.to_string(),
                        })
                        .collect(),
                ),
                channel_caps: Some(
                    p.channel_caps
                        .iter()
                        .map(|c| CapDoc {
                            channel: c.channel.code().to_owned(),
                            working_days: c.working_days,
                            source: c.source.to_string(),
                        })
                        .collect(),
                ),
                complex_working_days: Some(p.complex_working_days),
                urgent: Some(p.urgent.into()),
                urgent_first_response: Some(p.urgent_first_response.into()),
                online_first_response: Some(p.online_first_response.into()),
                return_window: Some(p.return_window.into()),
                remind_before_working_days: Some(p.remind_before_working_days),
                escalate_again_after: Some(p.escalate_again_after.into()),
                max_extension_working_days: Some(p.max_extension_working_days),
                rating_window: Some(p.rating_window.into()),
                reopen_window: Some(p.reopen_window.into()),
                office_hours: Some(OfficeHoursDoc {
                    periods: p
                        .office_hours
                        .periods()
                        .iter()
                        .map(|(a, b)| [hhmm(*a), hhmm(*b)])
                        .collect(),
                    day_end: match p.office_hours.day_end() {
                        DayEnd::Midnight => "midnight",
                        DayEnd::CloseOfBusiness => "close_of_business",
                    }
                    .to_owned(),
                }),
            },
        };
        // Serialising plain strings, numbers and lists cannot fail.
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// Whether citizens may choose `category`.
    pub fn offers(&self, category: Category) -> bool {
        self.form_categories.contains(&category)
    }
}

fn error(path: impl Into<String>, problem: impl Into<String>) -> RulebookError {
    RulebookError {
        path: path.into(),
        problem: problem.into(),
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

/// The document as written: every field optional, nothing unknown allowed (a typo is an
/// error, not a silently kept default).
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    form_categories: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    departments: Option<Vec<Department>>,
    #[serde(default)]
    policy: PolicyDoc,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PolicyDoc {
    #[serde(default)]
    categories: Option<Vec<CategoryDoc>>,
    #[serde(default)]
    channel_caps: Option<Vec<CapDoc>>,
    #[serde(default)]
    complex_working_days: Option<u16>,
    #[serde(default)]
    urgent: Option<LimitDoc>,
    #[serde(default)]
    urgent_first_response: Option<LimitDoc>,
    #[serde(default)]
    online_first_response: Option<LimitDoc>,
    #[serde(default)]
    return_window: Option<LimitDoc>,
    #[serde(default)]
    remind_before_working_days: Option<u16>,
    #[serde(default)]
    escalate_again_after: Option<LimitDoc>,
    #[serde(default)]
    max_extension_working_days: Option<u16>,
    #[serde(default)]
    rating_window: Option<LimitDoc>,
    #[serde(default)]
    reopen_window: Option<LimitDoc>,
    #[serde(default)]
    office_hours: Option<OfficeHoursDoc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDoc {
    category: String,
    working_days: u16,
    #[serde(default)]
    acknowledge_at_once: bool,
    #[serde(default)]
    source: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapDoc {
    channel: String,
    working_days: u16,
    #[serde(default)]
    source: String,
}

/// A limit as `{"working_days": 3}`, `{"working_hours": 3}`, `{"calendar_days": 7}` or
/// `{"calendar_hours": 24}`.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum LimitDoc {
    WorkingDays(u16),
    WorkingHours(u16),
    CalendarDays(u16),
    CalendarHours(u16),
}

impl From<Limit> for LimitDoc {
    fn from(l: Limit) -> Self {
        match l {
            Limit::WorkingDays(n) => Self::WorkingDays(n),
            Limit::WorkingHours(n) => Self::WorkingHours(n),
            Limit::CalendarDays(n) => Self::CalendarDays(n),
            Limit::CalendarHours(n) => Self::CalendarHours(n),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeHoursDoc {
    periods: Vec<[String; 2]>,
    #[serde(default = "midnight")]
    day_end: String,
}

fn midnight() -> String {
    "midnight".into()
}

/// A count of days or hours between 1 and [`MAX_LIMIT`].
fn count(path: &str, n: u16) -> Result<u16, RulebookError> {
    if (1..=MAX_LIMIT).contains(&n) {
        Ok(n)
    } else {
        Err(error(
            path,
            format!("须在1至{MAX_LIMIT}之间 / must be 1–{MAX_LIMIT}"),
        ))
    }
}

fn limit(path: &str, doc: Option<LimitDoc>, default: Limit) -> Result<Limit, RulebookError> {
    let Some(doc) = doc else { return Ok(default) };
    Ok(match doc {
        LimitDoc::WorkingDays(n) => Limit::WorkingDays(count(path, n)?),
        LimitDoc::WorkingHours(n) => Limit::WorkingHours(count(path, n)?),
        LimitDoc::CalendarDays(n) => Limit::CalendarDays(count(path, n)?),
        LimitDoc::CalendarHours(n) => Limit::CalendarHours(count(path, n)?),
    })
}

fn category(path: &str, code: &str) -> Result<Category, RulebookError> {
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

fn text(path: &str, value: &str, max_chars: usize) -> Result<String, RulebookError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max_chars {
        return Err(error(
            path,
            format!("须为1至{max_chars}个字符 / must be 1–{max_chars} characters"),
        ));
    }
    Ok(value.to_owned())
}

impl Document {
    fn into_rulebook(self) -> Result<Rulebook, RulebookError> {
        let preset = Rulebook::default();
        if self.note.chars().count() > 500 {
            return Err(error("note", "不超过500字 / at most 500 characters"));
        }
        let form_categories = match self.form_categories {
            None => preset.form_categories,
            Some(codes) => {
                let mut out: Vec<Category> = Vec::with_capacity(codes.len());
                for (i, code) in codes.iter().enumerate() {
                    let path = format!("form_categories[{i}]");
                    let c = category(&path, code)?;
                    if out.contains(&c) {
                        return Err(error(
                            path,
                            format!("重复的类别 {code} / {code} listed twice"),
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
                out
            }
        };
        let mut departments: Vec<Department> = Vec::new();
        for (i, d) in self.departments.unwrap_or_default().into_iter().enumerate() {
            let path = format!("departments[{i}]");
            if i == MAX_DEPARTMENTS {
                return Err(error(
                    "departments",
                    format!("至多{MAX_DEPARTMENTS}个 / at most {MAX_DEPARTMENTS}"),
                ));
            }
            let code = d.code.trim();
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
            if departments.iter().any(|o| o.code == code) {
                return Err(error(
                    format!("{path}.code"),
                    format!("重复的代码 {code} / {code} listed twice"),
                ));
            }
            departments.push(Department {
                code: code.to_owned(),
                name_zh: text(&format!("{path}.name_zh"), &d.name_zh, 100)?,
                name_en: text(&format!("{path}.name_en"), &d.name_en, 200)?,
            });
        }
        Ok(Rulebook {
            version: 0,
            note: self.note.trim().to_owned(),
            policy: self.policy.into_policy(preset.policy)?,
            form_categories,
            departments,
        })
    }
}

impl PolicyDoc {
    fn into_policy(self, preset: Policy) -> Result<Policy, RulebookError> {
        let categories = match self.categories {
            None => preset.categories,
            Some(docs) => {
                let mut out: Vec<CategoryRule> = Vec::with_capacity(docs.len());
                for (i, d) in docs.into_iter().enumerate() {
                    let path = format!("policy.categories[{i}]");
                    let c = category(&format!("{path}.category"), &d.category)?;
                    if out.iter().any(|r| r.category == c) {
                        return Err(error(
                            format!("{path}.category"),
                            format!("重复的类别 {} / listed twice", d.category),
                        ));
                    }
                    out.push(CategoryRule {
                        category: c,
                        working_days: count(&format!("{path}.working_days"), d.working_days)?,
                        acknowledge_at_once: d.acknowledge_at_once,
                        source: Cow::Owned(d.source.trim().to_owned()),
                    });
                }
                out
            }
        };
        let channel_caps = match self.channel_caps {
            None => preset.channel_caps,
            Some(docs) => {
                let mut out: Vec<ChannelCap> = Vec::with_capacity(docs.len());
                for (i, d) in docs.into_iter().enumerate() {
                    let path = format!("policy.channel_caps[{i}]");
                    let channel = Channel::from_code(&d.channel).ok_or_else(|| {
                        error(
                            format!("{path}.channel"),
                            format!("未知渠道 {} / unknown channel", d.channel),
                        )
                    })?;
                    if out.iter().any(|c| c.channel == channel) {
                        return Err(error(
                            format!("{path}.channel"),
                            "重复的渠道 / listed twice",
                        ));
                    }
                    out.push(ChannelCap {
                        channel,
                        working_days: count(&format!("{path}.working_days"), d.working_days)?,
                        source: Cow::Owned(d.source.trim().to_owned()),
                    });
                }
                out
            }
        };
        let days = |path: &str, v: Option<u16>, default: u16| match v {
            None => Ok(default),
            Some(n) => count(path, n),
        };
        let office_hours = match self.office_hours {
            None => preset.office_hours,
            Some(doc) => doc.into_office_hours()?,
        };
        Ok(Policy {
            categories,
            channel_caps,
            complex_working_days: days(
                "policy.complex_working_days",
                self.complex_working_days,
                preset.complex_working_days,
            )?,
            urgent: limit("policy.urgent", self.urgent, preset.urgent)?,
            urgent_first_response: limit(
                "policy.urgent_first_response",
                self.urgent_first_response,
                preset.urgent_first_response,
            )?,
            online_first_response: limit(
                "policy.online_first_response",
                self.online_first_response,
                preset.online_first_response,
            )?,
            return_window: limit(
                "policy.return_window",
                self.return_window,
                preset.return_window,
            )?,
            remind_before_working_days: days(
                "policy.remind_before_working_days",
                self.remind_before_working_days,
                preset.remind_before_working_days,
            )?,
            escalate_again_after: limit(
                "policy.escalate_again_after",
                self.escalate_again_after,
                preset.escalate_again_after,
            )?,
            max_extension_working_days: days(
                "policy.max_extension_working_days",
                self.max_extension_working_days,
                preset.max_extension_working_days,
            )?,
            rating_window: limit(
                "policy.rating_window",
                self.rating_window,
                preset.rating_window,
            )?,
            reopen_window: limit(
                "policy.reopen_window",
                self.reopen_window,
                preset.reopen_window,
            )?,
            office_hours,
        })
    }
}

impl OfficeHoursDoc {
    fn into_office_hours(self) -> Result<OfficeHours, RulebookError> {
        let path = "policy.office_hours";
        let mut periods = Vec::with_capacity(self.periods.len());
        for (i, [a, b]) in self.periods.iter().enumerate() {
            let time = |s: &str| {
                hh_mm(s).ok_or_else(|| {
                    error(
                        format!("{path}.periods[{i}]"),
                        format!("{s} 不是 HH:MM 时间 / not an HH:MM time"),
                    )
                })
            };
            periods.push((time(a)?, time(b)?));
        }
        let day_end = match self.day_end.as_str() {
            "midnight" => DayEnd::Midnight,
            "close_of_business" => DayEnd::CloseOfBusiness,
            other => {
                return Err(error(
                    format!("{path}.day_end"),
                    format!(
                        "{other}：须为 midnight 或 close_of_business / must be midnight or close_of_business"
                    ),
                ));
            }
        };
        OfficeHours::new(periods, day_end)
            .map_err(|e| error(format!("{path}.periods"), e.to_string()))
    }
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
        assert_eq!(r.policy.channel_caps, Policy::default().channel_caps);
        assert_eq!(
            r.form_categories,
            [Category::Complaint, Category::Consultation]
        );
        assert!(!r.offers(Category::Petition));
    }

    #[test]
    fn mistakes_name_their_field() {
        for (doc, path) in [
            (r#"{"polcy": {}}"#, "document"),
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
                "policy.urgent",
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
        ] {
            let e = Rulebook::parse(doc).expect_err(doc);
            assert_eq!(e.path, path, "{doc}: {e}");
            assert!(e.problem.contains('/'), "bilingual: {e}");
        }
    }
}

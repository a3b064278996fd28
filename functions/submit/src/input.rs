//! A submission parsed once at the edge: every field checked, every problem named, so what
//! reaches the use case is valid by construction.

use minyi::app::cases::{Contact, Intake, Location, MAX_BODY_CHARS, MAX_TITLE_CHARS, NewCase};
use minyi::app::idempotency::Idempotency;
use minyi::case::{Category, Channel, Complexity, Facts, Urgency};
use minyi_web::{Lang, Text, WebError};

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// Longest address, in characters.
pub const MAX_ADDRESS_CHARS: usize = 200;
/// Longest phone number as stored: digits and an optional leading `+` (the schema's limit).
pub const MAX_PHONE_CHARS: usize = 20;
/// Longest e-mail address (RFC 5321's path limit; the schema's).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Idempotency keys: 16–128 visible ASCII characters.
pub const IDEMPOTENCY_KEY_CHARS: std::ops::RangeInclusive<usize> = 16..=128;

/// One field's problem, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in forms and APIs.
    pub field: &'static str,
    /// What is wrong.
    pub problem: Text,
}

impl FieldError {
    /// The problem as a web error (for APIs that report the first problem).
    pub fn to_web(&self, lang: Lang) -> WebError {
        WebError::bad(self.field, self.problem.get(lang))
    }
}

/// A valid submission: the use case's input, checked field by field. Only [`Submission::parse`]
/// makes one.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    case: NewCase,
    key: Option<String>,
}

impl Submission {
    /// Parses the fields a door provides (`field` answers the named field's raw value).
    /// Reports every problem at once, so a form can show them all.
    pub fn parse(
        field: impl Fn(&str) -> Option<String>,
        channel: Channel,
        offered: &[Category],
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, zh: &'static str, en: &'static str| {
            errors.push(FieldError {
                field,
                problem: Text { zh, en },
            });
        };
        let category = match field("category").as_deref().map(str::trim) {
            None | Some("") => {
                fail("category", "请选择诉求类别", "Choose a category");
                None
            }
            Some(code) => Category::from_code(code)
                .filter(|c| offered.contains(c))
                .or_else(|| {
                    fail("category", "诉求类别无效", "Unknown category");
                    None
                }),
        };
        let title = text(&field, "title", MAX_TITLE_CHARS, false, &mut fail);
        let body = text(&field, "body", MAX_BODY_CHARS, true, &mut fail);
        let publish = match field("publish").as_deref().map(str::trim) {
            Some("yes" | "true" | "1") => Some(true),
            Some("no" | "false" | "0") => Some(false),
            _ => {
                fail(
                    "publish",
                    "请选择是否同意公开",
                    "Choose whether the case may be published",
                );
                None
            }
        };
        if !matches!(
            field("consent").as_deref().map(str::trim),
            Some("yes" | "true" | "1")
        ) {
            fail(
                "consent",
                "请阅读并同意个人信息处理说明",
                "Read and accept the personal-data notice",
            );
        }
        let name = optional(&field, "name", MAX_NAME_CHARS, &mut fail);
        let phone = optional(&field, "phone", 30, &mut fail).and_then(|p| {
            let digits: String = p.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
            let plain = digits.strip_prefix('+').unwrap_or(&digits);
            if plain.len() >= 5
                && digits.len() <= MAX_PHONE_CHARS
                && plain.bytes().all(|b| b.is_ascii_digit())
            {
                Some(digits)
            } else {
                fail("phone", "电话号码格式不正确", "Not a phone number");
                None
            }
        });
        let email = optional(&field, "email", MAX_EMAIL_CHARS, &mut fail).and_then(|e| {
            let ok = e.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace)
            });
            if ok {
                Some(e)
            } else {
                fail("email", "电子邮箱格式不正确", "Not an e-mail address");
                None
            }
        });
        let latitude = coordinate(&field, "lat", 90.0, &mut fail);
        let longitude = coordinate(&field, "long", 180.0, &mut fail);
        let address = optional(&field, "address", MAX_ADDRESS_CHARS, &mut fail);
        let address_public = match field("show_address").as_deref().map(str::trim) {
            None | Some("" | "no" | "false" | "0") => false,
            Some("yes" | "true" | "1") => true,
            Some(_) => {
                fail("show_address", "须为yes或no", "Must be yes or no");
                false
            }
        };
        let idempotency_key = field("idempotency_key")
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty());
        if idempotency_key.as_ref().is_some_and(|k| {
            !IDEMPOTENCY_KEY_CHARS.contains(&k.len()) || !k.bytes().all(|b| b.is_ascii_graphic())
        }) {
            fail(
                "idempotency_key",
                "幂等键须为16至128个可见ASCII字符",
                "The idempotency key must be 16–128 visible ASCII characters",
            );
        }
        match (category, title, body, publish) {
            (Some(category), Some(title), Some(body), Some(publish)) if errors.is_empty() => {
                Ok(Self {
                    key: idempotency_key,
                    case: NewCase {
                        facts: Facts {
                            channel,
                            category,
                            urgency: Urgency::Normal,
                            complexity: Complexity::Ordinary,
                            publish_consent: publish,
                        },
                        title,
                        body,
                        contact: Contact { name, phone, email },
                        location: Location {
                            latitude,
                            longitude,
                            address,
                            address_public,
                        },
                        idempotency: None,
                        intake: Intake::default(),
                    },
                })
            }
            _ => Err(errors),
        }
    }

    /// The use case's input; the key, if any, belongs to the client `scope`.
    pub fn into_new_case(self, scope: &str) -> NewCase {
        NewCase {
            idempotency: self.key.map(|key| Idempotency {
                scope: scope.to_owned(),
                key,
            }),
            ..self.case
        }
    }
}

type Fail<'a> = dyn FnMut(&'static str, &'static str, &'static str) + 'a;

/// A required text field: trimmed, not empty, within `max` characters, no control characters
/// (line breaks and tabs allowed where `multiline`).
fn text(
    field: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    max: usize,
    multiline: bool,
    fail: &mut Fail<'_>,
) -> Option<String> {
    let value = clean(field(name).unwrap_or_default());
    if value.is_empty() {
        fail(name, "此项必填", "Required");
        return None;
    }
    if value.chars().count() > max {
        fail(name, "内容超过字数限制", "Longer than allowed");
        return None;
    }
    if has_control(&value, multiline) {
        fail(name, "含有不可见的控制字符", "Contains control characters");
        return None;
    }
    Some(value)
}

/// An optional one-line field: empty means absent.
fn optional(
    field: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    max: usize,
    fail: &mut Fail<'_>,
) -> Option<String> {
    let value = clean(field(name)?);
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max || has_control(&value, false) {
        fail(
            name,
            "内容过长或含有控制字符",
            "Too long or contains control characters",
        );
        return None;
    }
    Some(value)
}

fn coordinate(
    field: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    limit: f64,
    fail: &mut Fail<'_>,
) -> Option<f64> {
    let raw = field(name)?;
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match crate::decimal::parse_f64(raw) {
        Some(v) if v.abs() <= limit => Some(v),
        _ => {
            fail(name, "坐标无效", "Not a valid coordinate");
            None
        }
    }
}

/// Trims and normalises line ends.
fn clean(value: String) -> String {
    value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_owned()
}

fn has_control(value: &str, multiline: bool) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        move |name| {
            owned
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    const GOOD: &[(&str, &str)] = &[
        ("category", "complaint"),
        ("title", "  路灯不亮 "),
        ("body", "人民路路灯坏了\r\n一周了。"),
        ("publish", "yes"),
        ("consent", "yes"),
        ("phone", "138-0013 8000"),
    ];

    #[test]
    fn a_good_submission_is_cleaned() {
        let s = Submission::parse(fields(GOOD), Channel::Web, Category::ALL)
            .expect("valid")
            .into_new_case("form");
        assert_eq!(s.title, "路灯不亮");
        assert_eq!(s.body, "人民路路灯坏了\n一周了。");
        assert_eq!(s.contact.phone.as_deref(), Some("13800138000"));
        assert!(s.facts.publish_consent);
    }

    #[test]
    fn only_the_categories_the_rulebook_offers_are_taken() {
        let offered = [Category::Consultation];
        let errors =
            Submission::parse(fields(GOOD), Channel::Web, &offered).expect_err("not offered");
        assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["category"]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = Submission::parse(
            fields(&[
                ("category", "nonsense"),
                ("title", "a\u{7}b"),
                ("body", &"长".repeat(MAX_BODY_CHARS + 1)),
                ("phone", "call me"),
                ("email", "nobody"),
                ("lat", "91"),
            ]),
            Channel::Web,
            Category::ALL,
        )
        .expect_err("invalid");
        let names: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            names,
            [
                "category", "title", "body", "publish", "consent", "phone", "email", "lat"
            ]
        );
    }

    #[test]
    fn a_phone_longer_than_the_store_allows_is_refused_by_the_parser() {
        let longest = format!("+{}", "1".repeat(MAX_PHONE_CHARS - 1));
        let too_long = format!("+{}", "1".repeat(MAX_PHONE_CHARS));
        let mut pairs = GOOD.to_vec();
        pairs[5] = ("phone", &longest);
        assert!(Submission::parse(fields(&pairs), Channel::Web, Category::ALL).is_ok());
        pairs[5] = ("phone", &too_long);
        let errors =
            Submission::parse(fields(&pairs), Channel::Web, Category::ALL).expect_err("too long");
        assert_eq!(errors[0].field, "phone");
    }

    #[test]
    fn exactly_the_limit_is_accepted() {
        let body = "长".repeat(MAX_BODY_CHARS);
        let mut pairs = GOOD.to_vec();
        pairs[2] = ("body", &body);
        assert!(Submission::parse(fields(&pairs), Channel::Web, Category::ALL).is_ok());
    }
}

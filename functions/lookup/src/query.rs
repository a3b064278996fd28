//! List filters as the pages, the API and Open311 accept them in a query string.

use minyi::app::public::{Cursor, Filter, month_start};
use minyi::case::Category;
use minyi_web::{Request, WebError};

/// Longest search text, in characters (the rule lives in [`minyi::search`]).
pub use minyi::search::MAX_CHARS as MAX_SEARCH_CHARS;

/// The largest department id: 2^53 − 1, the largest integer D1 carries exactly.
const MAX_ID: i64 = (1 << 53) - 1;

/// A list request: filter, page position, page size.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// What to show.
    pub filter: Filter,
    /// Where the page starts.
    pub after: Option<Cursor>,
    /// The month asked for, as typed (`2026-03`), to show back in the form.
    pub month: Option<String>,
}

impl ListQuery {
    /// Reads `department` (id), `category` (code), `month` (`YYYY-MM`, Beijing time), `q` (search)
    /// and `cursor` from the query string. Unknown values are refused, not ignored.
    pub fn parse(req: &Request) -> Result<Self, WebError> {
        let mut q = ListQuery::default();
        for (key, value) in req.query_pairs() {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "department" => {
                    q.filter.department = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|id| (1..=MAX_ID).contains(id))
                            .ok_or_else(|| {
                                WebError::bad("department", "单位无效 / unknown department")
                            })?,
                    );
                }
                "category" => {
                    let c = Category::from_code(value)
                        .filter(|c| *c != Category::Discipline)
                        .ok_or_else(|| WebError::bad("category", "类别无效 / unknown category"))?;
                    q.filter.category = Some(c);
                }
                "month" => {
                    let (from, before) = month_range(value).ok_or_else(|| {
                        WebError::bad(
                            "month",
                            "月份格式应为 2026-03 / month must look like 2026-03",
                        )
                    })?;
                    q.filter.received_from = Some(from);
                    q.filter.received_before = Some(before);
                    q.month = Some(value.to_owned());
                }
                "q" => {
                    // Too short, too long or too scattered: refused here, by the rule the list
                    // applies (`minyi::search`), so a bad query never reaches the store.
                    minyi::search::match_expression(value)
                        .map_err(|e| WebError::bad("q", &e.to_string()))?;
                    q.filter.search = Some(value.to_owned());
                }
                "cursor" => {
                    q.after = Some(
                        Cursor::parse(value)
                            .ok_or_else(|| WebError::bad("cursor", "分页参数无效 / bad cursor"))?,
                    );
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

/// The instants a `YYYY-MM` month of 1900–2099 starts and ends (Beijing time).
fn month_range(value: &str) -> Option<(jiff::Timestamp, jiff::Timestamp)> {
    let (y, m) = value.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m): (i16, i8) = (y.parse().ok()?, m.parse().ok()?);
    if !(1900..=2099).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    let (ny, nm) = if m == 12 {
        (y.checked_add(1)?, 1)
    } else {
        (y, m + 1)
    };
    Some((month_start(y, m)?, month_start(ny, nm)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minyi_web::Method;

    #[test]
    fn filters_are_read_and_bad_values_refused() {
        let req = Request::from_target(
            Method::Get,
            "/cases?category=complaint&month=2026-12&q=%E8%B7%AF%E7%81%AF&department=3",
        );
        let q = ListQuery::parse(&req).expect("valid");
        assert_eq!(q.filter.category, Some(Category::Complaint));
        assert_eq!(q.filter.department, Some(3));
        assert_eq!(q.filter.search.as_deref(), Some("路灯"));
        let (from, before) = (
            q.filter.received_from.expect("from"),
            q.filter.received_before.expect("to"),
        );
        assert_eq!(from.to_string(), "2026-11-30T16:00:00Z");
        assert_eq!(before.to_string(), "2026-12-31T16:00:00Z");
        for bad in [
            "/cases?category=discipline",
            "/cases?month=2026-13",
            "/cases?cursor=x",
            "/cases?department=a",
            "/cases?department=0",
            "/cases?department=9007199254740992",
            "/cases?month=0000-00",
            "/cases?month=9999-12",
            "/cases?month=2026-1",
            "/cases?q=%E8%B7%AF",
            "/cases?q=a+%21",
        ] {
            assert!(
                ListQuery::parse(&Request::from_target(Method::Get, bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn search_text_is_refused_below_the_floor_and_above_the_ceiling() {
        let parse = |q: &str| {
            let target = format!("/cases?q={}", q.replace(' ', "+"));
            ListQuery::parse(&Request::from_target(Method::Get, &target))
        };
        let at_ceiling = "路".repeat(MAX_SEARCH_CHARS);
        assert!(parse(&at_ceiling).is_ok());
        assert!(parse("ab").is_ok());
        for bad in [format!("{at_ceiling}灯"), "路".into(), "a !".into()] {
            match parse(&bad) {
                Err(WebError::BadRequest { field, .. }) => assert_eq!(field, "q", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}

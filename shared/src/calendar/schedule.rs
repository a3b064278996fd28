//! The holiday schedule text format (one line per holiday per year, as the State Council's
//! notice states it) and its parser. The same parser reads the built-in data and the
//! deployment overrides stored in the `calendar_year` table.
//!
//! ```text
//! # 国务院办公厅关于2025年部分节假日安排的通知
//! 2025 春节 01-28..02-04 上班 01-26 02-08
//! 2025 国庆节、中秋节 10-01..10-08 上班 09-28 10-11
//! 2019 元旦 2018-12-30..01-01 上班 2018-12-29
//! ```

use core::fmt;

use super::days::{day_number, is_weekend};
use super::{Date, HolidayName};

/// Earliest year a schedule may describe.
pub const FIRST_SCHEDULE_YEAR: i16 = 1949;
/// Latest year a schedule may describe (keeps the per-day tables small).
pub const LAST_SCHEDULE_YEAR: i16 = 2199;
/// Longest holiday block accepted in one range, in days.
const MAX_RANGE_DAYS: i64 = 31;

/// One holiday of one year: the days off and the make-up working days that go with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolidayEntry {
    name: HolidayName,
    off: Vec<(Date, Date)>,
    work: Vec<Date>,
    line: usize,
}

impl HolidayEntry {
    /// The holiday's name as the notice gives it (e.g. `春节`, `国庆节、中秋节`).
    pub fn name(&self) -> &HolidayName {
        &self.name
    }
    /// The inclusive date ranges off work (weekend days inside a block included).
    pub fn days_off(&self) -> &[(Date, Date)] {
        &self.off
    }
    /// The weekend days declared working days (调休上班) for this holiday.
    pub fn makeup_days(&self) -> &[Date] {
        &self.work
    }
    /// The 1-based line of the text it came from.
    pub fn line(&self) -> usize {
        self.line
    }
}

/// The published schedule of one year. Only the parser makes one, so every value is valid:
/// dates inside the year (元旦 may reach back into the previous December), make-up days on
/// weekends, no date listed twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearSchedule {
    year: i16,
    entries: Vec<HolidayEntry>,
}

/// What is wrong with a schedule line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleErrorKind {
    /// The line does not start with a 4-digit year.
    BadYear(String),
    /// The year is outside [`FIRST_SCHEDULE_YEAR`]..=[`LAST_SCHEDULE_YEAR`].
    YearOutOfRange(i16),
    /// The line was expected to describe another year (see [`YearSchedule::parse_year`]).
    WrongYear {
        /// The year asked for.
        expected: i16,
        /// The year the line names.
        found: i16,
    },
    /// No holiday name after the year.
    MissingName,
    /// Not a date (`MM-DD` or `YYYY-MM-DD`) or a range (`A..B`).
    BadDate(String),
    /// The date lies outside its year (only the previous December is also allowed).
    DateOutsideYear(Date),
    /// A range ends before it starts.
    RangeReversed(Date, Date),
    /// A range is longer than 31 days.
    RangeTooLong(Date, Date),
    /// A make-up working day that is not a Saturday or Sunday.
    MakeupNotWeekend(Date),
    /// The same date is listed twice in the year (also across lines).
    Overlap {
        /// The date listed twice.
        date: Date,
        /// The line that listed it first.
        first_line: usize,
    },
    /// A holiday with no days off, or `上班` with no dates after it.
    MissingDates,
    /// `上班` appears twice on the line.
    DuplicateKeyword,
}

/// A schedule parse error: the 1-based line number and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    /// 1-based line number in the text.
    pub line: usize,
    /// What is wrong.
    pub kind: ScheduleErrorKind,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ScheduleErrorKind as K;
        write!(f, "第{}行 (line {}): ", self.line, self.line)?;
        match &self.kind {
            K::BadYear(t) => write!(f, "年份无效 / bad year {t:?}"),
            K::YearOutOfRange(y) => write!(
                f,
                "年份超出范围 / year {y} outside {FIRST_SCHEDULE_YEAR}..={LAST_SCHEDULE_YEAR}"
            ),
            K::WrongYear { expected, found } => {
                write!(f, "年份不符 / expected year {expected}, found {found}")
            }
            K::MissingName => write!(f, "缺少节日名称 / missing holiday name"),
            K::BadDate(t) => write!(f, "日期无效 / bad date {t:?} (MM-DD or YYYY-MM-DD)"),
            K::DateOutsideYear(d) => write!(f, "日期不在本年度 / date {d} outside its year"),
            K::RangeReversed(a, b) => write!(f, "起止颠倒 / range {a}..{b} ends before it starts"),
            K::RangeTooLong(a, b) => write!(f, "区间过长 / range {a}..{b} longer than 31 days"),
            K::MakeupNotWeekend(d) => {
                write!(
                    f,
                    "调休上班日不是周末 / make-up day {d} is not a Saturday or Sunday"
                )
            }
            K::Overlap { date, first_line } => {
                write!(f, "日期重复 / {date} already listed on line {first_line}")
            }
            K::MissingDates => write!(f, "缺少日期 / missing dates"),
            K::DuplicateKeyword => write!(f, "“上班”重复 / 上班 given twice"),
        }
    }
}

impl std::error::Error for ScheduleError {}

impl YearSchedule {
    /// The year the schedule is for.
    pub fn year(&self) -> i16 {
        self.year
    }

    /// The holidays, in the order written.
    pub fn entries(&self) -> &[HolidayEntry] {
        &self.entries
    }

    /// An empty schedule for `year`: a year with data and no holidays (only weekends off).
    pub fn empty(year: i16) -> Result<YearSchedule, ScheduleError> {
        check_year_range(year, 0)?;
        Ok(YearSchedule {
            year,
            entries: Vec::new(),
        })
    }

    /// Parses schedule text (any number of years), grouped by year in ascending order.
    pub fn parse(text: &str) -> Result<Vec<YearSchedule>, ScheduleError> {
        let mut years: Vec<YearSchedule> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let content = raw.split('#').next().unwrap_or("");
            if content.trim().is_empty() {
                continue;
            }
            let (year, entry) = parse_line(content, line_no)?;
            // Kept in year order as they come, so nothing needs sorting afterwards.
            match years.binary_search_by_key(&year, |y| y.year) {
                Ok(at) => years[at].entries.push(entry),
                Err(at) => years.insert(
                    at,
                    YearSchedule {
                        year,
                        entries: vec![entry],
                    },
                ),
            }
        }
        for y in &years {
            y.check_overlaps()?;
        }
        Ok(years)
    }

    /// Parses the schedule of exactly one year (a `calendar_year` row): every line must name
    /// `year`; empty text means "a year with no holidays".
    pub fn parse_year(year: i16, text: &str) -> Result<YearSchedule, ScheduleError> {
        check_year_range(year, 0)?;
        let mut out = YearSchedule {
            year,
            entries: Vec::new(),
        };
        for y in Self::parse(text)? {
            if y.year != year {
                let line = y.entries.first().map_or(0, |e| e.line);
                return Err(ScheduleError {
                    line,
                    kind: ScheduleErrorKind::WrongYear {
                        expected: year,
                        found: y.year,
                    },
                });
            }
            out = y;
        }
        Ok(out)
    }

    /// Every special day of the year: `(date, is_makeup_workday, entry)`.
    pub(crate) fn special_days(&self) -> impl Iterator<Item = (i64, bool, &HolidayEntry)> {
        self.entries.iter().flat_map(|e| {
            let off = e.off.iter().flat_map(move |&(a, b)| {
                (day_number(a)..=day_number(b)).map(move |n| (n, false, e))
            });
            let work = e.work.iter().map(move |&d| (day_number(d), true, e));
            off.chain(work)
        })
    }

    fn check_overlaps(&self) -> Result<(), ScheduleError> {
        let mut seen: Vec<(i64, usize)> = Vec::new();
        for (n, _, e) in self.special_days() {
            if let Some(&(_, first_line)) = seen.iter().find(|(m, _)| *m == n) {
                let date = super::days::date_of(n).unwrap_or(Date::MIN);
                return Err(ScheduleError {
                    line: e.line,
                    kind: ScheduleErrorKind::Overlap { date, first_line },
                });
            }
            seen.push((n, e.line));
        }
        Ok(())
    }
}

fn check_year_range(year: i16, line: usize) -> Result<(), ScheduleError> {
    if (FIRST_SCHEDULE_YEAR..=LAST_SCHEDULE_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(ScheduleError {
            line,
            kind: ScheduleErrorKind::YearOutOfRange(year),
        })
    }
}

fn parse_line(content: &str, line: usize) -> Result<(i16, HolidayEntry), ScheduleError> {
    let err = |kind| ScheduleError { line, kind };
    let mut tokens = content
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|t| !t.is_empty());
    let year_tok = tokens.next().unwrap_or("");
    let year = parse_digits(year_tok)
        .filter(|_| year_tok.len() == 4)
        .and_then(|y| i16::try_from(y).ok())
        .ok_or_else(|| err(ScheduleErrorKind::BadYear(year_tok.to_string())))?;
    check_year_range(year, line)?;
    let name = match tokens.next() {
        Some(n) if !n.starts_with(|c: char| c.is_ascii_digit()) && !is_work_keyword(n) => n,
        _ => return Err(err(ScheduleErrorKind::MissingName)),
    };
    let mut off = Vec::new();
    let mut work = Vec::new();
    let mut in_work = false;
    for tok in tokens {
        if is_work_keyword(tok) {
            if in_work {
                return Err(err(ScheduleErrorKind::DuplicateKeyword));
            }
            in_work = true;
            continue;
        }
        let (a, b) = parse_range(tok, year).map_err(err)?;
        if in_work {
            for n in day_number(a)..=day_number(b) {
                let d = super::days::date_of(n).unwrap_or(a);
                if !is_weekend(n) {
                    return Err(err(ScheduleErrorKind::MakeupNotWeekend(d)));
                }
                work.push(d);
            }
        } else {
            off.push((a, b));
        }
    }
    if off.is_empty() || (in_work && work.is_empty()) {
        return Err(err(ScheduleErrorKind::MissingDates));
    }
    let entry = HolidayEntry {
        name: HolidayName(name.to_string()),
        off,
        work,
        line,
    };
    Ok((year, entry))
}

fn is_work_keyword(t: &str) -> bool {
    t == "上班" || t.eq_ignore_ascii_case("work")
}

fn parse_range(tok: &str, year: i16) -> Result<(Date, Date), ScheduleErrorKind> {
    let (a, b) = match tok.split_once("..") {
        Some((a, b)) => (parse_date(a, year, tok)?, parse_date(b, year, tok)?),
        None => {
            let d = parse_date(tok, year, tok)?;
            (d, d)
        }
    };
    let (na, nb) = (day_number(a), day_number(b));
    if nb < na {
        return Err(ScheduleErrorKind::RangeReversed(a, b));
    }
    if nb - na >= MAX_RANGE_DAYS {
        return Err(ScheduleErrorKind::RangeTooLong(a, b));
    }
    Ok((a, b))
}

fn parse_date(s: &str, year: i16, tok: &str) -> Result<Date, ScheduleErrorKind> {
    let bad = || ScheduleErrorKind::BadDate(tok.to_string());
    let parts: Vec<&str> = s.split('-').collect();
    let (y, m, d) = match parts.as_slice() {
        [m, d] if m.len() == 2 && d.len() == 2 => (i64::from(year), *m, *d),
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            (parse_digits(y).ok_or_else(bad)?, *m, *d)
        }
        _ => return Err(bad()),
    };
    let (m, d) = (
        parse_digits(m).ok_or_else(bad)?,
        parse_digits(d).ok_or_else(bad)?,
    );
    let date = match (i16::try_from(y), i8::try_from(m), i8::try_from(d)) {
        (Ok(y), Ok(m), Ok(d)) => Date::new(y, m, d).map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    let first = Date::new(year - 1, 12, 1).map_err(|_| bad())?;
    let last = Date::new(year, 12, 31).map_err(|_| bad())?;
    if date < first || date > last {
        return Err(ScheduleErrorKind::DateOutsideYear(date));
    }
    Ok(date)
}

fn parse_digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScheduleErrorKind as K;

    fn kind(text: &str) -> (usize, ScheduleErrorKind) {
        match YearSchedule::parse(text) {
            Err(e) => (e.line, e.kind),
            Ok(v) => panic!("expected an error, parsed {v:?}"),
        }
    }

    #[test]
    fn parses_a_notice() {
        let text = "# 2025\n2025 国庆节、中秋节 10-01..10-08 上班 09-28, 10-11\n\n2025 元旦 01-01 # note\n2019 元旦 2018-12-30..01-01 work 2018-12-29\n";
        let years = YearSchedule::parse(text).expect("parses");
        assert_eq!(
            years.iter().map(|y| y.year()).collect::<Vec<_>>(),
            [2019, 2025]
        );
        let y = &years[1];
        assert_eq!(y.entries()[0].name().0, "国庆节、中秋节");
        assert_eq!(
            y.entries()[0].days_off(),
            [(Date::constant(2025, 10, 1), Date::constant(2025, 10, 8))]
        );
        assert_eq!(
            y.entries()[0].makeup_days(),
            [Date::constant(2025, 9, 28), Date::constant(2025, 10, 11)]
        );
        assert_eq!(y.entries()[1].line(), 4);
        assert_eq!(
            years[0].entries()[0].days_off()[0].0,
            Date::constant(2018, 12, 30)
        );
    }

    #[test]
    fn errors_name_line_and_problem() {
        assert_eq!(kind("\n25 春节 01-01"), (2, K::BadYear("25".into())));
        assert_eq!(kind("1800 春节 01-01"), (1, K::YearOutOfRange(1800)));
        assert_eq!(kind("2025 01-01"), (1, K::MissingName));
        assert_eq!(kind("2025"), (1, K::MissingName));
        assert_eq!(kind("2025 春节 02-30"), (1, K::BadDate("02-30".into())));
        assert_eq!(kind("2025 春节 2-3"), (1, K::BadDate("2-3".into())));
        assert_eq!(kind("2025 春节 1.28"), (1, K::BadDate("1.28".into())));
        assert_eq!(
            kind("2025 春节 2024-11-30"),
            (1, K::DateOutsideYear(Date::constant(2024, 11, 30)))
        );
        assert_eq!(
            kind("2025 春节 2026-01-01"),
            (1, K::DateOutsideYear(Date::constant(2026, 1, 1)))
        );
        assert_eq!(
            kind("2025 春节 02-04..01-28"),
            (
                1,
                K::RangeReversed(Date::constant(2025, 2, 4), Date::constant(2025, 1, 28))
            )
        );
        assert!(matches!(
            kind("2025 春节 01-01..03-01"),
            (1, K::RangeTooLong(..))
        ));
        assert_eq!(
            kind("2025 春节 01-28 上班 01-27"),
            (1, K::MakeupNotWeekend(Date::constant(2025, 1, 27)))
        );
        assert_eq!(kind("2025 春节 上班 01-26"), (1, K::MissingDates));
        assert_eq!(kind("2025 春节 01-28 上班"), (1, K::MissingDates));
        assert_eq!(
            kind("2025 春节 01-28 上班 01-26 上班 02-08"),
            (1, K::DuplicateKeyword)
        );
        assert_eq!(
            kind("2025 春节 01-28..02-04\n2025 元旦 02-01"),
            (
                2,
                K::Overlap {
                    date: Date::constant(2025, 2, 1),
                    first_line: 1
                }
            )
        );
        let e = YearSchedule::parse("2025 春节 02-30").expect_err("bad");
        assert!(e.to_string().contains("第1行"));
    }

    #[test]
    fn parse_year_checks_the_year() {
        assert_eq!(
            YearSchedule::parse_year(2027, "").map(|y| y.entries().len()),
            Ok(0)
        );
        assert_eq!(
            YearSchedule::parse_year(2027, "2026 元旦 01-01").map_err(|e| e.kind),
            Err(K::WrongYear {
                expected: 2027,
                found: 2026
            })
        );
        assert!(YearSchedule::parse_year(2027, "2027 元旦 01-01").is_ok());
    }
}

//! The mainland-China working-day calendar (Beijing time) and deadline arithmetic.
//!
//! A day is a working day when it is Monday–Friday and not a statutory holiday, or when the
//! State Council declared it a make-up working day (调休). The built-in schedule covers
//! 2004–2026; a deployment adds later years (or corrects earlier ones) at run time through
//! [`Calendar::with_years`]. A year with no data falls back to Monday–Friday and everything
//! computed over it is marked *provisional*.
//!
//! Counting follows the Civil Code (arts. 201, 203): "within N working days" starts the day
//! after receipt; the deadline is the end of the N-th working day (24:00, or close of business
//! where the deployment says so). Working-hour limits count only office hours.
//!
//! Modules: [`schedule`] (text format and parser), `days` (day numbers, Monday–Friday closed
//! form), `index` (O(1) working-day tables), [`office`] (office hours), `deadline` (limits →
//! instants), [`explain`] (why a deadline is what it is). See `docs/calendar.md`.

mod days;
mod deadline;
pub mod explain;
mod index;
pub mod iso;
pub mod office;
pub mod schedule;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

pub use jiff::Timestamp;
pub use jiff::civil::{Date, Time};
pub use jiff::tz::Offset;

pub use explain::{Explanation, SkipReason, SkippedRun};
pub use office::{DayEnd, OfficeHours, OfficeHoursError};
pub use schedule::{HolidayEntry, ScheduleError, ScheduleErrorKind, YearSchedule};

use days::{date_of, day_number, is_weekend};
use index::Index;

/// The built-in schedule text (see `holidays-cn.txt` for the format), without its comments
/// and blank lines, which the parser skips anyway: removed at compile time, they would be 3 KB
/// of every wasm (docs/deploy-workers.md, "Size"). The file keeps them (each year cites its
/// notice).
pub const BUILTIN_SCHEDULE: &str = match std::str::from_utf8(&BUILTIN_BYTES) {
    Ok(text) => text,
    Err(_) => panic!("holidays-cn.txt is UTF-8"),
};

const BUILTIN_SOURCE: &[u8] = include_bytes!("holidays-cn.txt");
const BUILTIN_LEN: usize = without_comments(BUILTIN_SOURCE, &mut []);
const BUILTIN_BYTES: [u8; BUILTIN_LEN] = {
    let mut out = [0; BUILTIN_LEN];
    without_comments(BUILTIN_SOURCE, &mut out);
    out
};

/// Copies the lines of `text` into `out` (as far as it reaches) each without its `#` comment
/// and trailing blanks, leaving out lines left empty; answers the length of the whole result.
const fn without_comments(text: &[u8], out: &mut [u8]) -> usize {
    let (mut start, mut n) = (0, 0);
    while start < text.len() {
        let mut end = start;
        while end < text.len() && text[end] != b'\n' {
            end += 1;
        }
        let mut stop = start;
        while stop < end && text[stop] != b'#' {
            stop += 1;
        }
        while stop > start && matches!(text[stop - 1], b' ' | b'\t' | b'\r') {
            stop -= 1;
        }
        if stop > start {
            let mut i = start;
            while i <= stop {
                if n < out.len() {
                    out[n] = if i == stop { b'\n' } else { text[i] };
                }
                n += 1;
                i += 1;
            }
        }
        start = end + 1;
    }
    n
}

/// Beijing time (China Standard Time, UTC+08:00): the offset every civil date in Minyi is read
/// in. `BEIJING.to_datetime(t)` reads an instant, `BEIJING.to_timestamp(dt)` places a civil time.
///
/// A fixed offset, not the `Asia/Shanghai` zone: mainland China has kept no daylight saving
/// since 1991 and the calendar's data starts in 2004, so the two agree on every instant the
/// calendar counts (a test checks them against each other from 1992). The zone's rules cost
/// 15 KB of wasm and most of the time of [`Calendar::deadline`].
pub const BEIJING: Offset = Offset::constant(8);

/// A named public holiday, as the State Council's notice names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HolidayName(pub String);

/// What a day is, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DayKind {
    /// An ordinary Monday–Friday working day.
    Workday,
    /// Saturday or Sunday with no make-up working day declared.
    Weekend,
    /// A statutory holiday (including weekend days inside the holiday block).
    Holiday(HolidayName),
    /// A weekend day declared a working day to make up for a holiday.
    MakeupWorkday(HolidayName),
}

/// One day of the calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    /// What the day is.
    pub kind: DayKind,
    /// True when the day's year has no published schedule (Monday–Friday fallback).
    pub provisional: bool,
}

impl Day {
    /// True for working days (ordinary or make-up).
    pub fn is_working(&self) -> bool {
        matches!(self.kind, DayKind::Workday | DayKind::MakeupWorkday(_))
    }
}

/// A time limit as the regulations state it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// "within N working days" (工作日), counted from the day after receipt.
    WorkingDays(u16),
    /// "within N working hours", counting office hours only.
    WorkingHours(u16),
    /// "within N days" (calendar days), counted from the day after receipt.
    CalendarDays(u16),
    /// "within N hours", around the clock (7×24 urgent cases).
    CalendarHours(u16),
}

/// Errors of calendar arithmetic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarError {
    /// The result would fall outside the representable range (years -9999..=9999).
    OutOfRange,
    /// Two years' schedules both list the same date (e.g. a 元旦 block reaching into a
    /// December the previous year's schedule also lists).
    Conflict {
        /// The date listed twice.
        date: Date,
        /// The two years whose schedules list it.
        years: [i16; 2],
    },
}

impl core::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::OutOfRange => write!(f, "日期超出范围 / date out of range"),
            Self::Conflict { date, years } => write!(
                f,
                "{date} 同时列在 {} 年和 {} 年的安排中 / listed by both {} and {}",
                years[0], years[1], years[0], years[1]
            ),
        }
    }
}

impl std::error::Error for CalendarError {}

/// The working-day calendar: built-in schedule plus deployment overrides. Cheap to clone.
#[derive(Clone)]
pub struct Calendar {
    index: Arc<Index>,
}

impl core::fmt::Debug for Calendar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Calendar")
            .field("years", &self.index.year_span())
            .finish()
    }
}

/// A computed deadline, with what it needs to explain itself ([`Calendar::explain`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// The instant the limit expires.
    pub at: Timestamp,
    /// True when any day counted lies in a year without a published schedule.
    pub provisional: bool,
    /// When the case was received.
    pub received: Timestamp,
    /// The limit that was applied.
    pub limit: Limit,
    /// The Beijing date of receipt.
    pub received_date: Date,
    /// The last day counted (the Beijing date the limit runs out on; for a deadline at 24:00
    /// this is the day before `at`'s date).
    pub last_day: Date,
}

fn builtin_years() -> &'static [YearSchedule] {
    static YEARS: OnceLock<Vec<YearSchedule>> = OnceLock::new();
    // The built-in text is checked by tests; should it ever fail, the calendar degrades to
    // Monday–Friday (provisional) rather than panicking.
    YEARS.get_or_init(|| YearSchedule::parse(BUILTIN_SCHEDULE).unwrap_or_default())
}

impl Calendar {
    /// The built-in schedule (2004–2026), shared and cheap to clone.
    pub fn builtin() -> Calendar {
        static BUILTIN: OnceLock<Calendar> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Calendar::from_years(builtin_years().iter().cloned())
                    .unwrap_or_else(|_| Calendar::empty())
            })
            .clone()
    }

    /// A calendar with no data at all: Monday–Friday everywhere, everything provisional.
    pub fn empty() -> Calendar {
        let index = Index::build(&BTreeMap::new()).unwrap_or_default();
        Calendar {
            index: Arc::new(index),
        }
    }

    /// The built-in schedule with `overrides` applied: a year given here replaces the built-in
    /// year as a whole (later entries for the same year win), new years are added.
    pub fn with_years(
        overrides: impl IntoIterator<Item = YearSchedule>,
    ) -> Result<Calendar, CalendarError> {
        Calendar::from_years(builtin_years().iter().cloned().chain(overrides))
    }

    /// A calendar from exactly these years (no built-in data); later entries for a year win.
    pub fn from_years(
        years: impl IntoIterator<Item = YearSchedule>,
    ) -> Result<Calendar, CalendarError> {
        // Inserted one by one rather than collected: the same result (later entries win)
        // without a stable sort of the years (its monomorphised copy costs ~3 KB of wasm).
        let mut map = BTreeMap::new();
        for y in years {
            map.insert(y.year(), y);
        }
        Ok(Calendar {
            index: Arc::new(Index::build(&map)?),
        })
    }

    /// The first and last year with a published schedule, if any.
    pub fn years(&self) -> Option<(i16, i16)> {
        self.index.year_span()
    }

    /// True when `year` has a published schedule (its days are not provisional).
    pub fn covers(&self, year: i16) -> bool {
        self.index.covers(year)
    }

    /// What `date` is, and why.
    pub fn day(&self, date: Date) -> Day {
        let n = day_number(date);
        let kind = match self.index.special(n) {
            Some((true, name)) => DayKind::MakeupWorkday(name.clone()),
            Some((false, name)) => DayKind::Holiday(name.clone()),
            None if is_weekend(n) => DayKind::Weekend,
            None => DayKind::Workday,
        };
        Day {
            kind,
            provisional: !self.index.covers(date.year()),
        }
    }

    /// True when `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.index.is_working(day_number(date))
    }

    /// The `n`-th working day strictly after `date` (`n = 0` returns `date`). O(1).
    pub fn add_working_days(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        if n == 0 {
            return Ok(date);
        }
        date_of(self.working_day_after(day_number(date), n))
    }

    /// The day number of the `n`-th working day strictly after day number `day` (`n = 0`
    /// returns `day`).
    fn working_day_after(&self, day: i64, n: u32) -> i64 {
        if n == 0 {
            return day;
        }
        self.index
            .kth(self.index.count_before(day + 1) + i64::from(n) - 1)
    }

    /// Working days `d` with `start < d <= end` (0 when `end <= start`). O(1).
    pub fn working_days_between(&self, start: Date, end: Date) -> u32 {
        if end <= start {
            return 0;
        }
        let c = |d: Date| self.index.count_before(day_number(d) + 1);
        u32::try_from(c(end) - c(start)).unwrap_or(u32::MAX)
    }

    /// True when any day in `from..=to` lies in a year without a published schedule.
    pub fn is_provisional(&self, from: Date, to: Date) -> bool {
        self.index.any_uncovered(from.year(), to.year())
    }

    /// Close of business of the working day `t` falls in, or of the next working day when `t`
    /// is after hours or on a rest day ("the same day", 当日, for the office).
    pub fn close_of_working_day(
        &self,
        t: Timestamp,
        hours: &OfficeHours,
    ) -> Result<Timestamp, CalendarError> {
        deadline::close_of_working_day(self, t, hours)
    }

    /// The instant a limit expires for something received at `received`.
    pub fn deadline(
        &self,
        received: Timestamp,
        limit: Limit,
        hours: &OfficeHours,
    ) -> Result<Deadline, CalendarError> {
        deadline::compute(self, received, limit, hours)
    }
}

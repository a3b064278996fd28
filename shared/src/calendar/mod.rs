//! The mainland-China working-day calendar (Asia/Shanghai) and deadline arithmetic.
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

pub use jiff::Timestamp;
pub use jiff::civil::{Date, Time};

/// The time zone every civil date in Minyi is read in (China Standard Time, UTC+8, no DST
/// since 1991).
pub fn shanghai() -> jiff::tz::TimeZone {
    todo!("calendar helper")
}

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
}

/// The working-day calendar: built-in schedule plus deployment overrides.
#[derive(Clone, Debug)]
pub struct Calendar {}

/// Office hours and where a working day ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeHours {}

/// A computed deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// The instant the limit expires.
    pub at: Timestamp,
    /// True when any day counted lies in a year without a published schedule.
    pub provisional: bool,
}

impl Calendar {
    /// The built-in schedule (2004–2026), shared and cheap to clone.
    pub fn builtin() -> Calendar {
        todo!("calendar helper")
    }

    /// The instant a limit expires for something received at `received`.
    pub fn deadline(
        &self,
        received: Timestamp,
        limit: Limit,
        hours: &OfficeHours,
    ) -> Result<Deadline, CalendarError> {
        let _ = (received, limit, hours);
        todo!("calendar helper")
    }
}

impl Default for OfficeHours {
    fn default() -> Self {
        todo!("calendar helper")
    }
}

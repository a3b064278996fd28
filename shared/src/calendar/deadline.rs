//! Limits → instants. Day limits count from the day after receipt (Civil Code art. 201);
//! a calendar-day limit whose last day is a rest day moves to the next working day (art. 203).
//!
//! Worked in day numbers and seconds of the Beijing day (offset arithmetic, see [`BEIJING`]):
//! civil dates are built only for the [`Deadline`]'s two dates.

use jiff::SignedDuration;

use super::days::date_of;
use super::office::{DayEnd, OfficeHours};
use super::{BEIJING, Calendar, CalendarError, Deadline, Limit, Time, Timestamp};

const OUT: CalendarError = CalendarError::OutOfRange;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The Beijing day number of `t`, the second of that day and the nanoseconds into it.
fn local(t: Timestamp) -> (i64, u32, u32) {
    // jiff gives the nanoseconds the sign of the instant; carry them into [0, 1 s).
    let (second, nanos) = match t.subsec_nanosecond() {
        n if n < 0 => (t.as_second() - 1, n + 1_000_000_000),
        n => (t.as_second(), n),
    };
    let s = second + i64::from(BEIJING.seconds());
    // The remainder is in 0..DAY and the nanoseconds in 0..10^9.
    (s.div_euclid(DAY), s.rem_euclid(DAY) as u32, nanos as u32)
}

/// The instant of Beijing day `day` at second `second` (may be `DAY`: 24:00) plus `nanos`.
fn instant(day: i64, second: u32, nanos: u32) -> Result<Timestamp, CalendarError> {
    let s = day
        .checked_mul(DAY)
        .and_then(|s| s.checked_add(i64::from(second) - i64::from(BEIJING.seconds())))
        .ok_or(OUT)?;
    // Fewer than 10^9 nanoseconds by construction.
    Timestamp::new(s, nanos as i32).map_err(|_| OUT)
}

/// The second of the day and the nanoseconds of a civil time.
fn of_day(time: Time) -> (u32, u32) {
    // Every field of a civil time is small and non-negative.
    let second = time.hour() as u32 * 3600 + time.minute() as u32 * 60 + time.second() as u32;
    (second, time.subsec_nanosecond().unsigned_abs())
}

/// The instant `time` of Beijing day `day`.
fn instant_at(day: i64, time: Time) -> Result<Timestamp, CalendarError> {
    let (second, nanos) = of_day(time);
    instant(day, second, nanos)
}

/// The instant day `d` ends: 24:00 (the next day's 00:00) or close of business.
fn end_of_day(d: i64, hours: &OfficeHours) -> Result<Timestamp, CalendarError> {
    match hours.day_end() {
        DayEnd::CloseOfBusiness => instant_at(d, hours.close_of_business()),
        DayEnd::Midnight => instant(d, DAY as u32, 0),
    }
}

/// Close of business of `t`'s working day, or of the next working day when `t` is after
/// close of business or on a rest day.
pub(super) fn close_of_working_day(
    cal: &Calendar,
    t: Timestamp,
    hours: &OfficeHours,
) -> Result<Timestamp, CalendarError> {
    let (today, second, nanos) = local(t);
    let close = hours.close_of_business();
    let day = if cal.index.is_working(today) && (second, nanos) < of_day(close) {
        today
    } else {
        cal.working_day_after(today, 1)
    };
    instant_at(day, close)
}

pub(super) fn compute(
    cal: &Calendar,
    received: Timestamp,
    limit: Limit,
    hours: &OfficeHours,
) -> Result<Deadline, CalendarError> {
    let (r, second, nanos) = local(received);
    let received_date = date_of(r)?;
    let done = |at, last_day, provisional| {
        Ok(Deadline {
            at,
            provisional,
            received,
            limit,
            received_date,
            last_day,
        })
    };
    match limit {
        Limit::WorkingDays(n) => {
            let last = cal.working_day_after(r, u32::from(n));
            let last_day = date_of(last)?;
            let provisional =
                n > 0 && cal.is_provisional(received_date.tomorrow().map_err(|_| OUT)?, last_day);
            done(end_of_day(last, hours)?, last_day, provisional)
        }
        Limit::CalendarDays(n) => {
            let nth = r + i64::from(n);
            let last = if n > 0 && !cal.index.is_working(nth) {
                cal.working_day_after(nth, 1)
            } else {
                nth
            };
            let last_day = date_of(last)?;
            let provisional = n > 0 && cal.is_provisional(date_of(nth)?, last_day);
            done(end_of_day(last, hours)?, last_day, provisional)
        }
        Limit::CalendarHours(n) => {
            let at = received
                .checked_add(SignedDuration::from_hours(i64::from(n)))
                .map_err(|_| OUT)?;
            done(at, date_of(local(at).0)?, false)
        }
        Limit::WorkingHours(0) => done(received, received_date, false),
        Limit::WorkingHours(n) => {
            // Counted in milliseconds, so a receipt at 10:00:00.750 is due at …:00.750, never
            // up to a second early.
            let per_day = u64::from(hours.seconds_per_day()) * 1000;
            let (day, used) = if cal.index.is_working(r) {
                let millis = u64::from(nanos / 1_000_000);
                // The fraction counts only if the receipt's second is office time.
                let in_office = u64::from(hours.elapsed_at(second + 1) - hours.elapsed_at(second));
                (
                    r,
                    u64::from(hours.elapsed_at(second)) * 1000 + in_office * millis,
                )
            } else {
                (cal.working_day_after(r, 1), 0)
            };
            let need = u64::from(n) * 3_600_000;
            let (last, offset) = if need <= per_day - used {
                (day, used + need)
            } else {
                let rest = need - (per_day - used);
                let full = (rest - 1) / per_day;
                let k = u32::try_from(full + 1).map_err(|_| OUT)?;
                (cal.working_day_after(day, k), rest - full * per_day)
            };
            let (whole, millis) = (
                u32::try_from(offset / 1000).map_err(|_| OUT)?,
                (offset % 1000) as u32,
            );
            // A fraction lies inside the next office second, which ends at `second_at(whole
            // + 1)` (so a fraction past a period's end falls after the next start).
            let sod = if millis == 0 {
                hours.second_at(whole)
            } else {
                hours.second_at(whole + 1) - 1
            };
            let at = instant(last, sod, millis * 1_000_000)?;
            let last_day = date_of(last)?;
            done(at, last_day, cal.is_provisional(received_date, last_day))
        }
    }
}

//! Limits → instants. Day limits count from the day after receipt (Civil Code art. 201);
//! a calendar-day limit whose last day is a rest day moves to the next working day (art. 203).

use jiff::SignedDuration;
use jiff::civil::DateTime;

use super::days::{date_of, day_number};
use super::office::{DayEnd, OfficeHours};
use super::{BEIJING, Calendar, CalendarError, Date, Deadline, Limit, Time, Timestamp};

const OUT: CalendarError = CalendarError::OutOfRange;

fn to_instant(dt: DateTime) -> Result<Timestamp, CalendarError> {
    BEIJING.to_timestamp(dt).map_err(|_| OUT)
}

/// The instant day `d` ends: 24:00 (the next day's 00:00) or close of business.
pub(super) fn end_of_day(d: Date, hours: &OfficeHours) -> Result<Timestamp, CalendarError> {
    match hours.day_end() {
        DayEnd::CloseOfBusiness => to_instant(d.to_datetime(hours.close_of_business())),
        DayEnd::Midnight => match date_of(day_number(d) + 1) {
            Ok(next) => to_instant(next.to_datetime(Time::midnight())),
            Err(_) => to_instant(d.to_datetime(Time::midnight()))?
                .checked_add(SignedDuration::from_hours(24))
                .map_err(|_| OUT),
        },
    }
}

/// Close of business of `t`'s working day, or of the next working day when `t` is after
/// close of business or on a rest day.
pub(super) fn close_of_working_day(
    cal: &Calendar,
    t: Timestamp,
    hours: &OfficeHours,
) -> Result<Timestamp, CalendarError> {
    let local = BEIJING.to_datetime(t);
    let close = hours.close_of_business();
    let today = local.date();
    let day = if cal.is_working_day(today) && local.time() < close {
        today
    } else {
        cal.add_working_days(today, 1)?
    };
    to_instant(day.to_datetime(close))
}

fn next_day(d: Date) -> Result<Date, CalendarError> {
    date_of(day_number(d) + 1)
}

pub(super) fn compute(
    cal: &Calendar,
    received: Timestamp,
    limit: Limit,
    hours: &OfficeHours,
) -> Result<Deadline, CalendarError> {
    let local = BEIJING.to_datetime(received);
    let rdate = local.date();
    let done = |at, last_day, provisional| Deadline {
        at,
        provisional,
        received,
        limit,
        received_date: rdate,
        last_day,
    };
    match limit {
        Limit::WorkingDays(n) => {
            let last = cal.add_working_days(rdate, u32::from(n))?;
            let provisional = n > 0 && cal.is_provisional(next_day(rdate)?, last);
            Ok(done(end_of_day(last, hours)?, last, provisional))
        }
        Limit::CalendarDays(n) => {
            let nth = date_of(day_number(rdate) + i64::from(n))?;
            let last = if n > 0 && !cal.is_working_day(nth) {
                cal.add_working_days(nth, 1)?
            } else {
                nth
            };
            let provisional = n > 0 && cal.is_provisional(nth, last);
            Ok(done(end_of_day(last, hours)?, last, provisional))
        }
        Limit::CalendarHours(n) => {
            let at = received
                .checked_add(SignedDuration::from_hours(i64::from(n)))
                .map_err(|_| OUT)?;
            Ok(done(at, BEIJING.to_datetime(at).date(), false))
        }
        Limit::WorkingHours(0) => Ok(done(received, rdate, false)),
        Limit::WorkingHours(n) => {
            // Counted in milliseconds, so a receipt at 10:00:00.750 is due at …:00.750, never
            // up to a second early.
            let per_day = u64::from(hours.seconds_per_day()) * 1000;
            let (day, used) = if cal.is_working_day(rdate) {
                let t = local.time();
                let sod = t.hour() as u32 * 3600 + t.minute() as u32 * 60 + t.second() as u32;
                let millis = u64::from(t.subsec_nanosecond().unsigned_abs() / 1_000_000);
                // The fraction counts only if the receipt's second is office time.
                let in_office = u64::from(hours.elapsed_at(sod + 1) - hours.elapsed_at(sod));
                (
                    rdate,
                    u64::from(hours.elapsed_at(sod)) * 1000 + in_office * millis,
                )
            } else {
                (cal.add_working_days(rdate, 1)?, 0)
            };
            let need = u64::from(n) * 3_600_000;
            let (last, offset) = if need <= per_day - used {
                (day, used + need)
            } else {
                let rest = need - (per_day - used);
                let full = (rest - 1) / per_day;
                let k = u32::try_from(full + 1).map_err(|_| OUT)?;
                (cal.add_working_days(day, k)?, rest - full * per_day)
            };
            let (whole, millis) = (
                u32::try_from(offset / 1000).map_err(|_| OUT)?,
                (offset % 1000) as i32,
            );
            // A fraction lies inside the next office second, which ends at `second_at(whole
            // + 1)` (so a fraction past a period's end falls after the next start).
            let sod = if millis == 0 {
                hours.second_at(whole)
            } else {
                hours.second_at(whole + 1) - 1
            };
            let time = Time::new(
                (sod / 3600) as i8,
                (sod / 60 % 60) as i8,
                (sod % 60) as i8,
                millis * 1_000_000,
            )
            .map_err(|_| OUT)?;
            let at = to_instant(last.to_datetime(time))?;
            Ok(done(at, last, cal.is_provisional(rdate, last)))
        }
    }
}

//! Day numbers: proleptic-Gregorian dates as consecutive integers (1970-01-01 = 0), and the
//! closed-form Monday–Friday count. Everything here is O(1) and never panics.

use super::{CalendarError, Date};

/// Days since 1970-01-01 (negative before). Every jiff `Date` fits comfortably.
pub(crate) fn day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number, or `OutOfRange` outside jiff's years -9999..=9999.
pub(crate) fn date_of(n: i64) -> Result<Date, CalendarError> {
    let z = n.checked_add(719_468).ok_or(CalendarError::OutOfRange)?;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let y = i16::try_from(y).map_err(|_| CalendarError::OutOfRange)?;
    // m and d are 1..=12 and 1..=31 by construction.
    Date::new(y, m as i8, d as i8).map_err(|_| CalendarError::OutOfRange)
}

/// 0 = Monday … 6 = Sunday (1970-01-05, day 4, was a Monday).
pub(crate) fn weekday_index(n: i64) -> i64 {
    (n - 4).rem_euclid(7)
}

/// True for Saturday and Sunday.
pub(crate) fn is_weekend(n: i64) -> bool {
    weekday_index(n) >= 5
}

/// Monday–Friday days in `[4, n)` (negative for `n < 4`); differences count weekdays.
pub(crate) fn weekdays_before(n: i64) -> i64 {
    let x = n - 4;
    5 * x.div_euclid(7) + x.rem_euclid(7).min(5)
}

/// The Monday–Friday day `d` with `weekdays_before(d) == k`.
pub(crate) fn kth_weekday(k: i64) -> i64 {
    4 + 7 * k.div_euclid(5) + k.rem_euclid(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_match_jiff() {
        let epoch = Date::constant(1970, 1, 1);
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2025, 10, 1),
            (1, 1, 1),
            (-9999, 1, 1),
            (9999, 12, 31),
        ] {
            let date = Date::constant(y, m, d);
            let n = day_number(date);
            assert_eq!(date_of(n), Ok(date));
            let days = epoch.until(date).map(|s| s.get_days()).unwrap_or_default();
            if (1900..2100).contains(&y) {
                assert_eq!(n, i64::from(days));
            }
        }
        assert_eq!(
            date_of(day_number(Date::MAX) + 1),
            Err(CalendarError::OutOfRange)
        );
        assert_eq!(
            date_of(day_number(Date::MIN) - 1),
            Err(CalendarError::OutOfRange)
        );
        assert_eq!(date_of(i64::MAX), Err(CalendarError::OutOfRange));
    }

    #[test]
    fn weekdays() {
        // 2025-10-06 is a Monday.
        let mon = day_number(Date::constant(2025, 10, 6));
        assert_eq!(weekday_index(mon), 0);
        assert!(is_weekend(mon + 5) && is_weekend(mon + 6) && !is_weekend(mon + 7));
        assert_eq!(weekdays_before(mon + 7) - weekdays_before(mon), 5);
        for n in -30..30 {
            let expected = (n..n + 1).filter(|&x| !is_weekend(x)).count() as i64;
            assert_eq!(weekdays_before(n + 1) - weekdays_before(n), expected);
            if !is_weekend(n) {
                assert_eq!(kth_weekday(weekdays_before(n)), n);
            }
        }
    }
}

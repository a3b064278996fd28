//! The working-day index: dense per-day tables over the years with data, closed-form
//! Monday–Friday arithmetic outside them. Every query is O(1).
//!
//! `count_before(x)` is the number of working days in `[ORIGIN, x)` (a signed running count;
//! only differences matter) and `kth(k)` its inverse: the working day `d` with
//! `count_before(d) == k`.

use std::collections::BTreeMap;

use super::days::{date_of, day_number, is_weekend, kth_weekday, weekdays_before};
use super::schedule::YearSchedule;
use super::{CalendarError, Date, HolidayName};

/// Per-day code in the table: 0 = ordinary day; otherwise `(name index + 1) << 1 | makeup`.
type Code = u16;

#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    /// Day number of the first table day (1 December of the year before the first year).
    t0: i64,
    /// `prefix[i]` = working days in `[t0, t0 + i)`; length = days + 1.
    prefix: Vec<u32>,
    /// Offsets (from `t0`) of the working days, in order.
    inv: Vec<u32>,
    /// Per-day codes.
    codes: Vec<Code>,
    /// Holiday names referenced by the codes.
    names: Vec<HolidayName>,
    /// First and last year with data (`min > max` when there is none).
    min_year: i16,
    max_year: i16,
    /// `uncovered[i]` = years without data in `[min_year, min_year + i)`.
    uncovered: Vec<u16>,
}

impl Index {
    /// Builds the index from year schedules (one per year; the caller resolved overrides).
    pub(crate) fn build(years: &BTreeMap<i16, YearSchedule>) -> Result<Index, CalendarError> {
        let (Some(&min_year), Some(&max_year)) = (years.keys().next(), years.keys().next_back())
        else {
            return Ok(Index {
                min_year: 1,
                max_year: 0,
                prefix: vec![0],
                ..Index::default()
            });
        };
        let start = Date::new(min_year - 1, 12, 1).map_err(|_| CalendarError::OutOfRange)?;
        let end = Date::new(max_year, 12, 31).map_err(|_| CalendarError::OutOfRange)?;
        let t0 = day_number(start);
        let len =
            usize::try_from(day_number(end) - t0 + 1).map_err(|_| CalendarError::OutOfRange)?;
        let mut codes: Vec<Code> = vec![0; len];
        let mut owner: Vec<i16> = vec![0; len];
        let mut names: Vec<HolidayName> = Vec::new();
        for (&year, schedule) in years {
            for (n, makeup, entry) in schedule.special_days() {
                let i = usize::try_from(n - t0).map_err(|_| CalendarError::OutOfRange)?;
                if codes[i] != 0 {
                    let date = date_of(n)?;
                    return Err(CalendarError::Conflict {
                        date,
                        years: [owner[i], year],
                    });
                }
                let idx = match names.iter().position(|h| h == entry.name()) {
                    Some(p) => p,
                    None => {
                        names.push(entry.name().clone());
                        names.len() - 1
                    }
                };
                let idx = Code::try_from(idx + 1).map_err(|_| CalendarError::OutOfRange)?;
                codes[i] = (idx << 1) | Code::from(makeup);
                owner[i] = year;
            }
        }
        let mut prefix = Vec::with_capacity(len + 1);
        let mut inv = Vec::with_capacity(len);
        let mut count = 0u32;
        for (i, &code) in codes.iter().enumerate() {
            prefix.push(count);
            let n = t0 + i as i64;
            let working = match code {
                0 => !is_weekend(n),
                c => c & 1 == 1,
            };
            if working {
                inv.push(i as u32);
                count += 1;
            }
        }
        prefix.push(count);
        let mut uncovered = Vec::with_capacity((max_year - min_year) as usize + 2);
        let mut gaps = 0u16;
        for y in min_year..=max_year {
            uncovered.push(gaps);
            gaps += u16::from(!years.contains_key(&y));
        }
        uncovered.push(gaps);
        Ok(Index {
            t0,
            prefix,
            inv,
            codes,
            names,
            min_year,
            max_year,
            uncovered,
        })
    }

    fn t1(&self) -> i64 {
        self.t0 + self.codes.len() as i64
    }

    fn total(&self) -> i64 {
        i64::from(self.prefix.last().copied().unwrap_or(0))
    }

    /// Working days in `[ORIGIN, x)`.
    pub(crate) fn count_before(&self, x: i64) -> i64 {
        let (t0, t1) = (self.t0, self.t1());
        if x <= t0 {
            weekdays_before(x)
        } else if x <= t1 {
            weekdays_before(t0) + i64::from(self.prefix[(x - t0) as usize])
        } else {
            weekdays_before(t0) + self.total() + weekdays_before(x) - weekdays_before(t1)
        }
    }

    /// The working day `d` with `count_before(d) == k`.
    pub(crate) fn kth(&self, k: i64) -> i64 {
        let base = weekdays_before(self.t0);
        let total = self.total();
        if k < base {
            kth_weekday(k)
        } else if k - base < total {
            self.t0 + i64::from(self.inv[(k - base) as usize])
        } else {
            kth_weekday(k - base - total + weekdays_before(self.t1()))
        }
    }

    /// True when day `n` is a working day.
    pub(crate) fn is_working(&self, n: i64) -> bool {
        self.count_before(n + 1) - self.count_before(n) == 1
    }

    /// The special status of day `n`: `Some((is_makeup, name))` for a listed day.
    pub(crate) fn special(&self, n: i64) -> Option<(bool, &HolidayName)> {
        let i = usize::try_from(n - self.t0).ok()?;
        let code = *self.codes.get(i)?;
        let name = self.names.get(usize::from(code >> 1).checked_sub(1)?)?;
        Some((code & 1 == 1, name))
    }

    /// True when `year` has a published schedule.
    pub(crate) fn covers(&self, year: i16) -> bool {
        !self.any_uncovered(year, year)
    }

    /// True when any year in `from..=to` lacks a published schedule.
    pub(crate) fn any_uncovered(&self, from: i16, to: i16) -> bool {
        if from > to {
            return false;
        }
        if from < self.min_year || to > self.max_year {
            return true;
        }
        let (a, b) = (
            (from - self.min_year) as usize,
            (to - self.min_year) as usize + 1,
        );
        self.uncovered[b] > self.uncovered[a]
    }

    /// The years with data.
    pub(crate) fn year_span(&self) -> Option<(i16, i16)> {
        (self.min_year <= self.max_year).then_some((self.min_year, self.max_year))
    }
}

//! Office hours: the periods of a working day during which working-hour limits run, and where
//! a working day ends for day limits.

use core::fmt;

use super::Time;

/// Where a working day ends for day limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DayEnd {
    /// 24:00 of the day (Civil Code art. 203: the last day ends at 24:00).
    #[default]
    Midnight,
    /// The end of the day's last office period (where a deployment rules so; Civil Code
    /// art. 203: where there are business hours, the day ends when business stops).
    CloseOfBusiness,
}

/// Why office hours were rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfficeHoursError {
    /// No periods at all.
    Empty,
    /// A period that does not end after it starts (index of the period).
    EmptyPeriod(usize),
    /// Periods out of order or overlapping (index of the later period).
    Overlap(usize),
    /// A period boundary with fractions of a second (index of the period).
    SubSecond(usize),
}

impl fmt::Display for OfficeHoursError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "没有办公时段 / no office periods"),
            Self::EmptyPeriod(i) => write!(
                f,
                "第{}个时段不成立 / period {i} ends before it starts",
                i + 1
            ),
            Self::Overlap(i) => write!(
                f,
                "第{}个时段与前一时段重叠或颠倒 / period {i} overlaps or precedes the previous one",
                i + 1
            ),
            Self::SubSecond(i) => write!(
                f,
                "第{}个时段含不足一秒的时间 / period {i} has sub-second times",
                i + 1
            ),
        }
    }
}

impl std::error::Error for OfficeHoursError {}

/// Office hours and where a working day ends. Periods are sorted, non-overlapping and
/// non-empty (the constructor checks it); the default is 08:30–12:00 and 14:00–17:30
/// (项目自定 / project's choice: no regulation defines office hours), with day limits ending
/// at 24:00.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeHours {
    periods: Vec<(Time, Time)>,
    /// The same periods as seconds of the day.
    secs: Vec<(u32, u32)>,
    day_end: DayEnd,
}

fn seconds(t: Time) -> u32 {
    // Hours, minutes and seconds are small and non-negative.
    t.hour() as u32 * 3600 + t.minute() as u32 * 60 + t.second() as u32
}

impl OfficeHours {
    /// Validates and builds office hours from `(start, end)` periods in order.
    pub fn new(
        periods: impl IntoIterator<Item = (Time, Time)>,
        day_end: DayEnd,
    ) -> Result<OfficeHours, OfficeHoursError> {
        let periods: Vec<(Time, Time)> = periods.into_iter().collect();
        if periods.is_empty() {
            return Err(OfficeHoursError::Empty);
        }
        let mut secs = Vec::with_capacity(periods.len());
        for (i, &(a, b)) in periods.iter().enumerate() {
            if a.subsec_nanosecond() != 0 || b.subsec_nanosecond() != 0 {
                return Err(OfficeHoursError::SubSecond(i));
            }
            let (sa, sb) = (seconds(a), seconds(b));
            if sb <= sa {
                return Err(OfficeHoursError::EmptyPeriod(i));
            }
            if let Some(&(_, prev_end)) = secs.last()
                && sa < prev_end
            {
                return Err(OfficeHoursError::Overlap(i));
            }
            secs.push((sa, sb));
        }
        Ok(OfficeHours {
            periods,
            secs,
            day_end,
        })
    }

    /// The periods, in order.
    pub fn periods(&self) -> &[(Time, Time)] {
        &self.periods
    }

    /// Where a working day ends for day limits.
    pub fn day_end(&self) -> DayEnd {
        self.day_end
    }

    /// The same hours with another day end.
    pub fn with_day_end(mut self, day_end: DayEnd) -> OfficeHours {
        self.day_end = day_end;
        self
    }

    /// End of the last period (close of business).
    pub fn close_of_business(&self) -> Time {
        self.periods.last().map_or(Time::MAX, |p| p.1)
    }

    /// Office seconds in one working day.
    pub(crate) fn seconds_per_day(&self) -> u32 {
        self.secs.iter().map(|(a, b)| b - a).sum()
    }

    /// Office seconds of the day elapsed at second-of-day `t`.
    pub(crate) fn elapsed_at(&self, t: u32) -> u32 {
        self.secs.iter().map(|&(a, b)| t.clamp(a, b) - a).sum()
    }

    /// The second of the day at which `offset` office seconds (1..=per day) have elapsed;
    /// an offset ending exactly at a period's end is that end, not the next start.
    pub(crate) fn second_at(&self, offset: u32) -> u32 {
        let mut left = offset;
        for &(a, b) in &self.secs {
            if left <= b - a {
                return a + left;
            }
            left -= b - a;
        }
        self.secs.last().map_or(0, |p| p.1)
    }
}

impl Default for OfficeHours {
    fn default() -> Self {
        let p = |h1, m1, h2, m2| (Time::constant(h1, m1, 0, 0), Time::constant(h2, m2, 0, 0));
        let periods = vec![p(8, 30, 12, 0), p(14, 0, 17, 30)];
        let secs = vec![(8 * 3600 + 1800, 12 * 3600), (14 * 3600, 17 * 3600 + 1800)];
        OfficeHours {
            periods,
            secs,
            day_end: DayEnd::Midnight,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i8, m: i8) -> Time {
        Time::constant(h, m, 0, 0)
    }

    #[test]
    fn default_matches_constructor() {
        let built = OfficeHours::new(
            [(t(8, 30), t(12, 0)), (t(14, 0), t(17, 30))],
            DayEnd::Midnight,
        );
        assert_eq!(built, Ok(OfficeHours::default()));
        let h = OfficeHours::default();
        assert_eq!(h.seconds_per_day(), 7 * 3600);
        assert_eq!(h.elapsed_at(13 * 3600), 3 * 3600 + 1800);
        assert_eq!(h.second_at(3 * 3600 + 1800), 12 * 3600);
        assert_eq!(h.second_at(3 * 3600 + 1801), 14 * 3600 + 1);
        assert_eq!(h.close_of_business(), t(17, 30));
    }

    #[test]
    fn rejects_bad_periods() {
        assert_eq!(
            OfficeHours::new([], DayEnd::Midnight),
            Err(OfficeHoursError::Empty)
        );
        assert_eq!(
            OfficeHours::new([(t(9, 0), t(9, 0))], DayEnd::Midnight),
            Err(OfficeHoursError::EmptyPeriod(0))
        );
        assert_eq!(
            OfficeHours::new(
                [(t(9, 0), t(12, 0)), (t(11, 0), t(13, 0))],
                DayEnd::Midnight
            ),
            Err(OfficeHoursError::Overlap(1))
        );
        assert_eq!(
            OfficeHours::new(
                [(t(14, 0), t(15, 0)), (t(9, 0), t(10, 0))],
                DayEnd::Midnight
            ),
            Err(OfficeHoursError::Overlap(1))
        );
        assert_eq!(
            OfficeHours::new([(Time::constant(9, 0, 0, 1), t(10, 0))], DayEnd::Midnight),
            Err(OfficeHoursError::SubSecond(0))
        );
    }
}

//! Calendar tests: hand-checked cases from the notices, overrides, and properties against a
//! naive day-by-day reference.

use proptest::prelude::*;

use super::days::{date_of, day_number};
use super::*;

fn d(y: i16, m: i8, day: i8) -> Date {
    Date::constant(y, m, day)
}

/// A Beijing civil time as an instant.
fn at(y: i16, m: i8, day: i8, h: i8, min: i8) -> Timestamp {
    BEIJING
        .to_timestamp(d(y, m, day).at(h, min, 0, 0))
        .expect("valid time")
}

fn cal() -> Calendar {
    Calendar::builtin()
}

#[test]
fn beijing_time_is_asia_shanghai_since_1992() {
    let zone = jiff::tz::get!("Asia/Shanghai");
    let since = at(1992, 1, 1, 0, 0);
    assert_eq!(zone.to_offset(since), BEIJING);
    assert!(
        zone.following(since).next().is_none(),
        "Asia/Shanghai changed its offset after 1991"
    );
}

#[test]
fn builtin_text_without_comments_parses_as_the_file() {
    let file = include_str!("holidays-cn.txt");
    assert!(BUILTIN_SCHEDULE.len() < file.len() && !BUILTIN_SCHEDULE.contains('#'));
    // The same years and holidays; only the line numbers (in errors, which the built-in text
    // has none of) differ.
    let facts = |years: Vec<YearSchedule>| {
        years
            .iter()
            .flat_map(|y| {
                y.entries().iter().map(|e| {
                    let (name, off, work) = (e.name(), e.days_off(), e.makeup_days());
                    (y.year(), name.clone(), off.to_vec(), work.to_vec())
                })
            })
            .collect::<Vec<_>>()
    };
    let stripped = facts(YearSchedule::parse(BUILTIN_SCHEDULE).expect("built-in data parses"));
    assert_eq!(stripped.len(), 144);
    assert_eq!(
        stripped,
        facts(YearSchedule::parse(file).expect("the file parses"))
    );
}

#[test]
fn builtin_text_parses_and_covers_2004_to_2026() {
    let years = YearSchedule::parse(BUILTIN_SCHEDULE).expect("built-in data parses");
    assert_eq!(years.len(), 23);
    assert_eq!(cal().years(), Some((2004, 2026)));
    assert!(!cal().day(d(2026, 12, 31)).provisional);
    assert!(cal().day(d(2027, 1, 4)).provisional);
    assert!(cal().day(d(2003, 12, 31)).provisional);
}

#[test]
fn national_day_2025() {
    let c = cal();
    assert_eq!(
        c.day(d(2025, 9, 28)).kind,
        DayKind::MakeupWorkday(HolidayName("国庆节、中秋节".into()))
    );
    assert_eq!(
        c.day(d(2025, 10, 11)).kind,
        DayKind::MakeupWorkday(HolidayName("国庆节、中秋节".into()))
    );
    for day in 1..=8 {
        assert!(!c.is_working_day(d(2025, 10, day)), "Oct {day}");
    }
    assert_eq!(
        c.day(d(2025, 10, 4)).kind,
        DayKind::Holiday(HolidayName("国庆节、中秋节".into()))
    );
    assert_eq!(c.day(d(2025, 10, 12)).kind, DayKind::Weekend);
    assert_eq!(c.day(d(2025, 10, 9)).kind, DayKind::Workday);
    // Received Saturday 27 September: Sep 28, 29, 30, Oct 9, 10.
    let dl = c
        .deadline(
            at(2025, 9, 27, 10, 0),
            Limit::WorkingDays(5),
            &OfficeHours::default(),
        )
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 11, 0, 0));
    assert!(!dl.provisional);
    let e = c.explain(&dl);
    assert_eq!(e.working_days_counted, 5);
    assert_eq!(
        e.describe_zh(),
        "自受理次日起计5个工作日，至10月10日24时止；跳过10月1日至8日国庆节、中秋节假期；计入9月28日（国庆节、中秋节调休上班）。"
    );
    assert_eq!(
        e.describe_en(),
        "5 working days counted from the day after receipt, ending at 24:00 on 10 October; skipped 1–8 October (National Day and Mid-Autumn Festival holiday); counted 28 September (make-up working day for National Day and Mid-Autumn Festival)."
    );
    // Close of business instead of midnight.
    let cob = OfficeHours::default().with_day_end(DayEnd::CloseOfBusiness);
    let dl = c
        .deadline(at(2025, 9, 27, 10, 0), Limit::WorkingDays(5), &cob)
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 10, 17, 30));
    assert!(
        c.explain(&dl)
            .describe_zh()
            .starts_with("自受理次日起计5个工作日，至10月10日17时30分止")
    );
    // Received Friday 10 October: day 1 is Saturday 11 October (make-up).
    let dl = c
        .deadline(
            at(2025, 10, 10, 9, 0),
            Limit::WorkingDays(1),
            &OfficeHours::default(),
        )
        .expect("ok");
    assert_eq!(dl.last_day, d(2025, 10, 11));
    // Received Friday 26 September at 17:45: 3 working hours run on Sunday 28 September.
    let dl = c
        .deadline(
            at(2025, 9, 26, 17, 45),
            Limit::WorkingHours(3),
            &OfficeHours::default(),
        )
        .expect("ok");
    assert_eq!(dl.at, at(2025, 9, 28, 11, 30));
    // Received Tuesday 30 September 16:00: 1.5 h that day, the rest on Thursday 9 October.
    let dl = c
        .deadline(
            at(2025, 9, 30, 16, 0),
            Limit::WorkingHours(3),
            &OfficeHours::default(),
        )
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 9, 10, 0));
    let zh = c.explain(&dl).describe_zh();
    assert!(zh.contains("10月1日至8日国庆节、中秋节假期"), "{zh}");
}

#[test]
fn spring_festival_2026() {
    let c = cal();
    let h = OfficeHours::default();
    for day in 15..=23 {
        assert!(!c.is_working_day(d(2026, 2, day)), "Feb {day}");
    }
    assert!(c.is_working_day(d(2026, 2, 14)) && c.is_working_day(d(2026, 2, 28)));
    // Received Friday 13 February: Feb 14 (make-up Saturday), 24, 25.
    let dl = c
        .deadline(at(2026, 2, 13, 9, 0), Limit::WorkingDays(3), &h)
        .expect("ok");
    assert_eq!(dl.last_day, d(2026, 2, 25));
    assert_eq!(dl.at, at(2026, 2, 26, 0, 0));
    // 15 working days from Friday 13 February: 14, 24, 25, 26, 27, 28 (make-up), Mar 2–6, 9–12.
    assert_eq!(c.add_working_days(d(2026, 2, 13), 15), Ok(d(2026, 3, 12)));
    assert_eq!(c.working_days_between(d(2026, 2, 13), d(2026, 3, 12)), 15);
    // 3 working hours from Friday 13 February 16:00: 1.5 h, then Saturday 14 February 08:30–10:00.
    let dl = c
        .deadline(at(2026, 2, 13, 16, 0), Limit::WorkingHours(3), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2026, 2, 14, 10, 0));
    // Calendar days: received Tuesday 10 February, 7 days → 17 February (holiday) → 24 February.
    let dl = c
        .deadline(at(2026, 2, 10, 9, 0), Limit::CalendarDays(7), &h)
        .expect("ok");
    assert_eq!(dl.last_day, d(2026, 2, 24));
    let e = c.explain(&dl);
    assert_eq!(e.moved_from, Some(d(2026, 2, 17)));
    assert!(
        e.describe_zh().contains("第7日（2月17日）为休息日"),
        "{}",
        e.describe_zh()
    );
    // Calendar days ending on a working day do not move.
    let dl = c
        .deadline(at(2026, 3, 2, 9, 0), Limit::CalendarDays(2), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2026, 3, 5, 0, 0));
    // Calendar hours: around the clock.
    let dl = c
        .deadline(at(2026, 2, 16, 23, 0), Limit::CalendarHours(24), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2026, 2, 17, 23, 0));
}

#[test]
fn working_hours_edges() {
    let c = cal();
    let h = OfficeHours::default();
    // Monday 2025-10-13, received at lunch: 3 h from 14:00 → 17:00.
    let dl = c
        .deadline(at(2025, 10, 13, 12, 30), Limit::WorkingHours(3), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 13, 17, 0));
    // Received 11:00: 1 h before lunch, 2 h after → 16:00.
    let dl = c
        .deadline(at(2025, 10, 13, 11, 0), Limit::WorkingHours(3), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 13, 16, 0));
    // Ending exactly at noon stays at noon.
    let dl = c
        .deadline(at(2025, 10, 13, 9, 0), Limit::WorkingHours(3), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 13, 12, 0));
    // 7 h from before opening = close of business the same day; 14 h = next day's close.
    let dl = c
        .deadline(at(2025, 10, 13, 7, 0), Limit::WorkingHours(7), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 13, 17, 30));
    let dl = c
        .deadline(at(2025, 10, 13, 7, 0), Limit::WorkingHours(14), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 14, 17, 30));
    let dl = c
        .deadline(at(2025, 10, 13, 7, 0), Limit::WorkingHours(0), &h)
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 13, 7, 0));
}

#[test]
fn working_hours_keep_the_receipts_milliseconds() {
    let c = cal();
    let h = OfficeHours::default();
    let ms = |t: Timestamp, n: i64| t + jiff::SignedDuration::from_millis(n);
    // Received Monday 11:00:00.750: due 16:00:00.750, not 16:00:00.000.
    let dl = c
        .deadline(ms(at(2025, 10, 13, 11, 0), 750), Limit::WorkingHours(3), &h)
        .expect("ok");
    assert_eq!(dl.at, ms(at(2025, 10, 13, 16, 0), 750));
    // Received 09:00:00.500: three hours end half a second past noon, which is lunch, so
    // the last half second falls after 14:00.
    let dl = c
        .deadline(ms(at(2025, 10, 13, 9, 0), 500), Limit::WorkingHours(3), &h)
        .expect("ok");
    assert_eq!(dl.at, ms(at(2025, 10, 13, 14, 0), 500));
    // Outside office hours the count starts at a period's start: the fraction is not time.
    let dl = c
        .deadline(
            ms(at(2025, 10, 13, 12, 30), 999),
            Limit::WorkingHours(3),
            &h,
        )
        .expect("ok");
    assert_eq!(dl.at, at(2025, 10, 13, 17, 0));
    // Never early: for any fraction, the deadline is at least the whole-second one.
    for frac in [1, 250, 999] {
        let dl = c
            .deadline(
                ms(at(2025, 10, 13, 17, 29), frac),
                Limit::WorkingHours(2),
                &h,
            )
            .expect("ok");
        assert_eq!(dl.at, ms(at(2025, 10, 14, 10, 29), frac));
    }
}

#[test]
fn overrides_replace_years_and_missing_years_are_provisional() {
    let next = YearSchedule::parse_year(
        2027,
        "2027 元旦 01-01..01-03\n2027 春节 02-05..02-12 上班 01-31",
    )
    .expect("ok");
    let c = Calendar::with_years([next]).expect("ok");
    assert_eq!(c.years(), Some((2004, 2027)));
    assert_eq!(
        c.day(d(2027, 1, 1)),
        Day {
            kind: DayKind::Holiday(HolidayName("元旦".into())),
            provisional: false
        }
    );
    assert!(c.is_working_day(d(2027, 1, 31)));
    assert!(c.day(d(2028, 3, 1)).provisional);
    // Builtin is untouched.
    assert!(cal().is_working_day(d(2027, 1, 1)) && cal().day(d(2027, 1, 1)).provisional);
    let h = OfficeHours::default();
    let dl = cal()
        .deadline(at(2026, 12, 28, 9, 0), Limit::WorkingDays(5), &h)
        .expect("ok");
    assert!(dl.provisional);
    let e = cal().explain(&dl);
    assert_eq!(e.provisional_years, [2027]);
    assert!(
        e.describe_zh().contains("2027年节假日安排尚未公布"),
        "{}",
        e.describe_zh()
    );
    assert!(
        !c.deadline(at(2026, 12, 28, 9, 0), Limit::WorkingDays(5), &h)
            .expect("ok")
            .provisional
    );
    // A year override replaces the built-in year as a whole.
    let only_spring = YearSchedule::parse_year(2025, "2025 春节 01-28..02-04").expect("ok");
    let c = Calendar::with_years([only_spring]).expect("ok");
    assert!(c.is_working_day(d(2025, 10, 1)) && !c.is_working_day(d(2025, 10, 11)));
    assert!(!c.is_working_day(d(2025, 1, 29)) && !c.is_working_day(d(2025, 1, 26)));
    // A gap year between years with data is provisional too.
    let far = YearSchedule::parse_year(2030, "2030 元旦 01-01").expect("ok");
    let c = Calendar::with_years([far]).expect("ok");
    assert!(c.day(d(2028, 6, 1)).provisional && !c.day(d(2030, 6, 1)).provisional);
    assert!(c.is_provisional(d(2026, 1, 1), d(2030, 1, 1)));
    assert!(!c.is_provisional(d(2025, 1, 1), d(2026, 12, 31)));
}

#[test]
fn conflicting_years_are_rejected() {
    let a = YearSchedule::parse_year(2026, "2026 X 12-31").expect("ok");
    let b = YearSchedule::parse_year(2027, "2027 元旦 2026-12-31..01-01").expect("ok");
    assert_eq!(
        Calendar::from_years([a, b]).map(|_| ()),
        Err(CalendarError::Conflict {
            date: d(2026, 12, 31),
            years: [2026, 2027]
        })
    );
}

#[test]
fn extremes_do_not_panic() {
    let c = cal();
    let h = OfficeHours::default();
    let cob = OfficeHours::default().with_day_end(DayEnd::CloseOfBusiness);
    assert_eq!(
        c.add_working_days(Date::MAX, 1),
        Err(CalendarError::OutOfRange)
    );
    assert_eq!(
        c.add_working_days(d(9999, 12, 1), u32::from(u16::MAX)),
        Err(CalendarError::OutOfRange)
    );
    assert_eq!(c.add_working_days(Date::MIN, 0), Ok(Date::MIN));
    assert!(c.add_working_days(Date::MIN, u32::from(u16::MAX)).is_ok());
    assert!(c.add_working_days(Date::MIN, u32::MAX).is_err());
    assert_eq!(c.working_days_between(Date::MAX, Date::MIN), 0);
    assert!(c.working_days_between(Date::MIN, Date::MAX) > 5_000_000);
    for limit in [
        Limit::WorkingDays,
        Limit::WorkingHours,
        Limit::CalendarDays,
        Limit::CalendarHours,
    ] {
        for n in [0, 1, 250, u16::MAX] {
            for ts in [Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH] {
                for hours in [&h, &cob] {
                    if let Ok(dl) = c.deadline(ts, limit(n), hours) {
                        let e = c.explain(&dl);
                        let _ = (e.describe_zh(), e.describe_en());
                    }
                }
            }
        }
    }
}

/// Naive reference: walk day by day using `Calendar::day` (which does not use the tables).
fn naive_add(c: &Calendar, date: Date, n: u32) -> Date {
    let mut x = day_number(date);
    let mut left = n;
    while left > 0 {
        x += 1;
        if c.day(date_of(x).expect("in range")).is_working() {
            left -= 1;
        }
    }
    date_of(x).expect("in range")
}

fn naive_between(c: &Calendar, a: Date, b: Date) -> u32 {
    (day_number(a) + 1..=day_number(b))
        .filter(|&x| c.day(date_of(x).expect("in range")).is_working())
        .count() as u32
}

fn date_in(lo: i16, hi: i16) -> impl Strategy<Value = Date> {
    let (a, b) = (day_number(d(lo, 1, 1)), day_number(d(hi, 12, 31)));
    (a..=b).prop_map(|x| date_of(x).expect("in range"))
}

proptest! {
    #[test]
    fn add_and_between_match_naive(date in date_in(1990, 2100), n in 0u32..=400, m in 0i64..700) {
        let c = cal();
        let r = c.add_working_days(date, n).expect("in range");
        prop_assert_eq!(r, naive_add(&c, date, n));
        prop_assert_eq!(c.working_days_between(date, r), n);
        if n > 0 {
            prop_assert!(c.is_working_day(r));
        }
        let end = date_of(day_number(date) + m).expect("in range");
        let k = c.working_days_between(date, end);
        prop_assert_eq!(k, naive_between(&c, date, end));
        // Inverse: the k-th working day after `date` is the last working day on or before `end`.
        let back = c.add_working_days(date, k).expect("in range");
        prop_assert!(back <= end);
        prop_assert_eq!(c.working_days_between(back, end), 0);
    }

    #[test]
    fn is_working_day_matches_day(date in date_in(2000, 2030)) {
        let c = cal();
        prop_assert_eq!(c.is_working_day(date), c.day(date).is_working());
    }

    #[test]
    fn no_panic_anywhere(x in day_number(Date::MIN)..=day_number(Date::MAX), n in 0u32..=u32::from(u16::MAX),
                         secs in Timestamp::MIN.as_second()..=Timestamp::MAX.as_second(), kind in 0u8..4, cob in any::<bool>()) {
        let c = cal();
        let date = date_of(x).expect("in range");
        let _ = c.day(date);
        if let Ok(r) = c.add_working_days(date, n) {
            prop_assert_eq!(c.working_days_between(date, r), n);
        }
        let _ = c.working_days_between(date, Date::MAX);
        let n16 = u16::try_from(n).unwrap_or(u16::MAX);
        let limit = [Limit::WorkingDays(n16), Limit::WorkingHours(n16), Limit::CalendarDays(n16), Limit::CalendarHours(n16)][usize::from(kind)];
        let hours = if cob { OfficeHours::default().with_day_end(DayEnd::CloseOfBusiness) } else { OfficeHours::default() };
        let ts = Timestamp::from_second(secs).expect("in range");
        if let Ok(dl) = c.deadline(ts, limit, &hours) {
            prop_assert!(dl.at >= ts);
            let e = c.explain(&dl);
            let _ = (e.describe_zh(), e.describe_en());
        }
    }

    #[test]
    fn parser_never_panics(text in "\\PC{0,80}") {
        let _ = YearSchedule::parse(&text);
    }

    #[test]
    fn working_hours_agree_with_naive_office_walk(date in date_in(2024, 2026), minute in 0i64..1440, n in 1u16..=40) {
        let c = cal();
        let h = OfficeHours::default();
        let ts = BEIJING.to_timestamp(date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0)).expect("ok");
        let dl = c.deadline(ts, Limit::WorkingHours(n), &h).expect("ok");
        // Walk minute by minute through office periods on working days.
        let mut left = i64::from(n) * 60;
        let mut x = day_number(date);
        let mut t = minute;
        let periods = [(510i64, 720i64), (840, 1050)];
        let expected = loop {
            let day = date_of(x).expect("ok");
            if c.is_working_day(day) {
                let mut hit = None;
                for (a, b) in periods {
                    let from = t.max(a);
                    if from < b {
                        if left <= b - from { hit = Some(from + left); break; }
                        left -= b - from;
                    }
                }
                if let Some(m) = hit { break day.at((m / 60) as i8, (m % 60) as i8, 0, 0); }
            }
            x += 1;
            t = 0;
        };
        prop_assert_eq!(dl.at, BEIJING.to_timestamp(expected).expect("ok"));
    }
}

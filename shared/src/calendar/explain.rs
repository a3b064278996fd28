//! Why a deadline is what it is: the days counted and skipped, the make-up days, provisional
//! years, and one or two readable sentences (Chinese first). Display only: O(span), capped.

use core::fmt::Write as _;

use jiff::civil::DateTime;

use super::days::{date_of, day_number};
use super::{BEIJING, Calendar, Date, DayKind, Deadline, HolidayName, Limit};

/// Longest span of days scanned for the lists.
const MAX_SCAN_DAYS: i64 = 800;
/// Longest list kept.
const MAX_ITEMS: usize = 12;

/// Why a run of days was not counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// An ordinary weekend.
    Weekend,
    /// A statutory holiday block (weekend days inside it included).
    Holiday(HolidayName),
}

/// Consecutive days not counted, for one reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRun {
    /// First day of the run.
    pub from: Date,
    /// Last day of the run (inclusive).
    pub to: Date,
    /// Why the run was skipped.
    pub reason: SkipReason,
}

/// The explanation of a [`Deadline`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The limit applied.
    pub limit: Limit,
    /// The Beijing date of receipt.
    pub received_date: Date,
    /// The last day counted (the deadline's day; 24:00 of it when `at_midnight`).
    pub last_day: Date,
    /// The deadline in Beijing civil time.
    pub deadline_local: DateTime,
    /// True when the deadline is the end (24:00) of `last_day`.
    pub at_midnight: bool,
    /// Working days `d` with `received_date < d <= last_day`.
    pub working_days_counted: u32,
    /// Runs of days skipped (holiday blocks and weekends), in order; capped.
    pub skipped: Vec<SkippedRun>,
    /// Make-up working days (调休上班) counted, with their holiday; capped.
    pub makeup_days: Vec<(Date, HolidayName)>,
    /// For calendar-day limits: the N-th day when it was a rest day and the deadline moved.
    pub moved_from: Option<Date>,
    /// True when the lists were cut short.
    pub truncated: bool,
    /// Whether any counted day lies in a year without a published schedule.
    pub provisional: bool,
    /// The years without a published schedule among those counted; capped.
    pub provisional_years: Vec<i16>,
    /// True when the count starts at the dispatch (交办), not at receipt (受理).
    pub from_dispatch: bool,
}

impl Calendar {
    /// Explains a deadline computed by this calendar.
    pub fn explain(&self, deadline: &Deadline) -> Explanation {
        let local = BEIJING.to_datetime(deadline.at);
        let at_midnight =
            local.time() == jiff::civil::Time::midnight() && local.date() != deadline.last_day;
        let r = day_number(deadline.received_date);
        let last = day_number(deadline.last_day);
        let (scan_from, moved_from) = match deadline.limit {
            Limit::CalendarDays(n) => {
                let nth = r + i64::from(n);
                (
                    nth,
                    (n > 0 && nth != last).then(|| date_of(nth).ok()).flatten(),
                )
            }
            Limit::CalendarHours(_) => (last + 1, None),
            Limit::WorkingHours(_) => (r, None),
            Limit::WorkingDays(_) => (r + 1, None),
        };
        let mut e = Explanation {
            limit: deadline.limit,
            received_date: deadline.received_date,
            last_day: deadline.last_day,
            deadline_local: local,
            at_midnight,
            working_days_counted: self
                .working_days_between(deadline.received_date, deadline.last_day),
            skipped: Vec::new(),
            makeup_days: Vec::new(),
            moved_from,
            truncated: false,
            provisional: deadline.provisional,
            provisional_years: Vec::new(),
            from_dispatch: false,
        };
        let scan_to = last.min(scan_from + MAX_SCAN_DAYS - 1);
        e.truncated = scan_to < last;
        for n in scan_from..=scan_to {
            let Ok(date) = date_of(n) else { break };
            let reason = match self.day(date).kind {
                DayKind::Workday => continue,
                DayKind::MakeupWorkday(name) => {
                    push_capped(&mut e.makeup_days, (date, name), &mut e.truncated);
                    continue;
                }
                DayKind::Weekend => SkipReason::Weekend,
                DayKind::Holiday(name) => SkipReason::Holiday(name),
            };
            match e.skipped.last_mut() {
                Some(run) if run.reason == reason && day_number(run.to) + 1 == n => run.to = date,
                _ => push_capped(
                    &mut e.skipped,
                    SkippedRun {
                        from: date,
                        to: date,
                        reason,
                    },
                    &mut e.truncated,
                ),
            }
        }
        if deadline.provisional {
            let (a, b) = (deadline.received_date.year(), deadline.last_day.year());
            for y in a..=b {
                if !self.covers(y) {
                    push_capped(&mut e.provisional_years, y, &mut e.truncated);
                }
                if e.provisional_years.len() >= MAX_ITEMS {
                    break;
                }
            }
        }
        e
    }
}

fn push_capped<T>(v: &mut Vec<T>, item: T, truncated: &mut bool) {
    if v.len() < MAX_ITEMS {
        v.push(item);
    } else {
        *truncated = true;
    }
}

fn zh_date(d: Date, base_year: i16) -> String {
    if d.year() == base_year {
        format!("{}月{}日", d.month(), d.day())
    } else {
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }
}

fn zh_range(a: Date, b: Date, base_year: i16) -> String {
    if a == b {
        zh_date(a, base_year)
    } else if a.year() == b.year() && a.month() == b.month() {
        format!("{}至{}日", zh_date(a, base_year), b.day())
    } else {
        format!("{}至{}", zh_date(a, base_year), zh_date(b, base_year))
    }
}

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn en_month(d: Date) -> &'static str {
    EN_MONTHS
        .get((d.month() as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

fn en_date(d: Date, base_year: i16) -> String {
    if d.year() == base_year {
        format!("{} {}", d.day(), en_month(d))
    } else {
        format!("{} {} {}", d.day(), en_month(d), d.year())
    }
}

fn en_range(a: Date, b: Date, base_year: i16) -> String {
    if a == b {
        en_date(a, base_year)
    } else if a.year() == b.year() && a.month() == b.month() {
        format!("{}–{}", a.day(), en_date(b, base_year))
    } else {
        format!("{} – {}", en_date(a, base_year), en_date(b, base_year))
    }
}

/// The English name of a holiday as the notices name it (combined names joined by "and").
pub fn holiday_name_en(name: &HolidayName) -> String {
    let parts: Vec<&str> = name
        .0
        .split('、')
        .map(|p| match p {
            "元旦" => "New Year's Day",
            "春节" => "Spring Festival",
            "清明节" => "Qingming Festival",
            "劳动节" => "Labour Day",
            "端午节" => "Dragon Boat Festival",
            "中秋节" => "Mid-Autumn Festival",
            "国庆节" => "National Day",
            "抗战胜利70周年纪念日" => {
                "70th Anniversary of Victory in the War of Resistance"
            }
            other => other,
        })
        .collect();
    parts.join(" and ")
}

impl Explanation {
    fn base_year(&self) -> i16 {
        self.received_date.year()
    }

    fn weekend_days(&self) -> i64 {
        self.skipped
            .iter()
            .filter(|r| r.reason == SkipReason::Weekend)
            .map(|r| day_number(r.to) - day_number(r.from) + 1)
            .sum()
    }

    fn zh_time(&self) -> String {
        let t = self.deadline_local.time();
        if self.at_midnight {
            "24时".to_string()
        } else if t.minute() == 0 {
            format!("{}时", t.hour())
        } else {
            format!("{}时{}分", t.hour(), t.minute())
        }
    }

    fn en_time(&self) -> String {
        if self.at_midnight {
            "24:00".to_string()
        } else {
            let t = self.deadline_local.time();
            format!("{:02}:{:02}", t.hour(), t.minute())
        }
    }

    /// One or two sentences in Chinese, e.g. "自受理次日起计5个工作日，至10月10日24时止；
    /// 跳过10月1日至8日国庆节假期；计入9月28日（国庆节调休上班）。"
    pub fn describe_zh(&self) -> String {
        let y = self.base_year();
        let end = format!("{}{}", zh_date(self.last_day, y), self.zh_time());
        let from = if self.from_dispatch {
            "交办"
        } else {
            "受理"
        };
        let mut s = match self.limit {
            Limit::WorkingDays(n) => format!("自{from}次日起计{n}个工作日，至{end}止"),
            Limit::WorkingHours(n) => {
                format!("自{from}时起计{n}个工作小时（只计办公时间），至{end}止")
            }
            Limit::CalendarDays(n) => format!("自{from}次日起计{n}日，至{end}止"),
            Limit::CalendarHours(n) => format!("自{from}时起{n}小时内，至{end}止"),
        };
        if let Some(nth) = self.moved_from {
            let _ = write!(
                s,
                "；第{}日（{}）为休息日，顺延至其后第一个工作日",
                self.limit_n(),
                zh_date(nth, y)
            );
        }
        let holidays: Vec<String> = self
            .skipped
            .iter()
            .filter_map(|r| match &r.reason {
                SkipReason::Holiday(h) => Some(format!("{}{}假期", zh_range(r.from, r.to, y), h.0)),
                SkipReason::Weekend => None,
            })
            .collect();
        if !holidays.is_empty() {
            let _ = write!(s, "；跳过{}", holidays.join("、"));
        }
        let weekend = self.weekend_days();
        if weekend > 0 && !matches!(self.limit, Limit::CalendarDays(_)) {
            let _ = write!(s, "；另不计周末{weekend}天");
        }
        if !self.makeup_days.is_empty() {
            let days: Vec<String> = self
                .makeup_days
                .iter()
                .map(|(d, h)| format!("{}（{}调休上班）", zh_date(*d, y), h.0))
                .collect();
            let _ = write!(s, "；计入{}", days.join("、"));
        }
        if self.truncated {
            s.push_str("（列举从略）");
        }
        s.push('。');
        if self.provisional {
            let years: Vec<String> = self
                .provisional_years
                .iter()
                .map(|y| format!("{y}年"))
                .collect();
            let _ = write!(
                s,
                "{}节假日安排尚未公布，暂按周一至周五计算，期限为临时结果。",
                years.join("、")
            );
        }
        s
    }

    /// The same in English.
    pub fn describe_en(&self) -> String {
        let y = self.base_year();
        let end = format!("{} on {}", self.en_time(), en_date(self.last_day, y));
        let from = if self.from_dispatch {
            "dispatch"
        } else {
            "receipt"
        };
        let mut s = match self.limit {
            Limit::WorkingDays(n) => {
                format!("{n} working days counted from the day after {from}, ending at {end}")
            }
            Limit::WorkingHours(n) => format!(
                "{n} working hours (office hours only) counted from {from}, ending at {end}"
            ),
            Limit::CalendarDays(n) => {
                format!("{n} days counted from the day after {from}, ending at {end}")
            }
            Limit::CalendarHours(n) => format!("{n} hours from {from}, ending at {end}"),
        };
        if let Some(nth) = self.moved_from {
            let _ = write!(
                s,
                "; day {} ({}) is a rest day, so the limit runs to the next working day",
                self.limit_n(),
                en_date(nth, y)
            );
        }
        let holidays: Vec<String> = self
            .skipped
            .iter()
            .filter_map(|r| match &r.reason {
                SkipReason::Holiday(h) => Some(format!(
                    "{} ({} holiday)",
                    en_range(r.from, r.to, y),
                    holiday_name_en(h)
                )),
                SkipReason::Weekend => None,
            })
            .collect();
        if !holidays.is_empty() {
            let _ = write!(s, "; skipped {}", holidays.join(", "));
        }
        let weekend = self.weekend_days();
        if weekend > 0 && !matches!(self.limit, Limit::CalendarDays(_)) {
            let _ = write!(s, "; {weekend} weekend days not counted");
        }
        if !self.makeup_days.is_empty() {
            let days: Vec<String> = self
                .makeup_days
                .iter()
                .map(|(d, h)| {
                    format!(
                        "{} (make-up working day for {})",
                        en_date(*d, y),
                        holiday_name_en(h)
                    )
                })
                .collect();
            let _ = write!(s, "; counted {}", days.join(", "));
        }
        if self.truncated {
            s.push_str(" (lists shortened)");
        }
        s.push('.');
        if self.provisional {
            let years: Vec<String> = self
                .provisional_years
                .iter()
                .map(|y| y.to_string())
                .collect();
            let _ = write!(
                s,
                " The holiday schedule for {} is not yet published; Monday–Friday was assumed, so the deadline is provisional.",
                years.join(", ")
            );
        }
        s
    }

    fn limit_n(&self) -> u16 {
        match self.limit {
            Limit::WorkingDays(n)
            | Limit::WorkingHours(n)
            | Limit::CalendarDays(n)
            | Limit::CalendarHours(n) => n,
        }
    }
}

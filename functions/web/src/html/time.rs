//! Dates and deadlines as people read them, in Beijing time.

use crate::Lang;
use minyi::calendar::{BEIJING, Timestamp};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn day(lang: Lang, year: i16, month: i8, day: i8) -> String {
    match lang {
        Lang::Zh => format!("{year}年{month}月{day}日"),
        Lang::En => {
            let name = usize::try_from(month - 1)
                .ok()
                .and_then(|m| MONTHS.get(m))
                .copied()
                .unwrap_or("");
            format!("{day} {name} {year}")
        }
    }
}

/// The Beijing calendar date of an instant (`2026年12月1日`, `1 Dec 2026`).
pub fn date(lang: Lang, at: Timestamp) -> String {
    let d = BEIJING.to_datetime(at).date();
    day(lang, d.year(), d.month(), d.day())
}

/// An instant with its Beijing time of day (`2026年12月1日 09:30`).
pub fn date_time(lang: Lang, at: Timestamp) -> String {
    let z = BEIJING.to_datetime(at);
    format!(
        "{} {:02}:{:02}",
        day(lang, z.year(), z.month(), z.day()),
        z.hour(),
        z.minute()
    )
}

/// A deadline: an instant at local midnight is the end of the previous day, written 24:00
/// (`2026年12月1日 24:00`), as the Civil Code counts days (art. 203: the last day ends at
/// 24:00).
pub fn deadline(lang: Lang, at: Timestamp) -> String {
    let z = BEIJING.to_datetime(at);
    if z.hour() == 0
        && z.minute() == 0
        && z.second() == 0
        && let Ok(prev) = z.date().yesterday()
    {
        return format!("{} 24:00", day(lang, prev.year(), prev.month(), prev.day()));
    }
    date_time(lang, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_deadlines_end_the_previous_day() {
        let at: Timestamp = "2026-12-01T16:00:00Z".parse().expect("instant");
        assert_eq!(deadline(Lang::Zh, at), "2026年12月1日 24:00");
        assert_eq!(deadline(Lang::En, at), "1 Dec 2026 24:00");
        let noon: Timestamp = "2026-12-01T04:30:00Z".parse().expect("instant");
        assert_eq!(deadline(Lang::Zh, noon), "2026年12月1日 12:30");
        assert_eq!(date(Lang::En, noon), "1 Dec 2026");
    }
}

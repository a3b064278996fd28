//! RFC 3339 / W3C datetimes written and read by hand from civil fields.
//!
//! jiff's own printer and parser are general and large (≈150 KB of wasm); the platform needs
//! three fixed shapes, so it spells them out.

use super::{BEIJING, Date, Offset, Timestamp};
use jiff::civil::{DateTime, Time};

/// `2026-12-01T16:00:00Z`: an instant in UTC, to the second.
pub fn utc(t: Timestamp) -> String {
    let d = Offset::UTC.to_datetime(t);
    format!("{}Z", civil(d))
}

/// `2026-12-02T00:00:00+08:00`: an instant in Beijing time, to the second.
pub fn beijing(t: Timestamp) -> String {
    format!("{}+08:00", civil(BEIJING.to_datetime(t)))
}

/// `2026-12-02 00:00`: an instant as people read it in Beijing time.
pub fn beijing_minutes(t: Timestamp) -> String {
    let d = BEIJING.to_datetime(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute()
    )
}

fn civil(d: DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// A date `YYYY-MM-DD`.
pub fn parse_date(value: &str) -> Option<Date> {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Date::new(
        number(&value[0..4])?,
        number(&value[5..7])?,
        number(&value[8..10])?,
    )
    .ok()
}

/// A W3C datetime with an offset: `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)`.
pub fn parse_datetime(value: &str) -> Option<Timestamp> {
    let (date, rest) = value.split_at_checked(10)?;
    let date = parse_date(date)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let (clock, zone) = rest.split_at(zone_at);
    let mut parts = clock.split(':');
    let hour = number(parts.next()?)?;
    let minute = number(parts.next()?)?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
            if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let nanos = if fraction.is_empty() {
                0
            } else {
                format!("{fraction:0<9}").parse().ok()?
            };
            (number(whole)?, nanos)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    let offset_seconds = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone.get(1..)?.split_once(':')?;
            let (h, m): (i32, i32) = (number(h)?, number(m)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let time = Time::new(hour, minute, second, nanos).ok()?;
    let offset = Offset::from_seconds(offset_seconds).ok()?;
    offset.to_timestamp(date.to_datetime(time)).ok()
}

fn number<T: std::str::FromStr>(digits: &str) -> Option<T> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_three_shapes() {
        let t = Timestamp::from_second(1_764_604_800).expect("instant"); // 2025-12-01T16:00:00Z
        assert_eq!(utc(t), "2025-12-01T16:00:00Z");
        assert_eq!(beijing(t), "2025-12-02T00:00:00+08:00");
        assert_eq!(beijing_minutes(t), "2025-12-02 00:00");
    }

    #[test]
    fn reads_w3c_datetimes_and_dates() {
        let t = Timestamp::from_second(1_764_604_800).expect("instant");
        for s in [
            "2025-12-01T16:00:00Z",
            "2025-12-02T00:00:00+08:00",
            "2025-12-02T00:00+08:00",
            "2025-12-01T11:00:00.000-05:00",
        ] {
            assert_eq!(parse_datetime(s), Some(t), "{s}");
        }
        for bad in [
            "2025-12-01",
            "2025-12-01T25:00:00Z",
            "2025-12-01T16:00:00",
            "x",
            "2025-13-01T00:00Z",
            "2025-12-01T16:00:00+8",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("2028-02-29"), Date::new(2028, 2, 29).ok());
    }

    #[test]
    fn printing_and_reading_agree_with_jiff() {
        for s in [0_i64, 1_700_000_123, 4_102_444_800, -86_400] {
            let t = Timestamp::from_second(s).expect("instant");
            assert_eq!(utc(t), t.to_string());
            assert_eq!(parse_datetime(&beijing(t)), Some(t));
        }
    }
}

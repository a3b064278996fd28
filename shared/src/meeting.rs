//! Open meetings (邀请公民列席市政府常务会议, 000 §1): when a meeting may be announced, and
//! who of its registrants speaks.
//!
//! - **Announcement.** "一般在市政府常务会议前3个工作日通过报刊、网络等媒体预告会议时间、议题及参与
//!   方式等信息" (000 §1.2(1)): publishing is refused unless at least
//!   [`NOTICE_WORKING_DAYS`] working days lie after the announcement's day up to and including
//!   the meeting's day (a Monday announcement for a Thursday meeting; holidays and make-up
//!   working days as the calendar has them).
//! - **Selection.** "由市政府办公室选取不超过5名报名者" (000 §1.2(2)②): at most the meeting's
//!   capacity ([`DEFAULT_CAPACITY`] unless staff set fewer or more), the rest waitlisted in
//!   order. First come, or a lottery that anyone can re-run: the seed's SHA-256 is published
//!   with the meeting ([`commitment`]), the seed itself at the draw, and the order is each
//!   registration code's SHA-256 under the seed ([`draw`]) — no one, staff included, can
//!   choose the seed after seeing the registrations without the published commitment showing
//!   it.
//! - **Speaking time.** "每人发言时间不超过3分钟" (000 §1.2(3)②): [`DEFAULT_SPEAKING_MINUTES`].

use crate::calendar::{Calendar, Date};
use sha2::{Digest, Sha256};

/// Working days an announcement must come ahead of the meeting (000 §1.2(1)).
pub const NOTICE_WORKING_DAYS: u32 = 3;
/// Registrants selected unless staff set another number (000 §1.2(2)②: 不超过5名).
pub const DEFAULT_CAPACITY: u32 = 5;
/// Minutes each selected citizen may speak (000 §1.2(3)②).
pub const DEFAULT_SPEAKING_MINUTES: u32 = 3;

/// Whether a meeting on `meeting` may be announced on `announced`: at least
/// [`NOTICE_WORKING_DAYS`] working days after the announcement's day, up to and including the
/// meeting's day.
pub fn announced_in_time(calendar: &Calendar, announced: Date, meeting: Date) -> bool {
    calendar.working_days_between(announced, meeting) >= NOTICE_WORKING_DAYS
}

/// How registrants are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// In the order they registered.
    FirstCome,
    /// By a lottery over a committed seed.
    Lottery,
}

/// The commitment published with a lottery meeting: the seed's SHA-256, hex.
pub fn commitment(seed: &str) -> String {
    crate::hex::encode(&Sha256::digest(seed.as_bytes()))
}

/// A registration as the selection sees it: its public code and when it came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The registration code (public: printed on the list the draw is re-run from).
    pub code: String,
    /// Arrival order (the store's id).
    pub arrived: i64,
}

/// The registrants in the order they are offered places: by arrival for first come, by
/// `SHA-256(seed ":" code)` for a lottery (the code breaking a tie). The first `capacity` are
/// selected, the rest waitlisted in this order.
pub fn draw(selection: Selection, seed: &str, entries: &[Entry]) -> Vec<Entry> {
    let mut ordered = entries.to_vec();
    match selection {
        Selection::FirstCome => ordered.sort_by_key(|e| e.arrived),
        Selection::Lottery => {
            ordered.sort_by_cached_key(|e| (ticket(seed, &e.code), e.code.clone()))
        }
    }
    ordered
}

/// A registration's lottery ticket: `SHA-256(seed ":" code)`, hex (lower draws first).
pub fn ticket(seed: &str, code: &str) -> String {
    let digest = Sha256::new()
        .chain_update(seed.as_bytes())
        .chain_update(b":")
        .chain_update(code.as_bytes())
        .finalize();
    crate::hex::encode(&digest)
}

/// A meeting or registration code in upper case, as codes are stored: what
/// `code.to_uppercase()` gives wherever that is ASCII, and text with a non-ASCII character
/// (which matches no stored code: they are ASCII letters and digits) wherever it is not.
/// `str::to_uppercase` would link `core`'s case tables (~16 KB of wasm) into the public
/// Worker for this one use; the few characters outside ASCII whose upper case is ASCII are
/// mapped here, and a test checks every character against `core` (docs/deploy-workers.md,
/// "Size").
pub fn code_upper(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for c in code.chars() {
        match c {
            '\u{df}' => out.push_str("SS"),
            '\u{131}' => out.push('I'),
            '\u{17f}' => out.push('S'),
            '\u{fb00}' => out.push_str("FF"),
            '\u{fb01}' => out.push_str("FI"),
            '\u{fb02}' => out.push_str("FL"),
            '\u{fb03}' => out.push_str("FFI"),
            '\u{fb04}' => out.push_str("FFL"),
            '\u{fb05}' | '\u{fb06}' => out.push_str("ST"),
            c => out.push(c.to_ascii_uppercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: i64) -> Vec<Entry> {
        (1..=n)
            .map(|i| Entry {
                code: format!("R{i:04}"),
                arrived: i,
            })
            .collect()
    }

    #[test]
    fn announcements_count_working_days_with_holidays() {
        let cal = Calendar::builtin();
        let d = |m, day| Date::constant(2026, m, day);
        // Thursday 2026-11-26: Monday is in time, Tuesday is not.
        assert!(announced_in_time(&cal, d(11, 23), d(11, 26)));
        assert!(!announced_in_time(&cal, d(11, 24), d(11, 26)));
        // National Day 2026 (10-01..10-07 off, Saturday 10-10 a make-up working day): for a
        // meeting on Monday 10-12, the working days after Thursday 10-08 are 10-09, the make-up
        // Saturday 10-10 and 10-12: in time; after 09-30 the holiday counts for nothing, so the
        // same three days are what 09-30 has too.
        assert!(announced_in_time(&cal, d(10, 8), d(10, 12)));
        assert!(!announced_in_time(&cal, d(10, 9), d(10, 12)));
        assert!(announced_in_time(&cal, d(9, 30), d(10, 12)));
    }

    #[test]
    fn first_come_keeps_arrival_order() {
        let mut shuffled = entries(7);
        shuffled.reverse();
        let order: Vec<i64> = draw(Selection::FirstCome, "", &shuffled)
            .iter()
            .map(|e| e.arrived)
            .collect();
        assert_eq!(order, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn a_lottery_is_reproducible_from_the_published_list_and_seed() {
        let seed = "c0ffee-seed-published-after-the-close";
        let list = entries(40);
        let first = draw(Selection::Lottery, seed, &list);
        // Anyone re-running it from the list in any order gets the same order.
        let mut reordered = list.clone();
        reordered.rotate_left(17);
        assert_eq!(draw(Selection::Lottery, seed, &reordered), first);
        // It is the tickets' order, checkable one by one.
        let tickets: Vec<String> = first.iter().map(|e| ticket(seed, &e.code)).collect();
        assert!(tickets.windows(2).all(|w| w[0] <= w[1]));
        // Another seed, another order: the seed decides, not the arrival.
        assert_ne!(draw(Selection::Lottery, "another seed", &list), first);
        assert_ne!(
            first.iter().map(|e| e.arrived).collect::<Vec<_>>(),
            (1..=40).collect::<Vec<_>>()
        );
        // The commitment is the seed's SHA-256, so the revealed seed can be checked.
        assert_eq!(
            commitment("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn code_upper_is_to_uppercase_wherever_that_is_ascii() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let expected = c.to_uppercase().collect::<String>();
            let got = super::code_upper(c.encode_utf8(&mut [0; 4]));
            if expected.is_ascii() {
                assert_eq!(got, expected, "{c:?}");
            } else {
                assert!(!got.is_ascii(), "{c:?}");
            }
        }
        assert_eq!(super::code_upper(" m26ab\u{3000}"), " M26AB\u{3000}");
    }
}

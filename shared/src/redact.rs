//! What the public surfaces show of a case: phone and ID-card numbers masked in published
//! text, and locations coarsened to about a hundred metres.
//!
//! Everything here is pure and applied on the way out: the stored case keeps the citizen's text
//! and coordinates whole, staff see them whole, and only pages, feeds and Open311 output that
//! the public can read go through these functions.
//!
//! # Numbers in text ([`mask_numbers`])
//!
//! A citizen's message often carries their own or a neighbour's phone number or resident
//! ID-card number (身份证号). Before the text is published, every *number* in it is masked:
//!
//! - **Digits** are ASCII `0`–`9` and full-width `０`–`９` (what a Chinese input method types).
//! - **A number** is a run of digits, followed by further digit groups each joined by exactly
//!   one separator: `-`, a space, the full-width hyphen `－` or the ideographic space `　`.
//!   `138-0013-8000`, `138 0013 8000` and `0571－88886666` are each one number.
//! - **Short groups are not joined.** A group after the first joins the number only if it has
//!   at least 3 digits; the number ends before a group of 1 or 2 digits. Phone numbers are
//!   grouped 3-4-4 or 4-8, dates and times are not, so `2026-11-26` stays three short numbers
//!   (4, 2 and 2 digits) and is shown as written.
//! - **A leading `+`** marks a country code: when the first group directly follows `+`, has at
//!   most 3 digits and a separator follows it (`+86 138 0013 8000`), that group is the country
//!   code, shown as written and not counted; the rest is the number. Without a separator
//!   (`+8613800138000`) the country code cannot be told apart and is counted with the rest.
//! - **A trailing `X`** (also `x`, `Ｘ`, `ｘ`) directly after the last digit of a number of
//!   exactly 17 digits is an ID card's check character and belongs to the number.
//! - A number of **at least 7 digits** is masked; shorter ones (house numbers, years, amounts
//!   in the thousands, most dates) are left alone.
//!
//! Masking keeps the first 3 and the last 2 symbols of a 7–10 digit number and the first 3 and
//! the last 4 of a number of 11 or more digits, where the symbols are the digits plus an ID's
//! trailing `X`. Every other digit becomes `*`, an ID's `X` always becomes `*`, and separators
//! stay as they are, so the text keeps its length in characters and its layout:
//!
//! | written | published |
//! | --- | --- |
//! | `13800138000` | `138****8000` |
//! | `138-0013-8000` | `138-****-8000` |
//! | `+86 138 0013 8000` | `+86 138 **** 8000` |
//! | `0571-88886666` | `057*-****6666` |
//! | `88886666` | `888***66` |
//! | `11010519491231002X` | `110***********002*` |
//! | `2026-11-26 14:30` | unchanged |
//!
//! **Over-masking is accepted**: the rules look at digits, not meaning, so any other run of 7
//! or more digits is masked too: amounts (`12000000元` → `120***00元`), compact dates
//! (`20261126`), order and invoice numbers, the decimals of a coordinate written in the text
//! (`30.2741502` → `30.274**02`), and neighbouring numbers a single space apart
//! (`房号 1201 1202`). A name or a reason written in words is not recognised at all; that is
//! the reviewers' job before publication.
//!
//! # Locations ([`coarse_coordinate`])
//!
//! A case's map pin is published rounded to 3 decimal places of a degree: 0.001° of latitude is
//! about [`COARSE_METRES`] metres, and 0.001° of longitude is that or less (about 96 m at
//! Hangzhou's 30° N), so the public sees the block, not the door.

use std::borrow::Cow;

/// How far, in metres, a coarsened coordinate may be from where it was at most along a
/// meridian: 0.001° of latitude is about 111 m (of longitude, 111 m × cos latitude). Rounding
/// to the nearest 0.001° moves a point by at most half of that in each direction.
pub const COARSE_METRES: u32 = 111;

/// Fewest digits a number needs before it is masked.
const MIN_DIGITS: usize = 7;
/// Fewest digits a group after the first needs to join the number.
const MIN_JOINED_GROUP: usize = 3;
/// Longest first group after a `+` that counts as a country code.
const MAX_COUNTRY_CODE: usize = 3;
/// Digits of an 18-character ID number before its check character.
const ID_DIGITS_BEFORE_X: usize = 17;
/// Symbols shown at the start of every masked number.
const KEEP_HEAD: usize = 3;
/// From this many digits on, the last [`KEEP_TAIL_LONG`] symbols are shown, else the last
/// [`KEEP_TAIL_SHORT`].
const LONG_DIGITS: usize = 11;
const KEEP_TAIL_SHORT: usize = 2;
const KEEP_TAIL_LONG: usize = 4;
/// What a hidden digit or check character becomes.
const MASK: char = '*';

/// Masks phone and ID-card numbers in text that will be published (see the [module
/// docs](self) for the rules).
///
/// Returns the text borrowed when nothing is masked. The result always has as many `char`s as
/// `text`; only digits and an ID number's trailing `X` are ever replaced, each by `*`.
///
/// ```
/// use minyi::redact::mask_numbers;
/// assert_eq!(mask_numbers("请回电 13800138000，谢谢"), "请回电 138****8000，谢谢");
/// assert_eq!(mask_numbers("2026-11-26 在 3 号楼"), "2026-11-26 在 3 号楼");
/// ```
pub fn mask_numbers(text: &str) -> Cow<'_, str> {
    // Most text has too few digits to hold a number at all: answer without allocating.
    if text.chars().filter(|&c| is_digit(c)).count() < MIN_DIGITS {
        return Cow::Borrowed(text);
    }
    let mut chars: Vec<char> = text.chars().collect();
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            i += 1;
            continue;
        }
        let number = find_number(&chars, i);
        changed |= mask_number(&mut chars, &number);
        i = number.end + usize::from(number.check_x);
    }
    if changed {
        Cow::Owned(chars.into_iter().collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// One number found in the text, as `char` indices.
struct Number {
    /// The first digit counted (after a country code, if any).
    start: usize,
    /// One past the last digit.
    end: usize,
    /// How many digits lie in `start..end`.
    digits: usize,
    /// Whether the character at `end` is an ID number's check character.
    check_x: bool,
}

/// The number whose first digit is at `start` (the character before it is not a digit).
fn find_number(chars: &[char], start: usize) -> Number {
    let first_end = run_end(chars, start);
    let mut end = first_end;
    // Join `separator group` pairs while the group is long enough.
    while let (Some(&sep), Some(&next)) = (chars.get(end), chars.get(end + 1)) {
        if !is_separator(sep) || !is_digit(next) {
            break;
        }
        let group_end = run_end(chars, end + 1);
        if group_end - (end + 1) < MIN_JOINED_GROUP {
            break;
        }
        end = group_end;
    }
    let after_plus = start > 0 && chars[start - 1] == '+';
    let counted_from = if after_plus && first_end < end && first_end - start <= MAX_COUNTRY_CODE {
        first_end + 1 // past the country code and its separator
    } else {
        start
    };
    let digits = chars[counted_from..end]
        .iter()
        .filter(|&&c| is_digit(c))
        .count();
    let check_x = digits == ID_DIGITS_BEFORE_X && chars.get(end).copied().is_some_and(is_check_x);
    Number {
        start: counted_from,
        end,
        digits,
        check_x,
    }
}

/// Masks `number` in place if it is long enough; says whether anything changed.
fn mask_number(chars: &mut [char], number: &Number) -> bool {
    if number.digits < MIN_DIGITS {
        return false;
    }
    let symbols = number.digits + usize::from(number.check_x);
    let tail = if number.digits >= LONG_DIGITS {
        KEEP_TAIL_LONG
    } else {
        KEEP_TAIL_SHORT
    };
    let hidden = KEEP_HEAD..symbols.saturating_sub(tail);
    let mut symbol = 0;
    for c in &mut chars[number.start..number.end] {
        if is_digit(*c) {
            if hidden.contains(&symbol) {
                *c = MASK;
            }
            symbol += 1;
        }
    }
    if number.check_x {
        chars[number.end] = MASK;
    }
    true
}

/// One past the last digit of the run of digits starting at `start`.
fn run_end(chars: &[char], start: usize) -> usize {
    chars[start..]
        .iter()
        .position(|&c| !is_digit(c))
        .map_or(chars.len(), |n| start + n)
}

/// ASCII or full-width decimal digit.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// What may stand, once, between two digit groups of one number.
fn is_separator(c: char) -> bool {
    matches!(c, '-' | ' ' | '－' | '\u{3000}')
}

/// An ID number's check character.
fn is_check_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// A latitude or longitude (in degrees) coarsened for public surfaces: rounded to the nearest
/// 0.001°, about [`COARSE_METRES`] metres or less, so it prints with at most 3 decimals.
///
/// A coordinate within ±90 or ±180 stays within that range; `-0.0` becomes `0.0`. A value that
/// is not finite (or too large to scale) is returned unchanged.
///
/// ```
/// use minyi::redact::coarse_coordinate;
/// assert_eq!(coarse_coordinate(30.274_150_2), 30.274);
/// assert_eq!(coarse_coordinate(120.155_07).to_string(), "120.155");
/// ```
pub fn coarse_coordinate(value: f64) -> f64 {
    let scaled = value * 1000.0;
    if !scaled.is_finite() {
        return value;
    }
    let coarse = scaled.round() / 1000.0;
    if coarse == 0.0 {
        0.0 // also for -0.0, which would print as "-0"
    } else {
        coarse
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn masked(text: &str) -> String {
        mask_numbers(text).into_owned()
    }

    fn assert_unchanged(text: &str) {
        let out = mask_numbers(text);
        assert!(
            matches!(out, Cow::Borrowed(t) if t == text),
            "{text} → {out}"
        );
    }

    #[test]
    fn mobiles_keep_the_first_three_and_last_four_digits() {
        assert_eq!(masked("13800138000"), "138****8000");
        assert_eq!(masked("138-0013-8000"), "138-****-8000");
        assert_eq!(masked("138 0013 8000"), "138 **** 8000");
        assert_eq!(masked("电话13800138000。"), "电话138****8000。");
    }

    #[test]
    fn a_country_code_after_plus_is_shown_and_not_counted() {
        assert_eq!(masked("+86 138 0013 8000"), "+86 138 **** 8000");
        assert_eq!(masked("+86-13800138000"), "+86-138****8000");
        // Without a separator the country code is part of the number.
        assert_eq!(masked("+8613800138000"), "+861******8000");
        // Without `+`, a short first group is just a group.
        assert_eq!(masked("86 138 0013 8000"), "86 1** **** 8000");
    }

    #[test]
    fn landlines_with_and_without_area_code() {
        assert_eq!(masked("0571-88886666"), "057*-****6666");
        assert_eq!(masked("88886666"), "888***66");
        assert_eq!(masked("8888666"), "888**66");
        assert_eq!(masked("0571 8888 6666"), "057* **** 6666");
    }

    #[test]
    fn id_numbers_mask_the_check_character() {
        assert_eq!(masked("11010519491231002X"), "110***********002*");
        assert_eq!(masked("11010519491231002x号"), "110***********002*号");
        assert_eq!(masked("110105194912310021"), "110***********0021");
        assert_eq!(masked("110105491231002"), "110********1002");
        assert_eq!(masked("110105 19491231 002X"), "110*** ******** 002*");
    }

    #[test]
    fn an_x_after_other_numbers_is_just_a_letter() {
        assert_eq!(masked("1234567X"), "123**67X");
        assert_eq!(masked("13800138000x"), "138****8000x");
        assert_eq!(masked("12X"), "12X");
    }

    #[test]
    fn full_width_digits_and_separators_count() {
        assert_eq!(masked("１３８００１３８０００"), "１３８****８０００");
        assert_eq!(
            masked("０５７１－８８８８６６６６"),
            "０５７*－****６６６６"
        );
        assert_eq!(masked("138　0013　8000"), "138　****　8000");
        assert_eq!(
            masked("１１０１０５１９４９１２３１００２Ｘ"),
            "１１０***********００２*"
        );
    }

    #[test]
    fn numbers_of_fewer_than_seven_digits_are_untouched() {
        for text in [
            "123456",
            "12-34-56",
            "3号楼2单元501室",
            "K7Q-H3X-PD9",
            "￥3500",
            "",
        ] {
            assert_unchanged(text);
        }
    }

    #[test]
    fn dates_and_times_stay_readable() {
        for text in [
            "2026-11-26",
            "2026-11-26 14:30",
            "2026 11 26",
            "２０２６－１１－２６",
            "于2026-1-5日反映",
            "11-26 9:00 至 17:30",
        ] {
            assert_unchanged(text);
        }
    }

    #[test]
    fn a_short_group_ends_the_number_but_does_not_save_it() {
        assert_eq!(masked("0571-8888-66"), "057*-**88-66");
        assert_eq!(masked("138 0013 80 00"), "138 **13 80 00");
    }

    #[test]
    fn a_date_next_to_a_phone_number_stays_readable() {
        assert_eq!(masked("2026-11-26 13800138000"), "2026-11-26 1******8000");
        assert_eq!(masked("2026-11-26，13800138000"), "2026-11-26，138****8000");
    }

    #[test]
    fn separators_join_only_once_and_only_between_digits() {
        assert_eq!(masked("138--00138000"), "138--001***00");
        assert_eq!(masked("-13800138000-"), "-138****8000-");
        assert_eq!(masked("1380013 "), "138**13 ");
    }

    #[test]
    fn several_numbers_in_one_text() {
        assert_eq!(
            masked("手机13800138000或0571-88886666，身份证11010519491231002X。"),
            "手机138****8000或057*-****6666，身份证110***********002*。"
        );
    }

    #[test]
    fn over_masking_of_amounts_and_long_codes_is_accepted() {
        assert_eq!(masked("12000000元"), "120***00元");
        assert_eq!(masked("20261126"), "202***26");
        assert_eq!(masked("30.2741502"), "30.274**02");
        assert_eq!(masked("房号 1201 1202"), "房号 120* **02");
    }

    #[test]
    fn coordinates_round_to_three_decimals() {
        assert_eq!(coarse_coordinate(32.19456), 32.195);
        assert_eq!(coarse_coordinate(32.19456).to_string(), "32.195");
        assert_eq!(coarse_coordinate(120.155_07), 120.155);
        assert_eq!(coarse_coordinate(-33.868_82), -33.869);
        assert_eq!(coarse_coordinate(30.0), 30.0);
    }

    #[test]
    fn negative_zero_becomes_zero() {
        for value in [-0.0004, -0.0, 0.0004, -0.000_499_9] {
            let coarse = coarse_coordinate(value);
            assert_eq!(coarse, 0.0);
            assert!(coarse.is_sign_positive(), "{value}");
            assert_eq!(coarse.to_string(), "0");
        }
    }

    #[test]
    fn limits_stay_limits_and_odd_values_pass_through() {
        assert_eq!(coarse_coordinate(90.0), 90.0);
        assert_eq!(coarse_coordinate(-180.0), -180.0);
        assert_eq!(coarse_coordinate(89.9999), 90.0);
        assert_eq!(coarse_coordinate(179.9996), 180.0);
        assert!(coarse_coordinate(f64::NAN).is_nan());
        assert_eq!(coarse_coordinate(f64::INFINITY), f64::INFINITY);
        assert_eq!(coarse_coordinate(f64::MAX), f64::MAX);
    }

    /// Characters that make number-like text likely.
    const NUMBERISH: &str = "[0-9０-９ \\-－　+xXＸ.年:]{0,40}";

    /// The output is the input with some digits and check characters replaced by `*`.
    fn assert_only_masks(input: &str, output: &str) {
        assert_eq!(input.chars().count(), output.chars().count());
        for (a, b) in input.chars().zip(output.chars()) {
            if a != b {
                assert_eq!(b, MASK, "{input:?} → {output:?}");
                assert!(is_digit(a) || is_check_x(a), "{input:?} → {output:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn any_text_only_has_digits_and_x_masked(text in "\\PC*") {
            let out = mask_numbers(&text);
            assert_only_masks(&text, &out);
            prop_assert_eq!(matches!(out, Cow::Borrowed(_)), out == text);
        }

        #[test]
        fn numberish_text_only_has_digits_and_x_masked(text in NUMBERISH) {
            let out = mask_numbers(&text);
            assert_only_masks(&text, &out);
            prop_assert_eq!(matches!(out, Cow::Borrowed(_)), out == text);
        }

        #[test]
        fn masking_twice_changes_nothing_more(text in NUMBERISH) {
            let once = mask_numbers(&text).into_owned();
            prop_assert!(matches!(mask_numbers(&once), Cow::Borrowed(_)), "{:?} → {:?}", text, once);
        }

        #[test]
        fn every_eleven_digit_mobile_is_masked(
            digits in "1[3-9][0-9]{9}",
            sep in prop::sample::select(vec!["", "-", " ", "－"]),
            before in "[a-z年，]?",
            after in "[a-z号。]?",
        ) {
            let text = format!("{before}{}{sep}{}{sep}{}{after}", &digits[..3], &digits[3..7], &digits[7..]);
            let expected = format!("{before}{}{sep}****{sep}{}{after}", &digits[..3], &digits[7..]);
            prop_assert_eq!(mask_numbers(&text), expected);
        }

        #[test]
        fn coordinates_print_with_at_most_three_decimals(value in -180.0f64..=180.0) {
            let coarse = coarse_coordinate(value);
            let printed = coarse.to_string();
            let decimals = printed.split_once('.').map_or(0, |(_, d)| d.len());
            prop_assert!(decimals <= 3, "{} → {}", value, printed);
            prop_assert!(!printed.starts_with("-0") || printed.len() > 2);
            prop_assert!((coarse - value).abs() <= 0.000_500_1);
            prop_assert!((-180.0..=180.0).contains(&coarse));
        }

        #[test]
        fn latitudes_stay_latitudes(value in -90.0f64..=90.0) {
            prop_assert!((-90.0..=90.0).contains(&coarse_coordinate(value)));
        }
    }
}

//! Decimal text to the nearest `f64`, read exactly as `str::parse::<f64>` reads it, for the
//! coordinates of a form or an Open311 request.
//!
//! `core`'s parser carries a 20 KB table of powers of five (and ~6 KB of code) for its fast
//! paths; a coordinate is read once a submission, so this one does the exact arithmetic on
//! small big integers instead (docs/deploy-workers.md, "Size"). It accepts the same text
//! (an optional sign, digits with an optional point, an optional exponent; at least one digit
//! before the exponent) and rounds the same way (to nearest, ties to even, subnormals
//! included); it answers `None` for what `core` refuses and for what it reads as infinite or
//! NaN (`inf`, `nan`, `1e999`), which no coordinate can be. The tests compare both on many
//! texts.

/// Significant digits kept: every value halfway between two `f64`s, and every `f64`, has at
/// most 767, so the digits past 800 only matter as "some are not zero" (a final `1`).
const MAX_DIGITS: usize = 800;

/// The finite `f64` nearest to `text`, as `text.parse::<f64>()` gives it; `None` when that
/// refuses `text` or gives infinity or NaN.
pub fn parse_f64(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    // Significant digits (leading zeros skipped), and the power of ten of the last one.
    let mut digits: Vec<u8> = Vec::new();
    let mut seen_digit = false;
    let mut truncated = false;
    let mut exponent: i64 = 0;
    let mut i = 0;
    let mut in_fraction = false;
    while i < rest.len() {
        match rest[i] {
            b'.' if !in_fraction => in_fraction = true,
            c @ b'0'..=b'9' => {
                seen_digit = true;
                if digits.len() < MAX_DIGITS {
                    if c != b'0' || !digits.is_empty() {
                        digits.push(c - b'0');
                        if in_fraction {
                            exponent -= 1;
                        }
                    } else if in_fraction {
                        exponent -= 1;
                    }
                } else {
                    truncated |= c != b'0';
                    if !in_fraction {
                        exponent += 1;
                    }
                }
            }
            _ => break,
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    if i < rest.len() {
        if !matches!(rest[i], b'e' | b'E') {
            return None;
        }
        i += 1;
        let minus = rest.get(i) == Some(&b'-');
        if matches!(rest.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if !rest.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let mut e: i64 = 0;
        while let Some(&c) = rest.get(i) {
            if !c.is_ascii_digit() {
                return None;
            }
            if e < 0x10000 {
                e = 10 * e + i64::from(c - b'0');
            }
            i += 1;
        }
        exponent += if minus { -e } else { e };
    }
    let sign = |v: f64| if negative { -v } else { v };
    if truncated {
        digits.push(1);
        exponent -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    if digits.is_empty() {
        return Some(sign(0.0));
    }
    // The value is below 10^magnitude and at least 10^(magnitude - 1).
    let magnitude = digits.len() as i64 + exponent;
    if magnitude > 310 {
        return None;
    }
    if magnitude < -330 {
        return Some(sign(0.0));
    }
    let mut numerator = Big::from_digits(&digits);
    let mut denominator = Big::one();
    if exponent >= 0 {
        numerator.mul_pow10(exponent as u32);
    } else {
        denominator.mul_pow10((-exponent) as u32);
    }
    nearest(&numerator, &denominator).map(sign)
}

/// The `f64` nearest to `p / q` (both positive), ties to even; `None` past `f64::MAX`.
fn nearest(p: &Big, q: &Big) -> Option<f64> {
    // value = (quotient + remainder / q) * 2^-shift, the quotient of 53 bits (fewer when the
    // value is subnormal: the last bit is then worth 2^-1074).
    let mut shift = (53 + q.bits() as i64 - p.bits() as i64).min(1074);
    let (mut quotient, remainder, q_scaled) = loop {
        let (mut p2, mut q2) = (p.clone(), q.clone());
        if shift >= 0 {
            p2.shl(shift as u32);
        } else {
            q2.shl((-shift) as u32);
        }
        let quotient = p2.div_small_quotient(&q2);
        if quotient >= 1 << 53 {
            shift -= 1;
            continue;
        }
        break (quotient, p2, q2);
    };
    let mut twice = remainder;
    twice.shl(1);
    match twice.cmp(&q_scaled) {
        std::cmp::Ordering::Greater => quotient += 1,
        std::cmp::Ordering::Equal if quotient & 1 == 1 => quotient += 1,
        _ => {}
    }
    if quotient == 1 << 53 {
        quotient = 1 << 52;
        shift -= 1;
    }
    if quotient == 0 {
        return Some(0.0);
    }
    if quotient < 1 << 52 {
        // Subnormal (shift is 1074 here).
        return Some(f64::from_bits(quotient));
    }
    let biased = 52 - shift + 1023;
    if biased > 2046 {
        return None;
    }
    Some(f64::from_bits(
        ((biased as u64) << 52) | (quotient - (1 << 52)),
    ))
}

/// A non-negative integer, little-endian 32-bit limbs, no high zero limbs.
#[derive(Clone, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn one() -> Big {
        Big(vec![1])
    }

    fn from_digits(digits: &[u8]) -> Big {
        let mut n = Big(Vec::new());
        for chunk in digits.chunks(9) {
            let mut scale = 1;
            let mut add = 0;
            for &d in chunk {
                scale *= 10;
                add = add * 10 + u32::from(d);
            }
            n.mul_add(scale, add);
        }
        n
    }

    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut e: u32) {
        while e > 0 {
            let step = e.min(9);
            self.mul_add(10u32.pow(step), 0);
            e -= step;
        }
    }

    fn bits(&self) -> u32 {
        self.0
            .last()
            .map_or(0, |top| 32 * self.0.len() as u32 - top.leading_zeros())
    }

    fn shl(&mut self, n: u32) {
        if self.0.is_empty() {
            return;
        }
        let bits = n % 32;
        let mut out = vec![0; (n / 32) as usize];
        let mut carry = 0;
        for &limb in &self.0 {
            out.push((limb << bits) | carry);
            carry = if bits == 0 { 0 } else { limb >> (32 - bits) };
        }
        if carry != 0 {
            out.push(carry);
        }
        self.0 = out;
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// `self -= other`, `other` not larger.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let (v, b1) = limb.overflowing_sub(other.0.get(i).copied().unwrap_or(0));
            let (v, b2) = v.overflowing_sub(borrow);
            *limb = v;
            borrow = u32::from(b1 || b2);
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// Replaces `self` by `self mod q` and answers `self / q`, which must be below 2^54.
    fn div_small_quotient(&mut self, q: &Big) -> u64 {
        let mut quotient = 0;
        for bit in (0..54).rev() {
            let mut t = q.clone();
            t.shl(bit);
            if self.cmp(&t) != std::cmp::Ordering::Less {
                self.sub(&t);
                quotient |= 1 << bit;
            }
        }
        quotient
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;
    use proptest::prelude::*;

    /// What `core` gives, as this parser answers it.
    fn core(text: &str) -> Option<u64> {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(f64::to_bits)
    }

    fn same(text: &str) {
        assert_eq!(parse_f64(text).map(f64::to_bits), core(text), "{text:?}");
    }

    #[test]
    fn agrees_with_core_on_chosen_texts() {
        for text in [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "00",
            ".5",
            "5.",
            "+.5",
            "-.5",
            "1.e5",
            ".e5",
            ".",
            "",
            "-",
            "+",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1e+5",
            "1E-5",
            "1e5.",
            "1..2",
            "1.2.3",
            "1_0",
            "0x10",
            " 1",
            "1 ",
            "inf",
            "-inf",
            "infinity",
            "NaN",
            "nan",
            "1e400",
            "-1e400",
            "1e-400",
            "-1e-400",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
            "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125000000000000000000000000000000000000001e-324",
            "9007199254740993",
            "9007199254740992.5",
            "9007199254740993.0000000000000000001",
            "39.9042",
            "116.407396",
            "-33.8688",
            "151.2093",
            "90",
            "180",
            "180.0000000000001",
            "39.904200000000003",
            "1e0000000000000000000000000000001",
            "0e99999999999999999",
            "0.000000000000000000000000000000000000000000000000000000000000000000000000001e70",
        ] {
            same(text);
        }
        // Long inputs: many zeros, many digits.
        same(&format!("0.{}1", "0".repeat(2000)));
        same(&format!("1{}e-2000", "0".repeat(2000)));
        same(&format!("39.{}", "9".repeat(5000)));
        same(&format!("1.{}1", "0".repeat(900)));
    }

    proptest! {
        #[test]
        fn agrees_with_core_on_printed_floats(bits in any::<u64>(), digits in 0usize..20) {
            let v = f64::from_bits(bits);
            same(&v.to_string());
            same(&format!("{v:e}"));
            same(&format!("{v:.digits$e}"));
            same(&format!("{v:.digits$}"));
        }

        #[test]
        fn agrees_with_core_on_coordinates(v in -181.0f64..181.0, digits in 0usize..25) {
            same(&format!("{v:.digits$}"));
            same(&v.to_string());
        }

        #[test]
        fn agrees_with_core_on_any_short_text(text in "[-+0-9.eE]{0,12}") {
            same(&text);
        }

        #[test]
        fn agrees_with_core_on_long_digit_strings(
            int in "[0-9]{0,30}", frac in "[0-9]{0,40}", exp in -360i32..360,
        ) {
            same(&format!("{int}.{frac}e{exp}"));
            same(&format!("{int}{frac}"));
        }
    }
}

//! Tracking numbers and query codes.
//!
//! A **tracking number** (受理编号) is what a citizen reads over the phone: nine characters of
//! Crockford's base-32 alphabet (digits and capitals without I, L, O, U), shown in three groups
//! (`K7Q-H3X-PD9`). Eight characters are random (40 bits, so numbers cannot be guessed or
//! enumerated); the ninth is a Luhn mod-32 check character that catches every single wrong
//! character and every swap of two neighbours. Parsing forgives what people do when they type:
//! lower case, spaces and dashes, `O` for zero, `I`/`L` for one.
//!
//! A **query code** (查询码) guards a private case: eight random characters of the same alphabet,
//! shown to the citizen once and stored only as an HMAC-SHA256 under the deployment's secret, so
//! a copy of the database alone does not reveal or confirm any code.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_CHARS: usize = 8;

/// Random bytes for one identifier (40 bits); the caller supplies them from the host's RNG.
pub type Entropy = [u8; 5];

/// Why a typed identifier was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdError {
    /// Not the right number of characters.
    Length,
    /// A character outside the alphabet.
    Character,
    /// The check character does not match: a character was mistyped.
    Check,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Length => "编号位数不对 / wrong number of characters",
            Self::Character => "编号含有无效字符 / invalid character",
            Self::Check => "编号校验失败，请核对 / check character does not match",
        })
    }
}

impl std::error::Error for IdError {}

/// A case's public tracking number, valid by construction.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// A new tracking number from 40 random bits.
    pub fn generate(entropy: Entropy) -> Self {
        let mut digits = to_digits(entropy).to_vec();
        digits.push(check_digit(&digits));
        Self(
            digits
                .iter()
                .map(|&d| char::from(ALPHABET[usize::from(d)]))
                .collect(),
        )
    }

    /// The tracking number of a case id ([`Self::number`] undone); only the low 40 bits count.
    pub fn of_number(number: i64) -> Self {
        let bytes = number.to_be_bytes();
        Self::generate([bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]])
    }

    /// Parses what a citizen typed or said.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let digits = parse_digits(input, RANDOM_CHARS + 1)?;
        let (body, check) = digits.split_at(RANDOM_CHARS);
        if check_digit(body) != check[0] {
            return Err(IdError::Check);
        }
        Ok(Self(
            digits
                .iter()
                .map(|&d| char::from(ALPHABET[usize::from(d)]))
                .collect(),
        ))
    }

    /// The nine characters without separators, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 40 random bits as a number: the case's id in the store, so registering needs no
    /// round trip to learn an auto-assigned id. Unique exactly when tracking numbers are.
    pub fn number(&self) -> i64 {
        self.0
            .chars()
            .take(RANDOM_CHARS)
            .filter_map(digit_value)
            .fold(0i64, |acc, d| (acc << 5) | i64::from(d))
    }
}

impl fmt::Display for TrackingNumber {
    /// Grouped for reading aloud: `K7Q-H3X-PD9`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}-{}-{}", &s[0..3], &s[3..6], &s[6..9])
    }
}

impl fmt::Debug for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingNumber({self})")
    }
}

/// A private case's query code, as shown to the citizen once.
#[derive(Clone, PartialEq, Eq)]
pub struct QueryCode(String);

impl QueryCode {
    /// A new query code from 40 random bits.
    pub fn generate(entropy: Entropy) -> Self {
        Self(
            to_digits(entropy)
                .iter()
                .map(|&d| char::from(ALPHABET[usize::from(d)]))
                .collect(),
        )
    }

    /// The query code of a submission with an idempotency key: HMAC-SHA256 under the
    /// deployment's secret, so a retry of the same submission gets the same code back while
    /// nobody without the secret can compute it.
    pub fn derive(secret: &[u8], idempotency_key: &str) -> Self {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(b"query-code:");
        mac.update(idempotency_key.as_bytes());
        let bytes = mac.finalize().into_bytes();
        Self::generate([bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]])
    }

    /// Parses what a citizen typed.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let digits = parse_digits(input, RANDOM_CHARS)?;
        Ok(Self(
            digits
                .iter()
                .map(|&d| char::from(ALPHABET[usize::from(d)]))
                .collect(),
        ))
    }

    /// The code as shown, grouped `ABCD-EFGH`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[0..4], &self.0[4..8])
    }

    /// The stored form: HMAC-SHA256 over the tracking number and the code, keyed with the
    /// deployment's secret, as lowercase hex.
    pub fn hash(&self, secret: &[u8], tracking: &TrackingNumber) -> String {
        let mac = keyed(secret, tracking, self).finalize().into_bytes();
        crate::hex::encode(&mac)
    }

    /// Whether this code matches a stored hash, compared in constant time.
    pub fn verify(&self, secret: &[u8], tracking: &TrackingNumber, stored_hex: &str) -> bool {
        let Some(stored) = crate::hex::decode(stored_hex) else {
            return false;
        };
        keyed(secret, tracking, self).verify_slice(&stored).is_ok()
    }
}

impl fmt::Debug for QueryCode {
    /// Never prints the code itself: it is a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueryCode(****)")
    }
}

fn keyed(secret: &[u8], tracking: &TrackingNumber, code: &QueryCode) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(tracking.as_str().as_bytes());
    mac.update(b":");
    mac.update(code.0.as_bytes());
    mac
}

/// 40 bits as eight base-32 digits.
fn to_digits(entropy: Entropy) -> [u8; RANDOM_CHARS] {
    let bits = entropy
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let mut digits = [0u8; RANDOM_CHARS];
    for (i, d) in digits.iter_mut().enumerate() {
        let shift = 5 * (RANDOM_CHARS - 1 - i);
        *d = u8::try_from((bits >> shift) & 31).unwrap_or(0);
    }
    digits
}

/// The value of one typed character, forgiving the usual confusions.
fn digit_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

fn parse_digits(input: &str, expected: usize) -> Result<Vec<u8>, IdError> {
    let mut digits = Vec::with_capacity(expected);
    for c in input.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        if digits.len() == expected {
            return Err(IdError::Length);
        }
        digits.push(digit_value(c).ok_or(IdError::Character)?);
    }
    if digits.len() == expected {
        Ok(digits)
    } else {
        Err(IdError::Length)
    }
}

/// Luhn mod N (N = 32): the character that makes the weighted sum divisible by 32.
fn check_digit(digits: &[u8]) -> u8 {
    const N: u32 = 32;
    let mut factor = 2;
    let mut sum = 0;
    for &d in digits.iter().rev() {
        let addend = factor * u32::from(d);
        sum += addend / N + addend % N;
        factor = if factor == 2 { 1 } else { 2 };
    }
    u8::try_from((N - sum % N) % N).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tracking_number_is_grouped_for_reading_aloud() {
        let t = TrackingNumber::generate([0x12, 0x34, 0x56, 0x78, 0x9a]);
        let shown = t.to_string();
        assert_eq!(shown.len(), 11);
        assert_eq!(shown.matches('-').count(), 2);
        assert_eq!(TrackingNumber::parse(&shown), Ok(t));
    }

    #[test]
    fn parsing_forgives_case_spaces_and_look_alike_letters() {
        let t = TrackingNumber::generate([0, 0, 0, 0, 1]);
        assert_eq!(t.as_str(), "00000001Y");
        assert_eq!(TrackingNumber::parse("ooo ooo o1y"), Ok(t.clone()));
        assert_eq!(TrackingNumber::parse(" OOO-000-0IY "), Ok(t.clone()));
        assert_eq!(TrackingNumber::parse("OOO-000-0LY"), Ok(t));
    }

    #[test]
    fn the_number_is_the_random_bits() {
        let t = TrackingNumber::generate([0, 0, 0, 1, 0]);
        assert_eq!(t.number(), 256);
        let max = TrackingNumber::generate([0xff; 5]);
        assert_eq!(max.number(), (1 << 40) - 1);
    }

    #[test]
    fn parsing_refuses_wrong_length_and_characters() {
        assert_eq!(TrackingNumber::parse(""), Err(IdError::Length));
        assert_eq!(TrackingNumber::parse("12345678"), Err(IdError::Length));
        assert_eq!(TrackingNumber::parse("1234567890"), Err(IdError::Length));
        assert_eq!(TrackingNumber::parse("1234U6789"), Err(IdError::Character));
        assert_eq!(
            TrackingNumber::parse("一二三四五六七八九"),
            Err(IdError::Character)
        );
    }

    #[test]
    fn query_code_hash_verifies_only_the_right_code_case_and_secret() {
        let t = TrackingNumber::generate([1, 2, 3, 4, 5]);
        let other = TrackingNumber::generate([1, 2, 3, 4, 6]);
        let code = QueryCode::generate([9, 8, 7, 6, 5]);
        let stored = code.hash(b"secret", &t);
        assert_eq!(stored.len(), 64);
        assert!(code.verify(b"secret", &t, &stored));
        assert!(!code.verify(b"other secret", &t, &stored));
        assert!(!code.verify(b"secret", &other, &stored));
        assert!(!QueryCode::generate([9, 8, 7, 6, 4]).verify(b"secret", &t, &stored));
        assert!(!code.verify(b"secret", &t, "zz"));
        assert_eq!(QueryCode::parse(&code.display()), Ok(code.clone()));
        assert_eq!(format!("{code:?}"), "QueryCode(****)");
    }

    proptest! {
        #[test]
        fn every_single_wrong_character_is_caught(entropy: [u8; 5], pos in 0usize..9, delta in 1u8..32) {
            let t = TrackingNumber::generate(entropy);
            let mut chars: Vec<u8> = t.as_str().bytes().collect();
            let value = ALPHABET.iter().position(|&a| a == chars[pos]).unwrap() as u8;
            chars[pos] = ALPHABET[usize::from((value + delta) % 32)];
            let typo = String::from_utf8(chars).unwrap();
            prop_assert_eq!(TrackingNumber::parse(&typo), Err(IdError::Check));
        }

        #[test]
        fn every_swap_of_different_neighbours_is_caught(entropy: [u8; 5], pos in 0usize..8) {
            let t = TrackingNumber::generate(entropy);
            let mut chars: Vec<u8> = t.as_str().bytes().collect();
            prop_assume!(chars[pos] != chars[pos + 1]);
            chars.swap(pos, pos + 1);
            let typo = String::from_utf8(chars).unwrap();
            // Luhn mod N misses exactly one swap pair; in base 32 that is 0 <-> Z (values 0 and 31).
            let pair = [t.as_str().as_bytes()[pos], t.as_str().as_bytes()[pos + 1]];
            prop_assume!(pair != *b"0Z" && pair != *b"Z0");
            prop_assert_eq!(TrackingNumber::parse(&typo), Err(IdError::Check));
        }

        #[test]
        fn generated_numbers_round_trip(entropy: [u8; 5]) {
            let t = TrackingNumber::generate(entropy);
            prop_assert_eq!(TrackingNumber::parse(&t.to_string()), Ok(t.clone()));
            prop_assert_eq!(TrackingNumber::parse(&t.as_str().to_lowercase()), Ok(t.clone()));
            prop_assert_eq!(TrackingNumber::of_number(t.number()), t);
        }
    }
}

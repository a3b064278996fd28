//! The second factor: time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps,
//! six digits), as every authenticator app computes them.

use hmac::{KeyInit, Mac};

/// Seconds per step.
const STEP: i64 = 30;

/// The six-digit code of `secret` at Unix second `now`: what the authenticator app shows
/// (tests and demo tooling compute it too).
pub fn code(secret: &[u8], now: i64) -> u32 {
    hotp(secret, now.div_euclid(STEP))
}

/// Whether `given` is the code of the current step or one step either side (clock drift),
/// compared in constant time.
pub fn verify(secret: &[u8], given: &str, now: i64) -> bool {
    let given = given.trim();
    if given.len() != 6 || !given.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut matched = 0u8;
    for drift in [-1, 0, 1] {
        let expected = format!("{:06}", hotp(secret, now.div_euclid(STEP) + drift));
        let diff = expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        matched |= u8::from(diff == 0);
    }
    matched == 1
}

/// The `otpauth://` URI an authenticator app enrols from (base32 secret, RFC 4648).
pub fn enrolment_uri(secret: &[u8], login: &str) -> String {
    format!(
        "otpauth://totp/Minyi:{login}?secret={}&issuer=Minyi",
        base32(secret)
    )
}

/// RFC 4226 HOTP, six digits.
fn hotp(secret: &[u8], counter: i64) -> u32 {
    // HMAC takes keys of any length.
    let Ok(mut mac) = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret) else {
        return u32::MAX;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    value % 1_000_000
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        for i in 0..(chunk.len() * 8).div_ceil(5) {
            out.push(char::from(ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (the eight-digit values, of which a six-digit code is
    /// the last six).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
        ] {
            assert_eq!(code(secret, t), eight % 1_000_000, "T = {t}");
        }
    }

    #[test]
    fn a_step_of_drift_is_forgiven_and_no_more() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let current = format!("{:06}", code(secret, now));
        assert!(verify(secret, &current, now));
        assert!(verify(secret, &current, now + 30));
        assert!(!verify(secret, &current, now + 90));
        assert!(!verify(secret, "12345", now));
        assert!(!verify(secret, "abcdef", now));
    }

    #[test]
    fn secrets_are_written_in_base32_for_apps() {
        // RFC 4648 test vector: "foobar" → MZXW6YTBOI (unpadded).
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert!(
            enrolment_uri(b"12345678901234567890", "wang")
                .contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        );
    }
}

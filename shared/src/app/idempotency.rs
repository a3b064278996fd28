//! Safe retries of a submission, after the IETF `Idempotency-Key` draft
//! (draft-ietf-httpapi-idempotency-key-header): a key is scoped to the client that used it,
//! bound to a fingerprint of the request, and expires.
//!
//! - A retry from the same client with the same key and the same request gets the first
//!   answer again (the same case; for an API client, the same query code).
//! - The same key with another request is refused ([`super::AppError::KeyReused`]) and
//!   learns nothing about the first.
//! - A key lives [`KEY_TTL_MS`] after its first use; later it is free again: a registration
//!   that reuses it deletes its expired row first, and the sweep deletes the other expired
//!   rows a bounded batch at a time, off the submission's path.
//!
//! The web form's key is a [`FormToken`]: minted by the server for one form, signed, and
//! single-use: its replay shows that the form was already sent, never the query code (the
//! next person at a shared computer who presses Back must not see it).

use super::cases::NewCase;
use crate::calendar::Timestamp;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// How long a key is remembered after its first use: 24 hours (the draft's usual window;
/// the project's choice).
pub const KEY_TTL_MS: i64 = 24 * 3600 * 1000;

/// How long a form token may be used after the form was served: 24 hours (the project's
/// choice: a citizen may take a long while to write).
pub const FORM_TOKEN_TTL_SECONDS: i64 = 24 * 3600;

/// A submission's idempotency key and the client it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idempotency {
    /// The client: `form`, `api:<keyed hash of the client's bucket>`, `open311:<key id>`.
    /// Never an address.
    pub scope: String,
    /// The key the client sent (16–128 visible ASCII characters).
    pub key: String,
}

/// The fingerprint of what was submitted: SHA-256 (hex) over every field that reaches the
/// store, so a retry of the same submission matches and anything else does not.
pub fn fingerprint(case: &NewCase) -> String {
    let f = &case.facts;
    let c = &case.contact;
    let l = &case.location;
    // A coordinate by its bits, exactly what the store keeps: printing it as a decimal would
    // bring float formatting (14 KB of wasm) into the public Worker for this alone.
    let coordinate = |v: Option<f64>| v.map_or(String::new(), |v| format!("{:016x}", v.to_bits()));
    let fields: [&str; 13] = [
        f.channel.code(),
        f.category.code(),
        f.urgency.code(),
        f.complexity.code(),
        if f.publish_consent { "1" } else { "0" },
        &case.title,
        &case.body,
        c.name.as_deref().unwrap_or(""),
        c.phone.as_deref().unwrap_or(""),
        c.email.as_deref().unwrap_or(""),
        &coordinate(l.latitude),
        &coordinate(l.longitude),
        l.address.as_deref().unwrap_or(""),
    ];
    let mut hash = Sha256::new();
    for field in fields {
        // Length-prefixed, so no two different field lists hash alike.
        hash.update((field.len() as u64).to_le_bytes());
        hash.update(field.as_bytes());
    }
    hash.update([u8::from(l.address_public)]);
    crate::hex::encode(&hash.finalize())
}

/// The web form's token: `f1.<issued, Unix seconds>.<nonce>.<signature>`, signed with the
/// deployment's secret for one form, valid [`FORM_TOKEN_TTL_SECONDS`].
pub struct FormToken;

impl FormToken {
    /// The idempotency scope of form tokens.
    pub const SCOPE: &'static str = "form";

    /// A new token for `form`, issued at `now`, from 16 random bytes.
    pub fn issue(secret: &[u8], form: &str, now: Timestamp, random: [u8; 16]) -> String {
        let issued = now.as_second();
        let nonce = crate::hex::encode(&random);
        let signature = Self::sign(secret, form, issued, &nonce);
        format!("f1.{issued}.{nonce}.{signature}")
    }

    /// Whether `token` was issued by this deployment for `form` and is still valid at `now`.
    pub fn verify(secret: &[u8], form: &str, token: &str, now: Timestamp) -> bool {
        let mut parts = token.split('.');
        let (Some("f1"), Some(issued), Some(nonce), Some(signature), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return false;
        };
        let Ok(issued) = issued.parse::<i64>() else {
            return false;
        };
        let age = now.as_second() - issued;
        if !(0..=FORM_TOKEN_TTL_SECONDS).contains(&age) || nonce.len() != 32 {
            return false;
        }
        let Some(given) = crate::hex::decode(signature) else {
            return false;
        };
        // Truncated to 12 bytes (96 bits), compared in constant time.
        given.len() == 12
            && Self::mac(secret, form, issued, nonce)
                .verify_truncated_left(&given)
                .is_ok()
    }

    fn sign(secret: &[u8], form: &str, issued: i64, nonce: &str) -> String {
        let bytes = Self::mac(secret, form, issued, nonce)
            .finalize()
            .into_bytes();
        crate::hex::encode(&bytes[..12])
    }

    fn mac(secret: &[u8], form: &str, issued: i64, nonce: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(b"form-token\n");
        mac.update(form.as_bytes());
        mac.update(b"\n");
        mac.update(issued.to_string().as_bytes());
        mac.update(b"\n");
        mac.update(nonce.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).expect("instant")
    }

    #[test]
    fn form_tokens_are_bound_to_secret_form_and_time() {
        let t = FormToken::issue(b"secret", "submit", at(1_000_000), [7; 16]);
        assert!(t.len() <= 128 && t.len() >= 16);
        assert!(FormToken::verify(b"secret", "submit", &t, at(1_000_000)));
        assert!(FormToken::verify(
            b"secret",
            "submit",
            &t,
            at(1_000_000 + FORM_TOKEN_TTL_SECONDS)
        ));
        assert!(!FormToken::verify(
            b"secret",
            "submit",
            &t,
            at(1_000_001 + FORM_TOKEN_TTL_SECONDS)
        ));
        assert!(!FormToken::verify(b"secret", "submit", &t, at(999_999)));
        assert!(!FormToken::verify(b"other", "submit", &t, at(1_000_000)));
        assert!(!FormToken::verify(b"secret", "meeting", &t, at(1_000_000)));
        // A token made up by a client, or tampered with, is not one.
        let mut forged = t.clone();
        forged.replace_range(t.len() - 1.., if t.ends_with('0') { "1" } else { "0" });
        assert!(!FormToken::verify(
            b"secret",
            "submit",
            &forged,
            at(1_000_000)
        ));
        for junk in [
            "",
            "f1",
            "f1.1.2.3",
            "0123456789abcdef0123456789abcdef",
            "f1.x.y.z.w",
        ] {
            assert!(
                !FormToken::verify(b"secret", "submit", junk, at(1_000_000)),
                "{junk}"
            );
        }
    }
}

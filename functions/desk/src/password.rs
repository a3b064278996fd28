//! Staff passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), stored as
//! the PHC string. About 35 ms natively and a few times that in wasm: inside Workers' Paid
//! CPU limit and Spin's, not inside the free plan's 10 ms (docs/deploy-workers.md).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted (NIST SP 800-63B: at least 8; the project asks 12).
pub const MIN_CHARS: usize = 12;

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1. Constant parameters
    // cannot fail to build; the fallback is argon2's own default (also argon2id).
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` with a 16-byte random salt.
pub fn hash(password: &str, salt: [u8; 16]) -> Result<String, String> {
    if password.chars().count() < MIN_CHARS {
        return Err(format!(
            "密码至少{MIN_CHARS}个字符 / a password has at least {MIN_CHARS} characters"
        ));
    }
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the stored PHC string (constant time inside argon2).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_and_refuse_others() {
        let phc = super::hash("correct horse battery", [7; 16]).expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(super::verify("correct horse battery", &phc));
        assert!(!super::verify("correct horse batterz", &phc));
        assert!(!super::verify("correct horse battery", "not a hash"));
        assert!(super::hash("short", [7; 16]).is_err());
    }
}

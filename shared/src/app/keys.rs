//! Open311 API keys: issued to partner systems, stored only as SHA-256.
//!
//! A key is 32 random bytes written as 64 lower-case hex digits. It is shown once, when it is
//! issued; the table `api_key` keeps only the SHA-256 of the key (hex) and the holder's name.
//! Revoking a key sets `revoked_at`; a revoked key never verifies again.

use super::{AppError, Host, ms};
use crate::store::{Statement, Store};
use sha2::{Digest, Sha256};

/// Longest holder name, in characters (the table's check).
pub const MAX_NAME_CHARS: usize = 100;

/// Longest string [`verify`] looks at; anything longer is not a key.
const MAX_KEY_LEN: usize = 128;

/// The SHA-256 of a key, as stored (64 lower-case hex digits).
pub fn digest(key: &str) -> String {
    crate::hex::encode(&Sha256::digest(key.trim().as_bytes()))
}

/// Issues a key to the partner `name`; returns the key, which is stored only hashed and so
/// can never be shown again.
pub async fn issue<S: Store, H: Host>(store: &S, host: &H, name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(AppError::Invalid {
            field: "name",
            problem: "须为1至100个字符 / must be 1–100 characters".into(),
        });
    }
    let mut bytes = [0u8; 32];
    host.fill_random(&mut bytes);
    let key = crate::hex::encode(&bytes);
    store
        .execute(
            Statement::new("INSERT INTO api_key (name, key_sha256, created_at) VALUES (?, ?, ?)")
                .bind(name)
                .bind(digest(&key))
                .bind(ms(host.now())),
        )
        .await?;
    Ok(key)
}

/// Whether `key` is an issued key that has not been revoked.
pub async fn verify<S: Store>(store: &S, key: &str) -> Result<bool, AppError> {
    let key = key.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Ok(false);
    }
    let rows = store
        .query(
            Statement::new(
                "SELECT 1 AS ok FROM api_key WHERE key_sha256 = ? AND revoked_at IS NULL LIMIT 1",
            )
            .bind(digest(key)),
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Revokes a key; returns whether a live key was revoked.
pub async fn revoke<S: Store, H: Host>(store: &S, host: &H, key: &str) -> Result<bool, AppError> {
    let changed = store
        .execute(
            Statement::new(
                "UPDATE api_key SET revoked_at = ? WHERE key_sha256 = ? AND revoked_at IS NULL",
            )
            .bind(ms(host.now()))
            .bind(digest(key)),
        )
        .await?;
    Ok(changed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_hex() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(digest(" abc\n"), digest("abc"));
    }
}

//! Staff accounts, their sessions and the audit trail, over the store. Password hashing and
//! the second factor are the desk's (they need crates no public build should carry); this
//! module stores and reads what they produce.

use super::{AppError, Host, instant, ms};
use crate::calendar::Timestamp;
use crate::staff::StaffRole;
use crate::store::{Row, Statement, Store, StoreError};

/// Failed logins after which an account is locked for [`LOCK_MS`] (the project's choice,
/// after OWASP's authentication cheat sheet).
pub const LOCK_AFTER_FAILURES: i64 = 5;
/// How long a locked account stays locked: 15 minutes (the project's choice).
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// A new account as an admin (or the bootstrap) creates it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount<'a> {
    /// Login name (3–64 characters).
    pub login: &'a str,
    /// Name shown to colleagues.
    pub display_name: &'a str,
    /// The password's argon2id PHC string.
    pub password_hash: &'a str,
    /// The TOTP secret (160 bits), for accounts that need a second factor.
    pub totp_secret: Option<[u8; 20]>,
    /// Roles held.
    pub roles: &'a [StaffRole],
}

/// What a login is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The account.
    pub account_id: i64,
    /// The password's PHC string.
    pub password_hash: String,
    /// The TOTP secret, if enrolled.
    pub totp_secret: Option<Vec<u8>>,
    /// Locked until this instant after repeated failures.
    pub locked_until: Option<Timestamp>,
    /// Roles held.
    pub roles: Vec<StaffRole>,
}

/// The person behind a live session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    /// The account.
    pub account_id: i64,
    /// Login name.
    pub login: String,
    /// Name shown.
    pub display_name: String,
    /// Roles held.
    pub roles: Vec<StaffRole>,
}

impl Staff {
    /// Whether the person holds `role`.
    pub fn holds(&self, role: StaffRole) -> bool {
        self.roles.contains(&role)
    }
}

/// Creates an account with its roles in one batch; returns its id.
pub async fn create<S: Store, H: Host>(
    store: &S,
    host: &H,
    account: &NewAccount<'_>,
) -> Result<i64, AppError> {
    let login = account.login.trim();
    if !(3..=64).contains(&login.chars().count()) {
        return Err(AppError::Invalid {
            field: "login",
            problem: "须为3至64个字符 / must be 3–64 characters".into(),
        });
    }
    if !(1..=100).contains(&account.display_name.trim().chars().count()) {
        return Err(AppError::Invalid {
            field: "display_name",
            problem: "须为1至100个字符 / must be 1–100 characters".into(),
        });
    }
    let mut random = [0u8; 6];
    host.fill_random(&mut random);
    // A random id, as case ids are: nothing to learn from counting accounts.
    let id = random
        .iter()
        .fold(0i64, |acc, &b| (acc << 8) | i64::from(b))
        & 0x3fff_ffff_ffff;
    let mut batch = vec![
        Statement::new(
            "INSERT INTO staff_account (id, login, display_name, password_hash, totp_secret, \
             created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(login)
        .bind(account.display_name.trim())
        .bind(account.password_hash)
        .bind(account.totp_secret.map(|s| crate::hex::encode(&s)))
        .bind(ms(host.now())),
    ];
    for role in account.roles {
        batch.push(
            Statement::new(
                "INSERT INTO staff_role (account_id, role, department_id) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(role.code())
            .bind(role.department()),
        );
    }
    match store.batch(batch).await {
        Ok(_) => Ok(id),
        Err(StoreError::Constraint(m)) if m.contains("login") => Err(AppError::Invalid {
            field: "login",
            problem: "该登录名已被使用 / this login is taken".into(),
        }),
        Err(StoreError::Constraint(m)) if m.contains("FOREIGN KEY") => Err(AppError::Invalid {
            field: "department",
            problem: "没有该单位 / no such department".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// How many accounts exist (the bootstrap creates the first admin only when none does).
pub async fn count<S: Store>(store: &S) -> Result<i64, AppError> {
    let rows = store
        .query(Statement::new("SELECT count(*) AS n FROM staff_account"))
        .await?;
    Ok(rows.first().map(|r| r.get("n")).transpose()?.unwrap_or(0))
}

/// The credentials of an active account by login, if there is one.
pub async fn credentials<S: Store>(
    store: &S,
    login: &str,
) -> Result<Option<Credentials>, AppError> {
    let rows = store
        .query(
            Statement::new(
                "SELECT id, password_hash, totp_secret, locked_until FROM staff_account \
                 WHERE login = ? AND active = 1",
            )
            .bind(login.trim()),
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let account_id: i64 = row.get("id")?;
    let totp_secret = row
        .get::<Option<String>>("totp_secret")?
        .map(|hex| crate::hex::decode(&hex).ok_or_else(|| AppError::Corrupt("totp_secret".into())))
        .transpose()?;
    Ok(Some(Credentials {
        account_id,
        password_hash: row.get("password_hash")?,
        totp_secret,
        locked_until: row
            .get::<Option<i64>>("locked_until")?
            .map(instant)
            .transpose()?,
        roles: roles(store, account_id).await?,
    }))
}

/// Counts a failed login; the [`LOCK_AFTER_FAILURES`]th in a row locks the account.
pub async fn failed_login<S: Store>(
    store: &S,
    account_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    store
        .execute(
            Statement::new(
                "UPDATE staff_account SET failed_logins = failed_logins + 1, \
                 locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END \
                 WHERE id = ?",
            )
            .bind(LOCK_AFTER_FAILURES)
            .bind(ms(now) + LOCK_MS)
            .bind(account_id),
        )
        .await?;
    Ok(())
}

/// Opens a session for a login that passed every check: the failure count is cleared, and
/// the session (its token's hash) stored with its expiry.
pub async fn open_session<S: Store>(
    store: &S,
    account_id: i64,
    token_hash: &str,
    now: Timestamp,
    ttl_ms: i64,
) -> Result<(), AppError> {
    store
        .batch(vec![
            Statement::new(
                "UPDATE staff_account SET failed_logins = 0, locked_until = NULL WHERE id = ?",
            )
            .bind(account_id),
            Statement::new(
                "INSERT INTO staff_session (token_hash, account_id, created_at, expires_at) \
                 VALUES (?, ?, ?, ?)",
            )
            .bind(token_hash)
            .bind(account_id)
            .bind(ms(now))
            .bind(ms(now) + ttl_ms),
        ])
        .await?;
    Ok(())
}

/// The person behind a session token's hash, if the session is live (not expired, not
/// revoked, the account active).
pub async fn session<S: Store>(
    store: &S,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<Staff>, AppError> {
    let rows = store
        .query(
            Statement::new(
                "SELECT a.id, a.login, a.display_name FROM staff_session s \
                 JOIN staff_account a ON a.id = s.account_id \
                 WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? \
                 AND a.active = 1",
            )
            .bind(token_hash)
            .bind(ms(now)),
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let account_id: i64 = row.get("id")?;
    Ok(Some(Staff {
        account_id,
        login: row.get("login")?,
        display_name: row.get("display_name")?,
        roles: roles(store, account_id).await?,
    }))
}

/// Revokes a session (logout, or an admin's revocation).
pub async fn revoke<S: Store>(store: &S, token_hash: &str, now: Timestamp) -> Result<(), AppError> {
    store
        .execute(
            Statement::new(
                "UPDATE staff_session SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
            )
            .bind(ms(now))
            .bind(token_hash),
        )
        .await?;
    Ok(())
}

/// The most accounts the admin's list shows.
pub const ACCOUNTS_PAGE: u32 = 500;

/// An account as the admin's list shows it: never its password hash or second-factor secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSummary {
    /// The account.
    pub account_id: i64,
    /// Login name.
    pub login: String,
    /// Name shown.
    pub display_name: String,
    /// Roles held.
    pub roles: Vec<StaffRole>,
    /// Whether it may log in (an admin disables and enables it).
    pub active: bool,
    /// Locked until this instant after repeated failures (in the past: no longer locked).
    pub locked_until: Option<Timestamp>,
    /// Whether a second factor is enrolled.
    pub second_factor: bool,
    /// Created.
    pub created_at: Timestamp,
    /// The newest session's start: the last successful login, if any.
    pub last_login: Option<Timestamp>,
}

/// The accounts, by login (at most [`ACCOUNTS_PAGE`]), with their roles, in two queries.
pub async fn accounts<S: Store>(store: &S) -> Result<Vec<AccountSummary>, AppError> {
    let rows = store
        .query(Statement::new(format!(
            "SELECT a.id, a.login, a.display_name, a.active, a.locked_until, \
             a.totp_secret IS NOT NULL AS second_factor, a.created_at, \
             (SELECT max(s.created_at) FROM staff_session s WHERE s.account_id = a.id) \
             AS last_login FROM staff_account a ORDER BY a.login LIMIT {ACCOUNTS_PAGE}"
        )))
        .await?;
    let role_rows = store
        .query(Statement::new(format!(
            "SELECT r.account_id, r.role, r.department_id FROM staff_role r \
             WHERE r.account_id IN (SELECT id FROM staff_account ORDER BY login \
             LIMIT {ACCOUNTS_PAGE}) ORDER BY r.account_id, r.role, r.department_id \
             LIMIT {}",
            ACCOUNTS_PAGE * 20
        )))
        .await?;
    let mut held: Vec<(i64, StaffRole)> = Vec::with_capacity(role_rows.len());
    for row in &role_rows {
        held.push((row.get("account_id")?, decode_role(row)?));
    }
    rows.iter()
        .map(|row| {
            let account_id: i64 = row.get("id")?;
            Ok(AccountSummary {
                account_id,
                login: row.get("login")?,
                display_name: row.get("display_name")?,
                roles: held
                    .iter()
                    .filter(|(id, _)| *id == account_id)
                    .map(|(_, role)| *role)
                    .collect(),
                active: row.get::<i64>("active")? == 1,
                locked_until: row
                    .get::<Option<i64>>("locked_until")?
                    .map(instant)
                    .transpose()?,
                second_factor: row.get::<i64>("second_factor")? == 1,
                created_at: instant(row.get("created_at")?)?,
                last_login: row
                    .get::<Option<i64>>("last_login")?
                    .map(instant)
                    .transpose()?,
            })
        })
        .collect()
}

/// Disables (`active = false`) or enables an account. Disabling also revokes every session of
/// the account in the same batch, so it is logged out at once; a disabled account cannot log
/// in ([`credentials`] and [`session`] read active accounts only). Enabling clears a lockout.
/// [`AppError::NotFound`] when there is no such account.
pub async fn set_active<S: Store>(
    store: &S,
    account_id: i64,
    active: bool,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut batch = vec![
        Statement::new(
            "UPDATE staff_account SET active = ?, failed_logins = 0, locked_until = NULL \
             WHERE id = ?",
        )
        .bind(i64::from(active))
        .bind(account_id),
    ];
    if !active {
        batch.push(revoke_all_statement(account_id, now));
    }
    let changed = store.batch(batch).await?;
    if changed.first().copied().unwrap_or(0) == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Revokes every live session of an account; answers how many.
pub async fn revoke_all<S: Store>(
    store: &S,
    account_id: i64,
    now: Timestamp,
) -> Result<u64, AppError> {
    Ok(store.execute(revoke_all_statement(account_id, now)).await?)
}

fn revoke_all_statement(account_id: i64, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE staff_session SET revoked_at = ? \
         WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ?",
    )
    .bind(ms(now))
    .bind(account_id)
    .bind(ms(now))
}

/// How many characters of a token's hash name a session on the person's own list: enough to
/// tell their sessions apart, and nothing that opens one (the hash of a token is not the token).
pub const SESSION_KEY_CHARS: usize = 16;

/// One live session of an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    /// The first [`SESSION_KEY_CHARS`] characters of the token's hash.
    pub key: String,
    /// Opened (the login).
    pub created_at: Timestamp,
    /// Ends.
    pub expires_at: Timestamp,
}

/// The live sessions of an account, newest first (at most 100).
pub async fn sessions<S: Store>(
    store: &S,
    account_id: i64,
    now: Timestamp,
) -> Result<Vec<SessionSummary>, AppError> {
    store
        .query(
            Statement::new(format!(
                "SELECT substr(token_hash, 1, {SESSION_KEY_CHARS}) AS key, created_at, expires_at \
                 FROM staff_session WHERE account_id = ? AND revoked_at IS NULL \
                 AND expires_at > ? ORDER BY created_at DESC LIMIT 100"
            ))
            .bind(account_id)
            .bind(ms(now)),
        )
        .await?
        .iter()
        .map(|row| {
            Ok(SessionSummary {
                key: row.get("key")?,
                created_at: instant(row.get("created_at")?)?,
                expires_at: instant(row.get("expires_at")?)?,
            })
        })
        .collect()
}

/// Revokes one of the account's own sessions by its key (from [`sessions`]); another
/// account's session is never touched. [`AppError::NotFound`] when no live session matches.
pub async fn revoke_own<S: Store>(
    store: &S,
    account_id: i64,
    key: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    if key.len() != SESSION_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let changed = store
        .execute(
            Statement::new(format!(
                "UPDATE staff_session SET revoked_at = ? WHERE account_id = ? \
                 AND substr(token_hash, 1, {SESSION_KEY_CHARS}) = ? \
                 AND revoked_at IS NULL AND expires_at > ?"
            ))
            .bind(ms(now))
            .bind(account_id)
            .bind(key.to_ascii_lowercase())
            .bind(ms(now)),
        )
        .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

async fn roles<S: Store>(store: &S, account_id: i64) -> Result<Vec<StaffRole>, AppError> {
    store
        .query(
            Statement::new(
                "SELECT role, department_id FROM staff_role WHERE account_id = ? \
                 ORDER BY role, department_id LIMIT 100",
            )
            .bind(account_id),
        )
        .await?
        .iter()
        .map(decode_role)
        .collect()
}

fn decode_role(row: &Row) -> Result<StaffRole, AppError> {
    let code: String = row.get("role")?;
    let department: Option<i64> = row.get("department_id")?;
    StaffRole::from_code(&code, department)
        .ok_or_else(|| AppError::Corrupt(format!("staff_role {code}")))
}

/// One row of the audit trail: who (account and role), what, on which case, from where (a
/// keyed hash of the client, never its address). Put it in the same batch as the action it
/// records, or run it alone for reads (reading contact details).
pub fn audit(
    at: Timestamp,
    staff: Option<(i64, &str)>,
    action: &str,
    case_id: Option<i64>,
    client: &str,
    detail: &str,
) -> Statement {
    Statement::new(
        "INSERT INTO audit_event (at, account_id, role, action, case_id, client, detail) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(ms(at))
    .bind(staff.map(|(id, _)| id))
    .bind(staff.map_or("anonymous", |(_, role)| role))
    .bind(action)
    .bind(case_id)
    .bind(client)
    .bind(detail)
}

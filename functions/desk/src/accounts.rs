//! Staff accounts as an admin creates them: the password hashed with argon2id, and for an
//! account whose roles see personal data, a TOTP secret drawn at once and shown once (as the
//! `otpauth://` URI an authenticator app enrols from).

use minyi::app::Host;
use minyi::app::staff::{self, NewAccount, Staff};
use minyi::staff::{StaffRole, needs_second_factor};
use minyi_web::{Env, Request, Response, WebError};

use crate::{audit, password, roles_text, totp};

/// Creates an account; answers its id and, when it needs a second factor, the enrolment URI.
pub async fn create<E: Env>(
    env: &E,
    login: &str,
    display_name: &str,
    secret_password: &str,
    roles: &[StaffRole],
) -> Result<(i64, Option<String>), WebError> {
    let mut salt = [0u8; 16];
    env.host().fill_random(&mut salt);
    let password_hash = password::hash(secret_password, salt)
        .map_err(|problem| WebError::bad("password", &problem))?;
    let totp_secret = needs_second_factor(roles).then(|| {
        let mut secret = [0u8; 20];
        env.host().fill_random(&mut secret);
        secret
    });
    let id = staff::create(
        env.store(),
        env.host(),
        &NewAccount {
            login,
            display_name,
            password_hash: &password_hash,
            totp_secret,
            roles,
        },
    )
    .await?;
    Ok((
        id,
        totp_secret.map(|s| totp::enrolment_uri(&s, login.trim())),
    ))
}

/// `POST /desk/api/accounts` (admins): `{login, display_name, password, roles: ["operator",
/// "handler:3", …]}` → 201 `{id, totp_uri}` (the URI only now, never again).
pub async fn create_api<E: Env>(
    env: &E,
    req: &Request,
    admin: &Staff,
) -> Result<Response, WebError> {
    if !admin.holds(StaffRole::Admin) {
        return Err(WebError::forbidden("仅管理员 / admins only"));
    }
    let body = req.json()?;
    let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    let mut roles = Vec::new();
    for value in body["roles"].as_array().into_iter().flatten().take(20) {
        let text = value.as_str().unwrap_or_default();
        let (code, department) = match text.split_once(':') {
            Some((code, d)) => (code, d.parse().ok()),
            None => (text, None),
        };
        roles.push(StaffRole::from_code(code, department).ok_or_else(|| {
            WebError::bad(
                "roles",
                "未知角色或缺少单位 / unknown role or missing department",
            )
        })?);
    }
    if roles.is_empty() {
        return Err(WebError::bad("roles", "至少一个角色 / at least one role"));
    }
    let (id, totp_uri) = create(
        env,
        &text("login"),
        &text("display_name"),
        &text("password"),
        &roles,
    )
    .await?;
    audit(
        env,
        req,
        Some((admin.account_id, &roles_text(admin))),
        "create_account",
        None,
        &format!("account {id}"),
    )
    .await?;
    // The second factor's secret, shown once: never kept by a cache.
    Ok(
        Response::json(201, &serde_json::json!({"id": id, "totp_uri": totp_uri}))
            .with_header("cache-control", "no-store"),
    )
}

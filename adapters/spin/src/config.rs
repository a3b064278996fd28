//! The deployment's configuration from Spin variables.
//!
//! The names are the Worker's (`MINYI_SECRET`, `MINYI_ENV`, `TURNSTILE_SITE_KEY`, ...). Spin
//! variable names are lower case (`[a-z0-9_]`), so each is read under its lower-case spelling:
//! `MINYI_SECRET` ↔ `minyi_secret`, set from outside as `SPIN_VARIABLE_MINYI_SECRET`.
//! Spin fails a lookup of a variable the manifest does not declare, so `spin.toml` declares
//! every name in [`VARIABLES`]; optional ones default to the empty string, which counts as
//! unset.

use minyi_web::{Config, RateLimits, Turnstile};

/// The development secret, accepted only when `minyi_env = "dev"`.
pub const DEV_SECRET: &str = "minyi-dev-secret-not-for-production";

/// The only URL prefix `post_form` may reach (Turnstile's verification endpoint); the
/// manifest's `allowed_outbound_hosts` says the same to Spin.
pub const OUTBOUND_PREFIX: &str = "https://challenges.cloudflare.com/";

/// Every variable the configuration reads, by its Worker name.
pub const VARIABLES: &[&str] = &[
    "MINYI_ENV",
    "MINYI_SECRET",
    "TURNSTILE_SITE_KEY",
    "TURNSTILE_SECRET",
    "MINYI_SUBMISSIONS_PER_HOUR",
    "MINYI_READS_PER_MINUTE",
    "MINYI_CODE_ATTEMPTS_PER_HOUR",
    "OPEN311_JURISDICTION",
];

/// The Spin variable a Worker-style name is read from (`MINYI_SECRET` → `minyi_secret`).
pub fn spin_name(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Why a component cannot serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `minyi_secret` is not set and this is not a dev deployment.
    MissingSecret,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::MissingSecret => f.write_str(
                "minyi_secret is not set: set SPIN_VARIABLE_MINYI_SECRET (at least 32 random bytes) or the deployment's secret store",
            ),
        }
    }
}

/// Reads the configuration through `get` (a variable by its Worker name; `None` if unset or
/// empty). The same rules as the Worker's `minyi_cloudflare::config::read`.
pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    let dev = get("MINYI_ENV").is_some_and(|v| v == "dev");
    let secret = match get("MINYI_SECRET") {
        Some(s) => s.into_bytes(),
        None if dev => DEV_SECRET.as_bytes().to_vec(),
        None => return Err(ConfigError::MissingSecret),
    };
    let turnstile = match (get("TURNSTILE_SITE_KEY"), get("TURNSTILE_SECRET")) {
        (Some(site_key), Some(secret)) => Some(Turnstile { site_key, secret }),
        _ => None,
    };
    let defaults = RateLimits::default();
    let budget = |name: &str, default: u32| {
        get(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    };
    let limits = RateLimits {
        submissions_per_hour: budget("MINYI_SUBMISSIONS_PER_HOUR", defaults.submissions_per_hour),
        reads_per_minute: budget("MINYI_READS_PER_MINUTE", defaults.reads_per_minute),
        code_attempts_per_hour: budget(
            "MINYI_CODE_ATTEMPTS_PER_HOUR",
            defaults.code_attempts_per_hour,
        ),
    };
    Ok(Config {
        secret,
        turnstile,
        limits,
        jurisdiction_id: get("OPEN311_JURISDICTION"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn spin_names_are_lower_case_and_valid() {
        assert_eq!(spin_name("MINYI_SECRET"), "minyi_secret");
        for name in VARIABLES {
            let spin = spin_name(name);
            assert!(spin.starts_with(|c: char| c.is_ascii_lowercase()));
            assert!(
                spin.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
        }
    }

    #[test]
    fn the_manifest_declares_every_variable() {
        let manifest = include_str!("../../../spin.toml");
        for name in VARIABLES {
            let line = format!("\n{} = {{", spin_name(name));
            assert!(
                manifest.contains(&line),
                "spin.toml lacks {}",
                spin_name(name)
            );
            // Each of the three components maps it through.
            let mapped = format!("\n{0} = \"{{{{ {0} }}}}\"", spin_name(name));
            assert_eq!(manifest.matches(&mapped).count(), 3, "{mapped}");
        }
    }

    #[test]
    fn the_secret_is_required_outside_dev() {
        assert_eq!(read(vars(&[])), Err(ConfigError::MissingSecret));
        assert_eq!(
            read(vars(&[("MINYI_ENV", "production"), ("MINYI_SECRET", "")])),
            Err(ConfigError::MissingSecret)
        );
        let dev = read(vars(&[("MINYI_ENV", "dev")])).expect("dev");
        assert_eq!(dev.secret, DEV_SECRET.as_bytes());
        let c = read(vars(&[
            ("MINYI_SECRET", "s3cret"),
            ("MINYI_SUBMISSIONS_PER_HOUR", "3"),
            ("TURNSTILE_SITE_KEY", "k"),
        ]))
        .expect("prod");
        assert_eq!(c.secret, b"s3cret");
        assert_eq!(c.limits.submissions_per_hour, 3);
        assert_eq!(c.turnstile, None);
    }
}

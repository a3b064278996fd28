//! The deployment's configuration from Workers variables and secrets.

use minyi_web::{Config, RateLimits, Turnstile};

/// The development secret, accepted only when `MINYI_ENV=dev` (wrangler.toml's local vars).
pub const DEV_SECRET: &str = "minyi-dev-secret-not-for-production";

/// The only host `post_form` may reach (Turnstile's verification endpoint).
pub const OUTBOUND_PREFIX: &str = "https://challenges.cloudflare.com/";

/// Why the Worker cannot serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `MINYI_SECRET` is not set and this is not a dev deployment.
    MissingSecret,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::MissingSecret => f.write_str(
                "MINYI_SECRET is not set: run `wrangler secret put MINYI_SECRET` (at least 32 random bytes)",
            ),
        }
    }
}

/// Reads the configuration through `get` (a variable or secret by name; `None` if unset or
/// empty).
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
    fn budgets_come_from_variables_with_defaults() {
        let c = read(vars(&[
            ("MINYI_ENV", "dev"),
            ("MINYI_SUBMISSIONS_PER_HOUR", "3"),
            ("MINYI_READS_PER_MINUTE", "x"),
        ]))
        .expect("dev");
        assert_eq!(c.limits.submissions_per_hour, 3);
        assert_eq!(
            c.limits.reads_per_minute,
            RateLimits::default().reads_per_minute
        );
    }

    #[test]
    fn the_secret_is_required_outside_dev() {
        assert_eq!(read(vars(&[])), Err(ConfigError::MissingSecret));
        assert_eq!(
            read(vars(&[("MINYI_ENV", "production"), ("MINYI_SECRET", " ")])),
            Err(ConfigError::MissingSecret)
        );
        let dev = read(vars(&[("MINYI_ENV", "dev")])).expect("dev");
        assert_eq!(dev.secret, DEV_SECRET.as_bytes());
        let prod = read(vars(&[("MINYI_SECRET", "s3cret")])).expect("prod");
        assert_eq!(prod.secret, b"s3cret");
    }

    #[test]
    fn turnstile_needs_both_keys() {
        let half = read(vars(&[("MINYI_ENV", "dev"), ("TURNSTILE_SITE_KEY", "k")])).expect("c");
        assert_eq!(half.turnstile, None);
        let both = read(vars(&[
            ("MINYI_ENV", "dev"),
            ("TURNSTILE_SITE_KEY", "k"),
            ("TURNSTILE_SECRET", "s"),
            ("OPEN311_JURISDICTION", "city.example.cn"),
        ]))
        .expect("c");
        assert!(both.turnstile.is_some());
        assert_eq!(both.jurisdiction_id.as_deref(), Some("city.example.cn"));
    }
}

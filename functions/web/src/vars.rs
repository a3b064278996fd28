//! The deployment's configuration from runtime variables, read the same way on every runtime.
//!
//! Names are upper case as on Workers (`MINYI_SECRET`, ...); a runtime whose variables are
//! spelled otherwise (Spin: lower case) maps the names in the `get` it passes.

use crate::client::ClientAddress;
use crate::{Config, RateLimits, SmsProvider, SmsWebhooks, Turnstile};
use minyi::app::outbox::Templates;

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The development secret, used only when `MINYI_ENV=dev` (which only the local run command
/// and the test scripts set; the repository's deployable configuration never does).
pub const DEV_SECRET: &str = "minyi-dev-secret-not-for-production";

/// Every variable the configuration reads.
pub const VARIABLES: &[&str] = &[
    "MINYI_ENV",
    "MINYI_SECRET",
    "TURNSTILE_SITE_KEY",
    "TURNSTILE_SECRET",
    "MINYI_SUBMISSIONS_PER_HOUR",
    "MINYI_READS_PER_MINUTE",
    "MINYI_CODE_ATTEMPTS_PER_HOUR",
    "MINYI_CODE_ATTEMPTS_PER_CASE_PER_HOUR",
    "MINYI_SHARED_CACHE_SECONDS",
    "MINYI_CLIENT_IP_HEADER",
    "MINYI_TRUSTED_PROXY_HOPS",
    "OPEN311_JURISDICTION",
    "MINYI_OPS_SECRET",
    "MINYI_SMS_PROVIDER",
    "MINYI_SMS_URL",
    "MINYI_SMS_TOKEN",
    "MINYI_TWILIO_AUTH_TOKEN",
    "MINYI_SMS_PUBLIC_URL",
    "MINYI_SMS_CALLBACK_TOKEN",
    "MINYI_SMS_ALLOW_FROM",
    "MINYI_TWILIO_ACCOUNT_SID",
    "MINYI_TWILIO_FROM",
    "MINYI_SMS_SIGN_NAME",
    "MINYI_SMS_TEMPLATES",
    "MINYI_ALIYUN_ACCESS_KEY_ID",
    "MINYI_ALIYUN_ACCESS_KEY_SECRET",
    "MINYI_TENCENT_SECRET_ID",
    "MINYI_TENCENT_SECRET_KEY",
    "MINYI_TENCENT_SMS_APP_ID",
    "MINYI_TENCENT_REGION",
];

/// Why an instance cannot serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `MINYI_SECRET` is not set and this is not a dev deployment.
    MissingSecret,
    /// `MINYI_SECRET` is shorter than [`MIN_SECRET_BYTES`].
    ShortSecret,
    /// A variable has a value the configuration cannot use.
    Invalid(String),
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::MissingSecret => f.write_str(
                "MINYI_SECRET is not set (at least 32 random bytes): on Workers `wrangler secret put \
                 MINYI_SECRET`, on Spin the variable minyi_secret (SPIN_VARIABLE_MINYI_SECRET)",
            ),
            Self::ShortSecret => write!(
                f,
                "MINYI_SECRET is shorter than {MIN_SECRET_BYTES} bytes: use at least 32 random \
                 bytes (e.g. `openssl rand -base64 48`)"
            ),
            Self::Invalid(why) => f.write_str(why),
        }
    }
}

/// Reads the configuration through `get` (a variable by name; `None` if unset).
pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    let dev = get("MINYI_ENV").is_some_and(|v| v == "dev");
    let secret = match get("MINYI_SECRET") {
        Some(s) if s.len() < MIN_SECRET_BYTES => return Err(ConfigError::ShortSecret),
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
        code_attempts_per_case_per_hour: budget(
            "MINYI_CODE_ATTEMPTS_PER_CASE_PER_HOUR",
            defaults.code_attempts_per_case_per_hour,
        ),
    };
    let shared_cache_seconds = match get("MINYI_SHARED_CACHE_SECONDS") {
        None => crate::cache::PAGE_SECONDS,
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|s| *s <= crate::cache::MAX_PAGE_SECONDS)
            .ok_or_else(|| {
                ConfigError::Invalid(format!(
                    "MINYI_SHARED_CACHE_SECONDS must be a number of seconds from 0 to {}",
                    crate::cache::MAX_PAGE_SECONDS
                ))
            })?,
    };
    let client_address = ClientAddress::parse(
        get("MINYI_CLIENT_IP_HEADER").as_deref(),
        get("MINYI_TRUSTED_PROXY_HOPS").as_deref(),
    )
    .map_err(ConfigError::Invalid)?;
    let ops_secret = match get("MINYI_OPS_SECRET") {
        Some(s) if s.len() < MIN_SECRET_BYTES => {
            return Err(ConfigError::Invalid(format!(
                "MINYI_OPS_SECRET is shorter than {MIN_SECRET_BYTES} bytes: use at least 32 \
                 random bytes, or leave it unset to turn the ops entry off"
            )));
        }
        other => other.map(String::into_bytes),
    };
    let sms = match get("MINYI_SMS_PROVIDER").as_deref().map(str::trim) {
        None | Some("log") => SmsProvider::Log,
        Some("http") => match get("MINYI_SMS_URL") {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                SmsProvider::Http {
                    url: url.trim().to_owned(),
                    token: get("MINYI_SMS_TOKEN"),
                }
            }
            _ => {
                return Err(ConfigError::Invalid(
                    "MINYI_SMS_PROVIDER=http needs MINYI_SMS_URL, the gateway's http(s) URL".into(),
                ));
            }
        },
        Some("twilio") => match (
            get("MINYI_TWILIO_ACCOUNT_SID"),
            get("MINYI_TWILIO_AUTH_TOKEN"),
            get("MINYI_TWILIO_FROM"),
        ) {
            (Some(account_sid), Some(auth_token), Some(from))
                if account_sid.starts_with("AC")
                    && account_sid.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                SmsProvider::Twilio {
                    account_sid,
                    auth_token,
                    from,
                    status_callback: get("MINYI_SMS_PUBLIC_URL")
                        .map(|u| format!("{}/sms/twilio/status", u.trim().trim_end_matches('/'))),
                }
            }
            _ => {
                return Err(ConfigError::Invalid(
                    "MINYI_SMS_PROVIDER=twilio needs MINYI_TWILIO_ACCOUNT_SID (AC…), \
                     MINYI_TWILIO_AUTH_TOKEN and MINYI_TWILIO_FROM"
                        .into(),
                ));
            }
        },
        Some(provider @ ("aliyun" | "tencent")) => template_provider(provider, &get)?,
        Some(other) => {
            return Err(ConfigError::Invalid(format!(
                "MINYI_SMS_PROVIDER {other:?}: use \"log\", \"http\", \"twilio\", \"aliyun\" \
                 or \"tencent\""
            )));
        }
    };
    let callback_token = match get("MINYI_SMS_CALLBACK_TOKEN") {
        Some(t) if t.len() < MIN_SECRET_BYTES || !t.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            return Err(ConfigError::Invalid(format!(
                "MINYI_SMS_CALLBACK_TOKEN must be at least {MIN_SECRET_BYTES} letters and digits \
                 (it is a path segment), or unset to turn the Aliyun and Tencent webhooks off"
            )));
        }
        other => other,
    };
    let sms_webhooks = SmsWebhooks {
        twilio_auth_token: get("MINYI_TWILIO_AUTH_TOKEN"),
        public_url: get("MINYI_SMS_PUBLIC_URL").map(|u| u.trim().trim_end_matches('/').to_owned()),
        callback_token,
        allow_from: get("MINYI_SMS_ALLOW_FROM")
            .map(|list| {
                list.split(',')
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    };
    Ok(Config {
        secret,
        turnstile,
        limits,
        shared_cache_seconds,
        jurisdiction_id: get("OPEN311_JURISDICTION"),
        client_address,
        ops_secret,
        sms,
        sms_webhooks,
    })
}

/// The providers that send approved templates only (Aliyun's and Tencent Cloud's SendSms):
/// every credential, the signature and the template table are required, so a deployment that
/// names one and forgets a secret does not start rather than failing each message.
fn template_provider(
    provider: &str,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<SmsProvider, ConfigError> {
    let (names, default_endpoint): (&[&str], _) = if provider == "aliyun" {
        (
            &[
                "MINYI_ALIYUN_ACCESS_KEY_ID",
                "MINYI_ALIYUN_ACCESS_KEY_SECRET",
            ],
            crate::ALIYUN_SMS_API,
        )
    } else {
        (
            &[
                "MINYI_TENCENT_SECRET_ID",
                "MINYI_TENCENT_SECRET_KEY",
                "MINYI_TENCENT_SMS_APP_ID",
            ],
            crate::TENCENT_SMS_API,
        )
    };
    let required = names
        .iter()
        .chain(&["MINYI_SMS_SIGN_NAME", "MINYI_SMS_TEMPLATES"])
        .map(|name| get(name).map(|v| v.trim().to_owned()).ok_or(*name))
        .collect::<Vec<_>>();
    let missing: Vec<&str> = required.iter().filter_map(|r| r.clone().err()).collect();
    if !missing.is_empty() {
        return Err(ConfigError::Invalid(format!(
            "MINYI_SMS_PROVIDER={provider} needs {} (docs/sms.md)",
            missing.join(", ")
        )));
    }
    let mut values = required.into_iter().flatten();
    let mut next = || values.next().unwrap_or_default();
    // The endpoint: the provider's own, or MINYI_SMS_URL (a regional endpoint, a test fake).
    let endpoint = match get("MINYI_SMS_URL").map(|u| u.trim().to_owned()) {
        None => default_endpoint.to_owned(),
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            let after_scheme = url.split_once("://").map_or("", |(_, rest)| rest);
            if after_scheme.contains('/') {
                url
            } else {
                format!("{url}/")
            }
        }
        Some(_) => {
            return Err(ConfigError::Invalid(
                "MINYI_SMS_URL, when set with aliyun or tencent, must be an http(s) URL".into(),
            ));
        }
    };
    Ok(if provider == "aliyun" {
        let (access_key_id, access_key_secret) = (next(), next());
        let (sign_name, templates) = (next(), next());
        SmsProvider::Aliyun {
            access_key_id,
            access_key_secret,
            sign_name,
            templates: Templates::parse(&templates).map_err(ConfigError::Invalid)?,
            endpoint,
        }
    } else {
        let (secret_id, secret_key, app_id) = (next(), next(), next());
        let (sign_name, templates) = (next(), next());
        SmsProvider::Tencent {
            secret_id,
            secret_key,
            app_id,
            region: get("MINYI_TENCENT_REGION")
                .map_or_else(|| "ap-guangzhou".to_owned(), |r| r.trim().to_owned()),
            sign_name,
            templates: Templates::parse(&templates).map_err(ConfigError::Invalid)?,
            endpoint,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each variable of `pairs[required]`, left out, stops the configuration and is named.
    fn each_is_named_when_missing(pairs: &[(&str, &str)], required: std::ops::Range<usize>) {
        for skip in required {
            let partial: Vec<_> = pairs
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, p)| *p)
                .collect();
            match read(vars(&partial)) {
                Err(ConfigError::Invalid(why)) => assert!(why.contains(pairs[skip].0), "{why}"),
                other => panic!("{other:?}"),
            }
        }
    }

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
        // A short secret is refused even in development: it would be guessable.
        assert_eq!(
            read(vars(&[("MINYI_ENV", "dev"), ("MINYI_SECRET", "s3cret")])),
            Err(ConfigError::ShortSecret)
        );
        let long = "k".repeat(MIN_SECRET_BYTES);
        let prod = read(vars(&[("MINYI_SECRET", &long)])).expect("prod");
        assert_eq!(prod.secret, long.as_bytes());
        assert_eq!(prod.client_address, ClientAddress::Peer);
    }

    #[test]
    fn the_client_address_header_is_a_deployment_setting() {
        let c = read(vars(&[
            ("MINYI_ENV", "dev"),
            ("MINYI_CLIENT_IP_HEADER", "X-Forwarded-For"),
            ("MINYI_TRUSTED_PROXY_HOPS", "2"),
        ]))
        .expect("valid");
        assert_eq!(c.client_address, ClientAddress::ForwardedFor { hops: 2 });
        let bad = read(vars(&[
            ("MINYI_ENV", "dev"),
            ("MINYI_CLIENT_IP_HEADER", "X-Forwarded-For"),
            ("MINYI_TRUSTED_PROXY_HOPS", "0"),
        ]));
        assert!(matches!(bad, Err(ConfigError::Invalid(_))));
    }

    #[test]
    fn the_ops_secret_is_optional_but_never_short() {
        let off = read(vars(&[("MINYI_ENV", "dev")])).expect("c");
        assert_eq!(off.ops_secret, None);
        let short = read(vars(&[("MINYI_ENV", "dev"), ("MINYI_OPS_SECRET", "short")]));
        assert!(matches!(short, Err(ConfigError::Invalid(_))));
        let long = "o".repeat(MIN_SECRET_BYTES);
        let on = read(vars(&[("MINYI_ENV", "dev"), ("MINYI_OPS_SECRET", &long)])).expect("c");
        assert_eq!(on.ops_secret, Some(long.into_bytes()));
    }

    #[test]
    fn the_sms_provider_logs_unless_a_gateway_is_named() {
        let dev = [("MINYI_ENV", "dev")];
        assert_eq!(read(vars(&dev)).expect("c").sms, SmsProvider::Log);
        let http = read(vars(&[
            ("MINYI_ENV", "dev"),
            ("MINYI_SMS_PROVIDER", "http"),
            ("MINYI_SMS_URL", "https://sms.city.example/send"),
            ("MINYI_SMS_TOKEN", "t"),
        ]))
        .expect("c");
        assert_eq!(
            http.sms,
            SmsProvider::Http {
                url: "https://sms.city.example/send".into(),
                token: Some("t".into())
            }
        );
        for bad in [
            vec![("MINYI_ENV", "dev"), ("MINYI_SMS_PROVIDER", "http")],
            vec![
                ("MINYI_ENV", "dev"),
                ("MINYI_SMS_PROVIDER", "http"),
                ("MINYI_SMS_URL", "ftp://x"),
            ],
            vec![("MINYI_ENV", "dev"), ("MINYI_SMS_PROVIDER", "pigeon")],
            vec![
                ("MINYI_ENV", "dev"),
                ("MINYI_SMS_PROVIDER", "twilio"),
                ("MINYI_TWILIO_ACCOUNT_SID", "AC1"),
            ],
        ] {
            assert!(
                matches!(read(vars(&bad)), Err(ConfigError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn twilio_sends_with_its_account_and_reports_to_the_sms_worker() {
        let c = read(vars(&[
            ("MINYI_ENV", "dev"),
            ("MINYI_SMS_PROVIDER", "twilio"),
            ("MINYI_TWILIO_ACCOUNT_SID", "AC0123"),
            ("MINYI_TWILIO_AUTH_TOKEN", "tok"),
            ("MINYI_TWILIO_FROM", "+8610690000"),
            ("MINYI_SMS_PUBLIC_URL", "https://sms.city.example/"),
        ]))
        .expect("c");
        assert_eq!(
            c.sms,
            SmsProvider::Twilio {
                account_sid: "AC0123".into(),
                auth_token: "tok".into(),
                from: "+8610690000".into(),
                status_callback: Some("https://sms.city.example/sms/twilio/status".into()),
            }
        );
    }

    #[test]
    fn aliyun_and_tencent_need_every_secret_and_their_templates() {
        let templates = r#"{"dispatched": "SMS_1", "sms_answer": "SMS_2"}"#;
        let aliyun = [
            ("MINYI_ENV", "dev"),
            ("MINYI_SMS_PROVIDER", "aliyun"),
            ("MINYI_ALIYUN_ACCESS_KEY_ID", "LTAI5t"),
            ("MINYI_ALIYUN_ACCESS_KEY_SECRET", "s3cret"),
            ("MINYI_SMS_SIGN_NAME", "民意"),
            ("MINYI_SMS_TEMPLATES", templates),
        ];
        let c = read(vars(&aliyun)).expect("aliyun");
        let SmsProvider::Aliyun {
            access_key_id,
            access_key_secret,
            sign_name,
            templates: t,
            endpoint,
        } = &c.sms
        else {
            panic!("{:?}", c.sms);
        };
        assert_eq!(
            (access_key_id.as_str(), access_key_secret.as_str()),
            ("LTAI5t", "s3cret")
        );
        assert_eq!(sign_name, "民意");
        assert_eq!(endpoint, crate::ALIYUN_SMS_API);
        assert_eq!(t.get(minyi::app::outbox::Kind::SmsAnswer), Some("SMS_2"));
        assert_eq!(c.sms.name(), "aliyun");
        // Each required variable, left out, stops the configuration and is named.
        each_is_named_when_missing(&aliyun, 2..aliyun.len());
        let mut bad_templates = aliyun.to_vec();
        bad_templates[5].1 = r#"{"dispatch": "SMS_1"}"#;
        assert!(matches!(
            read(vars(&bad_templates)),
            Err(ConfigError::Invalid(_))
        ));
        let tencent = [
            ("MINYI_ENV", "dev"),
            ("MINYI_SMS_PROVIDER", "tencent"),
            ("MINYI_TENCENT_SECRET_ID", "AKIDx"),
            ("MINYI_TENCENT_SECRET_KEY", "k"),
            ("MINYI_TENCENT_SMS_APP_ID", "1400000000"),
            ("MINYI_SMS_SIGN_NAME", "民意"),
            ("MINYI_SMS_TEMPLATES", templates),
            ("MINYI_SMS_URL", "http://127.0.0.1:9"),
        ];
        let c = read(vars(&tencent)).expect("tencent");
        let SmsProvider::Tencent {
            app_id,
            region,
            endpoint,
            ..
        } = &c.sms
        else {
            panic!("{:?}", c.sms);
        };
        assert_eq!(
            (app_id.as_str(), region.as_str(), endpoint.as_str()),
            ("1400000000", "ap-guangzhou", "http://127.0.0.1:9/")
        );
        each_is_named_when_missing(&tencent, 2..tencent.len() - 1);
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

//! The ports a runtime provides to every function, and the deployment's configuration.

use std::rc::Rc;

use minyi::app::Host;
use minyi::app::outbox::Templates;
use minyi::app::rulebook::InForce;
use minyi::kv::KeyValue;
use minyi::store::Store;

use crate::client::ClientAddress;
use crate::outbound::Reply;

/// Cloudflare Turnstile keys, when the deployment turned the challenge on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turnstile {
    /// The public site key put in the form.
    pub site_key: String,
    /// The secret used to verify a token with Cloudflare.
    pub secret: String,
}

/// Per-client request budgets (fixed windows in the key-value store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Submissions per client per hour.
    pub submissions_per_hour: u32,
    /// Reads (pages, API, Open311) per client per minute.
    pub reads_per_minute: u32,
    /// Query-code attempts per client per hour (guessing private cases).
    pub code_attempts_per_hour: u32,
    /// Query-code attempts on one case per hour, from all clients together: a slow guess
    /// spread over many addresses stays bounded.
    pub code_attempts_per_case_per_hour: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            submissions_per_hour: 20,
            reads_per_minute: 300,
            code_attempts_per_hour: 30,
            code_attempts_per_case_per_hour: 10,
        }
    }
}

/// The deployment's configuration, read from the runtime's variables and secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Secret for query-code hashes and derived codes (`MINYI_SECRET`).
    pub secret: Vec<u8>,
    /// Turnstile, if configured.
    pub turnstile: Option<Turnstile>,
    /// Request budgets.
    pub limits: RateLimits,
    /// How long shared caches may keep a public page (`MINYI_SHARED_CACHE_SECONDS`, default
    /// [`crate::cache::PAGE_SECONDS`]): shorter where no purge reaches the cache (a reverse
    /// proxy in front of Spin, docs/cache.md).
    pub shared_cache_seconds: u32,
    /// Open311 jurisdiction id this deployment answers to, if it names one.
    pub jurisdiction_id: Option<String>,
    /// Where the client's address comes from (the peer unless the deployment trusts a
    /// proxy's header).
    pub client_address: ClientAddress,
    /// The bearer secret of the ops entry (`MINYI_OPS_SECRET`); unset turns it off.
    pub ops_secret: Option<Vec<u8>>,
    /// Where the outbox sends SMS (`MINYI_SMS_PROVIDER`).
    pub sms: SmsProvider,
    /// How the SMS providers' webhooks authenticate.
    pub sms_webhooks: SmsWebhooks,
}

/// How the SMS providers' webhooks authenticate (the SMS function, docs/sms.md). A provider
/// whose secret is unset has no webhook: its paths answer 404.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmsWebhooks {
    /// Twilio's auth token (`MINYI_TWILIO_AUTH_TOKEN`): the key of `X-Twilio-Signature`.
    pub twilio_auth_token: Option<String>,
    /// The public origin the providers call (`MINYI_SMS_PUBLIC_URL`, `https://sms.city.example`):
    /// Twilio signs the whole URL it called, which a proxy in front may have rewritten.
    pub public_url: Option<String>,
    /// The secret path segment of the Aliyun and Tencent callbacks
    /// (`MINYI_SMS_CALLBACK_TOKEN`, at least 32 bytes): neither provider signs its pushes.
    pub callback_token: Option<String>,
    /// The addresses the Aliyun and Tencent callbacks may come from
    /// (`MINYI_SMS_ALLOW_FROM`, comma-separated; empty: any).
    pub allow_from: Vec<String>,
}

/// The SMS provider the outbox delivers through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SmsProvider {
    /// Nothing leaves: each message is written to the log, its number masked (local runs).
    #[default]
    Log,
    /// The city's own SMS gateway: each message POSTed as JSON to `url`
    /// (`MINYI_SMS_URL`), with `Authorization: Bearer <token>` when one is set
    /// (`MINYI_SMS_TOKEN`); docs/outbox.md gives the format.
    Http {
        /// The gateway's endpoint.
        url: String,
        /// Its bearer token, if it takes one.
        token: Option<String>,
    },
    /// Twilio's Messages API (`MINYI_SMS_PROVIDER=twilio`): `MINYI_TWILIO_ACCOUNT_SID`,
    /// `MINYI_TWILIO_AUTH_TOKEN`, and `MINYI_TWILIO_FROM` (a number, or a Messaging Service's
    /// `MG…` id); delivery reports come back to `/sms/twilio/status` when
    /// `MINYI_SMS_PUBLIC_URL` names the SMS Worker's origin.
    Twilio {
        /// The account (`AC…`).
        account_sid: String,
        /// The account's auth token (HTTP basic authentication's password).
        auth_token: String,
        /// The sender: a number, or a Messaging Service (`MG…`).
        from: String,
        /// Where Twilio reports deliveries, if anywhere.
        status_callback: Option<String>,
    },
    /// Aliyun's SendSms (`MINYI_SMS_PROVIDER=aliyun`, docs/sms.md): an approved template per
    /// message kind, signed with the account's AccessKey (RPC style, HMAC-SHA1); the answer's
    /// `BizId` names the message for Aliyun's delivery reports (`/sms/aliyun/{token}/report`).
    Aliyun {
        /// `MINYI_ALIYUN_ACCESS_KEY_ID`.
        access_key_id: String,
        /// `MINYI_ALIYUN_ACCESS_KEY_SECRET` (a secret).
        access_key_secret: String,
        /// The approved signature (`MINYI_SMS_SIGN_NAME`, e.g. `民意`).
        sign_name: String,
        /// The template of each kind (`MINYI_SMS_TEMPLATES`).
        templates: Templates,
        /// Where SendSms is called: [`ALIYUN_SMS_API`], or `MINYI_SMS_URL` when set (a
        /// regional endpoint, or a loopback fake in tests).
        endpoint: String,
    },
    /// Tencent Cloud's SendSms (`MINYI_SMS_PROVIDER=tencent`, API 3.0, TC3-HMAC-SHA256): an
    /// approved template per message kind; `SendStatusSet[0].SerialNo` names the message for
    /// Tencent's delivery reports (`/sms/tencent/{token}/status`).
    Tencent {
        /// `MINYI_TENCENT_SECRET_ID`.
        secret_id: String,
        /// `MINYI_TENCENT_SECRET_KEY` (a secret).
        secret_key: String,
        /// The SMS application (`MINYI_TENCENT_SMS_APP_ID`, SmsSdkAppId).
        app_id: String,
        /// The API region (`MINYI_TENCENT_REGION`, default `ap-guangzhou`).
        region: String,
        /// The approved signature (`MINYI_SMS_SIGN_NAME`).
        sign_name: String,
        /// The template of each kind (`MINYI_SMS_TEMPLATES`).
        templates: Templates,
        /// Where SendSms is called: [`TENCENT_SMS_API`], or `MINYI_SMS_URL` when set.
        endpoint: String,
    },
}

impl SmsProvider {
    /// The provider's name as the outbox records it (`provider`), and as the delivery reports
    /// look messages up.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Http { .. } => "http",
            Self::Twilio { .. } => "twilio",
            Self::Aliyun { .. } => "aliyun",
            Self::Tencent { .. } => "tencent",
        }
    }
}

/// Aliyun's SMS API (SendSms, version 2017-05-25).
pub const ALIYUN_SMS_API: &str = "https://dysmsapi.aliyuncs.com/";
/// Tencent Cloud's SMS API (SendSms, version 2021-01-11).
pub const TENCENT_SMS_API: &str = "https://sms.tencentcloudapi.com/";

/// The first part of every Twilio Messages API URL: the only Twilio URLs the outbox calls.
pub const TWILIO_API: &str = "https://api.twilio.com/2010-04-01/Accounts/";

/// What a runtime provides: storage, key-value, clock and randomness, configuration, and
/// outbound HTTP.
#[allow(async_fn_in_trait)]
pub trait Env {
    /// The SQL store.
    type Store: Store;
    /// The key-value store.
    type Kv: KeyValue;
    /// Clock and randomness.
    type Host: Host;

    /// The SQL store.
    fn store(&self) -> &Self::Store;
    /// The key-value store.
    fn kv(&self) -> &Self::Kv;
    /// Clock and randomness.
    fn host(&self) -> &Self::Host;
    /// Configuration.
    fn config(&self) -> &Config;

    /// The rules in force: the calendar (built-in years plus the store's) and the latest
    /// rulebook, kept by the instance for [`Env::rules_ttl_ms`] ([`crate::rules`]).
    async fn rules(&self) -> Result<Rc<InForce>, crate::WebError> {
        crate::rules::in_force(self).await
    }

    /// How long this runtime's instances keep the rules they read; 0 reads them for every
    /// request (tests that change them between requests).
    fn rules_ttl_ms(&self) -> i64 {
        crate::rules::TTL_MS
    }

    /// Whether read budgets are counted in the key-value store (a coarse window shared by
    /// every instance) rather than in the instance's memory. Runtimes whose instances serve
    /// few requests each (Spin reuses one for at most 128) say yes; a Workers isolate lives
    /// across many requests and counts reads in memory.
    fn reads_in_kv(&self) -> bool {
        false
    }

    /// Writes one line to the runtime's log (never personal data).
    fn log(&self, line: &str);

    /// Makes the shared caches in front of the public pages drop what they keep under `keys`
    /// (paths with canonical queries, [`crate::cache`]) after a change. A runtime without a
    /// cache it can reach does nothing: its reverse proxy's copies expire within
    /// [`crate::cache::PAGE_SECONDS`] (docs/cache.md). Never fails the change: a purge that
    /// does not go through is logged and the copies expire.
    async fn purge(&self, keys: &[String]) {
        let _ = keys;
    }

    /// Sends one POST with `headers` to an outside service and returns (status, body): the
    /// runtime's raw call. Functions call [`crate::outbound`], which checks the URL first.
    async fn send_post(&self, url: &str, headers: &[(&str, &str)], body: String) -> Reply;
}

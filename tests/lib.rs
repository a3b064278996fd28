//! Helpers shared by the integration tests.

pub mod desk_client;
pub mod http_client;

use minyi::app::Host;
use minyi::calendar::Timestamp;
use std::cell::{Cell, RefCell};

/// A host whose clock the test sets and whose random bytes come from a counter: runs repeat.
pub struct TestHost {
    now: Cell<Timestamp>,
    counter: RefCell<u64>,
    repeats: Cell<u32>,
    draws: Cell<u64>,
}

impl TestHost {
    /// A host whose clock reads `now`.
    pub fn at(now: Timestamp) -> Self {
        Self {
            now: Cell::new(now),
            counter: RefCell::new(1),
            repeats: Cell::new(0),
            draws: Cell::new(0),
        }
    }

    /// Moves the clock.
    pub fn set(&self, now: Timestamp) {
        self.now.set(now);
    }

    /// Makes the next `n` random draws repeat the previous one (to force identifier
    /// collisions).
    pub fn repeat_next_draws(&self, n: u32) {
        self.repeats.set(n);
    }

    /// How many random draws were made.
    pub fn draws(&self) -> u64 {
        self.draws.get()
    }
}

impl Host for TestHost {
    fn now(&self) -> Timestamp {
        self.now.get()
    }

    fn fill_random(&self, buf: &mut [u8]) {
        let mut counter = self.counter.borrow_mut();
        self.draws.set(self.draws.get() + 1);
        if self.repeats.get() > 0 {
            self.repeats.set(self.repeats.get() - 1);
        } else {
            *counter = counter
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
        }
        for (i, b) in buf.iter_mut().enumerate() {
            *b = counter.to_le_bytes()[i % 8];
        }
    }
}

/// A key-value store in memory, with expiry against the test host's clock ignored (tests run
/// inside one window).
#[derive(Default)]
pub struct MemoryKv(RefCell<std::collections::HashMap<String, String>>);

impl minyi::kv::KeyValue for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, minyi::kv::KvError> {
        Ok(self.0.borrow().get(key).cloned())
    }

    async fn put(&self, key: &str, value: &str, _ttl: u32) -> Result<(), minyi::kv::KvError> {
        self.0.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
}

/// A form posted to an outside service: URL and fields.
pub type OutboundForm = (String, Vec<(String, String)>);

/// A message posted to the SMS gateway: URL, `Authorization` header, JSON body.
pub type GatewayPost = (String, Option<String>, serde_json::Value);

/// The ops secret of [`NativeEnv`] (`Authorization: Bearer …` on `/ops/...`).
pub const OPS_SECRET: &str = "native ops secret, thirty-two bytes or more";

/// The whole site on native adapters: SQLite in memory, KV in memory, a settable clock.
pub struct NativeEnv {
    /// The store (migrated, with demo departments).
    pub store: minyi_sqlite::SqliteStore,
    /// The key-value store.
    pub kv: MemoryKv,
    /// The clock and randomness.
    pub host: TestHost,
    /// Configuration.
    pub config: minyi_web::Config,
    /// Forms posted to outside services (Turnstile).
    pub outbound: RefCell<Vec<OutboundForm>>,
    /// What outside services answer: a status and body, or a failure to reach them.
    pub outbound_reply: Result<(u16, String), String>,
    /// Every log line the serve path and the functions wrote.
    pub logs: RefCell<Vec<String>>,
    /// Messages posted to the SMS gateway (`SmsProvider::Http`).
    pub gateway: RefCell<Vec<GatewayPost>>,
    /// The gateway's next answers, in order; once empty it accepts with `{"id": "gw-N"}`.
    pub gateway_replies: RefCell<std::collections::VecDeque<minyi_web::outbound::Reply>>,
}

impl NativeEnv {
    /// A fresh site at `now` with departments 1 (市城管局) and 2 (市水务局).
    pub fn new(now: Timestamp) -> Self {
        use minyi::store::{Statement, Store};
        let store = minyi_sqlite::SqliteStore::open_in_memory().expect("open");
        store.migrate().expect("migrate");
        pollster::block_on(store.batch(vec![
            Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (1, 'urban', '市城管局', 'Urban Management Bureau')"),
            Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (2, 'water', '市水务局', 'Water Bureau')"),
        ]))
        .expect("departments");
        Self {
            store,
            kv: MemoryKv::default(),
            host: TestHost::at(now),
            config: minyi_web::Config {
                secret: b"native test secret, 32 bytes at least".to_vec(),
                turnstile: None,
                // Requests without a client address share one budget: generous here, so tests
                // that are not about budgets never meet it.
                limits: minyi_web::RateLimits {
                    submissions_per_hour: 10_000,
                    reads_per_minute: 100_000,
                    code_attempts_per_hour: 10_000,
                    code_attempts_per_case_per_hour: 10_000,
                },
                shared_cache_seconds: minyi_web::cache::PAGE_SECONDS,
                jurisdiction_id: None,
                client_address: minyi_web::client::ClientAddress::Peer,
                ops_secret: Some(OPS_SECRET.as_bytes().to_vec()),
                sms: minyi_web::SmsProvider::Log,
                sms_webhooks: minyi_web::SmsWebhooks::default(),
            },
            outbound: RefCell::new(Vec::new()),
            outbound_reply: Ok((200, r#"{"success": true}"#.into())),
            logs: RefCell::default(),
            gateway: RefCell::default(),
            gateway_replies: RefCell::default(),
        }
    }

    /// Answers a request as Spin's submit component does: the shared serve path with the
    /// public unit (submit, lookup).
    pub fn send(&self, req: &minyi_web::Request) -> minyi_web::Response {
        self.serve(req, minyi_site::public)
    }

    /// Answers a request as Spin's lookup component does: the same serve path with the reads
    /// unit (lookup alone).
    pub fn send_reads(&self, req: &minyi_web::Request) -> minyi_web::Response {
        self.serve(req, minyi_site::reads)
    }

    /// Answers a request as the public Cloudflare Workers do: the front unit in front, or,
    /// for what `minyi_site::is_back` names, the back unit behind it.
    pub fn send_workers(&self, req: &minyi_web::Request) -> minyi_web::Response {
        if minyi_site::is_back(req.method, &req.path) {
            self.serve(req, minyi_site::back)
        } else {
            self.serve(req, minyi_site::front)
        }
    }

    /// Answers a request through the shared serve path with `unit`.
    pub fn serve(
        &self,
        req: &minyi_web::Request,
        unit: impl AsyncFn(&Self, &minyi_web::Request) -> Option<minyi_web::Response>,
    ) -> minyi_web::Response {
        pollster::block_on(minyi_web::serve::serve(
            Ok(self),
            Ok(req.clone()),
            unit,
            |line| minyi_web::Env::log(self, line),
        ))
    }

    /// Answers a request as the SMS Worker does: the same serve path with the provider unit.
    pub fn send_provider(&self, req: &minyi_web::Request) -> minyi_web::Response {
        self.serve(req, minyi_site::provider)
    }

    /// Answers a request as the staff hostname's Worker does: the same serve path with the
    /// staff unit (ops, desk).
    pub fn send_desk(&self, req: &minyi_web::Request) -> minyi_web::Response {
        self.serve(req, minyi_site::staff)
    }
}

impl minyi_web::Env for NativeEnv {
    type Store = minyi_sqlite::SqliteStore;
    type Kv = MemoryKv;
    type Host = TestHost;

    fn store(&self) -> &Self::Store {
        &self.store
    }

    fn kv(&self) -> &Self::Kv {
        &self.kv
    }

    fn host(&self) -> &Self::Host {
        &self.host
    }

    fn config(&self) -> &minyi_web::Config {
        &self.config
    }

    /// Rules are read for every request: tests change them between requests.
    fn rules_ttl_ms(&self) -> i64 {
        0
    }

    fn log(&self, line: &str) {
        eprintln!("{line}");
        self.logs.borrow_mut().push(line.to_owned());
    }

    async fn send_post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> minyi_web::outbound::Reply {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| (*v).to_owned())
        };
        // JSON: the city's gateway, or Tencent Cloud's SendSms (`; charset=utf-8`).
        if header("content-type").is_some_and(|c| c.starts_with("application/json")) {
            let mut gateway = self.gateway.borrow_mut();
            gateway.push((
                url.into(),
                header("authorization"),
                serde_json::from_str(&body).expect("the gateway is sent JSON"),
            ));
            let accepted = format!(r#"{{"id": "gw-{}"}}"#, gateway.len());
            return self
                .gateway_replies
                .borrow_mut()
                .pop_front()
                .unwrap_or(Ok((200, accepted)));
        }
        assert_eq!(
            header("content-type").as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        self.outbound.borrow_mut().push((
            url.into(),
            form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect(),
        ));
        self.outbound_reply.clone()
    }
}

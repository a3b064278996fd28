//! The loaded application: every component compiled and pre-linked once, and a fresh store
//! (a fresh instance) per request or cron run, as Spin does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmtime::component::Component;
use wasmtime::error::Context;
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{HostWallClock, WasiCtx};
use wasmtime_wasi_http::p3::bindings::ServicePre;

use crate::bindings::cron::SpinCronPre;
use crate::key_value::KeyValue;
use crate::manifest::{Grants, Manifest};
use crate::outbound;
use crate::sqlite::Databases;
use crate::state::{self, Backends, SpinCtx, State};

/// A component ready to instantiate.
pub struct Loaded<P> {
    /// Its grants.
    pub grants: Arc<Grants>,
    /// The pre-linked component.
    pub pre: P,
}

/// The application the host serves.
pub struct App {
    engine: Engine,
    /// The manifest (routes and cron triggers).
    pub manifest: Manifest,
    /// Components behind HTTP routes.
    pub http: BTreeMap<String, Loaded<ServicePre<State>>>,
    /// Components behind cron triggers.
    pub cron: BTreeMap<String, Loaded<SpinCronPre<State>>>,
    backends: Arc<Backends>,
}

impl App {
    /// Compiles the manifest's components (`sources` replaces a component's `source` by
    /// id) and opens the state under `state_dir` (`sqlite_db.db`, `sqlite_key_value.db`);
    /// outbound HTTP follows `outbound`.
    pub fn load(
        manifest: Manifest,
        sources: &BTreeMap<String, PathBuf>,
        state_dir: &Path,
        outbound: outbound::Policy,
    ) -> wasmtime::Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model_async(true);
        let engine = Engine::new(&config)?;
        let linker = state::linker(&engine)?;
        std::fs::create_dir_all(state_dir)?;
        let backends = Arc::new(Backends {
            databases: Databases::new(state_dir.join("sqlite_db.db")),
            key_value: KeyValue::open(&state_dir.join("sqlite_key_value.db"))?,
            outbound: Arc::new(outbound),
        });

        let mut http = BTreeMap::new();
        let mut cron = BTreeMap::new();
        for (id, c) in &manifest.components {
            let serves_http = manifest.routes.iter().any(|r| r.component == *id);
            let serves_cron = manifest.crons.iter().any(|t| t.component == *id);
            if !serves_http && !serves_cron {
                continue;
            }
            let source = sources.get(id).unwrap_or(&c.source);
            let component = Component::from_file(&engine, source)
                .with_context(|| format!("component {id}: loading {}", source.display()))?;
            let grants = Arc::new(c.grants.clone());
            let pre = linker
                .instantiate_pre(&component)
                .with_context(|| format!("component {id}: an import this host lacks"))?;
            if serves_http {
                let pre = ServicePre::new(pre.clone())
                    .with_context(|| format!("component {id}: no wasi:http/handler export"))?;
                http.insert(
                    id.clone(),
                    Loaded {
                        grants: Arc::clone(&grants),
                        pre,
                    },
                );
            }
            if serves_cron {
                let pre = SpinCronPre::new(pre)
                    .with_context(|| format!("component {id}: no handle-cron-event export"))?;
                cron.insert(id.clone(), Loaded { grants, pre });
            }
        }
        Ok(Self {
            engine,
            manifest,
            http,
            cron,
            backends,
        })
    }

    /// The databases (for `--sqlite` statements at startup).
    pub fn databases(&self) -> &Databases {
        &self.backends.databases
    }

    /// A fresh store for one instance of a component with `grants`. `clock` replaces the
    /// wall clock the instance sees (the cron test hook runs a sweep "at" a later time).
    pub fn store(&self, grants: &Arc<Grants>, clock: Option<SystemTime>) -> Store<State> {
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stdout().inherit_stderr();
        if let Some(at) = clock {
            wasi.wall_clock(ShiftedClock::to(at));
        }
        let spin = SpinCtx {
            grants: Arc::clone(grants),
            backends: Arc::clone(&self.backends),
        };
        Store::new(&self.engine, State::new(wasi.build(), spin))
    }
}

/// A wall clock running at real speed from a chosen instant.
struct ShiftedClock {
    offset_ms: i128,
}

impl ShiftedClock {
    fn to(at: SystemTime) -> Self {
        let ms = |t: SystemTime| match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i128::try_from(d.as_millis()).unwrap_or(i128::MAX),
            Err(e) => -i128::try_from(e.duration().as_millis()).unwrap_or(i128::MAX),
        };
        Self {
            offset_ms: ms(at) - ms(SystemTime::now()),
        }
    }
}

impl HostWallClock for ShiftedClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let shifted = i128::try_from(real).unwrap_or(i128::MAX) + self.offset_ms;
        Duration::from_millis(u64::try_from(shifted.max(0)).unwrap_or(u64::MAX))
    }
}

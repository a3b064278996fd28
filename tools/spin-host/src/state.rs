//! What one component instance runs with: WASI, WASI HTTP, the Spin interfaces, and the
//! grants its manifest entry gives it.

use std::sync::Arc;

use wasmtime::component::{HasData, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::bindings;
use crate::key_value::KeyValue;
use crate::manifest::Grants;
use crate::outbound::{self, Outbound};
use crate::sqlite::Databases;

/// Backends every component shares.
pub struct Backends {
    /// The SQLite databases.
    pub databases: Databases,
    /// The key-value stores.
    pub key_value: KeyValue,
    /// What happens to outbound HTTP.
    pub outbound: Arc<outbound::Policy>,
}

/// The Spin side of an instance's state.
pub struct SpinCtx {
    /// What the component may use.
    pub grants: Arc<Grants>,
    /// Where its data lives.
    pub backends: Arc<Backends>,
}

/// The store data of one instance.
pub struct State {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    outbound: Outbound,
    spin: SpinCtx,
}

/// A borrow of what the Spin interface implementations need.
pub struct SpinView<'a> {
    /// The component's grants and the backends.
    pub ctx: &'a SpinCtx,
    /// The instance's resources (connections, stores).
    pub table: &'a mut ResourceTable,
}

/// Marks the Spin interface implementations (see `wasmtime::component::HasData`).
pub struct SpinApi;

impl HasData for SpinApi {
    type Data<'a> = SpinView<'a>;
}

impl State {
    /// Fresh state for one instance of a component.
    pub fn new(wasi: WasiCtx, spin: SpinCtx) -> Self {
        let outbound = Outbound::new(
            Arc::clone(&spin.grants),
            Arc::clone(&spin.backends.outbound),
        );
        Self {
            table: ResourceTable::new(),
            wasi,
            http: WasiHttpCtx::new(),
            outbound,
            spin,
        }
    }

    /// The Spin interfaces' view of this state.
    pub fn spin(&mut self) -> SpinView<'_> {
        SpinView {
            ctx: &self.spin,
            table: &mut self.table,
        }
    }

    /// The outbound HTTP hooks (for converting an incoming request).
    pub fn outbound(&mut self) -> &mut Outbound {
        &mut self.outbound
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

/// A linker with everything a Minyi component may import under Spin 4.1: WASI 0.2 and 0.3,
/// WASI HTTP 0.3, the three Spin interfaces, and the cron plugin's (type-only) interface.
pub fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<State>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    bindings::spin::SpinImports::add_to_linker::<_, SpinApi>(&mut linker, State::spin)?;
    linker.instance("fermyon:spin-cron/cron-types@2.0.0")?;
    Ok(linker)
}

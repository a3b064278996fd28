//! Host-side bindings: the Spin interfaces the components import, and the cron plugin's
//! world the sweep component exports.

/// `spin:sqlite`, `spin:key-value` and `spin:variables` (wit/).
pub mod spin {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "minyi:spin-host/spin-imports",
        imports: { default: trappable },
        with: {
            "spin:sqlite/sqlite.connection": crate::sqlite::Connection,
            "spin:key-value/key-value.store": crate::key_value::Store,
        },
    });
}

/// The `spin-trigger-cron` plugin's world, read from the sweep component's own copy.
pub mod cron {
    wasmtime::component::bindgen!({
        path: "../../adapters/spin/sweep/wit",
        world: "spin-cron",
        exports: { default: async | store },
    });
}

//! # minyi-spin
//!
//! The Fermyon Spin shell of Minyi (spin-sdk 7, Spin 4.1+, WASI 0.3, `wasm32-wasip2`): what
//! every Spin component of the application shares.
//!
//! - [`SpinStore`] implements the storage port over Spin SQLite, [`SpinKv`] the key-value port
//!   over Spin key-value (with expiry kept in the value, see [`expiry`]), [`SpinHost`] the clock
//!   and randomness over WASI.
//! - [`serve`] converts a Spin request into a [`minyi_web::Request`] (refusing bodies over
//!   [`minyi_web::MAX_BODY_BYTES`] with 413), builds the [`SpinEnv`] from Spin variables, runs
//!   the component's function(s), answers 404 when none answers, and converts the response
//!   back. The component crates (`adapters/spin/{submit,lookup,sweep}`) are thin shells over it.
//! - With the `contract` feature (test builds only: it compiles only with
//!   `MINYI_CONTRACT_BUILD=1`, see `build.rs`), `POST /__contract` from a caller holding the
//!   secret runs the store contract against Spin SQLite.
//!
//! The platform-neutral parts ([`config`], [`expiry`]) are unit-tested natively;
//! everything that touches spin-sdk compiles only for `wasm32`.

#[cfg(all(feature = "contract", not(minyi_contract)))]
compile_error!(
    "the `contract` feature adds a test endpoint and must never be released: build it only \
     for tests, with MINYI_CONTRACT_BUILD=1 (scripts/worker-test and scripts/spin-test do)"
);

pub mod config;
pub mod expiry;

#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod kv;
#[cfg(target_arch = "wasm32")]
mod serve;
#[cfg(target_arch = "wasm32")]
mod store;

#[cfg(target_arch = "wasm32")]
pub use host::SpinHost;
#[cfg(target_arch = "wasm32")]
pub use kv::SpinKv;
#[cfg(target_arch = "wasm32")]
pub use serve::{SpinEnv, SpinResponse, serve};
#[cfg(target_arch = "wasm32")]
pub use store::SpinStore;

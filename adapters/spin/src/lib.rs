//! # minyi-spin
//!
//! The Fermyon Spin shell of Minyi (spin-sdk 7, Spin 4.1+, WASI 0.3, `wasm32-wasip2`): what
//! every Spin component of the application shares.
//!
//! - [`SpinStore`] implements the storage port over Spin SQLite, [`SpinKv`] the key-value port
//!   over Spin key-value (with expiry kept in the value, see [`expiry`]), [`SpinHost`] the clock
//!   and randomness over WASI.
//! - [`serve`] converts a Spin request into a [`minyi_web::Request`], builds the [`SpinEnv`]
//!   from Spin variables, serves it with the component's unit of `minyi-site` through the
//!   shared serve path, and converts the response back. The component crates
//!   (`adapters/spin/{submit,lookup,ops,desk,sweep}`) are one call each.
//!
//! The platform-neutral parts ([`config`], [`expiry`]) are unit-tested natively;
//! everything that touches spin-sdk compiles only for `wasm32`.

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

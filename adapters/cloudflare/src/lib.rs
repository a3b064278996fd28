//! # minyi-cloudflare
//!
//! The Cloudflare Workers shell of Minyi, built twice: the public Worker (`minyi-site`'s public
//! unit: submit, lookup) and, with the `desk` feature, the staff hostname's Worker (the staff
//! unit: ops, desk) with the sweep on its cron trigger. Both use one D1 database and one KV
//! namespace.
//!
//! - [`D1Store`] implements the storage port over D1, [`KvStore`] the key-value port over
//!   Workers KV, [`WorkerHost`] the clock and randomness over the JavaScript runtime.
//! - The `fetch` entry converts a Workers request into a [`minyi_web::Request`] (its body
//!   read through [`minyi_web::BodyReader`]), answers through [`minyi_web::serve::serve`]
//!   with the build's unit, and converts the response back; `scheduled` (desk build only)
//!   runs `minyi_ops::sweep`.
//! - With the `contract` feature (test builds only, see `functions/site/build.rs`),
//!   `POST /__contract` from a caller holding the secret runs the store contract against D1.
//!
//! The platform-neutral parts (error mapping, placeholder rewriting) are in
//! [`errors`] and [`sql`] (configuration is read by `minyi_web::vars`) and are unit-tested natively; everything that touches the
//! Workers runtime compiles only for `wasm32`.

pub mod errors;
pub mod sql;

#[cfg(target_arch = "wasm32")]
mod behind;
#[cfg(target_arch = "wasm32")]
mod d1;
#[cfg(target_arch = "wasm32")]
mod edge;
#[cfg(target_arch = "wasm32")]
mod entry;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod kv;

#[cfg(target_arch = "wasm32")]
pub use d1::D1Store;
#[cfg(target_arch = "wasm32")]
pub use host::WorkerHost;
#[cfg(target_arch = "wasm32")]
pub use kv::KvStore;

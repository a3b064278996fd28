//! # minyi-cloudflare
//!
//! The Cloudflare Workers shell of Minyi: the submit and lookup functions composed into one
//! Worker (one wasm, one D1 database, one KV namespace, the sweep's cron trigger).
//!
//! - [`D1Store`] implements the storage port over D1, [`KvStore`] the key-value port over
//!   Workers KV, [`WorkerHost`] the clock and randomness over the JavaScript runtime.
//! - The `fetch` entry converts a Workers request into a [`minyi_web::Request`] (refusing
//!   bodies over [`minyi_web::MAX_BODY_BYTES`] before reading them whole), answers through
//!   [`minyi_web::serve::serve`] with submit, then lookup, and converts the response back.
//! - With the `contract` feature (test builds only: it compiles only with
//!   `MINYI_CONTRACT_BUILD=1`, see `build.rs`), `POST /__contract` from a caller holding the
//!   secret runs the store contract against D1 and answers with its report.
//!
//! The platform-neutral parts (error mapping, placeholder rewriting) are in
//! [`errors`] and [`sql`] (configuration is read by `minyi_web::vars`) and are unit-tested natively; everything that touches the
//! Workers runtime compiles only for `wasm32`.

#[cfg(all(feature = "contract", not(minyi_contract)))]
compile_error!(
    "the `contract` feature adds a test endpoint and must never be released: build it only \
     for tests, with MINYI_CONTRACT_BUILD=1 (scripts/worker-test and scripts/spin-test do)"
);

pub mod errors;
pub mod sql;

#[cfg(target_arch = "wasm32")]
mod d1;
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

//! The `contract` feature adds a test endpoint (`POST /__contract`, which runs the store
//! contract against the database). It must never reach a release: the crate refuses to
//! compile with the feature unless the test-only cfg `minyi_contract` is set, which this
//! script sets only when the environment says `MINYI_CONTRACT_BUILD=1` (the test scripts do).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(minyi_contract)");
    println!("cargo::rerun-if-env-changed=MINYI_CONTRACT_BUILD");
    if std::env::var_os("MINYI_CONTRACT_BUILD").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=minyi_contract");
    }
}

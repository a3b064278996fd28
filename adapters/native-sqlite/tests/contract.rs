//! The store contract suite against the native SQLite adapter.

use minyi_sqlite::SqliteStore;

#[test]
fn in_memory_store_passes_the_contract() {
    let store = SqliteStore::open_in_memory().expect("open");
    store.migrate().expect("migrate");
    let report = pollster::block_on(minyi_store_contract::run_all(&store));
    println!("{report}");
    assert!(report.is_success(), "{report}");
    assert_eq!(
        report.results().len(),
        minyi_store_contract::CHECKS.len() + 1,
        "every check ran (plus setup)"
    );
}

#[test]
fn the_contract_can_run_twice_on_one_database() {
    // A persistent database (local D1, a Spin file) may see the suite more than once.
    let store = SqliteStore::open_in_memory().expect("open");
    store.migrate().expect("migrate");
    for run in 1..=2 {
        let report = pollster::block_on(minyi_store_contract::run_all(&store));
        assert!(report.is_success(), "run {run}:\n{report}");
    }
}

#[test]
fn the_contract_fails_without_the_schema() {
    let store = SqliteStore::open_in_memory().expect("open");
    let report = pollster::block_on(minyi_store_contract::run_all(&store));
    assert!(!report.is_success(), "{report}");
    assert_eq!(report.results().len(), 1, "stops after setup:\n{report}");
    assert!(
        report.to_string().ends_with("0 passed, 1 failed"),
        "{report}"
    );
}

//! Sweep cost against database size: a store with 10,000 cases and one with 1,000,000, each
//! with the same 1,000 cases due for escalation (every other open case has its duties in the
//! future), drained by consecutive bounded runs. Prints the fill and drain times and their
//! ratio (goal ≤ 1.5: the cost grows with the work due, not with the database).
//! `cargo bench -p minyi-sqlite --bench sweep` (`SWEEP_BENCH_LARGE=200000` for a quicker run).

use std::time::Instant;

use minyi::app::Host;
use minyi::app::cases::Rules;
use minyi::app::sweep::{self, BATCH};
use minyi::calendar::{Calendar, Timestamp};
use minyi::policy::Policy;
use minyi::store::{Statement, Store};
use minyi_sqlite::SqliteStore;
use pollster::block_on;

const DUE: i64 = 1_000;
/// 2026-11-26 12:00 UTC.
const NOW_MS: i64 = 1_795_003_200_000;

struct Clock;

impl Host for Clock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millisecond(NOW_MS).expect("instant")
    }
    fn fill_random(&self, buf: &mut [u8]) {
        buf.fill(7);
    }
}

/// A migrated in-memory store with `total` open cases, of which the first [`DUE`] are due for
/// escalation now and the rest due in a month.
fn fill(total: i64) -> SqliteStore {
    let store = SqliteStore::open_in_memory().expect("open");
    store.migrate().expect("migrate");
    let day = 86_400_000_i64;
    block_on(store.batch(vec![
        Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (1, 'urban', '城管', 'Urban')"),
        Statement::new(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
             INSERT INTO \"case\" (id, tracking_no, channel, category, urgency, complexity, title, \
               body, publish_consent, status, version, round, lead_department_id, received_at, \
               updated_at, due_at, escalate_at) \
             SELECT i, printf('T%08d', i), 'web', 'complaint', 'normal', 'ordinary', '路灯', \
               '路灯不亮', 1, 'in_progress', 1, 1, 1, ? - 10 * ?, ? - 10 * ?, \
               CASE WHEN i <= ? THEN ? - ? ELSE ? + 30 * ? END, \
               CASE WHEN i <= ? THEN ? - ? ELSE ? + 30 * ? END FROM n",
        )
        .bind(total)
        .bind(NOW_MS)
        .bind(day)
        .bind(NOW_MS)
        .bind(day)
        .bind(DUE)
        .bind(NOW_MS)
        .bind(day)
        .bind(NOW_MS)
        .bind(day)
        .bind(DUE)
        .bind(NOW_MS)
        .bind(day)
        .bind(NOW_MS)
        .bind(day),
        Statement::new("ANALYZE"),
    ]))
    .expect("fill");
    store
}

/// Consecutive runs until nothing is left: the number of runs and the cases escalated.
fn drain(store: &SqliteStore) -> (u32, u32) {
    let calendar = Calendar::builtin();
    let policy = Policy::default();
    let rules = Rules {
        calendar: &calendar,
        policy: &policy,
        rulebook: 0,
        secret: b"bench secret, not a real one",
    };
    let (mut runs, mut escalated) = (0, 0);
    loop {
        let report = block_on(sweep::run(store, &Clock, rules, BATCH)).expect("run");
        runs += 1;
        escalated += report.escalated;
        if !report.more && report.escalated == 0 {
            return (runs, escalated);
        }
    }
}

fn main() {
    let large: i64 = std::env::var("SWEEP_BENCH_LARGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("sweep bench: {DUE} cases due, drained in runs of at most {BATCH} cases");
    let mut drains = Vec::new();
    for total in [10_000, large] {
        let started = Instant::now();
        let store = fill(total);
        let filled = started.elapsed();
        let started = Instant::now();
        let (runs, escalated) = drain(&store);
        let drained = started.elapsed();
        assert_eq!(i64::from(escalated), DUE, "every due case escalated once");
        println!(
            "{total:>9} cases: filled in {:>7.2} s; drained {escalated} due in {runs} runs, {:>8.1} ms ({:.0} µs per case)",
            filled.as_secs_f64(),
            drained.as_secs_f64() * 1e3,
            drained.as_secs_f64() * 1e6 / DUE as f64
        );
        drains.push(drained.as_secs_f64());
    }
    println!(
        "ratio {large} / 10000 cases: {:.2} (goal ≤ 1.5)",
        drains[1] / drains[0]
    );
}

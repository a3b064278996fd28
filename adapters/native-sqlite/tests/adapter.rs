//! What the native adapter does beyond the shared contract: migrations, files, locking,
//! and the query plans the sweep and the statistics depend on.

use std::path::PathBuf;
use std::time::Duration;

use minyi::app::cases::{self, Duty};
use minyi::app::{statistics, sweep};
use minyi::store::script::statements;
use minyi::store::{MIGRATIONS, Row, Statement, Store, StoreError};
use minyi_sqlite::SqliteStore;

fn block_on<F: Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

fn migrated() -> SqliteStore {
    let store = SqliteStore::open_in_memory().expect("open");
    store.migrate().expect("migrate");
    store
}

fn query(store: &SqliteStore, sql: &'static str) -> Vec<Row> {
    block_on(store.query(Statement::new(sql))).expect(sql)
}

/// A directory under the system temp dir, removed when dropped (even if the test fails).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("minyi-sqlite-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn migrate_applies_each_migration_once() {
    let store = SqliteStore::open_in_memory().expect("open");
    let all: Vec<&str> = MIGRATIONS.iter().map(|(name, _)| *name).collect();
    assert_eq!(store.migrate().expect("first"), all);
    assert_eq!(store.migrate().expect("second"), Vec::<&str>::new());
    let rows = query(&store, "SELECT count(*) AS n FROM d1_migrations");
    assert_eq!(rows[0].get::<i64>("n"), Ok(all.len() as i64));
}

/// The schema as SQLite keeps it: every table, index, trigger and view with its SQL text.
fn schema(store: &SqliteStore) -> Vec<(String, String, Option<String>)> {
    query(
        store,
        "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' \
         ORDER BY type, name",
    )
    .iter()
    .map(|r| {
        (
            r.get("type").expect("type"),
            r.get("name").expect("name"),
            r.get("sql").expect("sql"),
        )
    })
    .collect()
}

#[test]
fn migrations_applied_in_steps_give_the_schema_applied_at_once() {
    let at_once = SqliteStore::open_in_memory().expect("open");
    at_once.migrate().expect("all");
    let expected = schema(&at_once);
    assert!(
        expected.iter().any(|(_, name, _)| name == "rulebook"),
        "the latest migration ran"
    );
    // Every way of stopping part way and resuming later: after 0001, after 0002, ...
    for (stop, _) in MIGRATIONS {
        let stepped = SqliteStore::open_in_memory().expect("open");
        let first = stepped.migrate_through(Some(stop)).expect("first part");
        assert_eq!(first.last(), Some(stop));
        let rest = stepped.migrate().expect("the rest");
        assert_eq!(first.len() + rest.len(), MIGRATIONS.len());
        assert_eq!(schema(&stepped), expected, "stopped after {stop}");
    }
}

#[test]
fn every_migration_file_is_embedded_in_order_and_gives_the_files_schema() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("read migrations/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("read"))
        })
        .collect();
    files.sort();
    let names = |list: &[(String, String)]| list.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    let embedded: Vec<(String, String)> = MIGRATIONS
        .iter()
        .map(|(name, sql)| ((*name).to_owned(), (*sql).to_owned()))
        .collect();
    assert_eq!(
        names(&files),
        names(&embedded),
        "every file of migrations/, in order"
    );
    for ((name, file), (_, sql)) in files.iter().zip(&embedded) {
        assert_eq!(
            statements(sql),
            statements(file),
            "{name}: the file's statements"
        );
        assert!(
            !sql.lines().any(|line| line.starts_with("--")),
            "{name}: the comments between statements stay in the file"
        );
    }
    // The files as wrangler applies them, whole, comments and all, on one database; the
    // embedded statements on another: SQLite keeps the same schema text.
    let temp = TempDir::new("files");
    let path = temp.0.join("files.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    for (name, file) in &files {
        conn.execute_batch(file)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    drop(conn);
    let from_files = SqliteStore::open(&path).expect("reopen");
    let mut expected = schema(&migrated());
    expected.retain(|(_, name, _)| name != "d1_migrations");
    assert_eq!(schema(&from_files), expected);
}

#[test]
fn applied_migrations_are_recorded_as_wrangler_does() {
    let store = migrated();
    let columns = query(
        &store,
        "SELECT name, type, \"notnull\" AS not_null, pk FROM pragma_table_info('d1_migrations') \
         ORDER BY cid",
    );
    let columns: Vec<(String, String, i64, i64)> = columns
        .iter()
        .map(|r| {
            (
                r.get("name").expect("name"),
                r.get("type").expect("type"),
                r.get("not_null").expect("notnull"),
                r.get("pk").expect("pk"),
            )
        })
        .collect();
    assert_eq!(
        columns,
        vec![
            ("id".into(), "INTEGER".into(), 0, 1),
            ("name".into(), "TEXT".into(), 0, 0),
            ("applied_at".into(), "TIMESTAMP".into(), 1, 0),
        ]
    );
    let rows = query(
        &store,
        "SELECT id, name, applied_at FROM d1_migrations ORDER BY id",
    );
    assert_eq!(rows.len(), MIGRATIONS.len());
    for (i, (row, (name, _))) in rows.iter().zip(MIGRATIONS).enumerate() {
        assert_eq!(row.get::<i64>("id"), Ok(i as i64 + 1));
        assert_eq!(row.get::<String>("name").as_deref(), Ok(*name));
        // CURRENT_TIMESTAMP: "YYYY-MM-DD HH:MM:SS" in UTC.
        let at = row.get::<String>("applied_at").expect("applied_at");
        assert_eq!(at.len(), 19, "{at}");
        assert!(at.starts_with("20") && &at[10..11] == " ", "{at}");
    }
}

#[test]
fn migrations_recorded_by_wrangler_are_not_applied_again() {
    // A database wrangler migrated: its own table definition, the schema, the record.
    let store = SqliteStore::open_in_memory().expect("open");
    let mut wrangler = vec![Statement::new(
        "CREATE TABLE IF NOT EXISTS d1_migrations(
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            name       TEXT UNIQUE,
            applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
        )",
    )];
    for (name, _) in MIGRATIONS {
        wrangler.push(Statement::new("INSERT INTO d1_migrations (name) VALUES (?)").bind(*name));
    }
    block_on(store.batch(wrangler)).expect("wrangler's records");
    assert_eq!(store.migrate().expect("migrate"), Vec::<&str>::new());
}

#[test]
fn a_failing_migration_leaves_no_record() {
    let store = SqliteStore::open_in_memory().expect("open");
    // The schema is there already, but not recorded: applying 0001 again must fail whole.
    store.migrate().expect("migrate");
    block_on(store.execute(Statement::new("DELETE FROM d1_migrations"))).expect("forget");
    let err = store.migrate().expect_err("tables exist");
    assert!(
        matches!(&err, StoreError::Backend(m) if m.starts_with("0001_init.sql: ")),
        "{err:?}"
    );
    let rows = query(&store, "SELECT count(*) AS n FROM d1_migrations");
    assert_eq!(rows[0].get::<i64>("n"), Ok(0));
}

#[test]
fn a_file_database_persists_across_reopen() {
    let dir = TempDir::new("persist");
    let path = dir.0.join("minyi.db");
    {
        let store = SqliteStore::open(&path).expect("open");
        assert_eq!(store.migrate().expect("migrate").len(), MIGRATIONS.len());
        let rows = query(&store, "PRAGMA journal_mode");
        assert_eq!(rows[0].get::<String>("journal_mode").as_deref(), Ok("wal"));
        block_on(
            store.execute(
                Statement::new(
                    "INSERT INTO department (id, code, name_zh, name_en) VALUES (1, ?, ?, 'Water')",
                )
                .bind("water")
                .bind("市水务局"),
            ),
        )
        .expect("insert");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.migrate().expect("migrate again"), Vec::<&str>::new());
    let rows = query(
        &store,
        "SELECT name_zh FROM department WHERE code = 'water'",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<String>("name_zh").as_deref(), Ok("市水务局"));
    let rows = query(&store, "PRAGMA foreign_keys");
    assert_eq!(rows[0].get::<i64>("foreign_keys"), Ok(1));
}

#[test]
fn a_locked_database_is_busy() {
    let dir = TempDir::new("busy");
    let path = dir.0.join("minyi.db");
    let store = SqliteStore::open(&path)
        .expect("open")
        .with_busy_timeout(Duration::from_millis(50))
        .expect("timeout");
    store.migrate().expect("migrate");
    let other = rusqlite::Connection::open(&path).expect("second connection");
    other
        .execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let insert = || {
        Statement::new(
            "INSERT INTO department (id, code, name_zh, name_en) VALUES (7, 'x', '甲', 'A')",
        )
    };
    assert_eq!(block_on(store.execute(insert())), Err(StoreError::Busy));
    assert_eq!(block_on(store.batch(vec![insert()])), Err(StoreError::Busy));
    // WAL: readers are not blocked by a writer.
    assert_eq!(
        query(&store, "SELECT count(*) AS n FROM department")[0].get::<i64>("n"),
        Ok(0)
    );
    other.execute_batch("COMMIT").expect("release");
    assert_eq!(block_on(store.execute(insert())), Ok(1));
}

#[test]
fn values_outside_the_port_are_backend_errors() {
    let store = migrated();
    let blob = block_on(store.query(Statement::new("SELECT x'00ff' AS b")));
    assert!(matches!(blob, Err(StoreError::Backend(_))), "{blob:?}");
    let two = block_on(store.execute(Statement::new("SELECT 1; SELECT 2")));
    assert!(matches!(two, Err(StoreError::Backend(_))), "{two:?}");
}

#[test]
fn execute_accepts_statements_that_return_rows() {
    let store = migrated();
    let returning = Statement::new(
        "INSERT INTO department (id, code, name_zh, name_en) VALUES (3, 'y', '乙', 'B') RETURNING id",
    );
    assert_eq!(block_on(store.execute(returning)), Ok(1));
}

#[test]
fn the_store_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SqliteStore>();
}

/// The plan of `sql`, a query of two parameters (bound to 0 and 100): its rows' details.
fn plan(store: &SqliteStore, sql: &str) -> Vec<String> {
    let explain = Statement::new(format!("EXPLAIN QUERY PLAN {sql}"));
    block_on(store.query(explain.bind(0_i64).bind(100_i64)))
        .expect("explain")
        .iter()
        .map(|r| r.get::<String>("detail").expect("detail"))
        .collect()
}

/// The queries that read "case" and case_event by instant keep their partial indexes: the
/// sweep's query searches its index without a scan or a sort; the statistics' query reads a
/// period's events through its index.
fn assert_instant_queries_use_their_indexes(store: &SqliteStore) {
    let sweep = plan(store, cases::DUE_SQL);
    assert!(
        sweep
            .iter()
            .any(|d| d.starts_with("SEARCH case USING INDEX case_duty_due (")),
        "the sweep should search case_duty_due: {sweep:?}"
    );
    assert!(
        !sweep
            .iter()
            .any(|d| d.starts_with("SCAN") || d.contains("TEMP B-TREE")),
        "the sweep must neither scan nor sort: {sweep:?}"
    );
    let plan = plan(store, &statistics::by_department_sql());
    assert!(
        plan.iter()
            .any(|d| d.contains("USING INDEX case_event_counted (at>? AND at<?)")),
        "statistics should read the period's events through case_event_counted: {plan:?}"
    );
}

#[test]
fn every_duty_counts_toward_the_sweep_index() {
    // The generated column the sweep's index holds is the earliest pending duty: a case with
    // only this duty pending is due exactly from its instant on.
    let store = migrated();
    let at = 1_700_000_000_000_i64;
    for (n, duty) in (1_i64..).zip(Duty::ALL) {
        let column = duty.column();
        block_on(
            store.execute(
                Statement::new(format!(
                    "INSERT INTO \"case\" (id, tracking_no, channel, category, urgency, \
                     complexity, title, body, publish_consent, status, version, received_at, \
                     updated_at, {column}) VALUES (?, ?, 'web', 'other', 'normal', 'simple', 't', \
                     'b', 0, 'registered', 1, 0, 0, ?)"
                ))
                .bind(n)
                .bind(format!("T{n}"))
                .bind(at + n),
            ),
        )
        .expect("case");
        let due = |now: i64| block_on(cases::due(&store, instant(now), 100)).expect("due");
        assert!(due(at + n - 1).iter().all(|c| c.id != n), "{duty:?} early");
        let found = due(at + n);
        let case = found
            .iter()
            .find(|c| c.id == n)
            .expect("due at its instant");
        assert_eq!(
            duty.pending(&case.duties),
            Some(instant(at + n)),
            "{duty:?}"
        );
    }
}

fn instant(ms: i64) -> minyi::calendar::Timestamp {
    minyi::calendar::Timestamp::from_millisecond(ms).expect("instant")
}

#[test]
fn every_work_queue_reads_an_index_not_the_case_table() {
    use minyi::app::desk;
    use minyi::staff::StaffRole;
    let store = migrated();
    // A few hundred cases in every queue's states, with ANALYZE statistics.
    let statuses = [
        "registered",
        "dispatched",
        "in_progress",
        "sign_off_pending",
        "under_review",
        "approved",
        "replied",
        "closed",
    ];
    let mut rows: Vec<Statement> = (1..=3_i64)
        .map(|d| {
            Statement::new(
                "INSERT INTO department (id, code, name_zh, name_en) VALUES (?, ?, '部门', 'Dept')",
            )
            .bind(d)
            .bind(format!("d{d}"))
        })
        .collect();
    for id in 1..=400_i64 {
        let status = statuses[usize::try_from(id).expect("id") % statuses.len()];
        rows.push(
            Statement::new(
                "INSERT INTO \"case\" (id, tracking_no, channel, category, urgency, complexity, \
                 title, body, publish_consent, status, version, received_at, updated_at, due_at, \
                 lead_department_id, leader_instructed, overdue_since, closed_at) \
                 VALUES (?, ?, 'web', 'complaint', 'normal', 'simple', 't', 'b', 0, ?, 2, ?, ?, ?, \
                 ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(format!("T{id}"))
            .bind(status)
            .bind(1_700_000_000_000 + id)
            .bind(1_700_000_000_000 + id)
            .bind(1_700_100_000_000 + id)
            .bind((status != "registered").then_some(1 + id % 3))
            .bind(i64::from(id % 40 == 0))
            .bind((id % 7 == 0 && status != "closed").then_some(1_700_100_000_000 + id))
            .bind((status == "closed").then_some(1_700_200_000_000 + id)),
        );
    }
    block_on(store.batch(rows)).expect("cases");
    block_on(store.execute(Statement::new("ANALYZE"))).expect("analyze");
    let roles = [
        StaffRole::Operator,
        StaffRole::Handler(1),
        StaffRole::Head(1),
        StaffRole::Reviewer,
        StaffRole::Leader,
        StaffRole::Supervisor,
    ];
    for role in roles {
        let statement = desk::queue_statement(role).expect("a case queue");
        let explain = Statement {
            sql: format!("EXPLAIN QUERY PLAN {}", statement.sql).into(),
            params: statement.params.clone(),
        };
        let plan: Vec<String> = block_on(store.query(explain))
            .expect("explain")
            .iter()
            .map(|r| r.get::<String>("detail").expect("detail"))
            .collect();
        // A scan of the case table itself never; a walk along the queue's own index, yes.
        assert!(
            !plan.iter().any(|d| d == "SCAN c"),
            "{role:?} must not scan the case table: {plan:?}"
        );
        let index = match role {
            StaffRole::Operator => "case_operator_queue",
            StaffRole::Reviewer => "case_review_queue",
            StaffRole::Leader => "case_leader_queue",
            StaffRole::Supervisor => "case_overdue_queue",
            _ => "case_by_department",
        };
        assert!(
            plan.iter()
                .any(|d| d.contains(&format!("USING INDEX {index}"))),
            "{role:?} should read {index}: {plan:?}"
        );
        // The queues of the whole office are read in their index's order: nothing is sorted.
        if index != "case_by_department" {
            assert!(
                !plan.iter().any(|d| d.contains("TEMP B-TREE")),
                "{role:?} should read its index in order: {plan:?}"
            );
        }
        // And each still answers its cases.
        assert!(
            !block_on(desk::queue(&store, role))
                .expect("queue")
                .is_empty(),
            "{role:?}"
        );
    }
}

#[test]
fn the_sweeps_purges_delete_by_key_however_many_rows_a_window_has() {
    let store = migrated();
    // One ended window with many clients, one expired key among many.
    let mut rows = Vec::new();
    for i in 0..2_000_i64 {
        rows.push(
            Statement::new(
                "INSERT INTO submission_budget (key, used, budget, expires_at) VALUES (?, 1, 20, ?)",
            )
            .bind(format!("client-{i}:1"))
            .bind(if i < 1_500 { 10_i64 } else { 20 }),
        );
    }
    block_on(store.batch(rows)).expect("budgets");
    block_on(store.execute(Statement::new("ANALYZE"))).expect("analyze");
    let budgets = plan(&store, sweep::ENDED_BUDGETS_SQL);
    assert!(
        budgets
            .iter()
            .any(|d| d == "SEARCH submission_budget USING PRIMARY KEY (expires_at=? AND key=?)"),
        "ended budgets should be deleted by their key: {budgets:?}"
    );
    assert!(
        !budgets
            .iter()
            .any(|d| d.starts_with("SCAN submission_budget")),
        "{budgets:?}"
    );
    let keys = plan(&store, sweep::EXPIRED_KEYS_SQL);
    assert!(
        keys.iter()
            .any(|d| d == "SEARCH idempotency USING PRIMARY KEY (scope=? AND key=?)")
            && keys
                .iter()
                .any(|d| d.contains("USING COVERING INDEX idempotency_expiry (expires_at<?)")),
        "expired keys should be found by expiry and deleted by key: {keys:?}"
    );
    // The earliest ended window goes first, a batch at a time; a later one waits its turn.
    let purge = |now: i64, limit: i64| {
        block_on(
            store.execute(
                Statement::new(sweep::ENDED_BUDGETS_SQL)
                    .bind(now)
                    .bind(limit),
            ),
        )
        .expect("purge")
    };
    assert_eq!(purge(15, 1_000), 1_000);
    assert_eq!(purge(15, 1_000), 500);
    assert_eq!(purge(15, 1_000), 0, "the later window has not ended");
    assert_eq!(purge(20, 1_000), 500);
}

#[test]
fn sweep_and_statistics_queries_use_their_partial_indexes() {
    let store = migrated();
    assert_instant_queries_use_their_indexes(&store);
}

#[test]
fn sweep_and_statistics_queries_keep_their_indexes_with_statistics() {
    // With many cases and events, few pending duties, and ANALYZE statistics, the plans hold.
    let store = migrated();
    let mut inserts = Vec::new();
    for id in 1..=500_i64 {
        let due = (id % 50 == 0).then_some(1_700_000_000_000 + id);
        inserts.push(
            Statement::new(
                "INSERT INTO \"case\" (id, tracking_no, channel, category, urgency, complexity, \
                 title, body, publish_consent, status, version, received_at, updated_at, \
                 first_response_by, return_by, remind_at, escalate_at, stage_report_by, \
                 rating_until) \
                 VALUES (?, ?, 'web', 'other', 'normal', 'simple', 't', 'b', 0, 'registered', 2, \
                 ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(format!("T{id}"))
            .bind(1_700_000_000_000 + id)
            .bind(1_700_000_000_000 + id)
            .bind(due)
            .bind(due)
            .bind(due)
            .bind(due)
            .bind(due)
            .bind(due),
        );
        for (seq, kind) in [(1, "registered"), (2, "reminded")] {
            inserts.push(
                Statement::new(
                    "INSERT INTO case_event (case_id, seq, at, actor_kind, kind, public) \
                     VALUES (?, ?, ?, 'system', ?, 1)",
                )
                .bind(id)
                .bind(seq)
                .bind(1_700_000_000_000 + id + seq)
                .bind(kind),
            );
        }
    }
    block_on(store.batch(inserts)).expect("cases");
    block_on(store.execute(Statement::new("ANALYZE"))).expect("analyze");
    assert_instant_queries_use_their_indexes(&store);
}

#[test]
fn a_case_is_found_by_its_id_and_an_import_by_its_partial_key() {
    // Migration 0014: the tracking number's own unique key is gone (a case is read by its id,
    // which the tracking number encodes), and the import key indexes imported cases only.
    let store = migrated();
    let unique: Vec<(String, i64)> = query(
        &store,
        "SELECT name, partial FROM pragma_index_list('case') WHERE \"unique\" ORDER BY name",
    )
    .iter()
    .map(|r| {
        (
            r.get("name").expect("name"),
            r.get("partial").expect("partial"),
        )
    })
    .collect();
    assert_eq!(unique, vec![("case_by_source".to_string(), 1)]);
    let import = plan(&store, cases::IMPORTED_SQL);
    assert!(
        import
            .iter()
            .any(|d| d.starts_with("SEARCH case USING INDEX case_by_source (")),
        "an import is looked up through case_by_source: {import:?}"
    );
}

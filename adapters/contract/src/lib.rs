//! The contract every Minyi storage adapter must pass, written once.
//!
//! [`run_all`] runs every check, in sequence, against one [`Store`] whose database already has
//! [`minyi::store::MIGRATIONS`] applied, and returns a [`Report`]. The native adapter runs it
//! in `cargo test`; the D1 adapter runs it inside workerd and the Spin adapter inside a wasm
//! host, so this crate uses nothing but the port: no threads, files, clocks or randomness.
//!
//! Each check writes only rows with ids of its own, above every id already in the database,
//! so checks do not interfere and the suite can run again on a database it already ran on.
//! Scratch tables are named `contract_*`.
//!
//! [`endpoint::answer`] is the `POST /__contract` endpoint the runtimes' test builds serve.

pub mod endpoint;

use core::fmt;

use minyi::store::{MAX_ROWS, Row, Statement, Store, StoreError, Value};

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// The check's name (a function name of this crate).
    pub name: &'static str,
    /// `Ok`, or what went wrong.
    pub outcome: Result<(), String>,
}

/// The outcomes of a run of the suite, in the order the checks ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    results: Vec<CheckResult>,
}

impl Report {
    /// Every check's outcome, in order.
    pub fn results(&self) -> &[CheckResult] {
        &self.results
    }

    /// How many checks passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.outcome.is_ok()).count()
    }

    /// How many checks failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// True when at least one check ran and none failed.
    pub fn is_success(&self) -> bool {
        !self.results.is_empty() && self.failed() == 0
    }

    fn record(&mut self, name: &'static str, outcome: Outcome) {
        self.results.push(CheckResult { name, outcome });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.results {
            match &r.outcome {
                Ok(()) => writeln!(f, "ok    {}", r.name)?,
                Err(m) => writeln!(f, "FAIL  {}: {m}", r.name)?,
            }
        }
        write!(f, "{} passed, {} failed", self.passed(), self.failed())
    }
}

/// The names of the checks [`run_all`] runs, in order (after `setup`).
pub const CHECKS: &[&str] = &[
    "values_round_trip",
    "integers_full_64_bit",
    "params_are_positional",
    "row_get_errors",
    "execute_counts_changes",
    "sweep_claims_once",
    "batch_returns_counts",
    "batch_is_atomic_on_constraint",
    "batch_is_atomic_on_error",
    "empty_batch",
    "constraints_are_constraint_errors",
    "foreign_keys_enforced",
    "strict_types_enforced",
    "case_event_append_only",
    "optimistic_concurrency",
    "max_rows",
    "backend_errors",
];

/// Runs every check against `store`, whose database must already have the migrations
/// applied. Never panics on an adapter's misbehaviour: it reports it.
pub async fn run_all<S: Store>(store: &S) -> Report {
    let mut report = Report::default();
    let run = match Run::setup(store).await {
        Ok(run) => {
            report.record("setup", Ok(()));
            run
        }
        Err(e) => {
            report.record("setup", Err(e));
            return report;
        }
    };
    macro_rules! check {
        ($($name:ident = $block:expr),* $(,)?) => {
            $( report.record(stringify!($name), $name(store, run.block($block)).await); )*
        };
    }
    check!(
        values_round_trip = 0,
        integers_full_64_bit = 1,
        params_are_positional = 2,
        row_get_errors = 3,
        execute_counts_changes = 4,
        sweep_claims_once = 5,
        batch_returns_counts = 6,
        batch_is_atomic_on_constraint = 7,
        batch_is_atomic_on_error = 8,
        empty_batch = 9,
        constraints_are_constraint_errors = 10,
        foreign_keys_enforced = 11,
        strict_types_enforced = 12,
        case_event_append_only = 13,
        optimistic_concurrency = 14,
        max_rows = 15,
        backend_errors = 16,
    );
    report
}

type Outcome = Result<(), String>;

/// Ids of one run: `base` is above every id in the database, each check gets a block of 100.
struct Run {
    base: i64,
}

impl Run {
    async fn setup<S: Store>(store: &S) -> Result<Self, String> {
        for sql in [
            "CREATE TABLE IF NOT EXISTS contract_value (
                 run INTEGER NOT NULL, k INTEGER NOT NULL, v ANY, PRIMARY KEY (run, k)
             ) STRICT",
            "CREATE TABLE IF NOT EXISTS contract_rows (
                 run INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (run, n)
             ) STRICT",
        ] {
            store
                .execute(Statement::new(sql))
                .await
                .ctx("creating a scratch table")?;
        }
        let top = scalar(
            store,
            Statement::new(
                "SELECT max(coalesce((SELECT max(id) FROM department), 0),
                            coalesce((SELECT max(id) FROM \"case\"), 0),
                            coalesce((SELECT max(run) FROM contract_value), 0),
                            coalesce((SELECT max(run) FROM contract_rows), 0)) AS n",
            ),
        )
        .await
        .map_err(|e| format!("{e} (are the migrations applied?)"))?;
        Ok(Self {
            base: (top / 10_000 + 1) * 10_000,
        })
    }

    fn block(&self, n: i64) -> i64 {
        self.base + n * 100
    }
}

// ---------------------------------------------------------------------------------------
// Helpers

trait Ctx<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T> Ctx<T> for Result<T, StoreError> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: unexpected error {e:?}"))
    }
}

fn ensure_eq<T: PartialEq + fmt::Debug>(what: &str, got: T, want: T) -> Outcome {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

fn ensure(what: &str, ok: bool) -> Outcome {
    if ok { Ok(()) } else { Err(what.to_owned()) }
}

/// The message of a [`StoreError::Constraint`], or a failure naming what came instead.
fn constraint<T: fmt::Debug>(what: &str, result: Result<T, StoreError>) -> Result<String, String> {
    match result {
        Err(StoreError::Constraint(m)) => Ok(m),
        other => Err(format!("{what}: want Err(Constraint), got {other:?}")),
    }
}

fn backend<T: fmt::Debug>(what: &str, result: Result<T, StoreError>) -> Outcome {
    match result {
        Err(StoreError::Backend(_)) => Ok(()),
        other => Err(format!("{what}: want Err(Backend), got {other:?}")),
    }
}

/// The integer in column `n` of the single row `statement` returns.
async fn scalar<S: Store>(store: &S, statement: Statement) -> Result<i64, String> {
    let what = statement.sql.clone();
    let rows = store.query(statement).await.ctx(&what)?;
    match rows.as_slice() {
        [row] => row.get::<i64>("n").ctx(&what),
        _ => Err(format!("{what}: want one row, got {}", rows.len())),
    }
}

async fn count_departments<S: Store>(store: &S, from: i64, to: i64) -> Result<i64, String> {
    scalar(
        store,
        Statement::new("SELECT count(*) AS n FROM department WHERE id BETWEEN ? AND ?")
            .bind(from)
            .bind(to),
    )
    .await
}

fn department(id: i64) -> Statement {
    Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (?, ?, ?, ?)")
        .bind(id)
        .bind(format!("ct-{id}"))
        .bind("市住房和城乡建设局")
        .bind("Municipal Housing and Urban-Rural Development Bureau")
}

const RECEIVED_AT: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/// A valid case (every NOT NULL column set) that also sets `column` to `value`.
fn case_with(id: i64, lead_department: Option<i64>, column: &str, value: Value) -> Statement {
    Statement::new(format!(
        "INSERT INTO \"case\" (id, tracking_no, channel, category, urgency, complexity, title, \
         body, publish_consent, status, version, lead_department_id, received_at, updated_at, \
         {column}) \
         VALUES (?, ?, 'web', 'other', 'normal', 'simple', ?, ?, 1, 'registered', 1, ?, ?, ?, ?)"
    ))
    .bind(id)
    .bind(format!("CT{id}"))
    .bind("小区夜间施工噪音扰民")
    .bind("每晚十点后仍在施工，请相关部门处理。")
    .bind(lead_department)
    .bind(RECEIVED_AT)
    .bind(RECEIVED_AT)
    .bind(value)
}

/// A valid case with no pending duty.
fn case(id: i64, lead_department: Option<i64>) -> Statement {
    case_with(id, lead_department, "due_at", Value::Null)
}

fn event(case_id: i64, seq: i64, kind: &str) -> Statement {
    Statement::new(
        "INSERT INTO case_event (case_id, seq, at, actor_kind, actor_ref, kind, public, data) \
         VALUES (?, ?, ?, 'staff', ?, ?, 1, '{}')",
    )
    .bind(case_id)
    .bind(seq)
    .bind(RECEIVED_AT + seq)
    .bind(format!("writer-{kind}"))
    .bind(kind)
}

/// Checks that column `column` of `row` holds `want`, reading it with the getter of its type.
/// Reals are compared as numbers: an adapter over JavaScript may hand back `2.0` as integer.
fn check_value(row: &Row, column: &str, want: &Value) -> Outcome {
    match want {
        Value::Null => ensure_eq(
            column,
            row.get::<Option<String>>(column)
                .map_err(|e| e.to_string())?,
            None,
        ),
        Value::Integer(v) => ensure_eq(column, row.get::<i64>(column), Ok(*v)),
        Value::Real(v) => ensure_eq(column, row.get::<f64>(column), Ok(*v)),
        Value::Text(v) => ensure_eq(column, row.get::<String>(column), Ok(v.clone())),
    }
}

fn storage_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Integer(_) => "integer",
        Value::Real(_) => "real",
        Value::Text(_) => "text",
    }
}

/// Binds each value, reads it back unchanged (with the right SQLite type), both straight
/// from a parameter and after storing it in a STRICT `ANY` column.
async fn round_trip<S: Store>(store: &S, run: i64, samples: &[Value]) -> Outcome {
    for (i, value) in samples.iter().enumerate() {
        let what = format!("sample {i} {value:?}");
        let rows = store
            .query(
                Statement::new("SELECT ? AS v, typeof(?) AS t")
                    .bind(value.clone())
                    .bind(value.clone()),
            )
            .await
            .ctx(&what)?;
        let [row] = rows.as_slice() else {
            return Err(format!("{what}: want one row, got {}", rows.len()));
        };
        check_value(row, "v", value).map_err(|e| format!("{what} as parameter: {e}"))?;
        ensure_eq(
            &format!("{what}: typeof"),
            row.get::<String>("t"),
            Ok(storage_class(value).to_owned()),
        )?;
    }
    let inserts = samples
        .iter()
        .enumerate()
        .map(|(k, v)| {
            Statement::new("INSERT INTO contract_value (run, k, v) VALUES (?, ?, ?)")
                .bind(run)
                .bind(k as i64)
                .bind(v.clone())
        })
        .collect();
    store
        .batch(inserts)
        .await
        .ctx("storing the samples in contract_value")?;
    let rows = store
        .query(
            Statement::new(
                "SELECT k, v, typeof(v) AS t FROM contract_value WHERE run = ? ORDER BY k",
            )
            .bind(run),
        )
        .await
        .ctx("reading the samples back")?;
    ensure_eq("stored samples", rows.len(), samples.len())?;
    for (i, (row, value)) in rows.iter().zip(samples).enumerate() {
        let what = format!("stored sample {i} {value:?}");
        ensure_eq(&format!("{what}: k"), row.get::<i64>("k"), Ok(i as i64))?;
        check_value(row, "v", value).map_err(|e| format!("{what}: {e}"))?;
        ensure_eq(
            &format!("{what}: typeof"),
            row.get::<String>("t"),
            Ok(storage_class(value).to_owned()),
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Checks

/// NULL, integers (incl. millisecond instants), reals and UTF-8 text survive a round trip.
async fn values_round_trip<S: Store>(store: &S, id: i64) -> Outcome {
    let samples = [
        Value::Null,
        Value::Integer(0),
        Value::Integer(1),
        Value::Integer(-1),
        Value::Integer(RECEIVED_AT),
        Value::Integer(4_102_444_800_000), // 2100-01-01T00:00:00Z in ms
        Value::Integer(-2_208_988_800_000), // 1900-01-01T00:00:00Z in ms
        Value::Integer(9_007_199_254_740_991), // 2^53 - 1
        Value::Integer(-9_007_199_254_740_991),
        Value::Real(2.5),
        Value::Real(-0.125),
        Value::Real(0.1),
        Value::Real(core::f64::consts::PI),
        Value::Real(31.230_416),
        Value::Real(1e300),
        Value::Real(-1e-300),
        Value::Real(f64::MAX),
        Value::Real(f64::MIN_POSITIVE),
        Value::from(""),
        Value::from("民意"),
        Value::from("市长信箱：小区噪音扰民，请尽快处理！（第2次反映）"),
        Value::from("it's \"quoted\"; DROP TABLE department; -- ?"),
        Value::from("tab\tline\nfeed\rreturn\u{1}\u{1f}\u{7f}"),
        Value::from("emoji 😀, CJK ext. B 𠀀, RTL עברית"),
        Value::from("?"),
        Value::from("  spaces kept  "),
        Value::Text("民".repeat(10_000)),
    ];
    round_trip(store, id, &samples).await?;
    // And through a real table: the schema's TEXT, INTEGER, REAL and NULL columns.
    store
        .execute(department(id + 1))
        .await
        .ctx("inserting a department")?;
    store
        .execute(case_with(
            id + 1,
            Some(id + 1),
            "latitude",
            Value::Real(31.230_416),
        ))
        .await
        .ctx("inserting a case")?;
    let rows = store
        .query(
            Statement::new(
                "SELECT c.title, c.body, c.received_at, c.due_at, c.latitude, d.name_zh \
                 FROM \"case\" c JOIN department d ON d.id = c.lead_department_id WHERE c.id = ?",
            )
            .bind(id + 1),
        )
        .await
        .ctx("reading the case back")?;
    let [row] = rows.as_slice() else {
        return Err(format!("case: want one row, got {}", rows.len()));
    };
    check_value(row, "title", &Value::from("小区夜间施工噪音扰民"))?;
    check_value(
        row,
        "body",
        &Value::from("每晚十点后仍在施工，请相关部门处理。"),
    )?;
    check_value(row, "received_at", &Value::Integer(RECEIVED_AT))?;
    check_value(row, "due_at", &Value::Null)?;
    check_value(row, "latitude", &Value::Real(31.230_416))?;
    check_value(row, "name_zh", &Value::from("市住房和城乡建设局"))
}

/// The whole i64 range survives, beyond the 2^53 a JavaScript number holds exactly.
async fn integers_full_64_bit<S: Store>(store: &S, id: i64) -> Outcome {
    let samples = [
        Value::Integer(i64::MIN),
        Value::Integer(i64::MAX),
        Value::Integer(i64::MAX - 1),
        Value::Integer(9_007_199_254_740_993), // 2^53 + 1: not a JS number
        Value::Integer(-9_007_199_254_740_993),
    ];
    round_trip(store, id, &samples).await
}

/// Parameters bind in order, `?` inside a string literal is text, and a wrong number of
/// parameters is refused rather than silently padded with NULL.
async fn params_are_positional<S: Store>(store: &S, _id: i64) -> Outcome {
    let rows = store
        .query(
            Statement::new("SELECT ? AS a, '?' AS q, ? AS b, ? AS c")
                .bind(1_i64)
                .bind("two")
                .bind(3.5),
        )
        .await
        .ctx("binding three parameters")?;
    let [row] = rows.as_slice() else {
        return Err(format!("want one row, got {}", rows.len()));
    };
    check_value(row, "a", &Value::Integer(1))?;
    check_value(row, "q", &Value::from("?"))?;
    check_value(row, "b", &Value::from("two"))?;
    check_value(row, "c", &Value::Real(3.5))?;
    let too_few = store
        .query(Statement::new("SELECT ? AS a, ? AS b").bind(1_i64))
        .await;
    ensure(
        &format!("two placeholders, one parameter: want an error, got {too_few:?}"),
        matches!(too_few, Err(StoreError::Backend(_))),
    )?;
    let too_many = store
        .execute(
            Statement::new("UPDATE department SET active = 1 WHERE id = ?")
                .bind(1_i64)
                .bind(2_i64),
        )
        .await;
    ensure(
        &format!("one placeholder, two parameters: want an error, got {too_many:?}"),
        matches!(too_many, Err(StoreError::Backend(_))),
    )
}

/// `Row::get` names columns by their result name and refuses missing columns and other types.
async fn row_get_errors<S: Store>(store: &S, id: i64) -> Outcome {
    store
        .execute(department(id))
        .await
        .ctx("inserting a department")?;
    let rows = store
        .query(
            Statement::new(
                "SELECT d.code, d.name_zh AS name, d.active, NULL AS absent, 2.5 AS r \
                 FROM department d WHERE d.id = ?",
            )
            .bind(id),
        )
        .await
        .ctx("selecting the department")?;
    let [row] = rows.as_slice() else {
        return Err(format!("want one row, got {}", rows.len()));
    };
    ensure_eq("code", row.get::<String>("code"), Ok(format!("ct-{id}")))?;
    ensure_eq(
        "alias",
        row.get::<String>("name"),
        Ok("市住房和城乡建设局".to_owned()),
    )?;
    ensure_eq("bool", row.get::<bool>("active"), Ok(true))?;
    ensure_eq("integer as f64", row.get::<f64>("active"), Ok(1.0))?;
    ensure_eq("NULL as Option", row.get::<Option<i64>>("absent"), Ok(None))?;
    ensure_eq("real as Option", row.get::<Option<f64>>("r"), Ok(Some(2.5)))?;
    let column_error = |column: &str, r: Result<(), StoreError>| match r {
        Err(StoreError::Column { column: c, .. }) if c == column => Ok(()),
        other => Err(format!("get({column:?}): want Err(Column), got {other:?}")),
    };
    column_error("missing", row.get::<i64>("missing").map(drop))?;
    column_error("name_zh", row.get::<String>("name_zh").map(drop))?;
    column_error("code", row.get::<i64>("code").map(drop))?;
    column_error("active", row.get::<String>("active").map(drop))?;
    column_error("absent", row.get::<i64>("absent").map(drop))?;
    column_error("r", row.get::<i64>("r").map(drop))?;
    column_error("r", row.get::<bool>("r").map(drop))
}

/// `execute` returns the rows changed, and 0 when a conditional write matches nothing.
async fn execute_counts_changes<S: Store>(store: &S, id: i64) -> Outcome {
    let insert = Statement::new(
        "INSERT INTO department (id, code, name_zh, name_en) VALUES (?, ?, '甲', 'A'), \
         (?, ?, '乙', 'B'), (?, ?, '丙', 'C')",
    )
    .bind(id)
    .bind(format!("ct-{id}"))
    .bind(id + 1)
    .bind(format!("ct-{}", id + 1))
    .bind(id + 2)
    .bind(format!("ct-{}", id + 2));
    ensure_eq("insert of 3 rows", store.execute(insert).await, Ok(3))?;
    let deactivate = |a: i64, b: i64| {
        Statement::new("UPDATE department SET active = 0 WHERE id IN (?, ?) AND active = 1")
            .bind(a)
            .bind(b)
    };
    ensure_eq(
        "update of 2 rows",
        store.execute(deactivate(id, id + 1)).await,
        Ok(2),
    )?;
    ensure_eq(
        "conditional update matching nothing",
        store.execute(deactivate(id, id + 1)).await,
        Ok(0),
    )?;
    ensure_eq(
        "conditional update matching one of two",
        store.execute(deactivate(id + 1, id + 2)).await,
        Ok(1),
    )?;
    let delete = || Statement::new("DELETE FROM department WHERE id = ?").bind(id + 2);
    ensure_eq("delete of 1 row", store.execute(delete()).await, Ok(1))?;
    ensure_eq(
        "delete matching nothing",
        store.execute(delete()).await,
        Ok(0),
    )?;
    ensure_eq(
        "rows left",
        count_departments(store, id, id + 99).await,
        Ok(2),
    )
}

/// The sweep pattern: a range query over a duty column finds what is due, in order, and a
/// conditional update claims each duty exactly once.
async fn sweep_claims_once<S: Store>(store: &S, id: i64) -> Outcome {
    let now = RECEIVED_AT + 86_400_000;
    let duties = [
        Some(now - 10),
        Some(now),
        Some(now + 1),
        None,
        Some(now - 500),
    ];
    let mut inserts = Vec::new();
    for (i, remind_at) in duties.iter().enumerate() {
        let case_id = id + i as i64;
        inserts.push(case(case_id, None));
        inserts.push(
            Statement::new("UPDATE \"case\" SET remind_at = ? WHERE id = ?")
                .bind(*remind_at)
                .bind(case_id),
        );
    }
    store.batch(inserts).await.ctx("inserting cases")?;
    let due = || {
        Statement::new(
            "SELECT id, remind_at FROM \"case\" WHERE remind_at IS NOT NULL AND remind_at <= ? \
             AND id BETWEEN ? AND ? ORDER BY remind_at LIMIT ?",
        )
        .bind(now)
        .bind(id)
        .bind(id + 99)
        .bind(10_i64)
    };
    let ids = |rows: Vec<Row>| -> Result<Vec<i64>, String> {
        rows.iter().map(|r| r.get::<i64>("id").ctx("id")).collect()
    };
    let rows = store.query(due()).await.ctx("sweep query")?;
    let first = rows
        .first()
        .map(|r| r.get::<i64>("remind_at"))
        .transpose()
        .ctx("remind_at")?;
    ensure_eq(
        "due cases, oldest first",
        ids(rows)?,
        vec![id + 4, id, id + 1],
    )?;
    let claim =
        Statement::new("UPDATE \"case\" SET remind_at = NULL WHERE id = ? AND remind_at = ?")
            .bind(id + 4)
            .bind(first);
    ensure_eq("first claim", store.execute(claim.clone()).await, Ok(1))?;
    ensure_eq(
        "second claim of the same duty",
        store.execute(claim).await,
        Ok(0),
    )?;
    let rows = store
        .query(due())
        .await
        .ctx("sweep query after the claim")?;
    ensure_eq("due cases after the claim", ids(rows)?, vec![id, id + 1])
}

/// A batch returns each statement's change count, in order, and its writes are visible.
async fn batch_returns_counts<S: Store>(store: &S, id: i64) -> Outcome {
    let counts = store
        .batch(vec![
            department(id),
            department(id + 1),
            Statement::new("UPDATE department SET active = 0 WHERE id = ?").bind(id + 50),
            Statement::new("UPDATE department SET active = 0 WHERE id BETWEEN ? AND ?")
                .bind(id)
                .bind(id + 99),
            // A statement that changes nothing counts 0, even right after one that did.
            Statement::new("SELECT count(*) FROM department"),
        ])
        .await
        .ctx("batch")?;
    ensure_eq("change counts", counts, vec![1, 1, 0, 2, 0])?;
    ensure_eq(
        "inactive departments",
        scalar(
            store,
            Statement::new(
                "SELECT count(*) AS n FROM department WHERE id BETWEEN ? AND ? AND active = 0",
            )
            .bind(id)
            .bind(id + 99),
        )
        .await,
        Ok(2),
    )
}

/// A batch whose third statement violates UNIQUE fails with `Constraint` and leaves no
/// trace, not even of updates to rows that existed before; the store works afterwards.
async fn batch_is_atomic_on_constraint<S: Store>(store: &S, id: i64) -> Outcome {
    store
        .execute(department(id))
        .await
        .ctx("inserting the existing department")?;
    let clash = Statement::new(
        "INSERT INTO department (id, code, name_zh, name_en) VALUES (?, ?, '重复', 'Duplicate')",
    )
    .bind(id + 3)
    .bind(format!("ct-{}", id + 1));
    let rename = Statement::new("UPDATE department SET name_en = 'Renamed' WHERE id = ?").bind(id);
    let result = store
        .batch(vec![
            rename.clone(),
            department(id + 1),
            clash,
            department(id + 2),
        ])
        .await;
    constraint("batch with a UNIQUE clash", result)?;
    ensure_eq(
        "departments after the failed batch",
        count_departments(store, id, id + 99).await,
        Ok(1),
    )?;
    let rows = store
        .query(Statement::new("SELECT name_en FROM department WHERE id = ?").bind(id))
        .await
        .ctx("reading the existing department")?;
    let name = rows.first().map(|r| r.get::<String>("name_en"));
    ensure_eq(
        "update in the failed batch",
        name,
        Some(Ok(
            "Municipal Housing and Urban-Rural Development Bureau".to_owned()
        )),
    )?;
    // The same batch without the clash succeeds: the failure was the clash, and the store is
    // not left inside a transaction.
    let counts = store
        .batch(vec![rename, department(id + 1), department(id + 2)])
        .await
        .ctx("the batch without the clash")?;
    ensure_eq("change counts", counts, vec![1, 1, 1])?;
    ensure_eq(
        "departments after the good batch",
        count_departments(store, id, id + 99).await,
        Ok(3),
    )
}

/// A batch with a statement the database cannot run fails with `Backend` and leaves no trace.
async fn batch_is_atomic_on_error<S: Store>(store: &S, id: i64) -> Outcome {
    let result = store
        .batch(vec![
            department(id),
            Statement::new("INSERT INTO contract_no_such_table (x) VALUES (?)").bind(1_i64),
        ])
        .await;
    backend("batch with an unknown table", result)?;
    let result = store
        .batch(vec![
            department(id + 1),
            Statement::new("INSRT INTO department"),
        ])
        .await;
    backend("batch with a syntax error", result)?;
    ensure_eq(
        "departments after the failed batches",
        count_departments(store, id, id + 99).await,
        Ok(0),
    )
}

/// An empty batch succeeds and changes nothing.
async fn empty_batch<S: Store>(store: &S, _id: i64) -> Outcome {
    ensure_eq("empty batch", store.batch(Vec::new()).await, Ok(Vec::new()))
}

/// UNIQUE, PRIMARY KEY, NOT NULL and CHECK violations are `Constraint` errors.
async fn constraints_are_constraint_errors<S: Store>(store: &S, id: i64) -> Outcome {
    store
        .execute(department(id))
        .await
        .ctx("inserting a department")?;
    let insert = |dept: i64, code: Value, name_zh: Value| {
        Statement::new(
            "INSERT INTO department (id, code, name_zh, name_en) VALUES (?, ?, ?, 'Dept')",
        )
        .bind(dept)
        .bind(code)
        .bind(name_zh)
    };
    let code = |n: i64| Value::Text(format!("ct-{n}"));
    constraint(
        "UNIQUE code",
        store.execute(insert(id + 1, code(id), "甲".into())).await,
    )?;
    constraint(
        "PRIMARY KEY",
        store.execute(insert(id, code(id + 2), "甲".into())).await,
    )?;
    constraint(
        "NOT NULL name_zh",
        store
            .execute(insert(id + 3, code(id + 3), Value::Null))
            .await,
    )?;
    constraint(
        "CHECK length(code)",
        store.execute(insert(id + 4, "".into(), "甲".into())).await,
    )?;
    constraint(
        "CHECK active IN (0, 1)",
        store
            .execute(Statement::new("UPDATE department SET active = 2 WHERE id = ?").bind(id))
            .await,
    )?;
    ensure_eq(
        "departments after the refused writes",
        count_departments(store, id, id + 99).await,
        Ok(1),
    )?;
    // A valid row with the same shape goes in: the refusals were the constraints.
    ensure_eq(
        "valid insert",
        store
            .execute(insert(id + 5, code(id + 5), "甲".into()))
            .await,
        Ok(1),
    )
}

/// Foreign keys are enforced (D1 enforces them; native SQLite only when asked).
async fn foreign_keys_enforced<S: Store>(store: &S, id: i64) -> Outcome {
    let missing_department = id + 99;
    constraint(
        "case with an unknown lead department",
        store.execute(case(id, Some(missing_department))).await,
    )?;
    constraint(
        "event of an unknown case",
        store.execute(event(id + 1, 1, "registered")).await,
    )?;
    ensure_eq(
        "cases after the refused writes",
        scalar(
            store,
            Statement::new("SELECT count(*) AS n FROM \"case\" WHERE id BETWEEN ? AND ?")
                .bind(id)
                .bind(id + 99),
        )
        .await,
        Ok(0),
    )?;
    store
        .batch(vec![department(id + 2), case(id, Some(id + 2))])
        .await
        .ctx("case with a known department")?;
    constraint(
        "deleting a department a case refers to",
        store
            .execute(Statement::new("DELETE FROM department WHERE id = ?").bind(id + 2))
            .await,
    )?;
    ensure_eq(
        "department still there",
        count_departments(store, id + 2, id + 2).await,
        Ok(1),
    )
}

/// STRICT tables refuse values of the wrong type instead of storing them.
async fn strict_types_enforced<S: Store>(store: &S, id: i64) -> Outcome {
    let with = |case_id: i64, column: &str, value: Value| case_with(case_id, None, column, value);
    constraint(
        "TEXT in an INTEGER column",
        store.execute(with(id, "due_at", "tomorrow".into())).await,
    )?;
    constraint(
        "REAL in an INTEGER column",
        store
            .execute(with(id + 1, "due_at", Value::Real(1.5)))
            .await,
    )?;
    constraint(
        "TEXT in a REAL column",
        store
            .execute(with(id + 2, "latitude", "north".into()))
            .await,
    )?;
    ensure_eq(
        "cases after the refused writes",
        scalar(
            store,
            Statement::new("SELECT count(*) AS n FROM \"case\" WHERE id BETWEEN ? AND ?")
                .bind(id)
                .bind(id + 99),
        )
        .await,
        Ok(0),
    )?;
    ensure_eq(
        "the same insert with an INTEGER",
        store
            .execute(with(id + 3, "due_at", Value::Integer(RECEIVED_AT)))
            .await,
        Ok(1),
    )?;
    ensure_eq(
        "the same insert with a REAL",
        store
            .execute(with(id + 4, "latitude", Value::Real(31.2)))
            .await,
        Ok(1),
    )
}

/// The event log is append-only: UPDATE and DELETE are refused with `Constraint`, and so is
/// deleting a case that has events.
async fn case_event_append_only<S: Store>(store: &S, id: i64) -> Outcome {
    store
        .batch(vec![case(id, None), event(id, 1, "registered")])
        .await
        .ctx("inserting a case and its first event")?;
    let message = constraint(
        "UPDATE case_event",
        store
            .execute(
                Statement::new("UPDATE case_event SET kind = 'forged' WHERE case_id = ?").bind(id),
            )
            .await,
    )?;
    ensure(
        &format!("UPDATE message {message:?} should say append-only"),
        message.contains("append-only"),
    )?;
    let message = constraint(
        "DELETE case_event",
        store
            .execute(Statement::new("DELETE FROM case_event WHERE case_id = ?").bind(id))
            .await,
    )?;
    ensure(
        &format!("DELETE message {message:?} should say append-only"),
        message.contains("append-only"),
    )?;
    constraint(
        "DELETE a case with events",
        store
            .execute(Statement::new("DELETE FROM \"case\" WHERE id = ?").bind(id))
            .await,
    )?;
    let rows = store
        .query(Statement::new("SELECT seq, kind FROM case_event WHERE case_id = ?").bind(id))
        .await
        .ctx("reading the events")?;
    let events: Result<Vec<(i64, String)>, StoreError> = rows
        .iter()
        .map(|r| Ok((r.get("seq")?, r.get("kind")?)))
        .collect();
    ensure_eq(
        "events after the refused writes",
        events,
        Ok(vec![(1, "registered".to_owned())]),
    )?;
    // Appending is allowed.
    ensure_eq(
        "appending an event",
        store.execute(event(id, 2, "dispatched")).await,
        Ok(1),
    )
}

/// Two writers read version 1 of a case and both try to write version 2. The first batch
/// wins; the second collides on the event's (case_id, seq) key and changes nothing.
async fn optimistic_concurrency<S: Store>(store: &S, id: i64) -> Outcome {
    store
        .batch(vec![case(id, None), event(id, 1, "registered")])
        .await
        .ctx("inserting a case at version 1")?;
    let write = |kind: &str, status: &str| {
        vec![
            event(id, 2, kind),
            Statement::new(
                "UPDATE \"case\" SET version = 2, status = ? WHERE id = ? AND version = 1",
            )
            .bind(status)
            .bind(id),
        ]
    };
    ensure_eq(
        "first writer",
        store.batch(write("dispatched", "dispatched")).await,
        Ok(vec![1, 1]),
    )?;
    constraint(
        "second writer on the same (case_id, seq)",
        store.batch(write("returned", "returned")).await,
    )?;
    let rows = store
        .query(Statement::new("SELECT version, status FROM \"case\" WHERE id = ?").bind(id))
        .await
        .ctx("reading the case")?;
    let state: Option<Result<(i64, String), StoreError>> = rows
        .first()
        .map(|r| Ok((r.get("version")?, r.get("status")?)));
    ensure_eq(
        "case after the race",
        state,
        Some(Ok((2, "dispatched".to_owned()))),
    )?;
    let rows = store
        .query(
            Statement::new("SELECT seq, kind FROM case_event WHERE case_id = ? ORDER BY seq")
                .bind(id),
        )
        .await
        .ctx("reading the events")?;
    let events: Result<Vec<(i64, String)>, StoreError> = rows
        .iter()
        .map(|r| Ok((r.get("seq")?, r.get("kind")?)))
        .collect();
    ensure_eq(
        "events after the race",
        events,
        Ok(vec![
            (1, "registered".to_owned()),
            (2, "dispatched".to_owned()),
        ]),
    )
}

/// A query may return exactly `MAX_ROWS` rows; one more is `TooManyRows`, and `LIMIT` pages.
async fn max_rows<S: Store>(store: &S, id: i64) -> Outcome {
    let max = MAX_ROWS as i64;
    let series = |n: i64| {
        Statement::new(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) \
             SELECT i FROM s",
        )
        .bind(n)
    };
    let rows = store
        .query(series(max))
        .await
        .ctx("exactly MAX_ROWS rows")?;
    ensure_eq("rows returned", rows.len(), MAX_ROWS)?;
    ensure_eq(
        "first and last row",
        (
            rows.first().map(|r| r.get::<i64>("i")),
            rows.last().map(|r| r.get::<i64>("i")),
        ),
        (Some(Ok(1)), Some(Ok(max))),
    )?;
    ensure_eq(
        "MAX_ROWS + 1 rows",
        store.query(series(max + 1)).await.map(|r| r.len()),
        Err(StoreError::TooManyRows),
    )?;
    // The same over a table: MAX_ROWS + 1 rows in one write, refused unpaged, read in pages.
    let fill = Statement::new(
        "INSERT INTO contract_rows (run, n) \
         WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) \
         SELECT ?, i FROM s",
    )
    .bind(max + 1)
    .bind(id);
    ensure_eq(
        "rows inserted",
        store.execute(fill).await,
        Ok(MAX_ROWS as u64 + 1),
    )?;
    ensure_eq(
        "unpaged query",
        store
            .query(Statement::new("SELECT n FROM contract_rows WHERE run = ?").bind(id))
            .await
            .map(|r| r.len()),
        Err(StoreError::TooManyRows),
    )?;
    let page = |after: i64| {
        Statement::new("SELECT n FROM contract_rows WHERE run = ? AND n > ? ORDER BY n LIMIT ?")
            .bind(id)
            .bind(after)
            .bind(max)
    };
    let first = store.query(page(0)).await.ctx("first page")?;
    let last = first
        .last()
        .map(|r| r.get::<i64>("n"))
        .transpose()
        .ctx("n")?
        .unwrap_or(0);
    ensure_eq("first page", (first.len(), last), (MAX_ROWS, max))?;
    let second = store.query(page(last)).await.ctx("second page")?;
    ensure_eq(
        "second page",
        second.iter().map(|r| r.get::<i64>("n")).collect::<Vec<_>>(),
        vec![Ok(max + 1)],
    )
}

/// Statements SQLite cannot run are `Backend` errors, and the store works afterwards.
async fn backend_errors<S: Store>(store: &S, _id: i64) -> Outcome {
    backend(
        "query with a syntax error",
        store.query(Statement::new("SELEC 1")).await,
    )?;
    backend(
        "query of an unknown table",
        store
            .query(Statement::new("SELECT * FROM contract_no_such_table"))
            .await,
    )?;
    backend(
        "query of an unknown column",
        store
            .query(Statement::new("SELECT no_such_column FROM department"))
            .await,
    )?;
    backend(
        "execute with a syntax error",
        store
            .execute(Statement::new("UPDATE department SET WHERE"))
            .await,
    )?;
    backend(
        "batch with only a syntax error",
        store.batch(vec![Statement::new("DELETE department")]).await,
    )?;
    ensure_eq(
        "a query after the errors",
        scalar(store, Statement::new("SELECT 1 AS n")).await,
        Ok(1),
    )
}

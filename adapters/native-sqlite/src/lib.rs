//! Native SQLite adapter of the Minyi storage port, for tests and native tools.
//!
//! [`SqliteStore`] implements [`minyi::store::Store`] over one `rusqlite` connection (SQLite
//! bundled, so every machine runs the same SQLite). It behaves like D1 where the port can see
//! it: foreign keys on, batches atomic, results capped at [`MAX_ROWS`], errors classified the
//! same way. [`SqliteStore::migrate`] applies [`MIGRATIONS`] and records them in the table
//! wrangler uses on D1 (`d1_migrations`), so one database file can be read by both tools.
//!
//! The port is async; SQLite answers at once, so every future here completes on its first
//! poll.

use std::path::Path;
use std::rc::Rc;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use minyi::store::{MAX_ROWS, Row, Statement, Store, StoreError, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, ToSql, TransactionBehavior};

#[cfg(doc)]
use minyi::store::MIGRATIONS;

/// How long a statement waits for another connection's lock before failing with
/// [`StoreError::Busy`], unless changed with [`SqliteStore::with_busy_timeout`].
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The table recording applied migrations: the same name and columns as wrangler's D1
/// migrations table, so `wrangler d1 migrations list` and [`SqliteStore::migrate`] agree.
pub const MIGRATIONS_TABLE: &str = "d1_migrations";

/// The storage port over a native SQLite database.
///
/// One connection behind a mutex: statements run one at a time, in call order.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (or creates) the database file at `path`, in WAL mode, with foreign keys on and a
    /// busy timeout of [`DEFAULT_BUSY_TIMEOUT`]. Call [`SqliteStore::migrate`] before use.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(map_err)?;
        // `journal_mode` answers with the mode in force; an in-memory or read-only database
        // may keep another one, which is fine.
        let _mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))
            .map_err(map_err)?;
        conn.pragma_update(None, "synchronous", "normal")
            .map_err(map_err)?;
        Self::configure(conn)
    }

    /// A fresh private in-memory database (gone when the store is dropped), with foreign keys
    /// on. Call [`SqliteStore::migrate`] before use.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::configure(Connection::open_in_memory().map_err(map_err)?)
    }

    fn configure(conn: Connection) -> Result<Self, StoreError> {
        // D1 enforces foreign keys by default; SQLite does not unless asked, per connection.
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(map_err)?;
        conn.busy_timeout(DEFAULT_BUSY_TIMEOUT).map_err(map_err)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// Sets how long a statement waits for another connection's lock before failing with
    /// [`StoreError::Busy`].
    pub fn with_busy_timeout(self, timeout: Duration) -> Result<Self, StoreError> {
        self.conn().busy_timeout(timeout).map_err(map_err)?;
        Ok(self)
    }

    /// Applies the migrations of [`MIGRATIONS`] not yet recorded in `d1_migrations`, in order,
    /// each in its own transaction together with its record, exactly as every other runtime
    /// does ([`minyi::app::migrations::apply`]). Returns the names applied (empty when the
    /// database was up to date), so running it twice applies nothing the second time.
    pub fn migrate(&self) -> Result<Vec<&'static str>, StoreError> {
        self.migrate_through(None)
    }

    /// Like [`SqliteStore::migrate`], stopping after the migration named `through`.
    pub fn migrate_through(&self, through: Option<&str>) -> Result<Vec<&'static str>, StoreError> {
        ready(minyi::app::migrations::apply(self, through)).map_err(|e| match e {
            minyi::app::AppError::Store(e) => e,
            other => StoreError::Backend(other.to_string()),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot leave a transaction open: `Transaction`
        // rolls back on drop. The connection itself stays usable.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store for SqliteStore {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, StoreError> {
        query(&self.conn(), &statement)
    }

    async fn execute(&self, statement: Statement) -> Result<u64, StoreError> {
        execute(&self.conn(), &statement)
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError> {
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn();
        // IMMEDIATE takes the write lock up front, so a batch never fails half-way for lack
        // of it (a DEFERRED transaction could read, then find the lock taken).
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let mut changes = Vec::with_capacity(statements.len());
        for statement in &statements {
            // On error `tx` is dropped, which rolls every earlier statement back.
            changes.push(execute(&tx, statement)?);
        }
        tx.commit().map_err(map_err)?;
        Ok(changes)
    }
}

/// A port value bound as an SQLite parameter without copying it.
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Integer(v) => ValueRef::Integer(*v),
            Value::Real(v) => ValueRef::Real(*v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
        }))
    }
}

/// Prepares `statement` and binds its parameters, checking their number. The prepared statement
/// comes from the connection's cache, as Spin's SQLite host keeps it (`prepare_cached`): a
/// statement that writes through a view compiles its trigger once, not on every call.
fn prepare<'c>(
    conn: &'c Connection,
    statement: &Statement,
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let mut stmt = conn.prepare_cached(&statement.sql).map_err(map_err)?;
    let expected = stmt.parameter_count();
    if expected != statement.params.len() {
        return Err(StoreError::Backend(format!(
            "the statement has {expected} parameters but {} were bound",
            statement.params.len()
        )));
    }
    for (i, value) in statement.params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, Param(value))
            .map_err(map_err)?;
    }
    Ok(stmt)
}

fn query(conn: &Connection, statement: &Statement) -> Result<Vec<Row>, StoreError> {
    let mut stmt = prepare(conn, statement)?;
    let columns: Rc<[String]> = stmt.column_names().map(str::to_owned).collect();
    let width = columns.len();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(map_err)? {
        if out.len() == MAX_ROWS {
            // One row too many: stop here rather than read the rest.
            return Err(StoreError::TooManyRows);
        }
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(from_sqlite(row.get_ref(i).map_err(map_err)?, &columns[i])?);
        }
        out.push(Row::new(Rc::clone(&columns), values));
    }
    Ok(out)
}

fn execute(conn: &Connection, statement: &Statement) -> Result<u64, StoreError> {
    let mut stmt = prepare(conn, statement)?;
    let before = conn.total_changes();
    // Step to the end, discarding any rows (`RETURNING`, a stray `SELECT`), as D1's `run` does.
    let mut rows = stmt.raw_query();
    while rows.next().map_err(map_err)?.is_some() {}
    drop(rows);
    // `changes()` keeps the count of the last INSERT/UPDATE/DELETE, even across later
    // statements that change nothing (SELECT, DDL): trust it only if something changed now.
    Ok(if conn.total_changes() == before {
        0
    } else {
        conn.changes()
    })
}

fn from_sqlite(value: ValueRef<'_>, column: &str) -> Result<Value, StoreError> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(v) => Value::Integer(v),
        ValueRef::Real(v) => Value::Real(v),
        ValueRef::Text(bytes) => Value::Text(
            String::from_utf8(bytes.to_vec())
                .map_err(|_| StoreError::Backend(format!("column {column}: text is not UTF-8")))?,
        ),
        ValueRef::Blob(_) => {
            return Err(StoreError::Backend(format!(
                "column {column}: BLOB values are not part of the port"
            )));
        }
    })
}

/// Classifies an SQLite error in the port's terms.
fn map_err(error: rusqlite::Error) -> StoreError {
    match error {
        rusqlite::Error::SqliteFailure(e, message) => match e.code {
            // Covers UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK, NOT NULL, STRICT datatype and
            // RAISE(ABORT) in triggers: all are extended codes of SQLITE_CONSTRAINT.
            ErrorCode::ConstraintViolation => {
                StoreError::Constraint(message.unwrap_or_else(|| e.to_string()))
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Busy,
            _ => StoreError::Backend(message.unwrap_or_else(|| e.to_string())),
        },
        other => StoreError::Backend(other.to_string()),
    }
}

/// The output of a future that completes on its first poll, as every future of this adapter
/// does (SQLite answers at once).
fn ready<T>(future: impl std::future::Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(value) => value,
        // Unreachable: no statement of this adapter waits.
        std::task::Poll::Pending => unreachable!("the native store never waits"),
    }
}

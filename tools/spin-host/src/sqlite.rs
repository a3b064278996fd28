//! `spin:sqlite/sqlite@3.1.0` over rusqlite, as Spin's local SQLite does it: each `open`
//! is its own connection to the database file, so a transaction spans calls on one handle.
//! Errors carry rusqlite's text (`UNIQUE constraint failed: …`), which is what Spin sends.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::component::{Accessor, Resource, StreamReader};

use crate::bindings::spin::spin::sqlite::sqlite::{
    Error, Host, HostConnection, HostConnectionWithStore, QueryResult, RowResult, Value,
};
use crate::state::{SpinApi, SpinView};

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The databases components may open, by label.
pub struct Databases {
    default: PathBuf,
}

impl Databases {
    /// The `default` database lives at `default`, as Spin's `.spin/sqlite_db.db`.
    pub fn new(default: PathBuf) -> Self {
        Self { default }
    }

    /// Runs `sql` (one or more statements) against the `default` database, as
    /// `spin up --sqlite` does before serving.
    pub fn run_startup_sql(&self, sql: &str) -> wasmtime::Result<()> {
        let conn = self
            .connect("default")
            .map_err(|e| wasmtime::format_err!("{e:?}"))?;
        conn.execute_batch(sql)?;
        Ok(())
    }

    fn connect(&self, label: &str) -> Result<rusqlite::Connection, Error> {
        if label != "default" {
            return Err(Error::NoSuchDatabase);
        }
        let conn = rusqlite::Connection::open(&self.default).map_err(io)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(io)?;
        Ok(conn)
    }
}

/// An open connection (the `connection` resource).
pub struct Connection(Arc<Mutex<rusqlite::Connection>>);

fn io(e: rusqlite::Error) -> Error {
    Error::Io(e.to_string())
}

impl SpinView<'_> {
    fn open(&mut self, label: &str) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        if !self.ctx.grants.sqlite_databases.iter().any(|l| l == label) {
            return Ok(Err(Error::AccessDenied));
        }
        let conn = match self.ctx.backends.databases.connect(label) {
            Ok(conn) => conn,
            Err(e) => return Ok(Err(e)),
        };
        Ok(Ok(self
            .table
            .push(Connection(Arc::new(Mutex::new(conn))))?))
    }

    fn handle(
        &self,
        conn: &Resource<Connection>,
    ) -> wasmtime::Result<Arc<Mutex<rusqlite::Connection>>> {
        Ok(Arc::clone(&self.table.get(conn)?.0))
    }
}

/// Runs one statement, binding `params` positionally, and reads every row it returns. The
/// statement is prepared through the connection's cache, as Spin's own host does
/// (`prepare_cached` in spin-sqlite-inproc).
fn execute(
    conn: &rusqlite::Connection,
    sql: &str,
    params: Vec<Value>,
) -> Result<QueryResult, Error> {
    let mut stmt = conn.prepare_cached(sql).map_err(io)?;
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let params: Vec<rusqlite::types::Value> = params.into_iter().map(to_sqlite).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params)).map_err(io)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(io)? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(from_sqlite(row.get_ref(i).map_err(io)?));
        }
        out.push(RowResult { values });
    }
    Ok(QueryResult { columns, rows: out })
}

fn to_sqlite(v: Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Integer(i) => V::Integer(i),
        Value::Real(f) => V::Real(f),
        Value::Text(s) => V::Text(s),
        Value::Blob(b) => V::Blob(b),
        Value::Null => V::Null,
    }
}

fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Integer(i) => Value::Integer(i),
        V::Real(f) => Value::Real(f),
        V::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        V::Blob(b) => Value::Blob(b.to_vec()),
        V::Null => Value::Null,
    }
}

/// Runs `f` on the locked connection.
fn with_lock<R>(
    conn: &Mutex<rusqlite::Connection>,
    f: impl FnOnce(&rusqlite::Connection) -> R,
) -> wasmtime::Result<R> {
    let conn = conn
        .lock()
        .map_err(|_| wasmtime::format_err!("connection poisoned"))?;
    Ok(f(&conn))
}

/// Runs `f` on the connection off the async threads (a statement may wait on a lock).
async fn blocking<R: Send + 'static>(
    conn: Arc<Mutex<rusqlite::Connection>>,
    f: impl FnOnce(&rusqlite::Connection) -> R + Send + 'static,
) -> wasmtime::Result<R> {
    tokio::task::spawn_blocking(move || with_lock(&conn, f)).await?
}

impl Host for SpinView<'_> {}

impl HostConnection for SpinView<'_> {
    fn open(&mut self, database: String) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        SpinView::open(self, &database)
    }

    fn execute(
        &mut self,
        conn: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        with_lock(&*self.handle(&conn)?, |c| {
            execute(c, &statement, parameters)
        })
    }

    fn last_insert_rowid(&mut self, conn: Resource<Connection>) -> wasmtime::Result<i64> {
        with_lock(
            &*self.handle(&conn)?,
            rusqlite::Connection::last_insert_rowid,
        )
    }

    fn changes(&mut self, conn: Resource<Connection>) -> wasmtime::Result<u64> {
        with_lock(&*self.handle(&conn)?, rusqlite::Connection::changes)
    }

    fn drop(&mut self, conn: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(conn)?;
        Ok(())
    }
}

impl<T> HostConnectionWithStore<T> for SpinApi {
    async fn open_async(
        store: &Accessor<T, Self>,
        database: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        store.with(|mut access| access.get().open(&database))
    }

    async fn execute_async(
        store: &Accessor<T, Self>,
        conn: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<
        Result<
            (
                Vec<String>,
                StreamReader<RowResult>,
                wasmtime::component::FutureReader<Result<(), Error>>,
            ),
            Error,
        >,
    > {
        let conn = store.with(|mut access| access.get().handle(&conn))?;
        let result = blocking(conn, move |c| execute(c, &statement, parameters)).await?;
        let QueryResult { columns, rows } = match result {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        store.with(|mut access| {
            let rows = StreamReader::new(&mut access, rows)?;
            let done = wasmtime::component::FutureReader::new(&mut access, async {
                wasmtime::Result::<Result<(), Error>>::Ok(Ok(()))
            })?;
            Ok(Ok((columns, rows, done)))
        })
    }

    async fn last_insert_rowid_async(
        store: &Accessor<T, Self>,
        conn: Resource<Connection>,
    ) -> wasmtime::Result<i64> {
        let conn = store.with(|mut access| access.get().handle(&conn))?;
        blocking(conn, |c| c.last_insert_rowid()).await
    }

    async fn changes_async(
        store: &Accessor<T, Self>,
        conn: Resource<Connection>,
    ) -> wasmtime::Result<u64> {
        let conn = store.with(|mut access| access.get().handle(&conn))?;
        blocking(conn, |c| c.changes()).await
    }
}

//! The storage port over Spin SQLite.

use std::cell::Cell;
use std::rc::Rc;

use minyi::store::{MAX_ROWS, Row, Statement, Store, StoreError, Value};
use spin_sdk::sqlite::{Connection, Error, Value as SpinValue};

use minyi::store::sqlite_errors::classify;

/// The storage port over one Spin SQLite connection (`default` unless named otherwise).
///
/// Batches are atomic through `BEGIN IMMEDIATE` … `COMMIT` on the connection (Spin's local
/// SQLite keeps one SQLite connection per opened handle, so a transaction spans calls).
pub struct SpinStore {
    conn: Connection,
    /// `total_changes()` after the last write, so `execute` can tell whether its statement
    /// changed anything (`changes()` keeps the count of an earlier write).
    total: Cell<Option<i64>>,
}

impl SpinStore {
    /// Opens the database labelled `label` in the manifest's `sqlite_databases`. Foreign keys
    /// are switched on for the connection, as D1 and the native adapter have them.
    pub async fn open(label: &str) -> Result<Self, StoreError> {
        let conn = Connection::open(label).await.map_err(map_err)?;
        let store = Self {
            conn,
            total: Cell::new(None),
        };
        store.run("PRAGMA foreign_keys = ON", Vec::new()).await?;
        Ok(store)
    }

    /// Runs a statement and returns its columns and rows (at most [`MAX_ROWS`]).
    async fn run(
        &self,
        sql: &str,
        params: Vec<SpinValue>,
    ) -> Result<(Rc<[String]>, Vec<Vec<SpinValue>>), StoreError> {
        let mut result = self.conn.execute(sql, params).await.map_err(map_err)?;
        let columns: Rc<[String]> = result.columns().iter().cloned().collect();
        let mut rows = Vec::new();
        while let Some(row) = result.next().await {
            if rows.len() == MAX_ROWS {
                return Err(StoreError::TooManyRows);
            }
            rows.push(row.values);
        }
        result.result().await.map_err(map_err)?;
        Ok((columns, rows))
    }

    async fn total_changes(&self) -> Result<i64, StoreError> {
        let (_, rows) = self.run("SELECT total_changes()", Vec::new()).await?;
        match rows.first().and_then(|r| r.first()) {
            Some(SpinValue::Integer(n)) => Ok(*n),
            _ => Err(StoreError::Backend(
                "total_changes() answered no integer".into(),
            )),
        }
    }

    async fn write(&self, statement: &Statement) -> Result<u64, StoreError> {
        let before = match self.total.get() {
            Some(n) => n,
            None => self.total_changes().await?,
        };
        // Step to the end, discarding rows (`RETURNING`), as D1's `run` does.
        self.run(&statement.sql, params(statement)).await?;
        let after = self.total_changes().await?;
        self.total.set(Some(after));
        Ok(if after == before {
            0
        } else {
            self.conn.changes().await
        })
    }
}

fn params(statement: &Statement) -> Vec<SpinValue> {
    statement
        .params
        .iter()
        .map(|v| match v {
            Value::Null => SpinValue::Null,
            Value::Integer(n) => SpinValue::Integer(*n),
            Value::Real(x) => SpinValue::Real(*x),
            Value::Text(s) => SpinValue::Text(s.clone()),
        })
        .collect()
}

fn from_spin(value: SpinValue, column: &str) -> Result<Value, StoreError> {
    Ok(match value {
        SpinValue::Null => Value::Null,
        SpinValue::Integer(n) => Value::Integer(n),
        SpinValue::Real(x) => Value::Real(x),
        SpinValue::Text(s) => Value::Text(s),
        SpinValue::Blob(_) => {
            return Err(StoreError::Backend(format!(
                "column {column}: BLOB values are not part of the port"
            )));
        }
    })
}

/// Classifies a Spin SQLite error in the port's terms.
fn map_err(error: Error) -> StoreError {
    match error {
        Error::Io(message) => classify(&message),
        Error::DatabaseFull => StoreError::Backend("database full".into()),
        Error::NoSuchDatabase => StoreError::Backend("no such database (sqlite_databases)".into()),
        Error::AccessDenied => StoreError::Backend("access to the database denied".into()),
        Error::InvalidConnection => StoreError::Backend("invalid connection".into()),
    }
}

impl Store for SpinStore {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, StoreError> {
        // A query may write (`RETURNING`): forget the change count.
        self.total.set(None);
        let (columns, rows) = self.run(&statement.sql, params(&statement)).await?;
        rows.into_iter()
            .map(|values| {
                let values = values
                    .into_iter()
                    .zip(columns.iter())
                    .map(|(v, c)| from_spin(v, c))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Row::new(Rc::clone(&columns), values))
            })
            .collect()
    }

    async fn execute(&self, statement: Statement) -> Result<u64, StoreError> {
        self.write(&statement).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError> {
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        // IMMEDIATE takes the write lock up front, as the native adapter does.
        self.run("BEGIN IMMEDIATE", Vec::new()).await?;
        let mut changes = Vec::with_capacity(statements.len());
        for statement in &statements {
            match self.write(statement).await {
                Ok(n) => changes.push(n),
                Err(e) => {
                    // The error is the batch's answer; a failed rollback leaves nothing
                    // committed either.
                    let _ = self.run("ROLLBACK", Vec::new()).await;
                    self.total.set(None);
                    return Err(e);
                }
            }
        }
        if let Err(e) = self.run("COMMIT", Vec::new()).await {
            let _ = self.run("ROLLBACK", Vec::new()).await;
            self.total.set(None);
            return Err(e);
        }
        Ok(changes)
    }
}

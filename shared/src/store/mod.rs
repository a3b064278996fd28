//! The storage port: SQL statements over the one SQLite schema in `migrations/`.
//!
//! Every adapter (D1 on Workers, Spin SQLite, native SQLite for tests and tools) implements
//! [`Store`]. Statements use positional `?` parameters. Writes that must be atomic go through
//! [`Store::batch`], since D1 has no `BEGIN`/`COMMIT`. Every query is capped at [`MAX_ROWS`]
//! rows: callers page with `LIMIT`.

pub mod script;
pub mod sqlite_errors;
mod value;

pub use value::{FromValue, Row, Value};

use std::borrow::Cow;
use std::fmt;

/// The most rows one query may return; a query that would return more is an error, so no
/// request ever buffers an unbounded result.
pub const MAX_ROWS: usize = 1000;

/// The schema migrations, in order, as (file name, SQL): the files of `migrations/`, each as its
/// statements without the comments around them (`build.rs`), applied by `wrangler d1 migrations
/// apply` on D1 (from the files) and by [`crate::app::migrations`] everywhere else (from here),
/// both recording them in `d1_migrations`.
pub const MIGRATIONS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations/list.rs"));

/// One SQL statement with its positional parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The SQL text, with `?` placeholders.
    pub sql: Cow<'static, str>,
    /// The parameters, in placeholder order.
    pub params: Vec<Value>,
}

impl Statement {
    /// A statement with no parameters yet.
    pub fn new(sql: impl Into<Cow<'static, str>>) -> Self {
        Self {
            sql: sql.into(),
            params: Vec::new(),
        }
    }

    /// An INSERT into `table` of the columns that have a value. A NULL column is left out: it
    /// takes its default (NULL for every nullable column) and costs no parameter to bind and
    /// send (a web submission leaves 9 of the 33 columns a registration names empty).
    pub fn insert<'a>(table: &str, columns: impl IntoIterator<Item = (&'a str, Value)>) -> Self {
        let (names, params): (Vec<&str>, Vec<Value>) = columns
            .into_iter()
            .filter(|(_, value)| *value != Value::Null)
            .unzip();
        let placeholders = vec!["?"; params.len()].join(", ");
        Self {
            sql: format!(
                "INSERT INTO {table} ({}) VALUES ({placeholders})",
                names.join(", ")
            )
            .into(),
            params,
        }
    }

    /// Appends the next positional parameter.
    #[must_use]
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.params.push(value.into());
        self
    }
}

/// Errors every adapter reports in the same terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// A UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK or NOT NULL constraint, a STRICT column
    /// type, or a trigger's RAISE(ABORT) refused the write.
    Constraint(String),
    /// The database is busy or locked; the caller may retry.
    Busy,
    /// The query would return more than [`MAX_ROWS`] rows.
    TooManyRows,
    /// A column is missing from a row or holds a value of another type.
    Column {
        /// The column asked for.
        column: String,
        /// What was wrong with it.
        problem: &'static str,
    },
    /// Any other failure of the backend (syntax error, I/O, ...).
    Backend(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Constraint(m) => write!(f, "constraint violated: {m}"),
            Self::Busy => f.write_str("database busy"),
            Self::TooManyRows => write!(f, "query returned more than {MAX_ROWS} rows"),
            Self::Column { column, problem } => write!(f, "column {column}: {problem}"),
            Self::Backend(m) => write!(f, "database error: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// The SQL storage port. Futures are not `Send`: Workers and Spin run single-threaded.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// Runs a query and returns its rows (at most [`MAX_ROWS`]).
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, StoreError>;

    /// Runs one write and returns the number of rows it changed.
    async fn execute(&self, statement: Statement) -> Result<u64, StoreError>;

    /// Runs several writes atomically: all of them take effect, or none does. Returns the
    /// number of rows each changed.
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insert_names_only_the_columns_with_a_value() {
        let statement = Statement::insert(
            "\"case\"",
            [
                ("id", Value::Integer(7)),
                ("address", Value::Null),
                ("title", Value::Text("路灯".into())),
            ],
        );
        assert_eq!(
            statement.sql,
            "INSERT INTO \"case\" (id, title) VALUES (?, ?)"
        );
        assert_eq!(
            statement.params,
            [Value::Integer(7), Value::Text("路灯".into())]
        );
    }
}

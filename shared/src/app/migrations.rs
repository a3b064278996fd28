//! Schema changes on a live database, the way wrangler applies them to D1: every file of
//! [`MIGRATIONS`] not yet named in the `d1_migrations` table runs, in order, each in one
//! atomic batch together with the row recording it. A database migrated by wrangler and one
//! migrated here read the same, so either tool may take over from the other.
//!
//! Spin deployments call this through the ops function (`POST /ops/migrations`); tests and
//! native tools through the native adapter.

use super::AppError;
use crate::store::{MIGRATIONS, Statement, Store, script};

/// The bookkeeping table, as wrangler creates it.
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS d1_migrations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)";

/// Which migrations a database has and lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Names recorded in `d1_migrations`, in the order applied.
    pub applied: Vec<String>,
    /// Names of [`MIGRATIONS`] not applied yet, in the order they will run.
    pub pending: Vec<&'static str>,
}

/// What the database has applied and what is pending.
pub async fn status<S: Store>(store: &S) -> Result<Status, AppError> {
    store.execute(Statement::new(CREATE_TABLE)).await?;
    let applied: Vec<String> = store
        .query(Statement::new(
            "SELECT name FROM d1_migrations ORDER BY id LIMIT 1000",
        ))
        .await?
        .iter()
        .map(|r| r.get("name"))
        .collect::<Result<_, _>>()?;
    let pending = MIGRATIONS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !applied.iter().any(|a| a == name))
        .collect();
    Ok(Status { applied, pending })
}

/// Applies the pending migrations in order, up to and including `through` when given (a
/// name of [`MIGRATIONS`]). Returns the names applied now: empty when the database was up
/// to date, so a second call does nothing. A migration that fails changes nothing and stops
/// the run; the ones before it stay applied.
pub async fn apply<S: Store>(
    store: &S,
    through: Option<&str>,
) -> Result<Vec<&'static str>, AppError> {
    if let Some(name) = through
        && !MIGRATIONS.iter().any(|(n, _)| *n == name)
    {
        return Err(AppError::Invalid {
            field: "through",
            problem: format!("没有名为 {name} 的迁移 / no migration named {name}"),
        });
    }
    let pending = status(store).await?.pending;
    let mut applied = Vec::new();
    for (name, sql) in MIGRATIONS {
        if pending.contains(name) {
            let mut batch: Vec<Statement> = script::statements(sql)
                .into_iter()
                .map(|s| Statement::new(s.to_owned()))
                .collect();
            // The record is part of the batch: a racing run fails on its UNIQUE name (or on
            // the schema it already changed), and writes nothing.
            batch.push(Statement::new("INSERT INTO d1_migrations (name) VALUES (?)").bind(*name));
            store.batch(batch).await.map_err(|e| match e {
                crate::store::StoreError::Backend(m) => {
                    crate::store::StoreError::Backend(format!("{name}: {m}"))
                }
                crate::store::StoreError::Constraint(m) => {
                    crate::store::StoreError::Constraint(format!("{name}: {m}"))
                }
                other => other,
            })?;
            applied.push(*name);
        }
        if through == Some(*name) {
            break;
        }
    }
    Ok(applied)
}

//! `spin:key-value/key-value@3.0.0` over one SQLite file, as Spin's local default store
//! (`.spin/sqlite_key_value.db`) keeps it: a table of (store, key, value).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{OptionalExtension, params};
use wasmtime::component::{Accessor, FutureReader, Resource, StreamReader};

use crate::bindings::spin::spin::key_value::key_value::{
    Error, Host, HostStore, HostStoreWithStore,
};
use crate::state::{SpinApi, SpinView};

/// Every key-value store, in one database.
pub struct KeyValue(Mutex<rusqlite::Connection>);

/// An open store (the `store` resource): its label.
pub struct Store(String);

impl KeyValue {
    /// Opens (creating if needed) the file that holds every store.
    pub fn open(path: &Path) -> wasmtime::Result<Self> {
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS spin_key_value (
                 store TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                 PRIMARY KEY (store, key))",
        )?;
        Ok(Self(Mutex::new(conn)))
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>,
    ) -> Result<R, Error> {
        let conn = self
            .0
            .lock()
            .map_err(|_| Error::Other("key-value store poisoned".into()))?;
        f(&conn).map_err(|e| Error::Other(e.to_string()))
    }
}

/// Runs `f` with the backend and the label of the store `store` refers to.
fn on_store<T, R>(
    accessor: &Accessor<T, SpinApi>,
    store: &Resource<Store>,
    f: impl FnOnce(&KeyValue, &str) -> Result<R, Error>,
) -> wasmtime::Result<Result<R, Error>> {
    accessor.with(|mut access| {
        let view = access.get();
        let label = view.table.get(store)?.0.clone();
        Ok(f(&view.ctx.backends.key_value, &label))
    })
}

impl Host for SpinView<'_> {}

impl HostStore for SpinView<'_> {
    fn drop(&mut self, store: Resource<Store>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

impl<T> HostStoreWithStore<T> for SpinApi {
    async fn open(
        accessor: &Accessor<T, Self>,
        label: String,
    ) -> wasmtime::Result<Result<Resource<Store>, Error>> {
        accessor.with(|mut access| {
            let view = access.get();
            if !view.ctx.grants.key_value_stores.contains(&label) {
                return Ok(Err(Error::AccessDenied));
            }
            if label != "default" {
                return Ok(Err(Error::NoSuchStore));
            }
            Ok(Ok(view.table.push(Store(label))?))
        })
    }

    async fn get(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        on_store(accessor, &store, |kv, label| {
            kv.with(|c| {
                c.query_row(
                    "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2",
                    params![label, key],
                    |row| row.get(0),
                )
                .optional()
            })
        })
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        on_store(accessor, &store, |kv, label| {
            kv.with(|c| {
                c.execute(
                    "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
                    params![label, key, value],
                )
                .map(drop)
            })
        })
    }

    async fn delete(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        on_store(accessor, &store, |kv, label| {
            kv.with(|c| {
                c.execute(
                    "DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2",
                    params![label, key],
                )
                .map(drop)
            })
        })
    }

    async fn exists(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        on_store(accessor, &store, |kv, label| {
            kv.with(|c| {
                c.query_row(
                    "SELECT EXISTS (SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2)",
                    params![label, key],
                    |row| row.get(0),
                )
            })
        })
    }

    async fn get_keys(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
    ) -> wasmtime::Result<(StreamReader<String>, FutureReader<Result<(), Error>>)> {
        let keys = on_store(accessor, &store, |kv, label| {
            kv.with(|c| {
                let mut stmt =
                    c.prepare("SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key")?;
                stmt.query_map(params![label], |row| row.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
        })?;
        accessor.with(|mut access| {
            let (keys, result) = match keys {
                Ok(keys) => (keys, Ok(())),
                Err(e) => (Vec::new(), Err(e)),
            };
            let stream = StreamReader::new(&mut access, keys)?;
            let done = FutureReader::new(&mut access, async move {
                wasmtime::Result::<Result<(), Error>>::Ok(result)
            })?;
            Ok((stream, done))
        })
    }
}

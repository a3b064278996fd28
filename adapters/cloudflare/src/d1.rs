//! The storage port over D1.
//!
//! Statements go to D1 through its JavaScript API (`prepare`, `bind`, `raw`, `run`, `batch`),
//! bound here as typed imports (one call into JavaScript each, no method lookups), so that
//! errors keep D1's own message and rows keep their column order (`raw({columnNames: true})`).
//! Integer parameters go as decimal text behind `CAST(? AS INTEGER)` ([`crate::sql::rewrite`]),
//! exact over the whole i64 range; integers read back come as JavaScript numbers, exact only
//! within ±2^53 ([`crate::errors::MAX_SAFE_INTEGER`]): a larger one is returned as a `Real`, so
//! reading it as `i64` fails with a column error instead of yielding a rounded number.

use crate::errors::{from_message, number_as_value};
use crate::sql;
use minyi::store::{MAX_ROWS, Row, Statement, Store, StoreError, Value};
use std::rc::Rc;
use worker::js_sys::{Array, Object, Promise, Reflect};
use worker::wasm_bindgen::{self, JsCast, JsValue, prelude::wasm_bindgen};
use worker::wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// A D1 binding.
    type D1Database;
    #[wasm_bindgen(method, catch)]
    fn prepare(this: &D1Database, sql: &str) -> Result<D1Statement, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn batch(this: &D1Database, statements: &Array) -> Result<Promise, JsValue>;

    /// A prepared D1 statement.
    type D1Statement;
    #[wasm_bindgen(method, catch, variadic)]
    fn bind(this: &D1Statement, values: &Array) -> Result<D1Statement, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn raw(this: &D1Statement, options: &Object) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn run(this: &D1Statement) -> Result<Promise, JsValue>;

    /// What D1 answers for a statement run or batched.
    type D1Result;
    #[wasm_bindgen(method, getter)]
    fn meta(this: &D1Result) -> Option<D1Meta>;

    /// A result's metadata.
    type D1Meta;
    #[wasm_bindgen(method, getter)]
    fn changes(this: &D1Meta) -> Option<f64>;
}

/// A D1 database binding as a [`Store`].
pub struct D1Store {
    db: D1Database,
}

impl D1Store {
    /// The D1 binding `name` of the Worker's environment.
    pub fn from_env(env: &worker::Env, name: &str) -> Result<Self, StoreError> {
        let db = Reflect::get(env, &JsValue::from_str(name))
            .map_err(|e| StoreError::Backend(js_message(&e)))?;
        if db.is_undefined() {
            return Err(StoreError::Backend(format!("no D1 binding named {name}")));
        }
        Ok(Self {
            db: db.unchecked_into(),
        })
    }

    /// A prepared statement with its parameters bound.
    fn prepare(&self, statement: &Statement) -> Result<D1Statement, StoreError> {
        let sql = sql::rewrite(&statement.sql, &statement.params)?;
        let prepared = self.db.prepare(&sql).map_err(|e| error(&e))?;
        if statement.params.is_empty() {
            return Ok(prepared);
        }
        let params: Array = statement.params.iter().map(to_js).collect();
        prepared.bind(&params).map_err(|e| error(&e))
    }
}

impl Store for D1Store {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, StoreError> {
        let prepared = self.prepare(&statement)?;
        let options = Object::new();
        Reflect::set(&options, &JsValue::from_str("columnNames"), &JsValue::TRUE)
            .map_err(|e| error(&e))?;
        let raw = prepared.raw(&options).map_err(|e| error(&e))?;
        let raw: Array = settle(raw).await?.dyn_into().map_err(|e| error(&e))?;
        // First the column names, then one array per row.
        let mut arrays = raw.iter();
        let Some(names) = arrays.next() else {
            return Ok(Vec::new());
        };
        let columns: Rc<[String]> = Array::from(&names)
            .iter()
            .map(|c| c.as_string().unwrap_or_default())
            .collect();
        // D1's `raw()` hands over the whole result at once, so this count comes after the
        // rows are in memory: the bound is the query's own. Every query of `minyi::app` is
        // keyed by a primary or unique key or pages with `LIMIT` ≤ MAX_ROWS, and the native
        // adapter (which stops reading at MAX_ROWS + 1) refuses any that is not, in the tests.
        let rows = raw.length() as usize - 1;
        if rows > MAX_ROWS {
            return Err(StoreError::TooManyRows);
        }
        let mut out = Vec::with_capacity(rows);
        for values in arrays {
            let values = Array::from(&values)
                .iter()
                .enumerate()
                .map(|(i, v)| from_js(&columns, i, &v))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Row::new(Rc::clone(&columns), values));
        }
        Ok(out)
    }

    async fn execute(&self, statement: Statement) -> Result<u64, StoreError> {
        let prepared = self.prepare(&statement)?;
        let result = settle(prepared.run().map_err(|e| error(&e))?).await?;
        Ok(changes(&result))
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError> {
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        let prepared = Array::new();
        for statement in &statements {
            prepared.push(self.prepare(statement)?.as_ref());
        }
        let results = settle(self.db.batch(&prepared).map_err(|e| error(&e))?).await?;
        let results: Array = results.dyn_into().map_err(|e| error(&e))?;
        Ok(results.iter().map(|r| changes(&r)).collect())
    }
}

/// A bound parameter as a JavaScript value.
fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        // Sent as text; `sql::rewrite` wraps its placeholder in CAST(? AS INTEGER).
        Value::Integer(v) => JsValue::from_str(&v.to_string()),
        Value::Real(v) => JsValue::from_f64(*v),
        Value::Text(s) => JsValue::from_str(s),
    }
}

/// A value D1 returned, as a port value.
fn from_js(columns: &[String], i: usize, v: &JsValue) -> Result<Value, StoreError> {
    if v.is_null() || v.is_undefined() {
        Ok(Value::Null)
    } else if let Some(n) = v.as_f64() {
        Ok(number_as_value(n))
    } else if let Some(s) = v.as_string() {
        Ok(Value::Text(s))
    } else if let Some(b) = v.as_bool() {
        Ok(Value::Integer(i64::from(b)))
    } else {
        let column = columns.get(i).map_or("?", String::as_str);
        Err(StoreError::Backend(format!(
            "column {column}: BLOB values are not part of the port"
        )))
    }
}

/// `meta.changes` of a D1 result (0 when absent).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn changes(result: &JsValue) -> u64 {
    let meta = result.unchecked_ref::<D1Result>().meta();
    meta.and_then(|meta| meta.changes()).unwrap_or(0.0) as u64
}

async fn settle(promise: Promise) -> Result<JsValue, StoreError> {
    JsFuture::from(promise).await.map_err(|e| error(&e))
}

/// The store error of a thrown JavaScript value.
fn error(e: &JsValue) -> StoreError {
    from_message(&js_message(e))
}

/// The message of a thrown JavaScript value, with its cause's (D1 puts SQLite's message
/// there).
pub(crate) fn js_message(e: &JsValue) -> String {
    let text = |v: &JsValue| -> Option<String> {
        Reflect::get(v, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| v.as_string())
    };
    let mut message = text(e).unwrap_or_else(|| "unknown D1 error".to_owned());
    if let Ok(cause) = Reflect::get(e, &JsValue::from_str("cause"))
        && let Some(cause) = text(&cause).filter(|c| !message.contains(c.as_str()))
    {
        message = format!("{message}: {cause}");
    }
    message
}

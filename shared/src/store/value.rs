//! SQLite values and rows as the port carries them.

use super::StoreError;
use std::rc::Rc;

/// One SQLite value. Booleans are stored as `0`/`1`, instants as Unix milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit integer. Exact on every adapter only within ±2^53 (9_007_199_254_740_991):
    /// D1 carries numbers through JavaScript. Ids and millisecond instants fit.
    Integer(i64),
    /// A 64-bit float.
    Real(f64),
    /// UTF-8 text.
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Integer(i64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Integer(i64::from(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A row of a query result: values addressed by column name.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    columns: Rc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// A row; `columns` is shared by all rows of one result.
    pub fn new(columns: Rc<[String]>, values: Vec<Value>) -> Self {
        Self { columns, values }
    }

    /// The value of `column`, converted to `T`.
    pub fn get<T: FromValue>(&self, column: &str) -> Result<T, StoreError> {
        let value = self
            .columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| StoreError::Column {
                column: column.to_owned(),
                problem: "no such column in the result",
            })?;
        T::from_value(value).ok_or_else(|| StoreError::Column {
            column: column.to_owned(),
            problem: T::EXPECTED,
        })
    }
}

/// A Rust type a [`Value`] converts to.
pub trait FromValue: Sized {
    /// What the conversion expects, for error messages.
    const EXPECTED: &'static str;
    /// The converted value, or `None` when the value has another type.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const EXPECTED: &'static str = "expected an integer";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Integer(v) => Some(*v),
            _ => None,
        }
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "expected 0 or 1";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Integer(0) => Some(false),
            Value::Integer(1) => Some(true),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    const EXPECTED: &'static str = "expected a number";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Real(v) => Some(*v),
            #[allow(clippy::cast_precision_loss)]
            Value::Integer(v) => Some(*v as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    const EXPECTED: &'static str = "expected text";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(v) => Some(v.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

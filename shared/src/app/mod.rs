//! Use cases written against the ports: the application layer.
//!
//! Each use case takes the store and a [`Host`] (clock and randomness, which the runtime
//! provides) and leaves the store consistent: every state change of a case is one atomic batch
//! that updates the case row and appends its event.

pub mod calendar;
pub mod cases;
pub mod criticism;
pub mod desk;
pub mod idempotency;
pub mod keys;
pub mod meetings;
pub mod migrations;
pub mod outbox;
pub mod public;
pub mod rulebook;
pub mod sms;
pub mod staff;
pub mod statistics;
pub mod supervision;
pub mod sweep;

use crate::calendar::Timestamp;
use crate::case::LifecycleError;
use crate::store::StoreError;
use std::fmt;

/// What the runtime provides besides storage: its clock and its random numbers.
pub trait Host {
    /// The current instant.
    fn now(&self) -> Timestamp;
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill_random(&self, buf: &mut [u8]);
}

/// Why a use case failed. Nothing was written when it fails.
#[derive(Debug, PartialEq)]
pub enum AppError {
    /// The store failed.
    Store(StoreError),
    /// The lifecycle refused the command.
    Lifecycle(LifecycleError),
    /// Input was refused before reaching the domain.
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong, Chinese first.
        problem: String,
    },
    /// No such case (or other record).
    NotFound,
    /// Someone else changed the case at the same moment; reload and try again.
    Conflict,
    /// The client's submission budget for this window is spent.
    OverBudget,
    /// The idempotency key was used before for a different request.
    KeyReused,
    /// A stored row does not decode (a code the domain does not know, ...).
    Corrupt(String),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => e.fmt(f),
            Self::Lifecycle(e) => e.fmt(f),
            Self::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            Self::NotFound => f.write_str("未找到 / not found"),
            Self::Conflict => f.write_str(
                "记录已被他人修改，请刷新后重试 / changed by someone else, reload and retry",
            ),
            Self::OverBudget => f.write_str("提交过于频繁 / too many submissions"),
            Self::KeyReused => f.write_str(
                "该幂等键已用于另一次提交 / the idempotency key was used for another request",
            ),
            Self::Corrupt(m) => write!(f, "stored data does not decode: {m}"),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<LifecycleError> for AppError {
    fn from(e: LifecycleError) -> Self {
        Self::Lifecycle(e)
    }
}

/// Unix milliseconds, as stored.
pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// An instant from stored Unix milliseconds.
pub(crate) fn instant(ms: i64) -> Result<Timestamp, AppError> {
    Timestamp::from_millisecond(ms).map_err(|_| AppError::Corrupt(format!("instant {ms}")))
}

//! # Minyi (民意) domain core
//!
//! Everything every Minyi function shares, with no platform crate in sight:
//!
//! - [`calendar`]: the mainland-China working-day calendar (Asia/Shanghai) and deadline arithmetic;
//! - [`policy`]: the deadline rule table that turns a case's channel, category, urgency and
//!   complexity into stored instants;
//! - [`rulebook`]: a deployment's policy, form categories and departments as versioned data;
//! - [`case`]: the case lifecycle as an explicit transition table with audit events;
//! - [`ids`]: tracking numbers and query codes;
//! - [`store`]: the async SQL storage port every adapter implements;
//! - [`staff`]: the back office's roles and what each may see and do;
//! - [`kv`]: the key-value port (rate-limit counters);
//! - [`app`]: use cases written against the ports.
//!
//! The domain modules are pure: no I/O, no clock, no randomness. `now` and random bytes are
//! arguments.

pub mod app;
pub mod calendar;
pub mod case;
pub mod hex;
pub mod ids;
pub mod kv;
pub mod meeting;
pub mod policy;
pub mod redact;
pub mod rulebook;
pub mod search;
pub mod sms;
pub mod sort;
pub mod staff;
pub mod store;

#[cfg(test)]
mod docs;

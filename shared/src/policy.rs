//! The deadline policy.

//! The case lifecycle.

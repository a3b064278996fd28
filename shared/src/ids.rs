//! Tracking numbers and query codes.

//! Native SQLite adapter.

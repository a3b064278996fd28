//! How Spin SQLite's errors map onto [`StoreError`].
//!
//! Spin reports SQLite's failures as `io(text)`, the text being rusqlite's message for the
//! error: for a failed constraint only SQLite's message (`UNIQUE constraint failed: t.c`,
//! `cannot store TEXT value in INTEGER column t.c` for STRICT tables, or a trigger's own
//! `RAISE(ABORT, ...)` text), never the result code. So the class is read from the text.

use minyi::store::StoreError;

/// The messages of the schema's `RAISE(ABORT, ...)` triggers (`migrations/`), which SQLite
/// reports as constraint failures but whose text says nothing of it.
pub const TRIGGER_MESSAGES: &[&str] = &["case_event is append-only"];

/// The store error a Spin SQLite error message stands for.
pub fn from_message(message: &str) -> StoreError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("database is locked")
        || lower.contains("database table is locked")
        || lower.contains("database is busy")
        || lower.contains("sqlite_busy")
    {
        StoreError::Busy
    } else if lower.contains("constraint")
        || lower.starts_with("cannot store ")
        || TRIGGER_MESSAGES.iter().any(|m| message.contains(m))
    {
        StoreError::Constraint(message.to_owned())
    } else {
        StoreError::Backend(message.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_s_trigger_messages_are_its_own() {
        let schema = include_str!("../../../migrations/0001_init.sql");
        for m in TRIGGER_MESSAGES {
            assert!(schema.contains(&format!("RAISE(ABORT, '{m}')")));
        }
    }

    #[test]
    fn messages_map_to_store_errors() {
        for m in [
            "UNIQUE constraint failed: department.code",
            "NOT NULL constraint failed: case.kind",
            "CHECK constraint failed: budget",
            "FOREIGN KEY constraint failed",
            "cannot store TEXT value in INTEGER column case.id",
            "case_event is append-only",
        ] {
            assert!(matches!(from_message(m), StoreError::Constraint(_)), "{m}");
        }
        assert_eq!(from_message("database is locked"), StoreError::Busy);
        assert!(matches!(
            from_message("near \"SELEC\": syntax error"),
            StoreError::Backend(_)
        ));
    }
}

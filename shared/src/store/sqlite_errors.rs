//! SQLite failures as [`StoreError`]s, read from their text. D1 and Spin both report SQLite's
//! errors as text only (D1: `D1_ERROR: UNIQUE constraint failed: t.c: SQLITE_CONSTRAINT`;
//! Spin: rusqlite's message, `UNIQUE constraint failed: t.c`), never the result code, so every
//! adapter over them classifies the text here.

use super::StoreError;

/// The messages of the schema's `RAISE(ABORT, ...)` triggers (`migrations/`), which SQLite
/// reports as constraint failures but whose text says nothing of it.
pub const TRIGGER_MESSAGES: &[&str] = &["case_event is append-only"];

/// The store error an SQLite error message stands for: lock contention is
/// [`StoreError::Busy`]; a failed constraint, a STRICT column refusing a value
/// (`cannot store TEXT value in INTEGER column t.c`) or a schema trigger's abort is
/// [`StoreError::Constraint`]; anything else is [`StoreError::Backend`].
pub fn classify(message: &str) -> StoreError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("sqlite_busy")
        || lower.contains("database is locked")
        || lower.contains("database table is locked")
        || lower.contains("database is busy")
    {
        StoreError::Busy
    } else if lower.contains("constraint")
        || lower.contains("cannot store ")
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
            assert!(schema.contains(&format!("RAISE(ABORT, '{m}')")), "{m}");
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
            "D1_ERROR: UNIQUE constraint failed: department.code: SQLITE_CONSTRAINT",
            "D1_ERROR: case_event is append-only: SQLITE_CONSTRAINT",
        ] {
            assert!(matches!(classify(m), StoreError::Constraint(_)), "{m}");
        }
        for m in ["database is locked", "D1_ERROR: SQLITE_BUSY"] {
            assert_eq!(classify(m), StoreError::Busy, "{m}");
        }
        for m in [
            "near \"SELEC\": syntax error",
            "D1_ERROR: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR",
        ] {
            assert!(matches!(classify(m), StoreError::Backend(_)), "{m}");
        }
    }
}

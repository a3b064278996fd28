//! A migration file as the single statements a store runs one at a time.
//!
//! Spin SQLite and D1 prepare one statement per call (rusqlite refuses a string with a second
//! statement in it), so a migration file is split before it is run. A `;` ends a statement
//! except inside a string, a quoted name, a comment, or the `BEGIN … END` body of a
//! `CREATE TRIGGER` (where `CASE … END` nests too) — the cases `sqlite3_complete` knows.

/// The statements of `sql`, each from its first token to its `;` (without it), trimmed: the
/// comments and blanks between statements and empty statements dropped, as SQLite itself
/// keeps a schema object's text (`sqlite_schema.sql`). Text after the last `;` counts as a
/// statement if it is not only comments and blanks.
pub fn statements(sql: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = sql.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let mut words = Words::default();
    // Whether the statement so far holds anything but comments and blanks (`start` is then
    // its first token).
    let mut code = false;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            quote @ (b'\'' | b'"' | b'`' | b'[') => {
                begin(&mut code, &mut start, i);
                let close = if quote == b'[' { b']' } else { quote };
                // A doubled quote inside a string is the quote itself: the scan simply
                // leaves and re-enters the string.
                i = bytes[i + 1..]
                    .iter()
                    .position(|&b| b == close)
                    .map_or(bytes.len(), |n| i + 1 + n + 1);
                continue;
            }
            b';' if words.complete() => {
                if code {
                    out.push(sql[start..i].trim());
                }
                start = i + 1;
                words = Words::default();
                code = false;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let len = bytes[i..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .unwrap_or(bytes.len() - i);
                words.see(&sql[i..i + len]);
                begin(&mut code, &mut start, i);
                i += len;
                continue;
            }
            b if !b.is_ascii_whitespace() => begin(&mut code, &mut start, i),
            _ => {}
        }
        i += 1;
    }
    if code {
        out.push(sql[start..].trim());
    }
    out
}

/// Marks the statement as begun at `at`, its first token, unless it already has.
fn begin(code: &mut bool, start: &mut usize, at: usize) {
    if !*code {
        *code = true;
        *start = at;
    }
}

/// The keywords of the statement so far that decide whether a `;` ends it.
#[derive(Default)]
struct Words {
    /// How many leading keywords were seen (up to the third).
    seen: u8,
    /// Whether the statement is `CREATE [TEMP|TEMPORARY] TRIGGER`.
    trigger: bool,
    /// Whether the trigger's body has begun.
    body: bool,
    /// Open `BEGIN`/`CASE` blocks in the trigger.
    depth: u32,
}

impl Words {
    fn see(&mut self, word: &str) {
        let is = |k: &str| word.eq_ignore_ascii_case(k);
        match self.seen {
            0 if !is("CREATE") => self.seen = 3,
            1 if is("TEMP") || is("TEMPORARY") => return,
            1 | 2 if is("TRIGGER") => self.trigger = true,
            _ => {}
        }
        self.seen = self.seen.saturating_add(1).min(3);
        if !self.trigger {
            return;
        }
        if is("BEGIN") || (self.body && is("CASE")) {
            self.body = true;
            self.depth += 1;
        } else if self.body && is("END") {
            self.depth = self.depth.saturating_sub(1);
        }
    }

    fn complete(&self) -> bool {
        !self.trigger || (self.body && self.depth == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::statements;

    #[test]
    fn plain_statements_split_at_semicolons() {
        assert_eq!(
            statements("CREATE TABLE a (x);\nINSERT INTO a VALUES (1) ;\n\n"),
            ["CREATE TABLE a (x)", "INSERT INTO a VALUES (1)"]
        );
    }

    #[test]
    fn semicolons_in_strings_names_and_comments_do_not_split() {
        let sql = "-- a; comment\nINSERT INTO a VALUES ('x;y', 'it''s; fine');\n\
                   /* block; comment */ CREATE TABLE \"b;c\" ([d;e]);";
        assert_eq!(
            statements(sql),
            [
                "INSERT INTO a VALUES ('x;y', 'it''s; fine')",
                "CREATE TABLE \"b;c\" ([d;e])"
            ]
        );
    }

    #[test]
    fn a_trigger_body_is_one_statement() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  INSERT INTO b VALUES (1);\n  \
                   SELECT CASE WHEN new.x THEN 1 ELSE 2 END;\nEND;\nCREATE TEMP TRIGGER u \
                   BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'no; never'); END;\nSELECT 1;";
        let got = statements(sql);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].ends_with("END") && got[0].contains("ELSE 2 END;"));
        assert!(got[1].starts_with("CREATE TEMP TRIGGER u"));
        assert_eq!(got[2], "SELECT 1");
    }

    #[test]
    fn trailing_comments_are_no_statement() {
        assert_eq!(statements("SELECT 1;\n-- the end\n"), ["SELECT 1"]);
    }

    #[test]
    fn every_migration_splits_into_statements_sqlite_accepts_one_by_one() {
        // The native adapter runs migrations through this splitter (app::migrations), so
        // every test that opens a store checks the real files; here, the shapes.
        for (name, sql) in crate::store::MIGRATIONS {
            let parts = statements(sql);
            assert!(!parts.is_empty(), "{name}");
            for p in parts {
                assert!(!p.ends_with(';'), "{name}: {p}");
                let upper = p.to_ascii_uppercase();
                if upper.contains("CREATE TRIGGER") {
                    assert!(upper.trim_end().ends_with("END"), "{name}: {p}");
                }
            }
        }
    }
}

-- 0003: a deployment's rules as versioned data (issue 9).
--
-- 1. Each saved rulebook (deadline policy, the categories the form offers, departments; see
--    docs/rulebook.md) is a new row; the highest version is in force. Rows are never changed,
--    so the rules that set any case's deadlines can be read back. The document is stored as
--    the application wrote it: complete, every field spelled out, so a later release's
--    different built-in preset cannot change what a stored version means.
-- 2. Every case records the version that set its current deadlines (0: the built-in preset of
--    the release that set them).

CREATE TABLE rulebook (
    version  INTEGER PRIMARY KEY CHECK (version > 0),
    document TEXT    NOT NULL CHECK (length(document) <= 65536 AND json_valid(document)),
    saved_at INTEGER NOT NULL
) STRICT;
CREATE TRIGGER rulebook_no_update BEFORE UPDATE ON rulebook
BEGIN SELECT RAISE(ABORT, 'rulebook versions are never changed'); END;
CREATE TRIGGER rulebook_no_delete BEFORE DELETE ON rulebook
BEGIN SELECT RAISE(ABORT, 'rulebook versions are never deleted'); END;

ALTER TABLE "case" ADD COLUMN rulebook_version INTEGER NOT NULL DEFAULT 0 CHECK (rulebook_version >= 0);

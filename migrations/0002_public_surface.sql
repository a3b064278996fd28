-- 0002: the public surface's holes closed (issue 8).
--
-- 1. Idempotency keys are scoped to the client that used them and bound to a fingerprint of
--    the request, and they expire (the IETF Idempotency-Key draft). The old global
--    `submission` table goes: its keys were never scoped, and a key only serves the retries of
--    a few minutes, so nothing of value is dropped.
-- 2. The citizen's choice to show the address publicly (default: not shown).
-- 3. Full-text search over title and body: an FTS5 index of character bigrams (Chinese words
--    are mostly two characters, which the trigram tokenizer cannot find; docs/search.md),
--    filled when a case's first public reply is published.

DROP TABLE submission;

-- A retried submission with the same key, from the same client, with the same body finds the
-- case the first attempt registered; the same key with another body is refused. `scope` names
-- the client (`form`, `api:<keyed hash of the address>`, `open311:<key id>`), never the
-- address itself. Rows past `expires_at` are ignored and deleted a few at a time by later
-- registrations (and by the sweep).
CREATE TABLE idempotency (
    scope       TEXT    NOT NULL CHECK (length(scope) BETWEEN 1 AND 80),
    key         TEXT    NOT NULL CHECK (length(key) BETWEEN 16 AND 128),
    fingerprint TEXT    NOT NULL CHECK (length(fingerprint) = 64),  -- SHA-256 hex of the request
    case_id     INTEGER NOT NULL REFERENCES "case" (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX idempotency_expiry ON idempotency (expires_at);

-- Whether the citizen asked for the street address to be shown on public pages. Without it the
-- public sees only the location coarsened to about 100 m.
ALTER TABLE "case" ADD COLUMN address_public INTEGER NOT NULL DEFAULT 0
    CHECK (address_public IN (0, 1));

-- The search index. Only answered cases can be found (the public lists show cases with a
-- published public reply), so a case enters the index when its first public reply is published,
-- not when it is registered: a submission writes only its bigrams (`search_grams`, made by
-- `shared/src/search.rs` from the text as published, numbers masked), and the triggers below
-- index them. The index keeps no copy of the text (contentless); a case deleted, or its text
-- changed, leaves no stale entry behind.
ALTER TABLE "case" ADD COLUMN search_grams TEXT CHECK (length(search_grams) <= 40000);

CREATE VIRTUAL TABLE case_search USING fts5 (
    grams,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER case_search_on_publish AFTER UPDATE OF state ON reply
WHEN new.state = 'published' AND new.visibility IN ('public', 'both')
BEGIN
    DELETE FROM case_search WHERE rowid = new.case_id;
    INSERT INTO case_search (rowid, grams)
        SELECT id, search_grams FROM "case" WHERE id = new.case_id AND search_grams IS NOT NULL;
END;
CREATE TRIGGER case_search_on_published_insert AFTER INSERT ON reply
WHEN new.state = 'published' AND new.visibility IN ('public', 'both')
BEGIN
    DELETE FROM case_search WHERE rowid = new.case_id;
    INSERT INTO case_search (rowid, grams)
        SELECT id, search_grams FROM "case" WHERE id = new.case_id AND search_grams IS NOT NULL;
END;
CREATE TRIGGER case_search_on_delete AFTER DELETE ON "case"
BEGIN DELETE FROM case_search WHERE rowid = old.id; END;
CREATE TRIGGER case_search_on_text_change AFTER UPDATE OF title, body ON "case"
BEGIN DELETE FROM case_search WHERE rowid = old.id; END;

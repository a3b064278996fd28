-- 0014: a case's row without the two unique keys a registration did not need (issue 13: submit
-- at the speed of its write; docs/storage.md, "What a write costs"). A web submission wrote both:
--  - `tracking_no UNIQUE`: the tracking number is a function of the id (shared/src/ids.rs,
--    `TrackingNumber::number`), and the id is the primary key, so the key was a second copy of
--    the first. A case is found by its tracking number through its id.
--  - `UNIQUE (source_system, external_ref)`: only a case imported from another platform has
--    them (a web case has neither), so the key is now a partial index of imported cases alone.
-- A registration now writes two B-trees fewer.
--
-- SQLite drops a table constraint only by rebuilding the table, and D1 cannot turn foreign keys
-- off for that (it runs every migration with them on). So, within this migration's transaction:
--  1. foreign keys are checked at commit, not at each statement (`defer_foreign_keys`);
--  2. the rows of "case" and of the two tables that would be cascade-deleted with them
--     (case_contact, case_department) are copied aside;
--  3. the two triggers on reply that read "case" are dropped (SQLite re-checks every trigger
--     when a table is renamed, and "case" is briefly missing);
--  4. "case" is dropped (its cascades empty case_contact and case_department; every other row
--     that references a case now counts as a pending violation), the new table takes its name,
--     and the rows come back: each case row put back settles the violations of the rows that
--     reference it, so the transaction commits with none, and would fail with any left;
--  5. indexes and triggers are made again, the copies dropped.
-- The migration copies the case table twice: on D1 (a 30 s limit per query) a very large
-- archive is better migrated on Spin, or in a maintenance window (docs/storage.md).

PRAGMA defer_foreign_keys = ON;

CREATE TABLE case_0014 AS SELECT * FROM "case";
CREATE TABLE case_contact_0014 AS SELECT * FROM case_contact;
CREATE TABLE case_department_0014 AS SELECT * FROM case_department;

DROP TRIGGER case_search_on_publish;
DROP TRIGGER case_search_on_published_insert;
DROP TABLE "case";

-- One citizen message (诉求), column for column as before (0001's, then those 0002, 0003, 0005
-- and 0011 added, in that order) but for the two keys. Personal data lives in case_contact,
-- never here.
CREATE TABLE case_rebuilt (
    id                 INTEGER PRIMARY KEY,
    tracking_no        TEXT    NOT NULL,                     -- a function of id (shared/src/ids.rs)
    query_code_hash    TEXT,                                 -- HMAC-SHA256 hex
    channel            TEXT    NOT NULL,
    category           TEXT    NOT NULL,
    urgency            TEXT    NOT NULL,
    complexity         TEXT    NOT NULL,
    title              TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body               TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    publish_consent    INTEGER NOT NULL CHECK (publish_consent IN (0, 1)),
    status             TEXT    NOT NULL,
    version            INTEGER NOT NULL CHECK (version >= 1),  -- = seq of the newest case_event
    round              INTEGER NOT NULL DEFAULT 1,             -- handling round (re-handling adds one)
    lead_department_id INTEGER REFERENCES department (id),
    received_at        INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    due_at             INTEGER,                              -- the deadline shown to everyone
    deadline_provisional INTEGER NOT NULL DEFAULT 0 CHECK (deadline_provisional IN (0, 1)),
    -- pending duties (NULL once done)
    first_response_by  INTEGER,
    return_by          INTEGER,
    remind_at          INTEGER,
    escalate_at        INTEGER,
    stage_report_by    INTEGER,
    rating_until       INTEGER,
    -- facts
    overdue_since      INTEGER,
    escalations        INTEGER NOT NULL DEFAULT 0,
    redo_count         INTEGER NOT NULL DEFAULT 0,             -- consecutive rejected drafts
    extended           INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    following_up       INTEGER NOT NULL DEFAULT 0 CHECK (following_up IN (0, 1)),
    first_response_late INTEGER NOT NULL DEFAULT 0 CHECK (first_response_late IN (0, 1)),
    closed_at          INTEGER,
    latitude           REAL    CHECK (latitude BETWEEN -90 AND 90),
    longitude          REAL    CHECK (longitude BETWEEN -180 AND 180),
    address            TEXT    CHECK (length(address) <= 200),
    source_system      TEXT,                                 -- imports from other platforms
    external_ref       TEXT,
    address_public     INTEGER NOT NULL DEFAULT 0 CHECK (address_public IN (0, 1)),
    search_grams       TEXT    CHECK (length(search_grams) <= 40000),
    rulebook_version   INTEGER NOT NULL DEFAULT 0 CHECK (rulebook_version >= 0),
    dispatch_method    TEXT    CHECK (dispatch_method IN ('written', 'phone', 'sms')),
    dispatch_by        INTEGER,
    coordinated_round  INTEGER,
    leader_instructed  INTEGER NOT NULL DEFAULT 0 CHECK (leader_instructed IN (0, 1)),
    required_by        INTEGER,
    duplicate_of       INTEGER REFERENCES "case" (id),
    report_count       INTEGER NOT NULL DEFAULT 1 CHECK (report_count >= 1),
    -- the earliest pending duty (0011)
    next_duty_at       INTEGER GENERATED ALWAYS AS (nullif(min(
        ifnull(dispatch_by, 9223372036854775807),
        ifnull(first_response_by, 9223372036854775807),
        ifnull(return_by, 9223372036854775807),
        ifnull(remind_at, 9223372036854775807),
        ifnull(escalate_at, 9223372036854775807),
        ifnull(stage_report_by, 9223372036854775807),
        ifnull(rating_until, 9223372036854775807)), 9223372036854775807)) VIRTUAL,
    CHECK (closed_at IS NULL OR overdue_since IS NULL)
) STRICT;
ALTER TABLE case_rebuilt RENAME TO "case";

INSERT INTO "case" (id, tracking_no, query_code_hash, channel, category, urgency, complexity,
    title, body, publish_consent, status, version, round, lead_department_id, received_at,
    updated_at, due_at, deadline_provisional, first_response_by, return_by, remind_at,
    escalate_at, stage_report_by, rating_until, overdue_since, escalations, redo_count, extended,
    following_up, first_response_late, closed_at, latitude, longitude, address, source_system,
    external_ref, address_public, search_grams, rulebook_version, dispatch_method, dispatch_by,
    coordinated_round, leader_instructed, required_by, duplicate_of, report_count)
SELECT id, tracking_no, query_code_hash, channel, category, urgency, complexity,
    title, body, publish_consent, status, version, round, lead_department_id, received_at,
    updated_at, due_at, deadline_provisional, first_response_by, return_by, remind_at,
    escalate_at, stage_report_by, rating_until, overdue_since, escalations, redo_count, extended,
    following_up, first_response_late, closed_at, latitude, longitude, address, source_system,
    external_ref, address_public, search_grams, rulebook_version, dispatch_method, dispatch_by,
    coordinated_round, leader_instructed, required_by, duplicate_of, report_count
FROM case_0014;
INSERT INTO case_contact SELECT * FROM case_contact_0014;
INSERT INTO case_department SELECT * FROM case_department_0014;
DROP TABLE case_0014;
DROP TABLE case_contact_0014;
DROP TABLE case_department_0014;

-- The import key, for imported cases only: a second import of the same message finds the first.
CREATE UNIQUE INDEX case_by_source ON "case" (source_system, external_ref)
    WHERE source_system IS NOT NULL;

-- The indexes as 0001, 0011 and 0013 left them.
CREATE INDEX case_by_received ON "case" (received_at);
CREATE INDEX case_duty_due ON "case" (next_duty_at) WHERE next_duty_at IS NOT NULL;
CREATE INDEX case_duplicates ON "case" (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX case_by_department ON "case" (lead_department_id, status, received_at)
    WHERE lead_department_id IS NOT NULL;
CREATE INDEX case_operator_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE status IN ('registered', 'returned', 'return_requested', 'reopen_requested');
CREATE INDEX case_review_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE status IN ('under_review', 'approved');
CREATE INDEX case_leader_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE leader_instructed = 1 AND closed_at IS NULL;
CREATE INDEX case_overdue_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE overdue_since IS NOT NULL AND closed_at IS NULL;

-- The search triggers as 0002 made them.
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

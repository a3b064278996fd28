-- Minyi schema, SQLite dialect: applied unchanged by D1 (`wrangler d1 migrations apply`),
-- Spin SQLite and native SQLite. Instants are Unix milliseconds (UTC); booleans are 0/1.
-- Codes stored as TEXT are the domain's `as_code()` strings (see shared/src/case/).
--
-- Time-driven duties follow one rule: a duty column holds the instant the duty falls due
-- while it is pending and is set to NULL once it is done. Each has a partial index, so a
-- sweep is `WHERE col <= :now ORDER BY col LIMIT :n`, costing the work due, not the table.

-- Responsible departments (承办单位).
CREATE TABLE department (
    id       INTEGER PRIMARY KEY,
    code     TEXT    NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name_zh  TEXT    NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
    name_en  TEXT    NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    active   INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- One citizen message (诉求). Personal data lives in case_contact, never here.
CREATE TABLE "case" (
    id                 INTEGER PRIMARY KEY,
    tracking_no        TEXT    NOT NULL UNIQUE,
    query_code_hash    TEXT,                                 -- HMAC-SHA256 hex; NULL for public cases
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
    UNIQUE (source_system, external_ref),
    CHECK (closed_at IS NULL OR overdue_since IS NULL)
) STRICT;

CREATE INDEX case_first_response_due ON "case" (first_response_by) WHERE first_response_by IS NOT NULL;
CREATE INDEX case_return_window     ON "case" (return_by)         WHERE return_by IS NOT NULL;
CREATE INDEX case_remind_due        ON "case" (remind_at)         WHERE remind_at IS NOT NULL;
CREATE INDEX case_escalate_due      ON "case" (escalate_at)       WHERE escalate_at IS NOT NULL;
CREATE INDEX case_stage_report_due  ON "case" (stage_report_by)   WHERE stage_report_by IS NOT NULL;
CREATE INDEX case_rating_window     ON "case" (rating_until)      WHERE rating_until IS NOT NULL;
CREATE INDEX case_by_department     ON "case" (lead_department_id, status, received_at);
CREATE INDEX case_by_received       ON "case" (received_at);

-- Personal data of the citizen: read only by staff whose role allows it.
CREATE TABLE case_contact (
    case_id INTEGER PRIMARY KEY REFERENCES "case" (id) ON DELETE CASCADE,
    name    TEXT CHECK (length(name) <= 50),
    phone   TEXT CHECK (length(phone) <= 20),
    email   TEXT CHECK (length(email) <= 254)
) STRICT;

-- Lead (主办) and co-handling (会办) departments of a case.
CREATE TABLE case_department (
    case_id       INTEGER NOT NULL REFERENCES "case" (id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES department (id),
    role          TEXT    NOT NULL CHECK (role IN ('lead', 'co')),
    PRIMARY KEY (case_id, department_id)
) STRICT;
CREATE INDEX case_department_by_department ON case_department (department_id);

-- The append-only archive of every state change (004 §15). seq = the case's version after the
-- change, so two writers racing on one case collide on the primary key and one batch fails.
CREATE TABLE case_event (
    case_id    INTEGER NOT NULL REFERENCES "case" (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    at         INTEGER NOT NULL,
    actor_kind TEXT    NOT NULL,
    actor_ref  TEXT,
    kind       TEXT    NOT NULL,
    public     INTEGER NOT NULL CHECK (public IN (0, 1)),  -- shown on the public timeline
    data       TEXT    NOT NULL DEFAULT '{}',            -- JSON details of the event
    PRIMARY KEY (case_id, seq)
) STRICT;

CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event
BEGIN SELECT RAISE(ABORT, 'case_event is append-only'); END;
CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event
BEGIN SELECT RAISE(ABORT, 'case_event is append-only'); END;

-- Replies (答复), one or more per handling round, from draft through review to publication.
CREATE TABLE reply (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES "case" (id),
    round         INTEGER NOT NULL,
    department_id INTEGER NOT NULL REFERENCES department (id),
    body          TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    truthfulness  TEXT    NOT NULL,
    grade         TEXT,
    withhold      TEXT,                                  -- never-public reason, if any
    promised_by   INTEGER,                               -- promise date of further work, if any
    state         TEXT    NOT NULL,                      -- draft, approved, rejected, published
    visibility    TEXT,                                  -- public, private, both (once published)
    drafted_at    INTEGER NOT NULL,
    reviewed_at   INTEGER,
    published_at  INTEGER
) STRICT;
CREATE INDEX reply_by_case ON reply (case_id, round);
CREATE INDEX reply_published ON reply (published_at) WHERE visibility IN ('public', 'both');

-- Citizens' satisfaction ratings (满意度), one per round.
CREATE TABLE rating (
    case_id   INTEGER NOT NULL REFERENCES "case" (id),
    round     INTEGER NOT NULL,
    satisfied INTEGER NOT NULL CHECK (satisfied IN (0, 1)),
    comment   TEXT    CHECK (length(comment) <= 500),
    at        INTEGER NOT NULL,
    PRIMARY KEY (case_id, round)
) STRICT;

-- Working-day schedules added by the deployment (next year's State Council notice, or a
-- correction). A row replaces the built-in schedule of that year; `schedule` is the text
-- format of shared/src/calendar (one holiday per line).
CREATE TABLE calendar_year (
    year       INTEGER PRIMARY KEY CHECK (year BETWEEN 1900 AND 9999),
    schedule   TEXT    NOT NULL CHECK (length(schedule) <= 4000),
    source     TEXT    NOT NULL CHECK (length(source) <= 200),  -- e.g. 国办发明电〔2026〕N号
    updated_at INTEGER NOT NULL
) STRICT;

-- Idempotent submission: a retried POST with the same key (form token or Idempotency-Key)
-- finds the case the first attempt registered instead of creating another.
CREATE TABLE submission (
    key        TEXT    PRIMARY KEY CHECK (length(key) BETWEEN 16 AND 128),
    case_id    INTEGER NOT NULL REFERENCES "case" (id),
    created_at INTEGER NOT NULL
) STRICT;

-- Open311 API keys (POST requests need one). Only a SHA-256 hex of the key is stored.
CREATE TABLE api_key (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_sha256 TEXT    NOT NULL UNIQUE CHECK (length(key_sha256) = 64),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

-- Per-client submission budgets, counted inside the registration batch itself: the counter's
-- CHECK fails the whole batch when a client's window is spent, so the budget is exact and
-- costs no extra round trip. `key` names the client (a keyed hash, never the address) and the
-- window; rows of past windows are deleted a few at a time by later registrations.
CREATE TABLE submission_budget (
    key        TEXT    PRIMARY KEY,
    used       INTEGER NOT NULL,
    budget     INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT within_budget CHECK (used <= budget)
) STRICT;
CREATE INDEX submission_budget_expiry ON submission_budget (expires_at);

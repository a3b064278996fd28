-- 0012: the submission budget and the idempotency keys as WITHOUT ROWID tables (issue 13:
-- submit at the speed of its write). A rowid table with a primary key other than an INTEGER one
-- is two B-trees (the rows, and the key's index); with its expiry index, a new row wrote three.
-- A citizen's first submission in an hour (most submissions) inserted a budget row: three
-- B-trees; now one. A submission with a retry key (the web form's token, the API's
-- Idempotency-Key) inserted a key row: three B-trees; now two. docs/storage.md, "What a write
-- costs". Nothing references either table, and both hold only short-lived rows (an hour, a day),
-- so each is rebuilt in place with its rows; DROP TABLE fires no triggers.

-- 1. The budget keyed by (expires_at, key): the order the sweep deletes ended windows in, so it
-- needs no index of its own. A key names its window (shared/src/app/cases.rs, `Budget`), so the
-- pair is unique exactly when the key is; the registration's upsert names the pair.
CREATE TABLE submission_budget_keyed (
    key        TEXT    NOT NULL,
    used       INTEGER NOT NULL,
    budget     INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT within_budget CHECK (used <= budget),
    PRIMARY KEY (expires_at, key)
) STRICT, WITHOUT ROWID;
INSERT INTO submission_budget_keyed (key, used, budget, expires_at)
    SELECT key, used, budget, expires_at FROM submission_budget;
DROP TABLE submission_budget;
ALTER TABLE submission_budget_keyed RENAME TO submission_budget;

-- 2. The retry keys keyed by (scope, key), as the registration looks them up; the sweep still
-- deletes expired ones by instant, through their expiry index.
CREATE TABLE idempotency_keyed (
    scope       TEXT    NOT NULL CHECK (length(scope) BETWEEN 1 AND 80),
    key         TEXT    NOT NULL CHECK (length(key) BETWEEN 16 AND 128),
    fingerprint TEXT    NOT NULL CHECK (length(fingerprint) = 64),  -- SHA-256 hex of the request
    case_id     INTEGER NOT NULL REFERENCES "case" (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;
INSERT INTO idempotency_keyed (scope, key, fingerprint, case_id, created_at, expires_at)
    SELECT scope, key, fingerprint, case_id, created_at, expires_at FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_keyed RENAME TO idempotency;
CREATE INDEX idempotency_expiry ON idempotency (expires_at);

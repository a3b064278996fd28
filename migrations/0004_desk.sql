-- 0004: the staff back office's accounts, sessions and audit trail (issue 10).
--
-- Staff log in with a password (argon2id, stored as its PHC string) and, for every role that
-- sees personal data, a second factor (TOTP, RFC 6238). Sessions are random 256-bit tokens
-- kept only as their SHA-256. Every privileged action, and every reading of a citizen's
-- contact details, is an audit row; the trail is append-only like the case events.

CREATE TABLE staff_account (
    id             INTEGER PRIMARY KEY,
    login          TEXT    NOT NULL UNIQUE CHECK (length(login) BETWEEN 3 AND 64),
    display_name   TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash  TEXT    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    totp_secret    TEXT    CHECK (totp_secret IS NULL OR length(totp_secret) = 40), -- hex, 160 bits
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_logins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until   INTEGER,                                -- after repeated failures
    created_at     INTEGER NOT NULL
) STRICT;

-- The roles an account holds; department roles name their department.
CREATE TABLE staff_role (
    account_id    INTEGER NOT NULL REFERENCES staff_account (id),
    role          TEXT    NOT NULL CHECK (role IN
                    ('operator', 'handler', 'head', 'reviewer', 'leader', 'supervisor', 'admin')),
    department_id INTEGER REFERENCES department (id),
    CHECK ((role IN ('handler', 'head')) = (department_id IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX staff_role_unique ON staff_role (account_id, role, ifnull(department_id, 0));

CREATE TABLE staff_session (
    token_hash  TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),  -- SHA-256 hex
    account_id  INTEGER NOT NULL REFERENCES staff_account (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX staff_session_by_account ON staff_session (account_id, expires_at);

CREATE TABLE audit_event (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    account_id  INTEGER REFERENCES staff_account (id),
    role        TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (length(action) BETWEEN 1 AND 40),
    case_id     INTEGER,
    client      TEXT    NOT NULL,          -- keyed hash of the client's bucket, never an address
    detail      TEXT    NOT NULL DEFAULT '' CHECK (length(detail) <= 500)
) STRICT;
CREATE INDEX audit_event_by_account ON audit_event (account_id, at);
CREATE INDEX audit_event_by_case ON audit_event (case_id, at) WHERE case_id IS NOT NULL;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;

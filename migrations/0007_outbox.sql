-- 0007: the outbox (shared/src/app/outbox.rs). Every outbound message — a notice to a department
-- (dispatch, reminder, escalation, re-handling), an SMS to a citizen (a reply is ready) — is
-- first written here, in the same batch as the event that causes it, under a unique dedupe key
-- (case, event, recipient); the sweep then delivers it with retries. A row holds no personal
-- data: the citizen's number is read from case_contact at delivery (an SMS answer's from
-- sms_inbound, migration 0009; a meeting notice's from meeting_registration, 0010) and never
-- copied here, and the text is rendered at delivery from the case's tracking number and the
-- deadline (an SMS answer's and a meeting notice's is written with it, without personal data).

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    dedupe_key      TEXT    NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 120),
    case_id         INTEGER REFERENCES "case" (id),          -- NULL: a message about no case
    kind            TEXT    NOT NULL CHECK (kind IN ('dispatched', 'reminded', 'escalated',
                    'reopened', 'replied', 'sms_answer', 'meeting_notice')),
    recipient       TEXT    NOT NULL
                    CHECK (recipient IN ('citizen', 'department', 'sender', 'registrant')),
    department_id   INTEGER REFERENCES department (id),
    body            TEXT    CHECK (length(body) <= 300),  -- a text written with the message
    due_at          INTEGER,                              -- the deadline the message names
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN
                    ('pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'no_address')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER,                              -- pending delivery (or a claim's lease end)
    created_at      INTEGER NOT NULL,
    provider        TEXT    CHECK (length(provider) <= 20),
    provider_ref    TEXT    CHECK (length(provider_ref) <= 100),  -- the provider's message id
    sent_at         INTEGER,
    receipt_at      INTEGER,                              -- the provider's delivery report
    last_error      TEXT    CHECK (length(last_error) <= 200),
    CHECK ((recipient = 'department') = (department_id IS NOT NULL)),
    CHECK ((kind IN ('sms_answer', 'meeting_notice')) = (body IS NOT NULL)),
    CHECK (case_id IS NOT NULL OR body IS NOT NULL)
) STRICT;

-- The sweep's duty: messages due for a delivery attempt.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
-- Delivery reports name the provider's message id.
CREATE UNIQUE INDEX outbox_by_provider_ref ON outbox (provider, provider_ref);
-- A case's messages, for the desk.
CREATE INDEX outbox_by_case ON outbox (case_id);

-- Where a department's notices go (its duty office's mobile number); NULL: the desk queue only.
ALTER TABLE department ADD COLUMN notice_phone TEXT CHECK (length(notice_phone) <= 20);

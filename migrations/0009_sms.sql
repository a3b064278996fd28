-- 0009: the SMS channel (functions/sms, shared/src/app/sms.rs). Every text message the providers
-- deliver is recorded once under a dedupe key — the provider's message id, or a hash of the
-- number, the provider's sending time and the text where the provider gives no id — so a
-- provider's retry never creates a second case or a second answer. The sender's number is
-- personal data, like case_contact: no public query reads this table.

CREATE TABLE sms_inbound (
    id          INTEGER PRIMARY KEY,
    dedupe_key  TEXT    NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 120),
    provider    TEXT    NOT NULL CHECK (provider IN ('twilio', 'aliyun', 'tencent')),
    phone       TEXT    NOT NULL CHECK (length(phone) BETWEEN 3 AND 20),
    received_at INTEGER NOT NULL,
    keyword     TEXT    NOT NULL CHECK (keyword IN
                ('message', 'query', 'opt_out', 'opt_in', 'help', 'register', 'confirm', 'cancel')),
    case_id     INTEGER REFERENCES "case" (id)        -- the case a message became, or queried
) STRICT;

-- Numbers that opted out of optional messages (退订), until they opt in again.
CREATE TABLE sms_opt_out (
    phone TEXT    PRIMARY KEY CHECK (length(phone) BETWEEN 3 AND 20),
    at    INTEGER NOT NULL
) STRICT;

-- An SMS answer goes back to the message's sender.
ALTER TABLE outbox ADD COLUMN inbound_id INTEGER REFERENCES sms_inbound (id);

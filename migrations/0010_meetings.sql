-- 0010: open meetings (邀请公民列席市政府常务会议, 000 §1; shared/src/meeting.rs,
-- shared/src/app/meetings.rs). Staff create a meeting; publishing it is refused unless it comes
-- at least 3 working days ahead; citizens register by web or SMS, one registration per number;
-- at the close of registration the sweep draws (first come, or a lottery over a seed whose
-- SHA-256 was published with the meeting: each registration's ticket is SHA-256(seed ":" code),
-- kept secret with the seed until the draw, so the draw is one ordered UPDATE), selects at most
-- the capacity and waitlists the rest in order; a cancellation promotes the next on the waitlist.

CREATE TABLE meeting (
    id                     INTEGER PRIMARY KEY,
    code                   TEXT    NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 12),  -- BM <code>
    title                  TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    topics                 TEXT    NOT NULL CHECK (json_valid(topics)),  -- [{"topic", "department"}]
    place                  TEXT    NOT NULL CHECK (length(place) BETWEEN 1 AND 200),
    starts_at              INTEGER NOT NULL,
    stream_url             TEXT    CHECK (length(stream_url) <= 500),
    recording_url          TEXT    CHECK (length(recording_url) <= 500),
    capacity               INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 50),
    speaking_minutes       INTEGER NOT NULL CHECK (speaking_minutes BETWEEN 1 AND 30),
    selection              TEXT    NOT NULL CHECK (selection IN ('first_come', 'lottery')),
    opens_at               INTEGER NOT NULL,
    closes_at              INTEGER NOT NULL,
    seed_commitment        TEXT    NOT NULL CHECK (length(seed_commitment) = 64),
    seed                   TEXT    NOT NULL,           -- shown only once the draw is done
    published_at           INTEGER,
    draw_at                INTEGER,                    -- the pending draw (a duty); NULL once drawn
    created_at             INTEGER NOT NULL,
    CHECK (opens_at < closes_at AND closes_at <= starts_at)
) STRICT;
CREATE INDEX meeting_draw_due ON meeting (draw_at) WHERE draw_at IS NOT NULL;

-- The draw, once: its row is the guard a second or overlapping run collides on.
CREATE TABLE meeting_draw (
    meeting_id INTEGER PRIMARY KEY REFERENCES meeting (id),
    drawn_at   INTEGER NOT NULL
) STRICT;

-- Registrations. The number and name are personal data: no public query reads them; the
-- public list of a draw shows registration codes only.
CREATE TABLE meeting_registration (
    id            INTEGER PRIMARY KEY,
    meeting_id    INTEGER NOT NULL REFERENCES meeting (id),
    code          TEXT    NOT NULL CHECK (length(code) = 6),
    phone         TEXT    NOT NULL CHECK (length(phone) BETWEEN 3 AND 20),
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    opinion       TEXT    CHECK (length(opinion) <= 2000),
    channel       TEXT    NOT NULL CHECK (channel IN ('web', 'sms')),
    registered_at INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'registered' CHECK (state IN
                  ('registered', 'selected', 'waitlisted', 'confirmed', 'cancelled', 'attended')),
    ticket        TEXT    NOT NULL CHECK (length(ticket) = 64),  -- lottery: SHA-256(seed ":" code)
    rank          INTEGER,                             -- place in the draw's order, from 1
    UNIQUE (meeting_id, phone),
    UNIQUE (meeting_id, code)
) STRICT;
CREATE INDEX meeting_registration_by_phone ON meeting_registration (phone);

-- A meeting notice goes to a registrant.
ALTER TABLE outbox ADD COLUMN registration_id INTEGER REFERENCES meeting_registration (id);

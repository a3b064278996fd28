-- 0008: criticism records (通报批评情形, 001 §3; 002 §4.2): a department met a trigger of the
-- regulations, kept for supervisors, leaders and the quarterly notice (001 §3: 每季度进行1次工作
-- 情况通报). Triggers the event log shows are written in the store batch of the event that meets
-- them (shared/src/app/criticism.rs); the others a supervisor records from the desk with a note.
-- `dedupe` names the occasion, so a record is written once however often the batch is tried.
-- Append-only, like the events and the audit trail.

CREATE TABLE criticism (
    id             INTEGER PRIMARY KEY,
    department_id  INTEGER NOT NULL REFERENCES department (id),
    code           TEXT    NOT NULL CHECK (code IN ('redone_twice', 'no_written_feedback',
                     'late_three_times', 'feedback_contradicts', 'delay_shirking',
                     'repeated_reports', 'unattended', 'escalated_twice')),
    case_id        INTEGER REFERENCES "case" (id),
    period         TEXT    NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),  -- Beijing quarter
    at             INTEGER NOT NULL,
    account_id     INTEGER REFERENCES staff_account (id),    -- who recorded it; NULL: the event did
    note           TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    dedupe         TEXT    NOT NULL UNIQUE CHECK (length(dedupe) BETWEEN 1 AND 100)
) STRICT;
CREATE INDEX criticism_by_at ON criticism (at);
CREATE TRIGGER criticism_no_update BEFORE UPDATE ON criticism
BEGIN SELECT RAISE(ABORT, 'criticism is append-only'); END;
CREATE TRIGGER criticism_no_delete BEFORE DELETE ON criticism
BEGIN SELECT RAISE(ABORT, 'criticism is append-only'); END;

-- The third late reply of a department in a quarter (001 §3(三)) is counted over this: the
-- quarter's late replies only, not all its events.
CREATE INDEX case_event_late_replies ON case_event (at)
    WHERE kind = 'published' AND json_extract(data, '$.late') = 1;

-- 0011: fewer B-trees for each write of a case (issue 13: submit at the speed of its write).
-- On local D1 every B-tree a write touches costs about 35 µs of the ~2.3 ms a request takes
-- there (docs/deploy-workers.md, "Issue 13's fifth round"); on any SQLite each is a page more to
-- log at commit. A web registration wrote 14 (the case row and its nine index entries, the event
-- row and its two, the budget counter); after this it writes 7: the case row, its two unique
-- keys, `case_by_received` and the one duty index, the event, the budget counter. A transition
-- rewrote all seven duty indexes; now it rewrites one.

-- 1. One index for the sweep instead of seven. `next_duty_at` is the earliest pending duty
-- (NULL when none is pending), computed by SQLite from the duty columns, so it cannot drift from
-- them; the largest integer stands in for "not pending" inside min(), which is NULL if any
-- argument is. The sweep reads the cases it finds due with their duty columns and does each duty
-- that has fallen due (shared/src/app/sweep.rs).
ALTER TABLE "case" ADD COLUMN next_duty_at INTEGER GENERATED ALWAYS AS (nullif(min(
    ifnull(dispatch_by, 9223372036854775807),
    ifnull(first_response_by, 9223372036854775807),
    ifnull(return_by, 9223372036854775807),
    ifnull(remind_at, 9223372036854775807),
    ifnull(escalate_at, 9223372036854775807),
    ifnull(stage_report_by, 9223372036854775807),
    ifnull(rating_until, 9223372036854775807)), 9223372036854775807)) VIRTUAL;
DROP INDEX case_dispatch_due;
DROP INDEX case_first_response_due;
DROP INDEX case_return_window;
DROP INDEX case_remind_due;
DROP INDEX case_escalate_due;
DROP INDEX case_stage_report_due;
DROP INDEX case_rating_window;
CREATE INDEX case_duty_due ON "case" (next_duty_at) WHERE next_duty_at IS NOT NULL;

-- 2. Index entries only where a query looks for them: a duplicate's original, and a department's
-- cases (the desk's department queues, `lead_department_id = ?`). A new case has neither.
DROP INDEX case_duplicates;
CREATE INDEX case_duplicates ON "case" (duplicate_of) WHERE duplicate_of IS NOT NULL;
DROP INDEX case_by_department;
CREATE INDEX case_by_department ON "case" (lead_department_id, status, received_at)
    WHERE lead_department_id IS NOT NULL;

-- 3. The event log keyed by its primary key alone (WITHOUT ROWID: one B-tree instead of a rowid
-- table and a key index), and indexed by instant only for the events the department statistics
-- count (shared/src/app/statistics.rs repeats this list, so SQLite can use the index; a test
-- checks the plan). What the office received is counted from "case".received_at instead.
-- Nothing references case_event, so it is rebuilt in place; DROP TABLE fires no triggers.
CREATE TABLE case_event_keyed (
    case_id    INTEGER NOT NULL REFERENCES "case" (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    at         INTEGER NOT NULL,
    actor_kind TEXT    NOT NULL,
    actor_ref  TEXT,
    kind       TEXT    NOT NULL,
    public     INTEGER NOT NULL CHECK (public IN (0, 1)),  -- shown on the public timeline
    data       TEXT    NOT NULL DEFAULT '{}',            -- JSON details of the event
    PRIMARY KEY (case_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO case_event_keyed (case_id, seq, at, actor_kind, actor_ref, kind, public, data)
    SELECT case_id, seq, at, actor_kind, actor_ref, kind, public, data FROM case_event;
DROP TABLE case_event;
ALTER TABLE case_event_keyed RENAME TO case_event;

CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event
BEGIN SELECT RAISE(ABORT, 'case_event is append-only'); END;
CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event
BEGIN SELECT RAISE(ABORT, 'case_event is append-only'); END;
CREATE INDEX case_event_counted ON case_event (at)
    WHERE kind IN ('dispatched', 'returned', 'return_requested', 'published', 'escalated',
                   'rejected', 'rated', 'closed_unrated');
CREATE INDEX case_event_late_replies ON case_event (at)
    WHERE kind = 'published' AND json_extract(data, '$.late') = 1;

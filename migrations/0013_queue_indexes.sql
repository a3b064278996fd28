-- 0013: the desk's work queues read indexes, not the whole case table (shared/src/app/desk.rs,
-- `queue_statement`). Each queue is a condition and an order (the deadline, else the receipt);
-- until now every one but the department head's scanned "case" (docs/desk.md). Each index below
-- is partial, its condition the queue's own word for word (so SQLite can use it), its key the
-- queue's order (so nothing is sorted), and holds only the cases waiting in that queue.
-- A citizen's new case enters the operators' queue: one B-tree more per submission (about 35 µs
-- on local D1, docs/storage.md), the price of an operators' screen that does not read the
-- archive. The other three take no new submission. A department's handler reads its cases by
-- department (case_by_department) and its co-handled cases through case_department.
CREATE INDEX case_operator_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE status IN ('registered', 'returned', 'return_requested', 'reopen_requested');
CREATE INDEX case_review_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE status IN ('under_review', 'approved');
CREATE INDEX case_leader_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE leader_instructed = 1 AND closed_at IS NULL;
CREATE INDEX case_overdue_queue ON "case" (coalesce(due_at, received_at), id)
    WHERE overdue_since IS NOT NULL AND closed_at IS NULL;

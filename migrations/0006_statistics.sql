-- 0006: statistics read the event log by period (shared/src/app/statistics.rs): an index on the
-- events' instant, so a month's report reads that month's events, not the whole archive.

CREATE INDEX case_event_by_at ON case_event (at);

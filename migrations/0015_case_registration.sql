-- 0015: a registration as one statement (issue 13: submit at the speed of its write;
-- docs/storage.md, "What a write costs"). A registration wrote the case, its first event and the
-- client's count against the submission budget as three statements of one batch. Each statement
-- costs the runtime more than SQLite's work in it (on workerd ~40-60 us of D1's objects, promises
-- and results; a host call each on Spin), so the three now go as one INSERT into this view, whose
-- trigger writes them. The trigger decides nothing: every value is the application's
-- (shared/src/app/cases.rs). No budget key: no budget row (staff and imports).
-- A migration that rebuilds or renames one of the three tables drops this view and its trigger
-- first and makes them again (SQLite re-checks views and triggers on a rename).

CREATE VIEW case_registration AS
SELECT c.id, c.tracking_no, c.query_code_hash, c.channel, c.category, c.urgency, c.complexity,
       c.title, c.body, c.publish_consent, c.status, c.version, c.round, c.received_at,
       c.updated_at, c.due_at, c.deadline_provisional, c.first_response_by, c.remind_at,
       c.escalate_at, c.stage_report_by, c.latitude, c.longitude, c.address, c.address_public,
       c.search_grams, c.rulebook_version, c.dispatch_by, c.leader_instructed, c.required_by,
       c.closed_at, c.source_system, c.external_ref,
       e.seq AS event_seq, e.at AS event_at, e.actor_kind AS event_actor_kind,
       e.actor_ref AS event_actor_ref, e.kind AS event_kind, e.public AS event_public,
       e.data AS event_data,
       b.key AS budget_key, b.budget AS budget_limit, b.expires_at AS budget_expires_at
FROM "case" c, case_event e, submission_budget b WHERE 0;

CREATE TRIGGER case_registration_insert INSTEAD OF INSERT ON case_registration
BEGIN
    INSERT INTO "case" (id, tracking_no, query_code_hash, channel, category, urgency, complexity,
        title, body, publish_consent, status, version, round, received_at, updated_at, due_at,
        deadline_provisional, first_response_by, remind_at, escalate_at, stage_report_by,
        latitude, longitude, address, address_public, search_grams, rulebook_version,
        dispatch_by, leader_instructed, required_by, closed_at, source_system, external_ref)
    VALUES (new.id, new.tracking_no, new.query_code_hash, new.channel, new.category,
        new.urgency, new.complexity, new.title, new.body, new.publish_consent, new.status,
        new.version, new.round, new.received_at, new.updated_at, new.due_at,
        new.deadline_provisional, new.first_response_by, new.remind_at, new.escalate_at,
        new.stage_report_by, new.latitude, new.longitude, new.address, new.address_public,
        new.search_grams, new.rulebook_version, new.dispatch_by, new.leader_instructed,
        new.required_by, new.closed_at, new.source_system, new.external_ref);
    INSERT INTO case_event (case_id, seq, at, actor_kind, actor_ref, kind, public, data)
    VALUES (new.id, new.event_seq, new.event_at, new.event_actor_kind, new.event_actor_ref,
        new.event_kind, new.event_public, new.event_data);
    INSERT INTO submission_budget (key, used, budget, expires_at)
    SELECT new.budget_key, 1, new.budget_limit, new.budget_expires_at
    WHERE new.budget_key IS NOT NULL
    ON CONFLICT DO UPDATE SET used = used + 1, budget = excluded.budget;
END;

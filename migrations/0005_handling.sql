-- 0005: the handling loop of the desk: how a case was dispatched (the limit follows it, 001 §2), the
-- same-day dispatch duty (004 §9), co-handlers' answers and the office's coordination per round
-- (000 §2.2(5)), leader instructions and required limits (001 §2), duplicate links and report
-- counts (004 §13 专项督办), and three-level ratings recorded by citizens or after callbacks.
-- From here on every case gets a query-code hash (it proves the citizen when rating).

ALTER TABLE "case" ADD COLUMN dispatch_method TEXT CHECK (dispatch_method IN ('written', 'phone', 'sms'));
ALTER TABLE "case" ADD COLUMN dispatch_by INTEGER;                 -- pending same-day dispatch
ALTER TABLE "case" ADD COLUMN coordinated_round INTEGER;           -- round the office coordinated
ALTER TABLE "case" ADD COLUMN leader_instructed INTEGER NOT NULL DEFAULT 0 CHECK (leader_instructed IN (0, 1));
ALTER TABLE "case" ADD COLUMN required_by INTEGER;                 -- 要求时限, replaces the policy's limit
ALTER TABLE "case" ADD COLUMN duplicate_of INTEGER REFERENCES "case" (id);
ALTER TABLE "case" ADD COLUMN report_count INTEGER NOT NULL DEFAULT 1 CHECK (report_count >= 1);

CREATE INDEX case_dispatch_due ON "case" (dispatch_by)  WHERE dispatch_by IS NOT NULL;
CREATE INDEX case_duplicates   ON "case" (duplicate_of);  -- not partial: only duty columns have those

-- The round in which a co-handler last sent its opinion.
ALTER TABLE case_department ADD COLUMN answered_round INTEGER;

-- The level given (NULL on rows from before three levels: `satisfied` says it) and whether an
-- operator recorded it after a callback (回访).
ALTER TABLE rating ADD COLUMN level TEXT CHECK (level IN ('satisfied', 'basic', 'unsatisfied'));
ALTER TABLE rating ADD COLUMN callback INTEGER NOT NULL DEFAULT 0 CHECK (callback IN (0, 1));

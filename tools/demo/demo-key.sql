-- The demo Open311 API key, for local runs and the test suite only (scripts/dev, worker-test,
-- spin-test, bench-load). Never apply this to a deployment: its plain value is public.
-- Only its SHA-256 is stored. Idempotent.
-- Plain key: minyi-demo-key-do-not-use-in-production
INSERT OR IGNORE INTO api_key (id, name, key_sha256, created_at) VALUES
  (1, 'demo (local only)', '6b0eebb539e91429b945ef196e724d916a4567af2966291f61c7edc14e3f7b77', 1767225600000);

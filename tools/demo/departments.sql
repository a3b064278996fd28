-- Demo departments and a demo Open311 API key for local runs (applied by scripts/dev with
-- `wrangler d1 execute DB --local --file`). Idempotent: running it again changes nothing.
-- The demo key's plain value is printed by scripts/dev; only its SHA-256 is stored.
INSERT OR IGNORE INTO department (id, code, name_zh, name_en) VALUES
  (1, 'urban',     '市城管局',       'Urban Management Bureau'),
  (2, 'water',     '市水务局',       'Water Bureau'),
  (3, 'transport', '市交通运输局',   'Transport Bureau'),
  (4, 'housing',   '市住建局',       'Housing and Urban-Rural Development Bureau'),
  (5, 'market',    '市市场监管局',   'Market Regulation Bureau'),
  (6, 'hrss',      '市人社局',       'Human Resources and Social Security Bureau'),
  (7, 'ecology',   '市生态环境局',   'Ecology and Environment Bureau'),
  (8, 'health',    '市卫生健康委',   'Health Commission');

-- Plain key: minyi-demo-key-do-not-use-in-production
INSERT OR IGNORE INTO api_key (id, name, key_sha256, created_at) VALUES
  (1, 'demo (local only)', '6b0eebb539e91429b945ef196e724d916a4567af2966291f61c7edc14e3f7b77', 1767225600000);

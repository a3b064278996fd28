-- Sample departments (a deployment replaces them with its own). Idempotent: running it again
-- changes nothing. The demo Open311 key is not here: it lives in demo-key.sql, which only
-- local runs and the test suite apply.
INSERT OR IGNORE INTO department (id, code, name_zh, name_en) VALUES
  (1, 'urban',     '市城管局',       'Urban Management Bureau'),
  (2, 'water',     '市水务局',       'Water Bureau'),
  (3, 'transport', '市交通运输局',   'Transport Bureau'),
  (4, 'housing',   '市住建局',       'Housing and Urban-Rural Development Bureau'),
  (5, 'market',    '市市场监管局',   'Market Regulation Bureau'),
  (6, 'hrss',      '市人社局',       'Human Resources and Social Security Bureau'),
  (7, 'ecology',   '市生态环境局',   'Ecology and Environment Bureau'),
  (8, 'health',    '市卫生健康委',   'Health Commission');

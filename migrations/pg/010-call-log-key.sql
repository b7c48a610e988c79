-- 010: each call-log row's key, so a row written twice (its INSERT and its spool) is kept once
-- (../010-call-log-key.sql says more).
ALTER TABLE calls ADD COLUMN log_key text;
CREATE UNIQUE INDEX calls_log_key ON calls (log_key) WHERE log_key IS NOT NULL;

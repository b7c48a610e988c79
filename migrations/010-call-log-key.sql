-- 010: a key per call-log row written by a node of a cluster (src/store/pg/spooled-calls.ts), so a row that reaches
-- PostgreSQL twice — its INSERT outlived the node's wait and the row went to the spool as well — is kept once. SQLite
-- writes none: its rows go straight into the file. The index holds only the rows that have one.
ALTER TABLE calls ADD COLUMN log_key TEXT;
CREATE UNIQUE INDEX calls_log_key ON calls (log_key) WHERE log_key IS NOT NULL;

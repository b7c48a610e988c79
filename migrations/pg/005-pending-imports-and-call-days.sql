-- 005: imports that switch in at once, and a call log that can forget (../005-pending-imports-and-call-days.sql
-- says how). SQLite's ADD COLUMN is PostgreSQL's too; WITHOUT ROWID is dropped.

CREATE TABLE imports (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source       text NOT NULL,
  state        text NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  owner        text NOT NULL,
  heartbeat_at bigint NOT NULL,
  started_at   bigint NOT NULL,
  finished_at  bigint,
  added        integer NOT NULL DEFAULT 0
);
CREATE INDEX imports_unfinished ON imports (id) WHERE state <> 'done';

-- No foreign key, as in SQLite: a failed import's rows are deleted in batches, never by one cascading statement.
ALTER TABLE entries ADD COLUMN import_id bigint;
CREATE INDEX entries_import ON entries (import_id);
ALTER TABLE contacts ADD COLUMN import_id bigint;
CREATE INDEX contacts_import ON contacts (import_id) WHERE import_id IS NOT NULL;

CREATE TABLE call_days (
  day    text NOT NULL,
  action text NOT NULL,
  reason text NOT NULL,
  calls  bigint NOT NULL,
  PRIMARY KEY (day, action, reason)
);

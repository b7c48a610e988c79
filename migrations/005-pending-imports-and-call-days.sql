-- 005: imports into the personal entries that switch in at once, and a call log that can forget.
--
-- Imports. A big file cannot be written in one transaction without holding the write lock, and in the service the
-- event loop, for many seconds (calls then fail open). So an import writes its rows in short transactions, each row
-- carrying the import's id, and every read of entries and contacts hides the rows of an import that is not 'done'
-- (src/store/import-visibility.ts). The switch is one UPDATE of one `imports` row: all its rows appear at once. A
-- failed or crashed import is marked 'failed' (still hidden) and its rows are deleted in batches; its row goes last.
-- The rows keep import_id after the switch: it says which import brought them.
CREATE TABLE imports (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  source       TEXT NOT NULL,     -- the file's format (csv, vcard, …), as entries.source
  state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  -- 'host:pid' of the writer and when it last wrote: how another process tells a crashed import from a running one.
  owner        TEXT NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  added        INTEGER NOT NULL DEFAULT 0
);
-- Every lookup of the call path reads the imports not (yet) in force: almost always none, one while an import runs.
CREATE INDEX imports_unfinished ON imports (id) WHERE state <> 'done';

-- No foreign key: an import's rows are deleted in batches before its row, never by a cascade that would delete a
-- million rows in one statement.
ALTER TABLE entries ADD COLUMN import_id INTEGER;
-- Deleting a failed import's rows in batches; and a page of the entry list that skips an unfinished import's rows
-- (entries-page.ts) finds the rows others wrote meanwhile among them (import_id NULL, by id). Rows of one import
-- share the key and come in id order, so the index grows at the end of one key.
CREATE INDEX entries_import ON entries (import_id);
ALTER TABLE contacts ADD COLUMN import_id INTEGER;
CREATE INDEX contacts_import ON contacts (import_id) WHERE import_id IS NOT NULL;

-- Retention (CALLFILTER_LOG_RETENTION_DAYS): before call-log rows are deleted, they are counted here per local day
-- (CALLFILTER_TIMEZONE when pruned), action and reason, so the daily stats of a pruned day stay as they were. No
-- numbers, names or ids: forgetting who called is the point of retention.
CREATE TABLE call_days (
  day    TEXT NOT NULL,     -- YYYY-MM-DD
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  calls  INTEGER NOT NULL,
  PRIMARY KEY (day, action, reason)
) WITHOUT ROWID;

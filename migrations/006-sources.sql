-- 006: sources (DESIGN.md "Sources"), the leases that keep a job from running twice at once, and the outbox.

-- Something outside that feeds a list (or, for later kinds, allow/block entries) on a schedule, with its status.
CREATE TABLE sources (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT NOT NULL UNIQUE CONSTRAINT source_name_length CHECK (length(name) BETWEEN 1 AND 100),
  kind            TEXT NOT NULL CONSTRAINT source_kind_unknown CHECK (kind IN ('phoneblock', 'url', 'fritzbox', 'carddav', 'called')),
  -- The target: a list, or the personal entries of one kind. A deleted list leaves the source without one (its sync
  -- then says so) rather than deleting the source with it.
  list_id         INTEGER REFERENCES lists (id) ON DELETE SET NULL,
  entry_kind      TEXT CONSTRAINT source_entry_kind CHECK (entry_kind IN ('allow', 'block')),
  -- Non-secret settings (URL, format, language…), JSON.
  settings        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  -- Secrets (an API key, a password), JSON: written through the API, never returned by it, never logged.
  credentials     TEXT CHECK (credentials IS NULL OR json_valid(credentials)),
  -- Schedule: runs fall on offset + k × interval (epoch ms), each moved by up to ± jitter; the offset is random,
  -- chosen once at creation and kept (PhoneBlock asks for randomised sync times).
  interval_ms     INTEGER NOT NULL CHECK (interval_ms > 0),
  jitter_ms       INTEGER NOT NULL DEFAULT 0 CHECK (jitter_ms >= 0),
  offset_ms       INTEGER NOT NULL DEFAULT 0 CHECK (offset_ms >= 0),
  enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- Status.
  last_attempt_at INTEGER,
  last_success_at INTEGER,
  -- The source's own position: a version (PhoneBlock), an ETag (a URL), a sync token (CardDAV).
  cursor          TEXT,
  -- More of the kind's sync state (Last-Modified, when the last full sync ran…), JSON.
  state           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(state)),
  row_count       INTEGER,
  next_run_at     INTEGER,
  last_error      TEXT,
  -- Why the last answer was held back instead of replacing the list (a sudden shrink…); NULL when none is.
  held_back       TEXT,
  -- Failures in a row (for the retry backoff) and in all (callfilter_source_sync_failures_total).
  failures        INTEGER NOT NULL DEFAULT 0,
  failures_total  INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX sources_list ON sources (list_id) WHERE list_id IS NOT NULL;
CREATE INDEX sources_next_run ON sources (next_run_at) WHERE enabled = 1;

-- A lease: who runs a job (a source's sync, the outbox dispatcher) until when. The holder renews it while it works;
-- a holder that crashed stops renewing, and its lease expires. Across processes: the service and the command line.
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  acquired_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Work that must reach the outside later (PhoneBlock reports; webhooks and MQTT later), kept until delivered or
-- given up. dedupe_key: at most one item per key (e.g. one call report per number and day).
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  kind            TEXT NOT NULL,
  payload         TEXT NOT NULL CHECK (json_valid(payload)),
  dedupe_key      TEXT UNIQUE,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  -- A dispatcher working on the item, until when (another one may take it after that).
  claimed_by      TEXT,
  claimed_until   INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_kind ON outbox (kind, created_at);

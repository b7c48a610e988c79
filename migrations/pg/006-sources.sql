-- 006: sources, leases and the outbox (../006-sources.sql says what each column is for). WITHOUT ROWID is dropped.

CREATE TABLE sources (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL UNIQUE CONSTRAINT source_name_length CHECK (length(name) BETWEEN 1 AND 100),
  kind            text NOT NULL CONSTRAINT source_kind_unknown CHECK (kind IN ('phoneblock', 'url', 'fritzbox', 'carddav', 'called')),
  list_id         bigint REFERENCES lists (id) ON DELETE SET NULL,
  entry_kind      text CONSTRAINT source_entry_kind CHECK (entry_kind IN ('allow', 'block')),
  settings        text NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  credentials     text CHECK (credentials IS NULL OR json_valid(credentials)),
  -- bigint, not integer: a monthly interval (2.6e9 ms) is past integer's 2^31.
  interval_ms     bigint NOT NULL CHECK (interval_ms > 0),
  jitter_ms       bigint NOT NULL DEFAULT 0 CHECK (jitter_ms >= 0),
  offset_ms       bigint NOT NULL DEFAULT 0 CHECK (offset_ms >= 0),
  enabled         integer NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  last_attempt_at bigint,
  last_success_at bigint,
  cursor          text,
  state           text NOT NULL DEFAULT '{}' CHECK (json_valid(state)),
  row_count       integer,
  next_run_at     bigint,
  last_error      text,
  held_back       text,
  failures        integer NOT NULL DEFAULT 0,
  failures_total  integer NOT NULL DEFAULT 0,
  created_at      bigint NOT NULL,
  updated_at      bigint NOT NULL
);
CREATE UNIQUE INDEX sources_list ON sources (list_id) WHERE list_id IS NOT NULL;
CREATE INDEX sources_next_run ON sources (next_run_at) WHERE enabled = 1;

CREATE TABLE leases (
  name        text PRIMARY KEY,
  owner       text NOT NULL,
  expires_at  bigint NOT NULL,
  acquired_at bigint NOT NULL
);

CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind            text NOT NULL,
  payload         text NOT NULL CHECK (json_valid(payload)),
  dedupe_key      text UNIQUE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  claimed_by      text,
  claimed_until   bigint,
  last_error      text,
  created_at      bigint NOT NULL,
  finished_at     bigint
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_kind ON outbox (kind, created_at);

-- 001: the initial schema, PostgreSQL's translation of ../001-initial.sql (read that file for what each column
-- means; only what differs is said here). test/store/pg-migrate.test.ts checks that both engines end up with the
-- same tables, columns and index names.
-- Conventions kept from SQLite, so one SQL text fits both engines: times are epoch milliseconds (bigint); booleans
-- are 0/1 integers with a CHECK, not boolean; numbers are E.164 strings; JSON is text checked by json_valid().
-- Ids are GENERATED ALWAYS AS IDENTITY: a sequence never hands out an id twice (SQLite's AUTOINCREMENT), and ALWAYS
-- refuses an id the caller picked, which could collide with one the sequence hands out later. A copy from SQLite
-- keeps its ids with OVERRIDING SYSTEM VALUE and then moves the sequence past them (setval).
-- node-pg returns bigint as a string unless a type parser says otherwise: the store engine sets one (every value
-- here stays far below 2^53).
-- src/store/pg/migrate.ts runs each file in one transaction; do not put BEGIN/COMMIT here.

-- SQLite's json_valid(), so the CHECKs read the same and a bad document is a CHECK violation that names its
-- constraint, as in SQLite. PostgreSQL 16 has `IS JSON`, but the tests' server (Debian's 15) does not.
CREATE FUNCTION json_valid(doc text) RETURNS boolean
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
  PERFORM doc::json;
  RETURN true;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN false;
END
$$;

CREATE TABLE contacts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  note        text,
  vip         integer NOT NULL DEFAULT 0 CHECK (vip IN (0, 1)),
  source      text NOT NULL DEFAULT 'manual',
  external_id text,
  created_at  bigint NOT NULL
);
CREATE INDEX contacts_external ON contacts (source, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE entries (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- SQLite's two GLOBs ('+', a digit, then digits only) as one regular expression.
  number       text NOT NULL
    CONSTRAINT entry_number_must_be_e164 CHECK (number ~ '^\+[0-9]+$' AND length(number) <= 32),
  is_prefix    integer NOT NULL DEFAULT 0 CHECK (is_prefix IN (0, 1)),
  kind         text NOT NULL CONSTRAINT entry_kind_must_be_allow_or_block CHECK (kind IN ('allow', 'block')),
  action       text CONSTRAINT entry_action_unknown CHECK (action IN ('connect', 'voicemail', 'hangup', 'announce')),
  cause        integer CONSTRAINT entry_cause_must_be_q850 CHECK (cause BETWEEN 0 AND 127),
  announcement text,
  label        text,
  vip          integer NOT NULL DEFAULT 0 CHECK (vip IN (0, 1)),
  note         text,
  source       text NOT NULL DEFAULT 'manual',
  contact_id   bigint REFERENCES contacts (id) ON DELETE CASCADE,
  expires_at   bigint,
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL
);
CREATE UNIQUE INDEX entries_number ON entries (number, is_prefix, kind);
CREATE INDEX entries_contact ON entries (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX entries_expires ON entries (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE lists (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           text NOT NULL UNIQUE,
  kind           text NOT NULL DEFAULT 'spam' CHECK (kind IN ('spam')),
  -- SQLite's NUMERIC keeps an integer or a double; node-pg would return numeric as a string, double precision
  -- comes back as a number.
  threshold      double precision NOT NULL DEFAULT 1,
  action         text CONSTRAINT list_action_unknown CHECK (action IN ('connect', 'voicemail', 'hangup', 'announce')),
  cause          integer CONSTRAINT list_cause_must_be_q850 CHECK (cause BETWEEN 0 AND 127),
  announcement   text,
  label          text,
  source_url     text,
  enabled        integer NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  active_version integer NOT NULL DEFAULT 0,
  last_version   integer NOT NULL DEFAULT 0,
  entry_count    integer NOT NULL DEFAULT 0,
  sync_cursor    text,
  synced_at      bigint,
  sync_error     text,
  updated_at     bigint NOT NULL,
  created_at     bigint NOT NULL
);

CREATE TABLE list_entries (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  list_id   bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  version   integer NOT NULL,
  number    text NOT NULL
    CONSTRAINT list_number_must_be_e164 CHECK (number ~ '^\+[0-9]+$' AND length(number) <= 32),
  is_prefix integer NOT NULL DEFAULT 0 CHECK (is_prefix IN (0, 1)),
  score     double precision NOT NULL DEFAULT 1,
  label     text
);
CREATE UNIQUE INDEX list_entries_number ON list_entries (number, is_prefix, list_id, version);
CREATE INDEX list_entries_version ON list_entries (list_id, version);

CREATE TABLE profiles (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  dids       text NOT NULL DEFAULT '[]' CHECK (json_valid(dids)),
  body       text NOT NULL CHECK (json_valid(body)),
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE calls (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at                bigint NOT NULL,
  caller_raw        text NOT NULL,
  caller_name_raw   text,
  caller            text,
  caller_kind       text NOT NULL,
  presentation      integer,
  did               text,
  country           text,
  action            text NOT NULL,
  reason            text NOT NULL,
  cause             integer,
  label             text,
  entry_id          bigint,
  list_id           bigint,
  list_entry_id     bigint,
  profile           text,
  unique_id         text,
  channel           text,
  latency_us        integer,
  explanation       text,
  would_have_action text,
  would_have_reason text
);
-- A SQLite index ends in the rowid by itself; a PostgreSQL index does not, so id is spelled out: (x, at, id) serves
-- "WHERE x = ? ORDER BY at DESC, id DESC" as a backwards index scan with no sort, as in SQLite.
CREATE INDEX calls_caller ON calls (caller, at, id);
CREATE INDEX calls_at ON calls (at, id);
CREATE INDEX calls_action ON calls (action, at, id);
CREATE INDEX calls_reason ON calls (reason, at, id);
CREATE INDEX calls_did ON calls (did, at, id);

-- 001: the initial schema.
-- Conventions: times are epoch milliseconds (INTEGER); booleans are 0/1; numbers are E.164 strings ('+4930123456'),
-- and a prefix entry stores the leading part ('+49301234', no '*') with is_prefix = 1.
-- Ids use AUTOINCREMENT so an id is never reused: the call log keeps entry_id / list_entry_id without a foreign key,
-- and a reused id would make an old log row point at a different entry.
-- migrate.ts runs each file in one transaction; do not put BEGIN/COMMIT here.

CREATE TABLE contacts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL,
  note        TEXT,
  vip         INTEGER NOT NULL DEFAULT 0 CHECK (vip IN (0, 1)),
  source      TEXT NOT NULL DEFAULT 'manual',
  -- vCard UID or FRITZ!Box <uniqueid>, so a re-import finds what it created. Not unique: FRITZ!Box ids are per
  -- phonebook, and two boxes or two exports can reuse one.
  external_id TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX contacts_external ON contacts (source, external_id) WHERE external_id IS NOT NULL;

-- Personal allow / block entries (contacts' numbers are allow entries with contact_id set).
CREATE TABLE entries (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  number       TEXT NOT NULL
    CONSTRAINT entry_number_must_be_e164 CHECK (number GLOB '+[0-9]*' AND substr(number, 2) NOT GLOB '*[^0-9]*' AND length(number) <= 32),
  is_prefix    INTEGER NOT NULL DEFAULT 0 CHECK (is_prefix IN (0, 1)),
  kind         TEXT NOT NULL CONSTRAINT entry_kind_must_be_allow_or_block CHECK (kind IN ('allow', 'block')),
  action       TEXT CONSTRAINT entry_action_unknown CHECK (action IN ('connect', 'voicemail', 'hangup', 'announce')),
  cause        INTEGER CONSTRAINT entry_cause_must_be_q850 CHECK (cause BETWEEN 0 AND 127),
  announcement TEXT,
  label        TEXT,
  vip          INTEGER NOT NULL DEFAULT 0 CHECK (vip IN (0, 1)),
  note         TEXT,
  source       TEXT NOT NULL DEFAULT 'manual',
  contact_id   INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
  expires_at   INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
-- One entry per (number, exact|prefix, allow|block). It is also the lookup index of the call path:
-- `number IN (every leading part of the caller)` is one index probe per part, then is_prefix filters in the index.
CREATE UNIQUE INDEX entries_number ON entries (number, is_prefix, kind);
-- Foreign-key cascades and "the numbers of this contact" need the child column indexed (else a full scan).
CREATE INDEX entries_contact ON entries (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX entries_expires ON entries (expires_at) WHERE expires_at IS NOT NULL;

-- Imported call-centre / spam lists. A list's rows are versioned: an import writes version last_version + 1 in many
-- short transactions, then one short transaction makes it active_version; rows of any other version are garbage
-- (an old version being deleted, or a crashed import) and never match.
CREATE TABLE lists (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  name           TEXT NOT NULL UNIQUE,
  kind           TEXT NOT NULL DEFAULT 'spam' CHECK (kind IN ('spam')),
  -- A hit counts when the entry's score (votes, reports) >= threshold.
  threshold      NUMERIC NOT NULL DEFAULT 1,
  action         TEXT CONSTRAINT list_action_unknown CHECK (action IN ('connect', 'voicemail', 'hangup', 'announce')),
  cause          INTEGER CONSTRAINT list_cause_must_be_q850 CHECK (cause BETWEEN 0 AND 127),
  announcement   TEXT,
  label          TEXT,
  source_url     TEXT,
  enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- 0 = nothing imported yet (versions start at 1, so no row ever has version 0).
  active_version INTEGER NOT NULL DEFAULT 0,
  -- The highest version ever handed to an import (finished, running or crashed).
  last_version   INTEGER NOT NULL DEFAULT 0,
  entry_count    INTEGER NOT NULL DEFAULT 0,
  -- Sync state of a subscription: the source's own version/cursor (PhoneBlock `version`, for `?since=`).
  sync_cursor    TEXT,
  synced_at      INTEGER,
  sync_error     TEXT,
  updated_at     INTEGER NOT NULL,
  created_at     INTEGER NOT NULL
);

CREATE TABLE list_entries (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  list_id   INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  version   INTEGER NOT NULL,
  number    TEXT NOT NULL
    CONSTRAINT list_number_must_be_e164 CHECK (number GLOB '+[0-9]*' AND substr(number, 2) NOT GLOB '*[^0-9]*' AND length(number) <= 32),
  is_prefix INTEGER NOT NULL DEFAULT 0 CHECK (is_prefix IN (0, 1)),
  score     NUMERIC NOT NULL DEFAULT 1,
  label     TEXT
);
-- The call-path lookup (number IN (…) then is_prefix, list and version checked inside the index), and the
-- "one row per number per list version" rule an import's duplicates are checked against.
CREATE UNIQUE INDEX list_entries_number ON list_entries (number, is_prefix, list_id, version);
-- Batched deletes of one version, and the ON DELETE CASCADE from lists.
CREATE INDEX list_entries_version ON list_entries (list_id, version);

-- Policy profiles; the Profile (schedules included) is the JSON body, dids a copy of body.dids for queries.
CREATE TABLE profiles (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL UNIQUE,
  dids       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(dids)),
  body       TEXT NOT NULL CHECK (json_valid(body)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The call log. Deliberately without CHECKs on action/reason and without foreign keys: a decided call must always
-- be written (a new reason code must not need a table rebuild), and history outlives the entries and list versions
-- it names.
CREATE TABLE calls (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  at                INTEGER NOT NULL,
  caller_raw        TEXT NOT NULL,
  caller_name_raw   TEXT,
  caller            TEXT,          -- E.164, NULL when withheld or internal
  caller_kind       TEXT NOT NULL, -- number | withheld | internal
  presentation      INTEGER,       -- agi_callingpres
  did               TEXT,
  country           TEXT,
  action            TEXT NOT NULL,
  reason            TEXT NOT NULL,
  cause             INTEGER,
  label             TEXT,
  entry_id          INTEGER,
  list_id           INTEGER,
  list_entry_id     INTEGER,
  profile           TEXT,
  unique_id         TEXT,          -- agi_uniqueid
  channel           TEXT,
  latency_us        INTEGER,
  explanation       TEXT,
  would_have_action TEXT,
  would_have_reason TEXT
);
-- Every index ends in the rowid implicitly, so (x, at) serves "WHERE x = ? ORDER BY at DESC, id DESC" as a
-- backwards index scan with no sort: the log is listed newest first by (at, id) and paged by id.
CREATE INDEX calls_caller ON calls (caller, at);  -- repeat caller: recent calls of one number
CREATE INDEX calls_at ON calls (at);
CREATE INDEX calls_action ON calls (action, at);
CREATE INDEX calls_reason ON calls (reason, at);
CREATE INDEX calls_did ON calls (did, at);

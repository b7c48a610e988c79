-- 007: where each entry comes from. One number can come from the FRITZ!Box, from a CardDAV address book and from the
-- person at once; a sync adds and removes only its own origin rows, and an entry goes when its last origin goes.
--
-- An entry WITHOUT origin rows is the person's own ('manual'): entries typed in, blocked from the call log, imported
-- from a file. So existing entries need no rows here (their `source` column still says how they came: api, cli,
-- csv, vcard…), and neither does an import: a million-row blocklist gets no million origin rows, and the import's
-- write path stays as it is. A 'manual' row is written only where it says something — when the person adds,
-- edits or keeps an entry that a sync also holds, so that entry outlives the sync's removal.
--
-- A sync names its origin by the source's name (fritzbox, carddav, called); `manual` is reserved for the person.
-- external_id is the origin's own key: a CardDAV card's href, a FRITZ!Box phone book (`book:<name>`) or `barring`,
-- '' for `called`. One origin may hold a number more than once (two cards with the same landline): the key is
-- (entry, origin, external id). label and vip are what that origin says, so the entry can fall back to another
-- origin's name when one goes; expires_at is the origin's own expiry (`called`: trusted until then).
CREATE TABLE entry_origins (
  entry_id    INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  origin      TEXT NOT NULL CONSTRAINT entry_origin_name CHECK (length(origin) BETWEEN 1 AND 100),
  external_id TEXT NOT NULL DEFAULT '',
  label       TEXT,
  vip         INTEGER NOT NULL DEFAULT 0 CHECK (vip IN (0, 1)),
  expires_at  INTEGER,
  added_at    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (entry_id, origin, external_id)
) WITHOUT ROWID;
-- A sync reads all rows of its origin (or of one of its books / cards) to compare them with what it fetched.
CREATE INDEX entry_origins_origin ON entry_origins (origin, external_id);

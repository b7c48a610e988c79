-- 007: where each entry comes from (../007-entry-origins.sql says how origins work). WITHOUT ROWID is dropped.

CREATE TABLE entry_origins (
  entry_id    bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  origin      text NOT NULL CONSTRAINT entry_origin_name CHECK (length(origin) BETWEEN 1 AND 100),
  external_id text NOT NULL DEFAULT '',
  label       text,
  vip         integer NOT NULL DEFAULT 0 CHECK (vip IN (0, 1)),
  expires_at  bigint,
  added_at    bigint NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (entry_id, origin, external_id)
);
CREATE INDEX entry_origins_origin ON entry_origins (origin, external_id);

-- 004: settings kept in the database (../004-settings.sql says what for). WITHOUT ROWID has no PostgreSQL meaning
-- and is dropped; SQLite's GLOB 'CALLFILTER_*' is starts_with (both case-sensitive, '_' taken literally).

CREATE TABLE settings (
  key        text PRIMARY KEY CHECK (starts_with(key, 'CALLFILTER_')),
  value      text NOT NULL,
  updated_at bigint NOT NULL
);

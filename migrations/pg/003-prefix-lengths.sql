-- 003: the lengths of the prefix rows that exist, so the call path probes only those (../003-prefix-lengths.sql
-- says why, and why a count that is too high is harmless while one too low would miss a block).
--
-- SQLite counts with a trigger per row; here one trigger per statement reads the statement's rows from its
-- transition tables and changes each length's count once. A row trigger would run a PL/pgSQL call per row, which
-- on a million-row import is seconds of work for rows that are almost all exact numbers.
-- Every way a prefix row comes or goes still passes a trigger:
-- - INSERT … ON CONFLICT DO NOTHING: an ignored row is in no transition table;
-- - an upsert's DO UPDATE and any UPDATE: the old rows are counted out, the new ones in (a transition table cannot
--   go with a column list, so the trigger fires on every UPDATE; when number and is_prefix stay, the two cancel);
-- - ON DELETE CASCADE (lists → list_entries, contacts → entries): the cascade runs a DELETE on the child table,
--   which fires its statement triggers;
-- - TRUNCATE fires none of these: callfilter never truncates entries or list_entries (it would have to empty
--   prefix_lengths of that table too).
-- Counts are changed in the order of their length, so two transactions that count the same lengths lock their rows
-- in the same order and wait for each other rather than deadlock.

CREATE TABLE prefix_lengths (
  tbl         text NOT NULL CHECK (tbl IN ('entries', 'list_entries')),
  len         integer NOT NULL,
  prefix_rows integer NOT NULL,
  PRIMARY KEY (tbl, len)
);

INSERT INTO prefix_lengths (tbl, len, prefix_rows)
  SELECT 'entries', length(number), count(*) FROM entries WHERE is_prefix = 1 GROUP BY length(number);
INSERT INTO prefix_lengths (tbl, len, prefix_rows)
  SELECT 'list_entries', length(number), count(*) FROM list_entries WHERE is_prefix = 1 GROUP BY length(number);

-- For entries and list_entries alike: TG_TABLE_NAME is the tbl value. The transition tables are named new_rows and
-- old_rows by every trigger below.
CREATE FUNCTION prefix_lengths_count() RETURNS trigger
  LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO prefix_lengths AS p (tbl, len, prefix_rows)
      SELECT TG_TABLE_NAME, length(number), count(*) FROM new_rows WHERE is_prefix = 1
        GROUP BY length(number) ORDER BY length(number)
      ON CONFLICT (tbl, len) DO UPDATE SET prefix_rows = p.prefix_rows + EXCLUDED.prefix_rows;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO prefix_lengths AS p (tbl, len, prefix_rows)
      SELECT TG_TABLE_NAME, length(number), -count(*) FROM old_rows WHERE is_prefix = 1
        GROUP BY length(number) ORDER BY length(number)
      ON CONFLICT (tbl, len) DO UPDATE SET prefix_rows = p.prefix_rows + EXCLUDED.prefix_rows;
  ELSE
    INSERT INTO prefix_lengths AS p (tbl, len, prefix_rows)
      SELECT TG_TABLE_NAME, len, sum(delta) FROM (
          SELECT length(number) AS len, 1 AS delta FROM new_rows WHERE is_prefix = 1
          UNION ALL
          SELECT length(number), -1 FROM old_rows WHERE is_prefix = 1
        ) AS changed
        GROUP BY len HAVING sum(delta) <> 0 ORDER BY len
      ON CONFLICT (tbl, len) DO UPDATE SET prefix_rows = p.prefix_rows + EXCLUDED.prefix_rows;
  END IF;
  -- A length whose count reaches 0 goes (as in SQLite). A count below 0, from a length that was not counted, goes
  -- too: SQLite's UPDATE of a missing row would have changed nothing.
  DELETE FROM prefix_lengths WHERE tbl = TG_TABLE_NAME AND prefix_rows <= 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER entries_prefix_insert AFTER INSERT ON entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION prefix_lengths_count();
CREATE TRIGGER entries_prefix_delete AFTER DELETE ON entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION prefix_lengths_count();
CREATE TRIGGER entries_prefix_update AFTER UPDATE ON entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION prefix_lengths_count();

CREATE TRIGGER list_entries_prefix_insert AFTER INSERT ON list_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION prefix_lengths_count();
CREATE TRIGGER list_entries_prefix_delete AFTER DELETE ON list_entries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION prefix_lengths_count();
CREATE TRIGGER list_entries_prefix_update AFTER UPDATE ON list_entries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION prefix_lengths_count();

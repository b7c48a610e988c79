-- 003: the lengths of the prefix rows that exist, so the call path probes only those.
-- A caller's lookup used to probe every leading part of the number (~14 index probes per table), though real
-- databases hold prefixes of only a few lengths. The lookups read this tiny table inside their query and probe a
-- leading part only if a prefix row of that length exists in that table (src/store/prefix-lengths.ts).
--
-- Triggers keep the counts; their WHEN is_prefix = 1 lets exact rows run no statement, though each row still enters
-- the trigger program: measured about 2.5 µs per exact row, some 2.5 s more on a 1,000,000-row import. A count that
-- is too high only costs a wasted probe; one that is too low would miss a block. So every way a prefix row comes or
-- goes must pass a trigger:
-- - INSERT … ON CONFLICT DO NOTHING: an ignored row fires no AFTER INSERT trigger (it was never inserted);
-- - an upsert's DO UPDATE and any UPDATE of number or is_prefix: the old row is counted out, the new one in;
-- - ON DELETE CASCADE (lists → list_entries, contacts → entries): foreign-key actions fire the child's triggers;
-- - list versions: a new version's rows are counted in as they are written, the old version's out as its batches
--   are deleted (old and new are both counted meanwhile: too high, harmless);
-- - INSERT OR REPLACE (nothing in callfilter uses it) deletes the replaced row without its DELETE trigger unless
--   recursive_triggers is on: the count stays too high, which is harmless.
-- A length whose count reaches 0 is removed, so the table holds only lengths that exist.

CREATE TABLE prefix_lengths (
  tbl         TEXT NOT NULL CHECK (tbl IN ('entries', 'list_entries')),
  len         INTEGER NOT NULL,   -- length(number), the '+' included: as a leading part's string length in JS
  prefix_rows INTEGER NOT NULL,   -- how many prefix rows of this length the table holds
  PRIMARY KEY (tbl, len)
) WITHOUT ROWID;

INSERT INTO prefix_lengths (tbl, len, prefix_rows)
  SELECT 'entries', length(number), count(*) FROM entries WHERE is_prefix = 1 GROUP BY length(number);
INSERT INTO prefix_lengths (tbl, len, prefix_rows)
  SELECT 'list_entries', length(number), count(*) FROM list_entries WHERE is_prefix = 1 GROUP BY length(number);

-- entries

CREATE TRIGGER entries_prefix_insert AFTER INSERT ON entries WHEN NEW.is_prefix = 1 BEGIN
  INSERT INTO prefix_lengths (tbl, len, prefix_rows) VALUES ('entries', length(NEW.number), 1)
    ON CONFLICT (tbl, len) DO UPDATE SET prefix_rows = prefix_rows + 1;
END;

CREATE TRIGGER entries_prefix_delete AFTER DELETE ON entries WHEN OLD.is_prefix = 1 BEGIN
  UPDATE prefix_lengths SET prefix_rows = prefix_rows - 1 WHERE tbl = 'entries' AND len = length(OLD.number);
  DELETE FROM prefix_lengths WHERE tbl = 'entries' AND len = length(OLD.number) AND prefix_rows <= 0;
END;

-- An UPDATE is the old row out and the new row in. Two triggers, each with its own WHEN: which fires first does not
-- matter (a count that briefly reaches 0 and is removed is inserted again).
CREATE TRIGGER entries_prefix_update_old AFTER UPDATE OF number, is_prefix ON entries WHEN OLD.is_prefix = 1 BEGIN
  UPDATE prefix_lengths SET prefix_rows = prefix_rows - 1 WHERE tbl = 'entries' AND len = length(OLD.number);
  DELETE FROM prefix_lengths WHERE tbl = 'entries' AND len = length(OLD.number) AND prefix_rows <= 0;
END;

CREATE TRIGGER entries_prefix_update_new AFTER UPDATE OF number, is_prefix ON entries WHEN NEW.is_prefix = 1 BEGIN
  INSERT INTO prefix_lengths (tbl, len, prefix_rows) VALUES ('entries', length(NEW.number), 1)
    ON CONFLICT (tbl, len) DO UPDATE SET prefix_rows = prefix_rows + 1;
END;

-- list_entries: the same, for every list and version together (rows of inactive versions only make a count too high).

CREATE TRIGGER list_entries_prefix_insert AFTER INSERT ON list_entries WHEN NEW.is_prefix = 1 BEGIN
  INSERT INTO prefix_lengths (tbl, len, prefix_rows) VALUES ('list_entries', length(NEW.number), 1)
    ON CONFLICT (tbl, len) DO UPDATE SET prefix_rows = prefix_rows + 1;
END;

CREATE TRIGGER list_entries_prefix_delete AFTER DELETE ON list_entries WHEN OLD.is_prefix = 1 BEGIN
  UPDATE prefix_lengths SET prefix_rows = prefix_rows - 1 WHERE tbl = 'list_entries' AND len = length(OLD.number);
  DELETE FROM prefix_lengths WHERE tbl = 'list_entries' AND len = length(OLD.number) AND prefix_rows <= 0;
END;

CREATE TRIGGER list_entries_prefix_update_old AFTER UPDATE OF number, is_prefix ON list_entries WHEN OLD.is_prefix = 1 BEGIN
  UPDATE prefix_lengths SET prefix_rows = prefix_rows - 1 WHERE tbl = 'list_entries' AND len = length(OLD.number);
  DELETE FROM prefix_lengths WHERE tbl = 'list_entries' AND len = length(OLD.number) AND prefix_rows <= 0;
END;

CREATE TRIGGER list_entries_prefix_update_new AFTER UPDATE OF number, is_prefix ON list_entries WHEN NEW.is_prefix = 1 BEGIN
  INSERT INTO prefix_lengths (tbl, len, prefix_rows) VALUES ('list_entries', length(NEW.number), 1)
    ON CONFLICT (tbl, len) DO UPDATE SET prefix_rows = prefix_rows + 1;
END;

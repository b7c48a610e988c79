-- 008: the facts behind each logged decision, as JSON text (../008-call-facts.sql says what reads them).
ALTER TABLE calls ADD COLUMN facts text;

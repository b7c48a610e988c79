-- 008: the facts behind each logged decision (policy/types.ts `Because` and `Match`, as JSON), so the log, the API and
-- the web page can say why a call was treated as it was — in the reader's language, naming every entry or list
-- that matched and why it did or did not decide — without reading the entries again (they change) or parsing the
-- English sentence in `explanation` (kept for what reads it: the CSV export of old rows, scripts).
ALTER TABLE calls ADD COLUMN facts TEXT;

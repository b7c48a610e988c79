-- 002: a leaner call log. Every call writes one row, and each index on `calls` is one more B-tree page to change
-- and write to the WAL on every commit. The indexes on action, reason and did served only admin filters, which a
-- backwards scan of calls_at answers well enough (the log is read newest first, a page at a time); dropping them
-- makes the call-path insert about a third cheaper. calls_caller (repeat caller, filter by number) and calls_at
-- (the log by time, stats) stay.
DROP INDEX calls_action;
DROP INDEX calls_reason;
DROP INDEX calls_did;

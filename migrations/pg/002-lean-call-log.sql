-- 002: a leaner call log (../002-lean-call-log.sql says why): the admin-filter indexes go, calls_caller and calls_at
-- stay. Kept as its own step, rather than leaving the indexes out of 001, so that a version number means the same
-- schema on both engines.
DROP INDEX calls_action;
DROP INDEX calls_reason;
DROP INDEX calls_did;

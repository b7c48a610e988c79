-- 009: the web page's sessions, shared by every node (../009-web-sessions.sql says why and what each column is).
CREATE TABLE web_sessions (
  id_hash    text PRIMARY KEY,
  csrf_token text NOT NULL,
  token_hash text NOT NULL,
  created_at bigint NOT NULL,
  last_seen  bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX web_sessions_created ON web_sessions (created_at);

-- 009: the web page's sessions in the database, so every node of a cluster knows them (a person signed in through
-- node A stays signed in when the proxy sends the next request to node B) and a restart signs nobody out.
-- Only a hash of the cookie value is kept: a copy of the database (a backup) holds no usable session. The CSRF token
-- is useless without the cookie. `token_hash` is the admin token's hash when the session began: a rotated token ends
-- it. src/web/sessions.ts has the rules (idle time, maximum age, how many).
CREATE TABLE web_sessions (
  id_hash    TEXT PRIMARY KEY,
  csrf_token TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX web_sessions_created ON web_sessions (created_at);

/** The web page's sessions (migrations/009); the rules about them are src/web/sessions.ts's. */
import type { Database } from './database.js';
import { withStoreErrors } from './errors.js';

export interface StoredSession {
  /** SHA-256 of the cookie value (base64url). */
  idHash: string;
  csrfToken: string;
  /** SHA-256 of the admin token the session began with. */
  tokenHash: string;
  createdAt: number;
  lastSeen: number;
  expiresAt: number;
}

export interface SessionLimits {
  /** A session unused this long is over. */
  idleMs: number;
  /** At most this many sessions are kept: the oldest go first. */
  keep: number;
}

export interface SessionsRepository {
  /** Adds a session; first removes the ones that are over at `session.createdAt` and the oldest beyond the limit. */
  add(session: StoredSession, limits: SessionLimits): Promise<void>;
  get(idHash: string): Promise<StoredSession | undefined>;
  touch(idHash: string, lastSeen: number): Promise<void>;
  remove(idHash: string): Promise<void>;
  count(): Promise<number>;
}

export interface SessionRow {
  id_hash: string;
  csrf_token: string;
  token_hash: string;
  created_at: number;
  last_seen: number;
  expires_at: number;
}

export const SESSION_COLUMNS = 'id_hash, csrf_token, token_hash, created_at, last_seen, expires_at';
export const SESSION_EXPIRED_SQL = 'DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen <= ?';
/** Keeps the newest `keep - 1` (the one being added makes `keep`). */
export const SESSION_OLDEST_SQL =
  'DELETE FROM web_sessions WHERE id_hash IN (SELECT id_hash FROM web_sessions ORDER BY created_at DESC, id_hash LIMIT -1 OFFSET ?)';

export function toSession(row: SessionRow): StoredSession {
  return {
    idHash: row.id_hash,
    csrfToken: row.csrf_token,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastSeen: row.last_seen,
    expiresAt: row.expires_at,
  };
}

export function sessionValues(s: StoredSession): (string | number)[] {
  return [s.idHash, s.csrfToken, s.tokenHash, s.createdAt, s.lastSeen, s.expiresAt];
}

export function createSessionsRepository(db: Database): SessionsRepository {
  const expired = db.prepare<[number, number]>(SESSION_EXPIRED_SQL);
  const oldest = db.prepare<[number]>(SESSION_OLDEST_SQL);
  const insert = db.prepare<(string | number)[]>(
    `INSERT INTO web_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const get = db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM web_sessions WHERE id_hash = ?`);
  const touch = db.prepare<[number, string]>('UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?');
  const remove = db.prepare<[string]>('DELETE FROM web_sessions WHERE id_hash = ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM web_sessions');

  return withStoreErrors({
    async add(session, limits) {
      db.transaction(() => {
        expired.run(session.createdAt, session.createdAt - limits.idleMs);
        oldest.run(Math.max(0, limits.keep - 1));
        insert.run(...sessionValues(session));
      });
    },
    async get(idHash) {
      const row = get.get(idHash);
      return row && toSession(row);
    },
    async touch(idHash, lastSeen) {
      touch.run(lastSeen, idHash);
    },
    async remove(idHash) {
      remove.run(idHash);
    },
    async count() {
      return (count.get() as { n: number }).n;
    },
  });
}

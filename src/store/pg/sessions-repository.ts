/** The web page's sessions in the shared database (../sessions-repository.ts): every node knows every session. */
import type pg from 'pg';
import {
  SESSION_COLUMNS,
  SESSION_EXPIRED_SQL,
  type SessionsRepository,
  sessionValues,
  toSession,
} from '../sessions-repository.js';
import { withPostgresErrors } from './errors.js';
import { dollars, inTransaction } from './sql.js';

export function createPostgresSessionsRepository(pool: pg.Pool): SessionsRepository {
  return withPostgresErrors({
    async add(session, limits) {
      await inTransaction(pool, async (client) => {
        await client.query(dollars(SESSION_EXPIRED_SQL), [session.createdAt, session.createdAt - limits.idleMs]);
        await client.query(
          `DELETE FROM web_sessions WHERE id_hash IN
             (SELECT id_hash FROM web_sessions ORDER BY created_at DESC, id_hash OFFSET $1)`,
          [Math.max(0, limits.keep - 1)],
        );
        await client.query(
          `INSERT INTO web_sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`,
          sessionValues(session),
        );
      });
    },
    async get(idHash) {
      const r = await pool.query(`SELECT ${SESSION_COLUMNS} FROM web_sessions WHERE id_hash = $1`, [idHash]);
      return r.rows[0] && toSession(r.rows[0]);
    },
    async touch(idHash, lastSeen) {
      await pool.query('UPDATE web_sessions SET last_seen = $1 WHERE id_hash = $2', [lastSeen, idHash]);
    },
    async remove(idHash) {
      await pool.query('DELETE FROM web_sessions WHERE id_hash = $1', [idHash]);
    },
    async count() {
      const r = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM web_sessions');
      return r.rows[0]?.n ?? 0;
    },
  });
}

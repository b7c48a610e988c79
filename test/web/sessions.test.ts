/** The session store on both engines: expiry, the admin token, CSRF, its bound — and two nodes sharing PostgreSQL. */
import { describe, expect, it } from 'vitest';
import { createPostgresSessionsRepository } from '../../src/store/pg/sessions-repository.js';
import type { SessionsRepository } from '../../src/store/sessions-repository.js';
import {
  createSessionStore,
  MAX_SESSIONS,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  TOUCH_EVERY_MS,
} from '../../src/web/sessions.js';
import { usePostgresDatabase } from '../store/engines.js';
import { tempStore } from '../store/helpers.js';

const postgres = usePostgresDatabase('sessions');

const engines: [string, () => Promise<SessionsRepository>][] = [
  ['SQLite', async () => tempStore().store.sessions],
  ['PostgreSQL', async () => createPostgresSessionsRepository(await postgres.fresh())],
];

function sessionStore(repository: SessionsRepository, state = { now: 1_000_000, token: 'token-one-0123456789' }) {
  const sessions = createSessionStore({ repository, clock: () => state.now, currentToken: () => state.token });
  return { state, sessions };
}

describe.each(engines)('the session store on %s', (_, open) => {
  it('keeps a session while it is used, and ends it after the idle time', async () => {
    const { state, sessions } = sessionStore(await open());
    const s = await sessions.create();
    state.now += SESSION_IDLE_MS - 1;
    expect(await sessions.get(s.id)).toBeDefined();
    state.now += SESSION_IDLE_MS - 1; // used just now: the idle time starts again
    expect(await sessions.get(s.id, false)).toBeDefined();
    state.now += 1; // a peek (touch false) did not count as use
    expect(await sessions.check(s.id, undefined, false)).toEqual({ status: 'expired' });
    expect(await sessions.count()).toBe(0);
  });

  it('writes the idle timer at most once a minute', async () => {
    const { state, sessions } = sessionStore(await open());
    const s = await sessions.create();
    state.now += TOUCH_EVERY_MS - 1;
    expect((await sessions.get(s.id))?.lastSeen).toBe(s.createdAt); // too soon to write
    state.now += 1;
    expect((await sessions.get(s.id))?.lastSeen).toBe(state.now);
    expect((await sessions.get(s.id, false))?.lastSeen).toBe(state.now);
  });

  it('ends a session after the maximum age however busy it is', async () => {
    const { state, sessions } = sessionStore(await open());
    const s = await sessions.create();
    expect(s.expiresAt).toBe(state.now + SESSION_MAX_MS);
    while (state.now < s.expiresAt - SESSION_IDLE_MS) {
      state.now += SESSION_IDLE_MS / 2;
      await sessions.get(s.id);
    }
    state.now = s.expiresAt;
    expect(await sessions.get(s.id)).toBeUndefined();
  });

  it('ends a session when the admin token changes', async () => {
    const { state, sessions } = sessionStore(await open());
    const s = await sessions.create();
    state.token = 'token-two-0123456789';
    expect((await sessions.check(s.id, undefined, false)).status).toBe('expired');
  });

  it("wants the CSRF token for a change, and only that session's", async () => {
    const { sessions } = sessionStore(await open());
    const a = await sessions.create();
    const b = await sessions.create();
    expect((await sessions.check(a.id, undefined, false)).status).toBe('ok');
    expect((await sessions.check(a.id, undefined, true)).status).toBe('csrf');
    expect((await sessions.check(a.id, b.csrfToken, true)).status).toBe('csrf');
    expect((await sessions.check(a.id, a.csrfToken, true)).status).toBe('ok');
    expect((await sessions.check('unknown', a.csrfToken, true)).status).toBe('none');
    expect((await sessions.check(undefined, undefined, false)).status).toBe('none');
  });

  it('signs out for good', async () => {
    const { sessions } = sessionStore(await open());
    const s = await sessions.create();
    await sessions.remove(s.id);
    expect(await sessions.get(s.id)).toBeUndefined();
  });

  it('keeps at most MAX_SESSIONS, dropping the oldest, and drops the expired ones first', async () => {
    const { state, sessions } = sessionStore(await open());
    const stale = await sessions.create();
    state.now += SESSION_IDLE_MS;
    const first = await sessions.create();
    expect(await sessions.count()).toBe(1); // the idle one went when the next was made
    state.now += 1;
    const second = await sessions.create();
    for (let i = 2; i < MAX_SESSIONS + 1; i++) {
      state.now += 1;
      await sessions.create();
    }
    expect(await sessions.count()).toBe(MAX_SESSIONS);
    expect(await sessions.get(first.id)).toBeUndefined();
    expect(await sessions.get(stale.id)).toBeUndefined();
    expect(await sessions.get(second.id)).toBeDefined();
  }, 30_000);
});

describe('sessions across nodes', () => {
  it('a session made on one node is known, touched and ended on another', async () => {
    // Two pools on one database: two nodes (fresh() empties the tables, before anything is written).
    const [poolA, poolB] = [await postgres.fresh(), await postgres.fresh()];
    const state = { now: 5_000_000, token: 'shared-admin-token-0123' };
    const nodeA = sessionStore(createPostgresSessionsRepository(poolA), state).sessions;
    const nodeB = sessionStore(createPostgresSessionsRepository(poolB), state).sessions;
    const s = await nodeA.create();
    expect((await nodeB.check(s.id, s.csrfToken, true)).status).toBe('ok');
    state.now += SESSION_IDLE_MS - 1;
    await nodeB.get(s.id); // used through B: A sees the idle timer restarted
    state.now += SESSION_IDLE_MS - 1;
    expect((await nodeA.check(s.id, undefined, false)).status).toBe('ok');
    await nodeB.remove(s.id);
    expect((await nodeA.check(s.id, undefined, false)).status).toBe('none');
  });
});

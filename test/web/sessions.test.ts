/** The in-memory session store: expiry, the admin token, CSRF, and its bound. */
import { describe, expect, it } from 'vitest';
import { createSessionStore, MAX_SESSIONS, SESSION_IDLE_MS, SESSION_MAX_MS } from '../../src/web/sessions.js';

function store(token = 'token-one-0123456789') {
  const state = { now: 1_000_000, token };
  const sessions = createSessionStore({ clock: () => state.now, currentToken: () => state.token });
  return { state, sessions };
}

describe('the session store', () => {
  it('keeps a session while it is used, and ends it after the idle time', () => {
    const { state, sessions } = store();
    const s = sessions.create();
    state.now += SESSION_IDLE_MS - 1;
    expect(sessions.get(s.id)).toBeDefined();
    state.now += SESSION_IDLE_MS - 1; // used just now: the idle time starts again
    expect(sessions.get(s.id, false)).toBeDefined();
    state.now += 1; // a peek (touch false) did not count as use
    expect(sessions.check(s.id, undefined, false)).toEqual({ status: 'expired' });
    expect(sessions.size).toBe(0);
  });

  it('ends a session after the maximum age however busy it is', () => {
    const { state, sessions } = store();
    const s = sessions.create();
    expect(s.expiresAt).toBe(state.now + SESSION_MAX_MS);
    while (state.now < s.expiresAt - SESSION_IDLE_MS) {
      state.now += SESSION_IDLE_MS / 2;
      sessions.get(s.id);
    }
    state.now = s.expiresAt;
    expect(sessions.get(s.id)).toBeUndefined();
  });

  it('ends a session when the admin token changes', () => {
    const { state, sessions } = store();
    const s = sessions.create();
    state.token = 'token-two-0123456789';
    expect(sessions.check(s.id, undefined, false).status).toBe('expired');
  });

  it("wants the CSRF token for a change, and only that session's", () => {
    const { sessions } = store();
    const a = sessions.create();
    const b = sessions.create();
    expect(sessions.check(a.id, undefined, false).status).toBe('ok');
    expect(sessions.check(a.id, undefined, true).status).toBe('csrf');
    expect(sessions.check(a.id, b.csrfToken, true).status).toBe('csrf');
    expect(sessions.check(a.id, a.csrfToken, true).status).toBe('ok');
    expect(sessions.check('unknown', a.csrfToken, true).status).toBe('none');
    expect(sessions.check(undefined, undefined, false).status).toBe('none');
  });

  it('keeps at most MAX_SESSIONS, dropping the oldest', () => {
    const { sessions } = store();
    const first = sessions.create();
    const second = sessions.create();
    for (let i = 2; i < MAX_SESSIONS + 1; i++) sessions.create();
    expect(sessions.size).toBe(MAX_SESSIONS);
    expect(sessions.get(first.id)).toBeUndefined();
    expect(sessions.get(second.id)).toBeDefined();
  });
});

/**
 * Browser sessions of the web page: signing in with the admin token gives an opaque session id (an HttpOnly
 * cookie) and a CSRF token (kept by the page in memory, sent as X-CSRF-Token on every state-changing request).
 * Kept in memory only: a restart signs everyone out, which is fine for a page one person uses now and then.
 * A session also dies when the admin token changes (`callfilter token --rotate` signs every browser out).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An idle page is signed out after 12 hours: long enough for a working day, short enough for a shared screen. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** And after 7 days whatever happens, so a stolen cookie does not live forever. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** Bounds memory when something signs in in a loop; the oldest session goes first. */
export const MAX_SESSIONS = 1000;
/** 32 random bytes: not guessable (256 bits), 43 characters in base64url. */
const ID_BYTES = 32;

export const SESSION_COOKIE = 'callfilter_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Session {
  csrfToken: string;
  createdAt: number;
  lastSeen: number;
  expiresAt: number;
}

export interface NewSession extends Session {
  /** The cookie value; only its hash is kept, so a heap dump holds no usable session id. */
  id: string;
}

export type SessionCheck = { status: 'ok'; session: Session } | { status: 'none' | 'expired' | 'csrf' };

export interface SessionStore {
  create(): NewSession;
  /** The session of a cookie value, refreshing its idle timer unless `touch` is false; undefined when unknown or expired. */
  get(id: string | undefined, touch?: boolean): Session | undefined;
  /** A session plus, for a state-changing request, its CSRF token. */
  check(id: string | undefined, csrf: string | undefined, needsCsrf: boolean): SessionCheck;
  remove(id: string | undefined): void;
  readonly size: number;
}

const hash = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64url');

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export interface SessionStoreOptions {
  clock?: () => number;
  /** The admin token now: a session made with another token is over. */
  currentToken: () => string;
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const clock = options.clock ?? Date.now;
  // Map keeps insertion order: the first key is the oldest session.
  const sessions = new Map<string, Session & { tokenHash: string }>();

  const live = (id: string | undefined, touch = true): (Session & { tokenHash: string }) | undefined | 'expired' => {
    if (id === undefined || id === '' || id.length > 100) return undefined;
    const key = hash(id);
    const s = sessions.get(key);
    if (!s) return undefined;
    const now = clock();
    if (now >= s.expiresAt || now - s.lastSeen >= SESSION_IDLE_MS || s.tokenHash !== hash(options.currentToken())) {
      sessions.delete(key);
      return 'expired';
    }
    if (touch) s.lastSeen = now;
    return s;
  };

  const pruneExpired = () => {
    const now = clock();
    for (const [key, s] of sessions)
      if (now >= s.expiresAt || now - s.lastSeen >= SESSION_IDLE_MS) sessions.delete(key);
  };

  return {
    create() {
      if (sessions.size >= MAX_SESSIONS) pruneExpired();
      while (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
      const now = clock();
      const id = randomBytes(ID_BYTES).toString('base64url');
      const session = {
        csrfToken: randomBytes(ID_BYTES).toString('base64url'),
        createdAt: now,
        lastSeen: now,
        expiresAt: now + SESSION_MAX_MS,
      };
      sessions.set(hash(id), { ...session, tokenHash: hash(options.currentToken()) });
      return { id, ...session };
    },
    get(id, touch = true) {
      const s = live(id, touch);
      return typeof s === 'object' ? s : undefined;
    },
    check(id, csrf, needsCsrf) {
      const s = live(id);
      if (s === undefined) return { status: 'none' };
      if (s === 'expired') return { status: 'expired' };
      if (needsCsrf && (csrf === undefined || !sameText(csrf, s.csrfToken))) return { status: 'csrf' };
      return { status: 'ok', session: s };
    },
    remove(id) {
      if (id) sessions.delete(hash(id));
    },
    get size() {
      return sessions.size;
    },
  };
}

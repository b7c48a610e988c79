/**
 * Browser sessions of the web page: signing in with the admin token gives an opaque session id (an HttpOnly
 * cookie) and a CSRF token (kept by the page in memory, sent as X-CSRF-Token on every state-changing request).
 * Kept in the store (migrations/009), so every node of a cluster knows every session and a restart signs nobody out.
 * A session also dies when the admin token changes (`callfilter token --rotate` signs every browser out).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionsRepository, StoredSession } from '../store/sessions-repository.js';

/** An idle page is signed out after 12 hours: long enough for a working day, short enough for a shared screen. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** And after 7 days whatever happens, so a stolen cookie does not live forever. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** Bounds the table when something signs in in a loop; the oldest session goes first. */
export const MAX_SESSIONS = 1000;
/**
 * A session's idle timer is written at most this often, not on every request the page makes: a write per request
 * would compete with the call log for the database. The idle time is thus counted to within a minute.
 */
export const TOUCH_EVERY_MS = 60_000;
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
  /** The cookie value; only its hash is kept, so neither the database nor a heap dump holds a usable session id. */
  id: string;
}

export type SessionCheck = { status: 'ok'; session: Session } | { status: 'none' | 'expired' | 'csrf' };

export interface SessionStore {
  create(): Promise<NewSession>;
  /** The session of a cookie value, refreshing its idle timer unless `touch` is false; undefined when unknown or expired. */
  get(id: string | undefined, touch?: boolean): Promise<Session | undefined>;
  /** A session plus, for a state-changing request, its CSRF token. */
  check(id: string | undefined, csrf: string | undefined, needsCsrf: boolean): Promise<SessionCheck>;
  remove(id: string | undefined): Promise<void>;
  count(): Promise<number>;
}

const hash = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64url');

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export interface SessionStoreOptions {
  /** Where the sessions are kept: the store, so every node of a cluster knows them. */
  repository: SessionsRepository;
  clock?: () => number;
  /** The admin token now: a session made with another token is over. */
  currentToken: () => string;
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { repository } = options;
  const clock = options.clock ?? Date.now;

  const live = async (id: string | undefined, touch = true): Promise<StoredSession | undefined | 'expired'> => {
    if (id === undefined || id === '' || id.length > 100) return undefined;
    const key = hash(id);
    const s = await repository.get(key);
    if (!s) return undefined;
    const now = clock();
    if (now >= s.expiresAt || now - s.lastSeen >= SESSION_IDLE_MS || s.tokenHash !== hash(options.currentToken())) {
      await repository.remove(key);
      return 'expired';
    }
    if (touch && now - s.lastSeen >= TOUCH_EVERY_MS) {
      await repository.touch(key, now);
      s.lastSeen = now;
    }
    return s;
  };
  const visible = ({ csrfToken, createdAt, lastSeen, expiresAt }: StoredSession): Session => ({
    csrfToken,
    createdAt,
    lastSeen,
    expiresAt,
  });

  return {
    async create() {
      const now = clock();
      const id = randomBytes(ID_BYTES).toString('base64url');
      const session = {
        csrfToken: randomBytes(ID_BYTES).toString('base64url'),
        createdAt: now,
        lastSeen: now,
        expiresAt: now + SESSION_MAX_MS,
      };
      await repository.add(
        { idHash: hash(id), tokenHash: hash(options.currentToken()), ...session },
        { idleMs: SESSION_IDLE_MS, keep: MAX_SESSIONS },
      );
      return { id, ...session };
    },
    async get(id, touch = true) {
      const s = await live(id, touch);
      return typeof s === 'object' ? visible(s) : undefined;
    },
    async check(id, csrf, needsCsrf) {
      const s = await live(id);
      if (s === undefined) return { status: 'none' };
      if (s === 'expired') return { status: 'expired' };
      if (needsCsrf && (csrf === undefined || !sameText(csrf, s.csrfToken))) return { status: 'csrf' };
      return { status: 'ok', session: visible(s) };
    },
    async remove(id) {
      if (id) await repository.remove(hash(id));
    },
    count: () => repository.count(),
  };
}

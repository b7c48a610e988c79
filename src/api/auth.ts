/**
 * The admin token: from CALLFILTER_ADMIN_TOKEN, else `<dataDir>/admin-token`, else generated on first start and
 * written there with mode 0600. Requests prove it with `Authorization: Bearer <token>`, compared in constant time.
 * Nothing here logs the token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { MIN_TOKEN_CHARS } from '../config/config.js';
import type { Logger } from '../logger.js';
import { ensurePrivateDir } from '../store/file-modes.js';

export const TOKEN_FILE = 'admin-token';
/** 32 random bytes = 256 bits: not guessable, and 43 characters in base64url. */
const TOKEN_BYTES = 32;
/** Owner read/write only: the token is as good as the admin password. */
export const TOKEN_FILE_MODE = 0o600;

export type TokenConfig = Pick<Config, 'dataDir' | 'adminToken'>;

export interface AdminToken {
  token: string;
  /** env: CALLFILTER_ADMIN_TOKEN; file: read from the file; generated: written to the file just now. */
  source: 'env' | 'file' | 'generated';
  file?: string;
}

export const tokenFile = (dataDir: string) => join(dataDir, TOKEN_FILE);

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Creates `file` with mode 0600 from the start (O_EXCL: never over a file someone else created meanwhile). */
function writeNew(file: string, token: string): void {
  const fd = openSync(file, 'wx', TOKEN_FILE_MODE);
  try {
    // The umask can only take bits away; make sure of exactly 0600 anyway.
    if ((fstatSync(fd).mode & 0o777) !== TOKEN_FILE_MODE) chmodSync(file, TOKEN_FILE_MODE);
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
}

function readTokenFile(file: string, log?: Logger): string {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    chmodSync(file, TOKEN_FILE_MODE);
    log?.warn({ file, mode: mode.toString(8) }, 'the admin token file was readable by others; set its mode to 0600');
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < MIN_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(token)) {
    throw new Error(
      `${file} does not hold a usable admin token; delete it (a new one is generated) or run "callfilter token --rotate"`,
    );
  }
  return token;
}

/** The token to check requests against; generates and stores one on first start. */
export function loadAdminToken(config: TokenConfig, log?: Logger): AdminToken {
  if (config.adminToken !== undefined) return { token: config.adminToken, source: 'env' };
  const file = tokenFile(config.dataDir);
  ensurePrivateDir(config.dataDir);
  try {
    return { token: readTokenFile(file, log), source: 'file', file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = generateToken();
  try {
    writeNew(file, token);
  } catch (err) {
    // Another process (the CLI, a second start) created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return { token: readTokenFile(file, log), source: 'file', file };
    throw err;
  }
  return { token, source: 'generated', file };
}

/** Replaces the stored token (atomically: a new 0600 file renamed over the old one). */
export function rotateAdminToken(config: TokenConfig): AdminToken {
  if (config.adminToken !== undefined)
    throw new Error('the admin token is set by CALLFILTER_ADMIN_TOKEN; change it there');
  ensurePrivateDir(config.dataDir);
  const file = tokenFile(config.dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  const token = generateToken();
  try {
    writeNew(tmp, token);
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // not created
    }
    throw err;
  }
  return { token, source: 'generated', file };
}

/** The current token. A file token is re-read when the file changes, so `callfilter token --rotate` takes effect at once. */
export interface TokenSource {
  current(): string;
}

export function tokenSource(initial: AdminToken, log?: Logger): TokenSource {
  const { file } = initial;
  if (initial.source === 'env' || file === undefined) return { current: () => initial.token };
  let token = initial.token;
  let stamp = fileStamp(file);
  return {
    current() {
      const now = fileStamp(file);
      if (now !== undefined && now !== stamp) {
        try {
          token = readTokenFile(file, log);
          stamp = now;
          log?.info({ file }, 'admin token changed; using the new one');
        } catch (err) {
          log?.error({ err, file }, 'could not read the changed admin token file; keeping the previous token');
        }
      }
      return token;
    },
  };
}

function fileStamp(file: string): string | undefined {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return undefined;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether an Authorization header carries the token. Both sides are hashed first, so timingSafeEqual compares equal
 * lengths and the time taken says nothing about the token, not even its length.
 */
export function checkBearer(header: string | undefined, token: string): 'ok' | 'missing' | 'invalid' {
  if (header === undefined || header === '') return 'missing';
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!m) return 'invalid';
  return timingSafeEqual(sha256(m[1] as string), sha256(token)) ? 'ok' : 'invalid';
}

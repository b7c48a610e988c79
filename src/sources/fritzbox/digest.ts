import { createHash, randomBytes } from 'node:crypto';

/** One `Digest` challenge of a WWW-Authenticate header (RFC 7616 §3.3). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** The qop values offered; empty for an RFC 2069 challenge without qop. */
  qop: string[];
  /** `MD5` when absent (RFC 7616 §3.3). */
  algorithm: string;
  opaque?: string;
  /** The nonce expired but the credentials were right: answer again with the new nonce. */
  stale: boolean;
}

export interface DigestCredentials {
  username: string;
  password: string;
  method: string;
  /** The request-target as sent (path and query). */
  uri: string;
  /** Requests made with this nonce so far, this one included (RFC 7616 §3.4: nc). */
  nc: number;
  /** The client nonce; random when left out. */
  cnonce?: string;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'MD5-SESS': 'md5', 'SHA-256': 'sha256', 'SHA-256-SESS': 'sha256' };

/**
 * The Digest challenge of a WWW-Authenticate header (which may list several schemes), or undefined when there is
 * none we can answer (no Digest, no nonce, an algorithm other than MD5 / SHA-256 and their -sess forms).
 */
export function parseDigestChallenge(header: string | string[] | undefined): DigestChallenge | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const value of values) {
    for (const params of challenges(value)) {
      if (params.scheme !== 'digest') continue;
      const p = params.params;
      const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
      if (p.nonce === undefined || !(algorithm in HASHES)) continue;
      const challenge: DigestChallenge = {
        realm: p.realm ?? '',
        nonce: p.nonce,
        qop: (p.qop ?? '')
          .split(',')
          .map((q) => q.trim().toLowerCase())
          .filter((q) => q !== ''),
        algorithm,
        stale: (p.stale ?? '').toLowerCase() === 'true',
      };
      if (p.opaque !== undefined) challenge.opaque = p.opaque;
      return challenge;
    }
  }
  return undefined;
}

/**
 * The Authorization header answering `challenge` (RFC 7616 §3.4; RFC 2617 and RFC 2069 without qop). Only qop=auth is
 * used: auth-int would hash the body, which no TR-064 box asks for.
 */
export function digestAuthorization(challenge: DigestChallenge, c: DigestCredentials): string {
  const algorithm = challenge.algorithm.toUpperCase();
  const h = (s: string): string =>
    createHash(HASHES[algorithm] ?? 'md5')
      .update(s, 'utf8')
      .digest('hex');
  const cnonce = c.cnonce ?? randomBytes(12).toString('hex');
  const nc = c.nc.toString(16).padStart(8, '0');
  let ha1 = h(`${c.username}:${challenge.realm}:${c.password}`);
  if (algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${c.method}:${c.uri}`);
  const qop = challenge.qop.includes('auth') ? 'auth' : undefined;
  const response = qop
    ? h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username=${quote(c.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(c.uri)}`,
    `algorithm=${challenge.algorithm}`,
    `response=${quote(response)}`,
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}

/** A quoted-string (RFC 9110 §5.6.4): `"` and `\` escaped. */
function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}

/**
 * The challenges of one header value: `Scheme param=value, param="quoted, value", Scheme2 …`. A new challenge starts
 * at a token that is not followed by `=`.
 */
export function* challenges(value: string): Generator<{ scheme: string; params: Record<string, string> }> {
  const re = /\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?/gy;
  let current: { scheme: string; params: Record<string, string> } | undefined;
  for (let m = re.exec(value); m !== null && m[0] !== ''; m = re.exec(value)) {
    const [, name = '', quoted, token] = m;
    if (quoted === undefined && token === undefined) {
      if (current) yield current;
      current = { scheme: name.toLowerCase(), params: {} };
    } else if (current) {
      current.params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (token ?? '');
    }
  }
  if (current) yield current;
}

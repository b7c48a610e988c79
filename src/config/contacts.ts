/**
 * The contact sources' settings (issue 20): the FRITZ!Box over TR-064, a CardDAV server, Asterisk's AMI for the
 * numbers the household calls. Errors name the key and the rule, never a password or secret (they end up in logs).
 */

import { ConfigError, type EnvValue } from './env.js';
import type { EnvKey } from './env-schema.js';

/** AMI's own port (manager.conf `port = 5038`). */
export const AMI_DEFAULT_PORT = 5038;

export interface FritzboxSettings {
  url: string;
  user?: string;
  password?: string;
  certSha256?: string;
  /** Phone books by name; undefined: all. */
  phonebooks?: string[];
  writeBarring: boolean;
}

export interface CarddavSettings {
  url: string;
  user?: string;
  password?: string;
  /** Address books by name; undefined: all. */
  books?: string[];
}

export interface CalledSettings {
  host: string;
  port: number;
  username: string;
  /** A secret: never logged. */
  secret: string;
  contexts: string[];
  trustDays: number;
  outsideLinePrefix?: string;
}

export interface ContactsConfig {
  syncMinutes: number;
  fritzbox?: FritzboxSettings;
  carddav?: CarddavSettings;
  called?: CalledSettings;
}

function httpUrl(key: EnvKey, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(key, `${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(key, `must be an http or https URL (got ${url.protocol})`);
  if (url.username || url.password)
    throw new ConfigError(
      key,
      'put the user name and password into their own settings, not into the URL (the URL is shown in the status)',
    );
  return text;
}

/** `tcp://user:secret@host:port` → its parts. The message never repeats the URL: it holds the secret. */
export function parseAmiUrl(text: string): Omit<CalledSettings, 'contexts' | 'trustDays' | 'outsideLinePrefix'> {
  const key = 'CALLFILTER_AMI_URL';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(key, 'is not a URL (tcp://user:secret@127.0.0.1:5038)');
  }
  if (url.protocol !== 'tcp:') throw new ConfigError(key, `must start with tcp:// (got ${url.protocol}//)`);
  if (!url.username || !url.password)
    throw new ConfigError(key, 'needs the AMI user and secret: tcp://user:secret@host:5038');
  if (!url.hostname) throw new ConfigError(key, 'needs a host: tcp://user:secret@127.0.0.1:5038');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : AMI_DEFAULT_PORT,
    username: decodeURIComponent(url.username),
    secret: decodeURIComponent(url.password),
  };
}

export function contactsConfig(get: <T extends EnvValue>(key: EnvKey) => T): ContactsConfig {
  const out: ContactsConfig = { syncMinutes: get<number>('CALLFILTER_SYNC_MINUTES') };
  const opt = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const names = (key: EnvKey) => {
    const list = get<string[] | undefined>(key);
    return list && list.length > 0 ? list : undefined;
  };

  const fritzUrl = get<string | undefined>('CALLFILTER_FRITZBOX_URL');
  if (fritzUrl !== undefined) {
    const certSha256 = get<string | undefined>('CALLFILTER_FRITZBOX_CERT_SHA256');
    if (certSha256 !== undefined && !/^[0-9A-Fa-f]{64}$/.test(certSha256.replace(/[\s:]/g, ''))) {
      throw new ConfigError(
        'CALLFILTER_FRITZBOX_CERT_SHA256',
        `${JSON.stringify(certSha256)} is not a SHA-256 fingerprint (64 hex digits, colons allowed)`,
      );
    }
    out.fritzbox = opt({
      url: httpUrl('CALLFILTER_FRITZBOX_URL', fritzUrl),
      user: get<string | undefined>('CALLFILTER_FRITZBOX_USER'),
      password: get<string | undefined>('CALLFILTER_FRITZBOX_PASSWORD'),
      certSha256,
      phonebooks: names('CALLFILTER_FRITZBOX_PHONEBOOKS'),
      writeBarring: get<boolean>('CALLFILTER_FRITZBOX_WRITE_BARRING'),
    });
  }

  const davUrl = get<string | undefined>('CALLFILTER_CARDDAV_URL');
  if (davUrl !== undefined) {
    out.carddav = opt({
      url: httpUrl('CALLFILTER_CARDDAV_URL', davUrl),
      user: get<string | undefined>('CALLFILTER_CARDDAV_USER'),
      password: get<string | undefined>('CALLFILTER_CARDDAV_PASSWORD'),
      books: names('CALLFILTER_CARDDAV_BOOKS'),
    });
  }

  const ami = get<string | undefined>('CALLFILTER_AMI_URL');
  if (ami !== undefined) {
    const prefix = get<string | undefined>('CALLFILTER_CALLED_OUTSIDE_PREFIX');
    if (prefix !== undefined && !/^\d{1,4}$/.test(prefix))
      throw new ConfigError(
        'CALLFILTER_CALLED_OUTSIDE_PREFIX',
        `${JSON.stringify(prefix)} is not an outside-line prefix (1–4 digits, e.g. 0)`,
      );
    out.called = opt({
      ...parseAmiUrl(ami),
      contexts: get<string[]>('CALLFILTER_CALLED_CONTEXTS'),
      trustDays: get<number>('CALLFILTER_CALLED_TRUST_DAYS'),
      outsideLinePrefix: prefix,
    });
  }
  return out;
}

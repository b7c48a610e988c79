/**
 * Adding a source from what a person gives (API `POST /api/v1/sources`, `callfilter sources add-url`, the
 * PhoneBlock key in the environment): checked, with defaults filled in — the target list (created when missing),
 * its threshold, a schedule with a random offset chosen now and kept.
 */
import type { ImportFormat } from '../import/formats/index.js';
import type { NewSource, SourceSchedule } from '../store/index.js';
import { PRODUCTION_URL } from './phoneblock/client.js';
import { DEFAULT_THRESHOLD } from './phoneblock/sync.js';
import {
  defaultSchedule,
  intervalText,
  MIN_INTERVAL_MS,
  PHONEBLOCK_MIN_INTERVAL_MS,
  parseInterval,
} from './schedule.js';
import { credentialsProblem } from './url/credentials.js';

export interface SourceInput {
  kind: 'phoneblock' | 'url' | 'fritzbox' | 'carddav';
  name: string;
  /** The target list's name (created when missing); default: PhoneBlock for a subscription, else the source's name. */
  list?: string;
  /** The list's threshold when it is created (PhoneBlock: 4, what its own app blocks at; else 1). */
  threshold?: number;
  /** A url source's address; a PhoneBlock source's API base (default: PhoneBlock's production API). */
  url?: string;
  format?: ImportFormat;
  /** `24h`, `6h`, `30m`… (default: daily, at a random time of day). */
  schedule?: { interval?: string };
  credentials?: { token?: string; bearer?: string; username?: string; password?: string };
  /** fritzbox: phone books; carddav: address books — by name, default all. */
  books?: string[];
  writeBarring?: boolean;
  certSha256?: string;
  mode?: 'auto' | 'etag';
}

/** What was given does not make a source: the message says what to change. */
export class SourceInputError extends Error {
  override readonly name = 'SourceInputError';
}

const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;
/** A contact source added through the API syncs as CALLFILTER_SYNC_MINUTES does by default. */
const CONTACTS_DEFAULT_MS = 15 * 60_000;

function checkUrl(text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SourceInputError(`${field}: ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SourceInputError(`${field}: only http and https URLs can be fetched (got ${url.protocol})`);
  // A password in the URL would be shown wherever the URL is: credentials go where they stay secret.
  if (url.username || url.password)
    throw new SourceInputError(
      `${field}: put the user name and password into credentials, not into the URL (the URL is shown in the status)`,
    );
  return url.toString();
}

function schedule(input: SourceInput, random: () => number): SourceSchedule {
  const text = input.schedule?.interval;
  if (text === undefined) return defaultSchedule(input.kind, random);
  const ms = parseInterval(text);
  if (ms === undefined)
    throw new SourceInputError(`schedule/interval: ${JSON.stringify(text)} is not an interval (use 30m, 6h or 1d)`);
  const min = input.kind === 'phoneblock' ? PHONEBLOCK_MIN_INTERVAL_MS : MIN_INTERVAL_MS;
  if (ms < min)
    throw new SourceInputError(
      `schedule/interval: at least ${intervalText(min)}${input.kind === 'phoneblock' ? ' (PhoneBlock allows one incremental sync a day)' : ''}`,
    );
  return defaultSchedule(input.kind, random, ms);
}

/** A FRITZ!Box or a CardDAV account: no list, their numbers are allow (and the box's barring list block) entries. */
function contactSource(input: SourceInput, random: () => number): NewSource {
  const creds = input.credentials ?? {};
  if (input.url === undefined)
    throw new SourceInputError(
      `url: a ${input.kind} source needs the address of the ${input.kind === 'fritzbox' ? 'box (http://fritz.box:49000)' : 'CardDAV server'}`,
    );
  if (input.list !== undefined || input.threshold !== undefined || input.format !== undefined)
    throw new SourceInputError(`list, threshold, format: a ${input.kind} source feeds your entries, not a list`);
  if (creds.token !== undefined || creds.bearer !== undefined)
    throw new SourceInputError(`credentials: a ${input.kind} source takes username and password`);
  if (input.kind === 'carddav' && (input.writeBarring !== undefined || input.certSha256 !== undefined))
    throw new SourceInputError('writeBarring, certSha256: only for a fritzbox source');
  if (input.kind === 'fritzbox' && input.mode !== undefined)
    throw new SourceInputError('mode: only for a carddav source');
  if (input.certSha256 !== undefined && !/^[0-9A-Fa-f]{64}$/.test(input.certSha256.replace(/[\s:]/g, '')))
    throw new SourceInputError('certSha256: not a SHA-256 fingerprint (64 hex digits, colons allowed)');
  const url = checkUrl(input.url, 'url');
  const settings: Record<string, unknown> = { url };
  if (input.books !== undefined) settings[input.kind === 'fritzbox' ? 'phonebooks' : 'books'] = input.books;
  if (input.writeBarring !== undefined) settings.writeBarring = input.writeBarring;
  if (input.certSha256 !== undefined) settings.certSha256 = input.certSha256;
  if (input.mode !== undefined) settings.mode = input.mode;
  const credentials = Object.fromEntries(
    Object.entries({ username: creds.username, password: creds.password }).filter(([, v]) => v !== undefined),
  );
  const every =
    input.schedule?.interval === undefined
      ? defaultSchedule(input.kind, random, CONTACTS_DEFAULT_MS)
      : schedule(input, random);
  return {
    name: input.name,
    kind: input.kind,
    settings,
    schedule: every,
    ...(Object.keys(credentials).length > 0 && { credentials }),
  };
}

/** The source to create and its target list (none for a fritzbox or carddav source). */
export function sourceFromInput(
  input: SourceInput,
  random: () => number = Math.random,
): { source: NewSource; list?: { name: string; threshold: number; sourceUrl?: string } } {
  if (input.kind === 'fritzbox' || input.kind === 'carddav') return { source: contactSource(input, random) };
  if (
    input.books !== undefined ||
    input.writeBarring !== undefined ||
    input.certSha256 !== undefined ||
    input.mode !== undefined
  ) {
    throw new SourceInputError('books, writeBarring, certSha256, mode: only for fritzbox and carddav sources');
  }
  const creds = input.credentials ?? {};
  if (input.kind === 'phoneblock') {
    if (creds.bearer !== undefined || creds.username !== undefined || creds.password !== undefined)
      throw new SourceInputError('credentials: a PhoneBlock source takes only a token (its API key)');
    const token = creds.token?.trim();
    if (!token)
      throw new SourceInputError(
        'credentials/token: a PhoneBlock subscription needs an API key (PhoneBlock settings → API keys)',
      );
    if (!PRINTABLE_TOKEN.test(token))
      throw new SourceInputError('credentials/token: an API key is printable characters without spaces');
    if (input.format !== undefined)
      throw new SourceInputError("format: a PhoneBlock subscription reads PhoneBlock's own format");
    const url = checkUrl(input.url ?? PRODUCTION_URL, 'url');
    return {
      source: {
        name: input.name,
        kind: 'phoneblock',
        settings: { url },
        credentials: { token },
        schedule: schedule(input, random),
      },
      list: { name: input.list ?? 'PhoneBlock', threshold: input.threshold ?? DEFAULT_THRESHOLD },
    };
  }
  if (input.url === undefined) throw new SourceInputError('url: a list by URL needs its URL');
  const url = checkUrl(input.url, 'url');
  if (creds.token !== undefined)
    throw new SourceInputError('credentials/token is for PhoneBlock; a URL takes bearer, or username and password');
  const problem = credentialsProblem(creds);
  if (problem) throw new SourceInputError(`credentials: ${problem}`);
  const credentials = Object.fromEntries(
    Object.entries({ bearer: creds.bearer, username: creds.username, password: creds.password }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const source: NewSource = {
    name: input.name,
    kind: 'url',
    settings: { url, ...(input.format && { format: input.format }) },
    schedule: schedule(input, random),
    ...(Object.keys(credentials).length > 0 && { credentials }),
  };
  return { source, list: { name: input.list ?? input.name, threshold: input.threshold ?? 1, sourceUrl: url } };
}

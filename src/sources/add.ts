/**
 * Adding a source from what a person gives (API `POST /api/v1/sources`, `callfilter sources add-url`, the
 * PhoneBlock key in the environment): checked, with defaults filled in — the target list (created when missing),
 * its threshold, a schedule with a random offset chosen now and kept.
 */
import type { ImportFormat } from '../importers/index.js';
import type { NewSource, SourceSchedule } from '../store/index.js';
import { DEFAULT_THRESHOLD } from './phoneblock/sync.js';
import { PRODUCTION_URL } from './phoneblock/client.js';
import { defaultSchedule, intervalText, MIN_INTERVAL_MS, parseInterval, PHONEBLOCK_MIN_INTERVAL_MS } from './schedule.js';
import { credentialsProblem } from './url/credentials.js';

export interface SourceInput {
  kind: 'phoneblock' | 'url';
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
}

/** What was given does not make a source: the message says what to change. */
export class SourceInputError extends Error {
  override readonly name = 'SourceInputError';
}

const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;

function checkUrl(text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SourceInputError(`${field}: ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceInputError(`${field}: only http and https URLs can be fetched (got ${url.protocol})`);
  // A password in the URL would be shown wherever the URL is: credentials go where they stay secret.
  if (url.username || url.password) throw new SourceInputError(`${field}: put the user name and password into credentials, not into the URL (the URL is shown in the status)`);
  return url.toString();
}

function schedule(input: SourceInput, random: () => number): SourceSchedule {
  const text = input.schedule?.interval;
  if (text === undefined) return defaultSchedule(input.kind, random);
  const ms = parseInterval(text);
  if (ms === undefined) throw new SourceInputError(`schedule/interval: ${JSON.stringify(text)} is not an interval (use 30m, 6h or 1d)`);
  const min = input.kind === 'phoneblock' ? PHONEBLOCK_MIN_INTERVAL_MS : MIN_INTERVAL_MS;
  if (ms < min) throw new SourceInputError(`schedule/interval: at least ${intervalText(min)}${input.kind === 'phoneblock' ? ' (PhoneBlock allows one incremental sync a day)' : ''}`);
  return defaultSchedule(input.kind, random, ms);
}

/** The source to create and its target list. */
export function sourceFromInput(input: SourceInput, random: () => number = Math.random): { source: NewSource; list: { name: string; threshold: number; sourceUrl?: string } } {
  const creds = input.credentials ?? {};
  if (input.kind === 'phoneblock') {
    if (creds.bearer !== undefined || creds.username !== undefined || creds.password !== undefined) throw new SourceInputError('credentials: a PhoneBlock source takes only a token (its API key)');
    const token = creds.token?.trim();
    if (!token) throw new SourceInputError('credentials/token: a PhoneBlock subscription needs an API key (PhoneBlock settings → API keys)');
    if (!PRINTABLE_TOKEN.test(token)) throw new SourceInputError('credentials/token: an API key is printable characters without spaces');
    if (input.format !== undefined) throw new SourceInputError('format: a PhoneBlock subscription reads PhoneBlock\'s own format');
    const url = checkUrl(input.url ?? PRODUCTION_URL, 'url');
    return {
      source: { name: input.name, kind: 'phoneblock', settings: { url }, credentials: { token }, schedule: schedule(input, random) },
      list: { name: input.list ?? 'PhoneBlock', threshold: input.threshold ?? DEFAULT_THRESHOLD },
    };
  }
  if (input.url === undefined) throw new SourceInputError('url: a list by URL needs its URL');
  const url = checkUrl(input.url, 'url');
  if (creds.token !== undefined) throw new SourceInputError('credentials/token is for PhoneBlock; a URL takes bearer, or username and password');
  const problem = credentialsProblem(creds);
  if (problem) throw new SourceInputError(`credentials: ${problem}`);
  const credentials = Object.fromEntries(Object.entries({ bearer: creds.bearer, username: creds.username, password: creds.password }).filter(([, v]) => v !== undefined));
  const source: NewSource = {
    name: input.name,
    kind: 'url',
    settings: { url, ...(input.format && { format: input.format }) },
    schedule: schedule(input, random),
    ...(Object.keys(credentials).length > 0 && { credentials }),
  };
  return { source, list: { name: input.list ?? input.name, threshold: input.threshold ?? 1, sourceUrl: url } };
}

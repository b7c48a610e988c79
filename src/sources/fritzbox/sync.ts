/**
 * The FRITZ!Box source: its phone books' contacts become allow entries (category 1 → VIP), its call-barring list
 * block entries, each under the source's origin. A book that did not change since the last sync (`&timestamp=`) is
 * skipped; a book no longer on the box (or no longer named in the settings) takes its numbers with it. The https
 * certificate seen first is pinned in the source's state. A failure leaves the entries in force as they were.
 */
import type { ImportRow, ParseResult } from '../../import/formats/index.js';
import type { OriginRow } from '../../store/index.js';
import { appliedText, applyContacts, conflictState } from '../contacts/apply.js';
import type { KindSync } from '../types.js';
import { FritzboxClient } from './client.js';
import { FritzboxError } from './errors.js';

/** external_id of the barring list's numbers; a phone book's are `book:<name>`. */
export const BARRING_ID = 'barring';
const BOOK = 'book:';

interface FritzboxState {
  certSha256?: string;
  /** Each book's `<timestamp>` at the last sync, by name; the barring list's under BARRING_ID. */
  timestamps?: Record<string, string>;
}

function rowsOf(result: ParseResult, externalId: string): OriginRow[] {
  return result.rows.map((r: ImportRow) => {
    const row: OriginRow = { number: r.number, prefix: r.prefix, kind: r.kind ?? 'allow', externalId };
    if (r.label !== undefined) row.label = r.label;
    if (r.vip) row.vip = true;
    return row;
  });
}

/** The client for a source: settings (url, certSha256), the learned pin, credentials (username, password). */
export function clientFor(
  settings: Record<string, unknown>,
  state: Record<string, unknown>,
  credentials: Record<string, unknown> | undefined,
): FritzboxClient {
  const url = settings.url;
  if (typeof url !== 'string') throw new FritzboxError('the source has no URL of the FRITZ!Box');
  const username = typeof credentials?.username === 'string' ? credentials.username : '';
  const password = typeof credentials?.password === 'string' ? credentials.password : '';
  const pinned =
    typeof settings.certSha256 === 'string'
      ? settings.certSha256
      : typeof state.certSha256 === 'string'
        ? state.certSha256
        : undefined;
  return new FritzboxClient({ url, username, password, ...(pinned !== undefined && { certSha256: pinned }) });
}

export const fritzboxSync: KindSync = async (env, source, credentials, options) => {
  const { ctx } = env;
  const state = source.state as FritzboxState;
  const client = clientFor(source.settings, source.state, credentials);
  const numbering = ctx.config.numbering;
  const wanted = Array.isArray(source.settings.phonebooks) ? (source.settings.phonebooks as string[]) : undefined;
  const previous = state.timestamps ?? {};
  const timestamps: Record<string, string> = {};
  const parts = new Map<string, OriginRow[]>();
  let unreadable = 0;

  options.onProgress?.('reading the phone books');
  const books = await client.phonebooks();
  if (wanted) {
    const missing = wanted.filter((name) => !books.some((b) => b.name === name));
    if (missing.length > 0) {
      throw new FritzboxError(
        `no phone book named ${missing.map((m) => JSON.stringify(m)).join(', ')} on the FRITZ!Box (it has ${books.map((b) => JSON.stringify(b.name)).join(', ') || 'none'})`,
      );
    }
  }
  for (const book of books) {
    if (wanted && !wanted.includes(book.name)) continue;
    options.signal.throwIfAborted();
    const key = `${BOOK}${book.name}`;
    const since = previous[key];
    const fetched = await client.fetchPhonebook(book, { numbering, ...(since !== undefined && { since }) });
    if (!fetched.changed) {
      timestamps[key] = fetched.timestamp;
      continue;
    }
    if (fetched.timestamp !== undefined) timestamps[key] = fetched.timestamp;
    // A book holds allow rows only; were the barring list ever among them, its numbers still are not contacts.
    parts.set(
      key,
      rowsOf(fetched.result, key).filter((r) => r.kind === 'allow'),
    );
    unreadable += fetched.result.errors.length;
  }
  options.signal.throwIfAborted();
  const barringSince = previous[BARRING_ID];
  const barring = await client.fetchCallBarring({
    numbering,
    ...(barringSince !== undefined && { since: barringSince }),
  });
  if (barring.changed) {
    parts.set(BARRING_ID, rowsOf(barring.result, BARRING_ID));
    unreadable += barring.result.errors.length;
  }
  if (barring.timestamp !== undefined) timestamps[BARRING_ID] = barring.timestamp;
  // Books the box no longer has, or that are no longer wanted: their numbers go.
  for (const key of Object.keys(previous)) if (key.startsWith(BOOK) && !(key in timestamps)) parts.set(key, []);

  const applied = await applyContacts(ctx, source, { parts }, options.signal);
  const skipped = books.length - (wanted ? wanted.length : books.length);
  const unchanged = [...Object.keys(timestamps)].filter((k) => !parts.has(k)).length;
  const notes = [
    unchanged > 0 ? `${unchanged} unchanged ${unchanged === 1 ? 'list' : 'lists'} skipped` : undefined,
    skipped > 0 ? `${skipped} ${skipped === 1 ? 'book' : 'books'} not selected` : undefined,
    unreadable > 0 ? `${unreadable} unreadable ${unreadable === 1 ? 'number' : 'numbers'} left out` : undefined,
  ].filter(Boolean);
  const certSha256 = client.certificateSha256;
  return {
    outcome: parts.size === 0 ? 'unchanged' : 'synced',
    rows: applied.rows,
    state: { ...(certSha256 !== undefined && { certSha256 }), timestamps, ...conflictState(applied) },
    message: `${appliedText(applied)}${notes.length ? ` (${notes.join(', ')})` : ''}`,
  };
};

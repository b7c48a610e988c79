/**
 * The CardDAV source: the numbers of every card in the chosen address books become allow entries under the
 * source's origin, one external id per card (its href), so a changed card replaces its own numbers and a deleted
 * card takes them with it. Incremental with a sync token (RFC 6578) where the server offers sync-collection; else —
 * or with the setting `mode: etag` — by comparing every card's ETag with the last sync's. A token the server no
 * longer knows starts the book over. A failure leaves the entries in force as they were.
 */
import { parseVcard } from '../../import/formats/vcard.js';
import type { OriginRow } from '../../store/index.js';
import { appliedText, applyContacts, conflictState } from '../contacts/apply.js';
import type { KindSync } from '../types.js';
import { type AddressBook, type BookChanges, CarddavClient, CarddavError, InvalidSyncTokenError } from './client.js';

interface BookState {
  name: string;
  /** The sync token (sync-collection). */
  token?: string;
  /** Each card's ETag, by href (the ETag way). */
  etags?: Record<string, string>;
}

interface CarddavState {
  /** By the book's path. */
  books?: Record<string, BookState>;
}

export type CarddavMode = 'auto' | 'etag';

/** What changed in one book since its state, and its next state. */
async function bookChanges(
  client: CarddavClient,
  book: AddressBook,
  prev: BookState | undefined,
  mode: CarddavMode,
): Promise<{ changes: BookChanges; full: boolean; next: BookState }> {
  if (mode === 'auto' && book.syncCollection) {
    if (prev?.token !== undefined) {
      try {
        const changes = await client.changesSince(book, prev.token);
        return {
          changes,
          full: false,
          next: { name: book.name, ...(changes.token !== undefined && { token: changes.token }) },
        };
      } catch (err) {
        if (!(err instanceof InvalidSyncTokenError)) throw err;
      }
    }
    const changes = await client.changesSince(book, undefined);
    return {
      changes,
      full: true,
      next: { name: book.name, ...(changes.token !== undefined && { token: changes.token }) },
    };
  }
  const etags = await client.etags(book);
  const before = prev?.etags;
  const changed = [...etags].filter(([href, etag]) => before?.[href] !== etag || etag === '').map(([href]) => href);
  const removed = before ? Object.keys(before).filter((href) => !etags.has(href)) : [];
  return {
    changes: { changed, removed },
    full: before === undefined,
    next: { name: book.name, etags: Object.fromEntries(etags) },
  };
}

export const carddavSync: KindSync = async (env, source, credentials, options) => {
  const { ctx } = env;
  const url = source.settings.url;
  if (typeof url !== 'string') throw new CarddavError('the source has no CardDAV URL');
  const wanted = Array.isArray(source.settings.books) ? (source.settings.books as string[]) : undefined;
  const mode: CarddavMode = source.settings.mode === 'etag' ? 'etag' : 'auto';
  const client = new CarddavClient({
    url,
    ...(typeof credentials?.username === 'string' && { username: credentials.username }),
    ...(typeof credentials?.password === 'string' && { password: credentials.password }),
    fetch: env.fetch,
    signal: options.signal,
  });
  const state = source.state as CarddavState;
  const previous = state.books ?? {};
  const books: Record<string, BookState> = {};
  const parts = new Map<string, OriginRow[]>();
  const clearPrefixes: string[] = [];
  let cards = 0;
  let unreadable = 0;

  options.onProgress?.('discovering the address books');
  const found = await client.books();
  if (wanted) {
    const missing = wanted.filter((name) => !found.some((b) => b.name === name));
    if (missing.length > 0)
      throw new CarddavError(
        `no address book named ${missing.map((m) => JSON.stringify(m)).join(', ')} (the account has ${found.map((b) => JSON.stringify(b.name)).join(', ') || 'none'})`,
      );
  }
  for (const book of found) {
    if (wanted && !wanted.includes(book.name)) continue;
    options.signal.throwIfAborted();
    const { changes, full, next } = await bookChanges(client, book, previous[book.path], mode);
    books[book.path] = next;
    if (full) clearPrefixes.push(book.path);
    for (const href of changes.removed) parts.set(href, []);
    for (const card of await client.cards(book, changes.changed)) {
      const parsed = parseVcard(Buffer.from(card.vcard, 'utf8'), { numbering: ctx.config.numbering });
      unreadable += parsed.errors.length;
      cards++;
      parts.set(
        card.href,
        parsed.rows.map((r) => ({
          number: r.number,
          prefix: r.prefix,
          kind: 'allow',
          externalId: card.href,
          ...(r.label !== undefined && { label: r.label }),
        })),
      );
    }
    // A card listed as changed but gone by the multiget: its numbers go.
    for (const href of changes.changed) if (!parts.has(href)) parts.set(href, []);
  }
  // Books gone from the account or no longer chosen: their cards' numbers go.
  for (const path of Object.keys(previous)) if (!(path in books)) clearPrefixes.push(path);

  const applied = await applyContacts(ctx, source, { parts, clearPrefixes }, options.signal);
  const nothing = parts.size === 0 && clearPrefixes.every((p) => !(p in previous) || p in books);
  return {
    outcome: nothing && applied.result.removed === 0 ? 'unchanged' : 'synced',
    rows: applied.rows,
    state: { books, ...conflictState(applied) },
    message: `${appliedText(applied)} (${Object.keys(books).length} ${Object.keys(books).length === 1 ? 'address book' : 'address books'}, ${cards} ${cards === 1 ? 'card' : 'cards'} read${unreadable ? `, ${unreadable} unreadable numbers left out` : ''})`,
  };
};

/**
 * Entries out as CSV (re-importable: its header is one the CSV importer reads) and as vCard 3.0 (RFC 2426; one card
 * per contact with all its numbers, one card per other entry). Both are generators of text chunks, so an export of
 * any size streams.
 */
import type { AppContext } from '../context.js';
import type { EntryKind } from '../policy/types.js';
import type { StoredEntry } from '../store/index.js';
import { csvLine, isoTime } from './csv.js';

export interface ExportQuery {
  kind?: EntryKind;
}

const PAGE = 1000;

/** Every entry (of a kind), page by page: a page at a time, so the rows of one cost no promise each. */
async function* allPages(ctx: AppContext, query: ExportQuery): AsyncGenerator<StoredEntry[]> {
  let cursor: number | undefined;
  do {
    const page = await ctx.store.entries.list({
      limit: PAGE,
      ...(query.kind && { kind: query.kind }),
      ...(cursor !== undefined && { cursor }),
    });
    yield page.items;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

const shown = (e: StoredEntry) => (e.prefix ? `${e.number}*` : e.number);

export const CSV_HEADER = ['number', 'label', 'note', 'kind', 'action', 'cause', 'vip', 'source', 'expires'] as const;

export async function* entriesCsv(ctx: AppContext, query: ExportQuery = {}): AsyncGenerator<string> {
  yield csvLine(CSV_HEADER);
  let chunk = '';
  for await (const page of allPages(ctx, query)) {
    for (const e of page) {
      chunk += csvLine([shown(e), e.label, e.note, e.kind, e.action, e.cause, e.vip, e.source, isoTime(e.expiresAt)]);
      if (chunk.length > 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk) yield chunk;
}

/** RFC 2426 §4: backslash, comma, semicolon and line breaks are escaped in text values. */
function vText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r?\n/g, '\\n');
}

const MAX_LINE_OCTETS = 75;

/** RFC 2426 §2.6 / RFC 6350 §3.2: lines longer than 75 octets are folded (CRLF and a space), never inside a character. */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= MAX_LINE_OCTETS) return `${line}\r\n`;
  let out = '';
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    const limit = out === '' ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + n > limit) {
      out += `${out === '' ? '' : ' '}${current}\r\n`;
      current = '';
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  return `${out} ${current}\r\n`;
}

function card(uid: string, name: string, entries: StoredEntry[], note?: string): string {
  const kinds = [...new Set(entries.map((e) => e.kind))];
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${vText(name)}`, `N:${vText(name)};;;;`];
  for (const e of entries) lines.push(`TEL;TYPE=VOICE:${shown(e)}`);
  if (note) lines.push(`NOTE:${vText(note)}`);
  lines.push(`CATEGORIES:${kinds.map((k) => `callfilter-${k}`).join(',')}`);
  lines.push('END:VCARD');
  return lines.map(fold).join('');
}

export async function* entriesVcard(ctx: AppContext, query: ExportQuery = {}): AsyncGenerator<string> {
  // A contact's numbers may be anywhere in the id order: gather them first (an address book, not a spam list).
  const byContact = new Map<number, StoredEntry[]>();
  for await (const page of allPages(ctx, query)) {
    for (const e of page) {
      if (e.contactId === undefined) {
        yield card(`callfilter-entry-${e.id}`, e.label ?? shown(e), [e], e.note);
        continue;
      }
      const list = byContact.get(e.contactId);
      if (list) list.push(e);
      else byContact.set(e.contactId, [e]);
    }
  }
  for (const [id, entries] of byContact) {
    const contact = await ctx.store.contacts.get(id);
    yield card(
      `callfilter-contact-${id}`,
      contact?.name ?? entries[0]?.label ?? shown(entries[0] as StoredEntry),
      entries.reverse(),
      contact?.note,
    );
  }
}

import { parseFritzbox } from '../../import/formats/fritzbox.js';
import type { ImportKind, ParseResult } from '../../import/formats/index.js';
import type { NumberingConfig } from '../../numbers/index.js';

/** What a fetched phone book says: the rows (from the FRITZ!Box importer), or that it did not change. */
export type PhonebookFetch =
  | { changed: false; timestamp: string }
  | {
      changed: true;
      /** The book's `<timestamp>` (seconds), to pass as `since` next time; undefined when the box sent none. */
      timestamp: string | undefined;
      result: ParseResult;
    };

const TIMESTAMP = /<timestamp>\s*(\d+)\s*<\/timestamp>/;

/** The `<timestamp>` of the book, looked for before the first contact (where AVM's schema puts it), else anywhere. */
export function phonebookTimestamp(xml: string): string | undefined {
  const firstContact = xml.indexOf('<contact');
  const head = firstContact === -1 ? xml : xml.slice(0, firstContact);
  return (TIMESTAMP.exec(head) ?? (firstContact === -1 ? null : TIMESTAMP.exec(xml)))?.[1];
}

/**
 * Reads a phone-book XML fetched with `&timestamp=<since>`. A book that did not change since then comes back without
 * contacts and with the same timestamp (the box does so for its call list — iobroker.tr-064#447 shows
 * `<root><timestamp>…</timestamp></root>`; for phone books this is AVM's "only if changed" and unverified on a real
 * box); a 304 says the same, and so does an answer without contacts and without any timestamp (the last good entries
 * stay rather than vanish on a doubtful answer). A book without contacts and a new timestamp was emptied: a change.
 */
export function readPhonebook(
  xml: string,
  options: { numbering: NumberingConfig; since?: string; kind?: ImportKind; notModified?: boolean },
): PhonebookFetch {
  const timestamp = phonebookTimestamp(xml);
  if (options.since !== undefined) {
    if (options.notModified) return { changed: false, timestamp: options.since };
    if (!xml.includes('<contact') && (timestamp === undefined || timestamp === options.since))
      return { changed: false, timestamp: options.since };
  }
  const result = parseFritzbox(
    xml,
    options.kind === undefined
      ? { numbering: options.numbering }
      : { numbering: options.numbering, kind: options.kind },
  );
  return { changed: true, timestamp, result };
}

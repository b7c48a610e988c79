/**
 * Names and labels from outside — an imported file, the caller name a trunk sends, a form — before they reach the
 * store, the page or a phone's display (CALLERID(name)).
 *
 * - Length: what the admin API allows (its LabelSchema and NoteSchema use these), so an import cannot store more than
 *   a person could type: a 500,000-character vCard name was copied into every call row of that caller.
 * - Bidi controls: the embeddings, overrides and isolates of Unicode's bidirectional algorithm (U+202A–U+202E,
 *   U+2066–U+2069) make text show in another order than it is written — a caller named `\u202Eknab` shows as
 *   "bank". They carry no meaning in a name, so they are removed.
 */

/** A label or name: a phone shows 20–40 characters; 200 leaves room for a company and a note of who it is. */
export const MAX_LABEL_CHARS = 200;
/** A note: a few sentences. */
export const MAX_NOTE_CHARS = 2000;

const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

export function stripBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/** `text` cut to `max` characters, the last one an ellipsis, never inside a surrogate pair. */
export function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A label or name without bidi controls, trimmed and capped; undefined when nothing is left. */
export function cleanLabel(text: string, max = MAX_LABEL_CHARS): string | undefined {
  const s = stripBidi(text).trim();
  return s === '' ? undefined : capped(s, max);
}

/** A note, the same way. */
export function cleanNote(text: string): string | undefined {
  return cleanLabel(text, MAX_NOTE_CHARS);
}

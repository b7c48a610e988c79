/**
 * Numbers as people at home write them (`030 1234567`; a foreign one `+44 20 7946 0018`), from the display form the
 * server sends beside each E.164 number (`numberNational`, `callerNational`, …), with the E.164 form on hover. The page
 * cannot format numbers itself: libphonenumber is a bundle it does not load.
 */
import { h } from './dom.js';

/** The number's text: its national form (the E.164 one when the server sent none), a prefix with its `*`. */
export function numberText(e164: string, national: string | undefined, prefix = false): string {
  return `${national ?? e164}${prefix ? '*' : ''}`;
}

/** A `span.number` showing the national form, its `title` the E.164 form. */
export function numberView(e164: string, national: string | undefined, prefix = false): HTMLElement {
  return h('span', { class: 'number', title: `${e164}${prefix ? '*' : ''}` }, numberText(e164, national, prefix));
}

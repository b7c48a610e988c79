import { homePlan } from '../../numbers/home.js';
import type { NumberingConfig } from '../../numbers/index.js';
import { escapeXml } from './soap.js';

/**
 * A number as the box's own lists write it: national with the trunk prefix for the home country (`030…`), the
 * international call prefix for others (`0044…`) — the form the FRITZ!Box web interface shows and its phone books
 * hold. (Whether the box also matches a `+49…` entry is not documented.)
 */
export function boxNumber(e164: string, cfg: NumberingConfig): string {
  const home = homePlan(cfg);
  const digits = e164.replace(/^\+/, '');
  if (digits.startsWith(home.callingCode)) return (home.nationalPrefix ?? '') + digits.slice(home.callingCode.length);
  return (home.iddPrefix ?? '00') + digits;
}

/**
 * `NewPhonebookEntryData` for SetCallBarringEntry: one `<contact>` in the phone-book schema (AVM X_AVM-DE_OnTel,
 * "Phonebook Content"), as SetPhonebookEntry takes it. `realName` is the name, or the number as the box writes it
 * for entries made on its own pages.
 */
export function barringEntryXml(number: string, name?: string): string {
  const realName = name !== undefined && name.trim() !== '' ? name.trim() : number;
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<contact><category>0</category><person><realName>${escapeXml(realName)}</realName></person>` +
    `<telephony nid="1"><number type="home" prio="1" id="0">${escapeXml(number)}</number></telephony></contact>`
  );
}

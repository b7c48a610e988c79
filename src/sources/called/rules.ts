import { type CdrEvent, parseCdrTime } from 'asterisk-agi/ami';
import { applyTrunkRule } from '../../numbers/caller.js';
import { type NumberingConfig, normaliseNumber } from '../../numbers/index.js';

/** FreePBX puts its phones in `from-internal`; a plain Asterisk dialplan names its own (docs/asterisk.md). */
export const DEFAULT_CALLED_CONTEXTS: readonly string[] = ['from-internal'];

/**
 * Dialled numbers with fewer digits than this (after the outside-line prefix) are not outside numbers worth trusting:
 * extensions (100, 2001), emergency and service codes (110, 112, 11833). The price is a local number dialled without
 * its area code in a place with 4- or 5-digit numbers: not trusted, which only means it is screened like before.
 */
export const MIN_OUTSIDE_DIGITS = 6;

/** What an exten holds when it is a dialled number: digits, a leading `+`. Feature codes (`*67…`), `s`, `h` are not. */
const DIALLED = /^\+?\d+$/;
const LOCAL_CHANNEL = /^Local\//i;

export interface CalledConfig {
  /** The DestinationContext of calls placed from the phones (CALLFILTER_CALLED_CONTEXTS). */
  contexts: readonly string[];
  /** Home country and area code; `internalPattern` marks extensions, which are never trusted. */
  numbering: NumberingConfig;
  /**
   * The digits a phone dials first to get an outside line (`0` on many office PBXs), stripped before the number is
   * read. When set, a Destination without it is an internal call. Unset (the default): phones dial numbers as they are.
   */
  outsideLinePrefix?: string;
}

/** Why a CDR does not count (for debug logs and tests). */
export type CalledSkip =
  | 'not-answered'
  | 'other-context'
  | 'local-channel-leg'
  | 'no-outside-line-prefix'
  | 'not-dialled-digits'
  | 'internal-extension'
  | 'too-short'
  | 'not-a-number';

export type CalledResult =
  | {
      counts: true;
      /** E.164. */
      number: string;
      /** When the call was answered (AnswerTime; EndTime or `receivedAt` when Asterisk left it out). */
      answeredAt: Date;
      /** The digits as dialled (Destination). */
      dialled: string;
      /** Same for every record of one call to one number: LinkedID when cdr_manager maps it, else Party A's UniqueID. */
      callKey: string;
    }
  | { counts: false; why: CalledSkip; detail?: string };

/**
 * Whether one CDR says "the household called this number and it answered", and which number. Pure.
 *
 * A call leaves several records (main/cdr.c): one per Party A channel and bridge, so a call through a Local channel
 * gives the originating record (`PJSIP/100-…` → `Local/…;1`, Destination = the digits the phone dialled, in the
 * phones' context) and one for the Local channel's second half (`Local/…;2` → the trunk). Only the originating record
 * counts; records whose Party A is a Local channel are skipped — a Local channel is dialplan plumbing (ring groups,
 * follow-me, queues), and for an inbound call forwarded to an outside number its record would even name a number
 * nobody here dialled. Records of the same Party A share its UniqueID (and with `[mappings] linkedid => LinkedID` all
 * records of the call share a LinkedID): callKey lets the feed count a call once when a transfer or a failover to a
 * second trunk writes another record.
 */
export function readCalledNumber(cdr: CdrEvent, cfg: CalledConfig, receivedAt: Date): CalledResult {
  if (cdr.disposition !== 'ANSWERED') return { counts: false, why: 'not-answered', detail: cdr.disposition };
  if (!cfg.contexts.includes(cdr.destinationContext))
    return { counts: false, why: 'other-context', detail: cdr.destinationContext };
  if (LOCAL_CHANNEL.test(cdr.channel)) return { counts: false, why: 'local-channel-leg', detail: cdr.channel };

  let dialled = cdr.destination.trim();
  const prefix = cfg.outsideLinePrefix;
  // A number dialled with `+` (from a phone's contact list) is an outside number with or without the prefix.
  if (prefix && !dialled.startsWith('+')) {
    if (!dialled.startsWith(prefix)) return { counts: false, why: 'no-outside-line-prefix', detail: dialled };
    // The trunk rules' stripPrefix, applied to what the phone dialled rather than to what a trunk sent.
    dialled = applyTrunkRule({ format: 'national', stripPrefix: prefix }, dialled);
  }
  if (!DIALLED.test(dialled)) return { counts: false, why: 'not-dialled-digits', detail: cdr.destination };
  if (isExtension(dialled, cfg.numbering)) return { counts: false, why: 'internal-extension', detail: dialled };
  if (dialled.replace('+', '').length < MIN_OUTSIDE_DIGITS) return { counts: false, why: 'too-short', detail: dialled };

  const n = normaliseNumber(dialled, cfg.numbering);
  if (!n.ok) return { counts: false, why: 'not-a-number', detail: n.error };
  const answeredAt = parseCdrTime(cdr.answerTime) ?? parseCdrTime(cdr.endTime) ?? receivedAt;
  return { counts: true, number: n.e164, answeredAt, dialled: cdr.destination, callKey: `${callId(cdr)}|${n.e164}` };
}

function isExtension(dialled: string, cfg: NumberingConfig): boolean {
  const pattern = cfg.internalPattern;
  if (pattern === undefined) return false;
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return pattern.test(dialled);
}

/** LinkedID from cdr_manager.conf `[mappings]` (any spelling), else Party A's UniqueID. */
function callId(cdr: CdrEvent): string {
  for (const [key, value] of Object.entries(cdr.extra))
    if (key.toLowerCase() === 'linkedid' && value !== '') return value;
  return cdr.uniqueId;
}

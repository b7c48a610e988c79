/**
 * The e-mail digest's content (pure): from the calls of a period, a subject and a short text and HTML body in the
 * household's language with what was kept away (hung up on, or answered with the announcement) and the unknown
 * callers sent to voicemail — each with a link that opens the call on the page (CALLFILTER_PUBLIC_URL; never a
 * token). Connected calls and known callers on voicemail (quiet hours) are only counted: the mail is about what the
 * household did not hear ring.
 */
import type { Action, Reason } from '../../policy/types.js';
import { callLink, callsLink, parsePublicUrl } from '../link.js';
import type { CallEvent, NotifyLanguage } from '../types.js';
import { digestHtml } from './digest-html.js';
import { digestText } from './digest-text.js';
import { DIGEST_WORDS, type DigestWords } from './words.js';

/** Lines per section: a short mail; the rest is one link away on the page. */
export const MAX_DIGEST_LINES = 30;

/** Voicemail for these reasons means "someone we do not know" (not a contact during quiet hours). */
const UNKNOWN_REASONS: readonly Reason[] = ['unknown', 'foreign', 'implausible', 'anonymous'];
const KEPT_AWAY: readonly Action[] = ['hangup', 'announce'];

export interface DigestOptions {
  /** Epoch ms, inclusive / exclusive. */
  from: number;
  to: number;
  language: NotifyLanguage;
  timeZone: string;
  publicUrl?: string;
}

export interface DigestLine {
  call: CallEvent;
  link?: string;
}

export interface DigestSection {
  title: string;
  total: number;
  lines: DigestLine[];
  /** Calls of the section beyond MAX_DIGEST_LINES. */
  more: number;
}

/** What both bodies are rendered from. */
export interface DigestModel {
  words: DigestWords;
  language: NotifyLanguage;
  timeZone: string;
  period: string;
  keptAway: DigestSection;
  voicemail: DigestSection;
  total: number;
  byAction: Record<Action, number>;
  /** The Calls view, for "and N more". */
  callsLink?: string;
}

export interface Digest {
  subject: string;
  text: string;
  html: string;
  /** Nothing kept away and no unknown caller on voicemail: the job may skip sending. */
  empty: boolean;
}

export function buildDigest(calls: readonly CallEvent[], o: DigestOptions): Digest {
  const words = DIGEST_WORDS[o.language];
  const base = o.publicUrl ? parsePublicUrl(o.publicUrl) : undefined;
  const inPeriod = calls
    .filter((c) => c.kind === 'decided' && c.at >= o.from && c.at < o.to)
    .sort((a, b) => a.at - b.at || a.callId - b.callId);
  const section = (title: string, pick: (c: CallEvent) => boolean): DigestSection => {
    const all = inPeriod.filter(pick);
    return {
      title,
      total: all.length,
      lines: all
        .slice(0, MAX_DIGEST_LINES)
        .map((call) => ({ call, ...(base ? { link: callLink(base, call.callId) } : {}) })),
      more: Math.max(0, all.length - MAX_DIGEST_LINES),
    };
  };
  const byAction: Record<Action, number> = { connect: 0, voicemail: 0, hangup: 0, announce: 0 };
  for (const c of inPeriod) byAction[c.action]++;
  const model: DigestModel = {
    words,
    language: o.language,
    timeZone: o.timeZone,
    period: periodText(o),
    keptAway: section(words.keptAway, (c) => KEPT_AWAY.includes(c.action)),
    voicemail: section(words.voicemail, (c) => c.action === 'voicemail' && UNKNOWN_REASONS.includes(c.reason)),
    total: inPeriod.length,
    byAction,
    ...(base ? { callsLink: callsLink(base) } : {}),
  };
  return {
    subject: words.subject(model.keptAway.total, model.voicemail.total, model.period),
    text: digestText(model),
    html: digestHtml(model),
    empty: model.keptAway.total === 0 && model.voicemail.total === 0,
  };
}

/** `24 Dec 2026` for a day, `21–27 Dec 2026` for a week, in the household's time zone. */
function periodText(o: DigestOptions): string {
  const format = new Intl.DateTimeFormat(o.language === 'de' ? 'de-DE' : 'en-GB', {
    timeZone: o.timeZone,
    dateStyle: 'medium',
  });
  const last = Math.max(o.from, o.to - 1);
  return format.format(o.from) === format.format(last) ? format.format(o.from) : format.formatRange(o.from, last);
}

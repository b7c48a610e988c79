/**
 * Puts a decision into words, in English or German: the one place that does, for the log line, the command line,
 * the API and the web page. A decision carries facts (policy/types.ts `Because`, `Match`); nothing here decides, and
 * nothing anywhere parses these sentences back.
 */
import { boundedMemo } from '../memo.js';
import { type NumberingConfig, nationalNumber } from '../numbers/index.js';
import type { Decision, EntryFacts, Grounds, HitFacts, Match } from '../policy/types.js';
import { de } from './de.js';
import { en } from './en.js';
import type { Language, Words } from './words.js';

export type { Language } from './words.js';

export interface ExplainOptions {
  language: Language;
  /** For dates ("since 3 May 2026"): the service's time zone. */
  timeZone: string;
  /** How a number is shown to people (the home country's national form); E.164 as it is when not given. */
  showNumber?: (e164: string) => string;
}

/** What a sentence needs of a decision: its facts (a logged call's are stored with it). */
/** The options for words a person reads: their language, the home's time zone, numbers as people at home write them. */
export function readerOptions(
  config: { policy: { timeZone: string }; numbering: NumberingConfig },
  language: Language,
): ExplainOptions {
  return { language, timeZone: config.policy.timeZone, showNumber: (e164) => nationalNumber(e164, config.numbering) };
}

export type Explainable = Pick<Decision, 'because' | 'matches'>;

const WORDS: Record<Language, Words> = { en, de };
/** Dates and country names as people at home write them: "3 May 2026" (British order, as the page shows it), "3. Mai 2026". */
const LOCALES: Record<Language, string> = { en: 'en-GB', de: 'de-DE' };

/**
 * Since 1972 every zone's offset has been a multiple of 15 minutes (Liberia's -0:44:30 was the last odd one), so a
 * local date is the same throughout a quarter hour of UTC, and a call names only a handful of dates (entries imported
 * together share theirs): remembered per language, zone and quarter hour. Earlier moments are worded every time.
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const FROM_1972_MS = Date.UTC(1972, 0, 1);
const MAX_REMEMBERED_DATES = 1024;
const dateWords = new Map<string, { format: Intl.DateTimeFormat; remembered: (quarter: number) => string }>();

/** A date as a sentence says it: "3 May 2026", "3. Mai 2026" (in the service's time zone). */
export function spokenDate(epochMs: number, o: Pick<ExplainOptions, 'language' | 'timeZone'>): string {
  const key = `${o.language} ${o.timeZone}`;
  let words = dateWords.get(key);
  if (!words) {
    const format = new Intl.DateTimeFormat(LOCALES[o.language], {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: o.timeZone,
    });
    dateWords.set(
      key,
      (words = {
        format,
        remembered: boundedMemo(MAX_REMEMBERED_DATES, (q: number) => format.format(q * QUARTER_HOUR_MS)),
      }),
    );
  }
  return epochMs >= FROM_1972_MS
    ? words.remembered(Math.floor(epochMs / QUARTER_HOUR_MS))
    : words.format.format(epochMs);
}

function day(epochMs: number | undefined, o: ExplainOptions): string | undefined {
  return typeof epochMs === 'number' && Number.isFinite(epochMs) && epochMs > 0 ? spokenDate(epochMs, o) : undefined;
}

const countryNames = new Map<Language, Intl.DisplayNames>();

function countryName(code: string | undefined, language: Language): string | undefined {
  if (code === undefined) return undefined;
  let names = countryNames.get(language);
  if (!names) countryNames.set(language, (names = new Intl.DisplayNames([LOCALES[language]], { type: 'region' })));
  try {
    return names.of(code.toUpperCase()) ?? code;
  } catch {
    return code; // not a region code ICU knows
  }
}

const shown = (e164: string, o: ExplainOptions) => (o.showNumber ? o.showNumber(e164) : e164);

function entryThing(e: EntryFacts, contact: boolean, w: Words, o: ExplainOptions): string {
  const vip = e.kind === 'allow' && e.vip;
  if (e.prefix) return w.range(e.kind, shown(e.number, o), e.label);
  if (e.kind === 'allow' && contact) return w.contact(e.label, vip);
  const since = day(e.createdAt, o);
  const until = day(e.expiresAt, o);
  return w.entry(e.kind, {
    vip,
    ...(e.label !== undefined && { label: e.label }),
    ...(since !== undefined && { since }),
    ...(until !== undefined && { until }),
  });
}

function hitThing(h: HitFacts, w: Words, o: ExplainOptions): string {
  return w.list(h.listName, {
    score: h.score,
    threshold: h.threshold,
    ...(h.prefix && { range: shown(h.number, o) }),
    ...(h.live && { live: true }),
  });
}

function groundsText(g: Grounds, w: Words, o: ExplainOptions): string {
  switch (g.step) {
    case 'internal':
      return w.internal(g.extension);
    case 'withheld':
      return w.withheld();
    case 'local':
      return w.local(g.digits);
    case 'allow':
    case 'block':
      return entryThing(g.entry, g.contact, w, o);
    case 'list':
      return hitThing(g.hit, w, o);
    case 'implausible':
      return w.implausible(shown(g.e164, o));
    case 'foreign':
      return w.foreign(shown(g.e164, o), countryName(g.country, o.language));
    case 'unknown':
      return w.unknown(shown(g.e164, o));
    case 'fail-open':
      return w.failOpen(g.error);
  }
}

/** One sentence: why the call was (or would be) treated as it was. */
export function explain(d: Explainable, o: ExplainOptions): string {
  const w = WORDS[o.language];
  const b = d.because;
  let text = groundsText(b.grounds, w, o);
  if (b.schedule !== undefined) text = w.underSchedule(text, b.schedule);
  if (b.repeat) text = w.repeat(b.repeat.calls, b.repeat.windowMinutes);
  if (b.quiet) text = w.quiet(b.quiet.schedule, b.repeat !== undefined);
  if (b.monitor) text = w.monitor(w.did(b.monitor.action, b.monitor.cause, b.monitor.announcement), text);
  return w.sentence(text);
}

/** A sentence per entry or list hit that matched but did not decide, and why ("Also on your blocklist …: …"). */
export function explainOthers(d: Explainable, o: ExplainOptions): string[] {
  const w = WORDS[o.language];
  return d.matches
    .filter((m) => !m.wins && m.lost !== undefined)
    .map((m) => w.sentence(w.also(matchThing(m, w, o), w.lost(m.lost as NonNullable<Match['lost']>))));
}

function matchThing(m: Match, w: Words, o: ExplainOptions): string {
  return 'entry' in m ? entryThing(m.entry, m.contact, w, o) : hitThing(m.hit, w, o);
}

/**
 * A decision in plain words, in the reader's language: "on your blocklist since 3 May", "withheld number",
 * "called twice within 5 minutes". Built from the facts of the call (reason, label, the entry or list that
 * fired), not from the log's English sentence.
 */
import { countryName, date, t, tn, type Key } from './i18n.js';
import type { Action, Call, Explained, Facts, Reason } from './types.js';

export function actionWord(action: Action): string {
  return t(`action.${action}` as Key);
}

function entryWords(f: Facts, list: 'allowlist' | 'blocklist'): string {
  const e = f.entry;
  if (!e) return t(`reason.${list}`);
  let text = e.prefix ? t(`reason.range.${list}`, { prefix: e.number.replace(/\*$/, '') }) : t(`reason.${list}.since`, { date: date(e.createdAt) });
  if (e.expiresAt !== undefined) text = t('reason.until', { text, date: date(e.expiresAt) });
  if (e.vip && e.kind === 'allow') text = t('reason.vip', { text });
  return text;
}

/** "Called 3 times within 5 minutes" is in the log sentence of an explain answer (it has no separate field). */
function repeatFromText(text: string | undefined): Facts['repeat'] {
  const m = /Called (\d+) times within (\d+) minute/.exec(text ?? '');
  return m ? { calls: Number(m[1]), windowMinutes: Number(m[2]) } : undefined;
}

function quietSchedule(text: string | undefined): string | undefined {
  return /^Quiet hours \(([^)]*)\)/.exec(text ?? '')?.[1];
}

export function reasonWords(f: Facts, reason: Reason = f.reason): string {
  switch (reason) {
    case 'internal':
      return t('reason.internal');
    case 'contact': {
      const label = f.entry?.label ?? f.label;
      return label ? t('reason.contact.as', { label }) : t('reason.contact');
    }
    case 'allowlist':
      return entryWords(f, 'allowlist');
    case 'blocklist':
      return entryWords(f, 'blocklist');
    case 'spam-list': {
      const l = f.list;
      if (!l) return t('reason.spam-list');
      return l.score === undefined ? t('reason.spam-list.named', { list: l.name }) : tn('reason.spam-list.score', l.score, { list: l.name, score: l.score, threshold: l.threshold });
    }
    case 'anonymous':
      return t('reason.anonymous');
    case 'implausible':
      return t('reason.implausible');
    case 'foreign':
      return f.country ? t('reason.foreign.from', { country: countryName(f.country) }) : t('reason.foreign');
    case 'unknown':
      return t('reason.unknown');
    case 'repeat-caller': {
      const r = f.repeat ?? repeatFromText(f.explanation);
      if (!r) return t('reason.repeat-caller');
      const minutes = tn('minutes', r.windowMinutes, { n: r.windowMinutes });
      return r.calls === 2 ? t('reason.repeat.twice', { minutes }) : t('reason.repeat.n', { calls: r.calls, minutes });
    }
    case 'quiet-hours': {
      const schedule = f.schedule ?? quietSchedule(f.explanation);
      return schedule ? t('reason.quiet-hours.named', { schedule }) : t('reason.quiet-hours');
    }
    case 'monitor': {
      const w = f.wouldHave;
      if (!w || w.reason === 'monitor') return t('reason.monitor.plain');
      return t('reason.monitor', { action: t(`would.${w.action}` as Key), why: reasonWords(f, w.reason) });
    }
    case 'fail-open':
      return t('reason.fail-open');
  }
}

export function callFacts(c: Call): Facts {
  const f: Facts = { action: c.action, reason: c.reason };
  if (c.label !== undefined) f.label = c.label;
  if (c.country !== undefined) f.country = c.country;
  if (c.entry) f.entry = c.entry;
  if (c.list) f.list = c.list;
  if (c.repeat) f.repeat = c.repeat;
  if (c.explanation !== undefined) f.explanation = c.explanation;
  if (c.wouldHaveAction && c.wouldHaveReason) f.wouldHave = { action: c.wouldHaveAction, reason: c.wouldHaveReason };
  return f;
}

export function explainFacts(x: Explained): Facts {
  const d = x.decision;
  const f: Facts = { action: d.action, reason: d.reason, explanation: d.explanation };
  if (d.label !== undefined) f.label = d.label;
  if (x.caller.country !== undefined) f.country = x.caller.country;
  if (d.schedule !== undefined) f.schedule = d.schedule;
  if (d.wouldHave) f.wouldHave = d.wouldHave;
  if (d.entry) f.entry = { ...d.entry, contact: d.entry.contactId !== undefined };
  if (d.listHit) f.list = { name: d.listHit.listName, threshold: d.listHit.threshold, score: d.listHit.score };
  return f;
}

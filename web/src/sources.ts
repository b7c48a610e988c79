/**
 * The sources panel of the Lists view: every source (the FRITZ!Box, CardDAV address books, the numbers you call,
 * spam lists) with its status — how many numbers, how fresh, when it runs next, its last error in words, a stale
 * flag, an answer held back with a button to take it after all — and a button that syncs it now. The spam lists
 * say which source feeds them and how fresh they are; the entries filter offers each source by name.
 */
import { get, post } from './api.js';
import { errorText } from './calls.js';
import { byId, emptyState, h, say, toast } from './dom.js';
import { date, type Key, locale, num, t } from './i18n.js';
import type { Source } from './types.js';

const HOUR = 3_600_000;
const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });

/** "3 hours ago", "yesterday", "5 days ago": the age of a success, at the grain a person cares about. */
function ago(at: number, now: number): string {
  const ms = Math.max(0, now - at);
  if (ms < HOUR) return relative.format(-Math.round(ms / 60_000), 'minute');
  if (ms < 24 * HOUR) return relative.format(-Math.round(ms / HOUR), 'hour');
  return relative.format(-Math.round(ms / (24 * HOUR)), 'day');
}

/** "tonight", "today at 14:20", "tomorrow at 01:10", or a date: when the next sync is due. */
function next(at: number, now: number): string {
  const d = new Date(at);
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((day(d) - day(new Date(now))) / (24 * HOUR));
  if (at <= now) return t('fresh.soon');
  if (days === 0) return d.getHours() >= 18 ? t('fresh.tonight') : t('fresh.today', { time: clock.format(d) });
  if (days === 1) return t('fresh.tomorrow', { time: clock.format(d) });
  return date(at);
}

/** "PhoneBlock · 41,233 numbers · updated 3 hours ago · next tonight". */
export function freshness(s: Source, now = Date.now()): string {
  const parts = [t(`kind.${s.kind}` as Key)];
  if (s.rows !== undefined) parts.push(t('fresh.rows', { n: num(s.rows) }));
  parts.push(
    s.lastSuccessAt === undefined ? t('sources.never') : t('fresh.updated', { ago: ago(s.lastSuccessAt, now) }),
  );
  if (s.nextRunAt !== undefined && s.enabled) parts.push(t('fresh.next', { when: next(s.nextRunAt, now) }));
  return parts.join(' · ');
}

/**
 * The last error in the reader's words: what the status code or network failure means; the server's own text stays
 * beside it on hover (it names the URL and the details a person reporting a bug needs).
 */
export function errorWords(error: string): string {
  const status = /\bHTTP (\d{3})\b/.exec(error)?.[1];
  if (status === '401' || status === '403') return t('fresh.err.key');
  if (status === '429') return t('fresh.err.busy');
  if (status?.startsWith('5')) return t('fresh.err.server', { status });
  if (status) return t('fresh.err.http', { status });
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|no complete answer|fetch failed/.test(
      error,
    )
  )
    return t('fresh.err.offline');
  if (/JSON|malformed|truncated|not a list|unexpected/i.test(error)) return t('fresh.err.bad');
  return error;
}

/** The stale badge, the last error and a held-back answer with its Accept button; nothing for a healthy source. */
export function trouble(s: Source, after: () => void): Node[] {
  const out: Node[] = [];
  if (s.stale) out.push(h('span', { class: 'badge stale', title: t('fresh.stale.title') }, t('fresh.stale')));
  if (s.lastError)
    out.push(
      h('small', { class: 'error block', title: s.lastError }, t('sources.error', { error: errorWords(s.lastError) })),
    );
  if (s.heldBack) {
    const accept = h(
      'button',
      { type: 'button', class: 'small', 'aria-label': t('btn.accept.label', { name: s.name }) },
      t('btn.accept'),
    );
    accept.addEventListener('click', () => void runSync(s, accept, after, true));
    out.push(h('small', { class: 'held block' }, t('fresh.held', { why: s.heldBack }), ' ', accept));
  }
  return out;
}

async function runSync(s: Source, button: HTMLButtonElement, after: () => void, accept = false): Promise<void> {
  button.disabled = true;
  try {
    const report = await post<{ message: string }>(`/api/v1/sources/${s.id}/sync${accept ? '?accept=true' : ''}`);
    toast(t('toast.synced', { name: s.name, message: report.message }));
  } catch (err) {
    say(byId('sources-error'), errorText(err));
  }
  button.disabled = false;
  after();
}

function status(s: Source, after: () => void): HTMLElement {
  const parts = [freshness(s).split(' · ').slice(1).join(' · ')];
  if (typeof s.state.conflictCount === 'number' && s.state.conflictCount > 0)
    parts.push(t('sources.conflicts', { n: num(s.state.conflictCount) }));
  return h('td', {}, parts.join(' · '), ...trouble(s, after));
}

function row(s: Source, after: () => void): HTMLTableRowElement {
  const sync = h(
    'button',
    { type: 'button', class: 'small', 'aria-label': t('btn.sync.label', { name: s.name }) },
    t('btn.sync'),
  );
  sync.addEventListener('click', () => void runSync(s, sync, after));
  return h(
    'tr',
    { 'data-source': s.name, class: s.stale ? 'stale' : undefined },
    h('td', {}, s.name, h('small', { class: 'muted block' }, t(`kind.${s.kind}` as Key))),
    h('td', { class: 'num' }, s.rows === undefined ? '' : num(s.rows)),
    status(s, after),
    h('td', { class: 'do' }, sync),
  );
}

/** Loads the panel; returns the sources (the entries filter lists the contact sources by name). */
export async function loadSources(after: () => void): Promise<Source[]> {
  const body = byId('sources-body');
  try {
    const { items } = await get<{ items: Source[] }>('/api/v1/sources');
    body.replaceChildren(...items.map((s) => row(s, after)));
    say(byId('sources-error'), '');
    emptyState(body, byId('sources-empty'));
    return items;
  } catch (err) {
    say(byId('sources-error'), errorText(err));
    return [];
  }
}

/**
 * The sources panel of the Lists view: every source (the FRITZ!Box, CardDAV address books, the numbers you call,
 * spam lists) with its status — how many numbers, when it last synced, its error, numbers the other list holds too —
 * and a button that syncs it now. The entries filter offers each source by name.
 */
import { get, post } from './api.js';
import { errorText } from './calls.js';
import { byId, emptyState, h, say, toast } from './dom.js';
import { date, num, t, type Key } from './i18n.js';
import type { Source } from './types.js';

function status(s: Source): string {
  const parts = [s.lastSuccessAt === undefined ? t('sources.never') : t('sources.ok', { date: date(s.lastSuccessAt) })];
  if (typeof s.state.conflictCount === 'number' && s.state.conflictCount > 0) parts.push(t('sources.conflicts', { n: num(s.state.conflictCount) }));
  return parts.join(' · ');
}

function row(s: Source, after: () => void): HTMLTableRowElement {
  const sync = h('button', { type: 'button', class: 'small', 'aria-label': t('btn.sync.label', { name: s.name }) }, t('btn.sync'));
  sync.addEventListener('click', () => {
    void (async () => {
      sync.disabled = true;
      try {
        const report = await post<{ message: string }>(`/api/v1/sources/${s.id}/sync`);
        toast(t('toast.synced', { name: s.name, message: report.message }));
      } catch (err) {
        say(byId('sources-error'), errorText(err));
      }
      sync.disabled = false;
      after();
    })();
  });
  return h(
    'tr',
    { 'data-source': s.name },
    h('td', {}, s.name, h('small', { class: 'muted block' }, t(`kind.${s.kind}` as Key))),
    h('td', { class: 'num' }, s.rows === undefined ? '' : num(s.rows)),
    h('td', {}, status(s), s.lastError ? h('small', { class: 'error block' }, t('sources.error', { error: s.lastError })) : ''),
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

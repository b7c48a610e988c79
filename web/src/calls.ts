/**
 * The Calls view: the log newest first, filtered by what happened and by number, each row with the reason in
 * words and one button to block or allow the caller. New calls arrive over server-sent events (/api/v1/events)
 * and are put on top without a reload.
 */
import { ApiError, get, post, query } from './api.js';
import { winnerText } from './conflicts.js';
import { byId, clear, emptyState, field, h, say, toast } from './dom.js';
import { actionWord, callTime, countryName, fullTime, lang, message, t } from './i18n.js';
import { numberText, numberView } from './numbers.js';
import type { Call, Kind, Page } from './types.js';
import { playVoicemail, voicemailButton } from './voicemail.js';

type Show = 'all' | 'connected' | 'voicemail' | 'blocked';
const SHOWS: Record<Show, readonly string[] | undefined> = {
  all: undefined,
  connected: ['connect'],
  voicemail: ['voicemail'],
  blocked: ['hangup', 'announce'],
};

interface Filter {
  show: Show;
  number: string;
  /** The number as the server normalised it (E.164), to match live calls against. */
  e164?: string;
}

/** report: a PhoneBlock API key is set, so a caller can be reported as spam (the server says so with each page). */
const state: { filter: Filter; cursor?: number; calls: Map<number, Call>; report: boolean } = {
  filter: { show: 'all', number: '' },
  calls: new Map(),
  report: false,
};

/** The ratings a person reports with (PhoneBlock's B_MISSED … G_FRAUD). */
const RATINGS = ['missed', 'ping', 'poll', 'advertising', 'gamble', 'fraud'] as const;

/** What went wrong, in the reader's language: the server's message by its code, or its English with a frame. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError && err.status === 0) return t('error.network');
  const fallback = t('error.generic', { message: err instanceof Error ? err.message : String(err) });
  return err instanceof ApiError ? message(err.body.code, err.body.params, fallback) : fallback;
}

function callerCell(c: Call): HTMLElement {
  const cell = h('td', { class: 'caller' });
  if (c.callerKind === 'withheld') cell.append(h('span', { class: 'muted' }, t('withheld')));
  else if (c.callerKind === 'internal')
    cell.append(h('span', { class: 'number' }, c.callerRaw), ' ', h('span', { class: 'muted' }, t('internal')));
  else if (c.caller) cell.append(numberView(c.caller, c.callerNational));
  else cell.append(h('span', { class: 'number' }, c.callerRaw));
  const name = c.label ?? c.callerNameRaw;
  if (name) cell.append(h('span', { class: 'label' }, name));
  return cell;
}

function countryCell(c: Call): HTMLElement {
  if (!c.country) return h('td', { class: 'country' });
  // The code, not a flag emoji: Windows and many Linux desktops have no flag glyphs and would show two boxes.
  return h('td', { class: 'country' }, h('abbr', { title: countryName(c.country) }, c.country));
}

function actionButtons(c: Call): HTMLElement {
  const cell = h('td', { class: 'do' });
  if (c.callerKind !== 'number' || !c.caller) return cell;
  const number = numberText(c.caller, c.callerNational);
  if (c.current) cell.append(h('span', { class: `state ${c.current}` }, t(`state.${c.current}`)));
  if (c.both) cell.append(h('small', { class: 'both' }, winnerText(c.both)));
  const button = (kind: Kind) =>
    h(
      'button',
      {
        type: 'button',
        class: kind === 'block' ? 'danger small' : 'small',
        'data-kind': kind,
        'data-call': c.id,
        'aria-label': t(`btn.${kind}.label`, { number }),
      },
      t(`btn.${kind}`),
    );
  if (c.current !== 'block') cell.append(button('block'));
  if (c.current !== 'allow' && (c.current === 'block' || c.action !== 'connect')) cell.append(button('allow'));
  if (state.report)
    cell.append(
      h(
        'button',
        { type: 'button', class: 'small', 'data-report': c.id, 'aria-label': t('btn.report.label', { number }) },
        t('btn.report'),
      ),
    );
  return cell;
}

/** "Report": the button gives way to a choice of rating and Send, which queues the report (sent from the outbox). */
function reportForm(button: HTMLButtonElement): void {
  const id = Number(button.dataset.report);
  const call = state.calls.get(id);
  if (!call?.caller) return;
  const number = numberText(call.caller, call.callerNational);
  const rating = h(
    'select',
    { 'aria-label': t('report.rating') },
    ...RATINGS.map((r) => h('option', { value: r }, t(`report.${r}`))),
  );
  rating.value = 'advertising';
  const send = h('button', { type: 'button', class: 'small danger' }, t('report.send'));
  const form = h(
    'span',
    { class: 'report-form', role: 'group', 'aria-label': t('btn.report.label', { number }) },
    rating,
    send,
  );
  send.addEventListener('click', () => {
    void (async () => {
      send.disabled = true;
      try {
        await post(`/api/v1/calls/${id}/report`, { rating: rating.value });
        toast(t('toast.reported', { number, rating: t(`report.${rating.value as (typeof RATINGS)[number]}`) }));
        form.replaceWith(button);
        button.focus();
      } catch (err) {
        send.disabled = false;
        say(byId('calls-error'), errorText(err));
      }
    })();
  });
  button.replaceWith(form);
  rating.focus();
}

function row(c: Call): HTMLTableRowElement {
  const tr = h('tr', { 'data-id': c.id, 'data-caller': c.caller ?? '', class: `act-${c.action}` });
  tr.append(
    h(
      'td',
      { class: 'time' },
      h('time', { datetime: new Date(c.at).toISOString(), title: fullTime(c.at) }, callTime(c.at)),
    ),
    callerCell(c),
    countryCell(c),
    h('td', { class: 'did' }, c.did ? numberView(c.did, c.didNational) : ''),
    h(
      'td',
      { class: 'what' },
      h('span', { class: `badge ${c.action}` }, actionWord(c.action)),
      ' ',
      h('span', { class: 'why' }, c.why ?? ''),
      voicemailButton(c),
      ...(c.others ?? []).map((other) => h('small', { class: 'muted block' }, other)),
    ),
    actionButtons(c),
  );
  return tr;
}

function matches(c: Call, f: Filter): boolean {
  const actions = SHOWS[f.show];
  if (actions && !actions.includes(c.action)) return false;
  if (f.number && c.caller !== f.e164) return false;
  return true;
}

function showEmpty(): void {
  emptyState(byId('calls-body'), byId('calls-empty'));
}

async function load(more = false): Promise<void> {
  const body = byId('calls-body');
  const error = byId('calls-error');
  const { show, number } = state.filter;
  try {
    const page = await get<Page<Call> & { number?: string; report?: boolean }>(
      `/api/v1/web/calls${query({ show, number, lang, cursor: more ? state.cursor : undefined })}`,
    );
    say(error, '');
    if (!more) {
      clear(body);
      state.calls.clear();
    }
    if (page.number !== undefined) state.filter.e164 = page.number;
    state.report = page.report === true;
    for (const c of page.items) {
      state.calls.set(c.id, c);
      body.append(row(c));
    }
    state.cursor = page.nextCursor;
    byId('calls-more').hidden = page.nextCursor === undefined;
  } catch (err) {
    say(error, errorText(err));
  }
  showEmpty();
}

/**
 * After block/allow: every row of that caller shows the new standing — as the server reads it now (a range of the
 * other kind may still hold the caller), or the clicked kind when that cannot be asked.
 */
async function markCaller(number: string, kind: Kind): Promise<void> {
  let now: Pick<Call, 'current' | 'both'> = { current: kind };
  try {
    const page = await get<Page<Call>>(`/api/v1/web/calls${query({ number, limit: 1, lang })}`);
    const latest = page.items[0];
    if (latest) now = { ...(latest.current && { current: latest.current }), ...(latest.both && { both: latest.both }) };
  } catch {
    // the click itself worked; the row shows what was clicked
  }
  for (const [id, c] of state.calls) {
    if (c.caller !== number) continue;
    delete c.current;
    delete c.both;
    Object.assign(c, now);
    const old = document.querySelector(`#calls-body tr[data-id="${id}"]`);
    old?.replaceWith(row(c));
  }
}

async function decide(button: HTMLButtonElement): Promise<void> {
  const id = Number(button.dataset.call);
  const kind = button.dataset.kind as Kind;
  const call = state.calls.get(id);
  if (!call?.caller) return;
  button.disabled = true;
  try {
    await post(`/api/v1/calls/${id}/${kind}`);
    await markCaller(call.caller, kind);
    toast(
      t(kind === 'block' ? 'toast.blocked' : 'toast.allowed', { number: numberText(call.caller, call.callerNational) }),
    );
    // Focus stays in the row (the button it was on is gone now).
    document.querySelector<HTMLElement>(`#calls-body tr[data-id="${id}"] button`)?.focus();
  } catch (err) {
    button.disabled = false;
    say(byId('calls-error'), errorText(err));
  }
}

/** A call that just happened: on top, marked new for a moment. */
export function addLiveCall(c: Call): void {
  if (state.calls.has(c.id) || !matches(c, state.filter)) return;
  state.calls.set(c.id, c);
  const tr = row(c);
  tr.classList.add('new');
  byId('calls-body').prepend(tr);
  showEmpty();
}

export function initCalls(): { refresh: () => Promise<void> } {
  const form = byId<HTMLFormElement>('calls-filter');
  const apply = () => {
    const show = (new FormData(form).get('show') ?? 'all') as Show;
    state.filter = { show, number: field(form, 'number').value.trim() };
    void load();
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  for (const radio of form.querySelectorAll('input[name="show"]')) radio.addEventListener('change', apply);
  byId('calls-more').addEventListener('click', () => void load(true));
  byId('calls-body').addEventListener('click', (e) => {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-kind]');
    if (button) void decide(button);
    const play = (e.target as Element).closest<HTMLButtonElement>('button[data-vm]');
    if (play) playVoicemail(play);
    const report = (e.target as Element).closest<HTMLButtonElement>('button[data-report]');
    if (report) reportForm(report);
  });
  return { refresh: () => load() };
}

/** The live feed; reconnects by itself (EventSource), and reports whether it is connected. */
export function connectLive(onState: (live: boolean) => void, onSignedOut: () => void): () => void {
  const source = new EventSource(`/api/v1/events${query({ lang })}`);
  source.addEventListener('open', () => onState(true));
  source.addEventListener('error', () => {
    onState(false);
    // A refused stream (401: signed out) is not retried by the browser; find out why.
    if (source.readyState === EventSource.CLOSED) onSignedOut();
  });
  source.addEventListener('call', (e) => {
    try {
      addLiveCall(JSON.parse((e as MessageEvent<string>).data) as Call);
    } catch {
      // a malformed event is dropped
    }
  });
  source.addEventListener('signed-out', () => {
    source.close();
    onSignedOut();
  });
  return () => source.close();
}

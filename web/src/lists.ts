/**
 * The Lists view: the personal entries (search, add, change, remove), importing a file with its report, and the
 * imported spam lists with their counts and thresholds.
 */
import { ApiError, del, get, patch, post, query, request } from './api.js';
import { errorText } from './calls.js';
import { conflictItem, conflictsReport } from './conflicts.js';
import { byId, clear, emptyState, field, h, say, toast } from './dom.js';
import { date, message, num, sourceWord, t, tn } from './i18n.js';
import { fileFacts, kindToSend, showQuestions } from './import-kind.js';
import { numberText, numberView } from './numbers.js';
import { freshness, loadSources, trouble } from './sources.js';
import type { Entry, ImportReport, Kind, Page, RowProblem, Source, SpamList } from './types.js';

const entries = new Map<number, Entry>();
let cursor: number | undefined;

const display = (e: Entry) => numberText(e.number, e.numberNational, e.prefix);

/** The row under an entry in conflict: each conflict, with its one-click resolution, across the table. */
function conflictRow(e: Entry, conflicts: NonNullable<Entry['conflicts']>): HTMLTableRowElement {
  const onError = (err: unknown) => say(byId('entries-error'), errorText(err));
  return h(
    'tr',
    { class: 'conflict-row', 'data-conflicts-of': e.id },
    h('td', {}),
    h(
      'td',
      { colspan: 5 },
      h('ul', { class: 'conflicts' }, ...conflicts.map((c) => conflictItem(c, () => void loadEntries(), onError))),
    ),
  );
}

/** An entry's row, and for an entry in conflict, the row that names the conflicts under it. */
function entryRows(e: Entry): HTMLTableRowElement[] {
  const tr = entryRow(e);
  if (!e.conflicts?.length) return [tr];
  tr.classList.add('in-conflict');
  tr.cells[1]?.append(h('span', { class: 'badge conflict' }, t('entry.conflict')));
  return [tr, conflictRow(e, e.conflicts)];
}

/** Where the entry comes from, every origin: "you", "fritzbox", "carddav"… */
/** Where an entry came from: how the person added it, or the sources that hold it (and "you" once they kept it). */
function originsText(e: Entry): string {
  const origins = e.origins ?? [];
  if (!origins.some((o) => o.origin !== 'manual')) return sourceWord(e.source);
  return origins.map((o) => (o.origin === 'manual' ? t('origin.manual') : o.origin)).join(' · ');
}

/** A synced entry the person does not hold yet: "Keep" makes it theirs. */
const keepable = (e: Entry) => (e.origins ?? []).length > 0 && !(e.origins ?? []).some((o) => o.origin === 'manual');

function entryRow(e: Entry): HTMLTableRowElement {
  const number = display(e);
  const kind = h('span', { class: `state ${e.kind}` }, t(`state.${e.kind}`));
  return h(
    'tr',
    { 'data-id': e.id },
    h('td', {}, numberView(e.number, e.numberNational, e.prefix)),
    h(
      'td',
      {},
      kind,
      e.vip ? ' VIP' : '',
      e.expiresAt !== undefined
        ? h('small', { class: 'muted block' }, t('entry.until', { date: date(e.expiresAt) }))
        : '',
    ),
    h('td', {}, e.label ?? ''),
    h('td', { class: 'note' }, e.note ?? ''),
    h('td', { class: 'time' }, date(e.createdAt), h('small', { class: 'muted block origins' }, originsText(e))),
    h(
      'td',
      { class: 'do' },
      keepable(e)
        ? h(
            'button',
            { type: 'button', class: 'small', 'data-keep': e.id, 'aria-label': t('btn.keep.label', { number }) },
            t('btn.keep'),
          )
        : '',
      h(
        'button',
        { type: 'button', class: 'small', 'data-edit': e.id, 'aria-label': t('btn.edit.label', { number }) },
        t('btn.edit'),
      ),
      h(
        'button',
        { type: 'button', class: 'small danger', 'data-remove': e.id, 'aria-label': t('btn.remove.label', { number }) },
        t('btn.remove'),
      ),
    ),
  );
}

async function loadEntries(more = false): Promise<void> {
  const form = byId<HTMLFormElement>('entries-filter');
  const body = byId('entries-body');
  try {
    const page = await get<Page<Entry>>(
      `/api/v1/entries${query({
        search: field(form, 'search').value.trim(),
        kind: field<HTMLSelectElement>(form, 'kind').value,
        origin: field<HTMLSelectElement>(form, 'origin').value,
        limit: 100,
        cursor: more ? cursor : undefined,
      })}`,
    );
    say(byId('entries-error'), '');
    if (!more) {
      clear(body);
      entries.clear();
    }
    for (const e of page.items) {
      entries.set(e.id, e);
      body.append(...entryRows(e));
    }
    cursor = page.nextCursor;
    byId('entries-more').hidden = cursor === undefined;
  } catch (err) {
    say(byId('entries-error'), errorText(err));
  }
  emptyState(body, byId('entries-empty'));
}

/** The add form doubles as the edit form. */
function editMode(e: Entry | undefined): void {
  const form = byId<HTMLFormElement>('entry-form');
  form.reset();
  say(byId('entry-error'), '');
  field(form, 'id').value = e ? String(e.id) : '';
  byId('entry-form-title').textContent = e ? t('entry.edit', { number: display(e) }) : t('entry.add');
  byId('entry-submit').textContent = t(e ? 'entry.save.edit' : 'entry.save.add');
  byId('entry-cancel').hidden = !e;
  if (!e) return;
  field(form, 'number').value = display(e);
  byId<HTMLInputElement>(`entry-kind-${e.kind}`).checked = true;
  field(form, 'label').value = e.label ?? '';
  field(form, 'note').value = e.note ?? '';
  field(form, 'vip').checked = e.vip;
  if (e.expiresAt !== undefined) {
    const d = new Date(e.expiresAt);
    field(form, 'expires').value =
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  }
  field(form, 'number').focus();
}

async function saveEntry(form: HTMLFormElement): Promise<void> {
  const id = field(form, 'id').value;
  const text = (name: string) => field(form, name).value.trim();
  const kind = (new FormData(form).get('kind') ?? 'block') as Kind;
  const expires = text('expires');
  const body: Record<string, unknown> = { number: text('number'), kind, vip: field(form, 'vip').checked };
  // On a change, an emptied field clears it (null); on an add, it is left out.
  const optional = (key: string, value: string) => {
    if (value) body[key] = value;
    else if (id) body[key] = null;
  };
  optional('label', text('label'));
  optional('note', text('note'));
  // The end of that day here, as epoch ms (the server's clock may be in another zone).
  optional('expiresAt', expires ? String(new Date(`${expires}T23:59:59`).getTime()) : '');
  if (!body.number) {
    say(byId('entry-error'), t('error.generic', { message: t('entry.number') }));
    field(form, 'number').focus();
    return;
  }
  try {
    if (id) await patch(`/api/v1/entries/${id}`, body);
    else await post('/api/v1/entries', body);
    toast(t('toast.saved'));
    editMode(undefined);
    await loadEntries();
  } catch (err) {
    say(byId('entry-error'), errorText(err));
  }
}

async function keepEntry(id: number): Promise<void> {
  try {
    await post(`/api/v1/entries/${id}/keep`);
    toast(t('toast.kept'));
    await loadEntries();
  } catch (err) {
    say(byId('entries-error'), errorText(err));
  }
}

/** The sources panel, the spam lists with the sources that feed them, and the entries filter's choice of sources. */
async function refreshSources(): Promise<void> {
  const sources = await loadSources(() => void Promise.all([loadEntries(), refreshSources()]));
  await loadLists(sources);
  const select = byId<HTMLSelectElement>('entries-origin');
  const chosen = select.value;
  for (const o of [...select.options]) if (o.dataset.source !== undefined) o.remove();
  for (const s of sources)
    if (s.kind === 'fritzbox' || s.kind === 'carddav' || s.kind === 'called')
      select.append(h('option', { value: s.name, 'data-source': s.name }, s.name));
  select.value = chosen;
}

async function removeEntry(id: number): Promise<void> {
  const e = entries.get(id);
  if (!e || !window.confirm(t('confirm.remove', { number: display(e) }))) return;
  try {
    await del(`/api/v1/entries/${id}`);
    toast(t('toast.removed'));
    await loadEntries();
  } catch (err) {
    say(byId('entries-error'), errorText(err));
  }
}

/** "12 added · 3 already there · 1 ignored" and the ignored rows with their line numbers. */
function showReport(box: HTMLElement, title: string, r: ImportReport): void {
  const counts = [t('import.added', { n: num(r.added) }), t('import.skipped', { n: num(r.skipped) })];
  if (r.contacts > 0) counts.push(tn('import.contacts', r.contacts, { n: num(r.contacts) }));
  if (r.ignoredCount > 0) counts.push(t('import.ignored', { n: num(r.ignoredCount) }));
  box.replaceChildren(h('p', { class: 'ok' }, title), h('p', { class: 'counts' }, counts.join(' · ')));
  if (r.ignored.length)
    box.append(
      h(
        'ul',
        { class: 'lines' },
        ...r.ignored.map((i) =>
          h('li', {}, t('import.line', { line: i.line, text: message(i.code, i.params, i.why) })),
        ),
      ),
    );
  box.append(
    ...conflictsReport(
      r.conflicts ?? [],
      r.conflictCount ?? 0,
      () => void loadEntries(),
      (err) => say(byId('entries-error'), errorText(err)),
    ),
  );
  box.hidden = false;
}

/** A refused file: the message and the rows that did not read. */
function showRejected(box: HTMLElement, err: ApiError): void {
  const rejected = Array.isArray(err.body.rejected) ? (err.body.rejected as RowProblem[]) : [];
  const count = typeof err.body.rejectedCount === 'number' ? err.body.rejectedCount : rejected.length;
  const text =
    count === 0
      ? t('import.rejected', { message: message(err.body.code, err.body.params, err.message) })
      : count === 1
        ? t('import.rejected.row')
        : t('import.rejected.rows', { n: num(count) });
  box.replaceChildren(h('p', { class: 'bad' }, text));
  if (rejected.length)
    box.append(
      h(
        'ul',
        { class: 'lines' },
        ...rejected.map((r) =>
          h('li', {}, t('import.line', { line: r.line, text: message(r.code, r.params, r.error ?? '') })),
        ),
      ),
    );
  box.hidden = false;
}

function upload(file: File): FormData {
  const data = new FormData();
  data.append('file', file, file.name);
  return data;
}

async function importFile(form: HTMLFormElement): Promise<void> {
  const file = field(form, 'file').files?.[0];
  const box = byId('import-report');
  say(byId('import-error'), '');
  // The last file's report goes at once: beside the next import it would read as that one's.
  box.hidden = true;
  box.replaceChildren();
  if (!file) {
    say(byId('import-error'), t('import.nofile'));
    return;
  }
  const facts = await fileFacts(file);
  showQuestions(facts);
  const asked = kindToSend(form, facts);
  if ('problem' in asked) {
    say(byId('import-error'), t(asked.problem));
    byId(asked.focus).focus();
    return;
  }
  try {
    const report = await request<ImportReport>('POST', `/api/v1/import${query({ kind: asked.kind })}`, upload(file));
    showReport(box, t('import.done', { file: file.name, format: report.format }), report);
    form.reset();
    showQuestions(undefined);
    await loadEntries();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) showRejected(box, err);
    else {
      box.hidden = true;
      say(byId('import-error'), errorText(err));
    }
  }
}

/** A spam list's name, and under it the source that feeds it and how fresh it is (a list from a file has none). */
function listName(l: SpamList, source: Source | undefined): HTMLElement {
  if (!source) return h('td', {}, l.name);
  const after = () => void refreshSources();
  return h(
    'td',
    { class: 'fed' },
    l.name,
    h('small', { class: 'muted block freshness' }, freshness(source)),
    ...trouble(source, after),
  );
}

function listRow(l: SpamList, source: Source | undefined): HTMLTableRowElement {
  const threshold = h('input', {
    type: 'number',
    min: 0,
    step: 'any',
    value: l.threshold,
    class: 'narrow',
    'aria-label': t('spam.threshold.label', { name: l.name }),
  });
  const enabled = h('input', {
    type: 'checkbox',
    checked: l.enabled,
    'aria-label': t('spam.enabled.label', { name: l.name }),
  });
  const save = h(
    'button',
    { type: 'button', class: 'small', 'aria-label': t('btn.save.label', { name: l.name }) },
    t('btn.save'),
  );
  save.addEventListener('click', () => {
    void (async () => {
      try {
        await patch(`/api/v1/lists/${l.id}`, { threshold: Number(threshold.value), enabled: enabled.checked });
        toast(t('toast.saved'));
      } catch (err) {
        say(byId('spam-error'), errorText(err));
      }
    })();
  });
  return h(
    'tr',
    { 'data-list': l.name },
    listName(l, source),
    h('td', { class: 'num' }, num(l.entryCount)),
    h('td', {}, threshold),
    h('td', {}, enabled),
    h('td', { class: 'time' }, date(l.updatedAt)),
    h('td', { class: 'do' }, save),
  );
}

async function loadLists(sources: Source[]): Promise<void> {
  const body = byId('spam-body');
  try {
    const { items } = await get<{ items: SpamList[] }>('/api/v1/lists');
    body.replaceChildren(
      ...items.map((l) =>
        listRow(
          l,
          sources.find((s) => s.listId === l.id),
        ),
      ),
    );
  } catch (err) {
    say(byId('spam-error'), errorText(err));
  }
  emptyState(body, byId('spam-empty'));
}

async function createList(form: HTMLFormElement): Promise<void> {
  const file = field(form, 'file').files?.[0];
  const box = byId('spam-report');
  say(byId('spam-error'), '');
  if (!file) {
    say(byId('spam-error'), t('import.nofile'));
    return;
  }
  const name = field(form, 'name').value.trim();
  try {
    const res = await request<{ list: SpamList; import?: ImportReport }>(
      'POST',
      `/api/v1/lists${query({ name, threshold: field(form, 'threshold').value })}`,
      upload(file),
    );
    if (res.import)
      showReport(
        box,
        tn('list.done', res.list.entryCount, { name: res.list.name, n: num(res.list.entryCount) }),
        res.import,
      );
    form.reset();
    await refreshSources();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) showRejected(box, err);
    else say(byId('spam-error'), errorText(err));
  }
}

export function initLists(): { refresh: () => Promise<void> } {
  const submit = (id: string, run: (form: HTMLFormElement) => Promise<void>) => {
    const form = byId<HTMLFormElement>(id);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void run(form);
    });
  };
  submit('entry-form', saveEntry);
  submit('entries-filter', () => loadEntries());
  submit('import-form', importFile);
  const importForm = byId<HTMLFormElement>('import-form');
  field(importForm, 'file').addEventListener('change', () => {
    const file = field(importForm, 'file').files?.[0];
    say(byId('import-error'), '');
    if (!file) return showQuestions(undefined);
    void fileFacts(file).then(showQuestions);
  });
  submit('spam-form', createList);
  byId('entry-cancel').addEventListener('click', () => editMode(undefined));
  byId('entries-more').addEventListener('click', () => void loadEntries(true));
  byId('entries-body').addEventListener('click', (e) => {
    const target = e.target as Element;
    const edit = target.closest<HTMLElement>('[data-edit]');
    if (edit) editMode(entries.get(Number(edit.dataset.edit)));
    const remove = target.closest<HTMLElement>('[data-remove]');
    if (remove) void removeEntry(Number(remove.dataset.remove));
    const keep = target.closest<HTMLElement>('[data-keep]');
    if (keep) void keepEntry(Number(keep.dataset.keep));
  });
  return { refresh: () => Promise.all([loadEntries(), refreshSources()]).then(() => undefined) };
}

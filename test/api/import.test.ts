import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { multipart, startApi, type TestApi } from '../helpers/api.js';
import { countRows } from '../helpers/service-store.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

interface Report {
  format: string;
  added: number;
  skipped: number;
  contacts: number;
  rejected: { line: number; error: string }[];
  ignored: { line: number; why: string }[];
  ignoredCount: number;
}
interface Refusal {
  error: string;
  message: string;
  rejected: { line: number; error: string }[];
  rejectedCount: number;
}
interface Entry {
  number: string;
  prefix: boolean;
  kind: string;
  label?: string;
  note?: string;
  source: string;
  contactId?: number;
}

async function allEntries(api: TestApi): Promise<Entry[]> {
  return (await api.json<{ items: Entry[] }>('GET', '/api/v1/entries?limit=1000')).body.items;
}

describe('POST /api/v1/import', () => {
  it('imports a vCard: every TEL of every card an allow entry of a contact, labelled with its name', async () => {
    const api = await startApi(HOME);
    const res = await api.upload<Report>('/api/v1/import', fixture('contacts.vcf'), 'text/vcard');
    expect(res.status).toBe(200);
    // 22 numbers on 7 cards; 3 of them are on an earlier card too (a shared office line), and the last card has
    // nothing but those, so it adds no contact.
    expect(res.body).toMatchObject({
      format: 'vcard',
      added: 19,
      skipped: 3,
      contacts: 6,
      rejected: [],
      ignoredCount: 1,
    });
    expect(res.body.ignored).toMatchObject([{ line: expect.any(Number), why: 'empty TEL' }]);
    const entries = await allEntries(api);
    expect(entries).toHaveLength(19);
    expect(entries.every((e) => e.kind === 'allow' && e.source === 'vcard' && e.contactId !== undefined)).toBe(true);
    const boehm = entries
      .filter((e) => e.label === 'Jürgen Böhm')
      .map((e) => e.number)
      .sort();
    expect(boehm).toEqual(['+442079460123', '+491701234567', '+493012345670', '+493012345671']);
    expect(new Set(entries.map((e) => e.contactId)).size).toBe(6);
    // Numbers in mixed formats end up E.164: 030 1234567-1, +49-30-1234567-4 (tel: URI), 030-1234567-6 (vCard 2.1).
    for (const n of ['+493012345671', '+493012345674', '+493012345676'])
      expect(entries.map((e) => e.number)).toContain(n);

    // Again: nothing new, no second set of contacts.
    const again = await api.upload<Report>('/api/v1/import', fixture('contacts.vcf'), 'text/vcard');
    expect(again.body).toMatchObject({ added: 0, skipped: 22, contacts: 0 });
    expect((await api.ctx.store.contacts.list()).items).toHaveLength(6);

    // The caller is now a contact on the screening path too.
    const call = await api.call('+49 170 1234568');
    expect(call.variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'contact',
      CALLFILTER_LABEL: 'Anna-Lena Groß',
    });
  });

  it('refuses a whole vCard for one bad number, with its line, and changes nothing', async () => {
    const api = await startApi(HOME);
    const res = await api.upload<Refusal>('/api/v1/import', fixture('contacts-mixed.vcf'), 'text/vcard');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'bad_request',
      rejectedCount: 1,
      rejected: [{ line: 17, error: '"Büro" is not a phone number: it has no digits' }],
    });
    expect(res.body.message).toBe(
      '1 row is not valid (line 17); nothing was imported — fix it and import the file again',
    );
    expect(await allEntries(api)).toEqual([]);
    expect((await api.ctx.store.contacts.list()).items).toEqual([]);
  });

  it('imports a FRITZ!Box phonebook sent as multipart/form-data: contacts become allow entries', async () => {
    const api = await startApi(HOME);
    const res = await api.inject({
      method: 'POST',
      url: '/api/v1/import',
      ...multipart('file', 'phonebook.xml', fixture('fritzbox-phonebook.xml'), 'text/xml'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ format: 'fritzbox', added: 9, skipped: 0, contacts: 5, ignoredCount: 2 });
    const entries = await allEntries(api);
    expect(entries.every((e) => e.kind === 'allow' && e.source === 'fritzbox')).toBe(true);
    expect(entries.find((e) => e.number === '+49891234567' && e.prefix)).toMatchObject({
      label: 'Hausverwaltung Müller & Söhne',
    });
    expect(entries.find((e) => e.number === '+493012345674')).toMatchObject({ label: 'Oma Gisela' });
  });

  it('imports a FRITZ!Box call-barring list as block entries when declared so (kind=block)', async () => {
    const api = await startApi(HOME);
    const res = await api.upload<Report>(
      '/api/v1/import?kind=block',
      fixture('fritzbox-call-barring.xml'),
      'application/xml',
    );
    expect(res.body).toMatchObject({ format: 'fritzbox', added: 3, contacts: 0 });
    expect((await allEntries(api)).map((e) => e.kind)).toEqual(['block', 'block', 'block']);
  });

  it('imports CSV with ; and with , as block or allow, as the kind parameter says', async () => {
    const api = await startApi(HOME);
    const semi = await api.upload<Report>('/api/v1/import?kind=block', fixture('blocklist-semicolon.csv'), 'text/csv');
    expect(semi.body).toMatchObject({ format: 'csv', added: 11, skipped: 0 });
    const comma = await api.upload<Report>('/api/v1/import?kind=allow', fixture('blocklist-comma.csv'), 'text/csv');
    expect(comma.body).toMatchObject({ format: 'csv', added: 3 });
    const entries = await allEntries(api);
    expect(entries.find((e) => e.number === '+493012345673')).toMatchObject({
      kind: 'block',
      label: 'Umfrage-Institut Nord',
      note: 'Umfrage; dauert "nur 2 Minuten"',
      source: 'csv',
    });
    expect(entries.find((e) => e.number === '+49401234567')).toMatchObject({ prefix: true, kind: 'block' });
    expect(entries.find((e) => e.number === '+49301111111')).toMatchObject({
      kind: 'allow',
      label: 'Robot',
      note: 'says "hello", then hangs up',
    });
    // Duplicates are skipped and counted, not errors.
    expect(
      (await api.upload<Report>('/api/v1/import?kind=block', fixture('blocklist-semicolon.csv'), 'text/csv')).body,
    ).toMatchObject({ added: 0, skipped: 11 });
  });

  it('lists every bad CSV row with its line', async () => {
    const api = await startApi(HOME);
    const res = await api.upload<Refusal>('/api/v1/import?kind=block', fixture('blocklist-bad-rows.csv'), 'text/csv');
    expect(res.status).toBe(400);
    expect(res.body.rejected.map((r) => r.line)).toEqual([4, 5, 7]);
    expect(res.body.message).toContain('(line 4, 5, 7)');
  });

  it('needs a kind for CSV, and says so', async () => {
    const api = await startApi(HOME);
    const res = await api.upload<Refusal>('/api/v1/import', '030 1234567;x\n', 'text/csv');
    expect(res).toMatchObject({
      status: 400,
      body: {
        error: 'bad_request',
        message: 'querystring/kind: a CSV import needs a kind, allow or block: a CSV row does not say which',
      },
    });
  });

  it('imports a PhoneBlock JSON list into the block entries, ignoring removals', async () => {
    const api = await startApi(HOME);
    const res = await api.upload<Report>('/api/v1/import', fixture('phoneblock-blocklist.json'), 'application/json');
    expect(res.body).toMatchObject({ format: 'phoneblock', added: 7, ignoredCount: 2 });
  });

  it('refuses what is no import format with 415, and an empty body with 400', async () => {
    const api = await startApi(HOME);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expect((await api.upload('/api/v1/import', png, 'image/png')).status).toBe(415);
    const empty = await api.inject({
      method: 'POST',
      url: '/api/v1/import?kind=block',
      headers: { 'content-type': 'text/csv' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toMatch(/^body: no file/);
    expect((await api.upload('/api/v1/import?kind=block&colour=red', '0301234567\n', 'text/csv')).body).toMatchObject({
      message: 'querystring must NOT have additional property "colour"',
    });
    expect((await api.upload('/api/v1/import?format=xls', '0301234567\n', 'text/csv')).body).toMatchObject({
      message: 'querystring/format must be one of csv, vcard, fritzbox, phoneblock, json',
    });
  });

  it('answers 413 for a file over CALLFILTER_IMPORT_LIMIT_MB, raw or multipart', async () => {
    const api = await startApi({ env: { CALLFILTER_IMPORT_LIMIT_MB: '1' } });
    const big = Buffer.alloc(1024 * 1024 + 10, '0301234567\n');
    const raw = await api.upload<Refusal>('/api/v1/import?kind=block', big, 'text/csv');
    expect(raw).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    const form = await api.inject({
      method: 'POST',
      url: '/api/v1/import?kind=block',
      ...multipart('file', 'big.csv', big, 'text/csv'),
    });
    expect(form.statusCode).toBe(413);
    expect(form.json().error).toBe('payload_too_large');
    expect(await allEntries(api)).toEqual([]);
  });

  it('refuses a 100,000-row CSV with one bad row near the end, naming its line, and imports it whole once fixed', {
    timeout: 120_000,
  }, async () => {
    const api = await startApi(HOME);
    await api.ctx.store.entries.create({ number: '+4930999999', kind: 'allow', label: 'before' });
    const rows = Array.from({ length: 100_000 }, (_, i) => `0301${String(i).padStart(7, '0')};Robot ${i}`);
    const badIndex = 99_990;
    const good = rows[badIndex] as string;
    rows[badIndex] = '030 1O1 2345;Robot with a typo';
    const file = `Rufnummer;Name\n${rows.join('\n')}\n`;
    const badLine = badIndex + 2; // after the header, 1-based

    const refused = await api.upload<Refusal>('/api/v1/import?kind=block', file, 'text/csv');
    expect(refused.status).toBe(400);
    expect(refused.body.rejected).toMatchObject([
      { line: badLine, error: expect.stringContaining('"030 1O1 2345" is not a phone number') },
    ]);
    expect(refused.body.message).toContain(`(line ${badLine})`);
    expect(await api.ctx.store.entries.count()).toBe(1);
    // The rows written before the bad row was read are gone again, with the import that wrote them.
    expect(await countRows(api.ctx.store, 'SELECT count(*) FROM entries')).toBe(1);
    expect(await countRows(api.ctx.store, 'SELECT count(*) FROM imports')).toBe(0);

    rows[badIndex] = good;
    const fixed = await api.upload<Report>(
      '/api/v1/import?kind=block',
      `Rufnummer;Name\n${rows.join('\n')}\n`,
      'text/csv',
    );
    expect(fixed.body).toMatchObject({ format: 'csv', added: 100_000, skipped: 0, rejected: [] });
    expect(await api.ctx.store.entries.count('block')).toBe(100_000);
    expect((await api.ctx.store.entries.findByNumber('+493010099990', false, 'block'))[0]).toMatchObject({
      label: 'Robot 99990',
    });
  });

  it('screens calls while a big CSV is being written, without its rows, and with all of them after the switch', {
    timeout: 120_000,
  }, async () => {
    const api = await startApi(HOME);
    await api.ctx.store.entries.create({ number: '+493010000001', kind: 'allow', label: 'Anna' });
    const rows = Array.from({ length: 50_000 }, (_, i) => `0301${String(i).padStart(7, '0')};Robot ${i}`);
    const upload = api.upload<Report>('/api/v1/import?kind=block', `${rows.join('\n')}\n`, 'text/csv');
    const written = () => countRows(api.ctx.store, 'SELECT count(*) FROM entries WHERE import_id IS NOT NULL');
    // Rows are committed (another connection would read them) while the import runs…
    while ((await written()) < 1000) await new Promise((resolve) => setTimeout(resolve, 5));
    // …and a call meanwhile is decided, on the entries as they were: the caller is not blocked yet, Anna is a contact.
    const during = await api.call('030 10000002');
    expect(during.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect((await api.call('030 10000001')).variables).toMatchObject({
      CALLFILTER_REASON: 'allowlist',
      CALLFILTER_LABEL: 'Anna',
    });
    expect(await api.ctx.store.entries.count('block')).toBe(0);
    const done = await upload;
    expect(done.body).toMatchObject({ added: 50_000, skipped: 0 });
    expect((await api.call('030 10000002')).variables).toMatchObject({
      CALLFILTER_REASON: 'blocklist',
      CALLFILTER_LABEL: 'Robot 2',
    });
    expect((await api.call('030 10049999')).variables).toMatchObject({ CALLFILTER_REASON: 'blocklist' });
  });
});

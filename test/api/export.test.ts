import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

describe('GET /api/v1/export', () => {
  it('exports the entries as CSV that imports again into the same entries', async () => {
    const api = await startApi(HOME);
    const { entries, contacts } = api.ctx.store;
    await entries.create({
      number: '+493012345670',
      kind: 'block',
      label: 'Gewinnspiel, "Hauptgewinn"',
      note: 'ruft\nständig an',
    });
    await entries.create({ number: '+49401234', prefix: true, kind: 'block', label: 'Callcenter Hamburg' });
    await contacts.createWithNumbers({ name: 'Anna Groß' }, [{ number: '+491701234568' }]);

    const res = await api.inject({ method: 'GET', url: '/api/v1/export?format=csv&kind=block' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="callfilter-block.csv"');
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('number,label,note,kind,action,cause,vip,source,expires');
    expect(lines).toContain('+49401234*,Callcenter Hamburg,,block,,,false,manual,');
    expect(res.body).toContain('+493012345670,"Gewinnspiel, ""Hauptgewinn""","ruft\nständig an",block');

    const fresh = await startApi(HOME);
    const imported = await fresh.upload('/api/v1/import?kind=block', res.body, 'text/csv');
    expect(imported.body).toMatchObject({ added: 2 });
    const shape = (e: { number: string; prefix: boolean; kind: string; label?: string; note?: string }) => [
      e.number,
      e.prefix,
      e.kind,
      e.label,
      e.note,
    ];
    expect((await fresh.ctx.store.entries.list()).items.map(shape).sort()).toEqual(
      (await entries.list({ kind: 'block' })).items.map(shape).sort(),
    );
  });

  it('exports labels with separators and formula starts as text, and they import again as the same rows', async () => {
    const api = await startApi(HOME);
    const labels = ['Gewinn;=HYPERLINK("http://x","y")', '=2+2', 'Info\t+1', 'Lotto, -5 €'];
    for (const [i, label] of labels.entries())
      await api.ctx.store.entries.create({ number: `+49301234567${i}`, kind: 'block', label, note: `@note ${i}` });
    const res = await api.inject({ method: 'GET', url: '/api/v1/export?format=csv' });
    expect(res.body).toContain(`+493012345670,"Gewinn;'=HYPERLINK(""http://x"",""y"")",'@note 0,block`);
    expect(res.body).toContain(`+493012345671,'=2+2,'@note 1,block`);
    expect(res.body).toContain(`+493012345672,"Info\t'+1",'@note 2,block`);
    expect(res.body).toContain(`+493012345673,"Lotto, '-5 €",'@note 3,block`);

    const fresh = await startApi(HOME);
    const imported = await fresh.upload('/api/v1/import?kind=block', res.body, 'text/csv');
    expect(imported.body).toMatchObject({ added: 4, rejected: [] });
    const rows = (await fresh.ctx.store.entries.list()).items.map((e) => [e.number, e.label, e.note]).sort();
    // What a spreadsheet shows as text comes back with its marks: the same rows, no formula anywhere.
    expect(rows).toEqual([
      ['+493012345670', `Gewinn;'=HYPERLINK("http://x","y")`, "'@note 0"],
      ['+493012345671', "'=2+2", "'@note 1"],
      ['+493012345672', "Info\t'+1", "'@note 2"],
      ['+493012345673', "Lotto, '-5 €", "'@note 3"],
    ]);
  });

  it('exports vCard 3.0: one card per contact with all its numbers, one per other entry, and imports again', async () => {
    const api = await startApi(HOME);
    const { entries, contacts } = api.ctx.store;
    await contacts.createWithNumbers({ name: 'Käthe Weiß; Dr.' }, [
      { number: '+493012345672' },
      { number: '+491701234569' },
    ]);
    await entries.create({ number: '+4930555111', kind: 'allow', label: 'Bank' });
    const res = await api.inject({ method: 'GET', url: '/api/v1/export?format=vcard&kind=allow' });
    expect(res.headers['content-type']).toBe('text/vcard; charset=utf-8');
    const cards = res.body.split('END:VCARD\r\n').filter(Boolean);
    expect(cards).toHaveLength(2);
    expect(res.body).toContain('BEGIN:VCARD\r\nVERSION:3.0\r\n');
    expect(res.body).toContain('FN:Käthe Weiß\\; Dr.\r\n');
    expect(res.body).toContain('TEL;TYPE=VOICE:+493012345672\r\nTEL;TYPE=VOICE:+491701234569\r\n');
    expect(res.body).toContain('FN:Bank\r\n');

    const fresh = await startApi(HOME);
    const imported = await fresh.upload('/api/v1/import', res.body, 'text/vcard');
    expect(imported.body).toMatchObject({ format: 'vcard', added: 3, contacts: 2 });
    expect((await fresh.ctx.store.entries.findByNumber('+491701234569', false, 'allow'))[0]).toMatchObject({
      label: 'Käthe Weiß; Dr.',
    });
  });

  it('folds long vCard lines at 75 octets without splitting a character', async () => {
    const api = await startApi(HOME);
    await api.ctx.store.entries.create({
      number: '+4930555111',
      kind: 'allow',
      label: 'Ä'.repeat(60),
      note: 'ö'.repeat(100),
    });
    const body = (await api.inject({ method: 'GET', url: '/api/v1/export?format=vcard' })).body;
    for (const line of body.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(body.replace(/\r\n /g, '')).toContain(`FN:${'Ä'.repeat(60)}\r\n`);
  });

  it('refuses an unknown format', async () => {
    const api = await startApi(HOME);
    expect((await api.json('GET', '/api/v1/export?format=xlsx')).body).toMatchObject({
      message: 'querystring/format must be one of csv, vcard',
    });
  });
});

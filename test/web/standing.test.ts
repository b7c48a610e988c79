/**
 * A call row's standing (GET /api/v1/web/calls: current, both): what the caller's entries decide now, as the policy
 * reads them — exact or prefix — and, where both lists hold the caller, which entry wins over which.
 */
import { describe, expect, it } from 'vitest';
import { startWeb, type TestWeb } from '../helpers/web.js';

interface Row {
  id: number;
  caller?: string;
  action: string;
  reason: string;
  current?: string;
  both?: {
    number: string;
    prefix: boolean;
    wins: { id: number; kind: string };
    loses: { id: number; kind: string };
    why: string;
  };
}

async function latest(web: TestWeb, number: string): Promise<Row> {
  const res = await web.app.inject({
    method: 'GET',
    url: `/api/v1/web/calls?number=${encodeURIComponent(number)}&limit=1`,
    headers: { authorization: `Bearer ${web.token}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: Row[] }>().items[0] as Row;
}

describe("a call row's standing", () => {
  it('a contact who is on the blocklist too: allowed, with the block entry it wins over named', async () => {
    const web = await startWeb();
    const { entries, contacts } = web.ctx.store;
    const {
      entries: [oma],
    } = await contacts.createWithNumbers({ name: 'Oma Gisela', source: 'fritzbox' }, [{ number: '+493012345674' }]);
    const blocked = await entries.create({ number: '+493012345674', kind: 'block', label: 'Unbekannt', source: 'csv' });
    expect((await web.call('030 12345674')).variables.CALLFILTER_ACTION).toBe('connect');
    const row = await latest(web, '+493012345674');
    expect(row).toMatchObject({ action: 'connect', reason: 'contact', current: 'allow' });
    expect(row.both).toMatchObject({
      number: '+493012345674',
      prefix: false,
      wins: { id: oma?.id, kind: 'allow' },
      loses: { id: blocked.id, kind: 'block' },
      why: 'allow beats block',
    });

    // "Block this caller" removes the contact's exact entry: blocked, and nothing left on the other list.
    const blockRes = await web.app.inject({
      method: 'POST',
      url: `/api/v1/calls/${row.id}/block`,
      headers: { authorization: `Bearer ${web.token}` },
    });
    expect(blockRes.statusCode).toBe(200);
    const after = await latest(web, '+493012345674');
    expect(after.current).toBe('block');
    expect(after.both).toBeUndefined();
  });

  it('a caller inside a blocked range is blocked; a contact inside it is allowed (exact beats prefix)', async () => {
    const web = await startWeb();
    const { entries } = web.ctx.store;
    const range = await entries.create({ number: '+4930555', prefix: true, kind: 'block', source: 'api' });
    const anna = await entries.create({ number: '+4930555123', kind: 'allow', label: 'Anna', source: 'api' });
    await web.call('030 555999');
    await web.call('030 555123');
    expect(await latest(web, '+4930555999')).toMatchObject({ action: 'hangup', current: 'block' });
    expect((await latest(web, '+4930555999')).both).toBeUndefined();
    expect(await latest(web, '+4930555123')).toMatchObject({
      action: 'connect',
      current: 'allow',
      both: { number: '+4930555123', wins: { id: anna.id }, loses: { id: range.id }, why: 'exact beats prefix' },
    });
  });
});

/** findConflicts: an import's rows checked against the other list in batches, each pair once, the event loop free. */
import { describe, expect, it } from 'vitest';
import { type ConflictKey, findConflicts } from '../../src/import/index.js';
import { startService } from '../helpers/service.js';

const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+4930777${String(i).padStart(5, '0')}`);

describe('findConflicts', () => {
  it('gives the event loop turns between batches while it checks a big import', async () => {
    const svc = await startService();
    const all = numbers(5_000);
    await svc.ctx.store.entries.bulkInsert(all.map((number) => ({ number, kind: 'allow' as const })));
    await svc.ctx.store.entries.bulkInsert(all.map((number) => ({ number, kind: 'block' as const, source: 'csv' })));
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const rows: ConflictKey[] = all.map((number) => ({ number, prefix: false, kind: 'block' }));
    const report = await findConflicts(svc.ctx, rows);
    running = false;
    expect(report.conflictCount).toBe(5_000);
    expect(report.conflicts).toHaveLength(100);
    // 5,000 rows in batches of 500: the loop turned between them (a timer or a call would have had its turn).
    expect(turns).toBeGreaterThanOrEqual(9);
  });

  it('reports a pair once, however often the file repeats the row, and nothing without the other kind', async () => {
    const svc = await startService();
    const contact = await svc.ctx.store.entries.create({ number: '+4930111222', kind: 'allow', label: 'Anna' });
    await svc.ctx.store.entries.create({ number: '+4930111222', kind: 'block' });
    const row: ConflictKey = { number: '+4930111222', prefix: false, kind: 'block' };
    const report = await findConflicts(svc.ctx, [row, row, row]);
    expect(report).toMatchObject({
      conflictCount: 1,
      conflicts: [{ wins: { id: contact.id, label: 'Anna' }, why: 'allow beats block' }],
    });
    expect(await findConflicts(svc.ctx, [{ number: '+4930999', prefix: true, kind: 'allow' }])).toEqual({
      conflicts: [],
      conflictCount: 0,
    });
  });

  it('finds the same conflicts from the other side as row by row (a big other side)', async () => {
    const svc = await startService();
    const { entries } = svc.ctx.store;
    await entries.create({ number: '+4930111222', kind: 'allow', label: 'Anna' });
    await entries.create({ number: '+4930999', kind: 'allow', prefix: true, label: 'Office' });
    await entries.create({ number: '+49309', kind: 'allow', prefix: true });
    await entries.create({ number: '+4940', kind: 'allow', prefix: true, expiresAt: Date.now() - 1 });
    const rows: ConflictKey[] = [
      { number: '+4930111222', prefix: false, kind: 'block' },
      { number: '+4930111', prefix: true, kind: 'block' },
      { number: '+4930999123', prefix: false, kind: 'block' },
      { number: '+493099', prefix: true, kind: 'block' },
      { number: '+4940123', prefix: false, kind: 'block' },
    ];
    await entries.bulkInsert(rows.map((r) => ({ ...r, source: 'csv' })));
    const fromOtherSide = await findConflicts(svc.ctx, rows);
    const rowByRow = await findConflicts(svc.ctx, rows, { otherSideMax: 0 });
    const summary = (r: typeof fromOtherSide) =>
      r.conflicts
        .map(
          (c) =>
            `${c.number}${c.prefix ? '*' : ''}: ${c.wins.kind} ${c.wins.number} over ${c.loses.kind} ${c.loses.number} (${c.why})`,
        )
        .sort();
    expect(summary(fromOtherSide)).toEqual([
      '+4930111222: allow +4930111222 over block +4930111 (exact beats prefix)',
      '+4930111222: allow +4930111222 over block +4930111222 (allow beats block)',
      '+493099*: block +493099 over allow +49309 (longer prefix)',
      '+4930999*: allow +4930999 over block +493099 (longer prefix)',
      '+4930999123: block +4930999123 over allow +49309 (exact beats prefix)',
      '+4930999123: block +4930999123 over allow +4930999 (exact beats prefix)',
    ]);
    expect(summary(rowByRow)).toEqual(summary(fromOtherSide));
  });
});

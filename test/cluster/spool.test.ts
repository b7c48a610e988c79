/** The call-log spool: a real file, a real kill -9, writers that fail and recover. */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CallLogSpool, type SpoolEntry, type SpoolOptions } from '../../src/cluster/spool.js';
import { tempDir } from '../helpers/service.js';
import { startScript } from '../reliability/processes.js';

interface Row {
  i: number;
  caller?: string;
}

function captureLogger(): { logger: SpoolOptions['logger']; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: unknown, msg?: string) => void lines.push({ level, msg: msg ?? '' });
  return { logger: { warn: at('warn'), error: at('error') } as SpoolOptions['logger'], lines };
}

function openSpool(
  file: string,
  options: Partial<SpoolOptions> = {},
): CallLogSpool<Row> & { lines: { level: string; msg: string }[] } {
  const { logger, lines } = captureLogger();
  const spool = new CallLogSpool<Row>({ file, logger, ...options });
  onTestFinished(() => spool.close());
  return Object.assign(spool, { lines });
}

/** A writer into a "table" with a unique key, as PostgreSQL's ON CONFLICT (key) DO NOTHING behaves. */
function keyedTable(): {
  rows: Map<string, Row>;
  calls: SpoolEntry<Row>[][];
  writer: (e: SpoolEntry<Row>[]) => Promise<void>;
} {
  const rows = new Map<string, Row>();
  const calls: SpoolEntry<Row>[][] = [];
  return {
    rows,
    calls,
    writer: async (entries) => {
      calls.push(entries);
      for (const e of entries) if (!rows.has(e.key)) rows.set(e.key, e.row);
    },
  };
}

describe('CallLogSpool', () => {
  it('keeps appended rows across a reopen and drains them in order, then starts the file afresh', async () => {
    const file = join(tempDir(), 'calls.spool');
    const first = openSpool(file);
    for (let i = 0; i < 5; i++) expect(first.append({ i }, `key-${i}`)).toBe(true);
    first.close();

    const spool = openSpool(file);
    expect(spool.stats()).toMatchObject({ pendingRows: 5, dropped: 0, corrupt: 0 });
    const table = keyedTable();
    expect(await spool.drain(table.writer)).toBe(5);
    expect(table.calls.flat()).toEqual([0, 1, 2, 3, 4].map((i) => ({ key: `key-${i}`, row: { i } })));
    expect(spool.stats()).toMatchObject({ pendingRows: 0, pendingBytes: 0 });
    expect(statSync(file).size).toBe(0);
  });

  it('keeps a row whose append returned when the process is killed with SIGKILL right after', async () => {
    const file = join(tempDir(), 'calls.spool');
    const child = startScript(
      `import { CallLogSpool } from './dist/src/cluster/spool.js';
       const spool = new CallLogSpool({ file: process.argv[1], logger: console });
       for (let i = 0; ; i++) { spool.append({ i, caller: '+4930' + i }); process.stdout.write(i + '\\n'); }`,
      [file],
    );
    await child.waitFor(/^300$/m);
    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    // stdout is a pipe, written synchronously: every number printed was appended before it.
    const printed = child.stdout().split('\n').filter(Boolean).map(Number);

    const spool = openSpool(file);
    const table = keyedTable();
    await spool.drain(table.writer);
    const spooled = [...table.rows.values()].map((r) => r.i);
    expect(spooled.slice(0, printed.length)).toEqual(printed);
    expect(spooled).toEqual(spooled.map((_, i) => i));
  });

  it('leaves the rows in place when the writer fails, and writes each once when it works again', async () => {
    const file = join(tempDir(), 'calls.spool');
    const spool = openSpool(file, { batchRows: 2 });
    for (let i = 0; i < 5; i++) spool.append({ i });

    await expect(spool.drain(async () => Promise.reject(new Error('connection refused')))).rejects.toThrow(
      'connection refused',
    );
    expect(spool.stats().pendingRows).toBe(5);

    // Written to the table, then "crashed" before the spool let go of the batch: the replay sends it again.
    const table = keyedTable();
    let n = 0;
    await expect(
      spool.drain(async (entries) => {
        await table.writer(entries);
        if (++n === 2) throw new Error('lost the connection after the commit');
      }),
    ).rejects.toThrow('after the commit');
    expect(spool.stats().pendingRows).toBe(3);

    expect(await spool.drain(table.writer)).toBe(3);
    expect([...table.rows.values()].map((r) => r.i)).toEqual([0, 1, 2, 3, 4]);
    // Batch 2 (rows 2 and 3) reached the writer twice; the key kept the table at one row each.
    expect(table.calls.map((c) => c.map((e) => e.row.i))).toEqual([[0, 1], [2, 3], [2, 3], [4]]);
  });

  it('includes rows appended while a drain runs', async () => {
    const spool = openSpool(join(tempDir(), 'calls.spool'), { batchRows: 1 });
    spool.append({ i: 0 });
    const table = keyedTable();
    let added = false;
    await spool.drain(async (entries) => {
      if (!added) {
        added = true;
        spool.append({ i: 1 });
      }
      await table.writer(entries);
    });
    expect([...table.rows.values()].map((r) => r.i)).toEqual([0, 1]);
  });

  it('ignores a torn last line and appends the next row on a clean line', async () => {
    const file = join(tempDir(), 'calls.spool');
    const first = openSpool(file);
    first.append({ i: 0 }, 'a');
    first.close();
    appendFileSync(file, '{"k":"torn","r":{"i":');

    const spool = openSpool(file);
    expect(spool.stats().pendingRows).toBe(1);
    expect(spool.lines).toEqual([{ level: 'warn', msg: expect.stringMatching(/torn last line/) }]);
    spool.append({ i: 1 }, 'b');
    const table = keyedTable();
    await spool.drain(table.writer);
    expect([...table.rows.keys()]).toEqual(['a', 'b']);
    expect(spool.stats().corrupt).toBe(0);
  });

  it('skips and counts a complete line that does not parse', async () => {
    const file = join(tempDir(), 'calls.spool');
    appendFileSync(file, '{"k":"a","r":{"i":0}}\nnot json\n{"k":"b","r":{"i":1}}\n');
    const spool = openSpool(file);
    const table = keyedTable();
    expect(await spool.drain(table.writer)).toBe(2);
    expect([...table.rows.keys()]).toEqual(['a', 'b']);
    expect(spool.stats()).toMatchObject({ corrupt: 1, pendingRows: 0 });
  });

  it('refuses rows past the size cap, counts and logs them, and takes rows again once drained', async () => {
    const file = join(tempDir(), 'calls.spool');
    const line = `${JSON.stringify({ k: 'key-0', r: { i: 0 } })}\n`;
    const spool = openSpool(file, { maxBytes: line.length * 3 });
    const accepted = Array.from({ length: 10 }, (_, i) => spool.append({ i }, `key-${i}`));
    expect(accepted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(spool.stats()).toMatchObject({ pendingRows: 3, dropped: 7 });
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    // One log line for the first refusal, not one per row.
    expect(spool.lines.filter((l) => l.level === 'error')).toHaveLength(1);

    await spool.drain(keyedTable().writer);
    expect(spool.append({ i: 10 })).toBe(true);
  });

  it('counts an append after close() as dropped instead of throwing', () => {
    const spool = openSpool(join(tempDir(), 'calls.spool'));
    spool.close();
    spool.close();
    expect(spool.append({ i: 0 })).toBe(false);
    expect(spool.stats().dropped).toBe(1);
  });
});

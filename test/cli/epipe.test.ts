/**
 * The built command under a reader that stops early (`callfilter list | head -1`): it ends quietly with exit 0, as
 * `ls | head` does, instead of an EPIPE stack trace. The output is far larger than a pipe's buffer (64 KiB on
 * Linux), so the command is still writing when head exits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createContext } from '../../src/context.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/callfilter.js');
const ROWS = 1000;
/** A long label makes each line ~300 bytes: ROWS lines are several pipe buffers. */
const LABEL = 'a caller who talks at length '.repeat(10);

let dataDir: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run npm run build first');
  dataDir = mkdtempSync(join(tmpdir(), 'callfilter-epipe-'));
  const ctx = await createContext(
    loadConfig({
      env: { CALLFILTER_DATA_DIR: dataDir, CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_LOG_LEVEL: 'silent' },
    }),
  );
  try {
    const numbers = Array.from({ length: ROWS }, (_, i) => `+49301${String(i).padStart(6, '0')}`);
    await ctx.store.entries.bulkInsert(
      numbers.map((number) => ({ number, prefix: false, kind: 'block' as const, label: LABEL, source: 'test' })),
      { onDuplicate: 'error' },
    );
    await ctx.store.calls.insertMany(
      numbers.map((number, i) => ({
        at: Date.now() - i * 1000,
        callerRaw: number,
        caller: number,
        callerKind: 'number' as const,
        action: 'hangup' as const,
        reason: 'blocklist' as const,
        label: LABEL,
      })),
    );
  } finally {
    ctx.close();
  }
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `callfilter <args> | head -1` in bash and returns the command's own exit status and stderr. */
function throughHead(args: string) {
  const script = `node ${JSON.stringify(BIN)} ${args} 2>"$ERR" | head -1; echo "status=\${PIPESTATUS[0]}"`;
  const errFile = join(dataDir, `stderr-${args.replace(/\W+/g, '-')}.txt`);
  const r = spawnSync('bash', ['-c', `${script}; cat "$ERR"`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, CALLFILTER_DATA_DIR: dataDir, CALLFILTER_HOME_AREA_CODE: '30', ERR: errFile },
  });
  const [first, status, ...stderr] = r.stdout.split('\n');
  return { first, status, stderr: stderr.join('\n').trim() };
}

describe('callfilter … | head -1', () => {
  it.each(['list --limit 1000', 'calls --limit 1000', 'export', 'export --format vcard'])(
    '%s ends quietly with exit 0',
    (args) => {
      const r = throughHead(args);
      expect(r.stderr).toBe('');
      expect(r.status).toBe('status=0');
      expect(r.first).not.toBe('');
    },
  );
});

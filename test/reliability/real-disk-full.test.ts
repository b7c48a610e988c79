/**
 * A real full disk, not a simulated one: the compiled service runs in a private mount namespace on a 4 MiB tmpfs,
 * and the test fills that file system from inside the namespace (nsenter) while calls come in — ENOSPC under the
 * -wal, as on a full SD card. Needs root with CAP_SYS_ADMIN (unshare, mount, nsenter); skipped elsewhere, the
 * max_page_count test in db-faults.test.ts covers the same path without privileges.
 *
 * (A read-only remount cannot be done the same way: the kernel refuses `mount -o remount,ro` with EBUSY while
 * the database is open for writing — db-faults.test.ts uses `PRAGMA query_only` for that.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/service.js';
import { ENTRY, startCommand } from './processes.js';

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt && nsenter --version'], {
    stdio: 'ignore',
  });
  return r.status === 0;
}

const callerAt = (i: number) => ({
  script: 'screen',
  args: ['+4930999000'],
  env: { callerid: `+4930${3_000_000 + i}` },
});

describe.skipIf(!canMount())('a real full disk (tmpfs in a private mount namespace)', () => {
  it('fails open while the disk is full, logs each burst once, and recovers when space is freed', async () => {
    const dir = tempDir();
    const ns = startCommand(
      'unshare',
      ['-m', 'sh', '-c', `mount -t tmpfs -o size=4m tmpfs "${dir}" && exec "${process.execPath}" "${ENTRY}"`],
      {
        CALLFILTER_DATA_DIR: dir,
        CALLFILTER_AGI_PORT: '0',
        CALLFILTER_HTTP_PORT: '0',
        CALLFILTER_ADMIN_TOKEN: 'reliability-test-token-0123456789',
      },
    );
    const port = Number((await ns.waitFor(/agi:\/\/127\.0\.0\.1:(\d+)\/screen/))[1]);
    const inNs = (...cmd: string[]) =>
      execFileSync('nsenter', ['-t', String(ns.child.pid), '-m', ...cmd], { encoding: 'utf8' });

    expect((await fakeCall({ port }, callerAt(0))).variables.CALLFILTER_ACTION).toBe('voicemail');
    inNs('sh', '-c', `dd if=/dev/zero of="${dir}/fill" bs=64k 2>/dev/null; true`);
    expect(inNs('df', '--output=avail', dir)).toMatch(/\s0\s*$/);

    // The WAL checkpointer (store/checkpointer.ts) frees WAL space that later rows reuse without growing the file,
    // so some calls after the disk filled may still be logged: call until 20 have failed open (bounded).
    const during: Record<string, string>[] = [];
    const failedOpen = (v: Record<string, string>) =>
      v.CALLFILTER_ACTION === 'connect' && v.CALLFILTER_REASON === 'fail-open';
    for (let i = 1; i <= 500 && during.filter(failedOpen).length < 20; i++)
      during.push((await fakeCall({ port }, callerAt(i))).variables);
    expect(during.filter(failedOpen)).toHaveLength(20);
    // Every other call was decided and logged as usual (it has a call id): none answered with an error.
    expect(
      during
        .filter((v) => !failedOpen(v))
        .every((v) => v.CALLFILTER_REASON === 'unknown' && Number(v.CALLFILTER_CALL_ID) > 0),
    ).toBe(true);
    // Bursts of failures in a row: each is logged once (and its end as a recovery).
    const bursts = during.filter((v, i) => failedOpen(v) && !(i > 0 && failedOpen(during[i - 1] ?? {}))).length;

    inNs('rm', `${dir}/fill`);
    const after = (await fakeCall({ port }, callerAt(501))).variables;
    expect(after).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect(Number(after.CALLFILTER_CALL_ID)).toBeGreaterThan(0);

    ns.child.kill('SIGTERM');
    expect((await ns.exited).code).toBe(0);
    const lines = ns
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; err?: { code?: string } });
    const failing = lines.filter((l) => l.msg === 'screening failed; failing open');
    expect(failing).toHaveLength(bursts);
    expect(failing.every((l) => l.err?.code === 'full')).toBe(true);
    expect(lines.some((l) => l.msg === 'screening recovered')).toBe(true);
    console.log(
      `[reliability] real disk full (tmpfs, ENOSPC): 20 calls failed open (${during.length - 20} logged meanwhile), ${bursts} error line(s), recovered at the next call`,
    );
  });
});

/**
 * A 1,000,000-row CSV imported into the personal entries through the admin API while a call arrives every 50 ms over
 * FastAGI: every call must be decided (not failed open) within 50 ms, and the service must stay within 300 MB.
 * Half the callers are numbers of the file — unknown until the import switches in, blocked after — half are not.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FakeCallResult, fakeCall } from 'asterisk-agi/testing';
import BetterSqlite3 from 'better-sqlite3';
import { DID } from '../dataset.js';
import { csvNumber, writeCsv } from '../import-bench.js';
import { hwmMB, removeNow, removeOnExit } from '../processes.js';
import { startCallfilter } from '../servers.js';
import { summarize } from '../stats.js';
import type { Figure, Scenario } from './scenario.js';

const ROWS = 1_000_000;
const CALL_EVERY_MS = 50;
const CALL_P99_MS = 50;
const RSS_MB = 300;
const HEALTH_EVERY_MS = 200;
/** Calls before the upload starts and after it answered: the service's latency without an import, for comparison. */
const QUIET_MS = 2_000;
/** A call that ended this long before the switch (imports.finished_at) was decided before it. */
const SWITCH_MARGIN_MS = 20;
/** Far above any sane import: the scenario must end. */
const IMPORT_TIMEOUT_MS = 15 * 60_000;

/** When the last import switched in, on this process's performance.now() clock. */
function switchedAt(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const at = db
      .prepare("SELECT finished_at FROM imports WHERE state = 'done' ORDER BY id DESC LIMIT 1")
      .pluck()
      .get();
    if (typeof at !== 'number') throw new Error('no import switched in');
    return at - performance.timeOrigin;
  } finally {
    db.close();
  }
}

interface Placed {
  at: number;
  during: boolean;
  inFile: boolean;
  result: FakeCallResult;
}

/** POST with node:http: fetch gives up on a response that takes over 300 s. */
function post(url: string, token: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.setTimeout(IMPORT_TIMEOUT_MS, () => req.destroy(new Error('the import did not answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}

async function healthMs(url: string): Promise<number> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/healthz`);
    await res.arrayBuffer();
  } catch {
    // a failed check counts with the time it took
  }
  return performance.now() - started;
}

async function waitForToken(file: string): Promise<string> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(50);
  return readFileSync(file, 'utf8').trim();
}

async function run(): Promise<Figure[]> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'callfilter-abuse-import-')));
  try {
    const csv = join(dir, 'block.csv');
    const bytes = await writeCsv(csv, ROWS);
    const body = readFileSync(csv);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const server = await startCallfilter({
      name: 'import-calls',
      dataDir,
      env: { CALLFILTER_IMPORT_LIMIT_MB: String(Math.ceil((2 * bytes) / 2 ** 20)) },
    });
    const pid = server.pid as number;
    try {
      const token = await waitForToken(join(dataDir, 'admin-token'));
      while ((await fetch(`${server.http}/healthz`).catch(() => undefined))?.status !== 200) await sleep(50);
      const port = server.target.kind === 'tcp' ? server.target.port : 0;

      const placed: Promise<Placed>[] = [];
      let importing = false;
      let n = 0;
      const placeCall = () => {
        const i = n++;
        const inFile = i % 2 === 0;
        // Numbers of the file from all over it; the others a range the file does not use.
        const caller = inFile ? csvNumber((i * 104_729) % ROWS) : `+4930${String(5_000_000 + i)}`;
        const at = performance.now();
        const during = importing;
        placed.push(
          fakeCall(
            { port, host: '127.0.0.1' },
            { script: 'screen', args: [DID], env: { callerid: caller, uniqueid: `abuse.${i}` }, timeoutMs: 10_000 },
          ).then((result) => ({ at, during, inFile, result })),
        );
      };
      const calls = setInterval(placeCall, CALL_EVERY_MS);
      const health: number[] = [];
      const checks = setInterval(
        () => void healthMs(server.http).then((ms) => importing && health.push(ms)),
        HEALTH_EVERY_MS,
      );

      await sleep(QUIET_MS);
      importing = true;
      const started = performance.now();
      const answer = await post(`${server.http}/api/v1/import?kind=block`, token, body);
      const answered = performance.now();
      // The switch is the import's row turning 'done'; the report (the conflicts of a million rows) comes after it.
      const switched = switchedAt(join(dataDir, 'callfilter.db'));
      const importSeconds = (answered - started) / 1000;
      importing = false;
      await sleep(QUIET_MS);
      clearInterval(calls);
      clearInterval(checks);
      const results = await Promise.all(placed);
      const peak = hwmMB(pid);

      const during = results.filter((c) => c.during);
      const decided = during.filter(
        (c) =>
          c.result.variables.CALLFILTER_ACTION !== undefined && c.result.variables.CALLFILTER_REASON !== 'fail-open',
      );
      const failOpen = during.filter((c) => c.result.variables.CALLFILTER_REASON === 'fail-open').length;
      const p99 = summarize(during.map((c) => c.result.durationMs)).p99;
      const quiet = summarize(results.filter((c) => !c.during).map((c) => c.result.durationMs));
      const after = results.filter((c) => !c.during && c.at > started && c.inFile);
      const blockedAfter = after.filter((c) => c.result.variables.CALLFILTER_REASON === 'blocklist').length;
      const early = during.filter((c) => c.inFile && c.at + c.result.durationMs < switched - SWITCH_MARGIN_MS);
      const blockedEarly = early.filter((c) => c.result.variables.CALLFILTER_REASON === 'blocklist').length;
      let report = answer.text.slice(0, 200);
      try {
        const r = JSON.parse(answer.text) as { added: number; skipped: number };
        report = `${r.added.toLocaleString('en')} added, ${r.skipped.toLocaleString('en')} skipped`;
      } catch {
        // shown as it came
      }
      return [
        {
          what: `import of ${ROWS.toLocaleString('en')} CSV rows (${(bytes / 1e6).toFixed(1)} MB) through POST /api/v1/import`,
          value: `${answer.status}: ${report}`,
          target: '200',
          pass: answer.status === 200,
        },
        {
          what: 'import duration',
          value: `${importSeconds.toFixed(1)} s (switched in after ${((switched - started) / 1000).toFixed(1)} s; then the report of its conflicts)`,
        },
        {
          what: `calls placed every ${CALL_EVERY_MS} ms during the import, decided (not failed open)`,
          value: `${decided.length} of ${during.length} (${failOpen} failed open)`,
          target: 'all',
          pass: during.length > 0 && decided.length === during.length,
        },
        {
          what: 'call p99 during the import (connect → the service closes)',
          value: `${p99.toFixed(1)} ms (max ${Math.max(...during.map((c) => c.result.durationMs)).toFixed(1)} ms)`,
          target: `≤ ${CALL_P99_MS} ms`,
          pass: p99 <= CALL_P99_MS,
        },
        {
          what: 'call p99 without an import (before and after)',
          value: `${quiet.p99.toFixed(1)} ms over ${quiet.n} calls`,
        },
        {
          what: 'callers of the file blocked before the switch (imports.finished_at)',
          value: `${blockedEarly} of ${early.length}`,
          target: 'none',
          pass: blockedEarly === 0,
        },
        {
          what: 'callers of the file blocked after the import',
          value: `${blockedAfter} of ${after.length}`,
          target: 'all',
          pass: after.length > 0 && blockedAfter === after.length,
        },
        {
          what: 'peak RSS of the service (VmHWM)',
          value: peak === undefined ? 'n/a' : `${peak.toFixed(0)} MB`,
          target: `≤ ${RSS_MB} MB`,
          pass: peak !== undefined && peak <= RSS_MB,
        },
        {
          what: `/healthz worst latency during the import (every ${HEALTH_EVERY_MS} ms)`,
          value: `${Math.max(0, ...health).toFixed(1)} ms over ${health.length} checks`,
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    removeNow(dir);
  }
}

export const importCalls: Scenario = { name: 'import-calls', run };

/**
 * `npm run soak [-- --minutes 10 --rate 20]`: the real service (dist/src/server.js, its own process) under a
 * fixed-rate mixed load (bench/soak-load.ts) for N minutes. Every 30 s it prints the calls decided, fail-opens, the
 * p99 decision latency seen by the fake Asterisk, and the service's RSS, V8 heap and open file descriptors; at the
 * end, whether any of them trended upward (bench/soak-trend.ts). Exit code 1 when something trended up, a call
 * failed open or went undecided, or the service did not shut down cleanly.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLoad } from './soak-load.js';
import { seedDatabase } from './soak-seed.js';
import { formatDetail, formatRow, HEADER, type SoakSample, trends } from './soak-trend.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'src', 'server.js');
const log = (line: string): void => void process.stdout.write(`${line}\n`);
/** After the full collection a sample asks for, before it reads the heap and RSS. */
const GC_SETTLE_MS = 300;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '20' },
    interval: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const intervalS = Number(args.interval);
const warmup = Number(args.warmup);
if (!(minutes > 0) || !(rate > 0) || !(intervalS > 0) || !(warmup >= 0)) {
  process.stderr.write('usage: npm run soak -- [--minutes 10] [--rate 20] [--interval 30] [--warmup 2] [--keep]\n');
  process.exit(2);
}

function procStatus(pid: number): { rssMB: number; anonMB: number; fileMB: number; shmemMB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return {
    rssMB: mb('VmRSS'),
    anonMB: mb('RssAnon'),
    fileMB: mb('RssFile'),
    shmemMB: mb('RssShmem'),
    fds: readdirSync(`/proc/${pid}/fd`).length,
  };
}

function fileMB(...files: string[]): number {
  let bytes = 0;
  for (const f of files) bytes += existsSync(f) ? statSync(f).size : 0;
  return bytes / 1024 / 1024;
}

function metric(text: string | undefined, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text ?? '');
  return m ? Number(m[1]) : Number.NaN;
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callfilter-soak-'));
  const token = randomBytes(24).toString('base64url');
  log(`soak: ${minutes} min at ${rate} calls/s plus abuse and admin API traffic; data in ${dataDir}`);
  const numbers = await seedDatabase(join(dataDir, 'callfilter.db'));

  // --expose-gc and the preload let every sample start with a full collection (SIGUSR2): the heap read is the live one.
  const preload = new URL('./soak-gc-preload.js', import.meta.url).href;
  const child = spawn(process.execPath, ['--expose-gc', '--import', preload, ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      CALLFILTER_DATA_DIR: dataDir,
      CALLFILTER_AGI_PORT: '0',
      CALLFILTER_HTTP_PORT: '0',
      CALLFILTER_ADMIN_TOKEN: token,
      CALLFILTER_AGI_ALLOW: '127.0.0.1',
      CALLFILTER_HOME_AREA_CODE: '30',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  process.on('exit', () => child.kill('SIGKILL'));
  let logBytes = 0;
  let head = '';
  const ports = await new Promise<{ agi: number; http: string }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      logBytes += d.length;
      if (head.length < 10_000) head += d.toString();
      const m = /agi:\/\/127\.0\.0\.1:(\d+)\/screen.*?"http":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(head);
      if (m) resolve({ agi: Number(m[1]), http: m[2] as string });
    });
    void exited.then((code) => reject(new Error(`the service exited (${code}) before listening`)));
  });
  const pid = child.pid as number;

  const load = startLoad({ agiPort: ports.agi, httpUrl: ports.http, token, rate, numbers, seed: 42 });
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  log(HEADER);
  for (let k = 1; k * intervalS <= minutes * 60; k++) {
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + k * intervalS * 1000 - performance.now())));
    const s = load.take();
    child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, GC_SETTLE_MS));
    const text = await load.metrics();
    const MB = 1024 * 1024;
    const { rssMB, fds, anonMB, fileMB: rssFileMB, shmemMB } = procStatus(pid);
    const db = join(dataDir, 'callfilter.db');
    const sample: SoakSample = {
      minute: (performance.now() - t0) / 60_000,
      load: s,
      rssMB,
      heapMB: metric(text, 'callfilter_nodejs_heap_size_used_bytes') / MB,
      fds,
      logKB: logBytes / 1024,
      detail: {
        anonMB,
        fileMB: rssFileMB,
        shmemMB,
        heapTotalMB: metric(text, 'callfilter_nodejs_heap_size_total_bytes') / MB,
        externalMB: metric(text, 'callfilter_nodejs_external_memory_bytes') / MB,
        dbMB: fileMB(db, `${db}-wal`),
        loadAvg: loadavg()[0] ?? Number.NaN,
      },
    };
    logBytes = 0;
    samples.push(sample);
    log(formatRow(sample));
  }
  await load.stop();

  child.kill('SIGTERM');
  const code = await exited;
  log(`service stopped with exit code ${code}`);
  if (!args.keep) rmSync(dataDir, { recursive: true, force: true });

  for (const line of formatDetail(samples)) log(line);
  const verdict = trends(samples, warmup);
  for (const line of verdict.lines) log(line);
  return verdict.ok && code === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

/**
 * Time and peak memory of importing a big CSV into a fresh database: `callfilter import <file> --kind block` when
 * the CLI has that command, else the same streaming path driven directly (bench/import-child.ts).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { hwmMB, kibToMB, removeNow, removeOnExit, start } from './processes.js';
import { ROOT, serviceEnv } from './servers.js';

export interface ImportResult {
  rows: number;
  csvBytes: number;
  /** What ran: the CLI command, or the fallback. */
  method: string;
  seconds: number;
  rowsPerSec: number;
  /** VmHWM of the importing process, MB. */
  peakRssMB: number | undefined;
  exitCode: number | null;
  output: string;
}

/** Mobile ranges no other bench data uses, written the ways exported lists write them. */
const RANGES = ['171', '172', '173', '174', '175', '178', '179'] as const;

const rangeOf = (i: number) => RANGES[i % RANGES.length] as string;
const subscriberOf = (i: number) =>
  String((Math.floor(i / RANGES.length) * 7919 + 4242) % 100_000_000).padStart(8, '0');

/** The E.164 number of row i of writeCsv's file. */
export function csvNumber(i: number): string {
  return `+49${rangeOf(i)}${subscriberOf(i)}`;
}

function csvLine(i: number): string {
  const range = rangeOf(i);
  const sub = subscriberOf(i);
  const label = i % 2 === 0 ? 'Werbung' : i % 5 === 0 ? 'Umfrage "Energie"' : '';
  const quoted = label.includes('"') ? `"${label.replace(/"/g, '""')}"` : label;
  switch (i % 4) {
    case 0:
      return `+49 ${range} ${sub};${quoted};\n`;
    case 1:
      return `0${range}/${sub};${quoted};gemeldet\n`;
    case 2:
      return `0049${range}${sub};${quoted};\n`;
    default:
      return `0${range}-${sub.slice(0, 4)} ${sub.slice(4)};${quoted};\n`;
  }
}

export async function writeCsv(file: string, rows: number): Promise<number> {
  const out = createWriteStream(file);
  out.write('Rufnummer;Name;Kommentar\n');
  const CHUNK = 10_000;
  for (let from = 0; from < rows; from += CHUNK) {
    let text = '';
    for (let i = from; i < Math.min(rows, from + CHUNK); i++) text += csvLine(i);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(file).size;
}

/** Whether the CLI has an `import` command yet (another engineer is adding it). */
export function cliHasImport(): boolean {
  try {
    const help = execFileSync(process.execPath, [join(ROOT, 'bin/callfilter.js'), 'help'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return /^\s+import\b/m.test(help);
  } catch {
    return false;
  }
}

export async function measureImport(rows: number, log: (line: string) => void): Promise<ImportResult> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'callfilter-bench-import-')));
  try {
    const csv = join(dir, `block-${rows}.csv`);
    const csvBytes = await writeCsv(csv, rows);
    const dataDir = join(dir, 'data');
    const hwmFile = join(dir, 'hwm');
    const preload = ['--import', pathToFileURL(join(ROOT, 'dist/bench/hwm-preload.js')).href];
    const useCli = cliHasImport();
    const args = useCli
      ? [...preload, join(ROOT, 'bin/callfilter.js'), 'import', csv, '--kind', 'block']
      : [...preload, join(ROOT, 'dist/bench/import-child.js'), csv, dataDir];
    const method = useCli
      ? 'node bin/callfilter.js import <csv> --kind block'
      : 'fallback: src/import/formats csvRows() → entries.bulkInsert per 5,000 rows (no CLI import command yet)';
    log(`importing ${rows.toLocaleString('en')} CSV rows (${(csvBytes / 1e6).toFixed(1)} MB) via ${method}`);
    const started = performance.now();
    const child = start(process.execPath, args, {
      cwd: ROOT,
      env: { ...serviceEnv(dataDir), BENCH_HWM_FILE: hwmFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
    child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
    // Polled as well, in case the exit hook cannot write (a crash).
    let polled: number | undefined;
    const poll = setInterval(() => {
      const hwm = child.pid === undefined ? undefined : hwmMB(child.pid);
      if (hwm !== undefined) polled = Math.max(polled ?? 0, hwm);
    }, 25);
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    const seconds = (performance.now() - started) / 1000;
    clearInterval(poll);
    let peakRssMB = polled;
    try {
      const kib = Number(readFileSync(hwmFile, 'utf8'));
      if (kib > 0) peakRssMB = kibToMB(kib);
    } catch {
      // keep the polled value
    }
    return { rows, csvBytes, method, seconds, rowsPerSec: rows / seconds, peakRssMB, exitCode, output: output.trim() };
  } finally {
    removeNow(dir);
  }
}

/**
 * Where a V8 CPU profile (`node --cpu-prof`) spends its time: self time by part of the stack, per function and per
 * source file, in percent of the samples. `node dist/bench/profile-summary.js <file.cpuprofile> [top] [skip ms]`
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Samples in the first `skipMs` (startup, warm-up) were left out. */
  skippedMs: number;
  functions: { name: string; where: string; selfPct: number }[];
  files: { file: string; selfPct: number }[];
  /** Self time by part of the stack (SQLite calls, sockets, the AGI library, libphonenumber, …). */
  parts: { part: string; selfPct: number }[];
}

/** Which part of the stack a file (as `short()` names it) or a native frame belongs to; first match wins. */
const PARTS: [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['SQLite (store statements, native time included)', /^dist\/src\/store\/|^better-sqlite3\//],
  ['policy + screen handler', /^dist\/src\/(policy|screen)\//],
  ['numbers (our code)', /^dist\/src\/numbers\//],
  ['libphonenumber-js', /^libphonenumber-js\//],
  ['AGI library (asterisk-agi)', /^dist\/(session|env|line-reader|reply|server|command-line|errors|logger)\.js$/],
  [
    'logging (pino, its synchronous writes)',
    /^(pino|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|@pinojs)\/|^writeString$/,
  ],
  ['metrics (prom-client)', /^(prom-client|tdigest|bintrees)\//],
  [
    'admin API (fastify & co)',
    /^(fastify|@fastify|avvio|find-my-way|ajv|fast-json-stringify|light-my-request|pino-std-serializers)/,
  ],
  [
    'sockets, streams, events (node core + native writes)',
    /^node:(net|events|internal\/(streams|stream_base_commons|net|socketaddress|blocklist|process\/task_queues|timers|buffer|encoding))|^(writeUtf8String|writeBuffer|writev|close|shutdown|decodeUTF8|decode|onconnection|runMicrotasks|getpeername)$|^node:(buffer|timers)$/,
  ],
  [
    'module loading (startup)',
    /^node:internal\/(modules|bootstrap)|^(compileSourceTextModule|wrapSafe|readFileUtf8|openFileHandle)$/,
  ],
  ['(program)', /^\(program\)$/],
];

/** Shortens a URL to the part after node_modules/ or the project's dist/. */
function short(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 25, skipMs = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    elapsed += dt;
    if (elapsed < skipMs * 1000) return;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = `${short(frame.url)}:${frame.lineNumber + 1}`;
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const entry = fns.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
    const f = frame.url ? short(frame.url) : name; // (garbage collector), (program), (idle)
    files.set(f, (files.get(f) ?? 0) + us);
  }
  const pct = (us: number) => (100 * us) / total;
  const parts = new Map<string, number>();
  for (const [f, us] of files) {
    const part = PARTS.find(([, re]) => re.test(f))?.[0] ?? 'other';
    parts.set(part, (parts.get(part) ?? 0) + us);
  }
  return {
    totalMs: total / 1000,
    skippedMs: skipMs,
    parts: [...parts.entries()].sort((a, b) => b[1] - a[1]).map(([part, us]) => ({ part, selfPct: pct(us) })),
    functions: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, selfPct: pct(e.us) })),
    files: [...files.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([file, us]) => ({ file, selfPct: pct(us) })),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [
    `total ${s.totalMs.toFixed(0)} ms sampled${s.skippedMs ? ` (first ${s.skippedMs} ms left out)` : ''}`,
    '',
    'self time by part:',
  ];
  for (const p of s.parts) lines.push(`  ${p.selfPct.toFixed(1).padStart(5)} %  ${p.part}`);
  lines.push('', 'self time by function:');
  for (const fn of s.functions) lines.push(`  ${fn.selfPct.toFixed(1).padStart(5)} %  ${fn.name}  ${fn.where}`);
  lines.push('', 'self time by file:');
  for (const file of s.files) lines.push(`  ${file.selfPct.toFixed(1).padStart(5)} %  ${file.file}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top, skip] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top] [skip ms]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summarizeProfile(file, Number(top ?? 25), Number(skip ?? 0)))}\n`);
}

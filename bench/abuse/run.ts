/**
 * `npm run abuse`: the attacks of the hardening issue, bounded and on loopback only, each against a service started
 * for it in a temporary data folder. Prints every figure beside its target. Not part of `npm test`: it measures, and
 * a busy machine moves the figures.
 *
 *   npm run abuse                 every scenario
 *   npm run abuse -- <name> …     only these (names as printed)
 */
import { installCleanup, stopAll } from '../processes.js';
import { agiFlood } from './agi-flood.js';
import { importCalls } from './import-calls.js';
import type { Figure, Scenario } from './scenario.js';
import { sseStall } from './sse-stall.js';

const SCENARIOS: Scenario[] = [agiFlood, importCalls, sseStall];

function format(name: string, figures: Figure[]): string {
  const lines = [`== ${name}`];
  for (const f of figures) {
    const mark = f.pass === undefined ? '     ' : f.pass ? 'PASS ' : 'FAIL ';
    lines.push(`${mark} ${f.what}: ${f.value}${f.target === undefined ? '' : `  (target ${f.target})`}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  installCleanup();
  const wanted = process.argv.slice(2);
  const chosen = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
  if (wanted.length && chosen.length !== wanted.length) {
    throw new Error(`unknown scenario; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  let failed = 0;
  for (const scenario of chosen) {
    const started = Date.now();
    const figures = await scenario.run();
    failed += figures.filter((f) => f.pass === false).length;
    process.stdout.write(`${format(scenario.name, figures)}\n   (${((Date.now() - started) / 1000).toFixed(1)} s)\n\n`);
  }
  process.stdout.write(failed === 0 ? 'every target met\n' : `${failed} target(s) missed\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`abuse: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => void stopAll());

/** The real `callfilter` command (bin/callfilter.js, compiled code) in a child process, killed when the test ends. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, ROOT, startChild } from '../reliability/processes.js';

const BIN = join(ROOT, 'bin', 'callfilter.js');

export function callfilter(args: string[], env: Record<string, string>): Child {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run npx tsc -b first');
  return startChild([BIN, ...args], { CALLFILTER_LOG_LEVEL: 'warn', ...env });
}

/** Runs the command to its end: exit code and output. */
export async function runCallfilter(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = callfilter(args, env);
  const { code } = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

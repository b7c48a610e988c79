/** The command line in-process, as `bin/callfilter.js` runs it: its exit code, its lines, its messages, its writes. */
import { run } from '../../src/cli/main.js';
import type { ProgressStream } from '../../src/cli/progress.js';

export interface CliResult {
  code: number;
  /** stdout lines, joined by \n. */
  out: string;
  /** stderr lines, joined by \n. */
  err: string;
  /** What the command wrote raw (an export). */
  written: string;
}

export async function runCli(
  argv: string[],
  env: Record<string, string>,
  progress?: ProgressStream,
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const written: string[] = [];
  const code = await run(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
    env,
    { write: (chunk) => void written.push(chunk), ...(progress && { progress }) },
  );
  return { code, out: out.join('\n'), err: err.join('\n'), written: written.join('') };
}

/** A data folder at home in Berlin (area code 30), the log off: what most command-line tests run in. */
export function homeEnv(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  return { CALLFILTER_DATA_DIR: dataDir, CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_LOG_LEVEL: 'silent', ...env };
}

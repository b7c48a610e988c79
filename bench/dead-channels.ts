/**
 * The row pair of issue 21: our service with every notification channel pointed at a dead address — MQTT, a webhook
 * and the digest's SMTP server each on a loopback port nothing listens on, the voicemail follow-up on an empty spool
 * — against the same service with all channels off, in the same interleaved rows. Calls must be decided with the
 * same CPU per call and p99 within run noise: a dead channel never reaches the call path.
 *
 * It runs on its own copy of the database (taken before any server starts): the service without channels would
 * otherwise find the webhook items of this one in the shared outbox.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyToTempDataDir } from './build-db.js';
import { freePort } from './processes.js';
import type { LoadRow } from './report.js';
import { type CallfilterOptions, type RunningServer, startCallfilter } from './servers.js';

export const DEAD_CHANNELS = 'callfilter (dead channels)';

/** Ports that were free a moment ago: a connection to them is refused, as to a broker or receiver that is down. */
async function deadEnv(dataDir: string): Promise<Record<string, string>> {
  const [mqtt, hook, smtp] = [await freePort(), await freePort(), await freePort()];
  const spool = join(dataDir, 'voicemail');
  mkdirSync(spool, { recursive: true });
  return {
    CALLFILTER_MQTT_URL: `mqtt://127.0.0.1:${mqtt}`,
    CALLFILTER_WEBHOOK_URL: `http://127.0.0.1:${hook}/hook`,
    CALLFILTER_WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
    CALLFILTER_DIGEST: 'daily',
    CALLFILTER_SMTP_URL: `smtp://127.0.0.1:${smtp}`,
    CALLFILTER_MAIL_FROM: 'callfilter@bench.invalid',
    CALLFILTER_MAIL_TO: 'household@bench.invalid',
    CALLFILTER_PUBLIC_URL: 'https://callfilter.bench.invalid/',
    CALLFILTER_VOICEMAIL_DIR: spool,
  };
}

/** Copies the database now; the returned starter starts the service on the copy when its turn comes. */
export function deadChannelsStarter(
  dbFile: string,
  options: Omit<CallfilterOptions, 'name' | 'dataDir'>,
): () => Promise<RunningServer> {
  const copy = copyToTempDataDir(dbFile);
  return async () =>
    startCallfilter({
      ...options,
      name: DEAD_CHANNELS,
      dataDir: copy.dataDir,
      env: { ...options.env, ...(await deadEnv(copy.dataDir)) },
    });
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? `${((a / b) * 100).toFixed(0)} %` : 'n/a';

/** Per load: dead channels against channels off — CPU per call and p99 as a share of the latter's. */
export function formatDeadChannels(rows: LoadRow[], ours: string): string | undefined {
  const pairs = rows
    .filter((r) => r.server === DEAD_CHANNELS)
    .map((dead) => [dead, rows.find((r) => r.server === ours && r.load === dead.load)] as const);
  if (pairs.length === 0) return undefined;
  const lines = ['every channel dead vs. all channels off (same rows, slices interleaved):'];
  for (const [dead, off] of pairs) {
    if (!off) continue;
    lines.push(
      `  ${dead.load.padEnd(7)} server CPU/call ${ratio(dead.serverCpuUsPerCall, off.serverCpuUsPerCall).padStart(5)} of off` +
        ` (${dead.serverCpuUsPerCall?.toFixed(0) ?? '?'} vs ${off.serverCpuUsPerCall?.toFixed(0) ?? '?'} µs),` +
        ` p99 ${ratio(dead.result.latency.p99, off.result.latency.p99).padStart(5)} (${dead.result.latency.p99.toFixed(2)} vs ${off.result.latency.p99.toFixed(2)} ms),` +
        ` errors ${dead.result.errors} vs ${off.result.errors}`,
    );
  }
  return lines.join('\n');
}

/**
 * Prometheus metrics (prom-client). Calls and decision latency come from the screening handler's onScreened hook, live
 * sessions from the AgiServer, and everything that went wrong from the context's FaultCounters (src/faults.ts: fail-
 * opens, errors, refused connections, database file events), read when scraped. Each instance has its own Registry:
 * no global state, so tests (and two apps in one process) never collide. The metrics hold counts and timings only —
 * no numbers, no names.
 */
import type { AgiRejectReason, AgiServer } from 'asterisk-agi';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type FaultCounter, type FaultCounters, INITIAL_FAULT_LABELS } from '../faults.js';
import type { Screened } from '../screen/screen-call.js';
import type { LiveCheck } from '../sources/phoneblock/live.js';

/** Decision latency buckets (seconds): a decision takes well under a millisecond; the deadline is 1 s by default. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface Metrics {
  readonly registry: Registry;
  /** The screening handler's onScreened hook. Never throws. */
  onScreened(outcome: Screened): void;
  /** Follows the AGI server's live sessions (and, without FaultCounters, its errors and refused connections). */
  attach(agi: AgiServer): void;
  /** Counts an error that no FaultCounters see: an admin API answer with status 5xx ('http'). */
  error(source: 'http' | 'screen' | 'agi'): void;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** The context's fault counters (ctx.faults). Without them, errors and fail-opens are counted from the hooks. */
  faults?: FaultCounters;
  /** The live PhoneBlock check (ctx.phoneblockLive), when it is on: its outcomes are counted. */
  live?: Pick<LiveCheck, 'counts' | 'size'>;
  /** Also collect Node's process metrics (memory, CPU, event-loop lag); the service does, tests need not. */
  processMetrics?: boolean;
}

type Labels = Record<string, string>;

/**
 * A counter whose values are the FaultCounters' at scrape time, plus any counted here (`own`), with every label set
 * of `initial` shown at 0 until it counts (src/faults.ts INITIAL_FAULT_LABELS says why).
 */
function faultCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => { labels: Labels; value: number }[],
  initial: readonly Labels[] = [],
) {
  const own = new Map<string, { labels: Labels; value: number }>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const labels of initial) this.inc(labels, 0);
      for (const { labels, value } of [...read(), ...own.values()]) this.inc(labels, value);
    },
  });
  return (labels: Labels) => {
    const key = JSON.stringify(labels);
    const entry = own.get(key);
    if (entry) entry.value += 1;
    else own.set(key, { labels, value: 1 });
  };
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const { faults } = options;
  const registry = new Registry();
  const registers = [registry];
  let agi: AgiServer | undefined;
  const calls = new Counter({
    name: 'callfilter_calls_total',
    help: 'Screened calls by decided action and reason.',
    labelNames: ['action', 'reason'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'callfilter_decision_seconds',
    help: 'Time from the AGI request to the decision (normalise, look up, decide), before the call-log commit.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'callfilter_agi_sessions',
    help: 'FastAGI connections open right now.',
    registers,
    collect() {
      this.set(agi?.liveSessions ?? 0);
    },
  });
  const read = (counter: FaultCounter) => () =>
    faults ? faults.values(counter).map((c) => ({ labels: c.labels as unknown as Labels, value: c.value })) : [];
  const initial = (counter: keyof typeof INITIAL_FAULT_LABELS) => INITIAL_FAULT_LABELS[counter] as unknown as Labels[];
  const error = faultCounter(
    registry,
    'callfilter_errors_total',
    'Errors by where (screen, store, agi, http) and kind (a database error code, deadline, an AGI error, internal).',
    ['source', 'kind'],
    read('errors'),
    [...initial('errors'), { source: 'http', kind: 'internal' }],
  );
  const failOpen = faultCounter(
    registry,
    'callfilter_fail_opens_total',
    'Calls connected because no decision could be made (reason fail-open), by why.',
    ['why'],
    read('failOpens'),
    initial('failOpens'),
  );
  const rejected = faultCounter(
    registry,
    'callfilter_agi_rejected_total',
    'FastAGI connections closed unanswered, by reason (allow list, connection caps, closing, wrong or missing key).',
    ['reason'],
    read('agiRejected'),
    initial('agiRejected'),
  );
  faultCounter(
    registry,
    'callfilter_db_file_events_total',
    'The database file went missing or was replaced, and what was done about it.',
    ['event'],
    read('dbFile'),
  );
  const { live } = options;
  if (live) {
    faultCounter(
      registry,
      'callfilter_phoneblock_live_checks_total',
      'Live PhoneBlock checks of unknown callers by outcome: hit, miss, cached (answered from memory), late (the local decision stood), failed, no-key.',
      ['outcome'],
      () => live.counts().map((c) => ({ labels: { outcome: c.outcome }, value: c.value })),
    );
    new Gauge({
      name: 'callfilter_phoneblock_live_remembered',
      help: 'Numbers whose live PhoneBlock answer is remembered (a day each).',
      registers,
      collect() {
        this.set(live.size);
      },
    });
  }
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'callfilter_' });

  return {
    registry,
    contentType: registry.contentType,
    onScreened(outcome) {
      try {
        calls.inc({ action: outcome.decision.action, reason: outcome.decision.reason });
        latency.observe(outcome.latencyUs / 1e6);
        // With FaultCounters the handler counts these itself, with their cause.
        if (!faults && outcome.decision.reason === 'fail-open') failOpen({ why: 'error' });
        if (!faults && outcome.error !== undefined) error({ source: 'screen', kind: 'error' });
      } catch {
        // A metric must never break a call.
      }
    },
    attach(server) {
      agi = server;
      if (faults) return; // src/agi-server.ts counts these into ctx.faults
      server.on('sessionError', () => error({ source: 'agi', kind: 'error' }));
      server.on('rejected', (event: { reason: AgiRejectReason }) => rejected({ reason: event.reason }));
    },
    error(source) {
      error({ source, kind: source === 'http' ? 'internal' : 'error' });
    },
    text: () => registry.metrics(),
  };
}

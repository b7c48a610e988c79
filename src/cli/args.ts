import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { ImportFormat } from '../import/formats/index.js';
import type { EntryKind } from '../policy/types.js';

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran and failed for a reason the message explains (a rejected import, a missing file): exit code 1. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time from a person: `30d` / `2h` / `15m` (from now, forward for --expires, back for --since), an ISO
 * date `2026-12-31`, or a date-time `2026-12-31T18:00`.
 */
export function parseTime(value: string, now: number, direction: 1 | -1, flag: string): number {
  const rel = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (rel) return now + direction * Number(rel[1]) * (UNITS[rel[2] as string] as number);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value.trim())) {
    const t = Date.parse(value.trim().replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(
    `${flag}: ${JSON.stringify(value)} is not a time (use 30d, 12h, 2026-12-31 or 2026-12-31T18:00)`,
  );
}

export function parseIntFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a number from ${min} to ${max}`);
  return Number(value);
}

/** `--kind allow|block`. */
export function kindFlag(value: string | undefined): EntryKind | undefined {
  if (value !== undefined && value !== 'allow' && value !== 'block')
    throw new UsageError(`--kind: ${JSON.stringify(value)} is not allow or block`);
  return value;
}

/** `--format`, one of the formats this command reads. */
export function formatFlag(value: string | undefined, formats: readonly ImportFormat[]): ImportFormat | undefined {
  if (value !== undefined && !(formats as readonly string[]).includes(value))
    throw new UsageError(`--format: ${JSON.stringify(value)} is not one of ${formats.join(', ')}`);
  return value as ImportFormat | undefined;
}

/** `--threshold`: a list's score threshold, a number ≥ 0. */
export function thresholdFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const threshold = Number(value);
  if (!(Number.isFinite(threshold) && threshold >= 0))
    throw new UsageError(`--threshold: ${JSON.stringify(value)} is not a number ≥ 0`);
  return threshold;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

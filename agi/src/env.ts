import { AgiHangupError, AgiProtocolError } from './errors.js';
import { MAX_ENV_BYTES, MAX_ENV_LINES } from './limits.js';

/** Every `agi_*` key Asterisk sends (res_agi.c: launch_netscript() and setup_env()), typed. */
export interface AgiEnvironment {
  /** The first argument of AGI(), e.g. `agi://127.0.0.1:4573/screen?x=1`. */
  request: string;
  channel: string;
  language: string;
  type: string;
  uniqueid: string;
  version: string;
  /** Caller number; the literal `unknown` when the channel has none (setup_env()). */
  callerid: string;
  /** Caller name; the literal `unknown` when the channel has none. */
  calleridname: string;
  /** Presentation, e.g. 0 allowed, 32–35 restricted, 67 unavailable; NaN when absent or not a number. */
  callingpres: number;
  callingani2: number;
  callington: number;
  callingtns: number;
  /** The literal `unknown` when absent. */
  dnid: string;
  /** The literal `unknown` when absent. */
  rdnis: string;
  context: string;
  extension: string;
  priority: string;
  enhanced: string;
  accountcode: string;
  threadid: string;
  /** `agi_network: yes` — always true for FastAGI. */
  network: boolean;
  /** What followed `host[:port]/` in the AGI URL, query included (`screen?x=1`); '' when there was nothing. */
  networkScript: string;
  /** `agi_arg_1` … `agi_arg_N` in order (the AGI() arguments after the URL), raw; a missing index is ''. */
  args: string[];
  /** Every key exactly as received, `agi_` prefix included — unknown future keys too. */
  raw: Record<string, string>;
}

/** The route part of a request: `agi://host/screen/x?a=1` → path `screen/x`, query `a=1`. */
export interface AgiRequest {
  /** The script path without leading slashes ('screen' and '/screen' both give 'screen'); '' when none. */
  path: string;
  query: URLSearchParams;
  /** Same as env.args. */
  args: string[];
}

export interface EnvLimits {
  maxBytes: number;
  maxLines: number;
}

const KEY = /^agi_[A-Za-z0-9_]+$/;
const ARG_KEY = /^agi_arg_(\d+)$/;
const INTEGER = /^\s*-?\d+\s*$/;

/**
 * Collects the environment block line by line. Pure: push() returns true once the empty line arrived and throws
 * AgiProtocolError on a violation (a line that is not `agi_key: value`, too many lines or bytes, no agi_request).
 * A `HANGUP` line here (the channel went away before the block was done) throws AgiHangupError.
 */
export class EnvParser {
  private readonly raw: Record<string, string> = {};
  private lines = 0;
  private bytes = 0;

  constructor(private readonly limits: EnvLimits = { maxBytes: MAX_ENV_BYTES, maxLines: MAX_ENV_LINES }) {}

  push(line: string): boolean {
    this.lines += 1;
    this.bytes += Buffer.byteLength(line, 'utf8') + 1;
    if (this.lines > this.limits.maxLines)
      throw new AgiProtocolError(`environment has more than ${this.limits.maxLines} lines`);
    if (this.bytes > this.limits.maxBytes)
      throw new AgiProtocolError(`environment is larger than ${this.limits.maxBytes} bytes`);
    if (line === '') {
      if (this.raw.agi_request === undefined) throw new AgiProtocolError('environment ended without agi_request');
      return true;
    }
    if (line === 'HANGUP') throw new AgiHangupError('HANGUP before the environment was complete');
    // setup_env() writes "agi_key: %s\n", so an empty value still has its space; split at the first ": ".
    const sep = line.indexOf(': ');
    const key = sep === -1 ? (line.endsWith(':') ? line.slice(0, -1) : line) : line.slice(0, sep);
    if (!KEY.test(key) || (sep === -1 && !line.endsWith(':'))) {
      throw new AgiProtocolError(
        `not an environment line: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line)}`,
      );
    }
    this.raw[key] = sep === -1 ? '' : line.slice(sep + 2);
    return false;
  }

  /** Once push() returned true. The parser is done then: the environment takes its keys without a copy. */
  environment(): AgiEnvironment {
    return environmentOf(this.raw);
  }
}

/** The typed environment of raw `agi_*` keys (a copy of them is kept as `raw`). */
export function toEnvironment(raw: Record<string, string>): AgiEnvironment {
  return environmentOf({ ...raw });
}

/** toEnvironment() keeping `raw` itself. Literal keys: a key built per read (`agi_${key}`) is a new string to look up. */
function environmentOf(raw: Record<string, string>): AgiEnvironment {
  return {
    request: raw.agi_request ?? '',
    channel: raw.agi_channel ?? '',
    language: raw.agi_language ?? '',
    type: raw.agi_type ?? '',
    uniqueid: raw.agi_uniqueid ?? '',
    version: raw.agi_version ?? '',
    callerid: raw.agi_callerid ?? 'unknown',
    calleridname: raw.agi_calleridname ?? 'unknown',
    callingpres: integer(raw.agi_callingpres),
    callingani2: integer(raw.agi_callingani2),
    callington: integer(raw.agi_callington),
    callingtns: integer(raw.agi_callingtns),
    dnid: raw.agi_dnid ?? 'unknown',
    rdnis: raw.agi_rdnis ?? 'unknown',
    context: raw.agi_context ?? '',
    extension: raw.agi_extension ?? '',
    priority: raw.agi_priority ?? '',
    enhanced: raw.agi_enhanced ?? '',
    accountcode: raw.agi_accountcode ?? '',
    threadid: raw.agi_threadid ?? '',
    network: raw.agi_network === 'yes',
    networkScript: raw.agi_network_script ?? '',
    args: collectArgs(raw),
    raw,
  };
}

/** A whole number as Asterisk prints one; NaN when absent or anything else. */
function integer(value: string | undefined): number {
  return value !== undefined && INTEGER.test(value) ? Number(value) : Number.NaN;
}

function collectArgs(raw: Record<string, string>): string[] {
  const args: string[] = [];
  const keys = Object.keys(raw);
  for (const key of keys) {
    if (!key.startsWith('agi_arg_')) continue;
    const n = Number(ARG_KEY.exec(key)?.[1] ?? 0);
    // setup_env() numbers them 1..argc-1 without gaps, so an index beyond the key count is garbage, not a hole.
    if (n >= 1 && n <= keys.length) args[n - 1] = raw[key] ?? '';
  }
  return Array.from(args, (v) => v ?? '');
}

/**
 * The request to route on. launch_netscript() sends what follows the first `/` after `agi://host[:port]` as
 * agi_network_script (query string included) and leaves it out when empty; then agi_request still holds the URL.
 */
export function toRequest(env: AgiEnvironment): AgiRequest {
  let script = env.networkScript;
  if (!script) {
    const m = /^h?agi:\/\/[^/]*\/(.*)$/i.exec(env.request);
    script = m?.[1] ?? '';
  }
  const q = script.indexOf('?');
  const path = (q === -1 ? script : script.slice(0, q)).replace(/^\/+/, '');
  const query = new URLSearchParams(q === -1 ? '' : script.slice(q + 1));
  return { path, query, args: [...env.args] };
}

/** Normalises a route path the same way as AgiRequest.path. */
export function normalisePath(path: string): string {
  return path.replace(/^\/+/, '');
}

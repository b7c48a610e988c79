import { readFileSync } from 'node:fs';
import type { TrunkRule } from '../numbers/types.js';
import { ACTIONS, type ActionSpec, type Schedule, STEPS, type Step } from '../policy/types.js';
import { ConfigError } from './env.js';

/** The optional JSON file named by CALLFILTER_CONFIG: the structured part of the configuration. */
export interface ConfigFile {
  /** As CALLFILTER_HOME_COUNTRY / CALLFILTER_HOME_AREA_CODE (which win); checked by the same rules in config.ts. */
  homeCountry?: string;
  homeAreaCode?: string;
  monitor?: boolean;
  repeatCaller?: { enabled?: boolean; windowMinutes?: number; minCalls?: number };
  actions?: Partial<Record<Step, ActionSpec>>;
  schedules?: Schedule[];
  profiles?: ProfileInput[];
  trunks?: TrunkRule[];
}

export interface ProfileInput {
  name: string;
  dids: string[];
  actions?: Partial<Record<Step, ActionSpec>>;
  repeatCaller?: { enabled?: boolean; windowMinutes?: number; minCalls?: number };
  schedules?: Schedule[];
}

type Obj = Record<string, unknown>;

/** Validates by hand with errors that name the path (`profiles[0].actions.unknown.action`) and the bad value. */
class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, value: unknown, why: string): never {
    throw new ConfigError(this.source, `${path}: ${JSON.stringify(value)} ${why}`);
  }

  object(v: unknown, path: string, keys: readonly string[]): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, v, 'is not an object');
    for (const k of Object.keys(v as Obj)) {
      if (!keys.includes(k))
        this.fail(path ? `${path}.${k}` : k, (v as Obj)[k], `is not a known setting (known: ${keys.join(', ')})`);
    }
    return v as Obj;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, v, 'is not a list');
    return v as unknown[];
  }

  string(v: unknown, path: string, pattern?: RegExp, what = 'a string'): string {
    if (typeof v !== 'string' || (pattern && !pattern.test(v))) this.fail(path, v, `is not ${what}`);
    return v as string;
  }

  int(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(path, v, `is not a whole number from ${min} to ${max}`);
    return v as number;
  }

  bool(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, v, 'is not true or false');
    return v as boolean;
  }

  actionSpec(v: unknown, path: string): ActionSpec {
    const o = this.object(v, path, ['action', 'cause', 'announcement']);
    const action = o.action;
    if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
      this.fail(`${path}.action`, action, `is not one of ${ACTIONS.join(', ')}`);
    }
    const spec: ActionSpec = { action: action as ActionSpec['action'] };
    if (o.cause !== undefined) spec.cause = this.int(o.cause, `${path}.cause`, 1, 127);
    if (o.announcement !== undefined)
      spec.announcement = this.string(o.announcement, `${path}.announcement`, /^[\w/.-]+$/, 'a sound file name');
    if (spec.action === 'announce' && spec.announcement === undefined)
      this.fail(path, v, 'uses announce without an announcement');
    return spec;
  }

  actions(v: unknown, path: string): Partial<Record<Step, ActionSpec>> {
    const o = this.object(v, path, STEPS);
    const out: Partial<Record<Step, ActionSpec>> = {};
    for (const [step, spec] of Object.entries(o)) out[step as Step] = this.actionSpec(spec, `${path}.${step}`);
    return out;
  }

  repeat(v: unknown, path: string): ConfigFile['repeatCaller'] {
    const o = this.object(v, path, ['enabled', 'windowMinutes', 'minCalls']);
    return {
      ...(o.enabled !== undefined && { enabled: this.bool(o.enabled, `${path}.enabled`) }),
      ...(o.windowMinutes !== undefined && {
        windowMinutes: this.int(o.windowMinutes, `${path}.windowMinutes`, 1, 1440),
      }),
      ...(o.minCalls !== undefined && { minCalls: this.int(o.minCalls, `${path}.minCalls`, 1, 100) }),
    };
  }

  schedule(v: unknown, path: string): Schedule {
    const o = this.object(v, path, ['name', 'days', 'from', 'to', 'quiet', 'actions']);
    const time = /^([01]\d|2[0-3]):[0-5]\d$/;
    const days = this.array(o.days, `${path}.days`).map((d, i) => this.int(d, `${path}.days[${i}]`, 0, 6));
    const s: Schedule = {
      name: this.string(o.name, `${path}.name`, /^.{1,60}$/, 'a name of 1 to 60 characters'),
      days,
      from: this.string(o.from, `${path}.from`, time, 'a time like 22:00'),
      to: this.string(o.to, `${path}.to`, time, 'a time like 07:00'),
    };
    if (o.quiet !== undefined) s.quiet = this.bool(o.quiet, `${path}.quiet`);
    if (o.actions !== undefined) s.actions = this.actions(o.actions, `${path}.actions`);
    if (!s.quiet && !s.actions) this.fail(path, v, 'does nothing: set quiet: true or actions');
    return s;
  }

  trunk(v: unknown, path: string): TrunkRule {
    const o = this.object(v, path, ['context', 'channelPrefix', 'format', 'stripPrefix']);
    const format = this.string(
      o.format,
      `${path}.format`,
      /^(international-bare|national|international)$/,
      'one of international-bare, national, international',
    );
    const rule: TrunkRule = { format: format as TrunkRule['format'] };
    if (o.context !== undefined) rule.context = this.string(o.context, `${path}.context`);
    if (o.channelPrefix !== undefined) rule.channelPrefix = this.string(o.channelPrefix, `${path}.channelPrefix`);
    if (o.stripPrefix !== undefined)
      rule.stripPrefix = this.string(o.stripPrefix, `${path}.stripPrefix`, /^\d+$/, 'digits');
    if (rule.context === undefined && rule.channelPrefix === undefined)
      this.fail(path, v, 'needs a context or a channelPrefix');
    return rule;
  }

  profile(v: unknown, path: string): ProfileInput {
    const o = this.object(v, path, ['name', 'dids', 'actions', 'repeatCaller', 'schedules']);
    const p: ProfileInput = {
      name: this.string(o.name, `${path}.name`, /^[\w .-]{1,60}$/, 'a profile name (letters, digits, space . _ -)'),
      dids: this.array(o.dids, `${path}.dids`).map((d, i) =>
        this.string(d, `${path}.dids[${i}]`, /^\+?[\w*#]+$/, 'a called number'),
      ),
    };
    if (o.actions !== undefined) p.actions = this.actions(o.actions, `${path}.actions`);
    if (o.repeatCaller !== undefined) p.repeatCaller = this.repeat(o.repeatCaller, `${path}.repeatCaller`);
    if (o.schedules !== undefined)
      p.schedules = this.array(o.schedules, `${path}.schedules`).map((s, i) =>
        this.schedule(s, `${path}.schedules[${i}]`),
      );
    return p;
  }
}

export function parseConfigFile(value: unknown, source: string): ConfigFile {
  const c = new Checker(source);
  const o = c.object(value, '', [
    'homeCountry',
    'homeAreaCode',
    'monitor',
    'repeatCaller',
    'actions',
    'schedules',
    'profiles',
    'trunks',
  ]);
  const out: ConfigFile = {};
  if (o.homeCountry !== undefined) out.homeCountry = c.string(o.homeCountry, 'homeCountry');
  if (o.homeAreaCode !== undefined) out.homeAreaCode = c.string(o.homeAreaCode, 'homeAreaCode');
  if (o.monitor !== undefined) out.monitor = c.bool(o.monitor, 'monitor');
  if (o.repeatCaller !== undefined) out.repeatCaller = c.repeat(o.repeatCaller, 'repeatCaller');
  if (o.actions !== undefined) out.actions = c.actions(o.actions, 'actions');
  if (o.schedules !== undefined)
    out.schedules = c.array(o.schedules, 'schedules').map((s, i) => c.schedule(s, `schedules[${i}]`));
  if (o.profiles !== undefined)
    out.profiles = c.array(o.profiles, 'profiles').map((p, i) => c.profile(p, `profiles[${i}]`));
  if (o.trunks !== undefined) out.trunks = c.array(o.trunks, 'trunks').map((t, i) => c.trunk(t, `trunks[${i}]`));
  return out;
}

/**
 * One profile as the config file writes it (the admin API's profile body), with the same rules and messages.
 * `path` names the value in errors (`body.schedules[0].from: …`); the ConfigError's key is `source`.
 */
export function parseProfileInput(value: unknown, source: string, path: string): ProfileInput {
  return new Checker(source).profile(value, path);
}

export function loadConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('CALLFILTER_CONFIG', `cannot read ${JSON.stringify(file)}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('CALLFILTER_CONFIG', `${JSON.stringify(file)} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfigFile(json, `CALLFILTER_CONFIG (${file})`);
}

/** Readers for the packaging files, so the tests can check them without Docker, Asterisk or systemd. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ENV_VARS } from '../../src/config/env-schema.js';

export const ROOT = join(import.meta.dirname, '../..');
export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
export const listFiles = (dir: string, ext: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => `${dir}/${f}`);

export const ENV_KEYS = new Set<string>(ENV_VARS.map((v) => v.key));
export function envDefault(key: string): string {
  const v = ENV_VARS.find((e) => e.key === key) as { default?: string } | undefined;
  if (v?.default === undefined) throw new Error(`${key} has no default in env-schema.ts`);
  return v.default;
}

// ---- Dockerfile ----------------------------------------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions per stage: comments dropped, `\` continuations joined (enough for our own Dockerfile). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== '' && trimmed.startsWith('#')) return;
    if (pending === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1).trim()} `;
      return;
    }
    const full = (pending + trimmed).trim();
    pending = '';
    const match = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (!match) throw new Error(`Dockerfile line ${start}: cannot read ${JSON.stringify(full)}`);
    const instruction = { keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim(), line: start };
    if (instruction.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`Dockerfile line ${start}: cannot read FROM ${instruction.args}`);
      stages.push({ image: from[1] as string, ...(from[2] !== undefined && { name: from[2] }), instructions: [] });
      return;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${start}: ${instruction.keyword} before FROM`);
    stage.instructions.push(instruction);
  });
  return stages;
}

export const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

/** `ENV A=1 B=2` (the only form we use) → entries. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of all(stage, 'ENV')) {
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g))
      env[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
  }
  return env;
}

/** The JSON (exec) form of CMD / HEALTHCHECK CMD / ENTRYPOINT. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}

// ---- docker-compose.yml --------------------------------------------------------------------------------------------

export interface ComposeService {
  image?: string;
  /** Started only when one of these profiles is (`docker compose --profile x up`); without it, always. */
  profiles?: string[];
  build?: string | { context: string };
  init?: boolean;
  environment?: Record<string, string | null>;
  volumes?: string[];
  ports?: string[];
  networks?: Record<string, { ipv4_address?: string } | null>;
  healthcheck?: {
    test: string[] | string;
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
  command?: string[];
  logging?: { driver: string; options?: Record<string, string> };
  restart?: string;
}

export interface Compose {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean; ipam?: { config?: { subnet: string }[] } }>;
}

export function loadCompose(): Compose {
  return parseYaml(read('docker-compose.yml'), { merge: true }) as Compose;
}

/** `${NAME}`, `${NAME:-default}`, `${NAME:?error}` as compose interpolates them. */
export function interpolated(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(?:[:?-][^}]*)?\}/g)].map((m) => m[1] as string))].sort();
}

// ---- Asterisk config files -----------------------------------------------------------------------------------------

/** Lines without `;` comments (an escaped `\;` is not a comment). */
export function confCode(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/(^|[^\\]);.*$/, '$1'))
    .join('\n');
}

export interface ConfSection {
  name: string;
  /** `(+)` additions and templates keep their marker here. */
  modifier?: string;
  options: [string, string][];
}

/** Sections of an Asterisk .conf file (key=value and key => value lines); `#include` lines are returned apart. */
export function parseConf(text: string): { sections: ConfSection[]; includes: string[] } {
  const sections: ConfSection[] = [];
  const includes: string[] = [];
  for (const [n, raw] of confCode(text).split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#include')) {
      includes.push(line.slice('#include'.length).trim());
      continue;
    }
    const header = /^\[([^\]]+)\](\([^)]*\))?$/.exec(line);
    if (header) {
      sections.push({
        name: header[1] as string,
        ...(header[2] !== undefined && { modifier: header[2] }),
        options: [],
      });
      continue;
    }
    const option = /^([\w.-]+|exten|same)\s*=>?\s*(.*)$/.exec(line);
    const section = sections.at(-1);
    if (!option || !section)
      throw new Error(`line ${n + 1}: not a section header or an option: ${JSON.stringify(line)}`);
    section.options.push([option[1] as string, option[2] as string]);
  }
  return { sections, includes };
}

export const optionOf = (s: ConfSection, key: string) => s.options.find(([k]) => k === key)?.[1];

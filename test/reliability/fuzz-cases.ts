/**
 * Seeded fuzz cases for the FastAGI port. Each seed always gives the same case, so a failure names its seed and
 * can be replayed alone. Kinds:
 * - random: random bytes in random-sized chunks;
 * - mutated-env: a valid environment block with a few bytes overwritten, inserted or deleted;
 * - cut-env: a valid environment block cut off at a random byte (the peer stops talking mid-block);
 * - garbage-replies: a valid environment block, then random bytes where the replies to our commands belong;
 * - weird-values: a syntactically valid block whose values are hostile (played by the fake Asterisk, which answers
 *   our commands): the call must still get a decision.
 */
import { envLines, randomBytes } from './clients.js';

export type FuzzCase =
  | { seed: number; kind: 'random' | 'mutated-env' | 'cut-env' | 'garbage-replies'; chunks: Buffer[] }
  | { seed: number; kind: 'weird-values'; env: Record<string, string>; args: string[] };

const KINDS = ['random', 'random', 'mutated-env', 'cut-env', 'garbage-replies', 'weird-values'] as const;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function chunked(random: () => number, data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const n = 1 + Math.floor(random() * 256);
    chunks.push(data.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

const envBuffer = (): Buffer => Buffer.from(envLines().join(''), 'utf8');

function mutate(random: () => number, data: Buffer): Buffer {
  let out = Buffer.from(data);
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * out.length);
    const op = random();
    if (op < 0.4) out[at] = Math.floor(random() * 256);
    else if (op < 0.7)
      out = Buffer.concat([out.subarray(0, at), randomBytes(random, 1 + Math.floor(random() * 32)), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(random() * 16))]);
  }
  return out;
}

const HOSTILE = [
  '',
  ' ',
  'unknown',
  'anonymous',
  'Anonymous',
  'restricted',
  '+',
  '++49',
  '00',
  '0049',
  '+49 (0)30 123456',
  '*',
  '**',
  '*#06#',
  '#',
  '0'.repeat(40),
  '9'.repeat(300),
  `+4930${'1'.repeat(30)}`,
  'sip:anonymous@anonymous.invalid',
  '"Evil" <sip:+4930@x>',
  '+49\u00a030\u200b123',
  '١٢٣٤٥',
  '𝟘𝟙𝟚',
  'ÄÖÜß',
  '\u0000',
  '\u001b[31m',
  '\\',
  '"',
  "'",
  '$' + '{CALLERID(num)}',
  '%s%n',
  ')',
  '(',
  '; DROP TABLE calls; --',
  '-1',
  '2147483648',
  '1e309',
  'NaN',
  '0x20',
  '32',
  '67',
  '255',
];

function hostile(random: () => number): string {
  const r = random();
  if (r < 0.5) return pick(random, HOSTILE);
  if (r < 0.8) return pick(random, HOSTILE) + pick(random, HOSTILE);
  // Printable-ish random text, no CR/LF (those would end the line: that is the other kinds' job).
  const len = Math.floor(random() * 120);
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = random() < 0.7 ? 0x20 + Math.floor(random() * 0x5f) : 0xa0 + Math.floor(random() * 0x2000);
    s += String.fromCharCode(c);
  }
  return s;
}

const FIELDS = [
  'callerid',
  'calleridname',
  'callingpres',
  'dnid',
  'extension',
  'context',
  'channel',
  'uniqueid',
  'rdnis',
  'type',
];

export function fuzzCase(seed: number, random: () => number): FuzzCase {
  const kind = pick(random, KINDS);
  switch (kind) {
    case 'random':
      return { seed, kind, chunks: chunked(random, randomBytes(random, Math.floor(random() * 3000))) };
    case 'mutated-env':
      return { seed, kind, chunks: chunked(random, mutate(random, envBuffer())) };
    case 'cut-env': {
      const env = envBuffer();
      return { seed, kind, chunks: chunked(random, env.subarray(0, Math.floor(random() * (env.length - 1)))) };
    }
    case 'garbage-replies':
      return {
        seed,
        kind,
        chunks: chunked(random, Buffer.concat([envBuffer(), randomBytes(random, Math.floor(random() * 2000))])),
      };
    case 'weird-values': {
      const env: Record<string, string> = {};
      for (const field of FIELDS) if (random() < 0.5) env[field] = hostile(random);
      env.callerid = hostile(random);
      const args = random() < 0.8 ? [hostile(random)] : [];
      return { seed, kind, env, args };
    }
  }
}

/**
 * Who calls: a mix for a home line that robots have found. Every category names the reason our service should give
 * (the load client counts reasons, so a mix that stopped matching the database would show at once).
 */
import {
  asTrunkWrites,
  blockedNumber,
  blockedPrefix,
  contactNumbers,
  type DatasetSize,
  prng,
  REPEAT_POOL,
  randomDigits,
  randomInt,
  repeatNumber,
  SPAM_THRESHOLD,
  spamNumber,
  spamScore,
} from './dataset.js';

export type Category =
  | 'contact'
  | 'unknown'
  | 'blocked-exact'
  | 'blocked-prefix'
  | 'spam-list'
  | 'withheld'
  | 'foreign'
  | 'repeat'
  | 'implausible';

/** Per mille. Contacts and unknown callers are most calls; a third are unwanted; a few withheld and foreign. */
export const MIX: Readonly<Record<Category, number>> = {
  contact: 250,
  unknown: 200,
  'blocked-exact': 150,
  'spam-list': 120,
  withheld: 80,
  'blocked-prefix': 60,
  foreign: 60,
  repeat: 60,
  implausible: 20,
};

/** What Asterisk would put in the environment for this caller. */
export interface CallSpec {
  category: Category;
  /** agi_callerid as the trunk delivers it. */
  callerid: string;
  /** agi_calleridname (`unknown` when the trunk sends none). */
  calleridname: string;
  /** agi_callingpres. */
  callingpres: number;
}

const CATEGORIES = Object.keys(MIX) as Category[];
const CUMULATIVE = (() => {
  let sum = 0;
  return CATEGORIES.map((c) => (sum += MIX[c]));
})();
const TOTAL = CUMULATIVE.at(-1) as number;

function pick(rng: () => number): Category {
  const r = rng() * TOTAL;
  for (let i = 0; i < CUMULATIVE.length; i++) if (r < (CUMULATIVE[i] as number)) return CATEGORIES[i] as Category;
  return 'unknown';
}

function foreign(rng: () => number): string {
  const r = rng();
  const intl = rng() < 0.5 ? '+' : '00';
  if (r < 0.5) return `${intl}44207${randomDigits(rng, 7)}`; // London
  if (r < 0.8) return `${intl}331${randomDigits(rng, 8)}`; // Paris
  return `${intl}431${randomDigits(rng, 7)}`; // Vienna
}

function withheld(rng: () => number): { callerid: string; callingpres: number } {
  const r = rng();
  // DESIGN.md "Numbers": an anonymous SIP From with presentation 0, a real number with Privacy: id (32),
  // and "not available" (67).
  if (r < 0.4) return { callerid: 'anonymous', callingpres: 0 };
  if (r < 0.7) return { callerid: `030${randomDigits(rng, 8)}`, callingpres: 32 };
  return { callerid: 'unknown', callingpres: 67 };
}

function spamCaller(rng: () => number, size: DatasetSize): string {
  // Mostly numbers over the list's threshold; one in ten a number the list knows with too few votes (→ unknown).
  for (;;) {
    const s = randomInt(rng, size.spam);
    if (rng() < 0.1 || spamScore(s) >= SPAM_THRESHOLD) return spamNumber(s);
  }
}

/** A generator of callers; the same seed and size give the same sequence. */
export function createCallerMix(seed: number, size: DatasetSize): () => CallSpec {
  const rng = prng(seed);
  return () => {
    const category = pick(rng);
    let callerid: string;
    let callingpres = 0;
    switch (category) {
      case 'contact': {
        const numbers = contactNumbers(randomInt(rng, size.contacts));
        callerid = asTrunkWrites(numbers[randomInt(rng, numbers.length)] as string, rng);
        break;
      }
      case 'unknown':
        callerid = asTrunkWrites(rng() < 0.5 ? `+49309${randomDigits(rng, 7)}` : `+492219${randomDigits(rng, 6)}`, rng);
        break;
      case 'blocked-exact':
        callerid = asTrunkWrites(blockedNumber(randomInt(rng, size.exact)), rng);
        break;
      case 'blocked-prefix':
        callerid = asTrunkWrites(`${blockedPrefix(randomInt(rng, size.prefixes))}${randomDigits(rng, 4)}`, rng);
        break;
      case 'spam-list':
        callerid = asTrunkWrites(spamCaller(rng, size), rng);
        break;
      case 'withheld':
        ({ callerid, callingpres } = withheld(rng));
        break;
      case 'foreign':
        callerid = foreign(rng);
        break;
      case 'repeat':
        callerid = asTrunkWrites(repeatNumber(randomInt(rng, REPEAT_POOL)), rng);
        break;
      case 'implausible':
        // +49 11…: an unassigned German range (numbers/parse.ts), as robots with made-up numbers send.
        callerid = `011${randomDigits(rng, 7)}`;
        break;
    }
    return { category, callerid, calleridname: 'unknown', callingpres };
  };
}

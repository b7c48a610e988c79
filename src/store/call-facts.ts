/**
 * How a call's facts are kept in its row (calls.facts, JSON). The entry or list hit that decided is both the step's
 * grounds and the winning match; the row holds it once, in the matches, and reading puts it back into the grounds.
 * Every call writes its row on the call path, and a row with a match is then half the size.
 */
import type { EntryFacts, Grounds, HitFacts, Match } from '../policy/types.js';
import type { CallFacts } from './types.js';

function sameHit(a: HitFacts, b: HitFacts): boolean {
  return a.listId === b.listId && a.entryId === b.entryId && a.live === b.live && a.number === b.number;
}

/** The grounds without the entry or hit the winning match already holds (unchanged when it is not that one). */
function groundsToKeep(grounds: Grounds, winner: Match | undefined): object {
  if (winner === undefined) return grounds;
  if (
    (grounds.step === 'allow' || grounds.step === 'block') &&
    'entry' in winner &&
    winner.entry.id === grounds.entry.id
  )
    return { step: grounds.step, contact: grounds.contact };
  if (grounds.step === 'list' && 'hit' in winner && sameHit(winner.hit, grounds.hit)) return { step: grounds.step };
  return grounds;
}

export function packFacts(facts: CallFacts): string {
  const winner = facts.matches.find((m) => m.wins);
  const grounds = groundsToKeep(facts.because.grounds, winner);
  return JSON.stringify(
    grounds === facts.because.grounds ? facts : { because: { ...facts.because, grounds }, matches: facts.matches },
  );
}

type KeptGrounds =
  | Grounds
  | { step: 'allow' | 'block'; contact: boolean; entry?: EntryFacts }
  | { step: 'list'; hit?: HitFacts };

export function unpackFacts(text: string): CallFacts {
  const facts = JSON.parse(text) as CallFacts;
  const grounds = facts.because.grounds as KeptGrounds;
  const winner = facts.matches.find((m) => m.wins);
  if ((grounds.step === 'allow' || grounds.step === 'block') && !('entry' in grounds) && winner && 'entry' in winner)
    facts.because.grounds = { ...grounds, entry: winner.entry };
  else if (grounds.step === 'list' && !('hit' in grounds) && winner && 'hit' in winner)
    facts.because.grounds = { step: 'list', hit: winner.hit };
  return facts;
}

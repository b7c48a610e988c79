import { describe, expect, it } from 'vitest';
import type { EntryFacts, HitFacts } from '../../src/policy/types.js';
import type { CallFacts, NewCall } from '../../src/store/index.js';
import { callsEngines } from './calls-engines.js';
import { usePostgresDatabase } from './engines.js';

const postgres = usePostgresDatabase('call_facts');

const NOW = Date.UTC(2025, 4, 3, 9, 0);

const contact: EntryFacts = {
  id: 4,
  number: '+4930333',
  prefix: false,
  kind: 'allow',
  vip: false,
  createdAt: NOW - 86_400_000,
  label: 'Oma',
};
const blocked: EntryFacts = { id: 9, number: '+4930', prefix: true, kind: 'block', vip: false, createdAt: NOW };
const spam: HitFacts = {
  listId: 1,
  listName: 'PhoneBlock',
  entryId: 77,
  number: '+4930333',
  prefix: false,
  score: 5,
  threshold: 4,
  label: 'Spam',
};

function call(facts: CallFacts): NewCall {
  return {
    at: NOW,
    callerRaw: '030333',
    caller: '+4930333',
    callerKind: 'number',
    action: 'connect',
    reason: 'contact',
    facts,
  };
}

describe.each(callsEngines(postgres))('call facts in the log on %s', (_, open) => {
  const cases: [string, CallFacts][] = [
    [
      'a contact that beat a blocked prefix and a spam list',
      {
        because: { grounds: { step: 'allow', entry: contact, contact: true } },
        matches: [
          { entry: contact, contact: true, wins: true },
          { entry: blocked, contact: false, wins: false, lost: 'exact-beats-prefix' },
          { hit: spam, wins: false, lost: 'entry-beats-list' },
        ],
      },
    ],
    [
      'a spam-list hit with a schedule',
      { because: { grounds: { step: 'list', hit: spam }, schedule: 'night' }, matches: [{ hit: spam, wins: true }] },
    ],
    [
      'a live answer, which has no row in the list',
      {
        because: { grounds: { step: 'list', hit: { ...spam, entryId: 0, live: true } } },
        matches: [{ hit: { ...spam, entryId: 0, live: true }, wins: true }],
      },
    ],
    ['an unknown caller', { because: { grounds: { step: 'unknown', e164: '+4930333' } }, matches: [] }],
  ];

  it.each(cases)('%s reads back as it was logged', async (_, facts) => {
    const { calls } = await open();
    const id = await calls.insert(call(facts));
    expect((await calls.get(id))?.facts).toEqual(facts);
  });

  it('keeps the winning entry once: in the matches, not again in the grounds', async () => {
    const { calls, sql } = await open();
    const [, facts] = cases[0] as [string, CallFacts];
    const id = await calls.insert(call(facts));
    const stored = (await sql('SELECT facts FROM calls WHERE id = ?', [id]))[0]?.facts as string;
    expect(stored.split('"Oma"')).toHaveLength(2);
    expect(JSON.parse(stored).because.grounds).toEqual({ step: 'allow', contact: true });
  });

  it('reads a row whose grounds hold the entry too (as rows were written before) as it is', async () => {
    const { calls, sql } = await open();
    const facts: CallFacts = {
      because: { grounds: { step: 'block', entry: blocked, contact: false } },
      matches: [{ entry: blocked, contact: false, wins: true }],
    };
    const id = await calls.insert({ ...call(facts), facts: undefined });
    await sql('UPDATE calls SET facts = ? WHERE id = ?', [JSON.stringify(facts), id]);
    expect((await calls.get(id))?.facts).toEqual(facts);
  });
});

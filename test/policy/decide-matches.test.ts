/** Every entry and list hit that matched a caller, in the decision: which one decided, and why each other did not. */
import { describe, expect, it } from 'vitest';
import type { LostBecause } from '../../src/policy/types.js';
import { callsAgo, decideRow, entry, hit, num, type Row, WED_NOON } from './fixtures.js';

const A = '+49301234567';

/** A match as [id, wins, lost]: entries as `e<id>`, list hits as `l<entryId>`. */
type Seen = [string, boolean, LostBecause | undefined];

function seen(row: Omit<Row, 'expect'>): Seen[] {
  const d = decideRow({ ...row, expect: { action: 'connect', reason: 'unknown' } });
  return d.matches.map((m) =>
    'entry' in m ? [`e${m.entry.id}`, m.wins, m.lost] : [`l${m.hit.entryId}`, m.wins, m.lost],
  );
}

describe('decide: matches, winner first', () => {
  it.each<[string, Omit<Row, 'expect'>, Seen[]]>([
    ['nothing matched', { name: '', caller: num(A) }, []],
    [
      'one block',
      { name: '', caller: num(A), entries: [entry({ id: 1, number: A, kind: 'block' })] },
      [['e1', true, undefined]],
    ],
    [
      'allow beats block at the same number',
      {
        name: '',
        caller: num(A),
        entries: [entry({ id: 2, number: A, kind: 'block' }), entry({ id: 1, number: A, kind: 'allow' })],
      },
      [
        ['e1', true, undefined],
        ['e2', false, 'allow-beats-block'],
      ],
    ],
    [
      'a VIP allow beats a plain allow',
      {
        name: '',
        caller: num(A),
        entries: [
          entry({ id: 1, number: '+4930', prefix: true, kind: 'allow' }),
          entry({ id: 2, number: '+4930', prefix: true, kind: 'allow', vip: true }),
        ],
      },
      [
        ['e2', true, undefined],
        ['e1', false, 'vip-beats-allow'],
      ],
    ],
    [
      'the older of two alike',
      {
        name: '',
        caller: num(A),
        entries: [
          entry({ id: 5, number: '+4930', prefix: true, kind: 'block' }),
          entry({ id: 3, number: '+4930', prefix: true, kind: 'block' }),
        ],
      },
      [
        ['e3', true, undefined],
        ['e5', false, 'older-entry'],
      ],
    ],
    [
      'exact beats a range, and the narrower range beats the wider',
      {
        name: '',
        caller: num(A),
        entries: [
          entry({ id: 1, number: '+4930', prefix: true, kind: 'allow' }),
          entry({ id: 2, number: '+4930123', prefix: true, kind: 'allow' }),
          entry({ id: 3, number: A, kind: 'block' }),
        ],
      },
      [
        ['e3', true, undefined],
        ['e1', false, 'exact-beats-prefix'],
        ['e2', false, 'exact-beats-prefix'],
      ],
    ],
    [
      'a narrower range beats a wider one',
      {
        name: '',
        caller: num(A),
        entries: [
          entry({ id: 1, number: '+4930', prefix: true, kind: 'allow' }),
          entry({ id: 2, number: '+4930123', prefix: true, kind: 'block' }),
        ],
      },
      [
        ['e2', true, undefined],
        ['e1', false, 'longer-prefix'],
      ],
    ],
    [
      'a personal entry beats every list; a hit under its threshold never counts',
      {
        name: '',
        caller: num(A),
        entries: [entry({ id: 1, number: A, kind: 'allow' })],
        lists: [
          hit({ entryId: 7, number: A, score: 20, threshold: 4 }),
          hit({ entryId: 8, listId: 2, number: A, score: 1, threshold: 4 }),
        ],
      },
      [
        ['e1', true, undefined],
        ['l7', false, 'entry-beats-list'],
        ['l8', false, 'below-threshold'],
      ],
    ],
    [
      'the higher score decides between lists; an expired entry decides nothing',
      {
        name: '',
        caller: num(A),
        entries: [entry({ id: 1, number: A, kind: 'block', expiresAt: WED_NOON - 1 })],
        lists: [
          hit({ entryId: 7, number: A, score: 4, threshold: 4 }),
          hit({ entryId: 8, listId: 2, number: A, score: 20, threshold: 4 }),
        ],
      },
      [
        ['l8', true, undefined],
        ['e1', false, 'expired'],
        ['l7', false, 'higher-score'],
      ],
    ],
    [
      'a row the store returned that does not match is left out',
      { name: '', caller: num(A), entries: [entry({ id: 1, number: '+4989', prefix: true, kind: 'block' })] },
      [],
    ],
  ])('%s', (_name, row, expected) => {
    expect(seen(row)).toEqual(expected);
  });

  it('a repeat caller keeps the grounds of the step it came through, with the count', () => {
    const d = decideRow({
      name: '',
      caller: num(A),
      recent: callsAgo(WED_NOON, 2),
      expect: { action: 'connect', reason: 'repeat-caller' },
    });
    expect(d.because).toEqual({ grounds: { step: 'unknown', e164: A }, repeat: { calls: 2, windowMinutes: 5 } });
  });
});

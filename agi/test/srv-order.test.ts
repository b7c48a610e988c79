/** The SRV target order of Asterisk's main/srv.c, with the weight draw fed by hand. */

import { orderSrv, type SrvRecord } from 'asterisk-agi/testing';
import { describe, expect, it } from 'vitest';

const rec = (name: string, priority: number, weight = 0, port = 4573): SrvRecord => ({ name, port, priority, weight });
const names = (records: SrvRecord[]): string[] => records.map((r) => r.name);
/** A random source that returns the given values in turn. */
const sequence = (...values: number[]): (() => number) => {
  let i = 0;
  return () => {
    const v = values[i++];
    if (v === undefined) throw new Error('random sequence exhausted');
    return v;
  };
};

describe('orderSrv()', () => {
  it.each([
    { answer: [rec('b', 20), rec('a', 10)], order: ['a', 'b'] },
    // Equal priorities keep the answer's order (insertion before the first higher priority only).
    { answer: [rec('x', 10), rec('y', 10), rec('z', 5)], order: ['z', 'x', 'y'] },
    { answer: [rec('y', 10), rec('x', 10)], order: ['y', 'x'] },
    // "." means the service is not offered: the record is dropped.
    { answer: [rec('.', 1), rec('a', 2)], order: ['a'] },
    { answer: [], order: [] },
  ])('sorts by priority without weights: $order', ({ answer, order }) => {
    expect(names(orderSrv(answer, () => 0))).toEqual(order);
  });

  it('draws within a priority group, comparing the draw with each record’s own weight', () => {
    // Group 10 sums 4. 0.9 draws 1 + floor(3.6) = 4: no weight reaches it, draw again; 0.5 draws 3 → c (3 ≥ 3).
    // Left a (1) and b (0): 0 draws 1 → a; b, weight 0, comes last. Group 20: d alone.
    const answer = [rec('a', 10, 1), rec('b', 10, 0), rec('c', 10, 3), rec('d', 20, 5)];
    expect(names(orderSrv(answer, sequence(0.9, 0.5, 0, 0)))).toEqual(['c', 'a', 'b', 'd']);
    // draw 1 + floor(4 * 0) = 1 → a (weight 1 ≥ 1) comes first.
    expect(names(orderSrv(answer, sequence(0, 0, 0)))).toEqual(['a', 'c', 'b', 'd']);
  });

  it('draws again when no single weight reaches the draw (srv.c, unlike RFC 2782’s running sum)', () => {
    // [2, 2]: sum 4; 0.99 draws 4, which neither reaches → draw again; 0.25 draws 2 → the first, e.
    const answer = [rec('e', 1, 2), rec('f', 1, 2)];
    expect(names(orderSrv(answer, sequence(0.99, 0.25, 0)))).toEqual(['e', 'f']);
  });

  it('never puts a weight-0 record before a weighted one of the same priority', () => {
    const answer = [rec('zero', 1, 0), rec('w', 1, 7)];
    for (const r of [0, 0.3, 0.99]) expect(names(orderSrv(answer, () => r))[0]).toBe('w');
  });

  it('fails loudly when a fixed random sequence can never reach a weight', () => {
    expect(() => orderSrv([rec('e', 1, 1), rec('f', 1, 1)], () => 0.99)).toThrow(/draws reached no weight/);
  });
});

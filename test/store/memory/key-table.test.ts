/**
 * The typed hash table under the in-memory screening index: it answers as a Map does through any run of sets and
 * deletes (tombstones taken again, tables rebuilt as they fill), and number keys keep every number apart.
 */
import { describe, expect, it } from 'vitest';
import { KeyTable, MAX_TAG, numberKey, numberOfKey } from '../../../src/store/memory/key-table.js';

/** A fixed LCG (its high bits): the same operations every run. */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((x / 2_147_483_648) * n);
  };
}

describe('KeyTable', () => {
  it('answers as a Map does through sets and deletes of keys that collide, come back and fill the table', () => {
    const next = random(11);
    const table = new KeyTable();
    const model = new Map<string, number>();
    // Few distinct keys and many operations: the same places are emptied and taken again; keys near 2^53 and equal
    // keys under different tags must stay apart.
    const keys = [0, 1, 2, 17, 4_294_967_296, 4_294_967_297, 2 ** 53 - 1, 999_999_999_999_999];
    const key = () => {
      const base = keys[next(keys.length)] as number;
      return next(3) === 0 ? base : base + next(3_000);
    };
    for (let i = 0; i < 60_000; i++) {
      const k = Math.min(key(), 2 ** 53 - 1);
      const tag = 1 + next(3) * 126;
      const id = `${k}/${tag}`;
      if (next(3) === 0) {
        table.delete(k, tag);
        model.delete(id);
      } else {
        table.set(k, tag, i);
        model.set(id, i);
      }
      if (i % 5_000 === 0 || i === 59_999) {
        expect(table.size).toBe(model.size);
        for (const [id, slot] of model) {
          const [k, tag] = id.split('/').map(Number) as [number, number];
          expect(table.get(k, tag)).toBe(slot);
        }
      }
    }
    expect(model.size).toBeGreaterThan(1_000);
    expect(table.get(3, 1)).toBe(-1);
  });

  it('grows from empty to a hundred thousand keys and keeps each one', () => {
    const table = new KeyTable();
    for (let i = 0; i < 100_000; i++) table.set(i * 7_919, MAX_TAG, i);
    expect(table.size).toBe(100_000);
    let lost = 0;
    for (let i = 0; i < 100_000; i++) if (table.get(i * 7_919, MAX_TAG) !== i) lost++;
    expect(lost).toBe(0);
    expect(table.get(7_918, MAX_TAG)).toBe(-1);
    expect(table.get(7_919, 1)).toBe(-1);
  });
});

describe('numberKey', () => {
  it('holds numbers written + and up to 15 digits, leading zeros apart, and gives each one back', () => {
    for (const number of ['+1', '+49', '+049', '+0049', '+4930123456', '+999999999999999', '+000000000000000']) {
      const key = numberKey(number);
      expect(key).toBeGreaterThanOrEqual(0);
      expect(numberOfKey(key, number.length)).toBe(number);
    }
    expect(numberKey('+49')).toBe(numberKey('+049'));
    expect('+49'.length).not.toBe('+049'.length);
  });

  it('refuses any other text', () => {
    for (const text of ['', '+', '49301234', '+49 30', '+49-30', '+4930a', '+1234567890123456', 'anonymous'])
      expect(numberKey(text)).toBe(-1);
  });
});

import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../src/memo.js';

describe('boundedMemo', () => {
  it('computes each key once while it is remembered, and starts over when full', () => {
    const computed: number[] = [];
    const double = boundedMemo(3, (n: number) => (computed.push(n), n * 2));
    expect([double(1), double(2), double(1), double(3), double(2)]).toEqual([2, 4, 2, 6, 4]);
    expect(computed).toEqual([1, 2, 3]);
    // Full at three: the fourth key clears the memory, so 1 is computed again.
    expect([double(4), double(1), double(4)]).toEqual([8, 2, 8]);
    expect(computed).toEqual([1, 2, 3, 4, 1]);
  });
});

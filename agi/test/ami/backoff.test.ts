import { backoffDelay, DEFAULT_BACKOFF } from 'asterisk-agi/ami';
import { describe, expect, it } from 'vitest';

describe('backoffDelay', () => {
  const exact = { initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0 };

  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [5, 32_000],
    [6, 60_000],
    [50, 60_000],
  ])('attempt %i waits %i ms', (attempt, ms) => {
    expect(backoffDelay(attempt, exact)).toBe(ms);
  });

  it('spreads by ±jitter and never leaves [0, maxMs]', () => {
    const o = { ...exact, jitter: 0.2 };
    expect(backoffDelay(0, o, () => 0)).toBe(800);
    expect(backoffDelay(0, o, () => 0.5)).toBe(1000);
    expect(backoffDelay(0, o, () => 0.999_999)).toBe(1200);
    expect(backoffDelay(10, o, () => 0.999_999)).toBe(60_000);
  });

  it('defaults: 1 s doubling up to a minute', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.2 });
  });
});

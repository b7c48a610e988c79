import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from '../../src/jobs/backoff.js';

const policy = { baseMs: 1_000, maxMs: 10_000 };

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, with a random half taken off', () => {
    expect([1, 2, 3, 4, 5, 30].map((a) => backoffDelay(a, policy, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([500, 1_000, 2_000, 4_000, 5_000]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2026, 11, 6, 12, 0, 0);
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 06 Dec 2026 12:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Sun, 06 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

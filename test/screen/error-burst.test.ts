import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createBurstLogger } from '../../src/screen/error-burst.js';
import { captureLogs } from '../helpers/service.js';

describe('createBurstLogger', () => {
  it('logs the first failure of a burst in full, counts repeats, and reports them when it ends', () => {
    const { lines, stream } = captureLogs();
    let now = 0;
    const burst = createBurstLogger(createLogger('info', stream), 60_000, () => now);
    const err = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    expect(burst.failure(err, { call: 'a' }, 'screening failed')).toBe(true);
    now = 1000;
    expect(burst.failure(err, { call: 'b' }, 'screening failed')).toBe(false);
    expect(burst.failure(err, { call: 'c' }, 'screening failed')).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['screening failed']);
    burst.success();
    expect(lines.map((l) => l.msg)).toEqual([
      'screening failed',
      '2 more calls failed the same way (recovered)',
      'screening recovered',
    ]);
    expect(lines[1]).toMatchObject({ suppressed: 2, kind: 'SQLITE_IOERR: disk I/O error' });
  });

  it('logs again after the window, and for a different failure', () => {
    const { lines, stream } = captureLogs();
    let now = 0;
    const burst = createBurstLogger(createLogger('info', stream), 60_000, () => now);
    burst.failure(new Error('a'), {}, 'failed');
    now = 61_000;
    expect(burst.failure(new Error('a'), {}, 'failed')).toBe(true);
    expect(burst.failure(new Error('b'), {}, 'failed')).toBe(true);
    expect(lines.filter((l) => l.msg === 'failed')).toHaveLength(3);
    burst.success();
    burst.success();
    expect(lines.filter((l) => l.msg === 'screening recovered')).toHaveLength(1);
  });

  it('counts a single repeat in the singular', () => {
    const { lines, stream } = captureLogs();
    const burst = createBurstLogger(createLogger('info', stream), 60_000, () => 0);
    burst.failure(new Error('a'), {}, 'failed');
    burst.failure(new Error('a'), {}, 'failed');
    burst.success();
    expect(lines.map((l) => l.msg)).toContain('1 more call failed the same way (recovered)');
  });
});

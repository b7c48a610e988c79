/**
 * The bench's options: a run that compares the node on PostgreSQL with the SQLite service gets rows long enough for
 * the comparison unless told otherwise; other runs keep their defaults.
 */
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/options.js';

describe('bench options', () => {
  it('gives a --store=postgres run 30-s rows in 6 rounds, and keeps what is given', () => {
    expect(parseOptions([])).toMatchObject({ store: 'sqlite', durationMs: 6_000, rounds: 3 });
    expect(parseOptions(['--store=postgres'])).toMatchObject({ store: 'postgres', durationMs: 30_000, rounds: 6 });
    expect(parseOptions(['--store=postgres', '--duration=8000', '--rounds=2'])).toMatchObject({
      durationMs: 8_000,
      rounds: 2,
    });
    expect(parseOptions(['--store=postgres', '--quick'])).toMatchObject({ durationMs: 1_500, rounds: 1 });
  });
});

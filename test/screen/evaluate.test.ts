import { describe, expect, it, onTestFinished } from 'vitest';
import { evaluate, type Evaluation } from '../../src/screen/evaluate.js';
import { startService } from '../helpers/service.js';

const BLOCKED = '+493012345670';

async function service(overrides: Parameters<typeof startService>[0] = {}) {
  const svc = await startService(overrides);
  onTestFinished(() => svc.close());
  return svc;
}

describe('evaluate()', () => {
  it('answers at once, without a promise, when the lookups do (the SQLite store), so the handler needs no timer', async () => {
    const svc = await service();
    svc.ctx.store.entries.create({ number: BLOCKED, kind: 'block' });
    for (const callerRaw of [BLOCKED, '+493099999999', 'anonymous']) {
      const ev = evaluate(svc.ctx, { callerRaw }, Date.now());
      expect(ev, callerRaw).not.toBeInstanceOf(Promise);
    }
    expect((evaluate(svc.ctx, { callerRaw: BLOCKED }, Date.now()) as Evaluation).decision.reason).toBe('blocklist');
  });

  it('returns a promise with the same decision when a lookup is asynchronous', async () => {
    const sync = await service();
    sync.ctx.store.entries.create({ number: BLOCKED, kind: 'block' });
    const asyncLookup = await service({
      overrides: {
        lookup: {
          matches: (e164, prefixes) => Promise.resolve(sync.ctx.lookup.matches(e164, prefixes)),
          recent: (e164, since) => Promise.resolve(sync.ctx.lookup.recent(e164, since)),
        },
      },
    });
    for (const callerRaw of [BLOCKED, '+493099999999']) {
      const now = Date.now();
      const pending = evaluate(asyncLookup.ctx, { callerRaw }, now);
      expect(pending, callerRaw).toBeInstanceOf(Promise);
      expect((await pending).decision, callerRaw).toEqual((evaluate(sync.ctx, { callerRaw }, now) as Evaluation).decision);
    }
  });

  it('throws at once when a synchronous lookup throws (the handler then fails open)', async () => {
    const svc = await service({
      overrides: {
        lookup: {
          matches: () => {
            throw new Error('disk I/O error');
          },
          recent: () => [],
        },
      },
    });
    expect(() => evaluate(svc.ctx, { callerRaw: BLOCKED }, Date.now())).toThrow('disk I/O error');
  });
});

/** screenCall: one call top to bottom — the store's lookups, the decision, the row; fail-open on any failure. */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Matches } from '../../src/policy/types.js';
import { screenCall } from '../../src/screen/screen-call.js';
import { startService } from '../helpers/service.js';
import { settled } from '../helpers/service-store.js';

const BLOCKED = '+493012345670';

async function service(overrides: Parameters<typeof startService>[0] = {}) {
  const svc = await startService(overrides);
  onTestFinished(() => svc.close());
  return svc;
}

/** Records every read the store is asked for: entries and lists of a caller, or its calls since a time. */
function countLookups(svc: Awaited<ReturnType<typeof service>>) {
  const asked: ({ lookup: string } | { recent: string; since: number })[] = [];
  const { screening } = svc.ctx.store;
  const lookup = screening.lookup.bind(screening);
  const recent = screening.recent.bind(screening);
  screening.lookup = (e164, prefixes) => {
    asked.push({ lookup: e164 });
    return lookup(e164, prefixes);
  };
  screening.recent = (e164, since) => {
    asked.push({ recent: e164, since });
    return recent(e164, since);
  };
  return asked;
}

describe('screenCall', () => {
  it('looks up each shown number once, and its recent calls only where the repeat-caller rule could change the outcome', async () => {
    const svc = await service({ overrides: { clock: () => 1_800_000_000_000 } });
    await svc.ctx.store.entries.create({ number: BLOCKED, kind: 'block' });
    await settled(svc.ctx.store);
    const asked = countLookups(svc);
    const at = svc.ctx.clock();
    expect((await screenCall(svc.ctx, { callerRaw: BLOCKED })).decision.reason).toBe('blocklist');
    expect((await screenCall(svc.ctx, { callerRaw: '+493099999999' })).decision.reason).toBe('unknown');
    expect((await screenCall(svc.ctx, { callerRaw: 'anonymous' })).decision.reason).toBe('anonymous');
    expect((await screenCall(svc.ctx, { callerRaw: '**610', origin: 'internal' })).decision.reason).toBe('internal');
    // The blocked caller is decided by its entry; the unknown one could be a repeat caller: the default profile's
    // window, five minutes back. Withheld and internal callers have no number to look up.
    expect(asked).toEqual([
      { lookup: BLOCKED },
      { lookup: '+493099999999' },
      { recent: '+493099999999', since: at - 5 * 60_000 },
    ]);
  });

  it('does not ask for earlier calls when the profile has the repeat-caller rule off', async () => {
    const svc = await service({ file: { repeatCaller: { enabled: false } } });
    const asked = countLookups(svc);
    await screenCall(svc.ctx, { callerRaw: '+493099999999' });
    expect(asked).toEqual([{ lookup: '+493099999999' }]);
  });

  it('logs the row before it answers, with the facts behind the decision', async () => {
    const svc = await service();
    const blocked = await svc.ctx.store.entries.create({ number: BLOCKED, kind: 'block', label: 'Gewinnspiel' });
    await settled(svc.ctx.store);
    const screened = await screenCall(svc.ctx, { callerRaw: '030 12345670', uniqueId: '1.1' });
    expect(screened.callId).toBeGreaterThan(0);
    const row = await svc.ctx.store.calls.get(screened.callId as number);
    expect(row).toMatchObject({
      caller: BLOCKED,
      action: 'hangup',
      reason: 'blocklist',
      explanation: screened.explanation,
    });
    expect(row?.facts?.because.grounds).toMatchObject({
      step: 'block',
      contact: false,
      entry: { id: blocked.id, number: BLOCKED, label: 'Gewinnspiel' },
    });
    expect(row?.facts?.matches).toEqual([
      { entry: expect.objectContaining({ id: blocked.id }), contact: false, wins: true },
    ]);
  });

  it('fails open when the store fails, with the caller as classified in its row and the failure counted', async () => {
    const svc = await service();
    svc.ctx.store.screening.lookup = (): Promise<Matches> => Promise.reject(new Error('disk I/O error'));
    const screened = await screenCall(svc.ctx, { callerRaw: '+493099999999' });
    expect(screened.decision).toMatchObject({ action: 'connect', reason: 'fail-open' });
    expect(screened.error).toBeInstanceOf(Error);
    expect(await svc.ctx.store.calls.get(screened.callId as number)).toMatchObject({
      reason: 'fail-open',
      callerKind: 'number',
      caller: '+493099999999',
    });
    expect(svc.ctx.faults.values('failOpens').find((c) => c.value > 0)?.labels).toEqual({ why: 'error' });
  });
});

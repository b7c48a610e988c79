/** screenCall: one call top to bottom — the store asked once, the decision, the row; fail-open on any failure. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { screenCall } from '../../src/screen/screen-call.js';
import type { Known } from '../../src/store/index.js';
import { startService } from '../helpers/service.js';

const BLOCKED = '+493012345670';

async function service(overrides: Parameters<typeof startService>[0] = {}) {
  const svc = await startService(overrides);
  onTestFinished(() => svc.close());
  return svc;
}

/** Records every lookup the store is asked for: caller and how far back its calls were wanted. */
function countLookups(svc: Awaited<ReturnType<typeof service>>) {
  const asked: { e164: string; recentSince: number | undefined }[] = [];
  const lookup = svc.ctx.store.screening.lookup.bind(svc.ctx.store.screening);
  svc.ctx.store.screening.lookup = (e164, prefixes, recentSince) => {
    asked.push({ e164, recentSince });
    return lookup(e164, prefixes, recentSince);
  };
  return asked;
}

describe('screenCall', () => {
  it('asks the store once per shown number, with the repeat-caller window; never for a withheld or internal caller', async () => {
    const svc = await service({ overrides: { clock: () => 1_800_000_000_000 } });
    svc.ctx.store.entries.create({ number: BLOCKED, kind: 'block' });
    const asked = countLookups(svc);
    const at = svc.ctx.clock();
    expect((await screenCall(svc.ctx, { callerRaw: BLOCKED })).decision.reason).toBe('blocklist');
    expect((await screenCall(svc.ctx, { callerRaw: '+493099999999' })).decision.reason).toBe('unknown');
    expect((await screenCall(svc.ctx, { callerRaw: 'anonymous' })).decision.reason).toBe('anonymous');
    expect((await screenCall(svc.ctx, { callerRaw: '**610', origin: 'internal' })).decision.reason).toBe('internal');
    // The default profile's repeat-caller window: five minutes back.
    expect(asked).toEqual([
      { e164: BLOCKED, recentSince: at - 5 * 60_000 },
      { e164: '+493099999999', recentSince: at - 5 * 60_000 },
    ]);
  });

  it('does not ask for earlier calls when the profile has the repeat-caller rule off', async () => {
    const svc = await service({ file: { repeatCaller: { enabled: false } } });
    const asked = countLookups(svc);
    await screenCall(svc.ctx, { callerRaw: '+493099999999' });
    expect(asked).toEqual([{ e164: '+493099999999', recentSince: undefined }]);
  });

  it('logs the row before it answers, with the facts behind the decision', async () => {
    const svc = await service();
    const blocked = svc.ctx.store.entries.create({ number: BLOCKED, kind: 'block', label: 'Gewinnspiel' });
    const screened = await screenCall(svc.ctx, { callerRaw: '030 12345670', uniqueId: '1.1' });
    expect(screened.callId).toBeGreaterThan(0);
    const row = svc.ctx.store.calls.get(screened.callId as number);
    expect(row).toMatchObject({ caller: BLOCKED, action: 'hangup', reason: 'blocklist', explanation: screened.explanation });
    expect(row?.facts?.because.grounds).toMatchObject({ step: 'block', contact: false, entry: { id: blocked.id, number: BLOCKED, label: 'Gewinnspiel' } });
    expect(row?.facts?.matches).toEqual([{ entry: expect.objectContaining({ id: blocked.id }), contact: false, wins: true }]);
  });

  it('fails open when the store fails, with the caller as classified in its row and the failure counted', async () => {
    const svc = await service();
    svc.ctx.store.screening.lookup = (): Promise<Known> => Promise.reject(new Error('disk I/O error'));
    const screened = await screenCall(svc.ctx, { callerRaw: '+493099999999' });
    expect(screened.decision).toMatchObject({ action: 'connect', reason: 'fail-open' });
    expect(screened.error).toBeInstanceOf(Error);
    expect(svc.ctx.store.calls.get(screened.callId as number)).toMatchObject({ reason: 'fail-open', callerKind: 'number', caller: '+493099999999' });
    expect(svc.ctx.faults.values('failOpens').find((c) => c.value > 0)?.labels).toEqual({ why: 'error' });
  });
});

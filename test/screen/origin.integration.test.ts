/**
 * Internal is where a call comes from, never what its digits look like (DESIGN.md "Numbers"): the dialplan says so
 * in the second AGI argument. Over real TCP through the fake Asterisk, with a real SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { startService, type TestService } from '../helpers/service.js';

const DID = '+4930999000';

async function withGermanyBlocked(env: Record<string, string> = {}): Promise<TestService> {
  const svc = await startService({ env: { CALLFILTER_HOME_AREA_CODE: '30', ...env } });
  await svc.ctx.store.entries.create({ number: '+49', prefix: true, kind: 'block', label: 'all of Germany' });
  return svc;
}

/** One call; `origin` is the second AGI argument as the shipped dialplans pass it (left out: an old dialplan). */
async function call(svc: TestService, caller: string, origin?: string) {
  const result = await svc.call(caller, { args: origin === undefined ? [DID] : [DID, origin] });
  expect(result.closedByServer).toBe(true);
  const row = await svc.ctx.store.calls.get(Number(result.variables.CALLFILTER_CALL_ID));
  return { v: result.variables, row };
}

describe('the origin of a call, from the dialplan', () => {
  it('screens a *… caller id from the trunk like anyone else: +49* blocked blocks it', async () => {
    const svc = await withGermanyBlocked();
    for (const origin of [undefined, 'trunk', '']) {
      const { v, row } = await call(svc, '*03099887766', origin);
      expect(v).toMatchObject({
        CALLFILTER_ACTION: 'hangup',
        CALLFILTER_REASON: 'blocklist',
        CALLFILTER_LABEL: 'all of Germany',
      });
      // Logged as a number: the caller id as sent, its digits as the E.164 form.
      expect(row).toMatchObject({
        callerRaw: '*03099887766',
        caller: '+493099887766',
        callerKind: 'number',
        action: 'hangup',
        reason: 'blocklist',
      });
    }
  });

  it('sends a *… caller id from the trunk to voicemail as implausible when nothing blocks it', async () => {
    const svc = await startService({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
    for (const caller of ['*03099887766', '**610', '*21#']) {
      const { v, row } = await call(svc, caller);
      expect(v, caller).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'implausible' });
      expect(row, caller).toMatchObject({ callerRaw: caller, callerKind: 'number' });
    }
  });

  it('connects the same caller id only when the dialplan says the call is internal', async () => {
    const svc = await withGermanyBlocked();
    expect((await call(svc, '*03099887766', 'trunk')).v).toMatchObject({
      CALLFILTER_ACTION: 'hangup',
      CALLFILTER_REASON: 'blocklist',
    });
    const { v, row } = await call(svc, '*03099887766', 'internal');
    expect(v).toMatchObject({ CALLFILTER_ACTION: 'connect', CALLFILTER_REASON: 'internal' });
    expect(row).toMatchObject({
      callerRaw: '*03099887766',
      callerKind: 'internal',
      action: 'connect',
      reason: 'internal',
    });
    expect((await call(svc, '**610', 'internal')).v).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'internal',
    });
  });

  it('takes only the exact word internal as the internal origin', async () => {
    const svc = await withGermanyBlocked();
    for (const origin of ['Internal', 'internal ', ' internal', 'yes', 'internal,1', 'intern']) {
      expect((await call(svc, '**610', origin)).v, JSON.stringify(origin)).toMatchObject({
        CALLFILTER_ACTION: 'hangup',
        CALLFILTER_REASON: 'blocklist',
      });
    }
  });

  it('never makes a trunk caller internal through CALLFILTER_INTERNAL_PATTERN; from an internal origin it narrows', async () => {
    const svc = await withGermanyBlocked({ CALLFILTER_INTERNAL_PATTERN: '^[1-9][0-9]{2}$' });
    expect((await call(svc, '100')).v).toMatchObject({ CALLFILTER_ACTION: 'hangup', CALLFILTER_REASON: 'blocklist' });
    expect((await call(svc, '100', 'internal')).v).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'internal',
    });
    expect((await call(svc, '**610', 'internal')).v).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'internal',
    });
    // An outside number passed on from an internal context is not one of the extensions: screened.
    expect((await call(svc, '0301234567', 'internal')).v).toMatchObject({
      CALLFILTER_ACTION: 'hangup',
      CALLFILTER_REASON: 'blocklist',
    });
  });
});

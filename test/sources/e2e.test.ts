/**
 * End to end: the subscription configured by the environment, `callfilter sync` (the real command, in its own
 * process) loads PhoneBlock's list, and a number from it called over FastAGI (the fake Asterisk, real TCP) gets the
 * list's action; once PhoneBlock removes the number (votes: 0) and the next sync runs, it rings again.
 */
import { describe, expect, it } from 'vitest';
import { startService } from '../helpers/service.js';
import { runCallfilter } from './cli-process.js';
import { startFakePhoneblock } from './phoneblock-server.js';

describe('PhoneBlock end to end', () => {
  it('blocks a number from the synced list, and lets it ring once PhoneBlock removes it', async () => {
    const pb = await startFakePhoneblock({ numbers: 30 });
    pb.set('+4930555123456', 20, 'E_ADVERTISING');
    const env = {
      CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
      CALLFILTER_PHONEBLOCK_URL: pb.url,
      CALLFILTER_HOME_AREA_CODE: '30',
    };
    const svc = await startService({ env });
    const cli = (...args: string[]) => runCallfilter(args, { ...env, CALLFILTER_DATA_DIR: svc.dataDir });

    const first = await cli('sync');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n')).toEqual([
      'phoneblock: fetching the whole list',
      'phoneblock: received 31 numbers (version 2, 2,747 bytes); writing',
      'phoneblock: synced — whole list loaded: 31 numbers, version 2',
      '',
    ]);

    const blocked = await svc.call('030 555123456');
    expect(blocked.variables).toMatchObject({
      CALLFILTER_ACTION: 'announce',
      CALLFILTER_REASON: 'spam-list',
      CALLFILTER_LABEL: 'SPAM: Werbung',
    });

    pb.set('+4930555123456', 0);
    const second = await cli('sync', 'phoneblock');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('phoneblock: fetching the changes since version 2');
    expect(second.stdout).toContain('phoneblock: synced — 0 numbers new or changed, 1 removed (version 3): 30 numbers');

    const rings = await svc.call('030 555123456', { env: { uniqueid: 'second-call' } });
    expect(rings.variables.CALLFILTER_REASON).not.toBe('spam-list');
    expect(rings.variables.CALLFILTER_ACTION).not.toMatch(/^(announce|hangup)$/);

    // The source's time of day is random (PhoneBlock asks for that), so the next run is anywhere up to a day away.
    const status = await cli('sources');
    expect(status.stdout).toMatch(
      /^phoneblock {2}phoneblock → list "PhoneBlock"\n {2}30 numbers · updated 1 min ago · next in \d+ (?:min|h) · every 1d · version 3\n/,
    );
  }, 60_000);
});

/**
 * End to end, one per contact source: configured by the environment, synced by the real `callfilter sync <name>`
 * in its own process (for `called`, the service listening to the fake AMI, since CDRs are a stream), then a number
 * screened over FastAGI by the fake Asterisk: a contact rings through with its name, the box's barring list hangs up.
 */
import { FakeAmi } from 'asterisk-agi/testing/ami';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createServiceJobs } from '../../src/jobs/service-jobs.js';
import { FakeFritzbox } from '../helpers/fake-fritzbox.js';
import { startRadicale } from '../helpers/radicale.js';
import { startService } from '../helpers/service.js';
import { runCallfilter } from './cli-process.js';

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('contact sources end to end', () => {
  it('fritzbox: callfilter sync fritzbox, then a contact rings through and a barred number is hung up on', async () => {
    const box = await FakeFritzbox.start({
      books: [
        {
          name: 'Telefonbuch',
          contacts: [{ realName: 'Oma', numbers: [{ type: 'home', value: '030 1234567' }], category: 1 }],
        },
      ],
      barring: [{ realName: 'Gewinnspiel', numbers: [{ type: 'home', value: '0900 5555555' }] }],
    });
    const env = {
      CALLFILTER_HOME_AREA_CODE: '30',
      CALLFILTER_FRITZBOX_URL: box.url,
      CALLFILTER_FRITZBOX_USER: 'callfilter',
      CALLFILTER_FRITZBOX_PASSWORD: 'box-secret',
    };
    const svc = await startService({ env });
    const cli = (...args: string[]) => runCallfilter(args, { ...env, CALLFILTER_DATA_DIR: svc.dataDir });

    const sync = await cli('sync', 'fritzbox');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('fritzbox: synced — 2 added, 0 changed, 0 removed: 2 entries');
    expect(sync.stdout + sync.stderr).not.toContain('box-secret');

    const oma = await svc.call('030 1234567');
    expect(oma.variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'contact',
      CALLFILTER_LABEL: 'Oma',
    });
    const barred = await svc.call('0900 5555555', { env: { uniqueid: 'barred' } });
    expect(barred.variables).toMatchObject({ CALLFILTER_ACTION: 'hangup', CALLFILTER_REASON: 'blocklist' });

    const status = await cli('sources');
    expect(status.stdout).toMatch(
      /^fritzbox {2}fritzbox → allow entries \(phone books\), block entries \(call-barring list\)\n {2}2 entries · updated 1 min ago · next in \d+ min · every 15m\n/,
    );
  }, 60_000);

  it('carddav: callfilter sync carddav, then a card from the address book rings through with its name', async () => {
    const dav = await startRadicale();
    const book = await dav.addressBook('contacts', 'Kontakte');
    await dav.putCard(book, 'klempner', { fn: 'Klempner Müller', tel: ['030 7654321'] });
    const env = {
      CALLFILTER_HOME_AREA_CODE: '30',
      CALLFILTER_CARDDAV_URL: dav.url,
      CALLFILTER_CARDDAV_USER: dav.username,
      CALLFILTER_CARDDAV_PASSWORD: dav.password,
    };
    const svc = await startService({ env });
    const cli = (...args: string[]) => runCallfilter(args, { ...env, CALLFILTER_DATA_DIR: svc.dataDir });

    const sync = await cli('sync', 'carddav');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(
      'carddav: synced — 1 added, 0 changed, 0 removed: 1 entry (1 address book, 1 card read)',
    );

    const call = await svc.call('030 7654321');
    expect(call.variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'contact',
      CALLFILTER_LABEL: 'Klempner Müller',
    });
  }, 60_000);

  it('called: the service hears an answered call over AMI, and the number called back later rings through', async () => {
    const ami = await FakeAmi.start();
    onTestFinished(() => ami.close());
    const env = {
      CALLFILTER_HOME_AREA_CODE: '30',
      CALLFILTER_AMI_URL: `tcp://callfilter:secret@127.0.0.1:${ami.port}`,
      CALLFILTER_CALLED_TRUST_DAYS: '30',
    };
    const svc = await startService({ env });
    await svc.ctx.store.entries.create({ number: '+49301112222', kind: 'block', source: 'api' });
    const jobs = createServiceJobs(svc.ctx);
    onTestFinished(() => jobs.close());
    await jobs.start();
    await until('the AMI login', async () => (await svc.ctx.store.sources.find('called'))?.lastSuccessAt !== undefined);

    // Unknown before the household calls it: voicemail.
    const before = await svc.call('030 5556666', { env: { uniqueid: 'before' } });
    expect(before.variables.CALLFILTER_ACTION).toBe('voicemail');

    await ami.sendCdr({ Destination: '0305556666', UniqueID: '1740837902.1' });
    await ami.sendCdr({ Destination: '0301112222', UniqueID: '1740837902.2' });
    await until(
      'the called number',
      async () => (await svc.ctx.store.entries.findByNumber('+49305556666', false, 'allow')).length === 1,
    );
    const entry = (await svc.ctx.store.entries.findByNumber('+49305556666', false, 'allow'))[0]!;
    expect(entry.source).toBe('called');
    expect(entry.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const after = await svc.call('030 5556666', { env: { uniqueid: 'after' } });
    expect(after.variables).toMatchObject({ CALLFILTER_ACTION: 'connect', CALLFILTER_REASON: 'allowlist' });
    // A blocked number called once is not trusted.
    expect(await svc.ctx.store.entries.findByNumber('+49301112222', false, 'allow')).toEqual([]);

    // The connection drops: the status says so, the client reconnects by itself, and calls keep counting.
    ami.dropConnections();
    await until('the status to show the lost connection', async () =>
      ((await svc.ctx.store.sources.find('called'))?.lastError ?? '').includes('trying again'),
    );
    await until('the reconnect', () => jobs.called()?.client.state === 'ready', 10_000);
    await until(
      'the status to clear',
      async () => (await svc.ctx.store.sources.find('called'))?.lastError === undefined,
    );
    await ami.sendCdr({ Destination: '040 1234567'.replace(' ', ''), UniqueID: '1740837902.3' });
    await until(
      'the second called number',
      async () => (await svc.ctx.store.entries.findByNumber('+49401234567', false, 'allow')).length === 1,
    );
  }, 60_000);
});

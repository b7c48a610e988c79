import { EventEmitter } from 'node:events';
import { AmiClient, AmiMessage } from 'asterisk-agi/ami';
import { FakeAmi } from 'asterisk-agi/testing/ami';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  attachCalledFeed,
  CallDeduper,
  type CalledCall,
  type CalledConfig,
} from '../../../src/sources/called/index.js';

const config: CalledConfig = {
  contexts: ['from-internal'],
  numbering: { homeCountry: 'DE', homeAreaCode: '30', internalPattern: /^[1-9]\d{1,3}$/, trunkRules: [] },
};

function quietLog(): {
  debug: (o: object, m?: string) => void;
  error: (o: object, m?: string) => void;
  errors: string[];
} {
  const errors: string[] = [];
  return { debug: () => {}, error: (_o, m) => errors.push(m ?? ''), errors };
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('attachCalledFeed over a real AMI connection', () => {
  it('counts each answered call from the phones once, whatever records Asterisk writes for it', async () => {
    const fake = await FakeAmi.start();
    onTestFinished(() => fake.close());
    const client = new AmiClient({
      host: '127.0.0.1',
      port: fake.port,
      username: 'callfilter',
      secret: 'secret',
      events: 'cdr',
      keepaliveMs: 0,
    });
    onTestFinished(() => client.close());
    const calls: CalledCall[] = [];
    const detach = attachCalledFeed(client, { config, logger: quietLog(), onCall: (c) => calls.push(c) });
    const ready = new Promise((resolve) => client.once('ready', resolve));
    client.start();
    await ready;

    // A direct call, then the same Party A re-bridged by a transfer: two ANSWERED records, one call.
    await fake.sendCdr({ Destination: '03012345678', UniqueID: '1740837902.1' });
    await fake.sendCdr({
      Destination: '03012345678',
      UniqueID: '1740837902.1',
      DestinationChannel: 'PJSIP/102-00000009',
    });
    // A call through a Local channel: the originating record and the Local leg's.
    await fake.sendCdr({
      Destination: '01701234567',
      Channel: 'PJSIP/101-00000003',
      DestinationChannel: 'Local/01701234567@from-internal-00000001;1',
      UniqueID: '1740837902.10',
    });
    await fake.sendCdr({
      Destination: '01701234567',
      Channel: 'Local/01701234567@from-internal-00000001;2',
      DestinationChannel: 'PJSIP/sipgate-00000005',
      UniqueID: '1740837902.12',
    });
    // Trunk failover: the first trunk failed, the second answered — same Party A.
    await fake.sendCdr({
      Destination: '08912345678',
      Disposition: 'FAILED',
      AnswerTime: '',
      UniqueID: '1740837902.20',
    });
    await fake.sendCdr({
      Destination: '08912345678',
      UniqueID: '1740837902.20',
      DestinationChannel: 'PJSIP/telekom-00000011',
    });
    // Not answered; and an inbound call.
    await fake.sendCdr({
      Destination: '00442079460958',
      Disposition: 'NO ANSWER',
      AnswerTime: '',
      UniqueID: '1740837902.30',
    });
    await fake.sendCdr({
      Destination: '0309876543',
      DestinationContext: 'from-pstn',
      Channel: 'PJSIP/sipgate-00000031',
      UniqueID: '1740837902.31',
    });
    await wait(50);

    expect(calls.map((c) => c.number)).toEqual(['+493012345678', '+491701234567', '+498912345678']);
    expect(calls[0]).toEqual({
      number: '+493012345678',
      answeredAt: new Date(2025, 2, 1, 14, 5, 9),
      dialled: '03012345678',
    });
    detach();
    await fake.sendCdr({ Destination: '040123456789', UniqueID: '1740837902.40' });
    await wait(30);
    expect(calls).toHaveLength(3);
  });
});

describe('attachCalledFeed', () => {
  it('logs an onCall that throws and keeps going', () => {
    const source = new EventEmitter();
    const log = quietLog();
    const seen: string[] = [];
    attachCalledFeed(source, {
      config,
      logger: log,
      onCall: (c) => {
        seen.push(c.number);
        if (seen.length === 1) throw new Error('store is busy');
      },
    });
    const record = (uniqueId: string, destination: string): AmiMessage =>
      new AmiMessage([
        ['Event', 'Cdr'],
        ['Destination', destination],
        ['DestinationContext', 'from-internal'],
        ['Channel', 'PJSIP/100-00000001'],
        ['AnswerTime', '2025-03-01 14:05:09'],
        ['Disposition', 'ANSWERED'],
        ['UniqueID', uniqueId],
      ]);
    source.emit('event', record('1.1', '03012345678'));
    source.emit('event', record('1.2', '01701234567'));
    source.emit('event', new AmiMessage([['Event', 'FullyBooted']]));
    expect(seen).toEqual(['+493012345678', '+491701234567']);
    expect(log.errors).toEqual(['handling a called number failed']);
  });
});

describe('CallDeduper', () => {
  it('says true once per key within the window, then forgets', () => {
    const d = new CallDeduper(1000, 100);
    expect(d.first('a', 0)).toBe(true);
    expect(d.first('a', 999)).toBe(false);
    expect(d.first('b', 500)).toBe(true);
    expect(d.first('a', 1000)).toBe(true);
    expect(d.size).toBe(2);
  });

  it('keeps at most maxKeys, dropping the oldest', () => {
    const d = new CallDeduper(60_000, 2);
    d.first('a', 0);
    d.first('b', 1);
    d.first('c', 2);
    expect(d.size).toBe(2);
    expect(d.first('a', 3)).toBe(true);
    expect(d.first('c', 4)).toBe(false);
  });
});

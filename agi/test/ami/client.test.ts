import { AmiAuthError, AmiClosedError, type AmiDisconnect, type AmiMessage, parseCdrEvent } from 'asterisk-agi/ami';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../helpers.js';
import { amiClient, fakeAmi, next, sleep } from './helpers.js';

describe('AmiClient over TCP', () => {
  it('connects, logs in with its event mask and answers actions', async () => {
    const fake = await fakeAmi();
    const client = amiClient(fake);
    const ready = next<{ version: string }>(client, 'ready');
    client.start();
    expect(client.state).toBe('connecting');
    expect(await ready).toEqual({ version: '11.0.0' });
    expect(client.state).toBe('ready');
    expect(fake.logins).toEqual([{ username: 'callfilter', accepted: true, events: 'cdr' }]);
    expect((await client.action('Ping')).get('Ping')).toBe('Pong');
  });

  it('stops after a refused login instead of retrying, and never logs the secret', async () => {
    const fake = await fakeAmi({ loginFailDelayMs: 30 });
    const { logger, messages } = captureLogger();
    const client = amiClient(fake, { secret: 'wrong-secret', logger });
    const failed = next<AmiAuthError>(client, 'authFailed');
    client.start();
    const err = await failed;
    expect(err).toBeInstanceOf(AmiAuthError);
    expect(err.asteriskMessage).toBe('Authentication failed');
    await sleep(300); // several backoff periods
    expect(fake.connections).toBe(1);
    expect(client.state).toBe('failed');
    expect(client.lastError).toBe(err);
    expect(messages('error').join('\n')).toContain(
      'Asterisk refused the AMI login as "callfilter": Authentication failed; not retrying',
    );
    expect(JSON.stringify(messages())).not.toContain('wrong-secret');
  });

  it('emits Cdr events with cdr_manager fields, also one split across TCP reads', async () => {
    const fake = await fakeAmi();
    const client = amiClient(fake);
    const events: AmiMessage[] = [];
    client.on('event', (m: AmiMessage) => events.push(m));
    client.start();
    await next(client, 'ready');
    expect(await fake.sendCdr({ Destination: '0301234567', UniqueID: '1740837902.7' })).toBe(1);
    expect(await fake.sendCdr({ Destination: '004420794600000', CallerID: '"Jürgen Weiß" <101>' }, { chunks: 7 })).toBe(
      1,
    );
    await sleep(30);
    const cdrs = events.map((m) => parseCdrEvent(m));
    expect(cdrs.map((c) => [c?.destination, c?.callerId, c?.disposition])).toEqual([
      ['0301234567', '"Kitchen" <100>', 'ANSWERED'],
      ['004420794600000', '"Jürgen Weiß" <101>', 'ANSWERED'],
    ]);
    expect(cdrs[0]?.uniqueId).toBe('1740837902.7');
  });

  it('reconnects with growing delays after the connection drops, and gets events again', async () => {
    const fake = await fakeAmi();
    const client = amiClient(fake);
    const delays: number[] = [];
    client.on('disconnected', (d: AmiDisconnect) => delays.push(d.retryInMs));
    client.start();
    await next(client, 'ready');
    fake.refuse(true); // Asterisk restarting: the port answers, the session closes at once
    fake.dropConnections();
    while (delays.length < 3) await next(client, 'disconnected');
    expect(delays.slice(0, 3)).toEqual([20, 40, 80]);
    expect(client.lastError).toBeInstanceOf(AmiClosedError);
    const back = next(client, 'ready');
    fake.refuse(false);
    await back;
    expect(client.state).toBe('ready');
    expect(fake.logins.filter((l) => l.accepted)).toHaveLength(2);
    const event = next<AmiMessage>(client, 'event');
    await fake.sendCdr({ Destination: '01701234567' });
    expect(parseCdrEvent(await event)?.destination).toBe('01701234567');
  });

  it('close() while waiting to reconnect ends at once and stops the attempts', async () => {
    const fake = await fakeAmi();
    const client = amiClient(fake, { backoff: { initialMs: 5_000, maxMs: 5_000, factor: 2, jitter: 0 } });
    client.start();
    await next(client, 'ready');
    const lost = next<AmiDisconnect>(client, 'disconnected');
    fake.dropConnections();
    expect((await lost).retryInMs).toBe(5_000);
    expect(client.state).toBe('waiting');
    const started = Date.now();
    const closing = client.close();
    expect(client.close()).toBe(closing);
    await closing;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(client.state).toBe('closed');
    const connections = fake.connections;
    await sleep(50);
    expect(fake.connections).toBe(connections);
    await expect(client.action('Ping')).rejects.toBeInstanceOf(AmiClosedError);
  });

  it('close() logs off a live connection', async () => {
    const fake = await fakeAmi();
    const client = amiClient(fake);
    client.start();
    await next(client, 'ready');
    await client.close();
    expect(fake.actions).toEqual(['Login', 'Logoff']);
    await sleep(20);
    expect(fake.authenticated).toBe(0);
  });

  it('drops a connection whose keepalive Ping goes unanswered, then reconnects', async () => {
    const fake = await fakeAmi();
    const client = amiClient(fake, { keepaliveMs: 40, connection: { replyTimeoutMs: 40 } });
    client.start();
    await next(client, 'ready');
    fake.mute(true);
    const lost = await next<AmiDisconnect>(client, 'disconnected');
    expect(lost.error.message).toContain('did not answer the keepalive Ping');
    const back = next(client, 'ready');
    fake.mute(false);
    await back;
    expect(fake.logins.filter((l) => l.accepted)).toHaveLength(2);
  });

  it('keeps trying while nothing listens, and connects once Asterisk is up', async () => {
    const fake = await fakeAmi();
    const port = fake.port;
    await fake.close();
    const client = amiClient(fake, { port });
    client.start();
    const lost = await next<AmiDisconnect>(client, 'disconnected');
    expect(lost.error.message).toMatch(/ECONNREFUSED/);
    expect(client.state).toBe('waiting');
    const up = await fakeAmi({ port });
    await next(client, 'ready');
    expect(up.logins).toHaveLength(1);
  });
});

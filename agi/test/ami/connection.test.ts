import {
  AmiActionError,
  AmiAuthError,
  AmiClosedError,
  AmiConnection,
  type AmiMessage,
  AmiProtocolError,
  AmiTimeoutError,
} from 'asterisk-agi/ami';
import { describe, expect, it } from 'vitest';
import { captureLogger, type RawPeer, rawPeer } from '../helpers.js';

const LOGIN = { username: 'callfilter', secret: 's3cr3t' };

/** The next action block the client wrote, as key → value. */
async function nextAction(peer: RawPeer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (let line = await peer.nextLine(); line !== ''; line = await peer.nextLine()) {
    const colon = line.indexOf(': ');
    out[line.slice(0, colon)] = line.slice(colon + 2);
  }
  return out;
}

/** A connection whose peer has sent the banner and accepted the login. */
async function loggedIn(events?: string): Promise<{ peer: RawPeer; conn: AmiConnection; seen: AmiMessage[] }> {
  const peer = rawPeer();
  const conn = new AmiConnection(peer.serverSide, events === undefined ? LOGIN : { ...LOGIN, events });
  const seen: AmiMessage[] = [];
  conn.on('event', (m: AmiMessage) => seen.push(m));
  peer.write('Asterisk Call Manager/11.0.0\r\n');
  const login = await nextAction(peer);
  peer.write(`Response: Success\r\nActionID: ${login.ActionID}\r\nMessage: Authentication accepted\r\n\r\n`);
  await conn.ready;
  return { peer, conn, seen };
}

describe('AmiConnection', () => {
  it('logs in after the banner with Username, Secret and Events, and knows the version', async () => {
    const peer = rawPeer();
    const conn = new AmiConnection(peer.serverSide, { ...LOGIN, events: 'cdr' });
    peer.write('Asterisk Call Manager/11.0.0\r\n');
    const login = await nextAction(peer);
    expect(login).toEqual({
      Action: 'Login',
      ActionID: expect.any(String),
      Username: 'callfilter',
      Secret: 's3cr3t',
      Events: 'cdr',
    });
    peer.write(`Response: Success\r\nActionID: ${login.ActionID}\r\nMessage: Authentication accepted\r\n\r\n`);
    await expect(conn.ready).resolves.toBe(conn);
    expect(conn.version).toBe('11.0.0');
  });

  it('turns `Authentication failed` into AmiAuthError, even when the peer closes right after it', async () => {
    const { logger, messages } = captureLogger();
    const peer = rawPeer();
    const conn = new AmiConnection(peer.serverSide, LOGIN, { logger });
    peer.write('Asterisk Call Manager/11.0.0\r\n');
    const login = await nextAction(peer);
    peer.write(`Response: Error\r\nActionID: ${login.ActionID}\r\nMessage: Authentication failed\r\n\r\n`);
    peer.asterisk.end();
    const err = await conn.ready.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiAuthError);
    expect((err as AmiAuthError).asteriskMessage).toBe('Authentication failed');
    expect((err as Error).message).toBe('Asterisk refused the AMI login as "callfilter": Authentication failed');
    expect(messages('error')).toEqual(['Asterisk refused the AMI login as "callfilter": Authentication failed']);
    expect(JSON.stringify(messages())).not.toContain('s3cr3t');
  });

  it('refuses a peer that is not AMI, one that sends no banner, and one that hangs up before the login answer', async () => {
    const sip = rawPeer();
    const notAmi = new AmiConnection(sip.serverSide, LOGIN);
    sip.write('SSH-2.0-OpenSSH_9.2\r\n');
    await expect(notAmi.ready).rejects.toBeInstanceOf(AmiProtocolError);
    await sip.ended;

    const silent = rawPeer();
    await expect(new AmiConnection(silent.serverSide, LOGIN, { bannerTimeoutMs: 30 }).ready).rejects.toBeInstanceOf(
      AmiTimeoutError,
    );

    const gone = rawPeer();
    const c = new AmiConnection(gone.serverSide, LOGIN);
    gone.write('Asterisk Call Manager/11.0.0\r\n');
    await nextAction(gone);
    gone.asterisk.end();
    await expect(c.ready).rejects.toBeInstanceOf(AmiClosedError);
  });

  it('matches responses to actions by ActionID, in any order, and rejects `Response: Error` with its Message', async () => {
    const { peer, conn } = await loggedIn();
    const ping = conn.action('Ping');
    const bad = conn.action('Command', { Command: 'core show uptime' });
    const a = await nextAction(peer);
    const b = await nextAction(peer);
    expect([a.Action, b.Action]).toEqual(['Ping', 'Command']);
    peer.write(`Response: Error\r\nActionID: ${b.ActionID}\r\nMessage: Permission denied\r\n\r\n`);
    peer.write(`Response: Success\r\nActionID: ${a.ActionID}\r\nPing: Pong\r\nTimestamp: 1740837902.000000\r\n\r\n`);
    expect((await ping).get('Ping')).toBe('Pong');
    const err = await bad.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiActionError);
    expect(err).toMatchObject({
      action: 'Command',
      asteriskMessage: 'Permission denied',
      message: 'Asterisk refused Command: Permission denied',
    });
  });

  it('times out an unanswered action without dropping the connection', async () => {
    const { conn } = await loggedIn();
    await expect(conn.action('Ping', {}, { timeoutMs: 20 })).rejects.toBeInstanceOf(AmiTimeoutError);
    expect(conn.closed).toBe(false);
  });

  it('emits events, also those in the same chunk as the login response', async () => {
    const peer = rawPeer();
    const conn = new AmiConnection(peer.serverSide, LOGIN);
    const seen: string[] = [];
    conn.on('event', (m: AmiMessage) => seen.push(m.event ?? ''));
    peer.write('Asterisk Call Manager/11.0.0\r\n');
    const login = await nextAction(peer);
    peer.write(
      `Response: Success\r\nActionID: ${login.ActionID}\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n`,
    );
    await conn.ready;
    peer.write('Event: Cdr\r\nPrivilege: cdr,all\r\nDestination: 0301234567\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(['FullyBooted', 'Cdr']);
  });

  it('rejects pending actions when the connection drops, and refuses new ones', async () => {
    const { peer, conn } = await loggedIn();
    const pending = conn.action('Ping');
    await nextAction(peer);
    const closed = new Promise((resolve) => conn.once('close', resolve));
    peer.asterisk.destroy();
    await expect(pending).rejects.toBeInstanceOf(AmiClosedError);
    expect(await closed).toBeInstanceOf(AmiClosedError);
    await expect(conn.action('Ping')).rejects.toBeInstanceOf(AmiClosedError);
  });

  it('close() sends Logoff and ends the connection; a listener that throws is logged, not thrown', async () => {
    const { logger, messages } = captureLogger();
    const peer = rawPeer();
    const conn = new AmiConnection(peer.serverSide, LOGIN, { logger });
    conn.on('event', () => {
      throw new Error('listener bug');
    });
    peer.write('Asterisk Call Manager/11.0.0\r\n');
    const login = await nextAction(peer);
    peer.write(
      `Response: Success\r\nActionID: ${login.ActionID}\r\nMessage: Authentication accepted\r\n\r\nEvent: X\r\n\r\n`,
    );
    await conn.ready;
    expect(messages('error')).toEqual(["an AMI connection 'event' listener threw"]);
    conn.close();
    conn.close();
    expect(await nextAction(peer)).toEqual({ Action: 'Logoff' });
    await peer.ended;
    expect(conn.closed).toBe(true);
  });
});

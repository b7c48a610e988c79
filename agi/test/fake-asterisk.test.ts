import { AgiDeadChannelError, type AgiSession, AgiUnknownCommandError, AgiUsageError } from 'asterisk-agi';
import { duplexPair, type FakeCallOptions, fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it } from 'vitest';
import { testServer } from './helpers.js';

/** Runs `handler` as the only route of a server and plays one fake call into it over an in-memory pair. */
async function call(handler: (session: AgiSession) => Promise<void>, options: FakeCallOptions = {}) {
  const server = testServer();
  let failure: unknown;
  server.route('screen', async (session) => {
    try {
      await handler(session);
    } catch (err) {
      failure = err;
    }
  });
  const [serverSide, asterisk] = duplexPair();
  server.handle(serverSide, '127.0.0.1');
  const result = await fakeCall(asterisk, { script: 'screen', ...options });
  if (failure) throw failure;
  return result;
}

describe('fake Asterisk', () => {
  it('sends a realistic environment, with the script, query and args as Asterisk builds them', async () => {
    let seen: AgiSession | undefined;
    const result = await call(
      async (s) => {
        seen = s;
      },
      {
        script: 'screen?profile=office',
        args: ['0309876543', 'two words'],
        env: { callerid: '+4930123456', agi_calleridname: 'Jürgen' },
      },
    );
    expect(seen?.env).toMatchObject({
      network: true,
      networkScript: 'screen?profile=office',
      request: 'agi://127.0.0.1:4573/screen?profile=office',
      callerid: '+4930123456',
      calleridname: 'Jürgen',
      callingpres: 0,
      args: ['0309876543', 'two words'],
    });
    expect(seen?.request.query.get('profile')).toBe('office');
    expect(Object.keys(seen?.env.raw ?? {}).slice(0, 3)).toEqual(['agi_network', 'agi_network_script', 'agi_request']);
    expect(result).toMatchObject({ closedByServer: true, agiStatus: 'SUCCESS', timedOut: false, commands: [] });
  });

  it('leaves out keys set to undefined', async () => {
    let env: AgiSession['env'] | undefined;
    await call(
      async (s) => {
        env = s.env;
      },
      { env: { calleridname: undefined } },
    );
    expect(env?.raw).not.toHaveProperty('agi_calleridname');
    expect(env?.calleridname).toBe('unknown');
  });

  it('answers SET/GET VARIABLE and reports what was set', async () => {
    const result = await call(
      async (s) => {
        await s.setVariable('CALLFILTER_ACTION', 'voicemail');
        expect(await s.getVariable('CALLFILTER_ACTION')).toBe('voicemail');
        expect(await s.getVariable('PRESET')).toBe('from (the) test');
        expect(await s.getVariable('UNSET')).toBeUndefined();
      },
      { variables: { PRESET: 'from (the) test' } },
    );
    expect(result.variables).toEqual({ CALLFILTER_ACTION: 'voicemail' });
    expect(result.commands).toEqual([
      'SET VARIABLE "CALLFILTER_ACTION" "voicemail"',
      'GET VARIABLE "CALLFILTER_ACTION"',
      'GET VARIABLE "PRESET"',
      'GET VARIABLE "UNSET"',
    ]);
  });

  it('keeps values with spaces, quotes, backslashes and non-ASCII intact (parse_args round trip)', async () => {
    const values = ['two words', 'say "hi"', 'C:\\path\\', '\\"', 'Jürgen Müller 🙂', '', '  ', 'a) b=(c', '\t'];
    const result = await call(async (s) => {
      for (const [i, v] of values.entries()) await s.setVariable(`V${i}`, v);
      for (const [i, v] of values.entries()) expect(await s.getVariable(`V${i}`)).toBe(v);
    });
    expect(result.variables).toEqual(Object.fromEntries(values.map((v, i) => [`V${i}`, v])));
  });

  it('answers 510 for unknown commands and multi-line 520 for bad usage', async () => {
    await call(async (s) => {
      await expect(s.send('FROBNICATE')).rejects.toBeInstanceOf(AgiUnknownCommandError);
      const err = await s.send('GET VARIABLE', 'A', 'B').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AgiUsageError);
      expect((err as AgiUsageError).usage).toContain('example return code: 200 result=1 (testvariable)');
      await expect(s.send('VERBOSE')).rejects.toMatchObject({ code: 520, usage: '' });
      await expect(s.verbose('still in sync')).resolves.toMatchObject({ result: 1 });
    });
  });

  it('hangs up after N commands: HANGUP, then 511 for what does not run dead, SET VARIABLE still works', async () => {
    const result = await call(
      async (s) => {
        await s.setVariable('A', '1');
        await s.answer();
        await expect(s.streamFile('beep')).rejects.toBeInstanceOf(AgiDeadChannelError);
        expect(s.dead).toBe(true);
        await s.setVariable('B', '2');
      },
      { hangupAfterCommands: 2 },
    );
    expect(result).toMatchObject({ hungUp: true, agiStatus: 'HANGUP', variables: { A: '1', B: '2' } });
    expect(result.replies).toContain('511 Command Not Permitted on a dead channel or intercepted channel');
  });

  it('hangs up right after the environment with hangupAfterCommands: 0', async () => {
    let deadAtFirstCommand: boolean | undefined;
    await call(
      async (s) => {
        await new Promise((resolve) => (s.dead ? resolve(undefined) : s.once('hangup', resolve)));
        deadAtFirstCommand = s.dead;
        await s.setVariable('A', '1');
      },
      { hangupAfterCommands: 0 },
    );
    expect(deadAtFirstCommand).toBe(true);
  });

  it('HANGUP command: the channel goes, then HANGUP arrives', async () => {
    const result = await call(async (s) => {
      await s.hangup();
      await new Promise((resolve) => (s.dead ? resolve(undefined) : s.once('hangup', resolve)));
    });
    expect(result.replies.slice(0, 2)).toEqual(['200 result=1', 'HANGUP']);
  });

  it('sends HANGUP once more after the server closed, and swallows the write error', async () => {
    const result = await call(async () => {});
    expect(result.closedByServer).toBe(true);
    expect(result.replies).toEqual(['HANGUP']);
  });

  it('drops the connection halfway through the environment with hangupBeforeEnv', async () => {
    const server = testServer();
    const errors: unknown[] = [];
    server.on('sessionError', (err) => errors.push(err));
    server.route('screen', () => {
      throw new Error('must not run');
    });
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide);
    const result = await fakeCall(asterisk, { script: 'screen', hangupBeforeEnv: true });
    expect(result).toMatchObject({ closedByServer: false, agiStatus: 'HANGUP', commands: [] });
    expect(errors).toHaveLength(1);
  });

  it('cuts lines over 2047 bytes into two commands, like fgets() into AGI_BUF_LEN', async () => {
    const [serverSide, asterisk] = duplexPair();
    const done = fakeCall(asterisk, { timeoutMs: 2000 });
    // A hand-written client that ignores the length rule.
    let env = '';
    serverSide.on('data', (c: Buffer) => {
      env += c.toString();
      if (env.endsWith('\n\n')) {
        serverSide.write(`SET VARIABLE "A" "${'x'.repeat(2100)}"\n`);
        setTimeout(() => serverSide.end(), 20);
      }
    });
    const result = await done;
    expect(result.commands).toHaveLength(2);
    expect(Buffer.byteLength(result.commands[0] ?? '')).toBe(2047);
  });

  it('resolves with agiStatus FAILURE when nothing listens', async () => {
    const result = await fakeCall({ port: 1, host: '127.0.0.1' });
    expect(result.agiStatus).toBe('FAILURE');
    expect(result.error).toBeInstanceOf(Error);
  });

  it('gives up after timeoutMs when the server never closes', async () => {
    const [serverSide, asterisk] = duplexPair();
    serverSide.resume();
    serverSide.on('error', () => {});
    const result = await fakeCall(asterisk, { timeoutMs: 50 });
    expect(result).toMatchObject({ timedOut: true, closedByServer: false });
    serverSide.destroy();
  });
});

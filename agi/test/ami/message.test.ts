import { type AmiMessage, AmiParser, AmiProtocolError, buildAction } from 'asterisk-agi/ami';
import { describe, expect, it } from 'vitest';

const BANNER = 'Asterisk Call Manager/11.0.0\r\n';

describe('AmiParser', () => {
  it('reads the banner, then messages ended by an empty line', () => {
    const p = new AmiParser();
    const r = p.push(
      `${BANNER}Response: Success\r\nActionID: a-1\r\nMessage: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n`,
    );
    expect(r.banner).toBe('11.0.0');
    expect(r.error).toBeUndefined();
    expect(r.messages.map((m) => m.toObject())).toEqual([
      { Response: 'Success', ActionID: 'a-1', Message: 'Authentication accepted' },
      { Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' },
    ]);
  });

  it('joins a message split at every byte', () => {
    const p = new AmiParser();
    const text = `${BANNER}Event: Cdr\r\nDestination: 0301234567\r\nCallerID: "Jürgen" <100>\r\n\r\n`;
    const messages: AmiMessage[] = [];
    let banner: string | undefined;
    for (const byte of Buffer.from(text, 'utf8')) {
      const r = p.push(Buffer.of(byte));
      banner ??= r.banner;
      messages.push(...r.messages);
    }
    expect(banner).toBe('11.0.0');
    expect(messages.map((m) => m.toObject())).toEqual([
      { Event: 'Cdr', Destination: '0301234567', CallerID: '"Jürgen" <100>' },
    ]);
  });

  it('accepts bare \\n line ends and passes over blank lines between messages', () => {
    const p = new AmiParser();
    const r = p.push('Asterisk Call Manager/9.0.0\n\n\nEvent: A\nKey: 1\n\n\nEvent: B\n\n');
    expect(r.messages.map((m) => m.event)).toEqual(['A', 'B']);
  });

  it('splits at the first colon, skips the blanks after it, keeps duplicates and lines without a colon', () => {
    const p = new AmiParser();
    const r = p.push(
      `${BANNER}Event: VarSet\r\nValue: a: b\r\nVariable: X=1\r\nVariable: Y=2\r\nKey:no-space\r\nEmpty: \r\n--END COMMAND--\r\n\r\n`,
    );
    const m = r.messages[0]!;
    expect(m.fields).toEqual([
      ['Event', 'VarSet'],
      ['Value', 'a: b'],
      ['Variable', 'X=1'],
      ['Variable', 'Y=2'],
      ['Key', 'no-space'],
      ['Empty', ''],
      ['', '--END COMMAND--'],
    ]);
    expect(m.getAll('variable')).toEqual(['X=1', 'Y=2']);
    expect(m.get('EVENT')).toBe('VarSet');
    expect(m.get('Missing')).toBeUndefined();
  });

  it('refuses a peer without the banner, and stays spent', () => {
    const p = new AmiParser();
    const r = p.push('SIP/2.0 400 Bad Request\r\n\r\n');
    expect(r.error).toBeInstanceOf(AmiProtocolError);
    expect(r.error?.message).toContain('not an Asterisk manager interface');
    expect(p.push(`${BANNER}`).error).toBe(r.error);
  });

  it('refuses an oversize line, an oversize message and too many lines, keeping the messages before', () => {
    const line = new AmiParser({ maxLineBytes: 50 }).push(`${BANNER}Event: A\r\n\r\nKey: ${'x'.repeat(60)}\r\n`);
    expect(line.messages.map((m) => m.event)).toEqual(['A']);
    expect(line.error?.message).toContain('longer than 50 bytes');

    const big = new AmiParser({ maxMessageBytes: 40 }).push(
      `${BANNER}Event: A\r\nK1: ${'x'.repeat(20)}\r\nK2: ${'x'.repeat(20)}\r\n`,
    );
    expect(big.error?.message).toContain('a message longer than 40 bytes');

    const many = new AmiParser({ maxMessageFields: 3 }).push(`${BANNER}Event: A\r\nA: 1\r\nB: 2\r\nC: 3\r\n`);
    expect(many.error?.message).toContain('more than 3 lines');
  });
});

describe('buildAction', () => {
  it('writes Action, ActionID and the fields, each line \\r\\n-ended, then the empty line', () => {
    expect(buildAction('Login', { Username: 'callfilter', Secret: 's3cr3t', Events: 'cdr' }, 'id-1')).toBe(
      'Action: Login\r\nActionID: id-1\r\nUsername: callfilter\r\nSecret: s3cr3t\r\nEvents: cdr\r\n\r\n',
    );
    expect(buildAction('Ping')).toBe('Action: Ping\r\n\r\n');
    expect(
      buildAction('Originate', [
        ['Variable', 'A=1'],
        ['Variable', 'B=2'],
      ]),
    ).toBe('Action: Originate\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n');
  });

  it('refuses what would break the framing or what Asterisk would drop', () => {
    expect(() => buildAction('Login', { Secret: 'a\r\nAction: Command' })).toThrow(TypeError);
    expect(() => buildAction('Login', { 'Bad Name': 'x' })).toThrow(TypeError);
    expect(() => buildAction('Login', { 'A:B': 'x' })).toThrow(TypeError);
    expect(() => buildAction('Ping', { ActionID: 'mine' })).toThrow(/set by buildAction/);
    // get_input(): a line and its \r\n must fit into 1024 bytes.
    expect(() => buildAction('Ping', { Data: 'x'.repeat(1016) })).not.toThrow();
    expect(() => buildAction('Ping', { Data: 'x'.repeat(1017) })).toThrow(RangeError);
    expect(() =>
      buildAction('Ping', Object.fromEntries(Array.from({ length: 127 }, (_, i) => [`K${i}`, 'v']))),
    ).not.toThrow();
    expect(() =>
      buildAction('Ping', Object.fromEntries(Array.from({ length: 128 }, (_, i) => [`K${i}`, 'v']))),
    ).toThrow(RangeError);
  });
});

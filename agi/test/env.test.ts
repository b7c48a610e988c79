import { AgiHangupError, AgiProtocolError, EnvParser, toEnvironment, toRequest } from 'asterisk-agi';
import { describe, expect, it } from 'vitest';
import { envBlock } from './helpers.js';

function parse(block: string, limits?: { maxBytes: number; maxLines: number }): EnvParser {
  const parser = new EnvParser(limits);
  const lines = block.split('\n').slice(0, -1);
  lines.forEach((line, i) => expect(parser.push(line)).toBe(i === lines.length - 1));
  return parser;
}

describe('environment', () => {
  it('types every key setup_env() sends', () => {
    const env = parse(
      envBlock({ agi_callingpres: '32', agi_calleridname: 'Jürgen: Müller' }, ['4930999', '', 'x y']),
    ).environment();
    expect(env).toMatchObject({
      request: 'agi://127.0.0.1:4573/screen',
      channel: 'PJSIP/trunk-00000001',
      language: 'de',
      type: 'PJSIP',
      uniqueid: '1700000000.1',
      version: '22.1.0',
      callerid: '0301234567',
      calleridname: 'Jürgen: Müller',
      callingpres: 32,
      callingani2: 0,
      callington: 0,
      callingtns: 0,
      dnid: '0309876543',
      rdnis: 'unknown',
      context: 'from-trunk',
      extension: '0309876543',
      priority: '1',
      enhanced: '0.0',
      accountcode: '',
      threadid: '140245012345678',
      network: true,
      networkScript: 'screen',
      args: ['4930999', '', 'x y'],
    });
    expect(env.raw.agi_accountcode).toBe('');
    expect(env.raw.agi_arg_3).toBe('x y');
  });

  it('splits at the first ": " only and keeps unknown keys', () => {
    const env = parse('agi_request: agi://h/s\nagi_future_key: a: b\nagi_callerid: x\n\n').environment();
    expect(env.raw.agi_future_key).toBe('a: b');
  });

  it('accepts "agi_key:" without the space as an empty value', () => {
    expect(parse('agi_request: x\nagi_accountcode:\n\n').environment().raw.agi_accountcode).toBe('');
  });

  it('defaults absent caller fields to unknown and absent numbers to NaN', () => {
    const env = toEnvironment({ agi_request: 'agi://h/s' });
    expect(env.callerid).toBe('unknown');
    expect(env.calleridname).toBe('unknown');
    expect(env.dnid).toBe('unknown');
    expect(env.callingpres).toBeNaN();
    expect(env.network).toBe(false);
    expect(env.args).toEqual([]);
  });

  it.each([['GET / HTTP/1.1'], ['Host: example.org'], ['agi_request'], ['agi bad: x'], [': x']])(
    'refuses %j',
    (line) => {
      expect(() => new EnvParser().push(line)).toThrow(AgiProtocolError);
    },
  );

  it('refuses an environment without agi_request', () => {
    const p = new EnvParser();
    p.push('agi_network: yes');
    expect(() => p.push('')).toThrow(AgiProtocolError);
  });

  it('treats HANGUP inside the block as the caller having gone', () => {
    const p = new EnvParser();
    p.push('agi_network: yes');
    expect(() => p.push('HANGUP')).toThrow(AgiHangupError);
  });

  it('enforces the line and byte limits', () => {
    const lines = new EnvParser({ maxBytes: 1 << 20, maxLines: 3 });
    lines.push('agi_request: x');
    lines.push('agi_a: 1');
    lines.push('agi_b: 2');
    expect(() => lines.push('')).toThrow(/more than 3 lines/);
    const bytes = new EnvParser({ maxBytes: 20, maxLines: 100 });
    bytes.push('agi_request: x');
    expect(() => bytes.push('agi_a: 12345')).toThrow(/larger than 20 bytes/);
  });
});

describe('request', () => {
  const req = (raw: Record<string, string>) =>
    toRequest(toEnvironment({ agi_request: 'agi://127.0.0.1:4573', ...raw }));

  it('routes on agi_network_script without leading slashes, query parsed', () => {
    expect(req({ agi_network_script: 'screen' }).path).toBe('screen');
    expect(req({ agi_network_script: '/screen' }).path).toBe('screen');
    expect(req({ agi_network_script: 'a/b' }).path).toBe('a/b');
    const r = req({ agi_network_script: 'screen?profile=office&x=%20y', agi_arg_1: '4930999' });
    expect(r.path).toBe('screen');
    expect(r.query.get('profile')).toBe('office');
    expect(r.query.get('x')).toBe(' y');
    expect(r.args).toEqual(['4930999']);
  });

  it('falls back to agi_request, and to "" without a script', () => {
    expect(req({ agi_request: 'agi://h:4573/screen?x=1' }).path).toBe('screen');
    expect(req({ agi_request: 'hagi://agi.example.org/screen' }).path).toBe('screen');
    expect(req({}).path).toBe('');
    expect(req({ agi_request: 'agi://h:4573/' }).path).toBe('');
  });
});

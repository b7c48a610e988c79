import {
  AgiDeadChannelError,
  AgiError,
  AgiProtocolError,
  AgiUnknownCommandError,
  AgiUsageError,
  parseSuccessLine,
  ReplyAssembler,
} from 'asterisk-agi';
import { describe, expect, it } from 'vitest';

describe('parseSuccessLine', () => {
  it.each([
    ['200 result=1', { result: 1, resultText: '1', extra: {} }],
    ['200 result=0', { result: 0 }],
    ['200 result=-1 endpos=0', { result: -1, extra: { endpos: '0' } }],
    ['200 result=1 (timeout) endpos=12345', { result: 1, data: 'timeout', extra: { endpos: '12345' } }],
    ['200 result=1 (testvariable)', { result: 1, data: 'testvariable' }],
    ['200 result=1 ()', { result: 1, data: '' }],
    ['200 result=1 (a (b) c)', { data: 'a (b) c' }],
    ['200 result=1 (SPAM: call centre (Hamburg))', { data: 'SPAM: call centre (Hamburg)' }],
    ['200 result=1 (x) endpos=3)', { data: 'x) endpos=3', extra: {} }],
    ['200 result=1 (  spaced  )', { data: '  spaced  ' }],
    ['200 result=1 (unterminated', { data: 'unterminated' }],
    ['200 result= (timeout)', { resultText: '', data: 'timeout' }],
    ['200 result=12# (timeout)', { resultText: '12#', data: 'timeout' }],
  ])('%s', (line, expected) => {
    const reply = parseSuccessLine(line);
    expect(reply).toMatchObject({ code: 200, raw: line, ...expected });
  });

  it('gives NaN for a result that is not an integer', () => {
    expect(parseSuccessLine('200 result=12#')?.result).toBeNaN();
    expect(parseSuccessLine('200 result=')?.result).toBeNaN();
  });

  it('rejects lines that are not 200 result=', () => {
    expect(parseSuccessLine('200 ok')).toBeUndefined();
    expect(parseSuccessLine('510 Invalid or unknown command')).toBeUndefined();
  });
});

describe('ReplyAssembler', () => {
  it('makes HANGUP an event, anywhere', () => {
    const r = new ReplyAssembler();
    expect(r.push('HANGUP')).toEqual({ type: 'hangup' });
    expect(r.push('HANGUP')).toEqual({ type: 'hangup' });
    expect(r.push('200 result=1')).toMatchObject({ type: 'reply' });
  });

  it('maps 510, 511 and single-line 520 to typed errors', () => {
    const r = new ReplyAssembler();
    const e510 = r.push('510 Invalid or unknown command');
    expect(e510).toMatchObject({ type: 'error' });
    expect(e510?.type === 'error' && e510.error).toBeInstanceOf(AgiUnknownCommandError);
    const e511 = r.push('511 Command Not Permitted on a dead channel or intercepted channel');
    expect(e511?.type === 'error' && e511.error).toBeInstanceOf(AgiDeadChannelError);
    expect(e511?.type === 'error' && e511.error.code).toBe(511);
    const e520 = r.push('520 Invalid command syntax.  Proper usage not available.');
    expect(e520?.type === 'error' && e520.error).toBeInstanceOf(AgiUsageError);
    expect(e520?.type === 'error' && (e520.error as AgiUsageError).usage).toBe('');
  });

  it('collects a multi-line 520, ignoring reply-looking usage lines', () => {
    const r = new ReplyAssembler();
    expect(r.push('520-Invalid command syntax.  Proper usage follows:')).toBeUndefined();
    expect(r.inUsage).toBe(true);
    expect(r.push(' Usage: GET VARIABLE <variablename>')).toBeUndefined();
    expect(r.push(' example return code: 200 result=1 (testvariable)')).toBeUndefined();
    expect(r.push('200 result=1')).toBeUndefined();
    expect(r.push('')).toBeUndefined();
    const event = r.push('520 End of proper usage.');
    expect(event?.type).toBe('error');
    const error = event?.type === 'error' ? (event.error as AgiUsageError) : undefined;
    expect(error).toBeInstanceOf(AgiUsageError);
    expect(error?.code).toBe(520);
    expect(error?.usage).toBe(
      ' Usage: GET VARIABLE <variablename>\n example return code: 200 result=1 (testvariable)\n200 result=1\n',
    );
    expect(r.inUsage).toBe(false);
    expect(r.push('200 result=0')).toMatchObject({ type: 'reply', reply: { result: 0 } });
  });

  it('finds the end of a usage text that lacks its final newline', () => {
    const r = new ReplyAssembler();
    r.push('520-Invalid command syntax.  Proper usage follows:');
    const event = r.push('Last usage line520 End of proper usage.');
    expect(event?.type === 'error' && (event.error as AgiUsageError).usage).toBe('Last usage line');
  });

  it('still reports HANGUP inside a usage block', () => {
    const r = new ReplyAssembler();
    r.push('520-Invalid command syntax.  Proper usage follows:');
    expect(r.push('HANGUP')).toEqual({ type: 'hangup' });
    expect(r.push('520 End of proper usage.')?.type).toBe('error');
  });

  it('gives other codes a plain AgiError with the code', () => {
    const event = new ReplyAssembler().push('210 keepalive');
    expect(event?.type === 'error' && event.error).toBeInstanceOf(AgiError);
    expect(event?.type === 'error' && event.error.code).toBe(210);
  });

  it.each([['garbage'], [''], ['20 result=1'], ['2000 result=1'], ['200 nonsense'], ['hangup']])(
    'calls %j garbage',
    (line) => {
      const event = new ReplyAssembler().push(line);
      expect(event?.type).toBe('garbage');
      expect(event?.type === 'garbage' && event.error).toBeInstanceOf(AgiProtocolError);
    },
  );
});

it('has no data key when there were no parentheses', () => {
  expect(parseSuccessLine('200 result=1')).not.toHaveProperty('data');
});

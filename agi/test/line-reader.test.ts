import { AgiProtocolError, LineReader } from 'asterisk-agi';
import { describe, expect, it } from 'vitest';

describe('LineReader', () => {
  it('joins a line split across chunks', () => {
    const r = new LineReader();
    expect(r.push('agi_req').lines).toEqual([]);
    expect(r.push('uest: x').lines).toEqual([]);
    expect(r.push('\n').lines).toEqual(['agi_request: x']);
  });

  it('returns several lines from one chunk, in order, keeping the partial rest', () => {
    const r = new LineReader();
    expect(r.push('a\nb\n\nc').lines).toEqual(['a', 'b', '']);
    expect(r.pendingLength).toBe(1);
    expect(r.push('\n').lines).toEqual(['c']);
  });

  it('strips one trailing \\r, also when it arrives in its own chunk', () => {
    const r = new LineReader();
    expect(r.push('200 result=1\r\n').lines).toEqual(['200 result=1']);
    expect(r.push('x\r').lines).toEqual([]);
    expect(r.push('\n').lines).toEqual(['x']);
    expect(r.push('a\rb\n').lines).toEqual(['a\rb']);
  });

  it('decodes UTF-8 split inside a character', () => {
    const bytes = Buffer.from('agi_calleridname: Jürgen 🙂 Müller\n', 'utf8');
    const r = new LineReader();
    const lines: string[] = [];
    for (const byte of bytes) lines.push(...r.push(Buffer.of(byte)).lines);
    expect(lines).toEqual(['agi_calleridname: Jürgen 🙂 Müller']);
  });

  it('turns invalid UTF-8 into U+FFFD instead of failing', () => {
    const r = new LineReader();
    expect(r.push(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a])).lines).toEqual(['a\ufffd\ufffdb']);
  });

  it('reports a line over the cap as soon as the excess arrives, keeping earlier lines', () => {
    const r = new LineReader(8);
    expect(r.push('12345678\n').lines).toEqual(['12345678']);
    const res = r.push('ok\n123456789');
    expect(res.lines).toEqual(['ok']);
    expect(res.error).toBeInstanceOf(AgiProtocolError);
    // Spent: later input is not parsed.
    expect(r.push('fine\n')).toMatchObject({ lines: [], error: res.error });
  });

  it('counts the cap across chunks', () => {
    const r = new LineReader(8);
    expect(r.push('12345').error).toBeUndefined();
    expect(r.push('6789').error).toBeInstanceOf(AgiProtocolError);
  });

  it('does not keep a reference to the caller’s chunk memory', () => {
    const r = new LineReader();
    const chunk = Buffer.from('abc');
    r.push(chunk);
    chunk.fill(0x78);
    expect(r.push('\n').lines).toEqual(['abc']);
  });

  it('gives the same lines as decoding each line on its own, however the bytes are chunked', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    // Mostly text, with \r, \n, multi-byte characters and invalid bytes mixed in.
    const alphabet = [...Buffer.from('agi_x: Jürgen 🙂 200 result=1'), 0x0d, 0x0a, 0x0a, 0xff, 0xe2, 0x82];
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.from(Array.from({ length: 1 + rand(300) }, () => alphabet[rand(alphabet.length)] as number));
      const expected: string[] = [];
      let from = 0;
      for (let lf = bytes.indexOf(0x0a); lf !== -1; lf = bytes.indexOf(0x0a, from)) {
        const line = bytes.subarray(from, lf);
        expected.push(line.toString('utf8', 0, line.at(-1) === 0x0d ? line.length - 1 : line.length));
        from = lf + 1;
      }
      const r = new LineReader();
      const lines: string[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + rand(40);
        lines.push(...r.push(bytes.subarray(at, at + size)).lines);
        at += size;
      }
      expect(lines).toEqual(expected);
      expect(r.pendingLength).toBe(bytes.length - from);
    }
  });
});

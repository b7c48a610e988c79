/**
 * A small, tolerant XML tokenizer for the two XML files we import (FRITZ!Box phonebooks, PhoneBlock's blocklist).
 * No DTDs, no namespaces, no validation: it yields start tags, end tags and text with entities decoded, each with
 * its line and offsets. Comments, processing instructions and `<!DOCTYPE>` are passed over; CDATA is text.
 */
export type XmlToken =
  | {
      type: 'open';
      name: string;
      attrs: Record<string, string>;
      selfClosing: boolean;
      line: number;
      start: number;
      end: number;
    }
  | { type: 'close'; name: string; line: number; start: number; end: number }
  | { type: 'text'; text: string; line: number; start: number; end: number };

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const ATTR = /([^\s=/>"']+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
const ENTITY = /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references (XML 1.0 §4.6, §4.1); others stay as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, ref: string) => {
    const named = NAMED[ref.toLowerCase()];
    if (named !== undefined) return named;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

export function* xmlTokens(text: string): Generator<XmlToken> {
  let pos = 0;
  let line = 1;
  let counted = 0;
  /** Line of offset `at` (offsets only grow). */
  const lineAt = (at: number): number => {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
    counted = at;
    return line;
  };
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const textEnd = lt < 0 ? text.length : lt;
    if (textEnd > pos) {
      yield {
        type: 'text',
        text: decodeEntities(text.slice(pos, textEnd)),
        line: lineAt(pos),
        start: pos,
        end: textEnd,
      };
    }
    if (lt < 0) return;
    const at = lineAt(lt);
    const skipTo = (terminator: string, what: string): number => {
      const e = text.indexOf(terminator, lt);
      if (e < 0) throw new XmlSyntaxError(`${what} is not closed`, at);
      return e + terminator.length;
    };
    if (text.startsWith('<!--', lt)) {
      pos = skipTo('-->', 'a comment');
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = skipTo(']]>', 'a CDATA section');
      yield { type: 'text', text: text.slice(lt + 9, end - 3), line: at, start: lt, end };
      pos = end;
    } else if (text.startsWith('<?', lt)) {
      pos = skipTo('?>', 'a processing instruction');
    } else if (text.startsWith('<!', lt)) {
      pos = skipTo('>', 'a declaration');
    } else {
      const end = tagEnd(text, lt);
      if (end < 0) throw new XmlSyntaxError('a tag is not closed', at);
      const body = text.slice(lt + 1, end - 1);
      pos = end;
      if (body.startsWith('/')) {
        yield { type: 'close', name: body.slice(1).trim(), line: at, start: lt, end };
        continue;
      }
      const selfClosing = body.endsWith('/');
      const inner = selfClosing ? body.slice(0, -1) : body;
      const nameEnd = inner.search(/[\s/]|$/);
      const name = inner.slice(0, nameEnd);
      if (name === '') throw new XmlSyntaxError('a tag has no name', at);
      const attrs: Record<string, string> = {};
      for (const m of inner.slice(nameEnd).matchAll(ATTR)) {
        attrs[m[1]!] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
      }
      yield { type: 'open', name, attrs, selfClosing, line: at, start: lt, end };
      if (selfClosing) yield { type: 'close', name, line: at, start: end, end };
    }
  }
}

/** Offset after the `>` closing the tag at `lt`, skipping `>` inside quoted attribute values; -1 if none. */
function tagEnd(text: string, lt: number): number {
  let quote = '';
  for (let i = lt + 1; i < text.length; i++) {
    const ch = text[i];
    if (quote !== '') {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return i + 1;
  }
  return -1;
}

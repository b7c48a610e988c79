import { decodeCharset, decodeText } from './decode.js';

/** One unfolded vCard content line (RFC 6350 §3.3): `[group.]NAME *(;param) : value`, with where it starts. */
export interface ContentLine {
  line: number;
  /** The unfolded line as written, for error messages. */
  raw: string;
  /** Upper-cased, group removed (`item1.TEL` → `TEL`). */
  name: string;
  /** Parameter values by upper-cased name; 2.1's bare parameters (`TEL;CELL;PREF`) count as TYPE values. */
  params: Map<string, string[]>;
  /** TYPE values, lower-cased (`cell`, `pref`, `fax`, …). */
  types: Set<string>;
  /** The value after the first `:` outside quotes, still encoded (QUOTED-PRINTABLE, backslash escapes). */
  value: string;
}

const LF = 0x0a;
const CR = 0x0d;
const QP_PARAM = /QUOTED-PRINTABLE/i;
/** vCard 2.1 §2.1.3 lists these as bare parameter values meaning ENCODING=…. */
const BARE_ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', '8BIT', '7BIT', 'B']);

/**
 * The physical lines of a vCard file, each decoded by itself: UTF-8 when valid, else Windows-1252. Per line because
 * one Outlook card with `CHARSET=Windows-1252` raw bytes may sit among UTF-8 cards.
 */
function physicalLines(buf: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const lf = buf.indexOf(LF, start);
    const end = lf < 0 ? buf.length : lf;
    let stop = end;
    if (stop > start && buf[stop - 1] === CR) stop--;
    lines.push(decodeText(buf.subarray(start, stop)));
    if (lf < 0) break;
    start = lf + 1;
  }
  return lines;
}

/**
 * Unfolds the file into content lines: a line starting with one space or tab continues the previous one, that one
 * character removed (RFC 6350 §3.2, RFC 2425 §5.8.1) — even inside a number; a QUOTED-PRINTABLE value ending in
 * `=` continues on the next line as it is (vCard 2.1 soft line break, RFC 2045 §6.7 rule 5).
 */
export function unfold(buf: Buffer): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let parts: string[] = [];
  let startLine = 0;
  let qp = false;
  const flush = (): void => {
    if (parts.length > 0) out.push({ line: startLine, text: parts.join('') });
    parts = [];
  };
  physicalLines(buf).forEach((text, i) => {
    const last = parts[parts.length - 1];
    if (qp && last?.endsWith('=')) {
      parts[parts.length - 1] = last.slice(0, -1);
      parts.push(text);
    } else if (parts.length > 0 && (text.startsWith(' ') || text.startsWith('\t'))) {
      parts.push(text.slice(1));
    } else {
      flush();
      if (text === '') return;
      startLine = i + 1;
      parts.push(text);
      const colon = text.indexOf(':');
      qp = QP_PARAM.test(colon < 0 ? text : text.slice(0, colon));
    }
  });
  flush();
  return out;
}

/** Splits `s` at `sep` outside double quotes. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === sep && !quoted) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

const unquote = (s: string): string => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

/** Parses one unfolded line; undefined when it has no `:` (not a content line). */
export function parseContentLine(line: number, raw: string): ContentLine | undefined {
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return undefined;
  const [head = '', ...paramTexts] = splitOutsideQuotes(raw.slice(0, colon), ';');
  const name = head
    .slice(head.lastIndexOf('.') + 1)
    .trim()
    .toUpperCase();
  const params = new Map<string, string[]>();
  const types = new Set<string>();
  const add = (key: string, values: string[]): void => {
    params.set(key, [...(params.get(key) ?? []), ...values]);
  };
  for (const p of paramTexts) {
    const eq = p.indexOf('=');
    if (eq < 0) {
      const bare = p.trim().toUpperCase();
      if (BARE_ENCODINGS.has(bare)) add('ENCODING', [bare]);
      else if (bare !== '') add('TYPE', [bare]);
      continue;
    }
    const key = p.slice(0, eq).trim().toUpperCase();
    // `TYPE="voice,home"` and `TYPE=voice,home` and `type=voice;type=home` all mean the same (RFC 6350 §5.6).
    add(
      key,
      splitOutsideQuotes(p.slice(eq + 1), ',').flatMap((v) => splitOutsideQuotes(unquote(v.trim()), ',')),
    );
  }
  for (const t of params.get('TYPE') ?? []) types.add(t.trim().toLowerCase());
  return { line, raw, name, params, types, value: raw.slice(colon + 1) };
}

const QP_BYTE = /=([0-9A-Fa-f]{2})/g;

/** The value as text: QUOTED-PRINTABLE decoded in the CHARSET it names (vCard 2.1 §2.1.3); else as it is. */
export function valueText(cl: ContentLine): string {
  const encoding = cl.params.get('ENCODING')?.[0]?.toUpperCase();
  if (encoding !== 'QUOTED-PRINTABLE') return cl.value;
  const bytes: number[] = [];
  let last = 0;
  const pushText = (s: string): void => {
    for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
  };
  for (const m of cl.value.matchAll(QP_BYTE)) {
    pushText(cl.value.slice(last, m.index));
    bytes.push(parseInt(m[1]!, 16));
    last = m.index + m[0].length;
  }
  pushText(cl.value.slice(last));
  return decodeCharset(Buffer.from(bytes), cl.params.get('CHARSET')?.[0]);
}

/** Splits a structured value (N, ORG) at unescaped `;` and removes backslash escapes (RFC 6350 §3.4). */
export function components(text: string): string[] {
  return unescapeValue(text, true);
}

/** Removes backslash escapes from a text value (FN, UID). */
export function unescapeText(text: string): string {
  return unescapeValue(text, false)[0] ?? '';
}

function unescapeValue(text: string, split: boolean): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      cur += next === 'n' || next === 'N' ? '\n' : next;
    } else if (ch === ';' && split) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

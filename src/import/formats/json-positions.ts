/**
 * Offsets where the items of a JSON list start — the root array, or the array under `key` in the root object — so
 * rows of a pretty-printed file get their line. The text must already be valid JSON (JSON.parse said so).
 */
export function itemOffsets(text: string, key: string): number[] {
  const starts: number[] = [];
  const stack: string[] = [];
  let target = -1;
  let expecting = false;
  let lastKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (expecting && stack.length === target && c !== ']') {
      starts.push(i);
      expecting = false;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (stack.length === 1 && stack[0] === '{') lastKey = JSON.parse(text.slice(i, j + 1)) as string;
      i = j;
    } else if (c === '[' || c === '{') {
      stack.push(c);
      const isTarget = c === '[' && (stack.length === 1 || (stack.length === 2 && stack[0] === '{' && lastKey === key));
      if (isTarget) {
        target = stack.length;
        expecting = true;
      }
    } else if (c === ']' || c === '}') {
      if (stack.length === target) return starts;
      stack.pop();
    } else if (c === ',' && stack.length === target) {
      expecting = true;
    }
  }
  return starts;
}

/**
 * The offset where `text` first nests arrays and objects more than `max` deep, or -1. Checked before JSON.parse:
 * what walks the parsed value recursively (JSON.stringify of an item) would overflow the stack on a hostile file.
 */
export function tooDeep(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return i;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return -1;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** 1-based line of each offset (offsets ascending). */
export function linesOf(text: string, offsets: readonly number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let pos = 0;
  for (const off of offsets) {
    for (let i = text.indexOf('\n', pos); i >= 0 && i < off; i = text.indexOf('\n', i + 1)) line++;
    pos = off;
    lines.push(line);
  }
  return lines;
}

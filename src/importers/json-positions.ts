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

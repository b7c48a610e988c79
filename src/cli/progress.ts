/** A one-line progress bar on a terminal; nothing at all when stderr is a pipe or a file (logs stay clean). */

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Redraws at most this often: a terminal cannot show more, and each redraw costs a write. */
const REDRAW_MS = 100;
const WIDTH = 30;

export interface ProgressBar {
  update(done: number, total: number | undefined, text: string): void;
  /** Clears the bar's line. */
  end(): void;
}

export function progressBar(
  stream: ProgressStream | undefined,
  label: string,
  clock: () => number = Date.now,
): ProgressBar {
  if (!stream?.isTTY) return { update() {}, end() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total, text) {
      const now = clock();
      if (now - last < REDRAW_MS) return;
      last = now;
      const share = total ? Math.min(1, done / total) : undefined;
      const bar =
        share === undefined
          ? ''
          : `[${'#'.repeat(Math.round(share * WIDTH)).padEnd(WIDTH, '.')}] ${String(Math.floor(share * 100)).padStart(3)}% `;
      stream.write(`\r${label} ${bar}${text}\u001b[K`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}

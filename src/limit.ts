/**
 * Counting events per key in fixed windows: the one limiter behind the service's rate and burst limits — failed
 * sign-ins per client address (api/auth-limit.ts), the log lines of a burst of screening failures
 * (screen/error-burst.ts). A key's window opens with its first event and lasts `windowMs`; a key whose window is over
 * starts afresh. At most `maxKeys` keys are held, the oldest dropped first, so a flood of new keys (spoofed addresses)
 * cannot fill memory. (agi/ keeps its own log limiter: the package depends on nothing of the service.)
 */
export interface WindowCounter {
  /** Counts one event for `key`; returns how many its current window holds, this one included. */
  add(key: string): number;
  /** Events in the key's current window; 0 when it has none or its window is over. */
  count(key: string): number;
  /** When the key's current window opened and closes (epoch ms), if it has one. */
  window(key: string): { opened: number; closes: number } | undefined;
  /** The key's count, even of a window that is over, and forgets the key: to sum up a burst once it ended. */
  take(key: string): number;
}

export interface WindowCounterOptions {
  windowMs: number;
  /** Keys held at once (default 10,000). */
  maxKeys?: number;
  clock?: () => number;
}

const DEFAULT_MAX_KEYS = 10_000;

export function createWindowCounter(options: WindowCounterOptions): WindowCounter {
  const { windowMs } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const clock = options.clock ?? Date.now;
  /** Insertion order is age order: Map iterates keys in the order they were first set. */
  const windows = new Map<string, { opened: number; count: number }>();

  const open = (key: string) => {
    const w = windows.get(key);
    if (w === undefined) return undefined;
    if (clock() - w.opened < windowMs) return w;
    windows.delete(key);
    return undefined;
  };

  return {
    add(key) {
      let w = open(key);
      if (w === undefined) {
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
        w = { opened: clock(), count: 0 };
        windows.set(key, w);
      }
      return ++w.count;
    },
    count: (key) => open(key)?.count ?? 0,
    window(key) {
      const w = open(key);
      return w && { opened: w.opened, closes: w.opened + windowMs };
    },
    take(key) {
      const n = windows.get(key)?.count ?? 0;
      windows.delete(key);
      return n;
    },
  };
}

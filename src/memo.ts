/**
 * `compute` with its answers remembered, for a hot path whose inputs repeat (a line's called numbers, the Asterisk
 * hosts, the days entries were added). At most `max` answers are kept; when full, the memory starts over — the cap
 * only guards against inputs that never repeat.
 */
export function boundedMemo<K, V>(max: number, compute: (key: K) => V): (key: K) => V {
  const known = new Map<K, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      if (known.size >= max) known.clear();
      known.set(key, value);
    }
    return value;
  };
}

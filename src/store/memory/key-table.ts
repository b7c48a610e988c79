/**
 * A hash table from a key (an integer up to 2^53 and a small tag) to a slot number, kept in typed arrays. Their memory
 * lies outside the JavaScript heap, so the collector never walks it: a Map of a million keys is a million pointers
 * and, for string keys, a million strings that every major collection marks again, for as long as the node runs.
 * Open addressing with linear probing; a removed key leaves a tombstone until the table is rebuilt.
 */

const EMPTY = 0;
const REMOVED = 255;
/** Tags are 1…254: 0 and 255 mark empty and removed places. */
export const MAX_TAG = 254;
/** Places of a new table (a power of two, as every size is). */
const MIN_PLACES = 16;

function hash(key: number, tag: number): number {
  // murmur3's finaliser over the key's two 32-bit halves and the tag.
  let h = (key >>> 0) ^ Math.imul((key / 4_294_967_296) >>> 0, 0x27d4eb2d) ^ Math.imul(tag, 0x165667b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class KeyTable {
  private keys = new Float64Array(MIN_PLACES);
  private tags = new Uint8Array(MIN_PLACES);
  private slots = new Int32Array(MIN_PLACES);
  private mask = MIN_PLACES - 1;
  /** Keys held now. */
  size = 0;
  /** Places taken by a key or a tombstone: the table grows or is rebuilt when they fill half of it. */
  private taken = 0;

  /** The slot of `key`, or -1. */
  get(key: number, tag: number): number {
    const { keys, tags, mask } = this;
    for (let i = hash(key, tag) & mask; ; i = (i + 1) & mask) {
      const t = tags[i];
      if (t === EMPTY) return -1;
      if (t === tag && keys[i] === key) return this.slots[i] as number;
    }
  }

  set(key: number, tag: number, slot: number): void {
    const { keys, tags, mask } = this;
    let free = -1;
    let i = hash(key, tag) & mask;
    for (; ; i = (i + 1) & mask) {
      const t = tags[i];
      if (t === EMPTY) break;
      if (t === REMOVED) {
        if (free < 0) free = i;
      } else if (t === tag && keys[i] === key) {
        this.slots[i] = slot;
        return;
      }
    }
    if (free < 0) {
      if ((this.taken + 1) * 2 > tags.length) {
        this.rebuild(this.size + 1);
        this.set(key, tag, slot);
        return;
      }
      free = i;
      this.taken++;
    }
    keys[free] = key;
    tags[free] = tag;
    this.slots[free] = slot;
    this.size++;
  }

  delete(key: number, tag: number): void {
    const { keys, tags, mask } = this;
    for (let i = hash(key, tag) & mask; ; i = (i + 1) & mask) {
      const t = tags[i];
      if (t === EMPTY) return;
      if (t === tag && keys[i] === key) {
        tags[i] = REMOVED;
        this.size--;
        return;
      }
    }
  }

  /** A table sized for `count` keys (at most a quarter full after), without tombstones. */
  private rebuild(count: number): void {
    const { keys, tags, slots } = this;
    const n = Math.max(MIN_PLACES, 2 ** Math.ceil(Math.log2(count * 4)));
    this.keys = new Float64Array(n);
    this.tags = new Uint8Array(n);
    this.slots = new Int32Array(n);
    this.mask = n - 1;
    this.size = 0;
    this.taken = 0;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i] as number;
      if (t !== EMPTY && t !== REMOVED) this.set(keys[i] as number, t, slots[i] as number);
    }
  }
}

/**
 * A number written `+` and 1…15 digits as a key: its digits' value (exact below 2^53), with its length as the tag
 * (so `+049` and `+49` stay apart); -1 for any other text.
 */
export function numberKey(number: string): number {
  const n = number.length;
  if (n < 2 || n > 16 || number.charCodeAt(0) !== 43) return -1;
  let value = 0;
  for (let i = 1; i < n; i++) {
    const d = number.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The number `numberKey()` made `key` of, `length` its text's length. */
export function numberOfKey(key: number, length: number): string {
  return `+${String(key).padStart(length - 1, '0')}`;
}

/**
 * Rows held in memory by number, in typed arrays (key-table.ts): the part of the in-memory screening index
 * (screening-index.ts) that its entries and its list hits share.
 */
import { KeyTable, numberKey, numberOfKey } from './key-table.js';

type Column = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** `column` in an array of `length`, the rest zero. */
export function grown<C extends Column>(column: C, length: number): C {
  const next = new (column.constructor as new (length: number) => C)(length);
  next.set(column);
  return next;
}

/**
 * Slots by number, exact numbers and prefixes apart; the slots under one number are chained (allow and block entries
 * of one number, one number on several lists). A lookup probes the one exact key, and of the caller's prefix keys only
 * those of a length some prefix has: a call probes two or three keys instead of every leading part of its number.
 */
class NumberKeys {
  private readonly exact = new KeyTable();
  private readonly prefixes = new KeyTable();
  /** Numbers that are not `+` and up to 15 digits (numberKey): rare, kept by their text. */
  private readonly oddExact = new Map<string, number>();
  private readonly oddPrefixes = new Map<string, number>();
  /** How many prefix keys have each length. */
  private readonly prefixLengths: number[] = [];
  /** The next slot under the same number; -1 ends the chain. */
  private next = new Int32Array(16);

  add(number: string, prefix: boolean, slot: number): void {
    if (slot >= this.next.length) this.next = grown(this.next, Math.max(slot + 1, this.next.length * 2));
    const head = this.head(number, prefix);
    if (head < 0 && prefix) this.prefixLengths[number.length] = (this.prefixLengths[number.length] ?? 0) + 1;
    this.next[slot] = head;
    this.setHead(number, prefix, slot);
  }

  remove(number: string, prefix: boolean, slot: number): void {
    const { next } = this;
    const head = this.head(number, prefix);
    if (head === slot) {
      const rest = next[slot] as number;
      this.setHead(number, prefix, rest);
      if (rest < 0 && prefix) this.prefixLengths[number.length] = (this.prefixLengths[number.length] as number) - 1;
      return;
    }
    for (let s = head; s >= 0; s = next[s] as number)
      if (next[s] === slot) {
        next[s] = next[slot] as number;
        return;
      }
  }

  /** Slots of `e164` (exact, and a prefix of exactly its digits), then of prefixes among `keys`. */
  find(e164: string, keys: readonly string[], found: (slot: number) => void): void {
    const { next } = this;
    const take = (head: number) => {
      for (let s = head; s >= 0; s = next[s] as number) found(s);
    };
    const hasPrefixOf = (key: string) => (this.prefixLengths[key.length] ?? 0) > 0;
    take(this.head(e164, false));
    if (hasPrefixOf(e164)) take(this.head(e164, true));
    for (const key of keys) if (key !== e164 && hasPrefixOf(key)) take(this.head(key, true));
  }

  private head(number: string, prefix: boolean): number {
    const key = numberKey(number);
    if (key < 0) return (prefix ? this.oddPrefixes : this.oddExact).get(number) ?? -1;
    return (prefix ? this.prefixes : this.exact).get(key, number.length);
  }

  /** `slot` heads the chain of `number` now; -1: none is left. */
  private setHead(number: string, prefix: boolean, slot: number): void {
    const key = numberKey(number);
    if (key < 0) {
      const odd = prefix ? this.oddPrefixes : this.oddExact;
      if (slot < 0) odd.delete(number);
      else odd.set(number, slot);
    } else {
      const table = prefix ? this.prefixes : this.exact;
      if (slot < 0) table.delete(key, number.length);
      else table.set(key, number.length, slot);
    }
  }
}

export const PREFIX = 1;

/**
 * Rows in slots, each holding a number and found by it: what entries and list hits share. Their own fields are
 * columns indexed by slot, which `growColumns()` grows with the slots; a removed row's slot is taken again first.
 */
export abstract class NumberSlots {
  private capacity = 0;
  private top = 0;
  private readonly free: number[] = [];
  private numberKeys = new Float64Array(0);
  private numberLengths = new Uint8Array(0);
  /** Bit PREFIX, and whatever else the rows say in a bit. */
  protected flags = new Uint8Array(0);
  /** The numbers numberKey() cannot hold. */
  private readonly oddNumbers = new Map<number, string>();
  private readonly byNumber = new NumberKeys();

  protected abstract growColumns(capacity: number): void;

  protected take(number: string, flags: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.top++;
      if (slot >= this.capacity) {
        this.capacity = Math.max(1024, this.capacity * 2);
        this.numberKeys = grown(this.numberKeys, this.capacity);
        this.numberLengths = grown(this.numberLengths, this.capacity);
        this.flags = grown(this.flags, this.capacity);
        this.growColumns(this.capacity);
      }
    }
    const key = numberKey(number);
    this.numberKeys[slot] = key;
    this.numberLengths[slot] = number.length;
    if (key < 0) this.oddNumbers.set(slot, number);
    this.flags[slot] = flags;
    this.byNumber.add(number, (flags & PREFIX) !== 0, slot);
    return slot;
  }

  protected release(slot: number): void {
    this.byNumber.remove(this.number(slot), this.isPrefix(slot), slot);
    this.oddNumbers.delete(slot);
    this.free.push(slot);
  }

  protected number(slot: number): string {
    const key = this.numberKeys[slot] as number;
    return key < 0 ? (this.oddNumbers.get(slot) as string) : numberOfKey(key, this.numberLengths[slot] as number);
  }

  protected isPrefix(slot: number): boolean {
    return ((this.flags[slot] as number) & PREFIX) !== 0;
  }

  protected findSlots(e164: string, prefixes: readonly string[], found: (slot: number) => void): void {
    this.byNumber.find(e164, prefixes, found);
  }
}

/**
 * How noisy the machine is while we measure: scheduler stalls seen by a busy loop, CPU steal (a VM's host taking
 * the CPU away) and the load average. Other processes on this 2-core machine show up in all three; the report
 * prints them so a bad p99 can be told from a bad moment.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
}

/** The aggregate `cpu` line of /proc/stat, in clock ticks. */
export function cpuTimes(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { total, idle: (v[3] ?? 0) + (v[4] ?? 0), steal: v[7] ?? 0 };
  } catch {
    return undefined;
  }
}

export interface CpuShare {
  /** Percent of all CPU time between the two readings. */
  busyPct: number;
  stealPct: number;
}

export function cpuShare(a: CpuTimes | undefined, b: CpuTimes | undefined): CpuShare | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const total = b.total - a.total;
  return { busyPct: (100 * (total - (b.idle - a.idle))) / total, stealPct: (100 * (b.steal - a.steal)) / total };
}

export interface Noise {
  /** Load average (1 min) when measured. */
  load1: number;
  /** A busy loop's gaps longer than 1 ms, per second: the times this process was not running. */
  stallsPerSec: number;
  maxStallMs: number;
  /** CPU use of the whole machine (all processes) and steal during the probe. */
  cpu?: CpuShare;
}

/** Spins for `ms` and records every gap between two clock readings over 1 ms. */
export function probeNoise(ms = 1_000): Noise {
  const before = cpuTimes();
  const start = performance.now();
  let last = start;
  let stalls = 0;
  let maxStall = 0;
  for (let now = start; now - start < ms; now = performance.now()) {
    const gap = now - last;
    if (gap > 1) {
      stalls++;
      maxStall = Math.max(maxStall, gap);
    }
    last = now;
  }
  const cpu = cpuShare(before, cpuTimes());
  return { load1: os.loadavg()[0] ?? 0, stallsPerSec: stalls / (ms / 1000), maxStallMs: maxStall, ...(cpu && { cpu }) };
}

export function formatNoise(n: Noise): string {
  const cpu = n.cpu ? `, machine CPU ${n.cpu.busyPct.toFixed(0)} % busy (steal ${n.cpu.stealPct.toFixed(1)} %)` : '';
  return `load ${n.load1.toFixed(2)}, ${n.stallsPerSec.toFixed(1)} stalls > 1 ms per s (max ${n.maxStallMs.toFixed(1)} ms)${cpu}`;
}

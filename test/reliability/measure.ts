/** Resource readings for the reliability tests: heap after a full GC, open descriptors, unhandled rejections. */
import { readdirSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { onTestFinished } from 'vitest';

let gcFn: (() => void) | undefined;

/** A full garbage collection, so two heap readings compare live objects, not garbage not yet collected. */
export function collectGarbage(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
}

export function heapUsedAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Open file descriptors of this process (Linux /proc). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Collects unhandled rejections and uncaught exceptions until the test ends (vitest fails the run on them too). */
export function watchUnhandled(): unknown[] {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onRejection);
  onTestFinished(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onRejection);
  });
  return seen;
}

export const MB = 1024 * 1024;

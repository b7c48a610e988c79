import type { Decision } from '../policy/types.js';

/** The one decision callfilter gives when it cannot decide: let the call through (DESIGN.md, "Fail-open"). */
export function failOpenDecision(err: unknown, profile = 'default'): Decision {
  const error = err instanceof Error ? err.message : String(err);
  return {
    action: 'connect',
    reason: 'fail-open',
    profile,
    because: { grounds: { step: 'fail-open', error } },
    matches: [],
  };
}

export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no decision within the ${ms} ms deadline`);
    this.name = 'DeadlineError';
  }
}

/** Resolves with the promise's value, or rejects with DeadlineError after `ms`. The timer never holds the process. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineError(ms)), Math.max(0, ms));
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

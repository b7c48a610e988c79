/**
 * The `called` source's scheduled run: the numbers are written as the calls end (trust.ts, fed by the AMI client in
 * the service); this run only lets trust lapse — a number not called again within CALLFILTER_CALLED_TRUST_DAYS loses
 * the origin `called`, and its entry goes unless another origin (the person, an address book) holds it.
 */
import { originOf } from '../contacts/apply.js';
import type { KindSync } from '../types.js';

export const calledSync: KindSync = async (env, source) => {
  const { ctx } = env;
  const origin = originOf(source);
  const expired = await ctx.store.origins.removeExpired(origin, env.clock.now());
  const rows = await ctx.store.origins.count(origin);
  const n = (x: number) => x.toLocaleString('en');
  return {
    outcome: expired.removed === 0 ? 'unchanged' : 'synced',
    rows,
    message: `${n(rows)} called ${rows === 1 ? 'number' : 'numbers'} trusted${expired.removed ? `; ${n(expired.removed)} not called again in time, no longer trusted` : ''}`,
  };
};

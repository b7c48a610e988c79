/**
 * The PhoneBlock subscription's sync: the whole list the first time and once a month, otherwise the changes since
 * the last version (PhoneBlock: "full synchronization at most once per month, incremental at most once per day").
 * Votes become the row's score, the rating its label; `votes: 0` in an incremental answer removes the number. What
 * looks wrong is held back (held-back.ts) and the list in force stays.
 */
import { HeldBackError } from '../held-back.js';
import { applyChanges, replaceList } from '../list-target.js';
import { DAY } from '../schedule.js';
import type { KindSync } from '../types.js';
import { readAnswer } from './answer.js';
import { createPhoneblockClient, PRODUCTION_URL } from './client.js';

/** PhoneBlock's limit for a full download; it also repairs whatever drift the incremental answers left. */
export const FULL_RESYNC_MS = 30 * DAY;
/**
 * What PhoneBlock's own clients block at: its Android app's default `min_votes` is 4 (haumacher/phoneblock,
 * phoneblock_mobile/.../CallChecker.java: `prefs.getInt("min_votes", 4)`). Votes are bucketed 2, 4, 10, 20, 50, 100,
 * so 4 means "at least two people's worth of reports".
 */
export const DEFAULT_THRESHOLD = 4;

const n = (x: number) => x.toLocaleString('en');

export const phoneblockSync: KindSync = async (env, source, credentials, options) => {
  const { ctx, clock } = env;
  const token = credentials?.token;
  if (typeof token !== 'string' || token === '')
    throw new Error('no PhoneBlock API key: set CALLFILTER_PHONEBLOCK_TOKEN, or give credentials.token');
  if (source.listId === undefined)
    throw new Error('the source has no list (was it deleted?); delete the source and add it again');
  const baseUrl = typeof source.settings.url === 'string' ? source.settings.url : PRODUCTION_URL;
  const client = createPhoneblockClient(env, { baseUrl, token });

  const since = source.cursor !== undefined && /^\d+$/.test(source.cursor) ? Number(source.cursor) : undefined;
  const lastFullAt = typeof source.state.lastFullAt === 'number' ? source.state.lastFullAt : undefined;
  const now = clock.now();
  const full =
    options.accept === true || since === undefined || lastFullAt === undefined || now - lastFullAt >= FULL_RESYNC_MS;
  options.onProgress?.(full ? 'fetching the whole list' : `fetching the changes since version ${since}`);
  const answer = await client.blocklist(full ? undefined : since, {
    signal: options.signal,
    onRetry: (why, waitMs) => options.onProgress?.(`${why}; trying again in ${Math.ceil(waitMs / 1000)} s`),
  });
  if (since !== undefined && answer.version < since && !options.accept) {
    throw new HeldBackError(
      `PhoneBlock answered with version ${answer.version}, older than the ${since} in force (was its list reset?); accept to load its whole list again`,
    );
  }
  const read = await readAnswer(answer, { numbering: ctx.config.numbering, language: env.language, full });
  options.onProgress?.(
    `received ${n(answer.count)} numbers (version ${answer.version}, ${n(answer.bytes)} bytes); writing`,
  );
  const skipped = read.skipped ? `, ${n(read.skipped)} unreadable numbers skipped` : '';
  const cursor = String(answer.version);

  if (full) {
    const applied = await replaceList(ctx, source.listId, read.upserts, {
      accept: options.accept ?? false,
      signal: options.signal,
    });
    return {
      outcome: 'synced',
      rows: applied.rows,
      cursor,
      state: { ...source.state, lastFullAt: now },
      message: `whole list loaded: ${n(applied.rows)} numbers, version ${answer.version}${skipped}`,
    };
  }
  if (read.upserts.length === 0 && read.removals.length === 0) {
    const rows = (await ctx.store.lists.get(source.listId))?.entryCount ?? 0;
    return { outcome: 'unchanged', rows, cursor, message: `no changes (version ${answer.version})${skipped}` };
  }
  const applied = await applyChanges(ctx, source.listId, read, {
    accept: options.accept ?? false,
    signal: options.signal,
  });
  return {
    outcome: 'synced',
    rows: applied.rows,
    cursor,
    message: `${n(read.upserts.length)} numbers new or changed, ${n(applied.removed)} removed (version ${answer.version}): ${n(applied.rows)} numbers${skipped}`,
  };
};

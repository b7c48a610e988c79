/**
 * CALLFILTER_FRITZBOX_WRITE_BARRING: a number blocked here goes onto the box's call-barring list too, so the box's
 * own DECT phones are spared where Asterisk sits behind the box; unblocked here (removed, or allowed instead), it
 * comes off the box's list again — else the next sync would bring the block back from there. Always through the
 * outbox: a box that is down never blocks the person's action, and the change reaches the box when it is back.
 * Exact numbers only: the box's list holds numbers, not ranges.
 */
import type { AppContext } from '../../context.js';
import { type OutboxHandler, PermanentDeliveryError } from '../../outbox/types.js';
import type { Source, StoredEntry } from '../../store/index.js';
import type { SyncEnv } from '../types.js';
import { boxNumber } from './barring.js';
import { FritzboxAuthError, FritzboxCertificateError } from './errors.js';
import { clientFor } from './sync.js';

export const BARRING_ADD_KIND = 'fritzbox.barring-add';
export const BARRING_REMOVE_KIND = 'fritzbox.barring-remove';

interface BarringPayload {
  source: number;
  /** E.164. */
  number: string;
  label?: string;
}

/** The FRITZ!Box source that writes blocks to the box, if any. */
async function writingSource(ctx: AppContext): Promise<Source | undefined> {
  return (await ctx.store.sources.list()).find(
    (s) => s.kind === 'fritzbox' && s.enabled && s.settings.writeBarring === true,
  );
}

/**
 * After the person blocked `blocked` and/or removed `unblocked` block entries: queues the box's side. Never throws —
 * the person's action stands whatever happens to the box.
 */
export async function barringFollows(
  ctx: AppContext,
  change: { blocked?: StoredEntry; unblocked?: readonly StoredEntry[] },
): Promise<void> {
  try {
    const source = await writingSource(ctx);
    if (!source) return;
    const at = ctx.clock();
    const { blocked } = change;
    if (blocked && blocked.kind === 'block' && !blocked.prefix) {
      const payload: BarringPayload = {
        source: source.id,
        number: blocked.number,
        ...(blocked.label !== undefined && { label: blocked.label }),
      };
      await ctx.store.outbox.enqueue(BARRING_ADD_KIND, payload, { at });
    }
    for (const e of change.unblocked ?? []) {
      if (e.kind !== 'block' || e.prefix) continue;
      await ctx.store.outbox.enqueue(
        BARRING_REMOVE_KIND,
        { source: source.id, number: e.number } satisfies BarringPayload,
        { at },
      );
    }
  } catch (err) {
    ctx.logger.warn(
      { err },
      'could not queue the change of the FRITZ!Box call-barring list; the entry here is changed',
    );
  }
}

const UNIQUE_ID = /<uniqueid>\s*(\d+)\s*<\/uniqueid>/;

/** The outbox handlers: the password is read at delivery, never kept in an item. */
export function fritzboxHandlers(env: Pick<SyncEnv, 'ctx'>): Record<string, OutboxHandler> {
  async function client(sourceId: number) {
    const source = await env.ctx.store.sources.get(sourceId);
    if (source?.kind !== 'fritzbox')
      throw new PermanentDeliveryError('the FRITZ!Box source of this change was removed');
    return clientFor(source.settings, source.state, await env.ctx.store.sources.credentials(source.id));
  }
  const permanent = (err: unknown) =>
    err instanceof FritzboxAuthError || err instanceof FritzboxCertificateError
      ? new PermanentDeliveryError((err as Error).message)
      : err;
  const forms = (number: string) => [boxNumber(number, env.ctx.config.numbering), number];
  return {
    [BARRING_ADD_KIND]: async (payload) => {
      const p = payload as BarringPayload;
      try {
        const box = await client(p.source);
        for (const n of forms(p.number)) if ((await box.callBarringEntryByNumber(n)) !== undefined) return;
        await box.setCallBarringEntry(boxNumber(p.number, env.ctx.config.numbering), p.label);
      } catch (err) {
        throw permanent(err);
      }
    },
    [BARRING_REMOVE_KIND]: async (payload) => {
      const p = payload as BarringPayload;
      try {
        const box = await client(p.source);
        for (const n of forms(p.number)) {
          const xml = await box.callBarringEntryByNumber(n);
          const uid = xml && UNIQUE_ID.exec(xml)?.[1];
          if (uid !== undefined) await box.deleteCallBarringEntry(uid);
        }
      } catch (err) {
        throw permanent(err);
      }
    },
  };
}

import type { EventEmitter } from 'node:events';
import { type AmiMessage, parseCdrEvent } from 'asterisk-agi/ami';
import type { Logger } from '../../logger.js';
import { CallDeduper } from './dedupe.js';
import { type CalledConfig, readCalledNumber } from './rules.js';

/** One answered call to an outside number, counted once. */
export interface CalledCall {
  /** E.164. */
  number: string;
  answeredAt: Date;
  /** The digits as dialled. */
  dialled: string;
}

export interface CalledFeedOptions {
  config: CalledConfig;
  /** Called once per call; an error it throws is logged, never thrown into the AMI client. */
  onCall: (call: CalledCall) => void;
  logger: Pick<Logger, 'debug' | 'error'>;
  /** The clock (tests). */
  now?: () => Date;
  deduper?: CallDeduper;
}

/**
 * Listens to an AMI client's events (anything that emits 'event' with AmiMessages) and hands each answered call from
 * the phones to `onCall`, once per call (rules.ts says which records count and why). Returns the function that
 * stops listening.
 */
export function attachCalledFeed(source: EventEmitter, options: CalledFeedOptions): () => void {
  const now = options.now ?? (() => new Date());
  const deduper = options.deduper ?? new CallDeduper();
  const log = options.logger;
  const onEvent = (message: AmiMessage): void => {
    const cdr = parseCdrEvent(message);
    if (cdr === undefined) return;
    const at = now();
    const result = readCalledNumber(cdr, options.config, at);
    if (!result.counts) {
      log.debug(
        { uniqueId: cdr.uniqueId, why: result.why, detail: result.detail },
        'CDR not counted as a called number',
      );
      return;
    }
    if (!deduper.first(result.callKey, at.getTime())) {
      log.debug({ uniqueId: cdr.uniqueId, number: result.number }, 'another record of a call already counted');
      return;
    }
    try {
      options.onCall({ number: result.number, answeredAt: result.answeredAt, dialled: result.dialled });
    } catch (err) {
      log.error({ err, number: result.number }, 'handling a called number failed');
    }
  };
  source.on('event', onEvent);
  return () => {
    source.off('event', onEvent);
  };
}

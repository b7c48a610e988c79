/**
 * GET /api/v1/web/calls: the call log as the page shows it — newest first, filtered by what happened (connected,
 * voicemail, blocked = hung up or announced) and by caller, each row described (describe.ts). Behind the API's
 * token check like every /api route.
 */
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { LangQuery } from '../api/decision-schemas.js';
import { callerNumber } from '../api/params.js';
import { ERRORS } from '../api/schemas.js';
import { languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import type { Action } from '../policy/types.js';
import { reportingSource } from '../sources/phoneblock/reports.js';
import type { CallQuery, CallRecord } from '../store/index.js';
import { matchVoicemail, type VoicemailSpool } from '../voicemail/index.js';
import { describeCall } from './describe.js';

export const SHOW = {
  all: undefined,
  connected: ['connect'],
  voicemail: ['voicemail'],
  blocked: ['hangup', 'announce'],
} as const satisfies Record<string, readonly Action[] | undefined>;
export type Show = keyof typeof SHOW;

const Query = Type.Object(
  {
    show: Type.Optional(Type.Unsafe<Show>({ type: 'string', enum: Object.keys(SHOW) })),
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.Integer({ minimum: 1 })),
    lang: Type.Optional(LangQuery),
  },
  { additionalProperties: false },
);

/** A screenful and a bit: the page asks for more when scrolled to the end. */
const DEFAULT_LIMIT = 50;

/** Newer first: by time, then id — the order of the store's list(). */
const newer = (a: CallRecord, b: CallRecord) => b.at - a.at || b.id - a.id;

/** The calls of several actions, merged into one page (each action's query is already newest first). */
async function listCalls(
  ctx: AppContext,
  actions: readonly Action[] | undefined,
  query: CallQuery,
  limit: number,
): Promise<{ items: CallRecord[]; nextCursor?: number }> {
  if (actions === undefined) return ctx.store.calls.list({ ...query, limit });
  const pages = [];
  for (const action of actions) pages.push(await ctx.store.calls.list({ ...query, action, limit }));
  const merged = pages.flatMap((p) => p.items).sort(newer);
  const items = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((p) => p.nextCursor !== undefined);
  const last = items.at(-1);
  return more && last ? { items, nextCursor: last.id } : { items };
}

/** Calls turned away cannot have left a message. */
const NO_MESSAGE: readonly Action[] = ['hangup', 'announce'];

/**
 * Per call of the page, the voicemail message it left, if the spool has one: its length, and whether the browser can
 * play it (GET /api/v1/calls/{id}/voicemail). One walk of the spool (cached) serves the whole page.
 */
async function voicemailOf(
  spool: VoicemailSpool | undefined,
  calls: readonly CallRecord[],
): Promise<Map<number, { seconds?: number; playable: boolean }>> {
  const out = new Map<number, { seconds?: number; playable: boolean }>();
  if (!spool) return out;
  const messages = await spool.messages();
  if (messages.length === 0) return out;
  for (const call of calls) {
    if (NO_MESSAGE.includes(call.action)) continue;
    const match = matchVoicemail(call, messages);
    if (!match) continue;
    const seconds = match.message.durationSeconds;
    out.set(call.id, { ...(seconds !== undefined && { seconds }), playable: match.message.audio !== undefined });
  }
  return out;
}

export function webCallsRoute(app: FastifyInstance, ctx: AppContext, spool?: VoicemailSpool): void {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/web/calls',
    {
      schema: {
        tags: ['calls'],
        summary: 'The call log as the web page shows it: each call with the facts to say why',
        description:
          "Like /calls, plus per call: why (the decision in words, in `lang`), others (a sentence per entry or list hit that matched but did not decide), current (the kind of the entry that decides the caller's calls now), both (when the allow and the block list both hold the caller: the conflict, with the entry that wins and why), voicemail (the message the call left: seconds, and playable when /calls/{id}/voicemail serves it). report: whether a PhoneBlock API key is set, so a call can be reported (POST /calls/{id}/report). show=blocked means hangup or announce.",
        querystring: Query,
        response: {
          200: Type.Object({}, { additionalProperties: true, description: '{ items, nextCursor?, number?, report }' }),
          ...ERRORS,
        },
      },
    },
    async (req) => {
      const { show = 'all', number, cursor, limit = DEFAULT_LIMIT, lang } = req.query;
      const language = lang ?? languageOf(ctx.config);
      const query: CallQuery = {};
      if (number !== undefined) query.number = callerNumber(ctx, number, 'querystring/number');
      if (cursor !== undefined) query.cursor = cursor;
      const page = await listCalls(ctx, SHOW[show], query, limit);
      const voicemail = await voicemailOf(spool, page.items);
      const items = [];
      for (const c of page.items) {
        const vm = voicemail.get(c.id);
        const described = await describeCall(ctx, c, language);
        items.push(vm ? { ...described, voicemail: vm } : described);
      }
      return {
        items,
        ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
        // The number as the filter understood it, so the page can tell whether a live call belongs in the view.
        ...(query.number !== undefined && { number: query.number }),
        report: (await reportingSource(ctx)) !== undefined,
      };
    },
  );
}

/** GET /api/v1/explain: what would happen if this number called (now, or at `at`), and why — no call is logged. */
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { languageOf } from '../../config/language.js';
import type { AppContext } from '../../context.js';
import { explain, explainOthers, readerOptions } from '../../explain/index.js';
import { nationalNumber } from '../../numbers/index.js';
import { type CallInput, callFacts, decideCall } from '../../screen/screen-call.js';
import { BecauseSchema, LangQuery, MatchesSchema } from '../decision-schemas.js';
import { withNational } from '../national.js';
import { parseTime } from '../params.js';
import { ActionSchema, ERRORS, NationalText, ReasonSchema, Strict, StringEnum, TimeText } from '../schemas.js';
import { EntrySchema } from './entries.js';

const ExplainQuery = Type.Object(
  {
    number: Type.String({
      maxLength: 100,
      description: 'The caller id as a trunk would send it; "anonymous" (or empty) for a withheld caller.',
    }),
    did: Type.Optional(
      Type.String({ minLength: 1, maxLength: 40, description: 'The called number: picks the profile.' }),
    ),
    at: Type.Optional(TimeText),
    presentation: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 255, description: 'agi_callingpres: 32–35 or 67 mean withheld.' }),
    ),
    origin: Type.Optional(
      StringEnum(['trunk', 'internal'] as const, {
        description:
          "Where the call comes from, as the dialplan would say: `internal` for the house's own phones; default `trunk`.",
      }),
    ),
    lang: Type.Optional(LangQuery),
  },
  Strict,
);

const ExplainSchema = Type.Object({
  caller: Type.Object({
    kind: StringEnum(['number', 'withheld', 'internal', 'local'] as const, {
      description: 'local: a number sent without its area code while the home area code is not set; it cannot be read.',
    }),
    raw: Type.String(),
    e164: Type.Optional(Type.String()),
    e164National: Type.Optional(NationalText),
    country: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    plausible: Type.Optional(Type.Boolean()),
    extension: Type.Optional(Type.String()),
    digits: Type.Optional(Type.String()),
    why: Type.Optional(Type.String()),
  }),
  did: Type.Optional(Type.String()),
  didNational: Type.Optional(NationalText),
  at: Type.Integer(),
  decision: Type.Object({
    action: ActionSchema,
    reason: ReasonSchema,
    cause: Type.Optional(Type.Integer()),
    announcement: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    profile: Type.String(),
    schedule: Type.Optional(Type.String()),
    wouldHave: Type.Optional(Type.Object({ action: ActionSchema, reason: ReasonSchema })),
    explanation: Type.String({ description: 'One sentence: why (in `lang`).' }),
    others: Type.Array(Type.String(), {
      description: 'A sentence per entry or list hit that matched but did not decide, and why (in `lang`).',
    }),
    because: BecauseSchema,
    matches: MatchesSchema,
    entry: Type.Optional(Type.Object({ ...EntrySchema.properties, updatedAt: Type.Optional(Type.Integer()) })),
    listHit: Type.Optional(
      Type.Object({
        listId: Type.Integer(),
        listName: Type.String(),
        entryId: Type.Integer(),
        number: Type.String(),
        numberNational: Type.Optional(NationalText),
        prefix: Type.Boolean(),
        score: Type.Number(),
        threshold: Type.Number(),
        action: Type.Optional(ActionSchema),
        label: Type.Optional(Type.String()),
        live: Type.Optional(
          Type.Boolean({
            description:
              'PhoneBlock answered for this caller live (remembered from an earlier call); no row of the list.',
          }),
        ),
      }),
    ),
  }),
});

export function explainRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof ExplainQuery> }>(
    '/explain',
    {
      schema: {
        tags: ['calls'],
        summary: 'Explain the decision for a caller, without logging a call',
        querystring: ExplainQuery,
        response: { 200: ExplainSchema, ...ERRORS },
      },
    },
    async (req) => {
      const { number, did, at: atText, presentation, origin, lang } = req.query;
      const at = atText === undefined ? ctx.clock() : parseTime(atText, 'querystring/at');
      const input: CallInput = { callerRaw: number };
      if (did !== undefined) input.didRaw = did;
      if (presentation !== undefined) input.presentation = presentation;
      if (origin !== undefined) input.origin = origin;
      const facts = callFacts(ctx, input);
      const decision = await decideCall(ctx, facts, at);
      const words = readerOptions(ctx.config, lang ?? languageOf(ctx.config));
      const numbering = ctx.config.numbering;
      const { caller } = facts;
      return {
        caller: caller.kind === 'number' ? { ...caller, e164National: nationalNumber(caller.e164, numbering) } : caller,
        ...(facts.did !== undefined && { did: facts.did, didNational: nationalNumber(facts.did, numbering) }),
        at,
        decision: {
          ...decision,
          ...(decision.entry && { entry: withNational(decision.entry, numbering) }),
          ...(decision.listHit && { listHit: withNational(decision.listHit, numbering) }),
          explanation: explain(decision, words),
          others: explainOthers(decision, words),
        },
      };
    },
  );
}

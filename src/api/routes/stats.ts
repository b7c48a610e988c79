/** GET /api/v1/stats: calls per day by action and reason, and the callers turned away most often. */
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { nationalNumber } from '../../numbers/index.js';
import { ACTIONS } from '../../policy/types.js';
import { ERRORS, NationalText, ReasonSchema, Strict } from '../schemas.js';

const StatsQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, default: 7, description: 'Days back, today included.' }),
    ),
  },
  Strict,
);

const StatsSchema = Type.Object({
  timeZone: Type.String({ description: 'Days are calendar days in this time zone (CALLFILTER_TIMEZONE).' }),
  days: Type.Array(
    Type.Object({
      day: Type.String({ description: 'YYYY-MM-DD' }),
      from: Type.Integer({ description: "Epoch ms of the day's local midnight." }),
      total: Type.Integer(),
      byAction: Type.Object(Object.fromEntries(ACTIONS.map((a) => [a, Type.Integer()]))),
      byReason: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
  topBlocked: Type.Array(
    Type.Object({
      caller: Type.String(),
      callerNational: Type.Optional(NationalText),
      calls: Type.Integer(),
      lastAt: Type.Integer(),
      label: Type.Optional(Type.String()),
      reason: ReasonSchema,
    }),
    {
      description:
        'Callers hung up on or played the announcement most often in the period (at most 10), of the calls still in the log (CALLFILTER_LOG_RETENTION_DAYS).',
    },
  ),
});

export function statsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/stats',
    {
      schema: {
        tags: ['calls'],
        summary: 'Calls per day and the most blocked callers',
        querystring: StatsQuery,
        response: { 200: StatsSchema, ...ERRORS },
      },
    },
    async (req) => {
      const days = req.query.days ?? 7;
      const now = ctx.clock();
      const timeZone = ctx.config.policy.timeZone;
      const topBlocked = (await ctx.store.calls.topBlocked(days, now)).map((t) => ({
        ...t,
        callerNational: nationalNumber(t.caller, ctx.config.numbering),
      }));
      return { timeZone, days: await ctx.store.calls.statsByDay(days, now, timeZone), topBlocked };
    },
  );
}

/**
 * POST /api/v1/calls/{id}/report: "report as spam" from a call-log row. Opt-in and only with a PhoneBlock API key:
 * the rating is queued in the outbox for PhoneBlock's `POST /api/rate` and sent from there (later, when offline).
 */

import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { coded } from '../../messages/index.js';
import {
  MAX_COMMENT_CHARS,
  REPORT_RATING_NAMES,
  REPORT_RATINGS,
  type ReportRating,
} from '../../sources/phoneblock/ratings.js';
import { enqueueRating, ReportingOffError } from '../../sources/phoneblock/reports.js';
import { conflict, notFound } from '../errors.js';
import { ERRORS, IdParams, Strict, StringEnum } from '../schemas.js';
import type { SourceJobs } from './sources.js';

const ReportBody = Type.Object(
  {
    rating: StringEnum(REPORT_RATING_NAMES, {
      description: 'missed, ping, poll, advertising, gamble or fraud (PhoneBlock B_MISSED … G_FRAUD).',
    }),
    comment: Type.Optional(
      Type.String({ maxLength: MAX_COMMENT_CHARS, description: 'Shown on PhoneBlock; be civil.' }),
    ),
  },
  Strict,
);

const Queued = Type.Object({
  outboxId: Type.Integer({ description: 'The queued report in the outbox.' }),
  phone: Type.String(),
  rating: Type.String({ description: "PhoneBlock's name for the rating." }),
});

export function callReportRoutes(app: FastifyInstance, ctx: AppContext, jobs?: SourceJobs): void {
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ReportBody> }>(
    '/calls/:id/report',
    {
      schema: {
        tags: ['calls'],
        summary: 'Report the caller of this call to PhoneBlock as spam',
        description:
          '409 when the call was withheld or internal, or when no PhoneBlock API key is set. The report is queued and sent from the outbox.',
        params: IdParams,
        body: ReportBody,
        response: { 202: Queued, ...ERRORS },
      },
    },
    async (req, reply) => {
      const call = await ctx.store.calls.get(req.params.id);
      if (!call) throw notFound(coded('call.not_found', { id: req.params.id }));
      if (call.callerKind !== 'number' || call.caller === undefined)
        throw conflict(coded('call.no_number_to_report', { id: call.id, callerKind: call.callerKind }));
      const rating = req.body.rating as ReportRating;
      try {
        const outboxId = await enqueueRating(ctx, ctx.clock(), {
          phone: call.caller,
          rating,
          ...(req.body.comment !== undefined && { comment: req.body.comment }),
        });
        jobs?.runner?.poke('outbox');
        return reply.code(202).send({ outboxId, phone: call.caller, rating: REPORT_RATINGS[rating] });
      } catch (err) {
        if (err instanceof ReportingOffError) throw conflict(err.problem);
        throw err;
      }
    },
  );
}

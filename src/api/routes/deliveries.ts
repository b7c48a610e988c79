/**
 * GET /api/v1/deliveries: the delivery log of the outbox — webhooks, digests, voicemail follow-ups and PhoneBlock
 * reports, newest first — with their receiver and event but never a secret (src/notify/deliveries.ts).
 */
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { describeDelivery } from '../../notify/deliveries.js';
import { ERRORS, Page, PagingQuery, Strict, StringEnum } from '../schemas.js';

const STATUSES = ['pending', 'done', 'dead'] as const;

const Query = Type.Object(
  {
    kind: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'webhook, webhook.backlog, mail.digest, notify.voicemail, phoneblock.rate, phoneblock.report-call',
      }),
    ),
    status: Type.Optional(StringEnum(STATUSES, { description: 'pending (still trying), done, dead (given up)' })),
    ...PagingQuery,
  },
  Strict,
);

const Time = (description: string) => Type.Optional(Type.Integer({ description: `${description} (epoch ms).` }));

export const DeliverySchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String({
    description: 'webhook, webhook.backlog, mail.digest, notify.voicemail, phoneblock.rate, phoneblock.report-call',
  }),
  status: StringEnum(STATUSES),
  attempts: Type.Integer({ description: 'Attempts so far.' }),
  createdAt: Type.Integer({ description: 'When it was queued (epoch ms).' }),
  nextAttemptAt: Time('Pending: when it is tried next'),
  finishedAt: Time('Done or given up: when'),
  lastError: Type.Optional(
    Type.String({ description: 'Why the last attempt failed (URLs without accounts or queries).' }),
  ),
  target: Type.Optional(
    Type.String({
      description: 'Who it goes to: a webhook by format, scheme and host; the mail server and recipients.',
    }),
  ),
  event: Type.Optional(
    Type.String({ description: 'What it is: call-42-decided, call-42-voicemail, daily:2026-12-24.' }),
  ),
  callId: Type.Optional(Type.Integer({ description: 'The call it is about.' })),
});

export function deliveriesRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: 'The delivery log: webhooks, digests and reports, sent, pending or given up',
        description:
          'Newest first, cursor paging. Pending items are retried with a growing pause for a day, across restarts. No payloads and no secrets: a webhook is named by format, scheme and host.',
        querystring: Query,
        response: { 200: Page(DeliverySchema), ...ERRORS },
      },
    },
    async (req) => {
      const { kind, status, limit, cursor } = req.query;
      const page = await ctx.store.outbox.log({
        ...(kind !== undefined && { kind }),
        ...(status !== undefined && { status }),
        ...(limit !== undefined && { limit }),
        ...(cursor !== undefined && { cursor }),
      });
      return {
        items: page.items.map(describeDelivery),
        ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
      };
    },
  );
}

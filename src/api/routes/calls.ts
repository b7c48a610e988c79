/** /api/v1/calls: the call log — filter, page, export as CSV. "Block / allow this caller" is in call-actions.ts. */

import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { csvLine } from '../../export/index.js';
import { coded } from '../../messages/index.js';
import type { CallQuery, CallRecord } from '../../store/index.js';
import { notFound } from '../errors.js';
import { callerNumber, didNumber, parseTime } from '../params.js';
import {
  ActionSchema,
  ERRORS,
  IdParams,
  Page,
  PagingQuery,
  ReasonSchema,
  Strict,
  StringEnum,
  TimeText,
} from '../schemas.js';

export const CallSchema = Type.Object({
  id: Type.Integer(),
  at: Type.Integer({ description: 'Epoch ms.' }),
  callerRaw: Type.String({ description: 'The caller id as Asterisk sent it.' }),
  callerNameRaw: Type.Optional(Type.String()),
  caller: Type.Optional(Type.String({ description: 'E.164; absent when withheld or internal.' })),
  callerKind: StringEnum(['number', 'withheld', 'internal'] as const),
  presentation: Type.Optional(Type.Integer()),
  did: Type.Optional(Type.String()),
  country: Type.Optional(Type.String()),
  action: ActionSchema,
  reason: ReasonSchema,
  cause: Type.Optional(Type.Integer()),
  label: Type.Optional(Type.String()),
  entryId: Type.Optional(Type.Integer()),
  listId: Type.Optional(Type.Integer()),
  listEntryId: Type.Optional(Type.Integer()),
  profile: Type.Optional(Type.String()),
  uniqueId: Type.Optional(Type.String()),
  channel: Type.Optional(Type.String()),
  latencyUs: Type.Optional(Type.Integer()),
  explanation: Type.Optional(Type.String()),
  wouldHaveAction: Type.Optional(ActionSchema),
  wouldHaveReason: Type.Optional(ReasonSchema),
});

const Filters = {
  action: Type.Optional(ActionSchema),
  reason: Type.Optional(ReasonSchema),
  number: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The caller, in any usual form.' })),
  did: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'The called number.' })),
  from: Type.Optional(TimeText),
  to: Type.Optional(TimeText),
};
const ListQuery = Type.Object(
  { ...Filters, ...PagingQuery, format: Type.Optional(StringEnum(['json', 'csv'] as const, { default: 'json' })) },
  Strict,
);
const CsvQuery = Type.Object(Filters, Strict);
type Filter = Static<typeof CsvQuery> & { limit?: number; cursor?: number };

const TAGS = ['calls'];
const CSV_TYPE = 'text/csv; charset=utf-8';
const CSV_HEADER = [
  'id',
  'time',
  'caller',
  'caller_raw',
  'caller_name',
  'did',
  'action',
  'reason',
  'cause',
  'label',
  'profile',
  'latency_ms',
  'explanation',
];
/** Rows per query while exporting: bounded memory for a log of any length. */
const EXPORT_PAGE = 1000;

function toQuery(ctx: AppContext, q: Filter): CallQuery {
  const query: CallQuery = {};
  if (q.action) query.action = q.action;
  if (q.reason) query.reason = q.reason;
  if (q.number) query.number = callerNumber(ctx, q.number, 'querystring/number');
  if (q.did) query.did = didNumber(ctx, q.did);
  if (q.from) query.from = parseTime(q.from, 'querystring/from');
  if (q.to) query.to = parseTime(q.to, 'querystring/to');
  if (q.limit !== undefined) query.limit = q.limit;
  if (q.cursor !== undefined) query.cursor = q.cursor;
  return query;
}

function csvRow(c: CallRecord): string {
  const latency = c.latencyUs === undefined ? undefined : (c.latencyUs / 1000).toFixed(1);
  return csvLine([
    c.id,
    new Date(c.at).toISOString(),
    c.caller,
    c.callerRaw,
    c.callerNameRaw,
    c.did,
    c.action,
    c.reason,
    c.cause,
    c.label,
    c.profile,
    latency,
    c.explanation,
  ]);
}

/** Every matching call, newest first, as CSV text chunks. */
async function* callsCsv(ctx: AppContext, query: CallQuery): AsyncGenerator<string> {
  yield csvLine(CSV_HEADER);
  let cursor: number | undefined;
  do {
    const page = await ctx.store.calls.list({ ...query, limit: EXPORT_PAGE, ...(cursor !== undefined && { cursor }) });
    yield page.items.map(csvRow).join('');
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

export function callsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const sendCsv = (query: CallQuery, reply: import('fastify').FastifyReply) =>
    reply
      .type(CSV_TYPE)
      .header('content-disposition', 'attachment; filename="callfilter-calls.csv"')
      .send(Readable.from(callsCsv(ctx, query)));

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/calls',
    {
      schema: {
        tags: TAGS,
        summary: 'The call log, newest first',
        description: 'format=csv gives every matching call as CSV (no paging), like /calls.csv.',
        querystring: ListQuery,
        produces: ['application/json', CSV_TYPE],
        response: { 200: Page(CallSchema), ...ERRORS },
      },
    },
    async (req, reply) => {
      const { format, ...filter } = req.query;
      if (format === 'csv') {
        const { limit: _l, cursor: _c, ...rest } = filter;
        return sendCsv(toQuery(ctx, rest), reply);
      }
      return ctx.store.calls.list(toQuery(ctx, filter));
    },
  );

  app.get<{ Querystring: Static<typeof CsvQuery> }>(
    '/calls.csv',
    {
      schema: {
        tags: TAGS,
        summary: 'The call log as CSV',
        querystring: CsvQuery,
        produces: [CSV_TYPE],
        response: {
          200: Type.String({
            description:
              'CSV: id, time, caller, caller_raw, caller_name, did, action, reason, cause, label, profile, latency_ms, explanation.',
          }),
          ...ERRORS,
        },
      },
    },
    async (req, reply) => sendCsv(toQuery(ctx, req.query), reply),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/calls/:id',
    { schema: { tags: TAGS, summary: 'One call', params: IdParams, response: { 200: CallSchema, ...ERRORS } } },
    async (req) =>
      (await ctx.store.calls.get(req.params.id)) ??
      Promise.reject(notFound(coded('call.not_found', { id: req.params.id }))),
  );
}

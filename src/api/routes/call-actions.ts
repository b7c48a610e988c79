/**
 * POST /api/v1/calls/{id}/block and /allow: "block this caller" / "allow this caller" from a call-log row. The last
 * click wins: blocking removes the caller's exact allow entries (allow would beat block at equal specificity, so the
 * block would do nothing), allowing removes the exact block entries. The removed entries are in the answer.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { coded } from '../../messages/index.js';
import type { EntryKind } from '../../policy/types.js';
import { barringFollows } from '../../sources/fritzbox/write-barring.js';
import type { CallRecord, NewEntry } from '../../store/index.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { withNational } from '../national.js';
import { parseTime } from '../params.js';
import {
  ActionSchema,
  AnnouncementSchema,
  CauseSchema,
  ERRORS,
  IdParams,
  LabelSchema,
  NoteSchema,
  Strict,
  TimeText,
} from '../schemas.js';
import { EntrySchema } from './entries.js';

const BlockBody = Type.Object(
  {
    action: Type.Optional(ActionSchema),
    cause: Type.Optional(CauseSchema),
    announcement: Type.Optional(AnnouncementSchema),
    label: Type.Optional(LabelSchema),
    note: Type.Optional(NoteSchema),
    expiresAt: Type.Optional(TimeText),
  },
  { ...Strict, description: "Optional; the entry takes the call's label otherwise." },
);
const AllowBody = Type.Object(
  { label: Type.Optional(LabelSchema), vip: Type.Optional(Type.Boolean()), note: Type.Optional(NoteSchema) },
  { ...Strict, description: "Optional; the label defaults to the caller name Asterisk sent (or the contact's)." },
);
const Result = Type.Object({
  entry: EntrySchema,
  created: Type.Boolean({ description: 'false: an entry of this kind existed and was updated.' }),
  removed: Type.Array(EntrySchema, { description: 'Entries of the other kind for this number that were removed.' }),
});

/** Reasons whose call label names the caller (a contact, an allow entry): a fair label for an allow entry. */
const NAMING_REASONS = new Set(['contact', 'allowlist']);

function callerOf(call: CallRecord, verb: string): string {
  if (call.callerKind === 'internal') {
    throw conflict(coded('call.internal', { id: call.id, caller: call.callerRaw, verb }));
  }
  if (call.callerKind === 'number' && call.caller === undefined) {
    throw conflict(coded('call.local', { id: call.id, caller: call.callerRaw }));
  }
  if (call.callerKind === 'withheld' || call.caller === undefined) {
    throw conflict(coded('call.withheld', { id: call.id, caller: call.callerRaw, verb }));
  }
  return call.caller;
}

/** Creates or updates the caller's entry of `kind` and removes the exact entry of the other kind (entries.put). */
async function decide(ctx: AppContext, call: CallRecord, kind: EntryKind, fields: Omit<NewEntry, 'number' | 'kind'>) {
  const number = callerOf(call, kind);
  const result = await ctx.store.entries.put({ ...fields, number, kind, prefix: false });
  // What the person changed is theirs: a sync that drops the number no longer removes the entry.
  if (!result.created) await ctx.store.origins.claim(result.entry.id);
  await barringFollows(ctx, { ...(kind === 'block' && { blocked: result.entry }), unblocked: result.removed });
  return result;
}

/**
 * "Block this caller" of a call-log row: the page's button, the API and Home Assistant's button (src/notify) all
 * come here. Throws an HttpError (409) for a withheld or internal caller.
 */
export async function blockCaller(ctx: AppContext, call: CallRecord, input: Static<typeof BlockBody> = {}) {
  const { expiresAt, ...body } = input;
  if (body.action === 'connect') throw badRequest(coded('call.block_connect', { field: 'body/action' }));
  const fields: Omit<NewEntry, 'number' | 'kind'> = { ...body, source: 'call-log' };
  const label = body.label ?? call.label ?? call.callerNameRaw;
  if (label !== undefined) fields.label = label;
  if (expiresAt !== undefined) fields.expiresAt = parseTime(expiresAt, 'body/expiresAt');
  return decide(ctx, call, 'block', fields);
}

/** "Allow this caller" of a call-log row, for the same three callers as blockCaller. */
export async function allowCaller(ctx: AppContext, call: CallRecord, body: Static<typeof AllowBody> = {}) {
  const fields: Omit<NewEntry, 'number' | 'kind'> = { ...body, source: 'call-log' };
  const label = body.label ?? call.callerNameRaw ?? (NAMING_REASONS.has(call.reason) ? call.label : undefined);
  if (label !== undefined) fields.label = label;
  return decide(ctx, call, 'allow', fields);
}

/** The answer with each entry's number as people write it. */
function view(ctx: AppContext, r: Awaited<ReturnType<typeof decide>>) {
  const numbering = ctx.config.numbering;
  return { ...r, entry: withNational(r.entry, numbering), removed: r.removed.map((e) => withNational(e, numbering)) };
}

async function getCall(ctx: AppContext, id: number): Promise<CallRecord> {
  const call = await ctx.store.calls.get(id);
  if (!call) throw notFound(coded('call.not_found', { id }));
  return call;
}

/** The body is optional: a POST without one is an empty object. */
async function emptyBody(req: FastifyRequest): Promise<void> {
  req.body ??= {};
}

export function callActionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof BlockBody> | undefined }>(
    '/calls/:id/block',
    {
      preValidation: emptyBody,
      schema: {
        tags: ['calls'],
        summary: 'Block the caller of this call',
        description: '409 when the call was withheld or internal. Removes an exact allow entry of the number.',
        params: IdParams,
        body: BlockBody,
        response: { 200: Result, 201: Result, ...ERRORS },
      },
    },
    async (req, reply) => {
      const result = await blockCaller(ctx, await getCall(ctx, req.params.id), req.body ?? {});
      return reply.code(result.created ? 201 : 200).send(view(ctx, result));
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AllowBody> | undefined }>(
    '/calls/:id/allow',
    {
      preValidation: emptyBody,
      schema: {
        tags: ['calls'],
        summary: 'Allow the caller of this call',
        description: '409 when the call was withheld or internal. Removes an exact block entry of the number.',
        params: IdParams,
        body: AllowBody,
        response: { 200: Result, 201: Result, ...ERRORS },
      },
    },
    async (req, reply) => {
      const result = await allowCaller(ctx, await getCall(ctx, req.params.id), req.body ?? {});
      return reply.code(result.created ? 201 : 200).send(view(ctx, result));
    },
  );
}

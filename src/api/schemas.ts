/**
 * JSON schemas shared by the routes (TypeBox builds them; they are plain JSON Schema). Every object refuses unknown
 * fields (additionalProperties: false), which the app's ajv reports as a 400 naming the field.
 */
// The OpenAPI fields of a route schema (tags, summary, …) come from @fastify/swagger's type augmentation.
import type {} from '@fastify/swagger';
import { type Static, type TSchema, Type } from 'typebox';
import { MAX_LABEL_CHARS, MAX_NOTE_CHARS } from '../labels.js';
import { ACTIONS, REASONS } from '../policy/types.js';

/** `{ type: 'string', enum }`: reads better in the OpenAPI document and in errors than an anyOf of literals. */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A field a PATCH may clear with null (OpenAPI 3.1 / JSON Schema: a type list). */
export function Nullable<T extends TSchema>(schema: T) {
  const s = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [s.type, 'null'] });
}

export const Strict = { additionalProperties: false } as const;

export const ActionSchema = StringEnum(ACTIONS, { description: 'What the dialplan does with the call.' });
export const ReasonSchema = StringEnum(REASONS);
export const KindSchema = StringEnum(['allow', 'block'] as const);
export const ImportFormatSchema = StringEnum(['csv', 'vcard', 'fritzbox', 'phoneblock', 'json'] as const, {
  description: 'Read the file as this format; detected from its content when left out.',
});

/** Q.850 cause of a hangup (21 rejected, 17 busy, 1 unallocated number). */
export const CauseSchema = Type.Integer({
  minimum: 1,
  maximum: 127,
  description: 'Q.850 cause for hangup (21 rejected, 17 busy, 1 unallocated).',
});
export const AnnouncementSchema = Type.String({
  pattern: '^[\\w/.-]{1,200}$',
  description: 'Sound file for announce, as Playback() takes it.',
});
export const LabelSchema = Type.String({ maxLength: MAX_LABEL_CHARS });
export const NoteSchema = Type.String({ maxLength: MAX_NOTE_CHARS });
/** Numbers are checked by the normaliser, not by a pattern: this only bounds the length. */
export const NumberText = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'A phone number in any usual form: +4930123456, 030 123456, 0049…; a trailing * makes a prefix.',
});
/** Epoch milliseconds or an ISO 8601 date / date-time; checked by the route (parseTime). */
export const TimeText = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'Epoch milliseconds or ISO 8601 (2026-12-31, 2026-12-31T18:00:00Z).',
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, Strict);

export const PagingQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Page size.' })),
  cursor: Type.Optional(Type.Integer({ minimum: 1, description: 'The nextCursor of the previous page.' })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Optional(
      Type.Integer({ description: 'Pass as cursor for the next page; absent on the last page.' }),
    ),
  });
}

/** A message of the code table (src/messages): its stable code and its parameters, for a client to word. */
export const MessageCode = Type.String({
  description:
    'What went wrong, as a stable code of the message table (number.no_digits, entry.exists, import.vcard_block, …): a client words it in its own language from `params`, and shows `message` for a code it does not know.',
});
export const MessageParams = Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer(), Type.Number()]), {
  description:
    'The values the message names, by name (value, number, line, limit, …). `field` is the part of the request at fault (body/number, querystring/kind), when there is one; a `number` in E.164 comes with `numberNational`, as people at home write it.',
});

/** A row of a file that did not read, or that was left out on purpose: its line, the English text, and the message. */
export const RejectedRowSchema = Type.Object({
  line: Type.Integer(),
  error: Type.String(),
  code: MessageCode,
  params: MessageParams,
});
export const IgnoredRowSchema = Type.Object({
  line: Type.Integer(),
  why: Type.String(),
  code: MessageCode,
  params: MessageParams,
});

export const ErrorSchema = Type.Object(
  {
    error: Type.String({
      description: 'Short code per HTTP status: bad_request, unauthorized, not_found, conflict, payload_too_large, …',
    }),
    code: MessageCode,
    params: MessageParams,
    message: Type.String({
      description: 'What went wrong in English, naming the field: rendered from `code` and `params`.',
    }),
    format: Type.Optional(Type.String()),
    rejected: Type.Optional(
      Type.Array(RejectedRowSchema, { description: 'An import refused: each bad row (at most 100).' }),
    ),
    rejectedCount: Type.Optional(Type.Integer()),
  },
  { description: 'Every error response.' },
);

/** The error responses every route documents. */
export const ERRORS = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const;

export const NoContent = Type.Null({ description: 'No content.' });

/**
 * Beside every E.164 number the page reads (`number`, `caller`, `did`, …): the same as people at home write it, in the
 * field of the same name with `National` (src/api/national.ts). Present wherever its number is.
 */
export const NationalText = Type.String({
  description:
    'The number as people at home write it: 030 1234567 in the home country, +44 20 7946 0018 otherwise; a prefix without its *, like the number.',
});

const ConflictEntrySchema = Type.Object({
  id: Type.Integer(),
  kind: KindSchema,
  number: Type.String(),
  numberNational: Type.Optional(NationalText),
  prefix: Type.Boolean(),
  label: Type.Optional(Type.String()),
  source: Type.String(),
  contactId: Type.Optional(Type.Integer()),
});

/** Both lists hold these callers: which entry decides a call from there, and why (the policy's own precedence). */
export const ConflictSchema = Type.Object(
  {
    number: Type.String({
      description: 'Where both entries hold callers: the narrower one (an exact number, or the longer prefix).',
    }),
    numberNational: Type.Optional(NationalText),
    prefix: Type.Boolean(),
    wins: ConflictEntrySchema,
    loses: ConflictEntrySchema,
    why: StringEnum(['allow beats block', 'exact beats prefix', 'longer prefix'] as const),
  },
  { description: 'An allow and a block entry that hold the same callers; only `wins` decides their calls.' },
);

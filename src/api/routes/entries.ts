/** /api/v1/entries: the personal allow and block entries (contacts' numbers included). */

import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { entryConflicts } from '../../import/index.js';
import { coded } from '../../messages/index.js';
import { barringFollows } from '../../sources/fritzbox/write-barring.js';
import type { EntryPatch, NewEntry, StoredEntry } from '../../store/index.js';
import { badRequest, notFound } from '../errors.js';
import { conflictView, withNational } from '../national.js';
import { entryNumber, parseTime } from '../params.js';
import {
  ActionSchema,
  AnnouncementSchema,
  CauseSchema,
  ConflictSchema,
  ERRORS,
  IdParams,
  KindSchema,
  LabelSchema,
  NationalText,
  NoContent,
  NoteSchema,
  Nullable,
  NumberText,
  Page,
  PagingQuery,
  Strict,
  TimeText,
} from '../schemas.js';

const OriginSchema = Type.Object({
  origin: Type.String({
    description: 'manual (the person) or the source that brought the number: fritzbox, carddav, called.',
  }),
  externalId: Type.Optional(Type.String({ description: "The origin's own key: a card's href, book:<name>, barring." })),
  label: Type.Optional(Type.String({ description: 'The name this origin gives the number.' })),
  vip: Type.Boolean(),
  expiresAt: Type.Optional(Type.Integer({ description: 'called: trusted until then unless called again (epoch ms).' })),
  addedAt: Type.Integer(),
});

export const EntrySchema = Type.Object({
  id: Type.Integer(),
  number: Type.String({ description: 'E.164, or the leading part of one when prefix is true.' }),
  numberNational: Type.Optional(NationalText),
  prefix: Type.Boolean(),
  kind: KindSchema,
  action: Type.Optional(ActionSchema),
  cause: Type.Optional(Type.Integer()),
  announcement: Type.Optional(Type.String()),
  label: Type.Optional(Type.String()),
  vip: Type.Boolean(),
  note: Type.Optional(Type.String()),
  source: Type.String({ description: 'Where it came from: api, cli, csv, vcard, fritzbox, call-log, …' }),
  contactId: Type.Optional(Type.Integer()),
  expiresAt: Type.Optional(Type.Integer({ description: 'Epoch ms; ignored from then on.' })),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  origins: Type.Optional(
    Type.Array(OriginSchema, {
      description:
        'Where the entry comes from, every origin: the person (manual) and each source that holds the number. A sync removes only its own origin; the entry goes when none is left.',
    }),
  ),
  conflicts: Type.Optional(
    Type.Array(ConflictSchema, {
      description:
        'Present when entries of the other kind hold some of the same callers: each with the entry that wins there, and why (at most 20).',
    }),
  ),
});

const ShortSchema = Type.Boolean({
  description:
    'The number is deliberately short or irregular (a service number such as 22333): store it without the plausibility ' +
    'check that refuses an exact number libphonenumber calls impossible or unassigned (400). It is stored as a caller ' +
    'with these digits is read (home country and area code), so it matches that caller.',
});

const CreateBody = Type.Object(
  {
    number: NumberText,
    kind: KindSchema,
    prefix: Type.Optional(Type.Boolean({ description: 'A prefix entry (same as a trailing * on the number).' })),
    short: Type.Optional(ShortSchema),
    action: Type.Optional(ActionSchema),
    cause: Type.Optional(CauseSchema),
    announcement: Type.Optional(AnnouncementSchema),
    label: Type.Optional(LabelSchema),
    vip: Type.Optional(Type.Boolean()),
    note: Type.Optional(NoteSchema),
    expiresAt: Type.Optional(TimeText),
  },
  Strict,
);

const PatchBody = Type.Object(
  {
    number: Type.Optional(NumberText),
    kind: Type.Optional(KindSchema),
    prefix: Type.Optional(Type.Boolean()),
    short: Type.Optional(ShortSchema),
    action: Type.Optional(Nullable(ActionSchema)),
    cause: Type.Optional(Nullable(CauseSchema)),
    announcement: Type.Optional(Nullable(AnnouncementSchema)),
    label: Type.Optional(Nullable(LabelSchema)),
    vip: Type.Optional(Type.Boolean()),
    note: Type.Optional(Nullable(NoteSchema)),
    expiresAt: Type.Optional(Nullable(TimeText)),
  },
  { ...Strict, minProperties: 1, description: 'Only the fields given change; null clears a field.' },
);

const ListQuery = Type.Object(
  {
    kind: Type.Optional(KindSchema),
    search: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the number, label or note.' })),
    source: Type.Optional(Type.String({ maxLength: 40 })),
    origin: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'Entries holding this origin: manual (your own) or a source name (fritzbox, carddav, called).',
      }),
    ),
    ...PagingQuery,
  },
  Strict,
);

const TAGS = ['entries'];

function checkAction(kind: string | undefined, action: string | null | undefined): void {
  if (kind === 'block' && action === 'connect')
    throw badRequest(coded('entry.block_connect', { field: 'body/action' }));
}

export function entriesRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { entries, origins } = ctx.store;
  const MANUAL = [{ origin: 'manual', vip: false, addedAt: 0 }];
  const views = async (items: StoredEntry[]) => {
    const numbering = ctx.config.numbering;
    const byId = await origins.forEntries(items.map((e) => e.id));
    const shown = [];
    for (const e of items) {
      const conflicts = await entryConflicts(ctx, e);
      const held = byId.get(e.id);
      // No origin rows: the person's own entry (typed in, imported from a file) since it was made.
      const list = held && held.length > 0 ? held : MANUAL.map((m) => ({ ...m, addedAt: e.createdAt }));
      shown.push({
        ...withNational(e, numbering),
        origins: list,
        ...(conflicts.length > 0 && { conflicts: conflicts.map((c) => conflictView(c, numbering)) }),
      });
    }
    return shown;
  };
  const withConflicts = async (e: StoredEntry) => (await views([e]))[0];

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/entries',
    {
      schema: {
        tags: TAGS,
        summary: 'List entries, newest first',
        querystring: ListQuery,
        response: { 200: Page(EntrySchema), ...ERRORS },
      },
    },
    async (req) => {
      const page = await entries.list(req.query);
      return { ...page, items: await views(page.items) };
    },
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/entries',
    {
      schema: {
        tags: TAGS,
        summary: 'Add an allow or block entry',
        description:
          "When entries of the other kind hold some of the same callers, the answer's `conflicts` names each of them and which entry wins.",
        body: CreateBody,
        response: { 201: EntrySchema, ...ERRORS },
      },
    },
    async (req, reply) => {
      const { number: text, prefix: wantPrefix, short, expiresAt, ...rest } = req.body;
      checkAction(rest.kind, rest.action);
      const { number, prefix } = entryNumber(ctx, text, wantPrefix, 'body/number', short);
      const entry: NewEntry = { ...rest, number, prefix, source: 'api' };
      if (expiresAt !== undefined) entry.expiresAt = parseTime(expiresAt, 'body/expiresAt');
      const created = await entries.create(entry);
      await barringFollows(ctx, { blocked: created });
      return reply.code(201).send(await withConflicts(created));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/entries/:id',
    { schema: { tags: TAGS, summary: 'One entry', params: IdParams, response: { 200: EntrySchema, ...ERRORS } } },
    async (req) => {
      const entry = await entries.get(req.params.id);
      if (!entry) throw notFound(coded('entry.not_found', { id: req.params.id }));
      return withConflicts(entry);
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof PatchBody> }>(
    '/entries/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change an entry',
        params: IdParams,
        body: PatchBody,
        response: { 200: EntrySchema, ...ERRORS },
      },
    },
    async (req) => {
      const { number: text, prefix, short, expiresAt, ...rest } = req.body;
      const current = await entries.get(req.params.id);
      if (!current) throw notFound(coded('entry.not_found', { id: req.params.id }));
      checkAction(rest.kind ?? current.kind, rest.action === undefined ? current.action : rest.action);
      const patch: EntryPatch = { ...rest };
      if (text !== undefined) Object.assign(patch, entryNumber(ctx, text, prefix, 'body/number', short));
      else if (prefix !== undefined && prefix !== current.prefix) {
        throw badRequest(coded('entry.prefix_needs_number', { field: 'body/prefix' }));
      } else if (short !== undefined) throw badRequest(coded('entry.short_needs_number', { field: 'body/short' }));
      if (expiresAt !== undefined) patch.expiresAt = expiresAt === null ? null : parseTime(expiresAt, 'body/expiresAt');
      const updated = await entries.update(req.params.id, patch);
      if (!updated) throw notFound(coded('entry.not_found', { id: req.params.id }));
      // What the person edited is theirs: a sync that drops the number no longer removes the entry.
      await origins.claim(updated.id);
      return withConflicts((await entries.get(updated.id)) ?? updated);
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/entries/:id',
    { schema: { tags: TAGS, summary: 'Remove an entry', params: IdParams, response: { 204: NoContent, ...ERRORS } } },
    async (req, reply) => {
      const entry = await entries.get(req.params.id);
      if (!entry || !(await entries.remove(entry.id))) throw notFound(coded('entry.not_found', { id: req.params.id }));
      await barringFollows(ctx, { unblocked: [entry] });
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/entries/:id/keep',
    {
      schema: {
        tags: TAGS,
        summary: 'Keep a synced entry as your own',
        description:
          'Adds your own origin (manual) to an entry a source brought: a sync that drops the number no longer removes it, and a number trusted for a while (called) stays. Idempotent.',
        params: IdParams,
        response: { 200: EntrySchema, ...ERRORS },
      },
    },
    async (req) => {
      if (!(await entries.get(req.params.id))) throw notFound(coded('entry.not_found', { id: req.params.id }));
      await origins.claim(req.params.id);
      return withConflicts((await entries.get(req.params.id)) as StoredEntry);
    },
  );
}

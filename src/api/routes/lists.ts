/**
 * /api/v1/lists: imported call-centre / spam lists. Creating a list and replacing its rows take a file (upload
 * context, see upload.ts); the rest is JSON. A replace is atomic: the old rows stay active until the new ones are in.
 */

import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { importList } from '../../import/index.js';
import { coded } from '../../messages/index.js';
import type { ListPatch, NewList } from '../../store/index.js';
import { badRequest, conflict, notFound } from '../errors.js';
import {
  ActionSchema,
  AnnouncementSchema,
  CauseSchema,
  ERRORS,
  IdParams,
  ImportFormatSchema,
  LabelSchema,
  NoContent,
  Nullable,
  Page,
  PagingQuery,
  Strict,
} from '../schemas.js';
import { hasUpload, readUpload, uploadDoc } from '../upload.js';
import { RowReport } from './import.js';

const ListSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: Type.Literal('spam'),
  threshold: Type.Number({ description: 'A number matches when its score (votes, reports) is at least this.' }),
  action: Type.Optional(ActionSchema),
  cause: Type.Optional(Type.Integer()),
  announcement: Type.Optional(Type.String()),
  label: Type.Optional(Type.String()),
  sourceUrl: Type.Optional(Type.String()),
  enabled: Type.Boolean(),
  activeVersion: Type.Integer(),
  entryCount: Type.Integer({ description: 'Rows in the active version.' }),
  syncCursor: Type.Optional(Type.String()),
  syncedAt: Type.Optional(Type.Integer()),
  syncError: Type.Optional(Type.String()),
  updatedAt: Type.Integer(),
  createdAt: Type.Integer(),
});

const ListEntrySchema = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  prefix: Type.Boolean(),
  score: Type.Number(),
  label: Type.Optional(Type.String()),
});

const ListReportSchema = Type.Object({
  format: ImportFormatSchema,
  listId: Type.Integer(),
  version: Type.Integer({ description: 'The list version now active.' }),
  added: Type.Integer(),
  skipped: Type.Integer({ description: 'Rows whose number came earlier in the file.' }),
  removed: Type.Integer({ description: 'Rows of the previous version removed.' }),
  contacts: Type.Integer(),
  ...RowReport,
});

const Settings = {
  threshold: Type.Number({ minimum: 0, maximum: 1e9 }),
  action: ActionSchema,
  cause: CauseSchema,
  announcement: AnnouncementSchema,
  label: LabelSchema,
  sourceUrl: Type.String({ maxLength: 2000 }),
};

const CreateQuery = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    threshold: Type.Optional(Settings.threshold),
    action: Type.Optional(Settings.action),
    cause: Type.Optional(Settings.cause),
    announcement: Type.Optional(Settings.announcement),
    label: Type.Optional(Settings.label),
    sourceUrl: Type.Optional(Settings.sourceUrl),
    format: Type.Optional(ImportFormatSchema),
  },
  Strict,
);

const PatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    threshold: Type.Optional(Settings.threshold),
    enabled: Type.Optional(Type.Boolean()),
    action: Type.Optional(Nullable(Settings.action)),
    cause: Type.Optional(Nullable(Settings.cause)),
    announcement: Type.Optional(Nullable(Settings.announcement)),
    label: Type.Optional(Nullable(Settings.label)),
    sourceUrl: Type.Optional(Nullable(Settings.sourceUrl)),
  },
  { ...Strict, minProperties: 1 },
);

const FormatQuery = Type.Object({ format: Type.Optional(ImportFormatSchema) }, Strict);
const EntriesQuery = Type.Object({ search: Type.Optional(Type.String({ maxLength: 100 })), ...PagingQuery }, Strict);

const TAGS = ['lists'];
const FILE_DOC =
  'CSV (number[,label[,note]] or a header naming phone and votes/score) or JSON ([{phone, votes|score}] or a PhoneBlock blocklist).';

function checkAction(action: string | null | undefined, field: string): void {
  if (action === 'connect') throw badRequest(coded('list.connect', { field }));
}

async function getList(ctx: AppContext, id: number) {
  return (await ctx.store.lists.get(id)) ?? Promise.reject(notFound(coded('list.not_found', { id })));
}

/** The JSON routes. */
export function listsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { lists } = ctx.store;

  app.get(
    '/lists',
    {
      schema: {
        tags: TAGS,
        summary: 'All lists with their entry counts',
        response: { 200: Type.Object({ items: Type.Array(ListSchema) }), ...ERRORS },
      },
    },
    async () => ({
      items: await lists.list(),
    }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/lists/:id',
    { schema: { tags: TAGS, summary: 'One list', params: IdParams, response: { 200: ListSchema, ...ERRORS } } },
    async (req) => getList(ctx, req.params.id),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof EntriesQuery> }>(
    '/lists/:id/entries',
    {
      schema: {
        tags: TAGS,
        summary: "A list's active rows",
        params: IdParams,
        querystring: EntriesQuery,
        response: { 200: Page(ListEntrySchema), ...ERRORS },
      },
    },
    async (req) => {
      await getList(ctx, req.params.id);
      return lists.entries(req.params.id, req.query);
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof PatchBody> }>(
    '/lists/:id',
    {
      schema: {
        tags: TAGS,
        summary: "Change a list's threshold, action, label, name or enabled flag",
        params: IdParams,
        body: PatchBody,
        response: { 200: ListSchema, ...ERRORS },
      },
    },
    async (req) => {
      checkAction(req.body.action, 'body/action');
      return (
        (await lists.update(req.params.id, req.body as ListPatch)) ??
        Promise.reject(notFound(coded('list.not_found', { id: req.params.id })))
      );
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/lists/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Remove a list and its rows',
        params: IdParams,
        response: { 204: NoContent, ...ERRORS },
      },
    },
    async (req, reply) => {
      if (!(await lists.remove(req.params.id))) throw notFound(coded('list.not_found', { id: req.params.id }));
      return reply.code(204).send();
    },
  );
}

/** The routes that take a file (registered in the upload context). */
export function listUploadRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { lists } = ctx.store;
  const bodyLimit = ctx.config.http.importLimitBytes;

  app.post<{ Querystring: Static<typeof CreateQuery> }>(
    '/lists',
    {
      bodyLimit,
      config: uploadDoc(`Optional: the list's rows. ${FILE_DOC}`),
      schema: {
        tags: TAGS,
        summary: 'Create a list, from an uploaded file',
        description:
          'Settings in the query, the file as the body. A file with a bad row is refused (400) and no list is created.',
        querystring: CreateQuery,
        response: { 201: Type.Object({ list: ListSchema, import: Type.Optional(ListReportSchema) }), ...ERRORS },
      },
    },
    async (req, reply) => {
      const { format, ...settings } = req.query;
      checkAction(settings.action, 'querystring/action');
      const existing = await lists.getByName(settings.name);
      if (existing) throw conflict(coded('list.exists', { name: settings.name, id: existing.id }));
      const file = hasUpload(req) ? await readUpload(req) : undefined;
      const list = await lists.create(settings as NewList);
      if (!file) return reply.code(201).send({ list });
      try {
        const report = await importList(ctx, list.id, file, format ? { format } : {});
        return reply.code(201).send({ list: await lists.get(list.id), import: report });
      } catch (err) {
        await lists.remove(list.id);
        throw err;
      }
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Querystring: Static<typeof FormatQuery> }>(
    '/lists/:id/entries',
    {
      bodyLimit,
      config: uploadDoc(FILE_DOC),
      schema: {
        tags: TAGS,
        summary: "Replace a list's rows from an uploaded file (atomic)",
        params: IdParams,
        querystring: FormatQuery,
        response: { 200: ListReportSchema, ...ERRORS },
      },
    },
    async (req) => {
      await getList(ctx, req.params.id);
      const file = await readUpload(req);
      return importList(ctx, req.params.id, file, req.query.format ? { format: req.query.format } : {});
    },
  );
}

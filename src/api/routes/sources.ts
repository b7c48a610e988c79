/**
 * /api/v1/sources: what keeps the lists current (DESIGN.md "Sources") — a PhoneBlock subscription, lists at URLs —
 * with their status. Credentials go in and never come out: a source says only whether it has some.
 */

import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import type { JobRunner } from '../../jobs/runner.js';
import { type Coded, coded } from '../../messages/index.js';
import { type SourceInput, SourceInputError } from '../../sources/add.js';
import { intervalText } from '../../sources/schedule.js';
import { createSources, type Sources } from '../../sources/service.js';
import { staleSources } from '../../sources/status.js';
import type { Source } from '../../store/index.js';
import { badRequest, notFound } from '../errors.js';
import { ConflictSchema, ERRORS, ImportFormatSchema, NoContent, Strict, StringEnum } from '../schemas.js';

const TAGS = ['sources'];

export interface SourceJobs {
  sources: Sources;
  /** The service's runner: a queued report is delivered at once. */
  runner?: JobRunner;
}

const Time = (description: string) => Type.Optional(Type.Integer({ description: `${description} (epoch ms).` }));

export const SourceSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: StringEnum(['phoneblock', 'url', 'fritzbox', 'carddav', 'called'] as const),
  listId: Type.Optional(Type.Integer({ description: 'The list this source feeds.' })),
  list: Type.Optional(Type.String({ description: "The list's name." })),
  settings: Type.Object({}, { additionalProperties: true, description: 'Non-secret settings: url, format.' }),
  hasCredentials: Type.Boolean({ description: 'Whether credentials are stored; they are never returned.' }),
  schedule: Type.Object({
    interval: Type.String({ description: '1d, 6h, 30m…' }),
    intervalMs: Type.Integer(),
    jitterMs: Type.Integer(),
  }),
  enabled: Type.Boolean(),
  lastAttemptAt: Time('When the last sync started'),
  lastSuccessAt: Time('When the last sync succeeded: how old the list is'),
  cursor: Type.Optional(Type.String({ description: "The source's version (PhoneBlock) or ETag (a URL)." })),
  rows: Type.Optional(Type.Integer({ description: 'Numbers in the list after the last success.' })),
  nextRunAt: Time('When the next sync is due'),
  lastError: Type.Optional(Type.String({ description: 'Why the last sync failed; absent after a success.' })),
  heldBack: Type.Optional(
    Type.String({ description: 'Why the last answer was held back; sync with accept=true to take it.' }),
  ),
  failures: Type.Integer({ description: 'Failed syncs in a row.' }),
  stale: Type.Boolean({ description: 'No success for 3 days.' }),
  state: Type.Object(
    {},
    { additionalProperties: true, description: "The kind's own sync state (lastFullAt, lastModified)." },
  ),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});

const ReportSchema = Type.Object({
  id: Type.Integer(),
  source: Type.String(),
  outcome: StringEnum(['synced', 'unchanged', 'held', 'failed', 'busy'] as const, {
    description: 'held: the answer looked wrong and the list in force stays; busy: another process is syncing it.',
  }),
  message: Type.String(),
  rows: Type.Optional(Type.Integer()),
  cursor: Type.Optional(Type.String()),
  nextRunAt: Type.Optional(Type.Integer()),
  conflicts: Type.Optional(
    Type.Array(ConflictSchema, {
      description: 'fritzbox, carddav, called: numbers the other list holds too, and which entry wins (the first 10).',
    }),
  ),
  conflictCount: Type.Optional(Type.Integer()),
});

const Secret = Type.String({ minLength: 1, maxLength: 1000 });
const CreateBody = Type.Object(
  {
    kind: StringEnum(['phoneblock', 'url', 'fritzbox', 'carddav'] as const, {
      description:
        "fritzbox and carddav feed your allow (and the box's barring list: block) entries; the numbers you call come from CALLFILTER_AMI_URL.",
    }),
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[\\w.-]+$',
      description: 'Letters, digits, ".", "-", "_".',
    }),
    list: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "The list's name; created when missing. Default: PhoneBlock, or the source's name.",
      }),
    ),
    threshold: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1e9,
        description: 'For a new list: PhoneBlock 4 (what its own app blocks at), else 1.',
      }),
    ),
    url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description: 'url: the list; phoneblock: the API base (default: production).',
      }),
    ),
    format: Type.Optional(ImportFormatSchema),
    books: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        maxItems: 100,
        description: 'fritzbox: the phone books, carddav: the address books to read, by name (default all).',
      }),
    ),
    writeBarring: Type.Optional(
      Type.Boolean({ description: "fritzbox: put numbers blocked here on the box's call-barring list too." }),
    ),
    certSha256: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'fritzbox over https: the certificate fingerprint (default: pinned on first use).',
      }),
    ),
    mode: Type.Optional(
      StringEnum(['auto', 'etag'] as const, {
        description: "carddav: etag compares every card's ETag instead of using sync-collection.",
      }),
    ),
    schedule: Type.Optional(
      Type.Object(
        {
          interval: Type.Optional(
            Type.String({ maxLength: 10, description: '30m, 6h, 1d; default daily at a random time.' }),
          ),
        },
        Strict,
      ),
    ),
    credentials: Type.Optional(
      Type.Object(
        {
          token: Type.Optional(Secret),
          bearer: Type.Optional(Secret),
          username: Type.Optional(Secret),
          password: Type.Optional(Secret),
        },
        {
          ...Strict,
          description:
            'Write-only. phoneblock: token (the API key); url: bearer, or username and password; fritzbox, carddav: username and password.',
        },
      ),
    ),
  },
  Strict,
);

const IdOrName = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, description: 'Id or name.' }) }, Strict);
const SyncQuery = Type.Object(
  { accept: Type.Optional(Type.Boolean({ description: 'Take an answer that would be held back (a real shrink).' })) },
  Strict,
);

/** A source's settings refused (`url: … is not a URL`): the part before the colon is the field of the body. */
function sourceProblem(message: string): Coded {
  const colon = message.indexOf(': ');
  return colon < 0
    ? coded('source.invalid', { field: 'body', detail: message })
    : coded('source.invalid', { field: `body/${message.slice(0, colon)}`, detail: message.slice(colon + 2) });
}

export function sourcesRoutes(app: FastifyInstance, ctx: AppContext, jobs?: SourceJobs): void {
  const sources = jobs?.sources ?? createSources(ctx);

  async function view(source: Source) {
    const { schedule, state, ...rest } = source;
    const list = source.listId === undefined ? undefined : (await ctx.store.lists.get(source.listId))?.name;
    return {
      ...rest,
      ...(list !== undefined && { list }),
      schedule: {
        interval: intervalText(schedule.intervalMs),
        intervalMs: schedule.intervalMs,
        jitterMs: schedule.jitterMs,
      },
      stale: staleSources([source], ctx.clock()).length > 0,
      state,
    };
  }

  async function find(idOrName: string): Promise<Source> {
    const source = await sources.find(idOrName);
    if (!source) throw notFound(coded('source.not_found', { name: idOrName }));
    return source;
  }

  app.get(
    '/sources',
    {
      schema: {
        tags: TAGS,
        summary: 'All sources with their status',
        response: { 200: Type.Object({ items: Type.Array(SourceSchema) }), ...ERRORS },
      },
    },
    async () => ({
      items: await Promise.all((await sources.list()).map(view)),
    }),
  );

  app.get<{ Params: Static<typeof IdOrName> }>(
    '/sources/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'One source (by id or name) with its status',
        params: IdOrName,
        response: { 200: SourceSchema, ...ERRORS },
      },
    },
    async (req) => view(await find(req.params.id)),
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/sources',
    {
      schema: {
        tags: TAGS,
        summary: 'Add a source: a PhoneBlock subscription, a list at a URL, a FRITZ!Box or a CardDAV account',
        description:
          'Creates the target list when missing. The first sync runs at once (in the service), then on the schedule.',
        body: CreateBody,
        response: { 201: SourceSchema, ...ERRORS },
      },
    },
    async (req, reply) => {
      try {
        const source = await sources.add(req.body as SourceInput);
        return reply.code(201).send(await view(source));
      } catch (err) {
        if (err instanceof SourceInputError) throw badRequest(sourceProblem(err.message));
        throw err;
      }
    },
  );

  app.delete<{ Params: Static<typeof IdOrName> }>(
    '/sources/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'End a source (its list stays until you delete it)',
        params: IdOrName,
        response: { 204: NoContent, ...ERRORS },
      },
    },
    async (req, reply) => {
      const source = await find(req.params.id);
      await sources.remove(source.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdOrName>; Querystring: Static<typeof SyncQuery> }>(
    '/sources/:id/sync',
    {
      schema: {
        tags: TAGS,
        summary: 'Sync a source now',
        description:
          'Waits for the sync. A failed or held-back sync is still a 200: the outcome says so, and the list in force stays.',
        params: IdOrName,
        querystring: SyncQuery,
        response: { 200: ReportSchema, ...ERRORS },
      },
    },
    async (req) => {
      const source = await find(req.params.id);
      return sources.sync(source, { accept: req.query.accept === true });
    },
  );
}

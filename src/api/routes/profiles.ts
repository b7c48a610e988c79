/**
 * /api/v1/profiles: policy profiles per called number (DID), kept in the database. The default profile and the
 * config file's profiles are shown but read-only: their names (and DIDs) cannot be taken here. Every change takes
 * effect at once (ctx.reloadProfiles).
 */

import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { toProfile } from '../../config/config.js';
import { ConfigError } from '../../config/env.js';
import { type ProfileInput, parseProfileInput } from '../../config/file.js';
import type { AppContext } from '../../context.js';
import { coded } from '../../messages/index.js';
import { type Profile, STEPS } from '../../policy/types.js';
import { badRequest, conflict, type HttpError, notFound } from '../errors.js';
import { didNumber } from '../params.js';
import { ActionSchema, AnnouncementSchema, CauseSchema, ERRORS, NoContent, Strict, StringEnum } from '../schemas.js';

const NAME = '^[\\w .-]{1,60}$';

const ActionSpec = Type.Object(
  { action: ActionSchema, cause: Type.Optional(CauseSchema), announcement: Type.Optional(AnnouncementSchema) },
  Strict,
);
const Actions = Type.Object(Object.fromEntries(STEPS.map((s) => [s, Type.Optional(ActionSpec)])), {
  ...Strict,
  description: 'Per policy step: what to do.',
});
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM' });
const Schedule = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { description: '0 = Sunday … 6 = Saturday' }),
    from: Time,
    to: Time,
    quiet: Type.Optional(Type.Boolean({ description: 'Quiet hours: connect becomes voicemail, except VIPs.' })),
    actions: Type.Optional(Actions),
  },
  Strict,
);
const RepeatCaller = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    windowMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    minCalls: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  Strict,
);

const ProfileBody = Type.Object(
  {
    name: Type.String({ pattern: NAME }),
    dids: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
      description: 'Called numbers this profile is for (normalised like the screening path).',
    }),
    actions: Type.Optional(Actions),
    repeatCaller: Type.Optional(RepeatCaller),
    schedules: Type.Optional(Type.Array(Schedule)),
  },
  {
    ...Strict,
    description: 'Like a profile in the config file; what it does not name comes from the default profile.',
  },
);
const ReplaceBody = Type.Object(
  { ...ProfileBody.properties, name: Type.Optional(ProfileBody.properties.name) },
  Strict,
);

const ProfileSchema = Type.Object({
  name: Type.String(),
  source: StringEnum(['default', 'file', 'api'] as const, {
    description: 'default and file profiles are read-only here.',
  }),
  dids: Type.Array(Type.String()),
  actions: Type.Object(Object.fromEntries(STEPS.map((s) => [s, ActionSpec]))),
  repeatCaller: Type.Object({ enabled: Type.Boolean(), windowMinutes: Type.Integer(), minCalls: Type.Integer() }),
  schedules: Type.Array(Schedule),
});

const NameParams = Type.Object({ name: Type.String({ pattern: NAME }) }, Strict);
const TAGS = ['profiles'];
type Source = 'default' | 'file' | 'api';

export function profilesRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { profiles } = ctx.store;
  const shown = (p: Profile, source: Source) => ({ ...p, source });

  async function find(name: string): Promise<{ profile: Profile; source: Source } | undefined> {
    if (name === 'default') return { profile: ctx.config.policy.defaultProfile, source: 'default' };
    const file = ctx.fileProfiles.find((p) => p.name === name);
    if (file) return { profile: file, source: 'file' };
    const stored = await profiles.get(name);
    return stored && { profile: stored, source: 'api' };
  }

  function readOnly(name: string, source: Source): HttpError {
    return conflict(
      source === 'default' ? coded('profile.default_read_only') : coded('profile.file_read_only', { name }),
    );
  }

  /** Checks with the config file's rules, normalises DIDs, refuses a DID another profile has, and saves. */
  async function save(body: unknown, name: string): Promise<Profile> {
    let input: ProfileInput;
    // DIDs as people write them (030 999111) are normalised first, as the screening path does.
    const raw = body as { dids?: unknown[] };
    const dids = Array.isArray(raw.dids)
      ? raw.dids.map((d) => (typeof d === 'string' ? didNumber(ctx, d) : d))
      : raw.dids;
    try {
      input = parseProfileInput({ ...raw, dids, name }, 'body', 'body');
    } catch (err) {
      if (err instanceof ConfigError)
        throw badRequest(coded('setting.invalid', { detail: err.message.slice(err.key.length + 2) }));
      throw err;
    }
    const unique = [...new Set(input.dids)];
    for (const other of [...ctx.fileProfiles, ...(await profiles.list())]) {
      if (other.name === name) continue;
      const taken = unique.find((d) => other.dids.includes(d));
      if (taken) throw conflict(coded('profile.did_taken', { field: 'body/dids', did: taken, profile: other.name }));
    }
    const saved = await profiles.upsert(toProfile(ctx.config.policy.defaultProfile, input, name, unique));
    await ctx.reloadProfiles();
    return saved;
  }

  app.get(
    '/profiles',
    {
      schema: {
        tags: TAGS,
        summary: 'All profiles: default, config file, and the ones kept here',
        response: { 200: Type.Object({ items: Type.Array(ProfileSchema) }), ...ERRORS },
      },
    },
    async () => ({
      items: [
        shown(ctx.config.policy.defaultProfile, 'default'),
        ...ctx.fileProfiles.map((p) => shown(p, 'file')),
        ...(await profiles.list()).map((p) => shown(p, 'api')),
      ],
    }),
  );

  app.get<{ Params: Static<typeof NameParams> }>(
    '/profiles/:name',
    { schema: { tags: TAGS, summary: 'One profile', params: NameParams, response: { 200: ProfileSchema, ...ERRORS } } },
    async (req) => {
      const found = await find(req.params.name);
      if (!found) throw notFound(coded('profile.not_found', { name: req.params.name }));
      return shown(found.profile, found.source);
    },
  );

  app.post<{ Body: Static<typeof ProfileBody> }>(
    '/profiles',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a profile',
        body: ProfileBody,
        response: { 201: ProfileSchema, ...ERRORS },
      },
    },
    async (req, reply) => {
      const found = await find(req.body.name);
      if (found?.source === 'api')
        throw conflict(
          coded('profile.exists', {
            name: req.body.name,
            path: `/api/v1/profiles/${encodeURIComponent(req.body.name)}`,
          }),
        );
      if (found) throw readOnly(req.body.name, found.source);
      return reply.code(201).send(shown(await save(req.body, req.body.name), 'api'));
    },
  );

  app.put<{ Params: Static<typeof NameParams>; Body: Static<typeof ReplaceBody> }>(
    '/profiles/:name',
    {
      schema: {
        tags: TAGS,
        summary: 'Create or replace a profile',
        params: NameParams,
        body: ReplaceBody,
        response: { 200: ProfileSchema, 201: ProfileSchema, ...ERRORS },
      },
    },
    async (req, reply) => {
      const { name } = req.params;
      if (req.body.name !== undefined && req.body.name !== name)
        throw badRequest(coded('profile.name_differs', { field: 'body/name', value: req.body.name, name }));
      const found = await find(name);
      if (found && found.source !== 'api') throw readOnly(name, found.source);
      return reply.code(found ? 200 : 201).send(shown(await save(req.body, name), 'api'));
    },
  );

  app.delete<{ Params: Static<typeof NameParams> }>(
    '/profiles/:name',
    {
      schema: { tags: TAGS, summary: 'Remove a profile', params: NameParams, response: { 204: NoContent, ...ERRORS } },
    },
    async (req, reply) => {
      const found = await find(req.params.name);
      if (!found) throw notFound(coded('profile.not_found', { name: req.params.name }));
      if (found.source !== 'api') throw readOnly(req.params.name, found.source);
      await profiles.remove(req.params.name);
      await ctx.reloadProfiles();
      return reply.code(204).send();
    },
  );
}

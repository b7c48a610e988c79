/**
 * /api/v1/settings: the home country and area code — what the web page's setup form asks on a new installation.
 * PUT keeps them in the database (the environment and the config file still win) and the next call uses them.
 */
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { ConfigError } from '../../config/env.js';
import {
  needsSetup,
  type SettingInForce,
  type SettingsInForce,
  type StoredKey,
  storeSettings,
} from '../../config/settings.js';
import type { AppContext } from '../../context.js';
import { badRequest, configProblem } from '../errors.js';
import { ERRORS, Strict, StringEnum } from '../schemas.js';

const Setting = Type.Object({
  key: Type.String({ description: 'The environment variable that sets it, and wins over the database.' }),
  value: Type.Optional(Type.String({ description: 'The value in force; absent when it is not set anywhere.' })),
  source: StringEnum(['env', 'file', 'database', 'default', 'unset'] as const, {
    description: 'Where the value in force comes from.',
  }),
  stored: Type.Optional(Type.String({ description: 'What the database holds, when it holds something.' })),
});

const SettingsSchema = Type.Object({
  country: Setting,
  areaCode: Setting,
  needsSetup: Type.Boolean({
    description: 'true: local numbers (sent without area code) cannot be read until the area code is set.',
  }),
});

const SettingsBody = Type.Object(
  {
    country: Type.Optional(Type.String({ maxLength: 10, description: 'ISO 3166 country code, e.g. DE.' })),
    areaCode: Type.Optional(
      Type.String({
        maxLength: 10,
        description: 'Area code with or without its leading 0, e.g. 30; empty removes the stored one.',
      }),
    ),
  },
  Strict,
);

const FIELDS: Record<StoredKey, 'country' | 'areaCode'> = {
  CALLFILTER_HOME_COUNTRY: 'country',
  CALLFILTER_HOME_AREA_CODE: 'areaCode',
};
const TAGS = ['settings'];

function shown(s: SettingInForce): Static<typeof Setting> {
  return {
    key: s.key,
    source: s.source,
    ...(s.value !== undefined && { value: s.value }),
    ...(s.stored !== undefined && { stored: s.stored }),
  };
}

function body(s: SettingsInForce): Static<typeof SettingsSchema> {
  return {
    country: shown(s.CALLFILTER_HOME_COUNTRY),
    areaCode: shown(s.CALLFILTER_HOME_AREA_CODE),
    needsSetup: needsSetup(s),
  };
}

export function settingsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/settings',
    {
      schema: {
        tags: TAGS,
        summary: 'The home country and area code in force, and where each comes from',
        response: { 200: SettingsSchema, ...ERRORS },
      },
    },
    async () => body(ctx.settings()),
  );

  app.put<{ Body: Static<typeof SettingsBody> }>(
    '/settings',
    {
      schema: {
        tags: TAGS,
        summary: 'Keep the home country and area code in the database (the environment and the config file win)',
        body: SettingsBody,
        response: { 200: SettingsSchema, ...ERRORS },
      },
    },
    async (req) => {
      const changes: Partial<Record<StoredKey, string>> = {};
      if (req.body.country !== undefined) changes.CALLFILTER_HOME_COUNTRY = req.body.country;
      if (req.body.areaCode !== undefined) changes.CALLFILTER_HOME_AREA_CODE = req.body.areaCode;
      try {
        await storeSettings(ctx.store.settings, ctx.config.fixed, changes, (key) => `body/${FIELDS[key]}`);
      } catch (err) {
        if (err instanceof ConfigError) throw badRequest(configProblem(err));
        throw err;
      }
      return body(await ctx.reloadSettings());
    },
  );
}

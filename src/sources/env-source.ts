/**
 * CALLFILTER_PHONEBLOCK_TOKEN turns the PhoneBlock subscription on: at start (and before `callfilter sync`) a
 * source named `phoneblock` is created with the key, or its key and base URL are brought up to date. The key is
 * kept in the database (mode 0600), never logged and never returned by the API.
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { Source } from '../store/index.js';
import { ensureContactSources } from './contacts/env.js';
import type { Sources } from './service.js';

export const ENV_SOURCE_NAME = 'phoneblock';

/** Also the contact sources of the environment (contacts/env.ts); returns the PhoneBlock source. */
export async function ensureEnvSources(
  sources: Sources,
  config: { phoneblock: Pick<Config['phoneblock'], 'token' | 'url'> & Partial<Config['phoneblock']> } & Partial<
    Pick<Config, 'contacts'>
  >,
  logger: Logger,
): Promise<Source | undefined> {
  if (config.contacts) await ensureContactSources(sources, { contacts: config.contacts }, logger);
  const { token, url } = config.phoneblock;
  if (token === undefined) return undefined;
  const store = sources.env.ctx.store;
  const existing = await store.sources.getByName(ENV_SOURCE_NAME);
  if (!existing) {
    const created = await sources.add({ kind: 'phoneblock', name: ENV_SOURCE_NAME, url, credentials: { token } });
    logger.info(
      { source: created.name, list: created.listId },
      'PhoneBlock subscription created from CALLFILTER_PHONEBLOCK_TOKEN',
    );
    return created;
  }
  if (existing.kind !== 'phoneblock') {
    logger.warn(
      { source: existing.name, kind: existing.kind },
      `a source named "${ENV_SOURCE_NAME}" of another kind exists; CALLFILTER_PHONEBLOCK_TOKEN is not used`,
    );
    return undefined;
  }
  const credentials = await store.sources.credentials(existing.id);
  const patch = {
    ...(credentials?.token !== token && { credentials: { token } }),
    ...(existing.settings.url !== url && { settings: { ...existing.settings, url } }),
  };
  if (Object.keys(patch).length === 0) return existing;
  const updated = await store.sources.update(existing.id, patch);
  sources.changed();
  logger.info(
    { source: existing.name, key: 'credentials' in patch, url: 'settings' in patch },
    'PhoneBlock subscription updated from the environment',
  );
  return updated;
}

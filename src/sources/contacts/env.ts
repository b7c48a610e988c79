/**
 * The contact sources from the environment: CALLFILTER_FRITZBOX_URL, CALLFILTER_CARDDAV_URL and CALLFILTER_AMI_URL
 * each turn on a source named fritzbox, carddav or called — created at start (and before `callfilter sync`), or
 * brought up to date when a setting, a password or CALLFILTER_SYNC_MINUTES changed. Passwords and the AMI secret
 * are kept with the source's credentials (mode 0600, never logged, never returned by the API).
 */
import type { Config } from '../../config/config.js';
import type { Logger } from '../../logger.js';
import type { NewSource, SourceKind } from '../../store/index.js';
import { defaultSchedule } from '../schedule.js';
import type { Sources } from '../service.js';

interface Wanted {
  name: string;
  kind: SourceKind;
  settings: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function contactSourcesWanted(config: Pick<Config, 'contacts'>): Wanted[] {
  const { fritzbox, carddav, called } = config.contacts;
  const out: Wanted[] = [];
  if (fritzbox) {
    out.push({
      name: 'fritzbox',
      kind: 'fritzbox',
      settings: defined({
        url: fritzbox.url,
        certSha256: fritzbox.certSha256,
        phonebooks: fritzbox.phonebooks,
        writeBarring: fritzbox.writeBarring,
      }),
      ...(fritzbox.user !== undefined && {
        credentials: defined({ username: fritzbox.user, password: fritzbox.password }),
      }),
    });
  }
  if (carddav) {
    out.push({
      name: 'carddav',
      kind: 'carddav',
      settings: defined({ url: carddav.url, books: carddav.books }),
      ...(carddav.user !== undefined && {
        credentials: defined({ username: carddav.user, password: carddav.password }),
      }),
    });
  }
  if (called) {
    out.push({
      name: 'called',
      kind: 'called',
      settings: defined({
        host: called.host,
        port: called.port,
        username: called.username,
        contexts: called.contexts,
        trustDays: called.trustDays,
        outsideLinePrefix: called.outsideLinePrefix,
      }),
      credentials: { secret: called.secret },
    });
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function ensureContactSources(
  sources: Sources,
  config: Pick<Config, 'contacts'>,
  logger: Logger,
): Promise<void> {
  const store = sources.env.ctx.store;
  const intervalMs = config.contacts.syncMinutes * 60_000;
  for (const want of contactSourcesWanted(config)) {
    const existing = await store.sources.getByName(want.name);
    if (!existing) {
      const source: NewSource = {
        name: want.name,
        kind: want.kind,
        settings: want.settings,
        schedule: defaultSchedule(want.kind, sources.env.random, intervalMs),
        nextRunAt: sources.env.clock.now(),
      };
      if (want.credentials) source.credentials = want.credentials;
      const created = await store.sources.create(source);
      sources.changed();
      logger.info({ source: created.name, kind: created.kind }, 'contact source created from the environment');
      continue;
    }
    if (existing.kind !== want.kind) {
      logger.warn(
        { source: existing.name, kind: existing.kind },
        `a source named "${want.name}" of another kind exists; the ${want.kind} settings of the environment are not used`,
      );
      continue;
    }
    const credentials = await store.sources.credentials(existing.id);
    const schedule = defaultSchedule(want.kind, sources.env.random, intervalMs);
    const patch = {
      ...(!same(existing.settings, want.settings) && { settings: want.settings }),
      ...(want.credentials && !same(credentials, want.credentials) && { credentials: want.credentials }),
      ...(existing.schedule.intervalMs !== schedule.intervalMs && { schedule, nextRunAt: sources.env.clock.now() }),
    };
    if (Object.keys(patch).length === 0) continue;
    await store.sources.update(existing.id, patch);
    sources.changed();
    logger.info(
      {
        source: existing.name,
        settings: 'settings' in patch,
        credentials: 'credentials' in patch,
        schedule: 'schedule' in patch,
      },
      'contact source updated from the environment',
    );
  }
}

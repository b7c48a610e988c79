import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { ensureEnvSources } from '../../src/sources/env-source.js';
import { createSources } from '../../src/sources/service.js';
import { captureLogs, startService } from '../helpers/service.js';

describe('CALLFILTER_PHONEBLOCK_TOKEN', () => {
  it('creates the phoneblock source once, and brings its key and URL up to date', async () => {
    const svc = await startService();
    const sources = createSources(svc.ctx);
    const { lines, stream } = captureLogs();
    const log = createLogger('info', stream);
    const config = (token: string, url = 'https://phoneblock.net/pb-test/api') => ({
      phoneblock: { token, url, reportBlocked: false },
    });

    const created = await ensureEnvSources(sources, config('first-key'), log);
    expect(created).toMatchObject({
      name: 'phoneblock',
      kind: 'phoneblock',
      settings: { url: 'https://phoneblock.net/pb-test/api' },
      hasCredentials: true,
    });
    expect(await svc.ctx.store.lists.get(created!.listId!)).toMatchObject({ name: 'PhoneBlock', threshold: 4 });
    await ensureEnvSources(sources, config('first-key'), log);
    await ensureEnvSources(sources, config('second-key', 'https://phoneblock.net/phoneblock/api'), log);
    expect(await sources.list()).toHaveLength(1);
    expect(await svc.ctx.store.sources.credentials(created!.id)).toEqual({ token: 'second-key' });
    expect((await sources.find('phoneblock'))?.settings.url).toBe('https://phoneblock.net/phoneblock/api');
    expect(lines.map((l) => l.msg)).toEqual([
      'PhoneBlock subscription created from CALLFILTER_PHONEBLOCK_TOKEN',
      'PhoneBlock subscription updated from the environment',
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/first-key|second-key/);
  });

  it('leaves a source of another kind with that name alone', async () => {
    const svc = await startService();
    const sources = createSources(svc.ctx);
    await sources.add({ kind: 'url', name: 'phoneblock', url: 'https://lists.example/pb.csv' });
    const { lines, stream } = captureLogs();
    expect(
      await ensureEnvSources(
        sources,
        { phoneblock: { token: 'k', url: 'https://x.example/api', reportBlocked: false } },
        createLogger('info', stream),
      ),
    ).toBeUndefined();
    expect(lines[0]?.msg).toMatch(/a source named "phoneblock" of another kind exists/);
  });

  it('is checked at start without showing it', () => {
    expect(() => loadConfig({ env: { CALLFILTER_PHONEBLOCK_TOKEN: 'has a space' } })).toThrow(
      'CALLFILTER_PHONEBLOCK_TOKEN: may only contain printable ASCII characters without spaces (it is sent in an HTTP header)',
    );
    expect(() => loadConfig({ env: { CALLFILTER_PHONEBLOCK_URL: 'phoneblock.net' } })).toThrow(
      'CALLFILTER_PHONEBLOCK_URL: "phoneblock.net" is not an http or https URL',
    );
    expect(loadConfig({ env: {} }).phoneblock).toEqual({
      url: 'https://phoneblock.net/phoneblock/api',
      reportBlocked: false,
      live: false,
      liveMs: 300,
    });
  });
});

describe('the logger', () => {
  it('redacts credentials wherever they appear in a line', () => {
    const { lines, stream } = captureLogs();
    const log = createLogger('info', stream);
    log.info({ credentials: { token: 'k1' } }, 'top');
    log.info({ source: { name: 'x', credentials: { password: 'k2' } } }, 'nested');
    expect(JSON.stringify(lines)).not.toMatch(/k1|k2/);
    expect(lines[1]).toMatchObject({ source: { name: 'x', credentials: '[redacted]' } });
  });
});

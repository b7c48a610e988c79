import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The integration tests that run on both engines: every test that starts the service through test/helpers/service.ts
 * and does not reach into the SQLite file itself.
 */
const POSTGRES_INTEGRATION = [
  'test/agi-server.test.ts',
  'test/api/auth.test.ts',
  'test/api/calls.test.ts',
  'test/api/conflicts.test.ts',
  'test/api/e2e.test.ts',
  'test/api/entries.test.ts',
  'test/api/error-codes.test.ts',
  'test/api/errors.test.ts',
  'test/api/export.test.ts',
  'test/api/health.test.ts',
  'test/api/http.test.ts',
  'test/api/import-kinds.test.ts',
  'test/api/import.test.ts',
  'test/api/keep.test.ts',
  'test/api/labels.test.ts',
  'test/api/lists.test.ts',
  'test/api/national.test.ts',
  'test/api/openapi.test.ts',
  'test/api/profiles.test.ts',
  'test/api/settings.test.ts',
  'test/api/sources.test.ts',
  'test/api/upload-errors.test.ts',
  'test/import/conflicts.test.ts',
  'test/jobs/prune-calls.test.ts',
  'test/reliability/agi-allow.test.ts',
  'test/reliability/agi-flood.test.ts',
  'test/reliability/agi-fuzz.test.ts',
  'test/reliability/api-security.test.ts',
  'test/screen/local-number.test.ts',
  'test/screen/origin.integration.test.ts',
  'test/screen/screen-call.test.ts',
  'test/screen/screen.integration.test.ts',
  'test/sources/carddav/sync.test.ts',
  'test/sources/env-source.test.ts',
  'test/sources/fritzbox/sync.test.ts',
  'test/sources/phoneblock-live.test.ts',
  'test/sources/reports.test.ts',
  'test/sources/url-sync.test.ts',
  'test/web/calls.test.ts',
  'test/web/conflicts.test.ts',
  'test/web/events.test.ts',
  'test/web/import.test.ts',
  'test/web/session.test.ts',
  'test/web/sources.test.ts',
  'test/web/voicemail.test.ts',
];

export default defineConfig({
  resolve: {
    alias: [
      // Tests run against the library's sources, so a change in agi/ needs no build step first.
      {
        find: /^asterisk-agi\/testing\/ami$/,
        replacement: fileURLToPath(new URL('./agi/src/testing/fake-ami.ts', import.meta.url)),
      },
      {
        find: /^asterisk-agi\/testing$/,
        replacement: fileURLToPath(new URL('./agi/src/testing/fake-asterisk.ts', import.meta.url)),
      },
      { find: /^asterisk-agi\/ami$/, replacement: fileURLToPath(new URL('./agi/src/ami/index.ts', import.meta.url)) },
      { find: /^asterisk-agi$/, replacement: fileURLToPath(new URL('./agi/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // An unhandled rejection or uncaught exception anywhere fails the run (vitest's default; stated here on purpose).
    dangerouslyIgnoreUnhandledErrors: false,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['agi/test/**/*.test.ts', 'test/**/*.test.ts'] } },
      {
        // The service's tests again, each service a node of a cluster on a real PostgreSQL (test/helpers/service-store.ts).
        extends: true,
        test: {
          name: 'postgres',
          include: POSTGRES_INTEGRATION,
          env: { CALLFILTER_TEST_STORE: 'postgres' },
          globalSetup: ['test/helpers/postgres-global.ts'],
        },
      },
    ],
  },
});

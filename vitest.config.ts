import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
    include: ['agi/test/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // An unhandled rejection or uncaught exception anywhere fails the run (vitest's default; stated here on purpose).
    dangerouslyIgnoreUnhandledErrors: false,
  },
});

#!/usr/bin/env node
// The `callfilter` command. `start` runs the service; everything else is a one-shot command on the same database.
const [command] = process.argv.slice(2);
if (command === 'start') {
  await import('../dist/src/server.js');
} else {
  const { run } = await import('../dist/src/cli/main.js');
  process.exitCode = await run(process.argv.slice(2));
}

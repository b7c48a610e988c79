import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/service.js';
import { csvList, startListServer } from '../sources/list-server.js';
import { startFakePhoneblock } from '../sources/phoneblock-server.js';

const cli = (env: Record<string, string>, ...argv: string[]) =>
  runCli(argv, { CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_LOG_LEVEL: 'silent', ...env });

describe('callfilter sources and sync', () => {
  it('adds a list by URL, syncs it, shows its status and removes it', async () => {
    const dir = tempDir();
    const env = { CALLFILTER_DATA_DIR: dir };
    const ls = await startListServer();
    ls.publish('/spam.csv', csvList(25));
    ls.requireAuth = 'Bearer from-a-file';
    const secret = join(dir, 'bearer.txt');
    writeFileSync(secret, 'from-a-file\n');

    expect((await cli(env, 'sources')).out).toBe(
      'no sources (set CALLFILTER_PHONEBLOCK_TOKEN, or: callfilter sources add-url <name> <url>)',
    );
    const added = await cli(
      env,
      'sources',
      'add-url',
      'spam',
      `${ls.base}/spam.csv`,
      '--every',
      '12h',
      '--bearer-file',
      secret,
      '--threshold',
      '3',
    );
    expect(added).toMatchObject({
      code: 0,
      out: 'added source "spam" (id 1); the service syncs it within minutes, or now: callfilter sync spam',
    });

    const synced = await cli(env, 'sync', 'spam');
    expect(synced.code).toBe(0);
    expect(synced.out.split('\n')).toEqual([
      `spam: fetching ${ls.base}/spam.csv`,
      expect.stringMatching(/^spam: received 4\d\d bytes; importing$/),
      'spam: synced — 25 numbers (csv)',
    ]);

    const status = await cli(env, 'sources');
    expect(status.out.split('\n')).toEqual([
      'spam  url → list "spam"',
      expect.stringMatching(
        /^ {2}25 numbers · updated 1 min ago · next in \d+ (min|h) · every 12h · ETag "[0-9a-f]{16}"$/,
      ),
      `  ${ls.base}/spam.csv`,
    ]);
    expect(status.out).not.toContain('from-a-file');

    const removed = await cli(env, 'sources', 'remove', 'spam');
    expect(removed.out).toBe('removed source "spam"; its list "spam" stays (DELETE /api/v1/lists/1 removes it)');
  });

  it('exits non-zero when a sync fails, naming it', async () => {
    const dir = tempDir();
    const env = { CALLFILTER_DATA_DIR: dir };
    const ls = await startListServer();
    ls.publish('/good.csv', csvList(5));
    await cli(env, 'sources', 'add-url', 'good', `${ls.base}/good.csv`);
    await cli(env, 'sources', 'add-url', 'gone', `${ls.base}/gone.csv`);
    const all = await cli(env, 'sync');
    expect(all.code).toBe(1);
    expect(all.out).toContain('good: synced — 5 numbers (csv)');
    expect(all.out).toMatch(/^gone: FAILED — .*HTTP 404 — no such list$/m);
    expect(all.err).toBe('callfilter sync: 1 of 2 syncs did not succeed: gone');
    const status = await cli(env, 'sources');
    expect(status.out).toMatch(
      /gone {2}url → list "gone"\n {2}0 numbers · never synced · next in \d+ min · every 1d\n.*\n {2}last error \(1 in a row\): .*HTTP 404/,
    );
  });

  it.each([
    [['sync', 'nothing'], 1, 'callfilter sync: no source "nothing" ("callfilter sources" lists them)'],
    [['sync', '--accept'], 2, 'callfilter sync: --accept needs the name of the source whose answer to take'],
    [['sources', 'add-url', 'x'], 2, 'callfilter sources: a name and a URL are required'],
    [
      ['sources', 'add-url', 'x', 'file:///etc/passwd'],
      2,
      'callfilter sources: url: only http and https URLs can be fetched (got file:)',
    ],
    [
      ['sources', 'add-url', 'x', 'https://l.example/x', '--every', 'often'],
      2,
      'schedule/interval: "often" is not an interval (use 30m, 6h or 1d)',
    ],
    [['sources', 'frobnicate'], 2, 'unknown subcommand "frobnicate"'],
    [
      ['report', '030123456', '--rating', 'rude'],
      2,
      '--rating: one of missed, ping, poll, advertising, gamble, fraud is required',
    ],
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const r = await cli({ CALLFILTER_DATA_DIR: tempDir() }, ...argv);
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
  });
});

describe('callfilter report', () => {
  it('sends the rating to PhoneBlock at once when it can, and queues it when it cannot', async () => {
    const pb = await startFakePhoneblock();
    const env = {
      CALLFILTER_DATA_DIR: tempDir(),
      CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
      CALLFILTER_PHONEBLOCK_URL: pb.url,
    };
    const sent = await cli(
      env,
      'report',
      '030 1234567',
      '--rating',
      'advertising',
      '--comment',
      'solar panels, third time',
    );
    expect(sent).toMatchObject({ code: 0, out: 'reported 030 1234567 as advertising (E_ADVERTISING) to PhoneBlock' });
    expect(pb.rated).toEqual([{ phone: '+49301234567', rating: 'E_ADVERTISING', comment: 'solar panels, third time' }]);

    pb.reportStatus = 503;
    const queued = await cli(env, 'report', '0170 7654321', '--rating', 'ping');
    expect(queued).toMatchObject({
      code: 0,
      out: 'queued the report of 0170 7654321 as ping (C_PING) (not sent yet: PhoneBlock /rate answered 503); the service sends it',
    });
  });

  it('needs the API key', async () => {
    const r = await cli({ CALLFILTER_DATA_DIR: tempDir() }, 'report', '030 1234567', '--rating', 'fraud');
    expect(r).toMatchObject({
      code: 1,
      err: 'callfilter report: reporting to PhoneBlock needs its API key: set CALLFILTER_PHONEBLOCK_TOKEN (or add a PhoneBlock source)',
    });
  });
});

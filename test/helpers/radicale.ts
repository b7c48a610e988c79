/**
 * A real CardDAV server for the tests: Debian's Radicale (`apt-get install radicale`; .ci/run installs it), started
 * on 127.0.0.1 with a free port, a temporary storage folder and one htpasswd user, and stopped when the test
 * finishes. The test changes cards upstream over plain HTTP (MKCOL, PUT, DELETE), as a phone or Nextcloud would.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { tempDir } from './service.js';

/** Radicale starts in about a second; a loaded machine may take several. */
const START_TIMEOUT_MS = 20_000;
const RADICALE = process.env.RADICALE_BIN ?? 'radicale';

export interface Radicale {
  /** `http://127.0.0.1:<port>/`, what CALLFILTER_CARDDAV_URL would say. */
  url: string;
  username: string;
  password: string;
  /** Creates an address book `name` (its display name `displayName`) in the user's home. */
  addressBook(name: string, displayName?: string): Promise<string>;
  /** PUTs a card (`BEGIN:VCARD` … built from the fields) at `<book>/<uid>.vcf`. */
  putCard(book: string, uid: string, fields: { fn: string; tel: string[] }): Promise<void>;
  deleteCard(book: string, uid: string): Promise<void>;
}

export async function startRadicale(): Promise<Radicale> {
  const dir = tempDir('radicale-');
  const username = 'anna';
  const password = 'app-password-1';
  writeFileSync(join(dir, 'users'), `${username}:${password}\n`);
  writeFileSync(
    join(dir, 'config'),
    [
      '[server]',
      'hosts = 127.0.0.1:0',
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${join(dir, 'users')}`,
      'htpasswd_encryption = plain',
      'delay = 0',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${join(dir, 'collections')}`,
      '[logging]',
      'level = info',
      '',
    ].join('\n'),
  );
  const child = spawn(RADICALE, ['--config', join(dir, 'config')], { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`radicale did not start within ${START_TIMEOUT_MS} ms:\n${out}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /Listening on '?\[?127\.0\.0\.1\]?:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`radicale could not be started (${err.message}): apt-get install radicale`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`radicale exited with ${code}:\n${out}`));
    });
  });
  const url = `http://127.0.0.1:${port}/`;
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const send = async (method: string, path: string, body?: string, type = 'application/xml'): Promise<void> => {
    const res = await fetch(new URL(path, url), {
      method,
      headers: { authorization: auth, ...(body !== undefined && { 'content-type': type }) },
      ...(body !== undefined && { body }),
    });
    if (res.status >= 300) throw new Error(`radicale: ${method} ${path} → ${res.status} ${await res.text()}`);
  };
  return {
    url,
    username,
    password,
    async addressBook(name, displayName = name) {
      const path = `/${username}/${name}/`;
      await send(
        'MKCOL',
        path,
        '<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>' +
          `<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>${displayName}</D:displayname></D:prop></D:set></D:mkcol>`,
      );
      return path;
    },
    putCard: (book, uid, { fn, tel }) =>
      send(
        'PUT',
        `${book}${uid}.vcf`,
        [
          'BEGIN:VCARD',
          'VERSION:3.0',
          `UID:${uid}`,
          `FN:${fn}`,
          ...tel.map((t) => `TEL;TYPE=CELL:${t}`),
          'END:VCARD',
          '',
        ].join('\r\n'),
        'text/vcard',
      ),
    deleteCard: (book, uid) => send('DELETE', `${book}${uid}.vcf`),
  };
}

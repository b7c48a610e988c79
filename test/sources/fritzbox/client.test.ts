import { describe, expect, it } from 'vitest';
import type { NumberingConfig } from '../../../src/numbers/index.js';
import {
  boxNumber,
  FritzboxAuthError,
  FritzboxCertificateError,
  FritzboxClient,
  type FritzboxClientOptions,
  FritzboxError,
  FritzboxLockedError,
  FritzboxSoapError,
  type PhonebookFetch,
} from '../../../src/sources/fritzbox/index.js';
import { FakeFritzbox, type FakeFritzboxOptions } from '../../helpers/fake-fritzbox.js';
import { selfSignedCertificate } from '../../helpers/tls.js';

const numbering: NumberingConfig = { homeCountry: 'DE', homeAreaCode: '30', trunkRules: [] };

const BOOKS: FakeFritzboxOptions['books'] = [
  {
    name: 'Telefonbuch',
    contacts: [
      {
        realName: 'Böhm, Jürgen',
        category: 1,
        numbers: [
          { type: 'home', value: '030 12345670' },
          { type: 'mobile', value: '+491701234567' },
        ],
      },
      { realName: 'Hausverwaltung Müller & Söhne', numbers: [{ type: 'work', value: '08912345670' }] },
      { realName: 'Mobilteil Küche', numbers: [{ type: 'intern', value: '**610' }] },
    ],
  },
  { name: 'Familie', contacts: [{ realName: 'Oma Gisela', numbers: [{ type: 'home', value: '00493012345674' }] }] },
];

function client(fake: FakeFritzbox, overrides: Partial<FritzboxClientOptions> = {}): FritzboxClient {
  return new FritzboxClient({ url: fake.url, username: 'callfilter', password: 'box-secret', ...overrides });
}

function rows(fetch: PhonebookFetch): [string, string | undefined, string | undefined][] {
  if (!fetch.changed) throw new Error('expected a changed book');
  return fetch.result.rows.map((r) => [r.number, r.label, r.kind]);
}

describe('FritzboxClient over HTTP', () => {
  it('lists the phone books and reads each one from the URL the box returns', async () => {
    const fake = await FakeFritzbox.start({ books: BOOKS });
    const box = client(fake);
    const books = await box.phonebooks();
    expect(books.map(({ id, name }) => ({ id, name }))).toEqual([
      { id: 0, name: 'Telefonbuch' },
      { id: 1, name: 'Familie' },
    ]);
    // The box names itself fritz.box in these URLs; the client keeps to the configured address.
    expect(books[0]?.url).toMatch(/^http:\/\/fritz\.box:49000\/phonebook\.lua\?sid=[0-9a-f]+&pbid=0$/);
    const main = await box.fetchPhonebook(books[0]!, { numbering });
    expect(rows(main)).toEqual([
      ['+493012345670', 'Böhm, Jürgen', 'allow'],
      ['+491701234567', 'Böhm, Jürgen', 'allow'],
      ['+498912345670', 'Hausverwaltung Müller & Söhne', 'allow'],
    ]);
    expect(main.changed && main.result.rows.map((r) => r.vip ?? false)).toEqual([true, true, false]);
    expect(rows(await box.fetchPhonebook(books[1]!, { numbering }))).toEqual([
      ['+493012345674', 'Oma Gisela', 'allow'],
    ]);
    // One challenge for the whole conversation: the nonce is reused with a growing nc.
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(1);
    expect(fake.failedLogins).toBe(0);
  });

  it('skips a book that has not changed since its timestamp, and reads it again once it has', async () => {
    const fake = await FakeFritzbox.start({ books: BOOKS });
    const box = client(fake);
    const [book] = await box.phonebooks();
    const first = await box.fetchPhonebook(book!, { numbering });
    expect(first.changed && first.timestamp).toBe(String(fake.books[0]!.timestamp));
    const since = first.timestamp!;
    expect(await box.fetchPhonebook(book!, { numbering, since })).toEqual({ changed: false, timestamp: since });
    fake.addContact(0, { realName: 'Dr. Käthe Weiß', numbers: [{ type: 'work', value: '03012345672' }] });
    const again = await box.fetchPhonebook(book!, { numbering, since });
    expect(again.changed && again.timestamp).toBe(String(fake.books[0]!.timestamp));
    expect(rows(again).map(([n]) => n)).toContain('+493012345672');
  });

  it('refuses a wrong password with one failed login per call, and reports the lock (503) without retrying', async () => {
    const fake = await FakeFritzbox.start({ books: BOOKS, failuresBeforeLock: 3 });
    const wrong = client(fake, { password: 'guess' });
    for (let i = 1; i <= 3; i++) {
      const err = await wrong.listPhonebooks().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FritzboxAuthError);
      expect((err as Error).message).toContain('refused the login as "callfilter" (HTTP 401)');
      expect((err as Error).message).not.toContain('guess');
      expect(fake.failedLogins).toBe(i);
    }
    expect(fake.locked).toBe(true);
    const before = fake.requests.length;
    const right = client(fake);
    const locked = await right.listPhonebooks().catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(FritzboxLockedError);
    expect((locked as Error).message).toContain('HTTP 503');
    expect(fake.requests.length - before).toBe(1);
    fake.unlock();
    expect(await right.listPhonebooks()).toEqual([0, 1]);
  });

  it('reads, adds to and deletes from the call-barring list', async () => {
    const fake = await FakeFritzbox.start({
      barring: [{ realName: '0301112223', numbers: [{ type: 'home', value: '0301112223' }] }],
    });
    const box = client(fake);
    expect(rows(await box.fetchCallBarring({ numbering }))).toEqual([['+49301112223', undefined, 'block']]);
    const number = boxNumber('+4915112345678', numbering);
    expect(number).toBe('015112345678');
    const uid = await box.setCallBarringEntry(number, 'Gewinnspiel & Co <Robot>');
    expect(fake.barring.contacts.at(-1)).toMatchObject({
      realName: 'Gewinnspiel & Co <Robot>',
      numbers: [{ type: 'home', value: '015112345678' }],
      uniqueid: Number(uid),
    });
    expect(await box.callBarringEntryByNumber('015112345678')).toContain(
      '<realName>Gewinnspiel &amp; Co &lt;Robot&gt;</realName>',
    );
    expect(rows(await box.fetchCallBarring({ numbering }))).toEqual([
      ['+49301112223', undefined, 'block'],
      ['+4915112345678', 'Gewinnspiel & Co <Robot>', 'block'],
    ]);
    await box.deleteCallBarringEntry(uid);
    expect(await box.callBarringEntryByNumber('015112345678')).toBeUndefined();
    const gone = await box.deleteCallBarringEntry(uid).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(FritzboxSoapError);
    expect(gone).toMatchObject({ code: 714, description: 'No matching entry found' });
  });

  it('turns a UPnP error into FritzboxSoapError and an oversize answer into an error', async () => {
    const fake = await FakeFritzbox.start({ books: BOOKS });
    const err = await client(fake)
      .getPhonebook(7)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FritzboxSoapError);
    expect((err as Error).message).toBe('the FRITZ!Box refused GetPhonebook: UPnP error 713 (Invalid array index)');
    const small = await client(fake, { maxPhonebookBytes: 100 })
      .fetchPhonebook((await client(fake).getPhonebook(0)).url, { numbering })
      .catch((e: unknown) => e);
    expect(small).toBeInstanceOf(FritzboxError);
    expect((small as Error).message).toContain('larger than 100 bytes');
  });

  it('refuses a fingerprint for an http URL', () => {
    expect(
      () =>
        new FritzboxClient({
          url: 'http://fritz.box:49000',
          username: 'u',
          password: 'p',
          certSha256: 'AA'.repeat(32),
        }),
    ).toThrow(/needs an https URL/);
  });
});

describe('FritzboxClient over HTTPS with the certificate pinned', () => {
  const boxCert = selfSignedCertificate();
  const otherCert = selfSignedCertificate();

  it('trusts the first certificate it sees and tells its fingerprint', async () => {
    const fake = await FakeFritzbox.start({ books: BOOKS, tls: boxCert });
    const box = client(fake);
    expect(box.certificateSha256).toBeUndefined();
    const [book] = await box.phonebooks();
    expect(book?.url).toMatch(/^https:\/\/fritz\.box:49443\//);
    expect(rows(await box.fetchPhonebook(book!, { numbering }))).toHaveLength(3);
    expect(box.certificateSha256).toBe(boxCert.sha256);
  });

  it('accepts the pinned certificate in any spelling', async () => {
    const fake = await FakeFritzbox.start({ books: BOOKS, tls: boxCert });
    const pin = boxCert.sha256.replace(/:/g, '').toLowerCase();
    expect(await client(fake, { certSha256: pin }).listPhonebooks()).toEqual([0, 1]);
  });

  it('refuses a changed certificate before sending anything', async () => {
    const fake = await FakeFritzbox.start({ books: BOOKS, tls: otherCert });
    const err = await client(fake, { certSha256: boxCert.sha256 })
      .listPhonebooks()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FritzboxCertificateError);
    expect(err).toMatchObject({ expected: boxCert.sha256, actual: otherCert.sha256 });
    expect((err as Error).message).toContain('not the pinned');
    expect(fake.requests).toEqual([]);
  });

  it('keeps to the certificate it learned when the box later shows another', async () => {
    const first = await FakeFritzbox.start({ books: BOOKS, tls: boxCert });
    const box = new FritzboxClient({ url: first.url, username: 'callfilter', password: 'box-secret' });
    await box.listPhonebooks();
    const swapped = await FakeFritzbox.start({ books: BOOKS, tls: otherCert });
    const moved = new FritzboxClient({
      url: swapped.url,
      username: 'callfilter',
      password: 'box-secret',
      certSha256: box.certificateSha256!,
    });
    await expect(moved.listPhonebooks()).rejects.toBeInstanceOf(FritzboxCertificateError);
  });
});

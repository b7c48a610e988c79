/**
 * POST /api/v1/import: which kind each format's numbers get, for every `kind` the request may carry. Contacts are
 * contacts: nothing from an address book becomes a block entry unless the person declares the file a blocklist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

const PLAIN_JSON = JSON.stringify([{ number: '+4930111222', label: 'Robot' }, '030 2223334']);

interface Case {
  format: string;
  body: Buffer | string;
  type: string;
}

const FILES: Record<string, Case> = {
  csv: { format: 'csv', body: fixture('blocklist-semicolon.csv'), type: 'text/csv' },
  vcard: { format: 'vcard', body: fixture('contacts.vcf'), type: 'text/vcard' },
  'fritzbox phone book': { format: 'fritzbox', body: fixture('fritzbox-phonebook.xml'), type: 'application/xml' },
  'fritzbox call-barring list': {
    format: 'fritzbox',
    body: fixture('fritzbox-call-barring.xml'),
    type: 'application/xml',
  },
  phoneblock: { format: 'phoneblock', body: fixture('phoneblock-blocklist.json'), type: 'application/json' },
  'plain json': { format: 'json', body: PLAIN_JSON, type: 'application/json' },
};

type Kind = 'none' | 'allow' | 'block';
/** What each file gives for each kind: the entries' kind, or the refusal's message. */
const EXPECTED: [string, Kind, 'allow' | 'block' | RegExp][] = [
  ['csv', 'none', /^querystring\/kind: a CSV import needs a kind, allow or block/],
  ['csv', 'allow', 'allow'],
  ['csv', 'block', 'block'],
  ['vcard', 'none', 'allow'],
  ['vcard', 'allow', 'allow'],
  [
    'vcard',
    'block',
    /^querystring\/kind: a vCard holds contacts, and contacts are allowed: it cannot be imported as block entries \(leave kind out\)$/,
  ],
  ['fritzbox phone book', 'none', 'allow'],
  ['fritzbox phone book', 'allow', 'allow'],
  ['fritzbox phone book', 'block', 'block'],
  [
    'fritzbox call-barring list',
    'none',
    /^querystring\/kind: this file is the FRITZ!Box call-barring list \(phonebook owner 258\), whose numbers the box blocks: to block them here too, declare it so \(kind=block\)$/,
  ],
  ['fritzbox call-barring list', 'allow', /^querystring\/kind: this file is the FRITZ!Box call-barring list/],
  ['fritzbox call-barring list', 'block', 'block'],
  ['phoneblock', 'none', 'block'],
  [
    'phoneblock',
    'allow',
    /^querystring\/kind: a PhoneBlock blocklist holds reported spam numbers: it cannot be imported as allow entries \(leave kind out\)$/,
  ],
  ['phoneblock', 'block', 'block'],
  ['plain json', 'none', /^querystring\/kind: a JSON list needs a kind, allow or block/],
  ['plain json', 'allow', 'allow'],
  ['plain json', 'block', 'block'],
];

describe('POST /api/v1/import: the kind of each format', () => {
  it.each(EXPECTED)('%s with kind %s gives %s', async (file, kind, expected) => {
    const api = await startApi(HOME);
    const { body, type, format } = FILES[file] as Case;
    const res = await api.upload<{ format?: string; added?: number; message?: string }>(
      `/api/v1/import${kind === 'none' ? '' : `?kind=${kind}`}`,
      body,
      type,
    );
    const entries = (await api.ctx.store.entries.list({ limit: 1000 })).items;
    if (expected instanceof RegExp) {
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(expected);
      expect(entries).toEqual([]);
      expect((await api.ctx.store.contacts.list()).items).toEqual([]);
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body.format).toBe(format);
    expect(res.body.added).toBeGreaterThan(0);
    expect(entries).toHaveLength(res.body.added as number);
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set([expected]));
    // A contact is created only for numbers that are allowed.
    if (expected === 'block') expect((await api.ctx.store.contacts.list()).items).toEqual([]);
  });
});

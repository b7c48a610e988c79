/**
 * The realistic database, written through the store's own code (openStore, entries.bulkInsert, contacts,
 * lists.replaceEntries, calls.insert), cached in bench/results/ keyed by schema and dataset version and size, and
 * copied to a temp folder per run so the runs never change the cached file.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { classifyCaller, type NumberingConfig } from '../src/numbers/index.js';
import { latestVersion, type NewCall, type NewEntry, openStore, type Store } from '../src/store/index.js';
import { loadMigrations } from '../src/store/migrate.js';
import { type Category, createCallerMix } from './caller-mix.js';
import {
  blockedLabel,
  blockedNumber,
  blockedPrefix,
  contactName,
  contactNumbers,
  DATASET_VERSION,
  type DatasetSize,
  DID,
  HOME_AREA_CODE,
  HOME_COUNTRY,
  prng,
  SPAM_LIST_NAME,
  SPAM_THRESHOLD,
  spamLabel,
  spamNumber,
  spamScore,
} from './dataset.js';
import { removeOnExit } from './processes.js';

/** Rows per bulkInsert transaction while building: big, the database is private until it is renamed into place. */
const BUILD_BATCH = 250_000;
/** Page cache for the build connection only (the service keeps its own 16 MiB). */
const BUILD_CACHE_KIB = 512 * 1024;
const DAY = 86_400_000;

export interface BuiltDatabase {
  /** The cached, never-modified file. */
  cached: string;
  fromCache: boolean;
  buildMs: number;
  bytes: number;
  size: DatasetSize;
  schemaVersion: number;
}

/**
 * The migrations' own text, hashed: two builds with the same schema version but different migrations (an A/B
 * against a commit from before they were renumbered) must not share a cached database.
 */
function schemaHash(): string {
  const hash = createHash('sha256');
  for (const m of loadMigrations()) hash.update(readFileSync(m.file));
  return hash.digest('hex').slice(0, 8);
}

export function cacheFile(resultsDir: string, size: DatasetSize): string {
  const key = `s${latestVersion()}-${schemaHash()}-d${DATASET_VERSION}-${size.exact}-${size.prefixes}-${size.contacts}-${size.spam}-${size.callLog}`;
  return join(resultsDir, `bench-db-${key}.sqlite`);
}

/** Returns the cached database, building it first when there is none for this schema, dataset and size. */
export async function ensureDatabase(
  resultsDir: string,
  size: DatasetSize,
  log: (line: string) => void,
): Promise<BuiltDatabase> {
  const file = cacheFile(resultsDir, size);
  const schemaVersion = latestVersion();
  if (existsSync(file))
    return { cached: file, fromCache: true, buildMs: 0, bytes: statSync(file).size, size, schemaVersion };
  mkdirSync(resultsDir, { recursive: true });
  const partial = `${file}.building`;
  removeDatabase(partial);
  log(`building the benchmark database (${size.exact.toLocaleString('en')} exact entries, …) → ${file}`);
  const started = performance.now();
  const store = openStore(partial);
  try {
    store.db.pragma(`cache_size = -${BUILD_CACHE_KIB}`);
    store.db.pragma('synchronous = OFF'); // a crash while building only loses a file we would rebuild anyway
    const phase = async (name: string, fn: () => unknown) => {
      const t = performance.now();
      await fn();
      log(`  ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    };
    await phase(`${size.contacts.toLocaleString('en')} contacts`, () => fillContacts(store, size));
    await phase(`${size.exact.toLocaleString('en')} exact + ${size.prefixes.toLocaleString('en')} prefix entries`, () =>
      fillEntries(store, size),
    );
    await phase(`spam list of ${size.spam.toLocaleString('en')}`, () => fillSpamList(store, size));
    await phase(`${size.callLog.toLocaleString('en')} call-log rows`, () => fillCallLog(store, size));
    await phase('checkpoint', () => store.db.pragma('wal_checkpoint(TRUNCATE)'));
  } finally {
    store.db.close();
  }
  renameSync(partial, file);
  removeDatabase(partial);
  const buildMs = performance.now() - started;
  log(`built in ${(buildMs / 1000).toFixed(1)} s`);
  return { cached: file, fromCache: false, buildMs, bytes: statSync(file).size, size, schemaVersion };
}

/** A private data dir holding a copy of the cached database as `callfilter.db` (what CALLFILTER_DATA_DIR expects). */
export function copyToTempDataDir(cached: string): { dataDir: string; dbFile: string } {
  const dataDir = removeOnExit(mkdtempSync(join(tmpdir(), 'callfilter-bench-')));
  const dbFile = join(dataDir, 'callfilter.db');
  copyFileSync(cached, dbFile);
  return { dataDir, dbFile };
}

function removeDatabase(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}

async function fillContacts(store: Store, size: DatasetSize): Promise<void> {
  await store.contacts.createManyWithNumbers(
    Array.from({ length: size.contacts }, (_, c) => ({
      contact: { name: contactName(c), source: 'vcard', externalId: `bench-${c}` },
      numbers: contactNumbers(c).map((number) => ({ number })),
    })),
  );
}

async function fillEntries(store: Store, size: DatasetSize): Promise<void> {
  // Sorted, so the unique index grows at its end instead of at random pages: seconds instead of minutes.
  const order = Array.from({ length: size.exact }, (_, i) => i);
  const numbers = order.map(blockedNumber);
  order.sort((a, b) => ((numbers[a] as string) < (numbers[b] as string) ? -1 : 1));
  for (let from = 0; from < order.length; from += BUILD_BATCH) {
    const rows: NewEntry[] = [];
    for (const i of order.slice(from, from + BUILD_BATCH)) {
      const row: NewEntry = { number: numbers[i] as string, kind: 'block', source: 'csv' };
      const label = blockedLabel(i);
      if (label) row.label = label;
      rows.push(row);
    }
    await store.entries.bulkInsert(rows);
  }
  const prefixes: NewEntry[] = [];
  for (let k = 0; k < size.prefixes; k++)
    prefixes.push({ number: blockedPrefix(k), prefix: true, kind: 'block', label: 'Callcenter', source: 'manual' });
  await store.entries.bulkInsert(prefixes);
}

async function fillSpamList(store: Store, size: DatasetSize): Promise<void> {
  const list = await store.lists.create({
    name: SPAM_LIST_NAME,
    threshold: SPAM_THRESHOLD,
    label: 'Spam',
    sourceUrl: 'https://phoneblock.net/',
  });
  const rows = Array.from({ length: size.spam }, (_, s) => {
    const label = spamLabel(s);
    return { number: spamNumber(s), score: spamScore(s), ...(label && { label }) };
  });
  await store.lists.replaceEntries(list.id, rows, { batchSize: 50_000 });
}

/** What the service would have logged for a caller of this category (close enough for history). */
const HISTORY: Record<Category, Pick<NewCall, 'action' | 'reason' | 'callerKind'>> = {
  contact: { action: 'connect', reason: 'contact', callerKind: 'number' },
  unknown: { action: 'voicemail', reason: 'unknown', callerKind: 'number' },
  'blocked-exact': { action: 'hangup', reason: 'blocklist', callerKind: 'number' },
  'blocked-prefix': { action: 'hangup', reason: 'blocklist', callerKind: 'number' },
  'spam-list': { action: 'announce', reason: 'spam-list', callerKind: 'number' },
  withheld: { action: 'voicemail', reason: 'anonymous', callerKind: 'withheld' },
  foreign: { action: 'voicemail', reason: 'foreign', callerKind: 'number' },
  repeat: { action: 'voicemail', reason: 'unknown', callerKind: 'number' },
  implausible: { action: 'voicemail', reason: 'implausible', callerKind: 'number' },
};

/** 100,000 calls over the last 30 days (ending an hour ago, so none counts as a repeat call during the run). */
async function fillCallLog(store: Store, size: DatasetSize): Promise<void> {
  const next = createCallerMix(0x5eed, size);
  const rng = prng(0xca11);
  const end = Date.now() - 3_600_000;
  const numbering: NumberingConfig = { homeCountry: HOME_COUNTRY, homeAreaCode: HOME_AREA_CODE, trunkRules: [] };
  const times = Array.from({ length: size.callLog }, () => end - Math.floor(rng() * 30 * DAY)).sort((a, b) => a - b);
  await store.calls.insertMany(
    times.map((at, n): NewCall => {
      const call = next();
      const h = HISTORY[call.category];
      const caller = classifyCaller(call.callerid, { presentation: call.callingpres }, numbering);
      return {
        at,
        callerRaw: call.callerid,
        ...(caller.kind === 'number' && { caller: caller.e164, country: caller.country }),
        callerKind: h.callerKind,
        presentation: call.callingpres,
        did: DID,
        action: h.action,
        reason: h.reason,
        ...(h.action === 'hangup' && { cause: 21 }),
        profile: 'default',
        uniqueId: `1690000000.${n}`,
        channel: `PJSIP/trunk-${n.toString(16).padStart(8, '0')}`,
        latencyUs: 60 + Math.floor(rng() * 80),
        explanation: `history (${call.category})`,
      };
    }),
  );
}

import { describe, expect, it, onTestFinished } from 'vitest';
import type { Profile } from '../../src/policy/types.js';
import { RECENT_SQL } from '../../src/store/call-rows.js';
import { localDays } from '../../src/store/call-stats.js';
import type { CallsRepository } from '../../src/store/calls-repository.js';
import type { NewCall } from '../../src/store/index.js';
import { createPostgresCallsRepository } from '../../src/store/pg/calls-repository.js';
import { postgresPool } from '../../src/store/pg/pool.js';
import { callsEngines } from './calls-engines.js';
import { usePostgresDatabase } from './engines.js';
import { queryPlan, tempStore } from './helpers.js';

const postgres = usePostgresDatabase('calls');

const MIN = 60_000;
const DAY = 86_400_000;
/** Wednesday 15 Jan 2025, 12:00 in Berlin (UTC+1). */
const NOW = Date.UTC(2025, 0, 15, 11, 0);

function call(overrides: Partial<NewCall> = {}): NewCall {
  return {
    at: NOW,
    callerRaw: '030123456',
    caller: '+4930123456',
    callerKind: 'number',
    action: 'voicemail',
    reason: 'unknown',
    ...overrides,
  };
}

async function seed(calls: CallsRepository): Promise<void> {
  const rows: Partial<NewCall>[] = [
    { at: NOW - 3 * DAY, action: 'hangup', reason: 'blocklist', caller: '+4930111', label: 'Umfrage' },
    { at: NOW - 2 * DAY, action: 'hangup', reason: 'blocklist', caller: '+4930111', label: 'Umfrage Nord' },
    { at: NOW - 2 * DAY + MIN, action: 'announce', reason: 'spam-list', caller: '+4930222', listId: 1, listEntryId: 9 },
    { at: NOW - DAY, action: 'connect', reason: 'contact', caller: '+4930333', label: 'Oma', entryId: 4 },
    {
      at: NOW - 10 * MIN,
      action: 'voicemail',
      reason: 'anonymous',
      callerRaw: 'anonymous',
      caller: undefined,
      callerKind: 'withheld',
    },
    { at: NOW - 4 * MIN, action: 'voicemail', reason: 'unknown', caller: '+4930444', did: '+4930999' },
    { at: NOW - MIN, action: 'connect', reason: 'repeat-caller', caller: '+4930444', did: '+4930999' },
    { at: NOW, action: 'hangup', reason: 'blocklist', caller: '+4930111' },
  ];
  for (const row of rows) await calls.insert(call(row));
}

describe.each(callsEngines(postgres))('calls on %s', (_, open) => {
  it('insert returns the id; get returns the row as logged, absent fields left out', async () => {
    const { calls } = await open();
    const logged: NewCall = {
      at: NOW,
      callerRaw: '+49 30 123456',
      callerNameRaw: 'ACME',
      caller: '+4930123456',
      callerKind: 'number',
      presentation: 0,
      did: '+4930999',
      country: 'DE',
      action: 'connect',
      reason: 'monitor',
      label: 'ACME',
      entryId: 3,
      profile: 'default',
      uniqueId: '1736938800.42',
      channel: 'PJSIP/sipgate-00000001',
      latencyUs: 812,
      explanation: 'Monitor mode: would have hung up (blocklist).',
      wouldHaveAction: 'hangup',
      wouldHaveReason: 'blocklist',
    };
    const id = await calls.insert(logged);
    expect(id).toBeGreaterThan(0);
    expect(await calls.get(id)).toEqual({ id, ...logged });
    const withheld = await calls.insert(
      call({ callerRaw: 'anonymous', caller: undefined, callerKind: 'withheld', presentation: 32 }),
    );
    expect(await calls.get(withheld)).toEqual({
      id: withheld,
      at: NOW,
      callerRaw: 'anonymous',
      callerKind: 'withheld',
      presentation: 32,
      action: 'voicemail',
      reason: 'unknown',
    });
    expect(await calls.count()).toBe(2);
  });

  it('getMany() gives the rows of the ids that exist, in id order, as get() does; after() pages by id', async () => {
    const { calls } = await open();
    await seed(calls);
    expect((await calls.getMany([5, 2, 99, 3])).map((c) => c.id)).toEqual([2, 3, 5]);
    expect(await calls.getMany([4])).toEqual([await calls.get(4)]);
    expect(await calls.getMany([])).toEqual([]);
    // after(): the calls logged after an id, oldest first, a page at a time
    expect((await calls.after(5, 2)).map((c) => c.id)).toEqual([6, 7]);
    expect((await calls.after(7, 10)).map((c) => c.id)).toEqual([8]);
    expect(await calls.after(8, 10)).toEqual([]);
  });

  it('recent() gives the calls of one number since a time, newest first', async () => {
    const { calls } = await open();
    await seed(calls);
    expect(await calls.recent('+4930444', NOW - 5 * MIN)).toEqual([
      { at: NOW - MIN, action: 'connect', reason: 'repeat-caller' },
      { at: NOW - 4 * MIN, action: 'voicemail', reason: 'unknown' },
    ]);
    expect((await calls.recent('+4930111', NOW - 5 * DAY, 2)).map((c) => c.at)).toEqual([NOW, NOW - 2 * DAY]);
    expect(await calls.recent('+4930555', 0)).toEqual([]);
  });

  it('recent() as screening reads it (no limit given): the ten newest, a tie newest id first, `since` included', async () => {
    const { calls } = await open();
    for (let i = 0; i < 12; i++) await calls.insert(call({ at: NOW - i * MIN, reason: 'unknown', label: `#${i}` }));
    const tie = await calls.insert(call({ at: NOW - 2 * MIN, action: 'connect', reason: 'repeat-caller' }));
    await calls.insert(call({ at: NOW, caller: '+4930999' }));
    const recent = await calls.recent('+4930123456', NOW - 11 * MIN);
    expect(recent.map((c) => (c.at - NOW) / MIN)).toEqual([0, -1, -2, -2, -3, -4, -5, -6, -7, -8]);
    expect(recent[2]).toEqual({ at: NOW - 2 * MIN, action: 'connect', reason: 'repeat-caller' });
    expect(tie).toBe(13);
    expect((await calls.recent('+4930123456', NOW - 11 * MIN, 20)).at(-1)?.at).toBe(NOW - 11 * MIN);
  });

  it('log() writes the row and gives its id once committed; a row that cannot be written fails as a StoreError', async () => {
    const { calls } = await open();
    const queued = [1, 2, 3].map((n) => calls.log(call({ at: NOW + n, callerRaw: `${n}` })));
    const ids = (await Promise.all(queued.map((q) => q.committed()))) as number[];
    expect(ids.every(Number.isInteger) && new Set(ids).size).toBe(3);
    // Each is told its own row's id (on PostgreSQL the three go out on three connections: ids in any order).
    expect(await Promise.all(ids.map(async (id) => (await calls.get(id))?.callerRaw))).toEqual(['1', '2', '3']);
    const broken = calls.log({ ...call(), callerKind: undefined } as unknown as NewCall);
    await new Promise((resolve) => setTimeout(resolve, 20)); // failed meanwhile, before anybody asked
    await expect(broken.committed()).rejects.toMatchObject({ name: 'StoreError', code: 'invalid' });
    expect(await calls.count()).toBe(3);
  });

  it('list() filters by action, reason, number, did and time, newest first', async () => {
    const { calls } = await open();
    await seed(calls);
    const ats = async (q: Parameters<CallsRepository['list']>[0]) =>
      (await calls.list(q)).items.map((c) => (c.at - NOW) / MIN);
    expect(await ats({ action: 'hangup' })).toEqual([0, -2 * 1440, -3 * 1440]);
    expect(await ats({ reason: 'blocklist', from: NOW - 2 * DAY, to: NOW })).toEqual([-2 * 1440]);
    expect(await ats({ number: '+4930444' })).toEqual([-1, -4]);
    expect(await ats({ did: '+4930999', action: 'connect' })).toEqual([-1]);
    expect((await calls.list({ reason: 'anonymous' })).items[0]).toMatchObject({
      callerKind: 'withheld',
      callerRaw: 'anonymous',
    });
    expect((await calls.list({ reason: 'anonymous' })).items[0]).not.toHaveProperty('caller');
  });

  it('list() pages by cursor without gaps or repeats, also across calls logged out of time order', async () => {
    const { calls } = await open();
    await seed(calls);
    await calls.insert(call({ at: NOW - 3 * DAY })); // a late write with an old time
    await calls.insert(call({ at: NOW - 3 * DAY })); // and a tie
    const all = (await calls.list({ limit: 1000 })).items;
    const paged = [];
    let cursor: number | undefined;
    do {
      const page = await calls.list({ limit: 3, ...(cursor !== undefined && { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(paged).toEqual(all);
    expect(all).toHaveLength(10);
    expect(all.map((c) => c.at)).toEqual([...all.map((c) => c.at)].sort((a, b) => b - a));
    expect((await calls.list({ action: 'hangup', limit: 2 })).nextCursor).toBeDefined();
    expect((await calls.list({ cursor: 99_999 })).items).toEqual([]);
  });

  it('statsByDay counts per local day, zero days included', async () => {
    const { calls } = await open();
    await seed(calls);
    const stats = await calls.statsByDay(5, NOW, 'Europe/Berlin');
    expect(stats.map((d) => [d.day, d.total])).toEqual([
      ['2025-01-11', 0],
      ['2025-01-12', 1],
      ['2025-01-13', 2],
      ['2025-01-14', 1],
      ['2025-01-15', 4],
    ]);
    expect(stats[4]).toMatchObject({
      from: Date.UTC(2025, 0, 14, 23, 0),
      byAction: { connect: 1, voicemail: 2, hangup: 1, announce: 0 },
      byReason: { 'repeat-caller': 1, unknown: 1, anonymous: 1, blocklist: 1 },
    });
  });

  it('topBlocked ranks the callers turned away most often', async () => {
    const { calls } = await open();
    await seed(calls);
    expect(await calls.topBlocked(7, NOW, 5)).toEqual([
      { caller: '+4930111', calls: 3, lastAt: NOW, reason: 'blocklist' },
      { caller: '+4930222', calls: 1, lastAt: NOW - 2 * DAY + MIN, reason: 'spam-list' },
    ]);
    expect((await calls.topBlocked(1, NOW, 5)).map((t) => t.caller)).toEqual(['+4930111']);
  });
});

describe('calls on SQLite', () => {
  it('recent() reads the caller index, no table scan', () => {
    const { store } = tempStore();
    const plan = queryPlan(store, RECENT_SQL, ['+4930444', 0, 10]);
    expect(plan.join('\n')).toMatch(/SEARCH calls USING INDEX calls_caller \(caller=\? AND at>\?\)/);
  });
});

describe('calls on PostgreSQL', () => {
  it('two nodes logging at once: every row is there, each with its own id, told to the call that logged it', async () => {
    const pool = await postgres.fresh();
    const other = postgresPool((pool.options as { connectionString: string }).connectionString);
    onTestFinished(() => other.end());
    const nodes = [createPostgresCallsRepository(pool), createPostgresCallsRepository(other)];
    const PER_NODE = 200;
    const logged = nodes.flatMap((calls, node) =>
      Array.from({ length: PER_NODE }, (_, i) => {
        const callerRaw = `${node}-${i}`;
        return { callerRaw, row: calls.log(call({ at: NOW + i, callerRaw, caller: `+49301${node}${i}` })) };
      }),
    );
    const ids = (await Promise.all(logged.map(({ row }) => row.committed()))) as number[];
    expect(ids.every(Number.isInteger) && new Set(ids).size).toBe(2 * PER_NODE);
    const [calls] = nodes as [CallsRepository];
    expect(await calls.count()).toBe(2 * PER_NODE);
    const byId = new Map((await calls.getMany(ids)).map((c) => [c.id, c.callerRaw]));
    expect(ids.map((id) => byId.get(id))).toEqual(logged.map((l) => l.callerRaw));
  });
});

describe('local days', () => {
  it('localDays finds local midnight across a DST change', () => {
    // Europe/Berlin switched to summer time on 30 Mar 2025 at 02:00.
    const days = localDays(Date.UTC(2025, 2, 31, 10), 3, 'Europe/Berlin');
    expect(days.map((d) => [d.day, new Date(d.from).toISOString(), (d.to - d.from) / 3_600_000])).toEqual([
      ['2025-03-29', '2025-03-28T23:00:00.000Z', 24],
      ['2025-03-30', '2025-03-29T23:00:00.000Z', 23],
      ['2025-03-31', '2025-03-30T22:00:00.000Z', 24],
    ]);
  });
});

function defaultProfile(): Profile {
  const voicemail = { action: 'voicemail' } as const;
  return {
    name: 'default',
    dids: [],
    actions: {
      internal: { action: 'connect' },
      allow: { action: 'connect' },
      block: { action: 'hangup', cause: 21 },
      list: { action: 'announce', announcement: 'callfilter/no-ads' },
      withheld: voicemail,
      implausible: voicemail,
      foreign: voicemail,
      unknown: voicemail,
    },
    repeatCaller: { enabled: true, windowMinutes: 5, minCalls: 1 },
    schedules: [],
  };
}

describe('profiles', () => {
  it('upsert, get, list, remove — schedules travel inside the JSON', async () => {
    const { store, reopen } = tempStore();
    const office: Profile = {
      ...defaultProfile(),
      name: 'office',
      dids: ['+4930999'],
      schedules: [
        {
          name: 'office hours',
          days: [1, 2, 3, 4, 5],
          from: '08:00',
          to: '17:00',
          actions: { unknown: { action: 'connect' } },
        },
      ],
    };
    expect(await store.profiles.upsert(office)).toEqual(office);
    expect(await store.profiles.get('office')).toEqual(office);
    await store.profiles.upsert({ ...office, dids: ['+4930998'] });
    await store.profiles.upsert({ ...defaultProfile(), name: 'default' });
    expect((await store.profiles.list()).map((p) => [p.name, p.dids])).toEqual([
      ['default', []],
      ['office', ['+4930998']],
    ]);
    store.db.close();
    const again = reopen();
    expect((await again.profiles.get('office'))?.schedules[0]?.name).toBe('office hours');
    expect(await again.profiles.remove('office')).toBe(true);
    expect(await again.profiles.get('office')).toBeUndefined();
  });
});

/**
 * Peer A: the call filter as a Node user would write it with `ding-dong` (the README's pattern: a handler that waits
 * for the 'variables' event and chains promises), with the same lookups as our service — libphonenumber-js for the
 * number, better-sqlite3 on the same database file and tables: personal entries (exact and prefix, longest wins),
 * the spam list's active version, recent calls for the repeat-caller rule — and the same call-log row and variables.
 *
 * Usage: node dist/bench/peers/ding-dong-peer.js <port> <database file>
 */
import Database from 'better-sqlite3';
import AGIServer, { type Context } from 'ding-dong';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

const [port = '4573', file = 'callfilter.db'] = process.argv.slice(2);

const db = new Database(file, { timeout: 250 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL'); // as our service: a committed call survives a process crash

// `number IN (every leading part)`: one index probe per part, as the service does.
const findEntry = db.prepare(
  `SELECT id, kind, label, contact_id FROM entries
   WHERE number IN (SELECT value FROM json_each(?)) AND (is_prefix = 1 OR number = ?) AND (expires_at IS NULL OR expires_at > ?)
   ORDER BY is_prefix, length(number) DESC, kind LIMIT 1`,
);
const findSpam = db.prepare(
  `SELECT le.id, l.id AS list_id, coalesce(le.label, l.label, l.name) AS label FROM list_entries le JOIN lists l ON l.id = le.list_id
   WHERE le.number IN (SELECT value FROM json_each(?)) AND (le.is_prefix = 1 OR le.number = ?)
     AND le.version = l.active_version AND l.enabled = 1 AND le.score >= l.threshold
   ORDER BY le.is_prefix, length(le.number) DESC, le.score DESC LIMIT 1`,
);
const countRecent = db.prepare('SELECT count(*) AS n FROM calls WHERE caller = ? AND at >= ?').pluck();
const logCall = db.prepare(
  `INSERT INTO calls (at, caller_raw, caller, caller_kind, presentation, did, country, action, reason, cause, label, entry_id, list_id, list_entry_id, profile, unique_id, channel, latency_us)
   VALUES (@at, @caller_raw, @caller, @caller_kind, @presentation, @did, @country, @action, @reason, @cause, @label, @entry_id, @list_id, @list_entry_id, 'default', @unique_id, @channel, @latency_us)`,
);

interface Decision {
  action: string;
  reason: string;
  label?: string | undefined;
  cause?: string;
  announcement?: string;
  entryId?: number;
  listId?: number;
  listEntryId?: number;
}

const WITHHELD = /^(|unknown|anonymous|restricted|private|unavailable|withheld)$/i;

function decide(vars: Record<string, string>): { decision: Decision; caller?: string; country?: string; kind: string } {
  const raw = vars.agi_callerid ?? '';
  const pres = Number(vars.agi_callingpres ?? 0);
  if ((pres & 0x60) !== 0 || WITHHELD.test(raw) || !/\d/.test(raw))
    return { kind: 'withheld', decision: { action: 'voicemail', reason: 'anonymous' } };
  if (raw.startsWith('*')) return { kind: 'internal', decision: { action: 'connect', reason: 'internal' } };
  let text = raw.replace(/[\s\-./()]/g, '');
  if (/^[1-9]\d{0,7}$/.test(text)) text = `030${text}`; // a local number without the area code
  const pn = parsePhoneNumberFromString(text, 'DE');
  const e164 = pn?.number ?? `+${text.replace(/\D/g, '')}`;
  const country = pn?.country;
  const prefixes = JSON.stringify(Array.from({ length: e164.length - 1 }, (_, i) => e164.slice(0, i + 2)));
  const now = Date.now();
  const out = (decision: Decision) => ({ kind: 'number', caller: e164, ...(country && { country }), decision });

  const entry = findEntry.get(prefixes, e164, now) as
    | { id: number; kind: string; label: string | null; contact_id: number | null }
    | undefined;
  if (entry?.kind === 'allow')
    return out({
      action: 'connect',
      reason: entry.contact_id ? 'contact' : 'allowlist',
      label: entry.label ?? undefined,
      entryId: entry.id,
    });
  if (entry)
    return out({
      action: 'hangup',
      reason: 'blocklist',
      cause: '21',
      label: entry.label ?? undefined,
      entryId: entry.id,
    });
  const spam = findSpam.get(prefixes, e164) as { id: number; list_id: number; label: string } | undefined;
  if (spam) {
    return out({
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: `SPAM: ${spam.label}`,
      listId: spam.list_id,
      listEntryId: spam.id,
    });
  }
  const reason = !pn?.isValid() ? 'implausible' : country !== 'DE' ? 'foreign' : 'unknown';
  if ((countRecent.get(e164, now - 5 * 60_000) as number) > 0)
    return out({ action: 'connect', reason: 'repeat-caller' });
  return out({ action: 'voicemail', reason });
}

const handler = (context: Context): void => {
  // Not in the README, but without it a connection reset would crash the whole server.
  context.on('error', () => {});
  const started = process.hrtime.bigint();
  context
    .onEvent('variables')
    .then((vars) => {
      const { decision: d, caller, country, kind } = decide(vars);
      const info = logCall.run({
        at: Date.now(),
        caller_raw: vars.agi_callerid ?? '',
        caller: caller ?? null,
        caller_kind: kind,
        presentation: Number(vars.agi_callingpres ?? 0),
        did: vars.agi_arg_1 ?? null,
        country: country ?? null,
        action: d.action,
        reason: d.reason,
        cause: d.cause ?? null,
        label: d.label ?? null,
        entry_id: d.entryId ?? null,
        list_id: d.listId ?? null,
        list_entry_id: d.listEntryId ?? null,
        unique_id: vars.agi_uniqueid ?? null,
        channel: vars.agi_channel ?? null,
        latency_us: Number((process.hrtime.bigint() - started) / 1000n),
      });
      const vars_: [string, string][] = [['CALLFILTER_REASON', d.reason]];
      if (d.label) vars_.push(['CALLFILTER_LABEL', d.label]);
      vars_.push(['CALLFILTER_CALL_ID', String(info.lastInsertRowid)]);
      if (d.cause) vars_.push(['CALLFILTER_CAUSE', d.cause]);
      if (d.announcement) vars_.push(['CALLFILTER_ANNOUNCEMENT', d.announcement]);
      if (d.label) vars_.push(['CALLERID(name)', d.label]);
      vars_.push(['CALLFILTER_ACTION', d.action]);
      return vars_.reduce(
        (chain, [name, value]) => chain.then(() => context.setVariable(name, value)),
        Promise.resolve() as Promise<unknown>,
      );
    })
    .then(() => context.end())
    .catch((err: unknown) => {
      console.error(err);
      return context.end();
    });
};

const agi = new AGIServer(handler);
agi.start(Number(port), '127.0.0.1');
process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});

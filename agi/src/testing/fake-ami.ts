/**
 * A fake Asterisk manager interface for tests: it listens on TCP and answers like main/manager.c of Asterisk 22 —
 * the `Asterisk Call Manager/<version>` banner, Login (a wrong secret is refused after a pause and the connection
 * closed, as action_login() does), Ping, Logoff, `Permission denied` before login, and events (`Event: Cdr` with
 * cdr_manager.c's fields) to logged-in sessions whose read permission and event mask allow them. It can drop every
 * connection (an Asterisk restart), refuse new ones for a while, and stop answering (a half-open connection).
 *
 * Not for production use; exported as `asterisk-agi/testing/ami`. Deliberately independent of the client's parser,
 * so a mistake there does not cancel out here.
 */
import net, { type AddressInfo } from 'node:net';
import { CDR_FIELDS, type CdrField } from '../ami/cdr.js';

export interface FakeAmiUser {
  secret: string;
  /** manager.conf's `read =` classes; default `['all']`. */
  read?: string[];
}

export interface FakeAmiOptions {
  /** manager.conf users; default `{ callfilter: { secret: 'secret', read: ['cdr'] } }`. */
  users?: Record<string, FakeAmiUser>;
  /** AMI_VERSION in the banner. */
  version?: string;
  /** action_login() sleeps 1 s before it answers a refused login. */
  loginFailDelayMs?: number;
  /** Port to listen on; default a free one. */
  port?: number;
}

export interface FakeAmiLogin {
  username: string;
  accepted: boolean;
  events: string | undefined;
}

/** The event classes of include/asterisk/manager.h that tests need, by their manager.conf names. */
const CLASSES = [
  'system',
  'call',
  'log',
  'verbose',
  'command',
  'agent',
  'user',
  'config',
  'dtmf',
  'reporting',
  'cdr',
  'dialplan',
  'originate',
  'agi',
];
/** get_input(): a line must end within sizeof(inbuf) - 1 bytes. */
const MAX_INPUT_LINE = 1024;
const DEFAULT_USERS: Record<string, FakeAmiUser> = { callfilter: { secret: 'secret', read: ['cdr'] } };
/** What Asterisk 22 announces; the client accepts any version. */
const DEFAULT_VERSION = '11.0.0';

interface Session {
  socket: net.Socket;
  pending: string;
  lines: string[];
  tooLong: boolean;
  username: string | undefined;
  read: Set<string>;
  mask: Set<string>;
}

/** Default CDR of an answered outgoing call from extension 100 over a PJSIP trunk. */
export const DEFAULT_CDR: Record<CdrField, string> = {
  AccountCode: '',
  Source: '100',
  Destination: '030123456',
  DestinationContext: 'from-internal',
  CallerID: '"Kitchen" <100>',
  Channel: 'PJSIP/100-00000001',
  DestinationChannel: 'PJSIP/trunk-00000002',
  LastApplication: 'Dial',
  LastData: 'PJSIP/030123456@trunk,60',
  StartTime: '2025-03-01 14:05:02',
  AnswerTime: '2025-03-01 14:05:09',
  EndTime: '2025-03-01 14:06:41',
  Duration: '99',
  BillableSeconds: '92',
  Disposition: 'ANSWERED',
  AMAFlags: 'DOCUMENTATION',
  UniqueID: '1740837902.1',
  UserField: '',
};

export class FakeAmi {
  /** Every Login attempt, in order. */
  readonly logins: FakeAmiLogin[] = [];
  /** Every action received (the `Action:` value), in order, before or after login. */
  readonly actions: string[] = [];
  /** TCP connections accepted so far (refused ones included). */
  connections = 0;
  private readonly sessions = new Set<Session>();
  private readonly users: Record<string, FakeAmiUser>;
  private readonly version: string;
  private readonly loginFailDelayMs: number;
  private readonly server: net.Server;
  private refusing = false;
  private muted = false;
  private waiters: { count: number; resolve: () => void }[] = [];

  private constructor(options: FakeAmiOptions) {
    this.users = options.users ?? DEFAULT_USERS;
    this.version = options.version ?? DEFAULT_VERSION;
    this.loginFailDelayMs = options.loginFailDelayMs ?? 1000;
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Listens on 127.0.0.1 on a free port. Call close() when done. */
  static async start(options: FakeAmiOptions = {}): Promise<FakeAmi> {
    const fake = new FakeAmi(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Sessions logged in right now. */
  get authenticated(): number {
    return [...this.sessions].filter((s) => s.username !== undefined).length;
  }

  /** Resolves once `count` logins in total have been accepted. */
  accepted(count = 1): Promise<void> {
    if (this.logins.filter((l) => l.accepted).length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /**
   * Raises `Event: Cdr` as cdr_manager does (class cdr, `Privilege: cdr,all`), the 18 fields in manager_log()'s order
   * (DEFAULT_CDR where not given), then `extra` (the `[mappings]` fields). `chunks` > 1 writes it in that many pieces,
   * a little apart, so the client sees a message split across TCP reads. Resolves with the sessions it reached.
   */
  sendCdr(
    fields: Partial<Record<CdrField, string>> = {},
    options: { extra?: Record<string, string>; chunks?: number } = {},
  ): Promise<number> {
    const body: [string, string][] = CDR_FIELDS.map((name) => [name, fields[name] ?? DEFAULT_CDR[name]]);
    for (const [k, v] of Object.entries(options.extra ?? {})) body.push([k, v]);
    return this.sendEvent('Cdr', 'cdr', body, options.chunks);
  }

  /** Raises any event of `category` (a manager.conf class) the way __manager_event_sessions_va() formats it. */
  async sendEvent(name: string, category: string, fields: [string, string][], chunks = 1): Promise<number> {
    const text = `Event: ${name}\r\nPrivilege: ${category},all\r\n${fields.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    const targets = [...this.sessions].filter(
      (s) => s.username !== undefined && s.read.has(category) && s.mask.has(category),
    );
    // Cut in bytes, not characters: a piece may end inside a UTF-8 sequence, as a TCP segment may.
    const bytes = Buffer.from(text, 'utf8');
    const size = Math.ceil(bytes.length / Math.max(1, chunks));
    for (let at = 0; at < bytes.length; at += size) {
      for (const s of targets) if (!s.socket.destroyed) s.socket.write(bytes.subarray(at, at + size));
      if (at + size < bytes.length) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return targets.length;
  }

  /** Drops every connection at once, as an Asterisk restart does. */
  dropConnections(): void {
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  /** While on, new connections are closed at once without a banner (session_do() past authlimit does that). */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** While on, nothing is answered (a half-open connection, a hung Asterisk). */
  mute(on: boolean): void {
    this.muted = on;
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.connections += 1;
    socket.on('error', () => {}); // the client going away mid-write is normal here
    if (this.refusing) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const s: Session = {
      socket,
      pending: '',
      lines: [],
      tooLong: false,
      username: undefined,
      read: new Set(),
      mask: new Set(CLASSES),
    };
    this.sessions.add(s);
    socket.on('close', () => this.sessions.delete(s));
    socket.on('data', (chunk: Buffer) => this.onData(s, chunk.toString('utf8')));
    socket.write(`Asterisk Call Manager/${this.version}\r\n`);
  }

  /** get_input() + do_message(): lines end with \r\n or \n; an empty line ends the message. */
  private onData(s: Session, text: string): void {
    s.pending += text;
    for (let nl = s.pending.indexOf('\n'); nl !== -1; nl = s.pending.indexOf('\n')) {
      const line = s.pending.slice(0, nl).replace(/\r$/, '');
      s.pending = s.pending.slice(nl + 1);
      if (Buffer.byteLength(line) > MAX_INPUT_LINE - 2) s.tooLong = true;
      if (line !== '') {
        s.lines.push(line);
        continue;
      }
      const lines = s.lines;
      const tooLong = s.tooLong;
      s.lines = [];
      s.tooLong = false;
      if (!this.muted) this.process(s, lines, tooLong);
    }
  }

  private process(s: Session, lines: string[], tooLong: boolean): void {
    const header = (name: string): string => {
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon !== -1 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase())
          return line.slice(colon + 1).trim();
      }
      return '';
    };
    const id = header('ActionID');
    const respond = (response: string, extra: [string, string][]): void => {
      const body = [
        `Response: ${response}`,
        ...(id ? [`ActionID: ${id}`] : []),
        ...extra.map(([k, v]) => `${k}: ${v}`),
      ];
      if (!s.socket.destroyed) s.socket.write(`${body.join('\r\n')}\r\n\r\n`);
    };
    if (tooLong) return respond('Error', [['Message', 'Failed to parse message: line too long']]);
    const action = header('Action');
    if (action === '') return respond('Error', [['Message', 'Missing action in request']]);
    this.actions.push(action);
    const name = action.toLowerCase();
    if (s.username === undefined && name !== 'login' && name !== 'logoff' && name !== 'challenge') {
      return respond('Error', [['Message', 'Permission denied']]);
    }
    if (name === 'login') return this.login(s, header('Username'), header('Secret'), header('Events'), respond);
    if (name === 'logoff') {
      respond('Goodbye', [['Message', 'Thanks for all the fish.']]);
      s.socket.end();
      return;
    }
    if (name === 'ping')
      return respond('Success', [
        ['Ping', 'Pong'],
        ['Timestamp', `${(Date.now() / 1000).toFixed(6)}`],
      ]);
    respond('Error', [
      ['Message', `Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`],
    ]);
  }

  private login(
    s: Session,
    username: string,
    secret: string,
    events: string,
    respond: (r: string, extra: [string, string][]) => void,
  ): void {
    if (s.username !== undefined) return respond('Success', [['Message', 'Already authenticated']]);
    const user = this.users[username];
    if (username === '' || !user || user.secret !== secret) {
      this.logins.push({ username, accepted: false, events: events || undefined });
      // action_login(): sleep(1), `Authentication failed`, and the session ends (it returns -1).
      setTimeout(() => {
        respond('Error', [['Message', 'Authentication failed']]);
        s.socket.end();
      }, this.loginFailDelayMs).unref();
      return;
    }
    s.username = username;
    s.read = classes(user.read ?? ['all']);
    // authenticate(): set_eventmask(Events) keeps the mask when the header is empty.
    if (events !== '') s.mask = eventMask(events);
    this.logins.push({ username, accepted: true, events: events || undefined });
    respond('Success', [['Message', 'Authentication accepted']]);
    // action_login(): FullyBooted follows when the session may see system events.
    if (s.read.has('system') && s.mask.has('system')) {
      s.socket.write(
        'Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 1234\r\nLastReload: 1234\r\nStatus: Fully Booted\r\n\r\n',
      );
    }
    const done = this.logins.filter((l) => l.accepted).length;
    const ready = this.waiters.filter((w) => w.count <= done);
    this.waiters = this.waiters.filter((w) => w.count > done);
    for (const w of ready) w.resolve();
  }
}

/** manager.conf class list → set (get_perm(): `all` is every class). */
function classes(list: string[]): Set<string> {
  return list.some((c) => c.trim() === 'all') ? new Set(CLASSES) : new Set(list.map((c) => c.trim()));
}

/** strings_to_mask(): on/yes/true → all, off/no/false → none, else a class list. */
function eventMask(value: string): Set<string> {
  const v = value.trim().toLowerCase();
  if (['on', 'yes', 'true', 'y', 't'].includes(v)) return new Set(CLASSES);
  if (['off', 'no', 'false', 'n', 'f'].includes(v)) return new Set();
  return classes(v.split(','));
}

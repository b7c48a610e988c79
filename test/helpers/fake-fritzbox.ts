/**
 * A fake FRITZ!Box for the TR-064 tests, following AVM's "TR-064 – X_AVM-DE_OnTel" description: SOAP 1.1 at
 * /upnp/control/x_contact behind HTTP digest authentication (MD5, qop=auth; a wrong password is refused, and after a
 * few failed logins every request gets 503 until unlock()), GetPhonebookList / GetPhonebook with URLs to the XML
 * carrying a `sid` (and naming the box `fritz.box`, as the box does), the call-barring list in the phone-book schema,
 * SetCallBarringEntry / GetCallBarringEntryByNum / DeleteCallBarringEntryUID, UPnP errors as SOAP faults, and the
 * phone-book XML that shrinks to its timestamp when `&timestamp=` names the current one.
 *
 * Kept in test/helpers, not in src: it is test code for this service only (unlike the fake AMI, which ships with the
 * asterisk-agi library for its users). Deliberately independent of the client's digest and SOAP code.
 */
import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface FakeContact {
  realName: string;
  numbers: { type: string; value: string }[];
  /** 1 = VIP. */
  category?: number;
}

interface Book {
  id: number;
  name: string;
  owner: string;
  timestamp: number;
  contacts: (FakeContact & { uniqueid: number })[];
}

export interface FakeFritzboxOptions {
  username?: string;
  password?: string;
  /** Phone books by name, ids 0, 1, … in this order (id 0 is the default book). */
  books?: { name: string; contacts: FakeContact[] }[];
  barring?: FakeContact[];
  /** Serve https with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Failed logins in a row after which the box answers 503. */
  failuresBeforeLock?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
  action?: string;
}

const SERVICE = 'urn:dslforum-org:service:X_AVM-DE_OnTel:1';
const REALM = 'HTTPS Access';
const OWNER_BARRING = '258';
const ENV_OPEN =
  '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n<s:Body>';
const ENV_CLOSE = '</s:Body>\n</s:Envelope>\n';

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);
const unesc = (s: string): string =>
  s.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_w, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '',
  );
const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

export class FakeFritzbox {
  readonly requests: FakeRequest[] = [];
  readonly books: Book[];
  readonly barring: Book;
  /** Failed logins in a row (reset by a good one). */
  failedLogins = 0;
  private readonly username: string;
  private readonly password: string;
  private readonly failuresBeforeLock: number;
  private readonly server: http.Server;
  private readonly nonces = new Set<string>();
  private readonly sid = randomBytes(8).toString('hex');
  private readonly secure: boolean;
  private clock = 1_730_000_000;
  private nextUid = 100;

  private constructor(options: FakeFritzboxOptions) {
    this.username = options.username ?? 'callfilter';
    this.password = options.password ?? 'box-secret';
    this.failuresBeforeLock = options.failuresBeforeLock ?? 3;
    this.secure = options.tls !== undefined;
    this.books = (options.books ?? [{ name: 'Telefonbuch', contacts: [] }]).map((b, id) =>
      this.book(id, b.name, '1', b.contacts),
    );
    this.barring = this.book(258, '', OWNER_BARRING, options.barring ?? []);
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    this.server = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : http.createServer(handler);
  }

  /** Listens on 127.0.0.1 on a free port; closed when the test finishes. */
  static async start(options: FakeFritzboxOptions = {}): Promise<FakeFritzbox> {
    const fake = new FakeFritzbox(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', () => resolve()));
    onTestFinished(() => fake.close());
    return fake;
  }

  /** `http://127.0.0.1:<port>` or `https://…`, what CALLFILTER_FRITZBOX_URL would say. */
  get url(): string {
    return `${this.secure ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get locked(): boolean {
    return this.failedLogins >= this.failuresBeforeLock;
  }

  unlock(): void {
    this.failedLogins = 0;
  }

  /** Adds a contact to a book (as a person would on the box), which gives the book a new timestamp. */
  addContact(bookId: number, contact: FakeContact): void {
    const book = this.books[bookId];
    if (!book) throw new Error(`no book ${bookId}`);
    book.contacts.push({ ...contact, uniqueid: this.nextUid++ });
    book.timestamp = this.tick();
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private book(id: number, name: string, owner: string, contacts: FakeContact[]): Book {
    return {
      id,
      name,
      owner,
      timestamp: this.tick(),
      contacts: contacts.map((c) => ({ ...c, uniqueid: this.nextUid++ })),
    };
  }

  private tick(): number {
    this.clock += 1;
    return this.clock;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://box');
      const send = (status: number, text: string, headers: Record<string, string> = {}, action?: string): void => {
        this.requests.push({ method: req.method ?? '', path: url.pathname, status, ...(action ? { action } : {}) });
        res.writeHead(status, { 'Content-Type': 'text/xml; charset="utf-8"', ...headers });
        res.end(text);
      };
      if (this.locked) return send(503, '<html><body>503 Service Unavailable</body></html>');
      if (req.method === 'GET' && url.pathname === '/phonebook.lua') return this.phonebook(url, send);
      if (req.method !== 'POST' || url.pathname !== '/upnp/control/x_contact') return send(404, 'Not Found');
      const auth = this.authorize(req, url);
      if (auth !== 'ok') {
        const nonce = randomBytes(8).toString('hex').toUpperCase();
        this.nonces.add(nonce);
        return send(401, '<html><body>401 Unauthorized</body></html>', {
          'WWW-Authenticate': `Digest realm="${REALM}", nonce="${nonce}", algorithm=MD5, qop="auth"`,
        });
      }
      const [service, action = ''] = (req.headers.soapaction ?? '').toString().replace(/"/g, '').split('#');
      if (service !== SERVICE) return send(500, fault(401, 'Invalid Action'), {}, action);
      const args = soapArgs(body, action);
      const out = this.action(action, args);
      if (out instanceof UpnpFault) return send(500, fault(out.code, out.description), {}, action);
      const xml = Object.entries(out)
        .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
        .join('');
      send(
        200,
        `${ENV_OPEN}\n<u:${action}Response xmlns:u="${SERVICE}">\n${xml}\n</u:${action}Response>\n${ENV_CLOSE}`,
        {},
        action,
      );
    });
  }

  /** RFC 2617 digest, checked from scratch: 'none' without credentials, 'bad' for wrong ones (counted). */
  private authorize(req: IncomingMessage, url: URL): 'ok' | 'none' | 'bad' {
    const header = req.headers.authorization;
    if (!header?.startsWith('Digest ')) return 'none';
    const p: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
      p[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    const ha1 = md5(`${this.username}:${REALM}:${this.password}`);
    const ha2 = md5(`${req.method}:${url.pathname}${url.search}`);
    const expected =
      p.qop === 'auth' ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
    const good =
      p.username === this.username && p.nonce !== undefined && this.nonces.has(p.nonce) && p.response === expected;
    if (good) {
      this.failedLogins = 0;
      return 'ok';
    }
    this.failedLogins += 1;
    return 'bad';
  }

  private action(action: string, a: Record<string, string>): Record<string, string> | UpnpFault {
    const port = this.secure ? 49443 : 49000;
    const link = (pbid: number): string =>
      `${this.secure ? 'https' : 'http'}://fritz.box:${port}/phonebook.lua?sid=${this.sid}&pbid=${pbid}`;
    switch (action) {
      case 'GetPhonebookList':
        return { NewPhonebookList: this.books.map((b) => b.id).join(',') };
      case 'GetPhonebook': {
        const book = this.books.find((b) => String(b.id) === a.NewPhonebookID);
        if (!book) return new UpnpFault(713, 'Invalid array index');
        return { NewPhonebookName: book.name, NewPhonebookExtraID: '', NewPhonebookURL: link(book.id) };
      }
      case 'GetCallBarringList':
        return { NewPhonebookURL: link(this.barring.id) };
      case 'SetCallBarringEntry': {
        const data = a.NewPhonebookEntryData ?? '';
        const realName = /<realName>([^<]*)<\/realName>/.exec(data)?.[1];
        const number = /<number[^>]*>([^<]*)<\/number>/.exec(data)?.[1];
        if (realName === undefined || number === undefined) return new UpnpFault(402, 'Invalid Args');
        const uniqueid = this.nextUid++;
        this.barring.contacts.push({
          realName: unesc(realName),
          numbers: [{ type: 'home', value: unesc(number) }],
          uniqueid,
        });
        this.barring.timestamp = this.tick();
        return { NewPhonebookEntryUniqueID: String(uniqueid) };
      }
      case 'GetCallBarringEntryByNum': {
        const c = this.barring.contacts.find((x) => x.numbers.some((n) => n.value === a.NewNumber));
        return c
          ? { NewPhonebookEntryData: `<?xml version="1.0" encoding="utf-8"?>${contactXml(c)}` }
          : new UpnpFault(714, 'No matching entry found');
      }
      case 'DeleteCallBarringEntryUID': {
        const at = this.barring.contacts.findIndex((x) => String(x.uniqueid) === a.NewPhonebookEntryUniqueID);
        if (at === -1) return new UpnpFault(714, 'No matching entry found');
        this.barring.contacts.splice(at, 1);
        this.barring.timestamp = this.tick();
        return {};
      }
      default:
        return new UpnpFault(401, 'Invalid Action');
    }
  }

  /** The XML behind a phone-book URL; only the timestamp when `&timestamp=` names the current one. */
  private phonebook(url: URL, send: (status: number, text: string) => void): void {
    if (url.searchParams.get('sid') !== this.sid) return send(403, 'Forbidden');
    const pbid = url.searchParams.get('pbid');
    const book = pbid === String(this.barring.id) ? this.barring : this.books.find((b) => String(b.id) === pbid);
    if (!book) return send(404, 'Not Found');
    const attrs =
      book.owner === OWNER_BARRING ? ` owner="${book.owner}"` : ` owner="${book.owner}" name="${esc(book.name)}"`;
    const unchanged = url.searchParams.get('timestamp') === String(book.timestamp);
    const contacts = unchanged ? '' : book.contacts.map(contactXml).join('');
    send(
      200,
      `<?xml version="1.0" encoding="utf-8"?>\n<phonebooks>\n<phonebook${attrs}><timestamp>${book.timestamp}</timestamp>${contacts}</phonebook>\n</phonebooks>\n`,
    );
  }
}

class UpnpFault {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {}
}

/** One contact the way the box writes it: on one line, a newline before the first attribute of `<telephony`. */
function contactXml(c: FakeContact & { uniqueid: number }): string {
  const numbers = c.numbers
    .map((n, i) => `<number type="${n.type}" prio="${i === 0 ? 1 : 0}" id="${i}">${esc(n.value)}</number>`)
    .join('');
  return (
    `<contact><category>${c.category ?? 0}</category><person><realName>${esc(c.realName)}</realName></person><telephony\n` +
    `nid="${c.numbers.length}">${numbers}</telephony><services /><setup /><mod_time>1730000000</mod_time><uniqueid>${c.uniqueid}</uniqueid></contact>`
  );
}

/** The in arguments of `<u:{action}>`: child elements, text with entities decoded. */
function soapArgs(body: string, action: string): Record<string, string> {
  const inner = new RegExp(`<(?:\\w+:)?${action}\\b[^>]*>([\\s\\S]*?)</(?:\\w+:)?${action}>`).exec(body)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of inner.matchAll(/<(\w+)>([\s\S]*?)<\/\1>/g)) out[m[1]!] = unesc(m[2]!);
  return out;
}

function fault(code: number, description: string): string {
  return (
    `${ENV_OPEN}\n<s:Fault>\n<faultcode>s:Client</faultcode>\n<faultstring>UPnPError</faultstring>\n<detail>\n` +
    `<UPnPError xmlns="urn:dslforum-org:control-1-0">\n<errorCode>${code}</errorCode>\n<errorDescription>${description}</errorDescription>\n</UPnPError>\n` +
    `</detail>\n</s:Fault>\n${ENV_CLOSE}`
  );
}

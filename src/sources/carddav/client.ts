/**
 * A CardDAV client over tsdav (npm; its discovery, REPORT and PROPFIND bodies): the address books of the account
 * (RFC 6352 §7: current-user-principal → addressbook-home-set → the books), what changed since a sync token (RFC
 * 6578 sync-collection), the ETags of every card (PROPFIND Depth 1, for servers without sync-collection) and the
 * cards themselves (addressbook-multiget). tsdav reports HTTP errors as responses, not exceptions: this layer turns
 * them into CarddavError, and an invalid sync token (RFC 6578 §3.2: 403 or 409 with DAV:valid-sync-token) into
 * InvalidSyncTokenError, so the sync can start over.
 */
import {
  addressBookMultiGet,
  createAccount,
  type DAVAccount,
  type DAVResponse,
  fetchAddressBooks,
  propfind,
  syncCollection,
} from 'tsdav';

/** A request to a CardDAV server answers in seconds; a big address book's multiget of MULTIGET_BATCH cards too. */
export const CARDDAV_TIMEOUT_MS = 60_000;
/** Cards asked for per addressbook-multiget: a few hundred KiB of vCards, a request every server takes. */
export const MULTIGET_BATCH = 100;

export class CarddavError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server no longer knows the sync token (expired, or the collection was rebuilt): a full resync is needed. */
export class InvalidSyncTokenError extends CarddavError {}

export interface AddressBook {
  /** Absolute URL. */
  url: string;
  /** The path of `url`: the start of every card's href in it. */
  path: string;
  name: string;
  /** The server offers REPORT sync-collection on it. */
  syncCollection: boolean;
}

export interface BookChanges {
  /** hrefs of new or changed cards. */
  changed: string[];
  /** hrefs of removed cards. */
  removed: string[];
  token?: string;
}

export interface Card {
  href: string;
  etag?: string;
  vcard: string;
}

export interface CarddavClientOptions {
  url: string;
  username?: string;
  password?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? String(v)
      : v && typeof v === 'object' && '_cdata' in v
        ? String((v as { _cdata: unknown })._cdata)
        : undefined;

function statusError(what: string, r: DAVResponse): CarddavError {
  const status = r.status;
  if (status === 401)
    return new CarddavError(
      `the CardDAV server refused the login (HTTP 401) while ${what}: check the user name and the (app) password`,
      401,
    );
  return new CarddavError(
    `the CardDAV server answered HTTP ${status ?? '?'} ${r.statusText ?? ''}while ${what}`.replace('  ', ' '),
    status,
  );
}

export class CarddavClient {
  private account: DAVAccount | undefined;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: CarddavClientOptions) {
    this.headers =
      options.username !== undefined
        ? { authorization: `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}` }
        : {};
  }

  private get common() {
    const signals = [AbortSignal.timeout(CARDDAV_TIMEOUT_MS), ...(this.options.signal ? [this.options.signal] : [])];
    return {
      headers: this.headers,
      fetchOptions: { signal: AbortSignal.any(signals) },
      ...(this.options.fetch && { fetch: this.options.fetch }),
    };
  }

  /** Discovery: the account's address books with their names and whether they offer sync-collection. */
  async books(): Promise<AddressBook[]> {
    try {
      this.account ??= await createAccount({
        account: { accountType: 'carddav', serverUrl: this.options.url },
        ...this.common,
      });
      const books = await fetchAddressBooks({ account: this.account, ...this.common });
      return books.map((b) => ({
        url: b.url,
        path: new URL(b.url).pathname,
        name:
          typeof b.displayName === 'string' && b.displayName !== ''
            ? b.displayName
            : decodeURIComponent(new URL(b.url).pathname.replace(/\/$/, '').split('/').pop() ?? b.url),
        syncCollection: Array.isArray(b.reports) && (b.reports as unknown[]).includes('syncCollection'),
      }));
    } catch (err) {
      if (err instanceof CarddavError) throw err;
      const message = (err as Error).message;
      throw new CarddavError(
        /credential|unauthori[sz]ed|401/i.test(message)
          ? `the CardDAV server refused the login at ${this.options.url}: check the user name and the (app) password`
          : `could not find the address books at ${this.options.url}: ${message}`,
      );
    }
  }

  /** REPORT sync-collection: what changed since `token` (everything, without one), and the new token. */
  async changesSince(book: AddressBook, token: string | undefined): Promise<BookChanges> {
    const res = await syncCollection({
      url: book.url,
      props: { 'd:getetag': {} },
      syncLevel: 1,
      ...(token !== undefined && { syncToken: token }),
      ...this.common,
    });
    const out: BookChanges = { changed: [], removed: [] };
    for (const r of res) {
      const raw = r.raw as { multistatus?: { syncToken?: unknown } } | string | undefined;
      if (!r.ok && r.status !== 404) {
        const body = typeof raw === 'string' ? raw : '';
        if ((r.status === 403 || r.status === 409) && (token !== undefined || body.includes('valid-sync-token'))) {
          throw new InvalidSyncTokenError(
            `the CardDAV server no longer knows the sync token of "${book.name}" (HTTP ${r.status})`,
            r.status,
          );
        }
        throw statusError(`listing the changes of "${book.name}"`, r);
      }
      if (typeof raw === 'object') out.token ??= text(raw.multistatus?.syncToken);
      if (r.href === undefined || this.isCollection(book, r.href)) continue;
      (r.status === 404 ? out.removed : out.changed).push(r.href);
    }
    return out;
  }

  /** PROPFIND Depth 1: every card's ETag, by href. */
  async etags(book: AddressBook): Promise<Map<string, string>> {
    const res = await propfind({ url: book.url, props: { 'd:getetag': {} }, depth: '1', ...this.common });
    const out = new Map<string, string>();
    for (const r of res) {
      if (!r.ok) throw statusError(`listing the cards of "${book.name}"`, r);
      if (r.href === undefined || this.isCollection(book, r.href)) continue;
      out.set(r.href, text(r.props?.getetag) ?? '');
    }
    return out;
  }

  /** addressbook-multiget, MULTIGET_BATCH at a time; a card gone meanwhile (404) is left out. */
  async cards(book: AddressBook, hrefs: readonly string[]): Promise<Card[]> {
    const out: Card[] = [];
    for (let at = 0; at < hrefs.length; at += MULTIGET_BATCH) {
      const res = await addressBookMultiGet({
        url: book.url,
        props: { 'd:getetag': {}, 'card:address-data': {} },
        objectUrls: hrefs.slice(at, at + MULTIGET_BATCH),
        depth: '1',
        ...this.common,
      });
      for (const r of res) {
        if (r.status === 404 || r.href === undefined) continue;
        if (!r.ok) throw statusError(`fetching the cards of "${book.name}"`, r);
        const vcard = text(r.props?.addressData);
        if (vcard === undefined) continue;
        const etag = text(r.props?.getetag);
        out.push({ href: r.href, vcard, ...(etag !== undefined && { etag }) });
      }
    }
    return out;
  }

  private isCollection(book: AddressBook, href: string): boolean {
    const path = href.startsWith('http') ? new URL(href).pathname : href;
    return path.endsWith('/') || path === book.path.replace(/\/$/, '');
  }
}

import type { ImportKind } from '../../import/formats/index.js';
import type { Logger } from '../../logger.js';
import type { NumberingConfig } from '../../numbers/index.js';
import { barringEntryXml } from './barring.js';
import { type DigestChallenge, digestAuthorization, parseDigestChallenge } from './digest.js';
import {
  FritzboxAuthError,
  FritzboxError,
  FritzboxLockedError,
  FritzboxProtocolError,
  FritzboxSoapError,
} from './errors.js';
import { CertificatePin, type HttpResponse, httpRequest } from './http.js';
import { MAX_PHONEBOOK_BYTES, MAX_SOAP_BYTES, PHONEBOOK_TIMEOUT_MS, SOAP_TIMEOUT_MS } from './limits.js';
import { type PhonebookFetch, readPhonebook } from './phonebook.js';
import {
  ONTEL_CONTROL_URL,
  ONTEL_SERVICE,
  parseSoapFault,
  parseSoapResponse,
  soapAction,
  soapEnvelope,
} from './soap.js';

export interface FritzboxClientOptions {
  /** `http://fritz.box:49000`, or `https://<box>:49443` with the certificate pinned. */
  url: string;
  username: string;
  password: string;
  /** The pinned SHA-256 fingerprint of the box's certificate (https); unset: trusted on first use, see certificateSha256. */
  certSha256?: string;
  logger?: Pick<Logger, 'debug'>;
  soapTimeoutMs?: number;
  phonebookTimeoutMs?: number;
  maxSoapBytes?: number;
  maxPhonebookBytes?: number;
}

export interface PhonebookInfo {
  /** GetPhonebookList's id. Ids change when books are added or removed on the box: match books by name. */
  id: number;
  name: string;
  extraId: string;
  /** The URL of the book's XML, with a session id (`sid`): a credential, never logged. */
  url: string;
}

export interface FetchOptions {
  numbering: NumberingConfig;
  /** The timestamp of the last fetch: the box answers without contacts when the book has not changed since. */
  since?: string;
}

/** The UPnP error of a lookup that found nothing (GetCallBarringEntryByNum). */
const NO_SUCH_ENTRY = 714;

/**
 * A TR-064 client for the box's phone books and call-barring list (service X_AVM-DE_OnTel): SOAP 1.1 over HTTP with
 * digest authentication, over TLS with the certificate pinned. Every request goes to the configured origin; the URLs
 * the box returns are used for their path and query only (it may name itself `fritz.box`, which a container cannot
 * resolve, and the pin belongs to the configured address).
 *
 * A wrong password costs at most one failed login per call: an answered challenge that is refused is an error, not a
 * reason to try again (the box locks logins after a few failures and answers 503 — FritzboxLockedError).
 */
export class FritzboxClient {
  private readonly base: URL;
  private readonly pin: CertificatePin;
  private challenge: DigestChallenge | undefined;
  private nc = 0;

  constructor(private readonly options: FritzboxClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:')
      throw new FritzboxError(`"${options.url}" is not an http or https URL`);
    if (options.certSha256 !== undefined && this.base.protocol !== 'https:') {
      throw new FritzboxError('a certificate fingerprint needs an https URL (the box speaks TLS on port 49443)');
    }
    this.pin = new CertificatePin(options.certSha256);
  }

  /** The certificate fingerprint in use (given, or seen on the first https connection — store it to pin it). */
  get certificateSha256(): string | undefined {
    return this.pin.seen;
  }

  /** Calls an X_AVM-DE_OnTel action and returns its out arguments. */
  async call(action: string, args: Record<string, string | number> = {}): Promise<Record<string, string>> {
    const url = new URL(ONTEL_CONTROL_URL, this.base);
    const res = await this.send('POST', url, {
      body: soapEnvelope(ONTEL_SERVICE, action, args),
      headers: { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: soapAction(ONTEL_SERVICE, action) },
      timeoutMs: this.options.soapTimeoutMs ?? SOAP_TIMEOUT_MS,
      maxBytes: this.options.maxSoapBytes ?? MAX_SOAP_BYTES,
    });
    const xml = res.body.toString('utf8');
    if (res.status === 200) return parseSoapResponse(action, xml);
    throw (
      parseSoapFault(action, xml) ??
      new FritzboxProtocolError(`the FRITZ!Box answered ${action} with HTTP ${res.status}`)
    );
  }

  /** GetPhonebookList: the ids of the books on the box. */
  async listPhonebooks(): Promise<number[]> {
    const out = await this.call('GetPhonebookList');
    return (out.NewPhonebookList ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number)
      .filter((n) => Number.isInteger(n));
  }

  /** GetPhonebook: name and XML URL of one book. */
  async getPhonebook(id: number): Promise<PhonebookInfo> {
    const out = await this.call('GetPhonebook', { NewPhonebookID: id });
    if (!out.NewPhonebookURL) throw new FritzboxProtocolError(`GetPhonebook(${id}) returned no NewPhonebookURL`);
    return { id, name: out.NewPhonebookName ?? '', extraId: out.NewPhonebookExtraID ?? '', url: out.NewPhonebookURL };
  }

  /** Every book: GetPhonebookList, then GetPhonebook for each. */
  async phonebooks(): Promise<PhonebookInfo[]> {
    const ids = await this.listPhonebooks();
    const books: PhonebookInfo[] = [];
    for (const id of ids) books.push(await this.getPhonebook(id));
    return books;
  }

  /** Fetches a book's XML (with `&timestamp=` when `since` is given) and reads it with the FRITZ!Box importer. */
  fetchPhonebook(book: PhonebookInfo | string, options: FetchOptions): Promise<PhonebookFetch> {
    return this.fetchBook(typeof book === 'string' ? book : book.url, options);
  }

  /** GetCallBarringList: the URL of the call-barring list, an XML in the phone-book schema. */
  async callBarringUrl(): Promise<string> {
    const out = await this.call('GetCallBarringList');
    if (!out.NewPhonebookURL) throw new FritzboxProtocolError('GetCallBarringList returned no NewPhonebookURL');
    return out.NewPhonebookURL;
  }

  /** The call-barring list: every number in it is a block row. */
  async fetchCallBarring(options: FetchOptions): Promise<PhonebookFetch> {
    return this.fetchBook(await this.callBarringUrl(), options, 'block');
  }

  /** SetCallBarringEntry: adds a number (as the box writes numbers, see boxNumber()); resolves with its uid. */
  async setCallBarringEntry(number: string, name?: string): Promise<string> {
    const out = await this.call('SetCallBarringEntry', { NewPhonebookEntryData: barringEntryXml(number, name) });
    const uid = out.NewPhonebookEntryUniqueID;
    if (uid === undefined || uid === '')
      throw new FritzboxProtocolError('SetCallBarringEntry returned no NewPhonebookEntryUniqueID');
    return uid;
  }

  /** DeleteCallBarringEntryUID. */
  async deleteCallBarringEntry(uid: string): Promise<void> {
    await this.call('DeleteCallBarringEntryUID', { NewPhonebookEntryUniqueID: uid });
  }

  /** GetCallBarringEntryByNum: the entry's `<contact>` XML, or undefined when the number is not on the list (714). */
  async callBarringEntryByNumber(number: string): Promise<string | undefined> {
    try {
      const out = await this.call('GetCallBarringEntryByNum', { NewNumber: number });
      return out.NewPhonebookEntryData;
    } catch (err) {
      if (err instanceof FritzboxSoapError && err.code === NO_SUCH_ENTRY) return undefined;
      throw err;
    }
  }

  private async fetchBook(returned: string, options: FetchOptions, kind?: ImportKind): Promise<PhonebookFetch> {
    const url = this.onBase(returned);
    if (options.since !== undefined) url.searchParams.set('timestamp', options.since);
    const res = await this.send('GET', url, {
      timeoutMs: this.options.phonebookTimeoutMs ?? PHONEBOOK_TIMEOUT_MS,
      maxBytes: this.options.maxPhonebookBytes ?? MAX_PHONEBOOK_BYTES,
    });
    if (res.status !== 200 && res.status !== 304)
      throw new FritzboxProtocolError(`the FRITZ!Box answered the phone-book download with HTTP ${res.status}`);
    const read: Parameters<typeof readPhonebook>[1] = { numbering: options.numbering, notModified: res.status === 304 };
    if (options.since !== undefined) read.since = options.since;
    if (kind !== undefined) read.kind = kind;
    return readPhonebook(res.body.toString('utf8'), read);
  }

  /** The path and query of a URL the box returned, on the configured origin. */
  private onBase(returned: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(returned, this.base);
    } catch {
      throw new FritzboxProtocolError('the FRITZ!Box returned a phone-book URL that is not a URL');
    }
    return new URL(`${parsed.pathname}${parsed.search}`, this.base);
  }

  /**
   * One request with digest authentication. The first 401 is answered (it came without credentials, or to a nonce of an
   * earlier request that expired); a 401 to the challenge just answered is FritzboxAuthError. 503 is
   * FritzboxLockedError at once.
   */
  private async send(
    method: 'GET' | 'POST',
    url: URL,
    req: { body?: string; headers?: Record<string, string>; timeoutMs: number; maxBytes: number },
  ): Promise<HttpResponse> {
    const uri = `${url.pathname}${url.search}`;
    for (let attempt = 0; ; attempt++) {
      const challenge = this.challenge;
      const headers: Record<string, string> = { ...req.headers };
      if (challenge) {
        this.nc += 1;
        headers.Authorization = digestAuthorization(challenge, {
          username: this.options.username,
          password: this.options.password,
          method,
          uri,
          nc: this.nc,
        });
      }
      const res = await httpRequest({
        method,
        url,
        headers,
        timeoutMs: req.timeoutMs,
        maxBytes: req.maxBytes,
        pin: this.pin,
        ...(req.body !== undefined ? { body: req.body } : {}),
      });
      this.options.logger?.debug({ method, path: url.pathname, status: res.status }, 'TR-064 request');
      if (res.status === 503) throw this.locked(res);
      if (res.status !== 401) return res;
      const fresh = parseDigestChallenge(res.headers['www-authenticate']);
      if (!fresh)
        throw new FritzboxProtocolError(`the FRITZ!Box answered 401 without a Digest challenge (${url.pathname})`);
      this.challenge = fresh;
      this.nc = 0;
      if (attempt === 0) continue;
      this.challenge = undefined;
      throw new FritzboxAuthError(
        `the FRITZ!Box refused the login as "${this.options.username}" (HTTP 401): check the user name and password, and that the user may use "FRITZ!Box settings" and "Telephony"`,
      );
    }
  }

  private locked(res: HttpResponse): FritzboxLockedError {
    const retry = res.headers['retry-after'];
    return new FritzboxLockedError(
      'the FRITZ!Box refuses logins for a while after failed ones (HTTP 503' +
        (retry ? `, retry after ${String(retry)} s` : '') +
        '): check the user name and password; trying again now only makes the wait longer',
    );
  }
}

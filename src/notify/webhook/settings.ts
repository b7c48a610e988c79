/**
 * CALLFILTER_WEBHOOK_URL and CALLFILTER_WEBHOOK_EVENTS, parsed once at boot with errors that name the URL by its
 * position and say what to write instead (a URL itself may hold a secret, so errors never repeat it whole).
 *
 * One or more URLs, comma-separated (a comma inside a URL is written %2C). A URL may name the shape its receiver
 * wants: `ntfy+https://ntfy.example/<topic>` (plain text message, title in a header), `gotify+https://gotify.example/
 * message?token=<app token>` (`{title, message, priority}`); a plain `https://…` gets the call as JSON (Home
 * Assistant webhooks, n8n, Node-RED). `user:password@` in a URL becomes HTTP Basic authentication.
 */
import { ACTIONS, type Action } from '../../policy/types.js';

export const WEBHOOK_FORMATS = ['json', 'ntfy', 'gotify'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookTarget {
  format: WebhookFormat;
  /** Where to POST: http(s), without user info. */
  url: string;
  /** `Basic …` from the URL's user info. */
  authorization?: string;
  /** For logs and the delivery log: format, scheme, host and port only (paths and queries may be secrets). */
  name: string;
}

/** Keeps a typo from posting every call to dozens of places; far more than a household needs. */
export const MAX_WEBHOOK_URLS = 10;

export function parseWebhookUrls(setting: string): WebhookTarget[] {
  const items = setting
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new Error('CALLFILTER_WEBHOOK_URL names no URL');
  if (items.length > MAX_WEBHOOK_URLS)
    throw new Error(`CALLFILTER_WEBHOOK_URL names ${items.length} URLs; at most ${MAX_WEBHOOK_URLS}`);
  return items.map((item, i) => parseOne(item, i + 1));
}

function parseOne(item: string, position: number): WebhookTarget {
  const where = `CALLFILTER_WEBHOOK_URL, URL ${position}`;
  const plus = /^([a-z]+)\+/i.exec(item);
  let format: WebhookFormat = 'json';
  let rest = item;
  if (plus) {
    const name = (plus[1] as string).toLowerCase();
    if (name !== 'ntfy' && name !== 'gotify') {
      throw new Error(
        `${where}: unknown format "${name}+" (write ntfy+https://…, gotify+https://…, or a plain https:// URL for JSON)`,
      );
    }
    format = name;
    rest = item.slice(plus[0].length);
  }
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new Error(`${where} is not a URL (expected e.g. https://example.org/hook)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${where} must use https:// or http://, not ${url.protocol}//`);
  }
  if (url.hash) throw new Error(`${where} must not carry a #fragment`);
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  if (format === 'ntfy' && url.pathname.replace(/\//g, '') === '') {
    throw new Error(`${where}: an ntfy URL names its topic, e.g. ntfy+https://ntfy.sh/my-callfilter-topic`);
  }
  if (format === 'gotify') {
    if (!url.pathname.endsWith('/message')) {
      throw new Error(
        `${where}: a gotify URL ends in /message, e.g. gotify+https://gotify.example.org/message?token=…`,
      );
    }
    if (!url.searchParams.get('token') && !authorization) {
      throw new Error(`${where}: a gotify URL needs the application token, e.g. …/message?token=AbCdEf`);
    }
  }
  return {
    format,
    url: url.href,
    ...(authorization ? { authorization } : {}),
    name: `${format} ${url.protocol}//${url.host}/…`,
  };
}

/** `all` (the default) or the actions to tell about, such as `hangup,announce`. */
export type WebhookEvents = 'all' | ReadonlySet<Action>;

export function parseWebhookEvents(setting: string | undefined): WebhookEvents {
  const text = (setting ?? '').trim().toLowerCase();
  if (text === '' || text === 'all') return 'all';
  const actions = new Set<Action>();
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!(ACTIONS as readonly string[]).includes(item)) {
      throw new Error(
        `CALLFILTER_WEBHOOK_EVENTS: unknown action "${item}" (write all, or a list of ${ACTIONS.join(', ')})`,
      );
    }
    actions.add(item as Action);
  }
  if (actions.size === 0)
    throw new Error('CALLFILTER_WEBHOOK_EVENTS names no action (write all, or e.g. hangup,announce)');
  return actions;
}

export function wantsAction(events: WebhookEvents, action: Action): boolean {
  return events === 'all' || events.has(action);
}

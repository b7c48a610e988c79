/**
 * CALLFILTER_SMTP_URL, CALLFILTER_MAIL_FROM and CALLFILTER_MAIL_TO, checked once at boot: errors name the setting and
 * never repeat the URL's password.
 */
import addressparser from 'nodemailer/lib/addressparser';

export interface MailSettings {
  smtpUrl: string;
  /** `host:port` for logs. */
  server: string;
  from: string;
  to: string[];
}

/** A digest goes to the household, not to a mailing list. */
const MAX_RECIPIENTS = 20;
/** Deliberately plain: one @, something on both sides, no spaces (the SMTP server judges the rest). */
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

export function checkSmtpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error('CALLFILTER_SMTP_URL is not a URL (expected e.g. smtp://user:password@mail.example.org:587)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`CALLFILTER_SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  if (!url.hostname) throw new Error('CALLFILTER_SMTP_URL names no host');
  return url;
}

/** The addresses of a From or To setting, each checked; throws naming the setting and the bad one. */
export function mailAddresses(setting: string, text: string): string[] {
  const list = addressparser(text, { flatten: true });
  if (list.length === 0) throw new Error(`${setting} names no address`);
  for (const a of list) {
    if (!ADDRESS.test(a.address)) throw new Error(`${setting}: "${a.address || a.name}" is not an e-mail address`);
  }
  return list.map((a) => (a.name ? `"${a.name.replace(/"/g, '')}" <${a.address}>` : a.address));
}

export function mailSettings(input: { smtpUrl: string; from: string; to: string }): MailSettings {
  const url = checkSmtpUrl(input.smtpUrl);
  const from = mailAddresses('CALLFILTER_MAIL_FROM', input.from);
  if (from.length > 1) throw new Error('CALLFILTER_MAIL_FROM names more than one address');
  const to = mailAddresses('CALLFILTER_MAIL_TO', input.to);
  if (to.length > MAX_RECIPIENTS)
    throw new Error(`CALLFILTER_MAIL_TO names ${to.length} addresses; at most ${MAX_RECIPIENTS}`);
  const port = url.port || (url.protocol === 'smtps:' ? '465' : '587');
  return { smtpUrl: url.href, server: `${url.hostname}:${port}`, from: from[0] as string, to };
}

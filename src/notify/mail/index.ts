/** The e-mail digest: digest.ts builds it (pure), sender.ts sends it with nodemailer. */

export type { Digest, DigestOptions } from './digest.js';
export { buildDigest, MAX_DIGEST_LINES } from './digest.js';
export { createMailSender, type MailSender } from './sender.js';
export { checkSmtpUrl, type MailSettings, mailSettings } from './settings.js';

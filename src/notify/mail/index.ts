/** The e-mail digest: digest.ts builds it (pure), sender.ts sends it with nodemailer. */
export { buildDigest, MAX_DIGEST_LINES } from './digest.js';
export type { Digest, DigestOptions } from './digest.js';
export { createMailSender, type MailSender } from './sender.js';
export { checkSmtpUrl, mailSettings, type MailSettings } from './settings.js';

/**
 * The webhook signature, after Stripe's scheme: `X-Callfilter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">`. The time is signed with the body so a receiver can refuse a replayed old request (compare `t` with
 * its clock), and `v1` names the scheme so another can be added beside it later. docs/notifications.md shows how a
 * receiver verifies it; the webhook test runs that very snippet.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Callfilter-Signature';

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
  return `t=${t},v1=${v1}`;
}

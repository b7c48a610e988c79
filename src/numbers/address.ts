/** The number-bearing part of a caller id: the user part of a SIP/tel URI or `user@host`, else the trimmed text. */
export interface Address {
  user: string;
  /** Set for SIP addresses (`sip:user@host`, `user@host`). */
  host?: string;
  /** How it was written: a plain number, a `tel:` URI (RFC 3966) or a SIP address (RFC 3261 §19.1). */
  form: 'plain' | 'tel' | 'sip';
}

const SCHEME = /^(sips?|tel):/i;
const PHONE_CONTEXT = /;phone-context=([^;]*)/i;
const HOST_END = /[;:>?]/;

/**
 * Splits what may be a URI. Asterisk normally hands over just the user part, but a `From:` header copied into the
 * caller id, a vCard `tel:` value and a FRITZ!Box `500@hd-telefonie.avm.de` all occur.
 */
export function splitAddress(raw: string): Address {
  let s = raw.trim();
  // Fast path: the usual caller id is a bare number.
  if (!s.includes(':') && !s.includes('@') && !s.includes('<')) return { user: s, form: 'plain' };

  // `"Anonymous" <sip:anonymous@anonymous.invalid>` (name-addr form): keep what is inside the brackets.
  const open = s.indexOf('<');
  if (open >= 0) {
    const close = s.indexOf('>', open);
    s = s.slice(open + 1, close >= 0 ? close : undefined).trim();
  }

  const scheme = SCHEME.exec(s);
  if (scheme?.[1]?.toLowerCase() === 'tel') {
    // RFC 3966 §5.1: `tel:+49-30-1234567;ext=5`, `tel:1234567;phone-context=+4930`. Parameters are not digits.
    const rest = s.slice(scheme[0].length);
    const semi = rest.indexOf(';');
    let user = semi >= 0 ? rest.slice(0, semi) : rest;
    const context = PHONE_CONTEXT.exec(rest)?.[1];
    if (context?.startsWith('+') && !user.startsWith('+')) user = context + user;
    return { user: user.trim(), form: 'tel' };
  }
  if (scheme) s = s.slice(scheme[0].length);

  const at = s.lastIndexOf('@');
  if (at < 0) return { user: s, form: scheme ? 'sip' : 'plain' };
  // RFC 3261 §19.1.1: user parameters (`;isub=`) sit in the user part, URI parameters after the host.
  const userPart = s.slice(0, at);
  const semi = userPart.indexOf(';');
  const user = (semi >= 0 ? userPart.slice(0, semi) : userPart).trim();
  const host = s.slice(at + 1).split(HOST_END, 1)[0] ?? '';
  return { user, host, form: 'sip' };
}

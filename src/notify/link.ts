/**
 * Links from a notification back to the page. The page routes its views by the URL fragment (`#calls`, `#lists`, …;
 * web/src/main.ts), so a call's address is `<public URL>/#calls/<id>`: a page that does not know the id yet still
 * opens the Calls view, and the fragment never reaches a server log or a proxy. The link carries no token: whoever
 * opens it signs in as usual.
 */

/** Parses `CALLFILTER_PUBLIC_URL` (how the page is reached from where the mail is read). */
export function parsePublicUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`not a URL: "${text}" (expected e.g. https://callfilter.example.org/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`"${text}" must start with http:// or https://`);
  if (url.username || url.password) throw new Error(`"${text}" must not carry a user name or password`);
  if (url.search || url.hash) throw new Error(`"${text}" must not carry a query or fragment: the link adds its own`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The page's address of one call, e.g. `https://cf.example.org/#calls/42`. */
export function callLink(publicUrl: URL | string, callId: number): string {
  const base = typeof publicUrl === 'string' ? parsePublicUrl(publicUrl) : publicUrl;
  return `${base.href}#calls/${callId}`;
}

/** The Calls view itself (the digest's "and N more"). */
export function callsLink(publicUrl: URL | string): string {
  const base = typeof publicUrl === 'string' ? parsePublicUrl(publicUrl) : publicUrl;
  return `${base.href}#calls`;
}

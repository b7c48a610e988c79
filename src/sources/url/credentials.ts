/** A list URL's optional credentials: `{ bearer }` or `{ username, password }` (HTTP Basic). */

export interface UrlCredentials {
  bearer?: string;
  username?: string;
  password?: string;
}

/** The Authorization header for the credentials, or undefined without any. */
export function authorization(credentials: Record<string, unknown> | undefined): string | undefined {
  if (!credentials) return undefined;
  if (typeof credentials.bearer === 'string') return `Bearer ${credentials.bearer}`;
  if (typeof credentials.username === 'string') {
    const password = typeof credentials.password === 'string' ? credentials.password : '';
    return `Basic ${Buffer.from(`${credentials.username}:${password}`, 'utf8').toString('base64')}`;
  }
  return undefined;
}

/** What is wrong with credentials given for a URL source, or undefined when they are usable. */
export function credentialsProblem(credentials: UrlCredentials): string | undefined {
  const { bearer, username, password } = credentials;
  if (bearer !== undefined && (username !== undefined || password !== undefined))
    return 'give either a bearer token or a username and password, not both';
  if (password !== undefined && username === undefined) return 'a password needs a username';
  for (const [field, value] of Object.entries({ bearer, username, password })) {
    // Sent in an HTTP header: no line breaks or other control characters.
    if (value !== undefined && /[\x00-\x1f\x7f]/.test(value)) return `${field} contains a control character`;
  }
  if (username?.includes(':')) return 'a username for HTTP Basic cannot contain ":"';
  return undefined;
}

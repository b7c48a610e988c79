/**
 * Talking to the admin API with the session cookie. Every change carries the session's CSRF token in
 * X-CSRF-Token; a 401 means the session is over and the page goes back to the sign-in form.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

export function setCsrf(token: string | undefined): void {
  csrfToken = token;
}

export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export interface SessionInfo {
  csrfToken: string;
  expiresAt: number;
}

/** GET /session: signed out is an answer, not an error. */
export type SessionState = ({ signedIn: true } & SessionInfo) | { signedIn: false };

/** A request to the page's own server; JSON in (an object) or a file (FormData), JSON or nothing out. */
export async function request<T>(
  method: string,
  url: string,
  body?: unknown,
  opts: { quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network');
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const obj = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
    const message = typeof obj.message === 'string' ? obj.message : `${res.status} ${res.statusText}`;
    if (res.status === 401 && !opts.quiet401) onSignedOut?.();
    throw new ApiError(res.status, message, obj);
  }
  return data as T;
}

export const get = <T>(url: string) => request<T>('GET', url);
export const post = <T>(url: string, body?: unknown) => request<T>('POST', url, body ?? {});
export const patch = <T>(url: string, body: unknown) => request<T>('PATCH', url, body);
export const del = (url: string) => request<void>('DELETE', url);

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

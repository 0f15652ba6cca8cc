/**
 * The console's one way to call the gateway: the same API paths the AWS SDKs use, authenticated by the
 * HttpOnly session cookie plus this session's CSRF token. Errors come back as the API sends them
 * (`__type` and `message`) so pages can show the server's own words.
 */

export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = type;
  }
}

export interface Session {
  signedIn: true;
  accountId: string;
  principalArn: string;
  accessKeyId: string;
  region: string;
  expiresAt: string;
  csrfToken: string;
  /** The session acts through an assumed role (switch-back returns to the signed-in principal). */
  switchedRole?: boolean;
}

let csrfToken = '';
let region = '';
const expiredListeners = new Set<() => void>();
const changedListeners = new Set<(s: Session) => void>();

/** Called when the session changes principal (switch role, switch back): the App re-renders every page. */
export function onSessionChanged(f: (s: Session) => void): () => void {
  changedListeners.add(f);
  return () => changedListeners.delete(f);
}

export function setSession(s: Session | undefined): void {
  csrfToken = s?.csrfToken ?? '';
  region = s?.region ?? '';
}

export function setRegion(r: string): void {
  region = r;
}

export function currentRegion(): string {
  return region;
}

/** Called when the server says the session is over (expired, signed out elsewhere, key deactivated). */
export function onSessionExpired(f: () => void): () => void {
  expiredListeners.add(f);
  return () => expiredListeners.delete(f);
}

const SESSION_ENDED = new Set(['ExpiredTokenException', 'UnrecognizedClientException', 'MissingAuthenticationTokenException']);

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** awsJson1_1 operations (AWS Organizations): the X-Amz-Target header; the path is then `/`. */
  target?: string;
  signal?: AbortSignal;
}

export async function call<T>(method: string, path: string, o: CallOptions = {}): Promise<T> {
  return (await answer(await send(method, path, o))) as T;
}

/** The raw response (streams): the caller reads the body; a failed call still throws an ApiError. */
export async function callRaw(method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const res = await send(method, path, o);
  if (!res.ok) await answer(res);
  return res;
}

/**
 * A response's JSON body, or the ApiError it stands for. A body that is not JSON (a proxy's error page, a
 * plain-text refusal) is still the server's word: a refusal keeps it as the message; a success that cannot be
 * read says so rather than failing with a bare SyntaxError.
 */
async function answer(res: Response, opts: { signingIn?: boolean } = {}): Promise<unknown> {
  const text = await res.text();
  let data: unknown = {};
  try {
    data = text ? (JSON.parse(text) as unknown) : {};
  } catch {
    if (res.ok) throw new ApiError('InvalidResponse', `The server answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`, res.status);
    // An HTML error page reads as its text.
    const words = (/<[a-z!/]/i.test(text) ? text.replace(/<[^>]*>/g, ' ') : text).replace(/\s+/g, ' ').trim();
    data = { message: words.slice(0, 1000) || res.statusText };
  }
  if (!res.ok) throw toError(res, data, !opts.signingIn);
  return data;
}

async function send(method: string, path: string, o: CallOptions): Promise<Response> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
  const url = qs.size ? `${path}?${qs}` : path;
  const headers: Record<string, string> = { 'x-parapet-csrf': csrfToken };
  if (region) headers['x-parapet-region'] = region;
  if (o.target) {
    headers['x-amz-target'] = o.target;
    headers['content-type'] = 'application/x-amz-json-1.1';
  } else if (o.body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (o.body !== undefined || o.target) init.body = JSON.stringify(o.body ?? {});
  if (o.signal) init.signal = o.signal;
  return fetch(url, init);
}

/** The ApiError of a refusal; one that says the session is over tells the App (not while signing in: a wrong key is no ended session). */
function toError(res: Response, data: unknown, mayEndSession: boolean): ApiError {
  const d = (data ?? {}) as { __type?: string; message?: string; Message?: string };
  const type = (d.__type ?? res.headers.get('x-amzn-errortype') ?? `HTTP${res.status}`).replace(/^.*#/, '').replace(/:.*$/, '');
  const err = new ApiError(type, d.message ?? d.Message ?? res.statusText, res.status);
  if (mayEndSession && SESSION_ENDED.has(type)) for (const f of expiredListeners) f();
  return err;
}

export async function getSession(): Promise<Session | undefined> {
  const res = await fetch('/console/api/session', { credentials: 'same-origin' });
  const data = (await res.json()) as Session | { signedIn: false };
  return data.signedIn ? data : undefined;
}

export async function signIn(input: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; region?: string }): Promise<Session> {
  const res = await fetch('/console/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
    credentials: 'same-origin',
  });
  return (await answer(res, { signingIn: true })) as Session;
}

/** Ends the session on the server (the cookie is revoked there); a refusal throws, and the session stays. */
export async function signOut(): Promise<void> {
  const res = await fetch('/console/api/session', { method: 'DELETE', headers: { 'x-parapet-csrf': csrfToken }, credentials: 'same-origin' });
  await answer(res);
  setSession(undefined);
}

async function sessionCall(path: string, body: unknown): Promise<Session> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-parapet-csrf': csrfToken },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await answer(res)) as Session;
  const keepRegion = region;
  setSession(data);
  if (keepRegion) region = keepRegion;
  for (const f of changedListeners) f(data);
  return data;
}

/** Acts in another account of the organization through its OrganizationAccountAccessRole (STS AssumeRole). */
export function switchRole(accountId: string, roleName?: string): Promise<Session> {
  return sessionCall('/console/api/session/switch-role', { accountId, ...(roleName ? { roleName } : {}) });
}

/** Back to the principal that signed in. */
export function switchBack(): Promise<Session> {
  return sessionCall('/console/api/session/switch-back', {});
}

/** A path segment (guardrail ids, ARNs) encoded the way the API's routes expect. */
export const seg = (s: string): string => encodeURIComponent(s);

/**
 * /console: the built single-page app and its session API.
 *   POST   /console/api/session  {accessKeyId, secretAccessKey, sessionToken?, region?} → sets the cookie
 *   GET    /console/api/session  → who is signed in (and the CSRF token), or {signedIn: false}
 *   DELETE /console/api/session  → signs out
 *   POST   /console/api/session/switch-role {accountId, roleName?} → acts in a member account (STS AssumeRole)
 *   POST   /console/api/session/switch-back → returns to the signed-in principal
 * Every other console call goes to the ordinary API paths with the cookie and the CSRF header (app.ts).
 */
import { clientAddress, FailureCounter } from '../auth-throttle.ts';
import type { Caller } from '../../core/caller.ts';
import { ServiceError } from '../../core/errors.ts';
import { parseJsonBody, sendError, sendJson } from '../http-io.ts';
import type { AnyRequest, AnyResponse } from '../listener.ts';
import { CONSOLE_CSP, type ConsoleFiles } from './static-files.ts';
import { clearedSessionCookie, type ConsoleSessions, cookieValue, CSRF_HEADER, SESSION_COOKIE, type SessionClaims, sessionCookie } from './session.ts';

export interface ConsoleDeps {
  readonly sessions: ConsoleSessions;
  readonly files: ConsoleFiles;
  /** STS AssumeRole as the caller: the new credentials' key and when they expire. */
  assumeRole(caller: Caller, roleArn: string, sessionName: string): Promise<{ accessKeyId: string; expiresAt: number }>;
}

export interface ConsoleHooks {
  /** Checks the key (constant time) and returns its caller in the Region, or throws an AWS error. */
  authenticate(accessKeyId: string, secret: string, token: string | undefined, region: string | undefined): Promise<Caller>;
  /** The caller of a session; throws (UnrecognizedClientException, ExpiredTokenException) when its key no longer works. */
  callerOf(claims: SessionClaims): Promise<Caller>;
  /** Assumes a role as the caller (STS AssumeRole, with its authorization and audit record). */
  assumeRole(caller: Caller, roleArn: string, sessionName: string): Promise<{ accessKeyId: string; expiresAt: number }>;
  readonly defaultRegion: string;
  readonly regions: ReadonlySet<string> | undefined;
}

/** The role a management account's principal assumes to act in a member account (as in the AWS console). */
export const SWITCH_ROLE_NAME = 'OrganizationAccountAccessRole';

/** Failed sign-ins per client address before it must wait. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 5 * 60 * 1000;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function header(req: AnyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function isSecure(req: AnyRequest): boolean {
  return Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted) || header(req, 'x-forwarded-proto') === 'https';
}

/** undefined for the errors of a session key that no longer works; anything else (a store outage) is rethrown. */
function keyGone(e: unknown): undefined {
  if (e instanceof ServiceError && (e.code === 'UnrecognizedClientException' || e.code === 'ExpiredTokenException')) return undefined;
  throw e;
}

export function createConsoleRoutes(deps: ConsoleDeps, hooks: ConsoleHooks) {
  const failures = new FailureCounter(MAX_FAILURES, FAILURE_WINDOW_MS);

  /** Refuses a request a browser made from another site (the cookie is SameSite=Strict as well). */
  function checkSameOrigin(req: AnyRequest): void {
    if (header(req, 'sec-fetch-site') === 'cross-site')
      throw new ServiceError('AccessDeniedException', 'Console calls from another site are refused.');
    const origin = header(req, 'origin');
    const host = header(req, 'host') ?? header(req, ':authority');
    if (origin !== undefined && origin !== 'null' && host !== undefined) {
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        throw new ServiceError('AccessDeniedException', 'The Origin header is not a valid origin.');
      }
      if (originHost !== host) throw new ServiceError('AccessDeniedException', `Console calls from ${origin.slice(0, 100)} are refused: the console only talks to its own origin.`);
    }
  }

  function throttle(address: string, now: number): void {
    const wait = failures.retryAfterMs(address, now);
    if (wait > 0) throw new ServiceError('ThrottlingException', `Too many failed sign-ins from this address; try again in ${Math.ceil(wait / 1000)} s.`);
  }

  function recordFailure(address: string, now: number): void {
    failures.record(address, now);
  }

  function sessionBody(caller: Caller, claims: SessionClaims) {
    return {
      signedIn: true,
      accountId: caller.accountId,
      principalArn: caller.principalArn,
      accessKeyId: caller.accessKeyId,
      region: claims.region,
      expiresAt: new Date(claims.expiresAt).toISOString(),
      csrfToken: deps.sessions.csrfToken(claims),
      ...(claims.base ? { switchedRole: true } : {}),
    };
  }

  /**
   * The signed-in session of a console call (the session API's own, or any API operation called with the
   * cookie): same site, a valid unexpired cookie, its CSRF token, a key that still works.
   */
  async function session(req: AnyRequest): Promise<{ claims: SessionClaims; caller: Caller }> {
    checkSameOrigin(req);
    const claims = deps.sessions.read(cookieValue(header(req, 'cookie'), SESSION_COOKIE));
    if (!claims) throw new ServiceError('ExpiredTokenException', 'Your console session has expired or was signed out: sign in again.');
    if (!deps.sessions.checkCsrf(claims, header(req, CSRF_HEADER)))
      throw new ServiceError('AccessDeniedException', `The console call lacks its CSRF token (the ${CSRF_HEADER} header of this session).`);
    return { claims, caller: await hooks.callerOf(claims) };
  }

  function replaceSession(req: AnyRequest, res: AnyResponse, old: SessionClaims, caller: Caller, next: { token: string; claims: SessionClaims }): void {
    deps.sessions.revoke(old);
    const maxAge = Math.max(1, Math.floor((next.claims.expiresAt - next.claims.issuedAt) / 1000));
    sendJson(res, 200, sessionBody(caller, next.claims), { ...SECURITY_HEADERS, 'set-cookie': sessionCookie(next.token, maxAge, isSecure(req)) });
  }

  /** Acts in a member account: assumes its OrganizationAccountAccessRole and re-issues the session for those credentials. */
  async function switchRole(req: AnyRequest, res: AnyResponse, body: Buffer): Promise<void> {
    const { claims, caller } = await session(req);
    const input = parseJsonBody(body) as Record<string, unknown>;
    const accountId = input.accountId;
    if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) throw new ServiceError('ValidationException', 'accountId must be a 12-digit account id.');
    const roleName = input.roleName ?? SWITCH_ROLE_NAME;
    if (typeof roleName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(roleName)) throw new ServiceError('ValidationException', 'roleName must be an IAM role name.');
    const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
    const creds = await hooks.assumeRole(caller, roleArn, `console-${caller.accountId}`);
    const next = deps.sessions.issue(creds.accessKeyId, claims.region, { base: claims.base ?? claims.accessKeyId, expiresAt: Math.min(creds.expiresAt, claims.expiresAt) });
    replaceSession(req, res, claims, await hooks.callerOf(next.claims), next);
  }

  async function switchBack(req: AnyRequest, res: AnyResponse): Promise<void> {
    const { claims } = await session(req);
    if (!claims.base) throw new ServiceError('ValidationException', 'This session has not switched role: there is nothing to switch back from.');
    const next = deps.sessions.issue(claims.base, claims.region, { expiresAt: claims.expiresAt });
    replaceSession(req, res, claims, await hooks.callerOf(next.claims), next);
  }

  async function signIn(req: AnyRequest, res: AnyResponse, body: Buffer): Promise<void> {
    if (!(header(req, 'content-type') ?? '').startsWith('application/json'))
      throw new ServiceError('UnsupportedMediaTypeException', 'Sign in with a JSON body (content-type: application/json).');
    const input = parseJsonBody(body) as Record<string, unknown>;
    const str = (name: string, required: boolean): string | undefined => {
      const v = input[name];
      if (v === undefined || v === '') {
        if (required) throw new ServiceError('ValidationException', `${name} is required.`);
        return undefined;
      }
      if (typeof v !== 'string' || v.length > 4096) throw new ServiceError('ValidationException', `${name} must be a string of at most 4096 characters.`);
      return v.trim();
    };
    const accessKeyId = str('accessKeyId', true) ?? '';
    const secret = str('secretAccessKey', true) ?? '';
    const token = str('sessionToken', false);
    const region = str('region', false);
    for (const k of Object.keys(input))
      if (!['accessKeyId', 'secretAccessKey', 'sessionToken', 'region'].includes(k))
        throw new ServiceError('ValidationException', `Unknown field '${k.slice(0, 50)}': send accessKeyId, secretAccessKey and optionally sessionToken and region.`);
    // Loopback counts too here (the API exempts it): the console is signed in to from browsers.
    const address = clientAddress(req, false) ?? 'unknown';
    const now = Date.now();
    throttle(address, now);
    let caller: Caller;
    try {
      caller = await hooks.authenticate(accessKeyId, secret, token, region);
    } catch (e) {
      if (e instanceof ServiceError && e.code !== 'ValidationException') recordFailure(address, now);
      throw e;
    }
    const { token: cookie, claims } = deps.sessions.issue(accessKeyId, caller.region);
    sendJson(res, 200, sessionBody(caller, claims), {
      ...SECURITY_HEADERS,
      'set-cookie': sessionCookie(cookie, Math.floor(deps.sessions.ttlMs / 1000), isSecure(req)),
    });
  }

  async function handle(
    req: AnyRequest,
    res: AnyResponse,
    rawPath: string,
    requestId: string,
    read: (req: AnyRequest) => Promise<{ body: Buffer; release: () => void }>,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    if (rawPath.startsWith('/console/api/')) {
      try {
        checkSameOrigin(req);
        if (method === 'POST' && (rawPath === '/console/api/session/switch-role' || rawPath === '/console/api/session/switch-back')) {
          const { body, release } = await read(req);
          try {
            if (rawPath.endsWith('switch-role')) await switchRole(req, res, body);
            else await switchBack(req, res);
          } finally {
            release();
          }
          return;
        }
        if (rawPath !== '/console/api/session') throw new ServiceError('UnknownOperationException', `No console operation at ${method} ${rawPath.slice(0, 100)}.`);
        if (method === 'POST') {
          const { body, release } = await read(req);
          try {
            await signIn(req, res, body);
          } finally {
            release();
          }
          return;
        }
        const claims = deps.sessions.read(cookieValue(header(req, 'cookie'), SESSION_COOKIE));
        if (method === 'GET') {
          // A session whose key no longer works is no session: the console shows its sign-in.
          const caller = claims ? await hooks.callerOf(claims).catch(keyGone) : undefined;
          sendJson(res, 200, caller && claims ? sessionBody(caller, claims) : { signedIn: false }, SECURITY_HEADERS);
          return;
        }
        if (method === 'DELETE') {
          // Signing out needs the session's CSRF token too (a forged sign-out is a nuisance, not harmless).
          if (claims) {
            if (!deps.sessions.checkCsrf(claims, header(req, CSRF_HEADER)))
              throw new ServiceError('AccessDeniedException', `Signing out needs this session's CSRF token (${CSRF_HEADER}).`);
            deps.sessions.revoke(claims);
          }
          sendJson(res, 200, { signedIn: false }, { ...SECURITY_HEADERS, 'set-cookie': clearedSessionCookie(isSecure(req)) });
          return;
        }
        throw new ServiceError('UnknownOperationException', `No console operation at ${method} ${rawPath}.`);
      } catch (e) {
        if (e instanceof ServiceError) {
          sendError(res, e, requestId);
          return;
        }
        throw e;
      }
    }

    if (method !== 'GET' && method !== 'HEAD') {
      sendError(res, new ServiceError('UnknownOperationException', `The console serves pages with GET, not ${method.slice(0, 10)}.`), requestId);
      return;
    }
    if (rawPath === '/console') {
      res.writeHead(302, { location: '/console/', 'content-length': 0 });
      res.end();
      return;
    }
    if (!deps.files.built) {
      const text = `The web console is not built. Run \`npm run build:console\` (npm start does it) and restart.\n`;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...SECURITY_HEADERS });
      res.end(text);
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(rawPath.slice('/console/'.length));
    } catch {
      path = '\0';
    }
    const file = path.includes('..') || path.includes('\0') ? undefined : deps.files.lookup(path);
    if (!file) {
      const text = 'Not found.\n';
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff' });
      res.end(text);
      return;
    }
    const gzip = file.gzip && /\bgzip\b/.test(header(req, 'accept-encoding') ?? '');
    const body = gzip && file.gzip ? file.gzip : file.body;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': CONSOLE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    if (method === 'HEAD') res.end();
    else res.end(body);
  }

  return { handle, session };
}

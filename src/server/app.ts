/**
 * The request pipeline: route → read body (bounded) → authenticate (SigV4) → parse → operation →
 * AWS-shaped response. Every failure becomes an AWS error; nothing escapes as a crash or a bare 500.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../core/caller.ts';
import { isServiceError, ServiceError } from '../core/errors.ts';
import type { Clock } from '../core/ports.ts';
import type { Store } from '../store/types.ts';
import { CHANGE_SOURCE_HEADER, parseChangeSource, withChangeSource } from '../audit/change-source.ts';
import { BodyBudget, parseJsonBody, readBody, sendError, sendJson, sendXml } from './http-io.ts';
import type { AnyRequest, AnyResponse, Handler } from './listener.ts';
import { parseForm, queryError, queryResponse } from './protocols/aws-query.ts';
import { type Operation, type OperationResult, type Protocol, RECORD_POINT, Router, safePath } from './router.ts';
import { hasDotSegment, type KeyLookup, parseRawQuery, prepareSigV4, scopeServiceOf } from './sigv4.ts';
import { type AuthFailureLimits, AuthThrottle, clientAddress } from './auth-throttle.ts';
import { type ConsoleDeps, createConsoleRoutes } from './console/routes.ts';
import { cookieValue, SESSION_COOKIE } from './console/session.ts';

const QUERY_BODY_LIMIT = 64 * 1024;

export interface AppDeps {
  store: Store;
  clock: Clock;
  operations: readonly Operation[];
  /** Regions a request may be signed for (default: any well-formed Region). */
  regions?: ReadonlySet<string>;
  /** Request bytes buffered at once across all requests (default 256 MiB). */
  maxBufferedBodyBytes?: number;
  log?: (line: Record<string, unknown>) => void;
  /** Region of bearer-authenticated calls that name none (`x-parapet-region` header). Default us-east-1. */
  defaultRegion?: string;
  /** Served at `GET /metrics` (Prometheus text) when given. */
  metrics?: { render(): Promise<string>; contentType(): string };
  /** The web console at /console and its cookie sessions (cookie-authenticated API calls need it). */
  console?: ConsoleDeps;
  /**
   * Readiness for `GET /ready` (see `readiness.ts`): whether the store answers. Without it `/ready` answers 200
   * as soon as the server listens. `GET /health` (liveness) never consults it.
   */
  readiness?: () => Promise<Readiness>;
  /**
   * Limits on failed authentication attempts of SigV4-signed and bearer-key calls, per client address and per
   * access key id (`auth-throttle.ts`; its defaults when absent, off when false).
   */
  authFailureLimits?: Partial<AuthFailureLimits> | false;
}

export interface Readiness {
  ready: boolean;
  /** Said in the 503 body: what is not ready and why. */
  reason?: string;
  [detail: string]: unknown;
}

interface AuthKey extends KeyLookup {
  accountId: string;
  principalArn: string;
  /** STS temporary credentials only. */
  session?: { sessionTokenSha256: string; expiresAt: string; roleArn: string; sourcePrincipalArn: string };
}

/** The authenticated caller of a request signed (or bearing) this key, in this Region. */
function callerOf(key: AuthKey, accessKeyId: string, region: string): Caller {
  const { session } = key;
  return {
    accountId: key.accountId,
    principalArn: key.principalArn,
    accessKeyId,
    region,
    ...(session ? { session: { roleArn: session.roleArn, sourcePrincipalArn: session.sourcePrincipalArn, expiresAt: session.expiresAt } } : {}),
  };
}

interface CachedKey {
  key: AuthKey | undefined;
  expires: number;
}

const KEY_CACHE_MS = 5_000;
/** A request body must arrive within this time. */
const BODY_DEADLINE_MS = 60_000;
const INVALID_TOKEN = 'The security token included in the request is invalid.';
/**
 * The refusals of a presented credential that count against the failed-authentication limits: a wrong or stale
 * signature, an unknown, inactive or deleted key, a wrong or expired session token. Not a missing or malformed
 * Authorization header (nothing was tried), nor a refusal by those limits themselves.
 */
const COUNTED_AUTH_FAILURES: ReadonlySet<string> = new Set([
  'InvalidSignatureException',
  'SignatureDoesNotMatchException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
]);
const JSON_1_1 = 'application/x-amz-json-1.1';
/** Operations that deactivate or delete an access key: the key cache forgets keys when one succeeds. */
const KEY_WRITES: ReadonlySet<string> = new Set(['UpdateAccessKey', 'DeleteAccessKey']);

function header(req: AnyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Whether the lower-case header `name` was sent more than once with different values (Node keeps the first). */
function conflicting(req: AnyRequest, name: string): boolean {
  const raw = req.rawHeaders;
  let first: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i];
    if (k === undefined || k.length !== name.length || k.toLowerCase() !== name) continue;
    const v = (raw[i + 1] ?? '').trim();
    if (first === undefined) first = v;
    else if (v !== first) return true;
  }
  return false;
}

/** The protocol a request speaks, decided from its method, path and headers before anything else. */
function protocolOf(req: AnyRequest, method: string, rawPath: string, rawQuery: string): Protocol {
  if (method !== 'POST' || rawPath !== '/') return rawPath === '/' && /(^|&)Action=/.test(rawQuery) ? 'awsQuery' : 'restJson1';
  if (header(req, 'x-amz-target') !== undefined) return 'awsJson1_1';
  const ct = header(req, 'content-type') ?? '';
  return ct.startsWith('application/x-www-form-urlencoded') ? 'awsQuery' : 'restJson1';
}

/**
 * The request handler, plus `idle` (resolves true once no request runs, false after `timeoutMs`) and
 * `forgetKey` (drops one access key, or all, from the key cache: the key changed, maybe on another replica).
 */
export type AppHandler = Handler & { idle(timeoutMs: number): Promise<boolean>; forgetKey(accessKeyId?: string): void };

export function createHandler(deps: AppDeps): AppHandler {
  const router = new Router();
  const targets = new Map<string, Operation>();
  const queryOps = new Map<string, Operation>();
  for (const op of deps.operations) {
    const protocol = op.protocol ?? 'restJson1';
    if (protocol === 'restJson1') router.add(op);
    else if (protocol === 'awsJson1_1') targets.set(op.target ?? op.name, op);
    else queryOps.set(`${op.signingName}:${op.name}`, op);
  }
  const queryServices = new Map<string, string>();
  for (const op of queryOps.values()) queryServices.set(op.signingName, op.xmlns ?? '');
  const keyCache = new Map<string, CachedKey>();
  // Bumped by forgetKey: a lookup that read the store before then may hold the old key and is not cached.
  let keyGeneration = 0;
  const budget = new BodyBudget(deps.maxBufferedBodyBytes ?? 256 * 1024 * 1024);
  const throttle = deps.authFailureLimits === false ? undefined : new AuthThrottle(deps.authFailureLimits ?? {});

  async function lookupKey(accessKeyId: string): Promise<AuthKey | undefined> {
    const now = deps.clock.now();
    const hit = keyCache.get(accessKeyId);
    if (hit && hit.expires > now) return hit.key;
    const generation = keyGeneration;
    let key: AuthKey | undefined;
    if (accessKeyId.startsWith('ASIA')) {
      const s = await deps.store.sessions.get(accessKeyId);
      if (s)
        key = {
          accessKeyId: s.accessKeyId,
          secretAccessKey: s.secretAccessKey,
          accountId: s.accountId,
          principalArn: s.principalArn,
          session: {
            sessionTokenSha256: s.sessionTokenSha256,
            expiresAt: s.expiresAt,
            roleArn: s.roleArn,
            sourcePrincipalArn: s.sourcePrincipalArn,
          },
        };
    } else {
      const rec = await deps.store.accessKeys.get(accessKeyId);
      if (rec && rec.status === 'Active')
        key = {
          accessKeyId: rec.accessKeyId,
          secretAccessKey: rec.secretAccessKey,
          accountId: rec.accountId,
          principalArn: rec.principalArn,
        };
    }
    if (generation !== keyGeneration) return key;
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(accessKeyId, { key, expires: now + KEY_CACHE_MS });
    return key;
  }

  /** Session credentials need their token; long-term keys must not carry one. */
  /**
   * Session credentials need their (unexpired) token; long-term keys must not carry one. `missing` is the
   * message when a session key comes without a valid token.
   */
  function checkSessionToken(key: AuthKey, token: string | undefined, missing = INVALID_TOKEN): void {
    if (!key.session) {
      if (token !== undefined) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);
      return;
    }
    const a = createHash('sha256').update(token ?? '').digest();
    const b = Buffer.from(key.session.sessionTokenSha256, 'hex');
    if (token === undefined || a.length !== b.length || !timingSafeEqual(a, b)) throw new ServiceError('UnrecognizedClientException', missing);
    if (Date.parse(key.session.expiresAt) <= deps.clock.now())
      throw new ServiceError('ExpiredTokenException', 'The security token included in the request is expired.');
  }

  /** One authentication attempt under the failed-authentication limits (`address` undefined: not limited). */
  interface AuthAttempt {
    address: string | undefined;
    /** The access key id the request names, once its credential parsed. */
    keyId: string | undefined;
  }

  /**
   * Refuses, before any lookup or HMAC, an attempt from an address or with a key that has failed too often
   * (unless the key has authenticated from this address before: see auth-throttle.ts).
   */
  function admitAttempt(attempt: AuthAttempt, accessKeyId: string, res: AnyResponse): void {
    attempt.keyId = accessKeyId;
    if (!throttle || attempt.address === undefined) return;
    const refusal = throttle.check(attempt.address, accessKeyId, deps.clock.now());
    if (!refusal) return;
    const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
    if (!res.headersSent) res.setHeader('retry-after', String(seconds));
    throw new ServiceError(
      'ThrottlingException',
      `Too many failed authentication attempts ${refusal.scope === 'address' ? 'from this address' : 'with this access key'}; try again in ${seconds} s.`,
    );
  }

  /** Counts a refused credential; the failure that reaches a limit is logged once (the request's own line follows). */
  function authFailed(attempt: AuthAttempt, err: unknown, requestId: string): void {
    if (!throttle || attempt.address === undefined || attempt.keyId === undefined) return;
    if (!(err instanceof ServiceError) || !COUNTED_AUTH_FAILURES.has(err.code)) return;
    const { windowMs, perAddress, perKey } = throttle.limits;
    for (const scope of throttle.failed(attempt.address, attempt.keyId, deps.clock.now()))
      deps.log?.({
        requestId,
        event: 'AuthFailureLimitReached',
        scope,
        address: attempt.address,
        accessKeyId: attempt.keyId,
        failures: scope === 'address' ? perAddress : perKey,
        refusedForSeconds: Math.ceil(windowMs / 1000),
      });
  }

  function authSucceeded(attempt: AuthAttempt): void {
    if (throttle && attempt.address !== undefined && attempt.keyId !== undefined) throttle.succeeded(attempt.address, attempt.keyId, deps.clock.now());
  }

  /**
   * A request with two different Authorization (or Host) headers is refused: Node keeps the first, a proxy in
   * front may act on another, and the signature never covers Authorization itself. (The same line repeated is
   * not ambiguous.)
   */
  function refuseAmbiguousAuth(req: AnyRequest, bearer: boolean): void {
    if (conflicting(req, 'authorization'))
      throw new ServiceError(
        bearer ? 'UnrecognizedClientException' : 'IncompleteSignatureException',
        'The request carries more than one Authorization header; send exactly one.',
      );
    if (conflicting(req, 'host')) throw new ServiceError('ValidationException', 'The request carries more than one Host header, with different values.');
  }

  interface RequestState {
    protocol: Protocol;
    xmlns: string;
    errorStyle: 'aws' | 'openai';
  }

  /**
   * `Authorization: Bearer <AccessKeyId>:<SecretAccessKey>[:<SessionToken>]` (the OpenAI-compatible endpoint).
   * `admit` sees the key id before anything is looked up.
   */
  async function bearerCaller(req: AnyRequest, admit?: (accessKeyId: string) => void): Promise<Caller> {
    const auth = header(req, 'authorization') ?? '';
    const m = /^Bearer\s+([A-Z0-9]{16,128}):([^:\s]{1,256})(?::(\S{1,4096}))?$/.exec(auth);
    if (!m)
      throw new ServiceError(
        'UnrecognizedClientException',
        auth.startsWith('Bearer ')
          ? 'The API key is not valid: use "<AccessKeyId>:<SecretAccessKey>" of a Parapet access key.'
          : 'Missing API key: send "Authorization: Bearer <AccessKeyId>:<SecretAccessKey>".',
      );
    const [, accessKeyId = '', secret = '', token] = m;
    admit?.(accessKeyId);
    const key = await keyWithSecret(accessKeyId, secret);
    if (!key) throw new ServiceError('UnrecognizedClientException', 'The API key is not valid (unknown or inactive access key, or wrong secret).');
    checkSessionToken(key, token, 'Temporary credentials need their session token: "<AccessKeyId>:<SecretAccessKey>:<SessionToken>".');
    return callerOf(key, accessKeyId, regionOf(header(req, 'x-parapet-region'), deps.defaultRegion ?? 'us-east-1'));
  }

  /** The active key `accessKeyId` if `secret` is its secret (compared in constant time), else undefined. */
  async function keyWithSecret(accessKeyId: string, secret: string): Promise<AuthKey | undefined> {
    const key = /^[A-Z0-9]{16,128}$/.test(accessKeyId) ? await lookupKey(accessKeyId) : undefined;
    const a = Buffer.from(secret);
    const b = Buffer.from(key?.secretAccessKey ?? '');
    return key && a.length === b.length && timingSafeEqual(a, b) ? key : undefined;
  }

  /** The key's secret (and session token) checked: the console's sign-in. */
  async function authenticateKey(accessKeyId: string, secret: string, token: string | undefined): Promise<AuthKey> {
    const key = await keyWithSecret(accessKeyId, secret);
    if (!key)
      throw new ServiceError('UnrecognizedClientException', 'The access key ID or secret access key is not valid (unknown, inactive or mistyped).');
    checkSessionToken(key, token, 'Temporary credentials need their session token.');
    return key;
  }

  /** The Region a call without a SigV4 scope names (`x-parapet-region`, or the sign-in's `region`), else `fallback`. */
  function regionOf(requested: string | undefined, fallback: string): string {
    const region = requested ?? fallback;
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region) || (deps.regions && !deps.regions.has(region)))
      throw new ServiceError('ValidationException', `x-parapet-region '${region.slice(0, 40)}' is not a Region this gateway serves.`);
    return region;
  }

  const consoleRoutes = deps.console
    ? createConsoleRoutes(deps.console, {
        authenticate: async (accessKeyId, secret, token, region) => {
          const key = await authenticateKey(accessKeyId, secret, token);
          return callerOf(key, accessKeyId, regionOf(region, deps.defaultRegion ?? 'us-east-1'));
        },
        callerOf: async (claims) => {
          const key = await lookupKey(claims.accessKeyId);
          if (!key) throw new ServiceError('UnrecognizedClientException', 'The access key of this console session is no longer active: sign in again.');
          if (key.session && Date.parse(key.session.expiresAt) <= deps.clock.now())
            throw new ServiceError('ExpiredTokenException', 'The temporary credentials of this console session have expired: sign in again.');
          return callerOf(key, claims.accessKeyId, claims.region);
        },
        assumeRole: deps.console.assumeRole,
        defaultRegion: deps.defaultRegion ?? 'us-east-1',
        regions: deps.regions,
      })
    : undefined;

  /** A browser call of the console: its session (cookie, CSRF header, a still-active key), in the Region it names. */
  async function cookieCaller(req: AnyRequest): Promise<Caller> {
    if (!consoleRoutes) throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const { claims, caller } = await consoleRoutes.session(req);
    return { ...caller, region: regionOf(header(req, 'x-parapet-region'), claims.region) };
  }

  async function handle(req: AnyRequest, res: AnyResponse, requestId: string, state: RequestState): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    // Liveness: the process answers. Readiness: it can serve calls (its store answers), so a load balancer
    // sends traffic elsewhere while this replica would only refuse it. Both unauthenticated and cheap.
    if (method === 'GET' && rawPath === '/health') {
      sendJson(res, 200, { status: 'ok' }, { 'x-amzn-requestid': requestId, 'cache-control': 'no-store' });
      return;
    }
    if (method === 'GET' && rawPath === '/ready') {
      const r = deps.readiness ? await deps.readiness() : { ready: true };
      const { ready, ...detail } = r;
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', ...detail }, { 'x-amzn-requestid': requestId, 'cache-control': 'no-store' });
      return;
    }

    if (method === 'GET' && rawPath === '/metrics' && deps.metrics) {
      const text = await deps.metrics.render();
      res.writeHead(200, { 'content-type': deps.metrics.contentType(), 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }

    if (rawPath === '/console' || rawPath.startsWith('/console/')) {
      if (!consoleRoutes) throw new ServiceError('UnknownOperationException', 'The web console is not served by this gateway.');
      if (req.httpVersion === '1.1' && req.headers.host === undefined) throw new ServiceError('ValidationException', 'An HTTP/1.1 request needs a Host header.');
      await consoleRoutes.handle(req, res, rawPath, requestId, (r) => readBody(r, 16 * 1024, { deadlineMs: BODY_DEADLINE_MS, budget }));
      return;
    }

    const protocol = protocolOf(req, method, rawPath, rawQuery);
    state.protocol = protocol;
    let op: Operation | undefined;
    let labels: Record<string, string> = {};
    let signingName: string;
    if (protocol === 'awsJson1_1') {
      const target = header(req, 'x-amz-target') ?? '';
      op = targets.get(target);
      if (!op) throw new ServiceError('UnknownOperationException', `No operation is served for X-Amz-Target '${target.slice(0, 200)}'.`);
      signingName = op.signingName;
    } else if (protocol === 'awsQuery') {
      const service = scopeServiceOf(req.headers.authorization);
      const first = queryServices.keys().next().value ?? 'sts';
      signingName = service !== undefined && queryServices.has(service) ? service : first;
      state.xmlns = queryServices.get(signingName) ?? '';
    } else {
      const match = router.match(method, rawPath);
      if (!match) throw new ServiceError('UnknownOperationException', `No operation is served at ${method} ${safePath(rawPath)}.`);
      op = match.op;
      labels = match.labels;
      signingName = op.signingName;
    }

    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      if (op?.auth === 'bearer') state.errorStyle = op.errorStyle ?? 'aws';
      throw new ServiceError('ValidationException', 'An HTTP/1.1 request needs a Host header.');
    }

    // Who is calling: an API key (the OpenAI-compatible endpoint), a console session cookie, or a SigV4 signature
    // (whose body hash is checked once the body is read).
    let caller: Caller;
    let verify: ((body: Buffer) => Promise<unknown>) | undefined;
    let via: 'console' | undefined;
    const consoleCall = header(req, 'authorization') === undefined && cookieValue(header(req, 'cookie'), SESSION_COOKIE) !== undefined;
    if (op?.auth !== 'bearer' && consoleCall && deps.console) {
      caller = await cookieCaller(req);
      via = 'console';
    } else {
      const bearer = op?.auth === 'bearer';
      if (bearer) state.errorStyle = op?.errorStyle ?? 'aws';
      const attempt: AuthAttempt = { address: throttle ? clientAddress(req, throttle.limits.exemptLoopback) : undefined, keyId: undefined };
      const admit = (accessKeyId: string) => admitAttempt(attempt, accessKeyId, res);
      try {
        refuseAmbiguousAuth(req, bearer);
        if (bearer) {
          caller = await bearerCaller(req, admit);
          authSucceeded(attempt);
        } else {
          // The router sees `.` and `..` as segments, the signature covers the path without them.
          if (hasDotSegment(rawPath))
            throw new ServiceError('ValidationException', "The request path contains a '.' or '..' segment; send the path without them.");
          const pending = await prepareSigV4(
            { method, rawPath, rawQuery, headers: req.headers },
            { now: deps.clock.now(), expectedService: signingName, regions: deps.regions, lookup: lookupKey, onCredential: admit },
          );
          checkSessionToken(pending.key, header(req, 'x-amz-security-token'));
          verify = async (body) => {
            try {
              await pending.verify(body);
            } catch (e) {
              authFailed(attempt, e, requestId);
              throw e;
            }
            authSucceeded(attempt);
          };
          caller = callerOf(pending.key, pending.accessKeyId, pending.region);
        }
      } catch (e) {
        authFailed(attempt, e, requestId);
        throw e;
      }
    }

    const { body, release } = await readBody(req, op?.bodyLimitBytes ?? QUERY_BODY_LIMIT, { deadlineMs: BODY_DEADLINE_MS, budget });
    let parsed: unknown;
    try {
      await verify?.(body);
      ({ op, parsed } = parseSigned(protocol, op, signingName, body, rawQuery));
    } finally {
      release();
    }
    const result = await withChangeSource(parseChangeSource(req.headers[CHANGE_SOURCE_HEADER]), () => runOperation(op, res, {
      requestId,
      caller,
      labels,
      query: parseRawQuery(rawQuery),
      headers: req.headers,
      body: parsed,
      ...(op.rawBody ? { rawBody: body } : {}),
    }));
    // A deactivated or deleted key stops working on this replica at once (other replicas: the store's change feed).
    if (KEY_WRITES.has(op.name)) forgetKey();
    await writeResult(res, protocol, state, op, result, requestId);
    deps.log?.({ requestId, op: op.name, account: caller.accountId, status: result.status, ...(via ? { via } : {}) });
  }

  /** The operation and its input from the request body (awsQuery names its action in the body). */
  function parseSigned(protocol: Protocol, op: Operation | undefined, signingName: string, body: Buffer, rawQuery: string): { op: Operation; parsed: unknown } {
    let parsed: unknown;
    if (protocol === 'awsQuery') {
      const params = parseForm(body);
      if (params.size === 0) for (const [k, v] of new URLSearchParams(rawQuery)) params.set(k, v);
      const action = params.get('Action') ?? '';
      op = queryOps.get(`${signingName}:${action}`);
      if (!op) throw new ServiceError('UnknownOperationException', `The action '${action.slice(0, 100)}' is not valid for this endpoint.`);
      parsed = params;
    } else if (!op?.rawBody) {
      parsed = parseJsonBody(body);
    }
    if (!op) throw new ServiceError('UnknownOperationException', 'No operation matched the request.');
    return { op, parsed };
  }

  /**
   * Runs the operation with an abort signal that fires when the client goes away first. The signal is made on
   * first use (model calls pass it upstream; ApplyGuardrail and the control plane never read it, and an
   * AbortController per request is not free); one asked for after the client left is already aborted.
   */
  async function runOperation(
    op: Operation,
    res: AnyResponse,
    ctx: Omit<Parameters<Operation['handle']>[0], 'signal'>,
  ): Promise<OperationResult> {
    let ac: AbortController | undefined;
    let gone = false;
    res.once('close', () => {
      if (res.writableFinished) return;
      gone = true;
      ac?.abort();
    });
    return op.handle({
      ...ctx,
      get signal() {
        if (!ac) {
          ac = new AbortController();
          if (gone) ac.abort();
        }
        return ac.signal;
      },
    });
  }

  async function writeResult(
    res: AnyResponse,
    protocol: Protocol,
    state: RequestState,
    op: Operation,
    result: OperationResult,
    requestId: string,
  ): Promise<void> {
    const baseHeaders = { 'x-amzn-requestid': requestId, ...result.headers };
    if (result.stream) {
      await writeStream(res, result.status, baseHeaders, result.stream, requestId, result.after);
      return;
    }
    // The audit records are durable before the answer is sent: an acknowledged call is always on the trail.
    if (result.after) {
      try {
        await result.after();
      } catch (err) {
        deps.log?.({ requestId, error: 'AuditWriteFailed', detail: err instanceof Error ? err.message : String(err) });
        throw new ServiceError(
          'ServiceUnavailableException',
          `The answer was withheld because its audit record could not be written: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    if (result.raw) {
      if (!res.headersSent && !res.writableEnded) {
        res.writeHead(result.status, { 'content-length': result.raw.byteLength, ...baseHeaders });
        res.end(result.raw);
      }
    } else if (protocol === 'awsQuery') sendXml(res, result.status, queryResponse(op.name, state.xmlns, result.body, requestId), baseHeaders);
    else if (protocol === 'awsJson1_1') sendJson(res, result.status, result.body ?? {}, { 'content-type': JSON_1_1, ...baseHeaders });
    else sendJson(res, result.status, result.body ?? {}, baseHeaders);
  }

  async function writeStream(
    res: AnyResponse,
    status: number,
    headers: Record<string, string>,
    stream: AsyncIterable<Uint8Array | string | typeof RECORD_POINT>,
    requestId: string,
    record?: () => Promise<void>,
  ): Promise<void> {
    res.writeHead(status, headers);
    // Both HTTP/1.1 and HTTP/2 compatibility responses are writable streams.
    const out = res as unknown as NodeJS.WritableStream & { writableEnded: boolean; destroyed: boolean };
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    // The stream's audit records are durable before its closing frame (at RECORD_POINT) or, failing that, before
    // the response ends. If they cannot be written the response is cut off unfinished: the client never sees a
    // completed stream that is not on the audit trail.
    let recorded = !record;
    const durable = async (): Promise<boolean> => {
      if (recorded || !record) return true;
      recorded = true;
      try {
        await record();
        return true;
      } catch (err) {
        deps.log?.({ requestId, error: 'AuditWriteFailed', detail: err instanceof Error ? err.message : String(err) });
        if (!res.writableEnded && !res.destroyed) res.destroy(new Error('the audit record of this stream could not be written'));
        return false;
      }
    };
    try {
      for await (const chunk of stream) {
        if (chunk === RECORD_POINT) {
          if (!(await durable())) return;
          continue;
        }
        if (res.writableEnded || res.destroyed) break;
        if (!out.write(chunk)) await Promise.race([new Promise<void>((r) => res.once('drain', () => r())), closed]);
      }
    } catch (err) {
      // The stream reports its own errors in-band; anything that escapes only ends the response.
      deps.log?.({ requestId, error: 'StreamFailed', detail: err instanceof Error ? err.stack : String(err) });
    }
    if (!(await durable())) return;
    if (!res.writableEnded && !res.destroyed) res.end();
  }

  function sendFailure(res: AnyResponse, err: ServiceError, requestId: string, state: RequestState): void {
    if (state.errorStyle === 'openai') {
      sendOpenAIError(res, err, requestId);
      return;
    }
    if (state.protocol === 'awsQuery') sendXml(res, err.status, queryError(err, state.xmlns, requestId), { 'x-amzn-requestid': requestId });
    else if (state.protocol === 'awsJson1_1') sendError(res, err, requestId, JSON_1_1);
    else sendError(res, err, requestId);
  }

  // Requests still being handled (their after-answer work, such as audit records, included), for a clean stop.
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  const settled = () => {
    inFlight--;
    if (inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };
  const handler = ((req, res) => {
    const requestId = randomUUID();
    const state: RequestState = { protocol: 'restJson1', xmlns: '', errorStyle: 'aws' };
    inFlight++;
    handle(req, res, requestId, state).catch((err: unknown) => {
      if (isServiceError(err)) {
        sendFailure(res, err, requestId, state);
        deps.log?.({ requestId, error: err.code, status: err.status });
        return;
      }
      deps.log?.({ requestId, error: 'InternalServerException', detail: err instanceof Error ? err.stack : String(err) });
      sendFailure(
        res,
        new ServiceError('InternalServerException', `An internal error occurred. Request id: ${requestId}.`),
        requestId,
        state,
      );
    }).finally(settled);
  }) as AppHandler;
  function forgetKey(accessKeyId?: string): void {
    keyGeneration++;
    if (accessKeyId === undefined) keyCache.clear();
    else keyCache.delete(accessKeyId);
  }
  handler.forgetKey = forgetKey;
  /** Resolves true once no request is being handled, or false after `timeoutMs`. */
  handler.idle = (timeoutMs: number) =>
    inFlight === 0
      ? Promise.resolve(true)
      : new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          timer.unref();
          idleWaiters.push(() => {
            clearTimeout(timer);
            resolve(true);
          });
        });
  return handler;
}

/** OpenAI's error object; authentication failures are 401 as OpenAI clients expect. */
function sendOpenAIError(res: AnyResponse, err: ServiceError, requestId: string): void {
  const unauthenticated = err.code === 'UnrecognizedClientException' || err.code === 'ExpiredTokenException';
  const status = unauthenticated ? 401 : err.status;
  const type =
    status === 401
      ? 'authentication_error'
      : status === 403
        ? 'permission_error'
        : status === 404
          ? 'not_found_error'
          : status === 429
            ? 'rate_limit_error'
            : status >= 500
              ? 'api_error'
              : 'invalid_request_error';
  const param = typeof err.members['param'] === 'string' ? err.members['param'] : null;
  sendJson(
    res,
    status,
    { error: { message: err.message, type, param, code: err.code } },
    { 'x-amzn-errortype': err.code, 'x-amzn-requestid': requestId, 'x-request-id': requestId },
  );
}

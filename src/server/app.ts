/**
 * The request pipeline: route → read body (bounded) → authenticate (SigV4) → parse → operation →
 * AWS-shaped response. Every failure becomes an AWS error; nothing escapes as a crash or a bare 500.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../core/caller.ts';
import { isServiceError, ServiceError } from '../core/errors.ts';
import type { Clock } from '../core/ports.ts';
import type { Store } from '../store/types.ts';
import { BodyBudget, parseJsonBody, readBody, sendError, sendJson, sendXml } from './http-io.ts';
import type { AnyRequest, AnyResponse, Handler } from './listener.ts';
import { parseForm, queryError, queryResponse } from './protocols/aws-query.ts';
import { type Operation, type Protocol, Router, safePath } from './router.ts';
import { type KeyLookup, parseRawQuery, prepareSigV4, scopeServiceOf } from './sigv4.ts';

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
}

interface AuthKey extends KeyLookup {
  accountId: string;
  principalArn: string;
  /** STS temporary credentials only. */
  session?: { sessionTokenSha256: string; expiresAt: string; roleArn: string; sourcePrincipalArn: string };
}

interface CachedKey {
  key: AuthKey | undefined;
  expires: number;
}

const KEY_CACHE_MS = 5_000;
/** A request body must arrive within this time. */
const BODY_DEADLINE_MS = 60_000;
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const JSON_1_1 = 'application/x-amz-json-1.1';

function header(req: AnyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The protocol a request speaks, decided from its method, path and headers before anything else. */
function protocolOf(req: AnyRequest, method: string, rawPath: string, rawQuery: string): Protocol {
  if (method !== 'POST' || rawPath !== '/') return rawPath === '/' && /(^|&)Action=/.test(rawQuery) ? 'awsQuery' : 'restJson1';
  if (header(req, 'x-amz-target') !== undefined) return 'awsJson1_1';
  const ct = header(req, 'content-type') ?? '';
  return ct.startsWith('application/x-www-form-urlencoded') ? 'awsQuery' : 'restJson1';
}

export function createHandler(deps: AppDeps): Handler {
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
  const budget = new BodyBudget(deps.maxBufferedBodyBytes ?? 256 * 1024 * 1024);

  async function lookupKey(accessKeyId: string): Promise<AuthKey | undefined> {
    const now = deps.clock.now();
    const hit = keyCache.get(accessKeyId);
    if (hit && hit.expires > now) return hit.key;
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
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(accessKeyId, { key, expires: now + KEY_CACHE_MS });
    return key;
  }

  /** Session credentials need their token; long-term keys must not carry one. */
  function checkSessionToken(req: AnyRequest, key: AuthKey): void {
    const token = header(req, 'x-amz-security-token');
    if (!key.session) {
      if (token !== undefined) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);
      return;
    }
    if (token === undefined) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);
    const a = createHash('sha256').update(token).digest();
    const b = Buffer.from(key.session.sessionTokenSha256, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);
    if (Date.parse(key.session.expiresAt) <= deps.clock.now())
      throw new ServiceError('ExpiredTokenException', 'The security token included in the request is expired.');
  }

  interface RequestState {
    protocol: Protocol;
    xmlns: string;
  }

  async function handle(req: AnyRequest, res: AnyResponse, requestId: string, state: RequestState): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);

    if (method === 'GET' && (rawPath === '/health' || rawPath === '/ready')) {
      sendJson(res, 200, { status: 'ok' }, { 'x-amzn-requestid': requestId });
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

    const pending = await prepareSigV4(
      { method, rawPath, rawQuery, headers: req.headers },
      { now: deps.clock.now(), expectedService: signingName, regions: deps.regions, lookup: lookupKey },
    );
    checkSessionToken(req, pending.key);
    const limit = op?.bodyLimitBytes ?? QUERY_BODY_LIMIT;
    const { body, release } = await readBody(req, limit, { deadlineMs: BODY_DEADLINE_MS, budget });
    let parsed: unknown;
    try {
      await pending.verify(body);
      if (protocol === 'awsQuery') {
        const params = parseForm(body);
        if (params.size === 0) for (const [k, v] of new URLSearchParams(rawQuery)) params.set(k, v);
        const action = params.get('Action') ?? '';
        op = queryOps.get(`${signingName}:${action}`);
        if (!op) throw new ServiceError('UnknownOperationException', `The action '${action.slice(0, 100)}' is not valid for this endpoint.`);
        parsed = params;
      } else {
        parsed = parseJsonBody(body);
      }
    } finally {
      release();
    }
    if (!op) throw new ServiceError('UnknownOperationException', 'No operation matched the request.');
    const { accountId, principalArn, session } = pending.key;
    const caller: Caller = {
      accountId,
      principalArn,
      accessKeyId: pending.accessKeyId,
      region: pending.region,
      ...(session ? { session: { roleArn: session.roleArn, sourcePrincipalArn: session.sourcePrincipalArn, expiresAt: session.expiresAt } } : {}),
    };

    const result = await op.handle({
      requestId,
      caller,
      labels,
      query: parseRawQuery(rawQuery),
      headers: req.headers,
      body: parsed,
    });
    const baseHeaders = { 'x-amzn-requestid': requestId, ...result.headers };
    if (protocol === 'awsQuery') sendXml(res, result.status, queryResponse(op.name, state.xmlns, result.body, requestId), baseHeaders);
    else if (protocol === 'awsJson1_1') sendJson(res, result.status, result.body ?? {}, { 'content-type': JSON_1_1, ...baseHeaders });
    else sendJson(res, result.status, result.body ?? {}, baseHeaders);
    deps.log?.({ requestId, op: op.name, account: accountId, status: result.status });
  }

  function sendFailure(res: AnyResponse, err: ServiceError, requestId: string, state: RequestState): void {
    if (state.protocol === 'awsQuery') sendXml(res, err.status, queryError(err, state.xmlns, requestId), { 'x-amzn-requestid': requestId });
    else if (state.protocol === 'awsJson1_1') sendError(res, err, requestId, JSON_1_1);
    else sendError(res, err, requestId);
  }

  return (req, res) => {
    const requestId = randomUUID();
    const state: RequestState = { protocol: 'restJson1', xmlns: '' };
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
    });
  };
}

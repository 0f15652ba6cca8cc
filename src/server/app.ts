/**
 * The request pipeline: route → read body (bounded) → authenticate (SigV4) → parse → operation →
 * AWS-shaped response. Every failure becomes an AWS error; nothing escapes as a crash or a bare 500.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../core/caller.ts';
import { isServiceError, ServiceError } from '../core/errors.ts';
import type { Clock } from '../core/ports.ts';
import type { Store } from '../store/types.ts';
import { BodyBudget, parseJsonBody, readBody, sendError, sendJson } from './http-io.ts';
import type { AnyRequest, AnyResponse, Handler } from './listener.ts';
import { type Operation, Router, safePath } from './router.ts';
import { type KeyLookup, parseRawQuery, prepareSigV4 } from './sigv4.ts';

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

interface CachedKey {
  key: (KeyLookup & { accountId: string; principalArn: string }) | undefined;
  expires: number;
}

const KEY_CACHE_MS = 5_000;
/** A request body must arrive within this time. */
const BODY_DEADLINE_MS = 60_000;

export function createHandler(deps: AppDeps): Handler {
  const router = new Router();
  for (const op of deps.operations) router.add(op);
  const keyCache = new Map<string, CachedKey>();
  const budget = new BodyBudget(deps.maxBufferedBodyBytes ?? 256 * 1024 * 1024);

  async function lookupKey(accessKeyId: string) {
    const now = deps.clock.now();
    const hit = keyCache.get(accessKeyId);
    if (hit && hit.expires > now) return hit.key;
    const rec = await deps.store.accessKeys.get(accessKeyId);
    const key =
      rec && rec.status === 'Active'
        ? {
            accessKeyId: rec.accessKeyId,
            secretAccessKey: rec.secretAccessKey,
            accountId: rec.accountId,
            principalArn: rec.principalArn,
          }
        : undefined;
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(accessKeyId, { key, expires: now + KEY_CACHE_MS });
    return key;
  }

  async function handle(req: AnyRequest, res: AnyResponse, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);

    if (method === 'GET' && (rawPath === '/health' || rawPath === '/ready')) {
      sendJson(res, 200, { status: 'ok' }, { 'x-amzn-requestid': requestId });
      return;
    }

    const match = router.match(method, rawPath);
    if (!match) throw new ServiceError('UnknownOperationException', `No operation is served at ${method} ${safePath(rawPath)}.`);
    const { op, labels } = match;

    const pending = await prepareSigV4(
      { method, rawPath, rawQuery, headers: req.headers },
      { now: deps.clock.now(), expectedService: op.signingName, regions: deps.regions, lookup: lookupKey },
    );
    if (req.headers['x-amz-security-token'] !== undefined)
      throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const { body, release } = await readBody(req, op.bodyLimitBytes, { deadlineMs: BODY_DEADLINE_MS, budget });
    let parsed: unknown;
    try {
      await pending.verify(body);
      parsed = parseJsonBody(body);
    } finally {
      release();
    }
    const { accountId, principalArn } = pending.key;
    const caller: Caller = { accountId, principalArn, accessKeyId: pending.accessKeyId, region: pending.region };

    const result = await op.handle({
      requestId,
      caller,
      labels,
      query: parseRawQuery(rawQuery),
      headers: req.headers,
      body: parsed,
    });
    sendJson(res, result.status, result.body ?? {}, { 'x-amzn-requestid': requestId, ...result.headers });
    deps.log?.({ requestId, op: op.name, account: accountId, status: result.status });
  }

  return (req, res) => {
    const requestId = randomUUID();
    handle(req, res, requestId).catch((err: unknown) => {
      if (isServiceError(err)) {
        sendError(res, err, requestId);
        deps.log?.({ requestId, error: err.code, status: err.status });
        return;
      }
      deps.log?.({ requestId, error: 'InternalServerException', detail: err instanceof Error ? err.stack : String(err) });
      sendError(
        res,
        new ServiceError('InternalServerException', `An internal error occurred. Request id: ${requestId}.`),
        requestId,
      );
    });
  };
}

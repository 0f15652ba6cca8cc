/** Reading requests and writing AWS-style responses on both HTTP/1.1 and HTTP/2. */
import { finished, type Readable } from 'node:stream';
import { ServiceError } from '../core/errors.ts';
import type { AnyRequest, AnyResponse } from './listener.ts';

/** Bytes of request bodies buffered at once across all requests; past it, new bodies are refused. */
export class BodyBudget {
  inFlight = 0;
  constructor(readonly maxBytes: number) {}
}

/**
 * Read a request body of at most `limitBytes` within `deadlineMs`, charging it to `budget` while it
 * is buffered (the caller releases it with the returned `release`).
 *
 * Events rather than `for await`: the async iterator costs a generator step, a promise and a `readable` round
 * per chunk on every call. The outcomes are the iterator's: a body cut short (the client went away, or the
 * deadline destroyed the request) fails as RequestTimeoutException; one refused part-way over the
 * budget also destroys the request, as leaving the iterator early did (one too large is drained, so its 413 arrives).
 */
export function readBody(
  req: AnyRequest,
  limitBytes: number,
  opts: { deadlineMs: number; budget: BodyBudget },
): Promise<{ body: Buffer; release: () => void }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.reject(tooLarge(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let charged = 0;
    let settled = false;
    const release = () => {
      opts.budget.inFlight -= charged;
      charged = 0;
    };
    const timer = setTimeout(() => {
      req.destroy(new ServiceError('RequestTimeoutException', 'The request body did not arrive in time.'));
    }, opts.deadlineMs);
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      stopWatching();
    };
    const fail = (e: unknown, destroy: boolean) => {
      if (settled) return;
      settle();
      release();
      if (destroy) req.destroy();
      reject(e instanceof ServiceError ? e : new ServiceError('RequestTimeoutException', 'The request body did not arrive in time or was cut off.'));
    };
    function onData(chunk: Buffer): void {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) {
        // Not destroyed: the 413 must reach the client (a destroyed request resets the connection first); the
        // rest of the body is drained instead.
        req.resume();
        fail(tooLarge(limitBytes), false);
        return;
      }
      if (opts.budget.inFlight + chunk.length > opts.budget.maxBytes) {
        fail(new ServiceError('ServiceUnavailableException', 'The server is receiving too many large requests at once; retry shortly.'), true);
        return;
      }
      opts.budget.inFlight += chunk.length;
      charged += chunk.length;
      chunks.push(chunk);
    }
    // `finished` reports the end of the body, or why it will not come (an error, a premature close).
    const stopWatching = finished(req as Readable, { writable: false }, (err) => {
      if (err) {
        fail(err, false);
        return;
      }
      if (settled) return;
      settle();
      resolve({ body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size), release });
    });
    req.on('data', onData);
  });
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError(
    'RequestEntityTooLargeException',
    `The request body is larger than the ${Math.round(limit / 1024)} KiB this operation accepts.`,
  );
}

/** Strict UTF-8 (invalid bytes throw). Stateless between whole-buffer `decode` calls, so one serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ServiceError(
      'SerializationException',
      `The request body is not valid JSON: ${(e instanceof Error ? e.message : String(e)).replace(/^(Unexpected token) .*$/s, '$1')}`, // V8 quotes the body there, secrets included
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
  // JSON.parse takes any depth, but the recursive code behind it (JSON.stringify of a member in a message, the
  // shape checks) would overflow the stack on a body nested tens of thousands of levels deep.
  if (deeperThan(value, MAX_JSON_DEPTH))
    throw new ServiceError('SerializationException', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  return value;
}

/** How deep JSON request bodies may nest (objects and arrays). */
export const MAX_JSON_DEPTH = 256;

/** Whether `root` nests objects and arrays more than `max` levels deep (iterative: no recursion). */
function deeperThan(root: object, max: number): boolean {
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop() as object;
    const d = depths.pop() as number;
    if (d > max) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v)) {
      if (c !== null && typeof c === 'object') {
        values.push(c as object);
        depths.push(d + 1);
      }
    }
  }
  return false;
}

export function sendJson(
  res: AnyResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendError(res: AnyResponse, err: ServiceError, requestId: string, contentType = 'application/json'): void {
  sendJson(
    res,
    err.status,
    { __type: err.code, message: err.message, ...err.members },
    { 'content-type': contentType, 'x-amzn-errortype': err.code, 'x-amzn-requestid': requestId },
  );
}

export function sendXml(res: AnyResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml), ...headers });
  res.end(xml);
}

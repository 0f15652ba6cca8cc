/** Reading requests and writing AWS-style responses on both HTTP/1.1 and HTTP/2. */
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
 */
export async function readBody(
  req: AnyRequest,
  limitBytes: number,
  opts: { deadlineMs: number; budget: BodyBudget },
): Promise<{ body: Buffer; release: () => void }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw tooLarge(limitBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let charged = 0;
  const release = () => {
    opts.budget.inFlight -= charged;
    charged = 0;
  };
  const timer = setTimeout(() => {
    req.destroy(new ServiceError('RequestTimeoutException', 'The request body did not arrive in time.'));
  }, opts.deadlineMs);
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) {
        req.resume();
        throw tooLarge(limitBytes);
      }
      if (opts.budget.inFlight + chunk.length > opts.budget.maxBytes)
        throw new ServiceError(
          'ServiceUnavailableException',
          'The server is receiving too many large requests at once; retry shortly.',
        );
      opts.budget.inFlight += chunk.length;
      charged += chunk.length;
      chunks.push(chunk);
    }
  } catch (e) {
    release();
    if (e instanceof ServiceError) throw e;
    throw new ServiceError('RequestTimeoutException', 'The request body did not arrive in time or was cut off.');
  } finally {
    clearTimeout(timer);
  }
  const body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
  return { body, release };
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError(
    'RequestEntityTooLargeException',
    `The request body is larger than the ${Math.round(limit / 1024)} KiB this operation accepts.`,
  );
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ServiceError(
      'SerializationException',
      `The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
  return value;
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

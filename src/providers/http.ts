/**
 * HTTP calls to upstream model APIs: a per-call timeout joined with the caller's abort signal, and every
 * failure turned into an UpstreamError (timeout, throttled, or error with the upstream status and message).
 */
import { UpstreamError } from './types.ts';

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;

export interface UpstreamRequest {
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
  timeoutMs?: number;
  /** A streamed answer: the timeout bounds the wait for the headers and then each wait for the next chunk. */
  streaming?: boolean;
}

/** POSTs JSON and returns the response once its status is 2xx; the body is left unread. */
export async function postJson(req: UpstreamRequest): Promise<Response> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(new DOMException('upstream timeout', 'TimeoutError')), timeoutMs);
  handle.unref();
  const timeout = timer.signal;
  const signal = AbortSignal.any([req.signal, timeout]);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...req.headers },
      body: JSON.stringify(req.body),
      signal,
    });
  } catch (err) {
    clearTimeout(handle);
    throw fetchFailure(req.provider, err, timeout, timeoutMs);
  }
  if (res.ok && req.streaming && res.body) {
    // From here the timeout is an idle timeout: it restarts with every chunk, so a long answer that keeps
    // flowing is never cut, while a stalled one is.
    handle.refresh();
    const watched = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          handle.refresh();
          controller.enqueue(chunk);
        },
        flush() {
          clearTimeout(handle);
        },
      }),
    );
    return new Response(watched, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  throw statusFailure(req.provider, res.status, text);
}

/** Reads a JSON body, mapping a read timeout or malformed JSON to UpstreamError. */
export async function readJson(provider: string, res: Response): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new UpstreamError('error', provider, `${provider}: the upstream response could not be read: ${errText(err)}`, {
      status: res.status,
      cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError('error', provider, `${provider}: the upstream answered with a body that is not JSON`, {
      status: res.status,
      upstreamMessage: text.slice(0, 500),
    });
  }
}

export function fetchFailure(provider: string, err: unknown, timeout: AbortSignal, timeoutMs: number): UpstreamError {
  if (timeout.aborted)
    return new UpstreamError('timeout', provider, `${provider}: the model did not answer within ${timeoutMs} ms`, {
      cause: err,
    });
  if (err instanceof UpstreamError) return err;
  return new UpstreamError('error', provider, `${provider}: the upstream could not be reached: ${errText(err)}`, {
    cause: err,
  });
}

export function statusFailure(provider: string, status: number, body: string): UpstreamError {
  const message = upstreamMessageOf(body);
  const kind = status === 429 ? 'throttled' : status === 408 || status === 504 ? 'timeout' : 'error';
  return new UpstreamError(kind, provider, `${provider} answered HTTP ${status}${message ? `: ${message}` : ''}`, {
    status,
    ...(message ? { upstreamMessage: message } : {}),
  });
}

/** The human message of an upstream error body (OpenAI `error.message`, Anthropic `error.message`, `message`). */
export function upstreamMessageOf(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === 'object' && j.error && typeof j.error.message === 'string') return j.error.message.slice(0, 500);
    if (typeof j.error === 'string') return j.error.slice(0, 500);
    if (typeof j.message === 'string') return j.message.slice(0, 500);
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 500);
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

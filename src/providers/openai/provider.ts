/**
 * The OpenAI-compatible upstream provider (OpenAI, vLLM, Ollama, llama.cpp): Converse requests are sent as
 * chat completions to `${baseUrl}/chat/completions`, answers and SSE streams translated back. Every failure
 * surfaces as an UpstreamError.
 */
import { DEFAULT_UPSTREAM_TIMEOUT_MS, postJson, readJson } from '../http.ts';
import { parseSse } from '../sse.ts';
import {
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
  type CallOptions,
  type ModelProvider,
  type ProviderConfig,
  UpstreamError,
} from '../types.ts';
import { fromOpenAIResponse, OpenAIStreamDecoder, toOpenAIRequest } from './format.ts';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export function createOpenAIProvider(name: string, cfg: ProviderConfig): ModelProvider {
  const url = `${(cfg.baseUrl ?? DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '')}/chat/completions`;

  /** Read at call time, so a key set or rotated after start-up is picked up. */
  function headers(stream: boolean): Record<string, string> {
    const h: Record<string, string> = { ...cfg.headers };
    if (stream) h.accept = 'text/event-stream';
    if (cfg.apiKeyEnv !== undefined) {
      const key = process.env[cfg.apiKeyEnv];
      if (!key)
        throw new UpstreamError(
          'error',
          name,
          `${name}: the environment variable ${cfg.apiKeyEnv}, which should hold the API key, is not set or empty`,
        );
      for (const k of Object.keys(h)) if (k.toLowerCase() === 'authorization') delete h[k];
      h.authorization = `Bearer ${key}`;
    }
    return h;
  }

  function post(model: string, req: ChatRequest, opts: CallOptions, stream: boolean): Promise<Response> {
    return postJson({
      provider: name,
      url,
      headers: headers(stream),
      body: toOpenAIRequest(model, req, stream),
      signal: opts.signal,
      streaming: stream,
      ...(cfg.timeoutMs !== undefined ? { timeoutMs: cfg.timeoutMs } : {}),
    });
  }

  return {
    name,
    type: 'openai',

    async converse(model: string, req: ChatRequest, opts: CallOptions): Promise<ChatResponse> {
      const res = await post(model, req, opts, false);
      let json: unknown;
      try {
        json = await readJson(name, res);
      } catch (err) {
        throw bodyFailure(name, err, cfg.timeoutMs, opts.signal);
      }
      try {
        return fromOpenAIResponse(json);
      } catch (err) {
        throw new UpstreamError('error', name, `${name}: ${(err as Error).message}`, { status: res.status, cause: err });
      }
    },

    async *converseStream(model: string, req: ChatRequest, opts: CallOptions): AsyncGenerator<ChatStreamEvent> {
      const startedAt = performance.now();
      const res = await post(model, req, opts, true);
      if (!res.body) throw new UpstreamError('error', name, `${name}: the upstream stream has no body`, { status: res.status });
      const decoder = new OpenAIStreamDecoder({ now: () => performance.now(), startedAt });
      let done = false;
      try {
        // Leaving this loop early (a consumer that stops, [DONE], an error) cancels the response body.
        for await (const { event, data } of parseSse(res.body)) {
          if (data.trim() === '[DONE]') {
            done = true;
            break;
          }
          let chunk: unknown;
          try {
            chunk = JSON.parse(data);
          } catch {
            throw new UpstreamError('error', name, `${name}: the upstream stream sent an event that is not JSON`, {
              status: res.status,
              upstreamMessage: data.slice(0, 500),
            });
          }
          const failure = streamError(name, event, chunk);
          if (failure) throw failure;
          for (const ev of decoder.push(chunk)) yield ev;
        }
      } catch (err) {
        throw bodyFailure(name, err, cfg.timeoutMs, opts.signal);
      }
      if (!done && !decoder.sawFinish)
        throw new UpstreamError('error', name, `${name}: the upstream stream ended before the answer was complete`, {
          status: res.status,
        });
      for (const ev of decoder.finish()) yield ev;
    },
  };
}

/** An OpenAI stream reports a failure mid-way as `data: {"error": {...}}` (sometimes with `event: error`). */
function streamError(provider: string, event: string | undefined, chunk: unknown): UpstreamError | undefined {
  const obj = typeof chunk === 'object' && chunk !== null ? (chunk as Record<string, unknown>) : undefined;
  if (event !== 'error' && (obj === undefined || obj.error === undefined || obj.error === null)) return undefined;
  const e = obj?.error ?? obj;
  const detail = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
  const message =
    typeof detail.message === 'string' ? detail.message : typeof e === 'string' ? e : JSON.stringify(chunk).slice(0, 500);
  const code = detail.code;
  const status = typeof code === 'number' && code >= 400 && code <= 599 ? code : undefined;
  const rateLimited =
    status === 429 || [detail.type, detail.code].some((v) => typeof v === 'string' && /rate_limit|throttl/i.test(v));
  return new UpstreamError(rateLimited ? 'throttled' : 'error', provider, `${provider} failed mid-stream: ${message}`, {
    upstreamMessage: message.slice(0, 500),
    ...(status !== undefined ? { status } : {}),
  });
}

/** A failure while reading a body: the timeout (the fetch's own deadline) or a broken connection. */
function bodyFailure(
  provider: string,
  err: unknown,
  timeoutMs: number | undefined,
  signal: AbortSignal,
): UpstreamError {
  const root = err instanceof UpstreamError && err.cause !== undefined ? err.cause : err;
  if (isTimeout(root))
    return new UpstreamError(
      'timeout',
      provider,
      `${provider}: the model did not finish answering within ${timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS} ms`,
      { cause: err },
    );
  if (err instanceof UpstreamError) return err;
  if (signal.aborted)
    return new UpstreamError('error', provider, `${provider}: the call was cancelled by the caller`, { cause: err });
  return new UpstreamError('error', provider, `${provider}: the upstream connection broke: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
  });
}

function isTimeout(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if ((e as { name?: unknown }).name === 'TimeoutError') return true;
  return false;
}

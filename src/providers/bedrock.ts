/**
 * The Amazon Bedrock provider: Converse / ConverseStream and the native InvokeModel pass-through, sent to a real
 * Bedrock Runtime endpoint with the operator's AWS credentials (the SDK's default credential chain). Requests are
 * already in the Converse shape; guard content is sent as plain text (Parapet has applied the guardrail, the
 * upstream gets none). One SDK client per provider, created on first use; the SDK is loaded lazily so Parapet runs
 * without it when no Bedrock provider is used. Each call is bounded by `timeoutMs` (the whole call, streams
 * included) joined with the caller's abort signal, and every failure becomes an UpstreamError.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type * as Sdk from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from './http.ts';
import {
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
  type ContentBlock,
  type ModelProvider,
  type NativeInvoker,
  type OutputBlock,
  type ProviderConfig,
  type StopReason,
  type SystemBlock,
  type TokenUsage,
  UpstreamError,
} from './types.ts';

type SdkModule = typeof Sdk;

// ---- Converse shape → SDK input --------------------------------------------------------------------------

function toSdkSystem(b: SystemBlock): Sdk.SystemContentBlock {
  return { text: 'text' in b ? b.text : b.guardContent.text.text };
}

function toSdkBlock(b: ContentBlock): Sdk.ContentBlock {
  if ('text' in b) return { text: b.text };
  if ('guardContent' in b) return { text: b.guardContent.text.text };
  if ('toolUse' in b)
    return { toolUse: { toolUseId: b.toolUse.toolUseId, name: b.toolUse.name, input: (b.toolUse.input ?? {}) as DocumentType } };
  return {
    toolResult: {
      toolUseId: b.toolResult.toolUseId,
      content: b.toolResult.content.map((c): Sdk.ToolResultContentBlock => ('text' in c ? { text: c.text } : { json: c.json as DocumentType })),
      ...(b.toolResult.status ? { status: b.toolResult.status } : {}),
    },
  };
}

/** The ConverseCommand / ConverseStreamCommand input for a Converse-shaped request. */
export function toSdkConverseInput(modelId: string, req: ChatRequest): Sdk.ConverseCommandInput {
  const input: Sdk.ConverseCommandInput = {
    modelId,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content.map(toSdkBlock) })),
  };
  if (req.system.length) input.system = req.system.map(toSdkSystem);
  if (req.inferenceConfig && Object.keys(req.inferenceConfig).length) input.inferenceConfig = { ...req.inferenceConfig };
  if (req.toolConfig?.tools.length) {
    input.toolConfig = {
      tools: req.toolConfig.tools.map(({ toolSpec: t }) => ({
        toolSpec: {
          name: t.name,
          ...(t.description !== undefined ? { description: t.description } : {}),
          inputSchema: { json: t.inputSchema.json as DocumentType },
        },
      })),
      ...(req.toolConfig.toolChoice ? { toolChoice: req.toolConfig.toolChoice as Sdk.ToolChoice } : {}),
    };
  }
  if (req.additionalModelRequestFields) input.additionalModelRequestFields = req.additionalModelRequestFields as DocumentType;
  return input;
}

// ---- SDK output → Converse shape -------------------------------------------------------------------------

const STOP_REASONS: ReadonlySet<string> = new Set<StopReason>([
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'guardrail_intervened',
  'content_filtered',
  'malformed_model_output',
  'malformed_tool_use',
  'model_context_window_exceeded',
]);

export function toStopReason(s: string | undefined): StopReason {
  return s !== undefined && STOP_REASONS.has(s) ? (s as StopReason) : 'end_turn';
}

function toUsage(u: Sdk.TokenUsage | undefined): TokenUsage {
  const inputTokens = u?.inputTokens ?? 0;
  const outputTokens = u?.outputTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: u?.totalTokens ?? inputTokens + outputTokens };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A ConverseCommand output → ChatResponse (only text and toolUse blocks are kept). */
export function fromSdkConverseOutput(provider: string, out: Sdk.ConverseCommandOutput): ChatResponse {
  const message = out.output && 'message' in out.output ? out.output.message : undefined;
  if (!message) throw new UpstreamError('error', provider, `${provider}: Converse answered without a message`);
  const content: OutputBlock[] = [];
  for (const b of message.content ?? []) {
    if (typeof b.text === 'string') content.push({ text: b.text });
    else if (b.toolUse) content.push({ toolUse: { toolUseId: b.toolUse.toolUseId ?? '', name: b.toolUse.name ?? '', input: b.toolUse.input ?? {} } });
  }
  const res: ChatResponse = { content, stopReason: toStopReason(out.stopReason), usage: toUsage(out.usage) };
  if (isRecord(out.additionalModelResponseFields)) res.additionalModelResponseFields = out.additionalModelResponseFields;
  return res;
}

/** One ConverseStream SDK event → the ChatStreamEvent it already is (content the contract has no room for is dropped). */
export function fromSdkStreamEvent(provider: string, e: Sdk.ConverseStreamOutput): ChatStreamEvent | undefined {
  if (e.messageStart) return { messageStart: { role: 'assistant' } };
  if (e.contentBlockStart) {
    const tu = e.contentBlockStart.start?.toolUse;
    if (!tu) return undefined;
    return {
      contentBlockStart: {
        contentBlockIndex: e.contentBlockStart.contentBlockIndex ?? 0,
        start: { toolUse: { toolUseId: tu.toolUseId ?? '', name: tu.name ?? '' } },
      },
    };
  }
  if (e.contentBlockDelta) {
    const d = e.contentBlockDelta.delta;
    const contentBlockIndex = e.contentBlockDelta.contentBlockIndex ?? 0;
    if (typeof d?.text === 'string') return { contentBlockDelta: { contentBlockIndex, delta: { text: d.text } } };
    if (d?.toolUse) return { contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: d.toolUse.input ?? '' } } } };
    return undefined;
  }
  if (e.contentBlockStop) return { contentBlockStop: { contentBlockIndex: e.contentBlockStop.contentBlockIndex ?? 0 } };
  if (e.messageStop) {
    const extra = e.messageStop.additionalModelResponseFields;
    return {
      messageStop: {
        stopReason: toStopReason(e.messageStop.stopReason),
        ...(isRecord(extra) ? { additionalModelResponseFields: extra } : {}),
      },
    };
  }
  if (e.metadata) return { metadata: { usage: toUsage(e.metadata.usage), metrics: { latencyMs: e.metadata.metrics?.latencyMs ?? 0 } } };
  const error = e.throttlingException ?? e.modelStreamErrorException ?? e.internalServerException ?? e.serviceUnavailableException ?? e.validationException;
  if (error) throw toUpstreamError(provider, error);
  return undefined;
}

// ---- errors ----------------------------------------------------------------------------------------------

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  originalStatusCode?: number;
  originalMessage?: string;
}

/** An SDK exception (or any failure) → UpstreamError. `timedOut`: the call's own deadline or the caller's signal fired. */
export function toUpstreamError(provider: string, err: unknown, timedOut = false, timeoutMs?: number): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const e: SdkErrorLike = typeof err === 'object' && err !== null ? (err as SdkErrorLike) : { message: String(err) };
  const name = e.name ?? 'Error';
  const message = e.message ?? String(err);
  const opts = (status: number | undefined) => ({
    ...(status !== undefined ? { status } : {}),
    upstreamMessage: message.slice(0, 500),
    cause: err,
  });
  if (timedOut || name === 'AbortError' || name === 'TimeoutError')
    return new UpstreamError(
      'timeout',
      provider,
      `${provider}: the model did not answer${timeoutMs !== undefined ? ` within ${timeoutMs} ms` : ' in time'}`,
      { cause: err },
    );
  const status = e.$metadata?.httpStatusCode;
  switch (name) {
    case 'ThrottlingException':
      return new UpstreamError('throttled', provider, `${provider}: ThrottlingException: ${message}`, opts(status ?? 429));
    case 'ModelTimeoutException':
      return new UpstreamError('timeout', provider, `${provider}: ModelTimeoutException: ${message}`, opts(status ?? 408));
    case 'ModelNotReadyException':
      return new UpstreamError('not-ready', provider, `${provider}: ModelNotReadyException: ${message}`, opts(status ?? 429));
    case 'ModelErrorException':
      return new UpstreamError('error', provider, `${provider}: ModelErrorException: ${message}`, opts(e.originalStatusCode ?? status));
    default:
      return new UpstreamError('error', provider, `${provider}: ${name}: ${message}`, opts(status));
  }
}

// ---- the provider ----------------------------------------------------------------------------------------

async function loadSdk(provider: string): Promise<{ sdk: SdkModule; NodeHttpHandler: typeof import('@smithy/node-http-handler').NodeHttpHandler }> {
  try {
    const [sdk, handler] = await Promise.all([import('@aws-sdk/client-bedrock-runtime'), import('@smithy/node-http-handler')]);
    return { sdk, NodeHttpHandler: handler.NodeHttpHandler };
  } catch (err) {
    throw new UpstreamError(
      'error',
      provider,
      `${provider}: the Amazon Bedrock provider needs @aws-sdk/client-bedrock-runtime and @smithy/node-http-handler, which could not be loaded`,
      { cause: err },
    );
  }
}

export function createBedrockProvider(name: string, cfg: ProviderConfig, defaultRegion: string): ModelProvider {
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  let ready: Promise<{ sdk: SdkModule; client: BedrockRuntimeClient }> | undefined;

  const client = (): Promise<{ sdk: SdkModule; client: BedrockRuntimeClient }> => {
    ready ??= loadSdk(name).then(({ sdk, NodeHttpHandler }) => ({
      sdk,
      client: new sdk.BedrockRuntimeClient({
        region: cfg.region ?? defaultRegion,
        ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({ requestTimeout: timeoutMs, throwOnRequestTimeout: true }),
      }),
    }));
    // A failed load is not cached: the next call tries again.
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };

  /** Runs one call with the deadline joined to the caller's signal, mapping every failure. */
  const call = async <T>(signal: AbortSignal, fn: (c: { sdk: SdkModule; client: BedrockRuntimeClient }, abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
    const c = await client();
    const deadline = AbortSignal.timeout(timeoutMs);
    const abortSignal = AbortSignal.any([signal, deadline]);
    try {
      return await fn(c, abortSignal);
    } catch (err) {
      throw toUpstreamError(name, err, abortSignal.aborted, timeoutMs);
    }
  };

  /** Iterates an SDK event stream under the same deadline, mapping every failure. */
  async function* guarded<E, T>(
    signal: AbortSignal,
    open: (c: { sdk: SdkModule; client: BedrockRuntimeClient }, abortSignal: AbortSignal) => Promise<AsyncIterable<E> | undefined>,
    map: (e: E) => T | undefined,
  ): AsyncGenerator<T> {
    const c = await client();
    const deadline = AbortSignal.timeout(timeoutMs);
    // Aborted when the consumer stops early, so the upstream response is not left open.
    const done = new AbortController();
    const abortSignal = AbortSignal.any([signal, deadline, done.signal]);
    let stream: AsyncIterable<E> | undefined;
    try {
      stream = await open(c, abortSignal);
    } catch (err) {
      throw toUpstreamError(name, err, abortSignal.aborted, timeoutMs);
    }
    if (!stream) throw new UpstreamError('error', name, `${name}: the upstream answered without an event stream`);
    const it = stream[Symbol.asyncIterator]();
    try {
      while (true) {
        let next: IteratorResult<E>;
        try {
          // Reading races the deadline: a stalled stream does not outlive it.
          next = await raceAbort(it.next(), abortSignal);
        } catch (err) {
          throw toUpstreamError(name, err, abortSignal.aborted, timeoutMs);
        }
        if (next.done) return;
        const out = map(next.value);
        if (out !== undefined) yield out;
      }
    } finally {
      done.abort();
      void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }

  const native: NativeInvoker = {
    invoke: (upstreamModel, body, opts) =>
      call(opts.signal, async ({ sdk, client: cl }, abortSignal) => {
        const out = await cl.send(
          new sdk.InvokeModelCommand({ modelId: upstreamModel, body, contentType: opts.contentType, accept: opts.accept }),
          { abortSignal },
        );
        return { body: out.body ?? new Uint8Array(), contentType: out.contentType ?? 'application/json' };
      }),

    invokeStream: (upstreamModel, body, opts) =>
      guarded<Sdk.ResponseStream, Uint8Array>(
        opts.signal,
        async ({ sdk, client: cl }, abortSignal) =>
          (
            await cl.send(
              new sdk.InvokeModelWithResponseStreamCommand({ modelId: upstreamModel, body, contentType: opts.contentType, accept: opts.accept }),
              { abortSignal },
            )
          ).body,
        (e) => {
          if (e.chunk) return e.chunk.bytes ?? new Uint8Array();
          const error =
            e.throttlingException ?? e.modelStreamErrorException ?? e.internalServerException ?? e.serviceUnavailableException ?? e.validationException ?? e.modelTimeoutException;
          if (error) throw toUpstreamError(name, error);
          return undefined;
        },
      ),
  };

  return {
    name,
    type: 'bedrock',
    native,

    converse: (upstreamModel, req, opts) =>
      call(opts.signal, async ({ sdk, client: cl }, abortSignal) =>
        fromSdkConverseOutput(name, await cl.send(new sdk.ConverseCommand(toSdkConverseInput(upstreamModel, req)), { abortSignal })),
      ),

    converseStream: (upstreamModel, req, opts) =>
      guarded<Sdk.ConverseStreamOutput, ChatStreamEvent>(
        opts.signal,
        async ({ sdk, client: cl }, abortSignal) =>
          (await cl.send(new sdk.ConverseStreamCommand(toSdkConverseInput(upstreamModel, req) as Sdk.ConverseStreamCommandInput), { abortSignal }))
            .stream,
        (e) => fromSdkStreamEvent(name, e),
      ),
  };
}

/** Rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

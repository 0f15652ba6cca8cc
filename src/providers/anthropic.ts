/**
 * The Anthropic provider: Converse requests translated to Anthropic's Messages API (`POST {baseUrl}/v1/messages`)
 * and its answers — JSON or a server-sent event stream — translated back to Converse responses and stream events.
 * The API key is read from the environment variable the models file names (`apiKeyEnv`, default
 * `ANTHROPIC_API_KEY`) at call time and never sent empty. `additionalModelRequestFields` (e.g. `top_k`) are
 * merged into the request body under the fields this module sets.
 */
import { DEFAULT_UPSTREAM_TIMEOUT_MS, postJson, readJson } from './http.ts';
import { parseSse } from './sse.ts';
import {
  type CallOptions,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
  type ContentBlock,
  type ModelProvider,
  type OutputBlock,
  type ProviderConfig,
  type StopReason,
  type SystemBlock,
  type TokenUsage,
  type ToolChoice,
  UpstreamError,
} from './types.ts';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_DEFAULT_API_KEY_ENV = 'ANTHROPIC_API_KEY';
export const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires `max_tokens`; Converse does not. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

// ---- Anthropic wire shapes -------------------------------------------------------------------------------

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: Array<{ type: 'text'; text: string }>; is_error?: boolean };

export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  messages: Array<{ role: 'user' | 'assistant'; content: AnthropicContentBlock[] }>;
  system?: string;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  tools?: Array<{ name: string; description?: string; input_schema: unknown }>;
  tool_choice?: { type: 'auto' } | { type: 'any' } | { type: 'tool'; name: string };
  stream?: boolean;
  [extra: string]: unknown;
}

// ---- request translation ---------------------------------------------------------------------------------

function systemText(blocks: SystemBlock[]): string {
  return blocks
    .map((b) => ('text' in b ? b.text : b.guardContent.text.text))
    .filter((t) => t !== '')
    .join('\n');
}

function toolResultText(c: { text: string } | { json: unknown }): string {
  return 'text' in c ? c.text : JSON.stringify(c.json) ?? 'null';
}

function toAnthropicBlock(b: ContentBlock): AnthropicContentBlock {
  if ('text' in b) return { type: 'text', text: b.text };
  if ('guardContent' in b) return { type: 'text', text: b.guardContent.text.text };
  if ('toolUse' in b) return { type: 'tool_use', id: b.toolUse.toolUseId, name: b.toolUse.name, input: b.toolUse.input ?? {} };
  return {
    type: 'tool_result',
    tool_use_id: b.toolResult.toolUseId,
    content: b.toolResult.content.map((c) => ({ type: 'text' as const, text: toolResultText(c) })),
    ...(b.toolResult.status === 'error' ? { is_error: true } : {}),
  };
}

function toAnthropicToolChoice(c: ToolChoice): NonNullable<AnthropicMessagesRequest['tool_choice']> {
  if ('tool' in c) return { type: 'tool', name: c.tool.name };
  if ('any' in c) return { type: 'any' };
  return { type: 'auto' };
}

/** Converse → Anthropic Messages. Empty text blocks (which Anthropic rejects) are dropped. */
export function toAnthropicRequest(model: string, req: ChatRequest, stream: boolean): AnthropicMessagesRequest {
  const body: AnthropicMessagesRequest = {
    ...(req.additionalModelRequestFields ?? {}),
    model,
    max_tokens: req.inferenceConfig?.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: req.messages.map((m) => {
      const blocks = m.content.map(toAnthropicBlock);
      const nonEmpty = blocks.filter((b) => b.type !== 'text' || b.text !== '');
      return { role: m.role, content: nonEmpty.length ? nonEmpty : blocks };
    }),
  };
  const system = systemText(req.system);
  if (system) body.system = system;
  const ic = req.inferenceConfig;
  if (ic?.temperature !== undefined) body.temperature = ic.temperature;
  if (ic?.topP !== undefined) body.top_p = ic.topP;
  if (ic?.stopSequences?.length) body.stop_sequences = ic.stopSequences;
  const tools = req.toolConfig?.tools;
  if (tools?.length) {
    body.tools = tools.map(({ toolSpec: t }) => ({
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      input_schema: t.inputSchema.json,
    }));
    if (req.toolConfig?.toolChoice) body.tool_choice = toAnthropicToolChoice(req.toolConfig.toolChoice);
  }
  if (stream) body.stream = true;
  return body;
}

// ---- response translation --------------------------------------------------------------------------------

/** Anthropic `stop_reason` → Converse `stopReason`. */
export function fromAnthropicStopReason(reason: unknown): StopReason {
  switch (reason) {
    case 'max_tokens':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_use';
    case 'refusal':
      return 'content_filtered';
    case 'model_context_window_exceeded':
      return 'model_context_window_exceeded';
    default:
      return 'end_turn';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

function usageOf(input: number, output: number): TokenUsage {
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
}

function malformed(provider: string, what: string): UpstreamError {
  return new UpstreamError('error', provider, `${provider}: the upstream answered with a malformed Messages response (${what})`);
}

/** Anthropic Messages response → Converse response. Unknown block types (thinking, …) are skipped. */
export function fromAnthropicResponse(provider: string, json: unknown): ChatResponse {
  if (!isRecord(json)) throw malformed(provider, 'not an object');
  if (!Array.isArray(json.content)) throw malformed(provider, 'no content list');
  const content: OutputBlock[] = [];
  for (const b of json.content) {
    if (!isRecord(b)) throw malformed(provider, 'a content block is not an object');
    if (b.type === 'text') {
      if (typeof b.text !== 'string') throw malformed(provider, 'a text block without text');
      content.push({ text: b.text });
    } else if (b.type === 'tool_use') {
      if (typeof b.id !== 'string' || typeof b.name !== 'string') throw malformed(provider, 'a tool_use block without id or name');
      content.push({ toolUse: { toolUseId: b.id, name: b.name, input: b.input ?? {} } });
    }
  }
  const usage = isRecord(json.usage) ? json.usage : {};
  return {
    content,
    stopReason: fromAnthropicStopReason(json.stop_reason),
    usage: usageOf(count(usage.input_tokens), count(usage.output_tokens)),
  };
}

/** An Anthropic error type (`overloaded_error`, …) → the UpstreamError kind and the HTTP status Anthropic uses for it. */
function errorKind(type: string): { kind: UpstreamError['kind']; status?: number } {
  switch (type) {
    case 'rate_limit_error':
      return { kind: 'throttled', status: 429 };
    case 'overloaded_error':
      return { kind: 'throttled', status: 529 };
    case 'timeout_error':
      return { kind: 'timeout', status: 504 };
    case 'invalid_request_error':
      return { kind: 'error', status: 400 };
    case 'authentication_error':
      return { kind: 'error', status: 401 };
    case 'permission_error':
      return { kind: 'error', status: 403 };
    case 'not_found_error':
      return { kind: 'error', status: 404 };
    case 'request_too_large':
      return { kind: 'error', status: 413 };
    case 'api_error':
      return { kind: 'error', status: 500 };
    default:
      return { kind: 'error' };
  }
}

/** An Anthropic `error` stream event's data → UpstreamError. */
export function streamErrorOf(provider: string, data: unknown): UpstreamError {
  const err = isRecord(data) && isRecord(data.error) ? data.error : isRecord(data) ? data : {};
  const type = typeof err.type === 'string' ? err.type : 'error';
  const message = typeof err.message === 'string' ? err.message.slice(0, 500) : undefined;
  const { kind, status } = errorKind(type);
  return new UpstreamError(kind, provider, `${provider}: the stream failed with ${type}${message ? `: ${message}` : ''}`, {
    ...(status !== undefined ? { status } : {}),
    ...(message !== undefined ? { upstreamMessage: message } : {}),
  });
}

type BlockKind = 'text' | 'tool_use' | 'other';

/**
 * Anthropic stream events → Converse stream events. Keeps the state a stream needs: the kind of each open block
 * (text blocks get no contentBlockStart, unknown kinds are dropped), the usage, and whether the message ended.
 */
export class AnthropicStreamTranslator {
  private readonly blocks = new Map<number, BlockKind>();
  private inputTokens = 0;
  private outputTokens = 0;
  private stopReason: StopReason = 'end_turn';
  private started = false;
  done = false;

  constructor(
    private readonly provider: string,
    private readonly startedAt: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Translates one SSE event (name + parsed data); throws UpstreamError for `error` events and malformed data. */
  translate(event: string | undefined, data: unknown): ChatStreamEvent[] {
    const type = event ?? (isRecord(data) && typeof data.type === 'string' ? data.type : undefined);
    if (type === 'error') throw streamErrorOf(this.provider, data);
    if (!isRecord(data)) throw malformed(this.provider, `a ${type ?? 'stream'} event whose data is not an object`);
    switch (type) {
      case 'message_start': {
        const usage = isRecord(data.message) && isRecord(data.message.usage) ? data.message.usage : {};
        this.inputTokens = count(usage.input_tokens);
        this.outputTokens = count(usage.output_tokens);
        this.started = true;
        return [{ messageStart: { role: 'assistant' } }];
      }
      case 'content_block_start': {
        const index = this.indexOf(data);
        const block = isRecord(data.content_block) ? data.content_block : {};
        if (block.type === 'tool_use') {
          if (typeof block.id !== 'string' || typeof block.name !== 'string')
            throw malformed(this.provider, 'a tool_use block without id or name');
          this.blocks.set(index, 'tool_use');
          return [{ contentBlockStart: { contentBlockIndex: index, start: { toolUse: { toolUseId: block.id, name: block.name } } } }];
        }
        if (block.type === 'text') {
          this.blocks.set(index, 'text');
          // Converse streams have no start event for text; initial text (normally empty) becomes a delta.
          return typeof block.text === 'string' && block.text !== ''
            ? [{ contentBlockDelta: { contentBlockIndex: index, delta: { text: block.text } } }]
            : [];
        }
        this.blocks.set(index, 'other');
        return [];
      }
      case 'content_block_delta': {
        const index = this.indexOf(data);
        const delta = isRecord(data.delta) ? data.delta : {};
        const kind = this.blocks.get(index);
        if (delta.type === 'text_delta' && kind !== 'other' && kind !== 'tool_use') {
          if (typeof delta.text !== 'string') throw malformed(this.provider, 'a text_delta without text');
          if (kind === undefined) this.blocks.set(index, 'text');
          return [{ contentBlockDelta: { contentBlockIndex: index, delta: { text: delta.text } } }];
        }
        if (delta.type === 'input_json_delta' && kind === 'tool_use') {
          if (typeof delta.partial_json !== 'string') throw malformed(this.provider, 'an input_json_delta without partial_json');
          return [{ contentBlockDelta: { contentBlockIndex: index, delta: { toolUse: { input: delta.partial_json } } } }];
        }
        return [];
      }
      case 'content_block_stop': {
        const index = this.indexOf(data);
        const kind = this.blocks.get(index);
        this.blocks.delete(index);
        return kind === 'text' || kind === 'tool_use' ? [{ contentBlockStop: { contentBlockIndex: index } }] : [];
      }
      case 'message_delta': {
        if (isRecord(data.delta) && data.delta.stop_reason != null) this.stopReason = fromAnthropicStopReason(data.delta.stop_reason);
        if (isRecord(data.usage)) {
          if (data.usage.output_tokens !== undefined) this.outputTokens = count(data.usage.output_tokens);
          if (data.usage.input_tokens != null) this.inputTokens = count(data.usage.input_tokens);
        }
        return [];
      }
      case 'message_stop': {
        if (!this.started) throw malformed(this.provider, 'message_stop before message_start');
        this.done = true;
        return [
          { messageStop: { stopReason: this.stopReason } },
          {
            metadata: {
              usage: usageOf(this.inputTokens, this.outputTokens),
              metrics: { latencyMs: Math.max(0, this.now() - this.startedAt) },
            },
          },
        ];
      }
      default:
        return []; // ping and event types added later
    }
  }

  private indexOf(data: Record<string, unknown>): number {
    const i = data.index;
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0) throw malformed(this.provider, 'a content block event without an index');
    return i;
  }
}

// ---- the provider ----------------------------------------------------------------------------------------

/** `{baseUrl}/v1/messages`; a base URL already ending in `/v1` is not doubled. */
export function messagesUrl(baseUrl: string | undefined): string {
  const base = (baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}/messages` : `${base}/v1/messages`;
}

function isTimeoutError(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

export function createAnthropicProvider(name: string, cfg: ProviderConfig): ModelProvider {
  const url = messagesUrl(cfg.baseUrl);
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const keyEnv = cfg.apiKeyEnv ?? ANTHROPIC_DEFAULT_API_KEY_ENV;

  const headers = (): Record<string, string> => {
    const key = process.env[keyEnv];
    if (!key)
      throw new UpstreamError(
        'error',
        name,
        `${name}: no Anthropic API key: the environment variable ${keyEnv} (apiKeyEnv of provider "${name}") is not set or empty`,
      );
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(cfg.headers ?? {})) extra[k.toLowerCase()] = v;
    return { 'anthropic-version': ANTHROPIC_VERSION, ...extra, 'x-api-key': key };
  };

  /** A failure while reading the body (after postJson returned) → UpstreamError. */
  const readFailure = (err: unknown): UpstreamError => {
    const cause = err instanceof Error ? (err as { cause?: unknown }).cause : undefined;
    if (isTimeoutError(err) || isTimeoutError(cause))
      return new UpstreamError('timeout', name, `${name}: the model did not answer within ${timeoutMs} ms`, { cause: err });
    if (err instanceof UpstreamError) return err;
    const msg = err instanceof Error ? err.message : String(err);
    return new UpstreamError('error', name, `${name}: the upstream response could not be read: ${msg}`, { cause: err });
  };

  return {
    name,
    type: 'anthropic',

    async converse(upstreamModel: string, req: ChatRequest, opts: CallOptions): Promise<ChatResponse> {
      const res = await postJson({
        provider: name,
        url,
        headers: headers(),
        body: toAnthropicRequest(upstreamModel, req, false),
        signal: opts.signal,
        timeoutMs,
      });
      let json: unknown;
      try {
        json = await readJson(name, res);
      } catch (err) {
        throw readFailure(err);
      }
      return fromAnthropicResponse(name, json);
    },

    async *converseStream(upstreamModel: string, req: ChatRequest, opts: CallOptions): AsyncIterable<ChatStreamEvent> {
      const startedAt = Date.now();
      const res = await postJson({
        provider: name,
        url,
        headers: { ...headers(), accept: 'text/event-stream' },
        body: toAnthropicRequest(upstreamModel, req, true),
        signal: opts.signal,
        timeoutMs,
        streaming: true,
      });
      if (!res.body) throw new UpstreamError('error', name, `${name}: the upstream answered without a body`, { status: res.status });
      const translator = new AnthropicStreamTranslator(name, startedAt);
      try {
        for await (const sse of parseSse(res.body)) {
          let data: unknown;
          try {
            data = JSON.parse(sse.data);
          } catch {
            throw new UpstreamError('error', name, `${name}: a stream event is not JSON`, { upstreamMessage: sse.data.slice(0, 500) });
          }
          for (const e of translator.translate(sse.event, data)) yield e;
          if (translator.done) break;
        }
      } catch (err) {
        throw readFailure(err);
      }
      if (!translator.done)
        throw new UpstreamError('error', name, `${name}: the stream ended before message_stop`, { status: res.status });
    },
  };
}

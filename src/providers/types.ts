/**
 * The contract between the invocation gateway and upstream model providers. The lingua franca is Bedrock's
 * Converse shape (messages of content blocks, a system list, tool configuration, stream events): every
 * provider translates it to and from its own API, and the InvokeModel codecs translate each model family's
 * native body to and from it.
 */

export type Role = 'user' | 'assistant';

export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'malformed_model_output'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded';

export type GuardQualifier = 'guard_content' | 'grounding_source' | 'query';

export interface GuardContentBlock {
  text: { text: string; qualifiers?: GuardQualifier[] };
}

export type ToolResultContent = { text: string } | { json: unknown };

export type ContentBlock =
  | { text: string }
  | { guardContent: GuardContentBlock }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: ToolResultContent[]; status?: 'success' | 'error' } };

export type SystemBlock = { text: string } | { guardContent: GuardContentBlock };

export interface Message {
  role: Role;
  content: ContentBlock[];
}

export interface ToolSpec {
  name: string;
  description?: string;
  inputSchema: { json: unknown };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface InferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ChatRequest {
  system: SystemBlock[];
  messages: Message[];
  inferenceConfig?: InferenceConfig;
  toolConfig?: { tools: Array<{ toolSpec: ToolSpec }>; toolChoice?: ToolChoice };
  /** Passed through to providers that understand them (Bedrock: `additionalModelRequestFields`). */
  additionalModelRequestFields?: Record<string, unknown>;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Only `text` and `toolUse` blocks appear in a model's answer. */
export type OutputBlock = { text: string } | { toolUse: { toolUseId: string; name: string; input: unknown } };

export interface ChatResponse {
  content: OutputBlock[];
  stopReason: StopReason;
  usage: TokenUsage;
  additionalModelResponseFields?: Record<string, unknown>;
}

/** ConverseStream events, as the SDK sees them (one key per event). */
export type ChatStreamEvent =
  | { messageStart: { role: 'assistant' } }
  | { contentBlockStart: { contentBlockIndex: number; start: { toolUse: { toolUseId: string; name: string } } } }
  | {
      contentBlockDelta: {
        contentBlockIndex: number;
        delta: { text: string } | { toolUse: { input: string } };
      };
    }
  | { contentBlockStop: { contentBlockIndex: number } }
  | { messageStop: { stopReason: StopReason; additionalModelResponseFields?: Record<string, unknown> } }
  | { metadata: { usage: TokenUsage; metrics: { latencyMs: number }; trace?: { guardrail?: unknown } } };

export interface CallOptions {
  /** Aborted when the client goes away or the upstream timeout passes. */
  signal: AbortSignal;
}

/** A provider's native InvokeModel pass-through (Amazon Bedrock only): the body is sent and returned as is. */
export interface NativeInvoker {
  invoke(
    upstreamModel: string,
    body: Uint8Array,
    opts: CallOptions & { contentType: string; accept: string },
  ): Promise<{ body: Uint8Array; contentType: string }>;
  /** Yields each chunk's model JSON (the decoded `bytes` of a `chunk` event). */
  invokeStream(
    upstreamModel: string,
    body: Uint8Array,
    opts: CallOptions & { contentType: string; accept: string },
  ): AsyncIterable<Uint8Array>;
}

export interface ModelProvider {
  /** The provider's name in the models file. */
  readonly name: string;
  /** `bedrock`, `openai`, `anthropic` or `demo`. */
  readonly type: ProviderType;
  converse(upstreamModel: string, req: ChatRequest, opts: CallOptions): Promise<ChatResponse>;
  converseStream(upstreamModel: string, req: ChatRequest, opts: CallOptions): AsyncIterable<ChatStreamEvent>;
  /** Present when InvokeModel bodies can be forwarded untranslated. */
  readonly native?: NativeInvoker;
}

export type ProviderType = 'bedrock' | 'openai' | 'anthropic' | 'demo';

/**
 * An upstream failure. `kind: 'timeout'` maps to ModelTimeoutException (408); `error` to ModelErrorException
 * (424) carrying the upstream HTTP status as `originalStatusCode`; `throttled` to ThrottlingException (429);
 * `not-ready` to ModelNotReadyException (429).
 */
export class UpstreamError extends Error {
  readonly kind: 'error' | 'timeout' | 'throttled' | 'not-ready';
  readonly status?: number;
  readonly provider: string;
  readonly upstreamMessage?: string;

  constructor(
    kind: UpstreamError['kind'],
    provider: string,
    message: string,
    opts: { status?: number; upstreamMessage?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'UpstreamError';
    this.kind = kind;
    this.provider = provider;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.upstreamMessage !== undefined) this.upstreamMessage = opts.upstreamMessage;
  }
}

/** The models file: which upstream serves each Bedrock model id. */
export interface ModelsFile {
  providers: Record<string, ProviderConfig>;
  /** Bedrock model id (e.g. `anthropic.claude-3-5-haiku-20241022-v1:0`) → route. */
  models: Record<string, ModelRoute>;
}

export interface ProviderConfig {
  type: ProviderType;
  /** openai / anthropic: the API base URL (e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`). */
  baseUrl?: string;
  /** Name of the environment variable holding the API key (never the key itself in the file). */
  apiKeyEnv?: string;
  /** bedrock: the upstream Region (default: the caller's Region). */
  region?: string;
  /** bedrock: an endpoint override (tests, VPC endpoints). */
  endpoint?: string;
  /** Milliseconds before an upstream call is abandoned with ModelTimeoutException (default 60,000). */
  timeoutMs?: number;
  /** Extra HTTP headers sent upstream. */
  headers?: Record<string, string>;
}

export interface ModelRoute {
  provider: string;
  /** The provider's own model name (default: the Bedrock model id). */
  model?: string;
}

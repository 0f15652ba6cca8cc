/**
 * OpenAI Chat Completions ⇄ Converse, both ways and without I/O. Upstream direction (Parapet calls an
 * OpenAI-compatible API): `toOpenAIRequest`, `fromOpenAIResponse`, `OpenAIStreamDecoder`. Serving direction
 * (Parapet answers `POST /v1/chat/completions`): `parseChatCompletionRequest`, `formatChatCompletion`,
 * `OpenAIStreamEncoder`, `chunkFrames`, `openAIErrorBody`.
 *
 * Choices made where the two shapes do not line up:
 * - Tool-call `arguments` that are not valid JSON are kept as the raw string in `toolUse.input` (nothing is
 *   lost, and sending the history back upstream yields the same string); empty arguments become `{}`.
 * - `tool_choice: "none"` drops the tools from the Converse request (Converse cannot say "none"), so the model
 *   cannot call any. Bedrock upstreams need a toolConfig when the history holds tool blocks; such a request
 *   then fails upstream rather than letting the model call a tool it was told not to.
 * - System and developer messages are gathered into the Converse `system` list wherever they stand.
 * - Consecutive messages of the same Converse role are merged (tool results become user content).
 * - Upstream messages carry string content: several text blocks of one message are joined with "\n"; tool
 *   results are joined the same way, JSON results serialised; a tool result's `status` has no OpenAI field.
 */
import { sseFrame } from '../sse.ts';
import type {
  ChatRequest,
  ChatResponse,
  ChatStreamEvent,
  ContentBlock,
  InferenceConfig,
  Message,
  OutputBlock,
  StopReason,
  SystemBlock,
  TokenUsage,
  ToolChoice,
  ToolResultContent,
  ToolSpec,
} from '../types.ts';

// ---------------------------------------------------------------------------------------------------------
// OpenAI shapes (the subset Parapet writes)

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters: unknown };
}

export type OpenAIToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface OpenAIChatRequestBody {
  model: string;
  messages: OpenAIMessage[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: OpenAIToolCall[] };
    logprobs: null;
    finish_reason: OpenAIFinishReason;
  }>;
  usage: OpenAIUsage;
}

export interface OpenAIChunkDelta {
  role?: 'assistant';
  content?: string;
  tool_calls?: Array<{
    index: number;
    id?: string;
    type?: 'function';
    function: { name?: string; arguments: string };
  }>;
}

export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: 0; delta: OpenAIChunkDelta; logprobs: null; finish_reason: OpenAIFinishReason | null }>;
  usage?: OpenAIUsage | null;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

/** A client request that the OpenAI-compatible endpoint refuses (HTTP 400, OpenAI's error shape). */
export class OpenAIRequestError extends Error {
  readonly status = 400;
  readonly type = 'invalid_request_error';
  readonly param: string | null;
  readonly code: string | null;

  constructor(message: string, param: string | null = null, code: string | null = null) {
    super(message);
    this.name = 'OpenAIRequestError';
    this.param = param;
    this.code = code;
  }

  /** The OpenAI error body for this error. */
  toBody(): OpenAIErrorBody {
    return openAIErrorBody(this.message, this.type, this.param, this.code);
  }
}

/** An upstream answer that does not have the chat-completion shape. */
export class MalformedOpenAIResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedOpenAIResponseError';
  }
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAIErrorBody(
  message: string,
  type: string,
  param?: string | null,
  code?: string | null,
): OpenAIErrorBody {
  return { error: { message, type, param: param ?? null, code: code ?? null } };
}

// ---------------------------------------------------------------------------------------------------------
// Shared helpers

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Tool-call arguments: JSON when they parse, `{}` when empty, otherwise the raw string (see the top note). */
export function parseToolArguments(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

/** The inverse of `parseToolArguments`: a string input is sent as is. */
export function toolArgumentsOf(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input ?? {});
}

/** OpenAI `finish_reason` → Converse stop reason (unknown reasons count as the end of the turn). */
export function stopReasonOf(finishReason: unknown): StopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filtered';
    default:
      return 'end_turn';
  }
}

/** Converse stop reason → OpenAI `finish_reason`. */
export function finishReasonOf(stopReason: StopReason): OpenAIFinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}

function usageOf(u: unknown): TokenUsage | undefined {
  if (!isObj(u)) return undefined;
  const inputTokens = isCount(u.prompt_tokens) ? u.prompt_tokens : 0;
  const outputTokens = isCount(u.completion_tokens) ? u.completion_tokens : 0;
  const totalTokens = isCount(u.total_tokens) ? u.total_tokens : inputTokens + outputTokens;
  return { inputTokens, outputTokens, totalTokens };
}

function openAIUsage(u: TokenUsage): OpenAIUsage {
  return { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.totalTokens };
}

// ---------------------------------------------------------------------------------------------------------
// Upstream direction: Converse → OpenAI request

function blockText(b: SystemBlock | ContentBlock): string | undefined {
  if ('text' in b) return b.text;
  if ('guardContent' in b) return b.guardContent.text.text;
  return undefined;
}

function toolResultText(content: ToolResultContent[]): string {
  return content.map((c) => ('text' in c ? c.text : JSON.stringify(c.json))).join('\n');
}

function toOpenAIMessages(m: Message): OpenAIMessage[] {
  const texts: string[] = [];
  if (m.role === 'assistant') {
    const calls: OpenAIToolCall[] = [];
    for (const b of m.content) {
      const t = blockText(b);
      if (t !== undefined) texts.push(t);
      else if ('toolUse' in b)
        calls.push({
          id: b.toolUse.toolUseId,
          type: 'function',
          function: { name: b.toolUse.name, arguments: toolArgumentsOf(b.toolUse.input) },
        });
    }
    const content = texts.length ? texts.join('\n') : calls.length ? null : '';
    return [{ role: 'assistant', content, ...(calls.length ? { tool_calls: calls } : {}) }];
  }
  const out: OpenAIMessage[] = [];
  for (const b of m.content) {
    const t = blockText(b);
    if (t !== undefined) texts.push(t);
    else if ('toolResult' in b)
      out.push({ role: 'tool', tool_call_id: b.toolResult.toolUseId, content: toolResultText(b.toolResult.content) });
  }
  // OpenAI wants tool messages right after the assistant's tool calls, so they come before the user's text.
  if (texts.length || !out.length) out.push({ role: 'user', content: texts.join('\n') });
  return out;
}

function toOpenAIToolChoice(c: ToolChoice): OpenAIToolChoice {
  if ('tool' in c) return { type: 'function', function: { name: c.tool.name } };
  if ('any' in c) return 'required';
  return 'auto';
}

/** The chat-completions body for an upstream call. */
export function toOpenAIRequest(model: string, req: ChatRequest, stream: boolean): OpenAIChatRequestBody {
  const messages: OpenAIMessage[] = [];
  if (req.system.length)
    messages.push({ role: 'system', content: req.system.map((b) => blockText(b) ?? '').join('\n') });
  for (const m of req.messages) messages.push(...toOpenAIMessages(m));
  const body: OpenAIChatRequestBody = { model, messages, stream };
  if (stream) body.stream_options = { include_usage: true };
  const ic = req.inferenceConfig;
  if (ic?.maxTokens !== undefined) body.max_tokens = ic.maxTokens;
  if (ic?.temperature !== undefined) body.temperature = ic.temperature;
  if (ic?.topP !== undefined) body.top_p = ic.topP;
  if (ic?.stopSequences?.length) body.stop = [...ic.stopSequences];
  const tools = req.toolConfig?.tools ?? [];
  if (tools.length) {
    body.tools = tools.map(({ toolSpec: t }) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.inputSchema.json,
      },
    }));
    if (req.toolConfig?.toolChoice) body.tool_choice = toOpenAIToolChoice(req.toolConfig.toolChoice);
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------
// Upstream direction: OpenAI response → Converse

/** Text of an upstream `content` (a string, or text parts as some servers send). */
function upstreamText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : isObj(p) && typeof p.refusal === 'string' ? p.refusal : ''))
      .join('');
  return '';
}

export function fromOpenAIResponse(json: unknown): ChatResponse {
  if (!isObj(json)) throw new MalformedOpenAIResponseError('the upstream answer is not a JSON object');
  const choices = json.choices;
  if (!Array.isArray(choices) || choices.length === 0)
    throw new MalformedOpenAIResponseError('the upstream answer has no choices');
  const choice: unknown = choices[0];
  if (!isObj(choice) || !isObj(choice.message))
    throw new MalformedOpenAIResponseError('the upstream answer has no choices[0].message');
  const msg = choice.message;
  const content: OutputBlock[] = [];
  const text = upstreamText(msg.content) || (typeof msg.refusal === 'string' ? msg.refusal : '');
  if (text) content.push({ text });
  const calls = msg.tool_calls;
  if (calls !== undefined && calls !== null && !Array.isArray(calls))
    throw new MalformedOpenAIResponseError('the upstream answer has tool_calls that are not a list');
  for (const [i, c] of (calls ?? []).entries()) {
    if (!isObj(c) || !isObj(c.function) || typeof c.function.name !== 'string')
      throw new MalformedOpenAIResponseError(`the upstream answer has a malformed tool_calls[${i}]`);
    const args = typeof c.function.arguments === 'string' ? c.function.arguments : '';
    content.push({
      toolUse: {
        toolUseId: typeof c.id === 'string' && c.id ? c.id : `call_${i}`,
        name: c.function.name,
        input: parseToolArguments(args),
      },
    });
  }
  let stopReason = stopReasonOf(choice.finish_reason);
  // Some servers answer "stop" while calling tools; the tool calls are what the caller must act on.
  if (stopReason === 'end_turn' && content.some((b) => 'toolUse' in b)) stopReason = 'tool_use';
  return { content, stopReason, usage: usageOf(json.usage) ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 } };
}

type OpenBlock = { kind: 'text'; index: number } | { kind: 'tool'; index: number; key: string };

/**
 * Turns parsed `chat.completion.chunk` objects into ConverseStream events. Call `push` for every chunk and
 * `finish` once the stream ends (`[DONE]`): it closes what is open and emits `metadata` with the usage of the
 * last usage-bearing chunk (zeros without one) and the latency since `startedAt`.
 *
 * Block indices follow Converse: text blocks get no `contentBlockStart`, tool calls do; a block is stopped when
 * the next one begins. Deltas for a tool call that was already stopped (OpenAI does not interleave, but a
 * server might) are still sent with that call's block index.
 */
export class OpenAIStreamDecoder {
  private readonly now: () => number;
  private readonly startedAt: number;
  private started = false;
  private stopped = false;
  private finished = false;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  private readonly tools = new Map<string, number>();
  private stopReason: StopReason | undefined;
  private usage: TokenUsage | undefined;

  constructor(opts: { now: () => number; startedAt?: number }) {
    this.now = opts.now;
    this.startedAt = opts.startedAt ?? opts.now();
  }

  /** Whether a chunk carried a `finish_reason`. */
  get sawFinish(): boolean {
    return this.stopReason !== undefined;
  }

  push(chunk: unknown): ChatStreamEvent[] {
    const out: ChatStreamEvent[] = [];
    if (!isObj(chunk) || this.finished) return out;
    if (!this.started) {
      this.started = true;
      out.push({ messageStart: { role: 'assistant' } });
    }
    const usage = usageOf(chunk.usage);
    if (usage) this.usage = usage;
    if (!Array.isArray(chunk.choices) || this.stopped) return out;
    const choices: unknown[] = chunk.choices;
    const choice = choices.find((c) => isObj(c) && c.index === 0) ?? choices[0];
    if (!isObj(choice)) return out;
    const delta = isObj(choice.delta) ? choice.delta : {};
    const text = upstreamText(delta.content) || (typeof delta.refusal === 'string' ? delta.refusal : '');
    if (text) {
      if (this.open?.kind !== 'text') {
        this.close(out);
        this.open = { kind: 'text', index: this.nextIndex++ };
      }
      out.push({ contentBlockDelta: { contentBlockIndex: this.open.index, delta: { text } } });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const [pos, tc] of (delta.tool_calls as unknown[]).entries()) if (isObj(tc)) this.toolDelta(tc, pos, out);
    }
    if (typeof choice.finish_reason === 'string') {
      this.stopReason = stopReasonOf(choice.finish_reason);
      if (this.stopReason === 'end_turn' && this.tools.size) this.stopReason = 'tool_use';
      this.close(out);
      this.stopped = true;
      out.push({ messageStop: { stopReason: this.stopReason } });
    }
    return out;
  }

  finish(): ChatStreamEvent[] {
    const out: ChatStreamEvent[] = [];
    if (this.finished) return out;
    this.finished = true;
    if (!this.started) out.push({ messageStart: { role: 'assistant' } });
    this.close(out);
    if (!this.stopped) out.push({ messageStop: { stopReason: this.tools.size ? 'tool_use' : 'end_turn' } });
    out.push({
      metadata: {
        usage: this.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        metrics: { latencyMs: Math.max(0, Math.round(this.now() - this.startedAt)) },
      },
    });
    return out;
  }

  private toolDelta(tc: Obj, pos: number, out: ChatStreamEvent[]): void {
    const fn = isObj(tc.function) ? tc.function : {};
    const id = typeof tc.id === 'string' && tc.id ? tc.id : undefined;
    // The OpenAI `index` identifies a call across chunks; without one, fall back to its id, then to the open call.
    const key =
      typeof tc.index === 'number'
        ? `i${tc.index}`
        : id !== undefined
          ? `id:${id}`
          : this.open?.kind === 'tool'
            ? this.open.key
            : `p${pos}`;
    let index = this.tools.get(key);
    if (index === undefined) {
      this.close(out);
      index = this.nextIndex++;
      this.tools.set(key, index);
      this.open = { kind: 'tool', index, key };
      out.push({
        contentBlockStart: {
          contentBlockIndex: index,
          start: { toolUse: { toolUseId: id ?? `call_${index}`, name: typeof fn.name === 'string' ? fn.name : '' } },
        },
      });
    }
    if (typeof fn.arguments === 'string' && fn.arguments)
      out.push({ contentBlockDelta: { contentBlockIndex: index, delta: { toolUse: { input: fn.arguments } } } });
  }

  private close(out: ChatStreamEvent[]): void {
    if (this.open) out.push({ contentBlockStop: { contentBlockIndex: this.open.index } });
    this.open = undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Serving direction: a client's chat-completions request → Converse

export interface ParsedChatCompletionRequest {
  model: string;
  chat: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
  user?: string;
}

function fail(message: string, param: string | null, code = 'invalid_value'): never {
  throw new OpenAIRequestError(message, param, code);
}

const UNSUPPORTED_PARTS: Record<string, string> = {
  image_url: 'image input (image_url)',
  input_audio: 'audio input (input_audio)',
  file: 'file input (file)',
};

/** The texts of a message's `content`: a string, or a non-empty list of text parts. */
function contentTexts(content: unknown, param: string, allowRefusal: boolean): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content))
    fail(`${param} must be a string or a list of content parts`, param, 'invalid_type');
  if (content.length === 0) fail(`${param} must not be an empty list`, param);
  return content.map((part: unknown, j) => {
    const p = `${param}[${j}]`;
    if (!isObj(part) || typeof part.type !== 'string') fail(`${p} must be an object with a "type"`, p, 'invalid_type');
    if (part.type === 'text') {
      if (typeof part.text !== 'string') fail(`${p}.text must be a string`, `${p}.text`, 'invalid_type');
      return part.text;
    }
    if (part.type === 'refusal' && allowRefusal) {
      if (typeof part.refusal !== 'string') fail(`${p}.refusal must be a string`, `${p}.refusal`, 'invalid_type');
      return part.refusal;
    }
    const what = UNSUPPORTED_PARTS[part.type];
    if (what) fail(`${p}: ${what} is not supported by this endpoint; send text content only`, `${p}.type`, 'unsupported_value');
    return fail(`${p}.type "${part.type}" is not a supported content part type (use "text")`, `${p}.type`);
  });
}

function parseToolCalls(v: unknown, param: string): ContentBlock[] {
  if (!Array.isArray(v)) fail(`${param} must be a list`, param, 'invalid_type');
  return v.map((tc: unknown, k) => {
    const p = `${param}[${k}]`;
    if (!isObj(tc)) fail(`${p} must be an object`, p, 'invalid_type');
    if (typeof tc.id !== 'string' || !tc.id) fail(`${p}.id must be a non-empty string`, `${p}.id`);
    if (tc.type !== undefined && tc.type !== 'function')
      fail(`${p}.type must be "function"`, `${p}.type`, 'unsupported_value');
    const fn = tc.function;
    if (!isObj(fn)) fail(`${p}.function must be an object`, `${p}.function`, 'invalid_type');
    if (typeof fn.name !== 'string' || !fn.name) fail(`${p}.function.name must be a non-empty string`, `${p}.function.name`);
    if (typeof fn.arguments !== 'string')
      fail(`${p}.function.arguments must be a string of JSON`, `${p}.function.arguments`, 'invalid_type');
    return { toolUse: { toolUseId: tc.id, name: fn.name, input: parseToolArguments(fn.arguments) } };
  });
}

function parseMessages(raw: unknown): { system: SystemBlock[]; messages: Message[] } {
  if (raw === undefined || raw === null) fail('messages is required', 'messages', 'missing_required_parameter');
  if (!Array.isArray(raw)) fail('messages must be a list', 'messages', 'invalid_type');
  if (raw.length === 0) fail('messages must not be empty', 'messages');
  const system: SystemBlock[] = [];
  const messages: Message[] = [];
  const add = (role: Message['role'], content: ContentBlock[]): void => {
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };
  raw.forEach((m: unknown, i) => {
    const p = `messages[${i}]`;
    if (!isObj(m)) fail(`${p} must be an object`, p, 'invalid_type');
    const role = m.role;
    switch (role) {
      case 'system':
      case 'developer':
        for (const text of contentTexts(m.content, `${p}.content`, false)) system.push({ text });
        return;
      case 'user':
        add('user', contentTexts(m.content, `${p}.content`, false).map((text) => ({ text })));
        return;
      case 'assistant': {
        if (m.function_call !== undefined && m.function_call !== null)
          fail(`${p}.function_call is deprecated and not supported; use tool_calls`, `${p}.function_call`, 'unsupported_parameter');
        const hasCalls = m.tool_calls !== undefined && m.tool_calls !== null;
        const calls = hasCalls ? parseToolCalls(m.tool_calls, `${p}.tool_calls`) : [];
        const hasContent = m.content !== undefined && m.content !== null;
        if (!hasContent && !calls.length)
          fail(`${p}: an assistant message needs content or tool_calls`, `${p}.content`, 'missing_required_parameter');
        let texts = hasContent ? contentTexts(m.content, `${p}.content`, true) : [];
        if (calls.length) texts = texts.filter((t) => t !== '');
        add('assistant', [...texts.map((text) => ({ text })), ...calls]);
        return;
      }
      case 'tool': {
        if (typeof m.tool_call_id !== 'string' || !m.tool_call_id)
          fail(`${p}.tool_call_id must be a non-empty string`, `${p}.tool_call_id`, 'missing_required_parameter');
        const content = contentTexts(m.content, `${p}.content`, false).map((text) => ({ text }));
        add('user', [{ toolResult: { toolUseId: m.tool_call_id, content } }]);
        return;
      }
      case 'function':
        return fail(`${p}.role "function" is deprecated and not supported; use "tool"`, `${p}.role`, 'unsupported_value');
      case undefined:
        return fail(`${p}.role is required`, `${p}.role`, 'missing_required_parameter');
      default:
        return fail(
          `${p}.role ${JSON.stringify(role)} is not one of system, developer, user, assistant, tool`,
          `${p}.role`,
        );
    }
  });
  if (!messages.length) fail('messages must hold at least one user, assistant or tool message', 'messages');
  return { system, messages };
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function parseTools(raw: unknown): ToolSpec[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail('tools must be a list', 'tools', 'invalid_type');
  const seen = new Set<string>();
  return raw.map((t: unknown, i) => {
    const p = `tools[${i}]`;
    if (!isObj(t)) fail(`${p} must be an object`, p, 'invalid_type');
    if (t.type !== 'function') fail(`${p}.type must be "function" (the only tool type supported)`, `${p}.type`, 'unsupported_value');
    const fn = t.function;
    if (!isObj(fn)) fail(`${p}.function must be an object`, `${p}.function`, 'missing_required_parameter');
    if (typeof fn.name !== 'string' || !TOOL_NAME.test(fn.name))
      fail(`${p}.function.name must be 1 to 64 letters, digits, underscores or dashes`, `${p}.function.name`);
    if (seen.has(fn.name)) fail(`${p}.function.name "${fn.name}" is used by another tool`, `${p}.function.name`);
    seen.add(fn.name);
    if (fn.description !== undefined && fn.description !== null && typeof fn.description !== 'string')
      fail(`${p}.function.description must be a string`, `${p}.function.description`, 'invalid_type');
    if (fn.parameters !== undefined && fn.parameters !== null && !isObj(fn.parameters))
      fail(`${p}.function.parameters must be a JSON Schema object`, `${p}.function.parameters`, 'invalid_type');
    const spec: ToolSpec = {
      name: fn.name,
      inputSchema: { json: isObj(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } },
    };
    if (typeof fn.description === 'string') spec.description = fn.description;
    return spec;
  });
}

/** `undefined` for auto (the Converse default), `null` for "none". */
function parseToolChoice(raw: unknown, tools: ToolSpec[]): ToolChoice | undefined | null {
  if (raw === undefined || raw === null || raw === 'auto') return undefined;
  if (raw === 'none') return null;
  if (raw === 'required') {
    if (!tools.length) fail('tool_choice "required" needs tools', 'tool_choice');
    return { any: {} };
  }
  if (isObj(raw) && raw.type === 'function' && isObj(raw.function) && typeof raw.function.name === 'string') {
    const name = raw.function.name;
    if (!tools.some((t) => t.name === name)) fail(`tool_choice names "${name}", which is not among the tools`, 'tool_choice');
    return { tool: { name } };
  }
  return fail('tool_choice must be "none", "auto", "required" or {"type":"function","function":{"name":…}}', 'tool_choice');
}

function optionalNumber(body: Obj, key: string, min: number, max: number, integer: boolean): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${key} must be a number`, key, 'invalid_type');
  if (integer && !Number.isInteger(v)) fail(`${key} must be an integer`, key, 'invalid_type');
  if (v < min || v > max) fail(`${key} must be between ${min} and ${max}`, key);
  return v;
}

function parseStop(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.length ? (raw as string[]) : undefined;
  return fail('stop must be a string or a list of strings', 'stop', 'invalid_type');
}

/** Validates a client's `POST /v1/chat/completions` body; throws OpenAIRequestError on anything unusable. */
export function parseChatCompletionRequest(body: unknown): ParsedChatCompletionRequest {
  if (!isObj(body)) fail('the request body must be a JSON object', null, 'invalid_type');
  if (body.model === undefined || body.model === null) fail('model is required', 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string' || body.model.trim() === '') fail('model must be a non-empty string', 'model');
  const model = body.model;
  if (body.n !== undefined && body.n !== null && body.n !== 1)
    fail('n must be 1: this endpoint returns a single choice', 'n', 'unsupported_value');
  const { system, messages } = parseMessages(body.messages);

  const maxTokens =
    optionalNumber(body, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER, true) ??
    optionalNumber(body, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  const temperature = optionalNumber(body, 'temperature', 0, 2, false);
  const topP = optionalNumber(body, 'top_p', 0, 1, false);
  const stop = parseStop(body.stop);
  const ic: InferenceConfig = {};
  if (maxTokens !== undefined) ic.maxTokens = maxTokens;
  if (temperature !== undefined) ic.temperature = temperature;
  if (topP !== undefined) ic.topP = topP;
  if (stop) ic.stopSequences = stop;

  const tools = parseTools(body.tools);
  const toolChoice = parseToolChoice(body.tool_choice, tools);

  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    fail('stream must be a boolean', 'stream', 'invalid_type');
  const so = body.stream_options;
  if (so !== undefined && so !== null) {
    if (!isObj(so)) fail('stream_options must be an object', 'stream_options', 'invalid_type');
    if (so.include_usage !== undefined && so.include_usage !== null && typeof so.include_usage !== 'boolean')
      fail('stream_options.include_usage must be a boolean', 'stream_options.include_usage', 'invalid_type');
  }
  if (body.user !== undefined && body.user !== null && typeof body.user !== 'string')
    fail('user must be a string', 'user', 'invalid_type');

  const chat: ChatRequest = { system, messages };
  if (Object.keys(ic).length) chat.inferenceConfig = ic;
  if (tools.length && toolChoice !== null)
    chat.toolConfig = { tools: tools.map((toolSpec) => ({ toolSpec })), ...(toolChoice ? { toolChoice } : {}) };
  const out: ParsedChatCompletionRequest = {
    model,
    chat,
    stream: body.stream === true,
    includeUsage: isObj(so) && so.include_usage === true,
  };
  if (typeof body.user === 'string') out.user = body.user;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Serving direction: Converse answers → OpenAI

export interface CompletionMeta {
  id: string;
  model: string;
  created: number;
}

function outputToolCall(b: { toolUse: { toolUseId: string; name: string; input: unknown } }): OpenAIToolCall {
  return {
    id: b.toolUse.toolUseId,
    type: 'function',
    function: { name: b.toolUse.name, arguments: toolArgumentsOf(b.toolUse.input) },
  };
}

/** The `chat.completion` object for a Converse answer (text blocks are concatenated). */
export function formatChatCompletion(resp: ChatResponse, meta: CompletionMeta): OpenAIChatCompletion {
  const texts: string[] = [];
  const calls: OpenAIToolCall[] = [];
  for (const b of resp.content) {
    if ('text' in b) texts.push(b.text);
    else calls.push(outputToolCall(b));
  }
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: texts.length ? texts.join('') : null,
          refusal: null,
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(resp.stopReason),
      },
    ],
    usage: openAIUsage(resp.usage),
  };
}

/**
 * Turns ConverseStream events into `chat.completion.chunk` objects. The first chunk carries
 * `delta.role: "assistant"`; tool calls are numbered 0, 1, … in the order their blocks start; `metadata`
 * becomes the final usage chunk (`choices: []`) only when the client asked for usage, and then every other
 * chunk carries `usage: null`, as OpenAI does.
 */
export class OpenAIStreamEncoder {
  private readonly meta: CompletionMeta & { includeUsage: boolean };
  private sentRole = false;
  private readonly toolIndex = new Map<number, number>();

  constructor(meta: CompletionMeta & { includeUsage: boolean }) {
    this.meta = { ...meta };
  }

  encode(ev: ChatStreamEvent): OpenAIChatCompletionChunk[] {
    if ('messageStart' in ev) return this.sentRole ? [] : [this.chunk({ content: '' })];
    if ('contentBlockStart' in ev) {
      const { contentBlockIndex, start } = ev.contentBlockStart;
      const index = this.toolOf(contentBlockIndex);
      return [
        this.chunk({
          tool_calls: [
            { index, id: start.toolUse.toolUseId, type: 'function', function: { name: start.toolUse.name, arguments: '' } },
          ],
        }),
      ];
    }
    if ('contentBlockDelta' in ev) {
      const { contentBlockIndex, delta } = ev.contentBlockDelta;
      if ('text' in delta) return delta.text ? [this.chunk({ content: delta.text })] : [];
      return [
        this.chunk({ tool_calls: [{ index: this.toolOf(contentBlockIndex), function: { arguments: delta.toolUse.input } }] }),
      ];
    }
    if ('messageStop' in ev) return [this.chunk({}, finishReasonOf(ev.messageStop.stopReason))];
    if ('metadata' in ev) {
      if (!this.meta.includeUsage) return [];
      return [{ ...this.head(), choices: [], usage: openAIUsage(ev.metadata.usage) }];
    }
    return [];
  }

  private toolOf(blockIndex: number): number {
    let i = this.toolIndex.get(blockIndex);
    if (i === undefined) {
      i = this.toolIndex.size;
      this.toolIndex.set(blockIndex, i);
    }
    return i;
  }

  private head(): Pick<OpenAIChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    return { id: this.meta.id, object: 'chat.completion.chunk', created: this.meta.created, model: this.meta.model };
  }

  private chunk(delta: OpenAIChunkDelta, finish: OpenAIFinishReason | null = null): OpenAIChatCompletionChunk {
    const d: OpenAIChunkDelta = this.sentRole ? delta : { role: 'assistant', ...delta };
    this.sentRole = true;
    return {
      ...this.head(),
      choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }],
      ...(this.meta.includeUsage ? { usage: null } : {}),
    };
  }
}

/** SSE frames for chunk objects (one `data:` frame each). */
export function chunkFrames(objs: readonly object[]): string {
  return objs.map((o) => sseFrame(JSON.stringify(o))).join('');
}

/** The frame that ends an OpenAI stream. */
export const DONE_FRAME = sseFrame('[DONE]');

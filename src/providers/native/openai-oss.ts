/**
 * OpenAI gpt-oss on Bedrock (`openai.gpt-oss-*`): an OpenAI chat-completions body (`messages`,
 * `max_completion_tokens` or `max_tokens`, `tools`, …) → a `chat.completion` object; streams are
 * `chat.completion.chunk` objects, the finish reason on the last choice chunk and the usage in a chunk
 * of its own (with Bedrock's invocation metrics).
 */
import type { ChatRequest, ChatResponse, ChatStreamEvent, OutputBlock, StopReason, ToolChoice } from '../types.ts';
import type { NativeCodec, NativeContext, NativeStreamDecoder, NativeStreamEncoder } from './types.ts';
import {
  INVOCATION_METRICS_KEY,
  StreamTail,
  asArray,
  asRecord,
  blockedChatResponse,
  blockedEvents,
  encodeAll,
  inferenceConfig,
  isRecord,
  lenientArguments,
  malformed,
  optNumber,
  optStringList,
  parseChatStyleMessages,
  parseFunctionTools,
  passThrough,
  randomId,
  reqString,
  textBlocks,
  textOf,
  toolUsesOf,
  usage,
  type Json,
} from './shared.ts';

// ---------------------------------------------------------------------------------------------- requests

function parseToolChoice(v: unknown): ToolChoice | undefined {
  if (v === undefined || v === null || v === 'none') return undefined;
  if (v === 'auto') return { auto: {} };
  if (v === 'required') return { any: {} };
  if (isRecord(v) && v.type === 'function') {
    const fn = asRecord(v.function, 'tool_choice.function');
    return { tool: { name: reqString(fn, 'name', 'tool_choice.function.name') } };
  }
  throw malformed('tool_choice', 'must be "auto", "required", "none" or {type:"function", function:{name}}');
}

function parseRequest(body: Json): ChatRequest {
  if (body.messages === undefined) throw malformed('messages', 'is required (OpenAI chat-completions body)');
  const { system, messages } = parseChatStyleMessages(body, ['system', 'developer']);
  const req: ChatRequest = { system: textBlocks(system), messages };
  const cfg = inferenceConfig({
    maxTokens:
      optNumber(body, 'max_completion_tokens', 'max_completion_tokens', { integer: true, min: 1 }) ??
      optNumber(body, 'max_tokens', 'max_tokens', { integer: true, min: 1 }),
    temperature: optNumber(body, 'temperature', 'temperature', { min: 0, max: 2 }),
    topP: optNumber(body, 'top_p', 'top_p', { min: 0, max: 1 }),
    stopSequences: optStringList(body, 'stop', 'stop', true),
  });
  if (cfg) req.inferenceConfig = cfg;
  if (body.tools !== undefined && body.tools !== null) {
    const tools = parseFunctionTools(body.tools);
    const toolChoice = parseToolChoice(body.tool_choice);
    if (tools.length) req.toolConfig = { tools, ...(toolChoice ? { toolChoice } : {}) };
  }
  const extra = passThrough(body, ['reasoning_effort']);
  if (extra) req.additionalModelRequestFields = extra;
  return req;
}

// --------------------------------------------------------------------------------------------- responses

function toFinishReason(s: StopReason): string {
  switch (s) {
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

function fromFinishReason(v: unknown): StopReason {
  switch (v) {
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

function completionId(ctx: NativeContext | undefined): string {
  return ctx?.id ?? randomId('chatcmpl-');
}

function modelOf(ctx: NativeContext | undefined): string {
  const id = ctx?.modelId;
  if (!id) return 'gpt-oss';
  return id.slice(id.lastIndexOf('/') + 1);
}

function formatResponse(resp: ChatResponse, ctx: NativeContext | undefined): Json {
  const text = textOf(resp.content);
  const calls = toolUsesOf(resp.content).map((t) => ({
    id: t.toolUseId,
    type: 'function',
    function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) },
  }));
  return {
    id: completionId(ctx),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: modelOf(ctx),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text === '' && calls.length ? null : text, ...(calls.length ? { tool_calls: calls } : {}) },
        finish_reason: toFinishReason(resp.stopReason),
      },
    ],
    usage: { prompt_tokens: resp.usage.inputTokens, completion_tokens: resp.usage.outputTokens, total_tokens: resp.usage.totalTokens },
  };
}

function parseResponse(body: Json): ChatResponse {
  const first = body.choices === undefined ? undefined : asArray(body.choices, 'choices')[0];
  const choice = first === undefined ? {} : asRecord(first, 'choices.0');
  const message = isRecord(choice.message) ? choice.message : {};
  const content: OutputBlock[] = [];
  if (typeof message.content === 'string' && message.content !== '') content.push({ text: message.content });
  if (Array.isArray(message.tool_calls)) {
    for (const tc of message.tool_calls) {
      if (!isRecord(tc)) continue;
      const fn = isRecord(tc.function) ? tc.function : {};
      content.push({ toolUse: { toolUseId: String(tc.id ?? ''), name: String(fn.name ?? ''), input: lenientArguments(fn.arguments) } });
    }
  }
  if (!content.length) content.push({ text: '' });
  const u = isRecord(body.usage) ? body.usage : {};
  return { content, stopReason: fromFinishReason(choice.finish_reason), usage: usage(u.prompt_tokens, u.completion_tokens) };
}

// ------------------------------------------------------------------------------------------------ streams

class ChunkEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();
  private readonly id: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly toolIndex = new Map<number, number>();
  private roleSent = false;

  constructor(private readonly ctx: NativeContext | undefined) {
    this.id = completionId(ctx);
  }

  private chunk(delta: Json, finish: string | null): Json {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: modelOf(this.ctx),
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
  }

  /** The first delta carries the role. */
  private delta(d: Json): Json {
    if (this.roleSent) return d;
    this.roleSent = true;
    return { role: 'assistant', ...d };
  }

  encode(ev: ChatStreamEvent): Json[] {
    if ('messageStart' in ev) return this.roleSent ? [] : [this.chunk(this.delta({ content: '' }), null)];
    if ('contentBlockStart' in ev) {
      const index = this.toolIndex.size;
      this.toolIndex.set(ev.contentBlockStart.contentBlockIndex, index);
      const t = ev.contentBlockStart.start.toolUse;
      return [this.chunk(this.delta({ tool_calls: [{ index, id: t.toolUseId, type: 'function', function: { name: t.name, arguments: '' } }] }), null)];
    }
    if ('contentBlockDelta' in ev) {
      this.tail.content();
      const { contentBlockIndex, delta } = ev.contentBlockDelta;
      if ('text' in delta) return [this.chunk(this.delta({ content: delta.text }), null)];
      const index = this.toolIndex.get(contentBlockIndex) ?? 0;
      return [this.chunk(this.delta({ tool_calls: [{ index, function: { arguments: delta.toolUse.input } }] }), null)];
    }
    if ('contentBlockStop' in ev) return [];
    if ('messageStop' in ev) {
      this.tail.offer(ev);
      return [this.chunk({}, toFinishReason(ev.messageStop.stopReason))];
    }
    const end = this.tail.offer(ev);
    const u = ev.metadata.usage;
    return [
      {
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: modelOf(this.ctx),
        choices: [],
        usage: { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.totalTokens },
        ...(end ? { [INVOCATION_METRICS_KEY]: end.metrics } : {}),
      },
    ];
  }

  flush(): Json[] {
    return [];
  }
}

class ChunkDecoder implements NativeStreamDecoder {
  decode(chunk: Json): { text?: string; stopReason?: StopReason; done?: boolean } {
    const choice = Array.isArray(chunk.choices) && isRecord(chunk.choices[0]) ? chunk.choices[0] : undefined;
    if (!choice) return {};
    const delta = isRecord(choice.delta) ? choice.delta : isRecord(choice.message) ? choice.message : {};
    const out: { text?: string; stopReason?: StopReason; done?: boolean } = {};
    if (typeof delta.content === 'string' && delta.content !== '') out.text = delta.content;
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
      out.stopReason = fromFinishReason(choice.finish_reason);
      out.done = true;
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------- codec

export const openaiCodec: NativeCodec = {
  family: 'openai',
  parseRequest,
  formatResponse,
  parseResponse,
  blockedResponse(message, ctx) {
    return formatResponse(blockedChatResponse(message), ctx);
  },
  streamEncoder(ctx) {
    return new ChunkEncoder(ctx);
  },
  streamDecoder() {
    return new ChunkDecoder();
  },
  blockedChunks(message, ctx) {
    return encodeAll(new ChunkEncoder(ctx), blockedEvents(message));
  },
};

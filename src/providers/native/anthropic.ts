/**
 * Anthropic Claude on Bedrock: the Messages API body (`anthropic_version: "bedrock-2023-05-31"`) and the
 * legacy Text Completions body (`prompt: "\n\nHuman: …\n\nAssistant:"`, `max_tokens_to_sample`), their
 * responses and their stream chunks. Also the format of the built-in demo model.
 */
import type {
  ChatRequest,
  ChatResponse,
  ChatStreamEvent,
  ContentBlock,
  Message,
  OutputBlock,
  StopReason,
  SystemBlock,
  ToolChoice,
  ToolResultContent,
  ToolSpec,
} from '../types.ts';
import type { NativeCodec, NativeContext, NativeStreamDecoder, NativeStreamEncoder } from './types.ts';
import {
  INVOCATION_METRICS_KEY,
  StreamTail,
  asArray,
  asRecord,
  asString,
  blockedChatResponse,
  blockedEvents,
  encodeAll,
  inferenceConfig,
  isRecord,
  malformed,
  mergeSameRole,
  optNumber,
  optString,
  optStringList,
  passThrough,
  randomId,
  reqArray,
  reqNumber,
  reqString,
  textBlocks,
  textOf,
  usage,
  userText,
  type Json,
  type StreamEnd,
} from './shared.ts';

export const ANTHROPIC_VERSION = 'bedrock-2023-05-31';
const HUMAN = '\n\nHuman:';

/** A Text Completions body (`prompt`) rather than a Messages body (`messages`). */
export function isTextCompletionBody(body: Json | undefined): boolean {
  return !!body && body.messages === undefined && body.prompt !== undefined;
}

// ---------------------------------------------------------------------------------------------- requests

function parseToolResultContent(v: unknown, path: string): ToolResultContent[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [{ text: v }];
  return asArray(v, path).map((item, i) => {
    const p = `${path}.${i}`;
    const b = asRecord(item, p);
    const type = asString(b.type, `${p}.type`);
    if (type === 'text') return { text: asString(b.text, `${p}.text`) };
    if (type === 'image' || type === 'document') throw malformed(p, `${type} content is not supported`);
    throw malformed(`${p}.type`, `"${type}" is not a supported tool result content type (text)`);
  });
}

function parseBlock(v: unknown, path: string): ContentBlock | undefined {
  const b = asRecord(v, path);
  const type = asString(b.type, `${path}.type`);
  switch (type) {
    case 'text':
      return { text: asString(b.text, `${path}.text`) };
    case 'tool_use':
      return {
        toolUse: {
          toolUseId: asString(b.id, `${path}.id`),
          name: asString(b.name, `${path}.name`),
          input: b.input === undefined ? {} : asRecord(b.input, `${path}.input`),
        },
      };
    case 'tool_result': {
      const isError = b.is_error;
      if (isError !== undefined && typeof isError !== 'boolean') throw malformed(`${path}.is_error`, 'must be a boolean');
      return {
        toolResult: {
          toolUseId: asString(b.tool_use_id, `${path}.tool_use_id`),
          content: parseToolResultContent(b.content, `${path}.content`),
          ...(isError === true ? { status: 'error' as const } : {}),
        },
      };
    }
    case 'thinking':
    case 'redacted_thinking':
      // Earlier reasoning handed back with the history: not content to guard nor to forward to other APIs.
      return undefined;
    case 'image':
    case 'document':
      throw malformed(path, `${type} content is not supported`);
    default:
      throw malformed(`${path}.type`, `"${type}" is not a supported content type (text, tool_use, tool_result)`);
  }
}

function parseMessages(body: Json): Message[] {
  return reqArray(body, 'messages').map((v, i) => {
    const path = `messages.${i}`;
    const m = asRecord(v, path);
    const role = m.role;
    if (role !== 'user' && role !== 'assistant') throw malformed(`${path}.role`, 'must be "user" or "assistant"');
    const content = m.content;
    if (typeof content === 'string') return { role, content: [{ text: content }] };
    if (!Array.isArray(content)) throw malformed(`${path}.content`, 'must be a string or an array of content blocks');
    const blocks: ContentBlock[] = [];
    content.forEach((b, j) => {
      const block = parseBlock(b, `${path}.content.${j}`);
      if (block) blocks.push(block);
    });
    return { role, content: blocks };
  });
}

function parseSystem(v: unknown): SystemBlock[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return textBlocks([v]);
  return asArray(v, 'system').map((item, i) => {
    const b = asRecord(item, `system.${i}`);
    if (b.type !== 'text') throw malformed(`system.${i}.type`, 'must be "text"');
    return { text: asString(b.text, `system.${i}.text`) };
  });
}

function parseTools(body: Json): ChatRequest['toolConfig'] {
  if (body.tools === undefined || body.tools === null) return undefined;
  const tools = asArray(body.tools, 'tools').map((v, i): { toolSpec: ToolSpec } => {
    const t = asRecord(v, `tools.${i}`);
    const name = reqString(t, 'name', `tools.${i}.name`);
    if (t.input_schema === undefined) throw malformed(`tools.${i}.input_schema`, 'is required (only client tools are supported)');
    const description = optString(t, 'description', `tools.${i}.description`);
    return {
      toolSpec: {
        name,
        ...(description !== undefined ? { description } : {}),
        inputSchema: { json: asRecord(t.input_schema, `tools.${i}.input_schema`) },
      },
    };
  });
  let toolChoice: ToolChoice | undefined;
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    const c = asRecord(body.tool_choice, 'tool_choice');
    switch (c.type) {
      case 'auto':
        toolChoice = { auto: {} };
        break;
      case 'any':
        toolChoice = { any: {} };
        break;
      case 'tool':
        toolChoice = { tool: { name: reqString(c, 'name', 'tool_choice.name') } };
        break;
      case 'none':
        break;
      default:
        throw malformed('tool_choice.type', 'must be "auto", "any", "tool" or "none"');
    }
  }
  if (!tools.length) return undefined;
  return { tools, ...(toolChoice ? { toolChoice } : {}) };
}

function parseMessagesRequest(body: Json): ChatRequest {
  if (body.anthropic_version !== undefined) asString(body.anthropic_version, 'anthropic_version');
  const maxTokens = reqNumber(body, 'max_tokens', 'max_tokens', { integer: true, min: 1 });
  const req: ChatRequest = { system: parseSystem(body.system), messages: parseMessages(body) };
  const cfg = inferenceConfig({
    maxTokens,
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
    stopSequences: optStringList(body, 'stop_sequences'),
  });
  if (cfg) req.inferenceConfig = cfg;
  const toolConfig = parseTools(body);
  if (toolConfig) req.toolConfig = toolConfig;
  optNumber(body, 'top_k', 'top_k', { integer: true, min: 0 });
  const extra = passThrough(body, ['top_k']);
  if (extra) req.additionalModelRequestFields = extra;
  return req;
}

/**
 * Splits a Text Completions prompt into turns. Text before the first `Human:` is the system prompt; an
 * empty last `Assistant:` is where the answer goes, a non-empty one is a prefill.
 */
export function splitHumanAssistant(prompt: string): { system: string[]; messages: Message[] } {
  const re = /(?:^|\n\n)(Human|Assistant):/g;
  const marks: Array<{ role: 'user' | 'assistant'; start: number; end: number }> = [];
  for (let m = re.exec(prompt); m; m = re.exec(prompt)) {
    marks.push({ role: m[1] === 'Human' ? 'user' : 'assistant', start: m.index, end: re.lastIndex });
  }
  if (!marks.length) return { system: [], messages: [userText(prompt.trim())] };
  const system = prompt.slice(0, marks[0]!.start).trim();
  const messages: Message[] = [];
  marks.forEach((mark, i) => {
    const text = prompt.slice(mark.end, marks[i + 1]?.start ?? prompt.length).trim();
    if (text || (mark.role === 'user' && i < marks.length - 1)) messages.push({ role: mark.role, content: [{ text }] });
  });
  if (!messages.length) messages.push(userText(''));
  return { system: system ? [system] : [], messages: mergeSameRole(messages) };
}

function parseTextCompletionRequest(body: Json): ChatRequest {
  const prompt = reqString(body, 'prompt');
  const maxTokens = reqNumber(body, 'max_tokens_to_sample', 'max_tokens_to_sample', { integer: true, min: 1 });
  const { system, messages } = splitHumanAssistant(prompt);
  const req: ChatRequest = { system: textBlocks(system), messages };
  const cfg = inferenceConfig({
    maxTokens,
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
    stopSequences: optStringList(body, 'stop_sequences'),
  });
  if (cfg) req.inferenceConfig = cfg;
  optNumber(body, 'top_k', 'top_k', { integer: true, min: 0 });
  const extra = passThrough(body, ['top_k']);
  if (extra) req.additionalModelRequestFields = extra;
  return req;
}

// --------------------------------------------------------------------------------------------- responses

const TO_ANTHROPIC_STOP: Record<StopReason, string> = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  guardrail_intervened: 'guardrail_intervened',
  content_filtered: 'refusal',
  malformed_model_output: 'end_turn',
  malformed_tool_use: 'end_turn',
  model_context_window_exceeded: 'model_context_window_exceeded',
};

export function fromAnthropicStop(v: unknown): StopReason {
  switch (v) {
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
    case 'guardrail_intervened':
    case 'model_context_window_exceeded':
      return v;
    case 'refusal':
      return 'content_filtered';
    default:
      return 'end_turn';
  }
}

/** `anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku-20241022`, as Bedrock reports it. */
function modelName(modelId: string | undefined): string {
  if (!modelId) return 'claude';
  const id = modelId.slice(modelId.lastIndexOf('/') + 1);
  const m = /^(?:[a-z-]+\.)?anthropic\.(.+?)(?:-v\d+(?::\d+)?)?$/.exec(id);
  return m?.[1] ?? id;
}

function messageId(ctx: NativeContext | undefined): string {
  return ctx?.id ?? randomId('msg_bdrk_');
}

function formatBlocks(content: readonly OutputBlock[]): Json[] {
  return content.map((b) =>
    'text' in b
      ? { type: 'text', text: b.text }
      : { type: 'tool_use', id: b.toolUse.toolUseId, name: b.toolUse.name, input: b.toolUse.input ?? {} },
  );
}

function stopSequenceOf(fields: Json | undefined): string | null {
  const s = fields?.stop_sequence;
  return typeof s === 'string' ? s : null;
}

function formatMessagesResponse(resp: ChatResponse, ctx: NativeContext | undefined): Json {
  return {
    id: messageId(ctx),
    type: 'message',
    role: 'assistant',
    model: modelName(ctx?.modelId),
    content: formatBlocks(resp.content),
    stop_reason: TO_ANTHROPIC_STOP[resp.stopReason],
    stop_sequence: stopSequenceOf(resp.additionalModelResponseFields),
    usage: { input_tokens: resp.usage.inputTokens, output_tokens: resp.usage.outputTokens },
  };
}

/** Text Completions: `stop_sequence` (with the sequence that matched) or `max_tokens`. */
function legacyStop(stopReason: StopReason, fields: Json | undefined): { stop_reason: string; stop: string | null } {
  if (stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded') return { stop_reason: 'max_tokens', stop: null };
  if (stopReason === 'guardrail_intervened' || stopReason === 'content_filtered') return { stop_reason: 'stop_sequence', stop: null };
  return { stop_reason: 'stop_sequence', stop: stopSequenceOf(fields) ?? (stopReason === 'stop_sequence' ? null : HUMAN) };
}

function formatTextCompletionResponse(resp: ChatResponse): Json {
  return { completion: textOf(resp.content), ...legacyStop(resp.stopReason, resp.additionalModelResponseFields) };
}

function parseResponseBody(body: Json): ChatResponse {
  if (body.completion !== undefined) {
    const completion = asString(body.completion, 'completion');
    return {
      content: [{ text: completion }],
      stopReason: body.stop_reason === 'max_tokens' ? 'max_tokens' : 'end_turn',
      usage: usage(0, 0),
    };
  }
  const content: OutputBlock[] = [];
  const blocks = body.content === undefined ? [] : asArray(body.content, 'content');
  blocks.forEach((v, i) => {
    if (!isRecord(v)) throw malformed(`content.${i}`, 'must be an object');
    if (v.type === 'text') content.push({ text: asString(v.text, `content.${i}.text`) });
    else if (v.type === 'tool_use') {
      content.push({
        toolUse: { toolUseId: asString(v.id, `content.${i}.id`), name: asString(v.name, `content.${i}.name`), input: v.input ?? {} },
      });
    }
  });
  const u = isRecord(body.usage) ? body.usage : {};
  const resp: ChatResponse = { content, stopReason: fromAnthropicStop(body.stop_reason), usage: usage(u.input_tokens, u.output_tokens) };
  if (typeof body.stop_sequence === 'string') resp.additionalModelResponseFields = { stop_sequence: body.stop_sequence };
  return resp;
}

// ------------------------------------------------------------------------------------------------ streams

class MessagesEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();
  private started = false;
  private readonly open = new Set<number>();

  constructor(private readonly ctx: NativeContext | undefined) {}

  private start(out: Json[]): void {
    if (this.started) return;
    this.started = true;
    out.push({
      type: 'message_start',
      message: {
        id: messageId(this.ctx),
        type: 'message',
        role: 'assistant',
        model: modelName(this.ctx?.modelId),
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  private closeAll(out: Json[]): void {
    for (const index of [...this.open].sort((a, b) => a - b)) out.push({ type: 'content_block_stop', index });
    this.open.clear();
  }

  private end(e: StreamEnd, out: Json[]): void {
    this.start(out);
    this.closeAll(out);
    out.push({
      type: 'message_delta',
      delta: { stop_reason: TO_ANTHROPIC_STOP[e.stopReason], stop_sequence: stopSequenceOf(e.additionalModelResponseFields) },
      usage: { output_tokens: e.usage.outputTokens },
    });
    out.push({ type: 'message_stop', [INVOCATION_METRICS_KEY]: e.metrics });
  }

  encode(ev: ChatStreamEvent): Json[] {
    const out: Json[] = [];
    if (this.tail.ended) return out;
    if ('messageStart' in ev) {
      this.start(out);
    } else if ('contentBlockStart' in ev) {
      this.start(out);
      const { contentBlockIndex: index, start } = ev.contentBlockStart;
      if (!this.open.has(index)) {
        this.open.add(index);
        out.push({
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: start.toolUse.toolUseId, name: start.toolUse.name, input: {} },
        });
      }
    } else if ('contentBlockDelta' in ev) {
      this.start(out);
      this.tail.content();
      const { contentBlockIndex: index, delta } = ev.contentBlockDelta;
      if ('text' in delta) {
        if (!this.open.has(index)) {
          this.open.add(index);
          out.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        }
        out.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta.text } });
      } else {
        if (!this.open.has(index)) {
          this.open.add(index);
          out.push({
            type: 'content_block_start',
            index,
            content_block: { type: 'tool_use', id: randomId('toolu_bdrk_'), name: '', input: {} },
          });
        }
        out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: delta.toolUse.input } });
      }
    } else if ('contentBlockStop' in ev) {
      const index = ev.contentBlockStop.contentBlockIndex;
      if (this.open.delete(index)) out.push({ type: 'content_block_stop', index });
    } else {
      const e = this.tail.offer(ev);
      if (e) this.end(e, out);
    }
    return out;
  }

  flush(): Json[] {
    const out: Json[] = [];
    const e = this.tail.flush();
    if (e) this.end(e, out);
    return out;
  }
}

class TextCompletionEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();

  private end(e: StreamEnd): Json[] {
    return [{ completion: '', ...legacyStop(e.stopReason, e.additionalModelResponseFields), [INVOCATION_METRICS_KEY]: e.metrics }];
  }

  encode(ev: ChatStreamEvent): Json[] {
    if (this.tail.ended) return [];
    if ('contentBlockDelta' in ev) {
      const d = ev.contentBlockDelta.delta;
      if (!('text' in d)) return [];
      this.tail.content();
      return [{ completion: d.text, stop_reason: null, stop: null }];
    }
    const e = this.tail.offer(ev);
    return e ? this.end(e) : [];
  }

  flush(): Json[] {
    const e = this.tail.flush();
    return e ? this.end(e) : [];
  }
}

class AnthropicDecoder implements NativeStreamDecoder {
  decode(chunk: Json): { text?: string; stopReason?: StopReason; done?: boolean } {
    if (chunk.type === undefined && chunk.completion !== undefined) {
      const out: { text?: string; stopReason?: StopReason; done?: boolean } = {};
      if (typeof chunk.completion === 'string' && chunk.completion !== '') out.text = chunk.completion;
      if (chunk.stop_reason !== undefined && chunk.stop_reason !== null) {
        out.stopReason = chunk.stop_reason === 'max_tokens' ? 'max_tokens' : 'end_turn';
        out.done = true;
      }
      return out;
    }
    switch (chunk.type) {
      case 'content_block_delta': {
        const d = isRecord(chunk.delta) ? chunk.delta : {};
        return d.type === 'text_delta' && typeof d.text === 'string' ? { text: d.text } : {};
      }
      case 'content_block_start': {
        const b = isRecord(chunk.content_block) ? chunk.content_block : {};
        return b.type === 'text' && typeof b.text === 'string' && b.text !== '' ? { text: b.text } : {};
      }
      case 'message_delta': {
        const d = isRecord(chunk.delta) ? chunk.delta : {};
        return d.stop_reason === undefined || d.stop_reason === null ? {} : { stopReason: fromAnthropicStop(d.stop_reason) };
      }
      case 'message_stop':
        return { done: true };
      default:
        return {};
    }
  }
}

// ------------------------------------------------------------------------------------------------- codec

export const anthropicCodec: NativeCodec = {
  family: 'anthropic',
  parseRequest(body) {
    if (body.messages !== undefined) return parseMessagesRequest(body);
    if (body.prompt !== undefined) return parseTextCompletionRequest(body);
    throw malformed('messages', 'is required (Anthropic Messages body; or `prompt` for the Text Completions body)');
  },
  formatResponse(resp, ctx) {
    return isTextCompletionBody(ctx?.request) ? formatTextCompletionResponse(resp) : formatMessagesResponse(resp, ctx);
  },
  parseResponse: parseResponseBody,
  blockedResponse(message, ctx) {
    return this.formatResponse(blockedChatResponse(message), ctx);
  },
  streamEncoder(ctx) {
    return isTextCompletionBody(ctx?.request) ? new TextCompletionEncoder() : new MessagesEncoder(ctx);
  },
  streamDecoder() {
    return new AnthropicDecoder();
  },
  blockedChunks(message, ctx) {
    return encodeAll(this.streamEncoder(ctx), blockedEvents(message));
  },
};

/**
 * Mistral AI on Bedrock, both native formats (the body's shape decides):
 * - text completion `{prompt:"<s>[INST] … [/INST]", max_tokens, temperature, top_p, top_k, stop}` →
 *   `{outputs:[{text, stop_reason}]}` (the `[INST]` template is split into turns);
 * - chat completion (Mistral Large) `{messages, tools, tool_choice, max_tokens, temperature, top_p}` →
 *   `{choices:[{index, message:{role, content, tool_calls}, stop_reason}]}`.
 * Stream chunks have the response's shape with `stop_reason` null until the last.
 */
import type { ChatRequest, ChatResponse, ChatStreamEvent, OutputBlock, StopReason, ToolChoice } from '../types.ts';
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
  lenientArguments,
  malformed,
  optNumber,
  optStringList,
  parseChatStyleMessages,
  passThrough,
  reqString,
  parseFunctionTools,
  splitInstTemplate,
  textBlocks,
  textOf,
  toolUsesOf,
  usage,
  userText,
  type Json,
  type StreamEnd,
} from './shared.ts';

/** A chat body (`messages`) rather than a text-completion body (`prompt`). */
function isChat(body: Json | undefined): boolean {
  return !!body && body.messages !== undefined;
}

// ---------------------------------------------------------------------------------------------- requests

function commonConfig(body: Json, req: ChatRequest): void {
  const cfg = inferenceConfig({
    maxTokens: optNumber(body, 'max_tokens', 'max_tokens', { integer: true, min: 1 }),
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
    stopSequences: optStringList(body, 'stop', 'stop', true),
  });
  if (cfg) req.inferenceConfig = cfg;
  optNumber(body, 'top_k', 'top_k', { integer: true, min: 0 });
  const extra = passThrough(body, ['top_k']);
  if (extra) req.additionalModelRequestFields = extra;
}

function parseTextRequest(body: Json): ChatRequest {
  const prompt = reqString(body, 'prompt');
  const split = splitInstTemplate(prompt);
  const req: ChatRequest = split
    ? { system: textBlocks(split.system), messages: split.messages }
    : { system: [], messages: [userText(prompt)] };
  commonConfig(body, req);
  return req;
}

function parseChatRequest(body: Json): ChatRequest {
  const { system, messages } = parseChatStyleMessages(body, ['system']);
  const req: ChatRequest = { system: textBlocks(system), messages };
  commonConfig(body, req);
  if (body.tools !== undefined && body.tools !== null) {
    const tools = parseFunctionTools(body.tools);
    let toolChoice: ToolChoice | undefined;
    switch (body.tool_choice) {
      case undefined:
      case null:
      case 'none':
        break;
      case 'auto':
        toolChoice = { auto: {} };
        break;
      case 'any':
      case 'required':
        toolChoice = { any: {} };
        break;
      default:
        throw malformed('tool_choice', 'must be "auto", "any" or "none"');
    }
    if (tools.length) req.toolConfig = { tools, ...(toolChoice ? { toolChoice } : {}) };
  }
  return req;
}

// --------------------------------------------------------------------------------------------- responses

function toMistralStop(s: StopReason): string {
  switch (s) {
    case 'max_tokens':
      return 'length';
    case 'model_context_window_exceeded':
      return 'model_length';
    case 'tool_use':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

function fromMistralStop(v: unknown): StopReason {
  switch (v) {
    case 'length':
      return 'max_tokens';
    case 'model_length':
      return 'model_context_window_exceeded';
    case 'tool_calls':
      return 'tool_use';
    case 'error':
      return 'malformed_model_output';
    default:
      return 'end_turn';
  }
}

function toolCalls(content: readonly OutputBlock[]): Json[] {
  return toolUsesOf(content).map((t) => ({ id: t.toolUseId, function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) } }));
}

function formatResponse(resp: ChatResponse, ctx: NativeContext | undefined): Json {
  if (!isChat(ctx?.request)) return { outputs: [{ text: textOf(resp.content), stop_reason: toMistralStop(resp.stopReason) }] };
  const calls = toolCalls(resp.content);
  return {
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: textOf(resp.content), ...(calls.length ? { tool_calls: calls } : {}) },
        stop_reason: toMistralStop(resp.stopReason),
      },
    ],
  };
}

function parseResponse(body: Json): ChatResponse {
  if (body.outputs !== undefined) {
    const first = asArray(body.outputs, 'outputs')[0];
    const o = first === undefined ? {} : asRecord(first, 'outputs.0');
    return {
      content: [{ text: o.text === undefined || o.text === null ? '' : asString(o.text, 'outputs.0.text') }],
      stopReason: fromMistralStop(o.stop_reason),
      usage: usage(0, 0),
    };
  }
  const first = body.choices === undefined ? undefined : asArray(body.choices, 'choices')[0];
  const choice = first === undefined ? {} : asRecord(first, 'choices.0');
  const message = isRecord(choice.message) ? choice.message : {};
  const content: OutputBlock[] = [];
  const text = typeof message.content === 'string' ? message.content : '';
  if (text) content.push({ text });
  if (Array.isArray(message.tool_calls)) {
    for (const tc of message.tool_calls) {
      if (!isRecord(tc)) continue;
      const fn = isRecord(tc.function) ? tc.function : {};
      content.push({ toolUse: { toolUseId: String(tc.id ?? ''), name: String(fn.name ?? ''), input: lenientArguments(fn.arguments) } });
    }
  }
  if (!content.length) content.push({ text: '' });
  const u = isRecord(body.usage) ? body.usage : {};
  return { content, stopReason: fromMistralStop(choice.stop_reason ?? choice.finish_reason), usage: usage(u.prompt_tokens, u.completion_tokens) };
}

// ------------------------------------------------------------------------------------------------ streams

class PromptEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();

  private end(e: StreamEnd): Json[] {
    return [{ outputs: [{ text: '', stop_reason: toMistralStop(e.stopReason) }], [INVOCATION_METRICS_KEY]: e.metrics }];
  }

  encode(ev: ChatStreamEvent): Json[] {
    if (this.tail.ended) return [];
    if ('contentBlockDelta' in ev) {
      const d = ev.contentBlockDelta.delta;
      if (!('text' in d)) return [];
      this.tail.content();
      return [{ outputs: [{ text: d.text, stop_reason: null }] }];
    }
    const e = this.tail.offer(ev);
    return e ? this.end(e) : [];
  }

  flush(): Json[] {
    const e = this.tail.flush();
    return e ? this.end(e) : [];
  }
}

class ChatEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();
  private readonly tools = new Map<number, { id: string; name: string; args: string }>();

  private chunk(message: Json, stop: string | null): Json {
    return { choices: [{ index: 0, message: { role: 'assistant', ...message }, stop_reason: stop }] };
  }

  private end(e: StreamEnd): Json[] {
    return [{ ...this.chunk({ content: '' }, toMistralStop(e.stopReason)), [INVOCATION_METRICS_KEY]: e.metrics }];
  }

  encode(ev: ChatStreamEvent): Json[] {
    if (this.tail.ended) return [];
    if ('contentBlockStart' in ev) {
      const t = ev.contentBlockStart.start.toolUse;
      this.tools.set(ev.contentBlockStart.contentBlockIndex, { id: t.toolUseId, name: t.name, args: '' });
      return [];
    }
    if ('contentBlockDelta' in ev) {
      const { contentBlockIndex: index, delta } = ev.contentBlockDelta;
      this.tail.content();
      if ('text' in delta) return [this.chunk({ content: delta.text }, null)];
      const t = this.tools.get(index);
      if (t) t.args += delta.toolUse.input;
      return [];
    }
    if ('contentBlockStop' in ev) {
      const t = this.tools.get(ev.contentBlockStop.contentBlockIndex);
      if (!t) return [];
      this.tools.delete(ev.contentBlockStop.contentBlockIndex);
      return [this.chunk({ content: '', tool_calls: [{ id: t.id, function: { name: t.name, arguments: t.args || '{}' } }] }, null)];
    }
    const e = this.tail.offer(ev);
    return e ? this.end(e) : [];
  }

  flush(): Json[] {
    const e = this.tail.flush();
    return e ? this.end(e) : [];
  }
}

class MistralDecoder implements NativeStreamDecoder {
  decode(chunk: Json): { text?: string; stopReason?: StopReason; done?: boolean } {
    let text: unknown;
    let stop: unknown;
    if (Array.isArray(chunk.outputs)) {
      const o = isRecord(chunk.outputs[0]) ? chunk.outputs[0] : {};
      text = o.text;
      stop = o.stop_reason;
    } else if (Array.isArray(chunk.choices)) {
      const c = isRecord(chunk.choices[0]) ? chunk.choices[0] : {};
      const m = isRecord(c.message) ? c.message : isRecord(c.delta) ? c.delta : {};
      text = m.content;
      stop = c.stop_reason ?? c.finish_reason;
    }
    const out: { text?: string; stopReason?: StopReason; done?: boolean } = {};
    if (typeof text === 'string' && text !== '') out.text = text;
    if (stop !== undefined && stop !== null) {
      out.stopReason = fromMistralStop(stop);
      out.done = true;
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------- codec

export const mistralCodec: NativeCodec = {
  family: 'mistral',
  parseRequest(body) {
    if (body.messages !== undefined) return parseChatRequest(body);
    if (body.prompt !== undefined) return parseTextRequest(body);
    throw malformed('prompt', 'is required (Mistral text-completion body; or `messages` for the chat-completion body)');
  },
  formatResponse,
  parseResponse,
  blockedResponse(message, ctx) {
    return formatResponse(blockedChatResponse(message), ctx);
  },
  streamEncoder(ctx) {
    return isChat(ctx?.request) ? new ChatEncoder() : new PromptEncoder();
  },
  streamDecoder() {
    return new MistralDecoder();
  },
  blockedChunks(message, ctx) {
    return encodeAll(this.streamEncoder(ctx), blockedEvents(message));
  },
};

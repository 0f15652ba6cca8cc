/**
 * Meta Llama on Bedrock: `{prompt, max_gen_len, temperature, top_p}` → `{generation, prompt_token_count,
 * generation_token_count, stop_reason}`; stream chunks have the same fields, `stop_reason` null until the last.
 * A prompt written in the Llama 3 or Llama 2 chat template is split into system text and turns.
 */
import type { ChatRequest, ChatResponse, ChatStreamEvent, Message, StopReason } from '../types.ts';
import type { NativeCodec, NativeStreamDecoder, NativeStreamEncoder } from './types.ts';
import {
  INVOCATION_METRICS_KEY,
  StreamTail,
  asString,
  blockedChatResponse,
  blockedEvents,
  encodeAll,
  inferenceConfig,
  malformed,
  mergeSameRole,
  optNumber,
  splitInstTemplate,
  textBlocks,
  textOf,
  usage,
  userText,
  type Json,
  type StreamEnd,
} from './shared.ts';

const HEADER_RE = /<\|start_header_id\|>\s*([a-z_]+)\s*<\|end_header_id\|>/g;
const END_TOKENS_RE = /<\|(?:eot_id|eom_id|end_of_text|begin_of_text)\|>/g;

/**
 * Splits a Llama 3 chat-template prompt (`<|start_header_id|>role<|end_header_id|>\n\ntext<|eot_id|>`).
 * `system` turns become system text, `ipython`/`tool` turns (tool output) user text; an empty last
 * assistant header is where the answer goes. Undefined when the prompt has no header.
 */
export function splitLlama3Template(prompt: string): { system: string[]; messages: Message[] } | undefined {
  const marks: Array<{ role: string; start: number; end: number }> = [];
  HEADER_RE.lastIndex = 0;
  for (let m = HEADER_RE.exec(prompt); m; m = HEADER_RE.exec(prompt)) {
    marks.push({ role: m[1] ?? '', start: m.index, end: HEADER_RE.lastIndex });
  }
  if (!marks.length) return undefined;
  const system: string[] = [];
  const messages: Message[] = [];
  const before = prompt.slice(0, marks[0]!.start).replace(END_TOKENS_RE, '').trim();
  if (before) system.push(before);
  marks.forEach((mark, i) => {
    const text = prompt
      .slice(mark.end, marks[i + 1]?.start ?? prompt.length)
      .replace(END_TOKENS_RE, '')
      .trim();
    if (mark.role === 'system') {
      if (text) system.push(text);
    } else if (mark.role === 'assistant') {
      if (text) messages.push({ role: 'assistant', content: [{ text }] });
    } else {
      messages.push(userText(text));
    }
  });
  if (!messages.length) messages.push(userText(''));
  return { system, messages: mergeSameRole(messages) };
}

function parseRequest(body: Json): ChatRequest {
  if (body.prompt === undefined) throw malformed('prompt', 'is required (Meta Llama body)');
  const prompt = asString(body.prompt, 'prompt');
  if (body.images !== undefined) throw malformed('images', 'image content is not supported');
  const split = splitLlama3Template(prompt) ?? splitInstTemplate(prompt);
  const req: ChatRequest = split
    ? { system: textBlocks(split.system), messages: split.messages }
    : { system: [], messages: [userText(prompt)] };
  const cfg = inferenceConfig({
    maxTokens: optNumber(body, 'max_gen_len', 'max_gen_len', { integer: true, min: 1 }),
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
  });
  if (cfg) req.inferenceConfig = cfg;
  return req;
}

function toLlamaStop(s: StopReason): string {
  return s === 'max_tokens' || s === 'model_context_window_exceeded' ? 'length' : 'stop';
}

function fromLlamaStop(v: unknown): StopReason {
  return v === 'length' ? 'max_tokens' : 'end_turn';
}

function formatResponse(resp: ChatResponse): Json {
  return {
    generation: textOf(resp.content),
    prompt_token_count: resp.usage.inputTokens,
    generation_token_count: resp.usage.outputTokens,
    stop_reason: toLlamaStop(resp.stopReason),
  };
}

function parseResponse(body: Json): ChatResponse {
  const generation = body.generation === undefined || body.generation === null ? '' : asString(body.generation, 'generation');
  return {
    content: [{ text: generation }],
    stopReason: fromLlamaStop(body.stop_reason),
    usage: usage(body.prompt_token_count, body.generation_token_count),
  };
}

class LlamaEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();
  private chunks = 0;

  private end(e: StreamEnd): Json[] {
    return [
      {
        generation: '',
        prompt_token_count: null,
        generation_token_count: Math.max(e.usage.outputTokens, this.chunks),
        stop_reason: toLlamaStop(e.stopReason),
        [INVOCATION_METRICS_KEY]: e.metrics,
      },
    ];
  }

  encode(ev: ChatStreamEvent): Json[] {
    if (this.tail.ended) return [];
    if ('contentBlockDelta' in ev) {
      const d = ev.contentBlockDelta.delta;
      if (!('text' in d)) return [];
      this.tail.content();
      this.chunks++;
      return [{ generation: d.text, prompt_token_count: null, generation_token_count: this.chunks, stop_reason: null }];
    }
    const e = this.tail.offer(ev);
    return e ? this.end(e) : [];
  }

  flush(): Json[] {
    const e = this.tail.flush();
    return e ? this.end(e) : [];
  }
}

class LlamaDecoder implements NativeStreamDecoder {
  decode(chunk: Json): { text?: string; stopReason?: StopReason; done?: boolean } {
    const out: { text?: string; stopReason?: StopReason; done?: boolean } = {};
    if (typeof chunk.generation === 'string' && chunk.generation !== '') out.text = chunk.generation;
    if (chunk.stop_reason !== undefined && chunk.stop_reason !== null) {
      out.stopReason = fromLlamaStop(chunk.stop_reason);
      out.done = true;
    }
    return out;
  }
}

export const metaCodec: NativeCodec = {
  family: 'meta',
  parseRequest,
  formatResponse,
  parseResponse,
  blockedResponse(message) {
    return formatResponse(blockedChatResponse(message));
  },
  streamEncoder() {
    return new LlamaEncoder();
  },
  streamDecoder() {
    return new LlamaDecoder();
  },
  blockedChunks(message) {
    return encodeAll(new LlamaEncoder(), blockedEvents(message));
  },
};

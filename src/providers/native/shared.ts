/**
 * Helpers the InvokeModel codecs share: reading native JSON fields with errors that name the field,
 * splitting `[INST]` prompt templates, and the held "last chunk" of a stream (stop reason + usage +
 * Bedrock's `amazon-bedrock-invocationMetrics`).
 */
import { validation } from '../../core/errors.ts';
import type { ServiceError } from '../../core/errors.ts';
import type {
  ChatStreamEvent,
  ContentBlock,
  InferenceConfig,
  Message,
  OutputBlock,
  StopReason,
  SystemBlock,
  TokenUsage,
  ToolSpec,
} from '../types.ts';

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `Malformed input request: <path> <problem>` — the wording Bedrock uses for a body it cannot read. */
export function malformed(path: string, problem: string): ServiceError {
  return validation(`Malformed input request: ${path} ${problem}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function asRecord(v: unknown, path: string): Json {
  if (!isRecord(v)) throw malformed(path, `must be an object, not ${describe(v)}`);
  return v;
}

export function asString(v: unknown, path: string): string {
  if (typeof v !== 'string') throw malformed(path, `must be a string, not ${describe(v)}`);
  return v;
}

export function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw malformed(path, `must be an array, not ${describe(v)}`);
  return v;
}

export function reqString(o: Json, key: string, path = key): string {
  if (o[key] === undefined) throw malformed(path, 'is required');
  return asString(o[key], path);
}

export function optString(o: Json, key: string, path = key): string | undefined {
  return o[key] === undefined || o[key] === null ? undefined : asString(o[key], path);
}

export function reqArray(o: Json, key: string, path = key): unknown[] {
  if (o[key] === undefined) throw malformed(path, 'is required');
  return asArray(o[key], path);
}

export function optNumber(
  o: Json,
  key: string,
  path = key,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(path, `must be a number, not ${describe(v)}`);
  if (opts.integer && !Number.isInteger(v)) throw malformed(path, `must be an integer, not ${v}`);
  if (opts.min !== undefined && v < opts.min) throw malformed(path, `must be at least ${opts.min}, not ${v}`);
  if (opts.max !== undefined && v > opts.max) throw malformed(path, `must be at most ${opts.max}, not ${v}`);
  return v;
}

export function reqNumber(o: Json, key: string, path = key, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  if (o[key] === undefined) throw malformed(path, 'is required');
  return optNumber(o, key, path, opts) as number;
}

/** A list of strings; a lone string is accepted where the family allows one (`stop` in chat bodies). */
export function optStringList(o: Json, key: string, path = key, allowSingle = false): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (allowSingle && typeof v === 'string') return [v];
  return asArray(v, path).map((s, i) => asString(s, `${path}.${i}`));
}

/** Drops undefined members; undefined when nothing is left. */
export function inferenceConfig(cfg: InferenceConfig): InferenceConfig | undefined {
  const out: InferenceConfig = {};
  if (cfg.maxTokens !== undefined) out.maxTokens = cfg.maxTokens;
  if (cfg.temperature !== undefined) out.temperature = cfg.temperature;
  if (cfg.topP !== undefined) out.topP = cfg.topP;
  if (cfg.stopSequences !== undefined) out.stopSequences = cfg.stopSequences;
  return Object.keys(out).length ? out : undefined;
}

/** Copies the listed keys that are present into an `additionalModelRequestFields` object (undefined when none). */
export function passThrough(o: Json, keys: readonly string[]): Json | undefined {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return Object.keys(out).length ? out : undefined;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(prefix: string, length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let s = '';
  for (const b of bytes) s += ID_ALPHABET[b % ID_ALPHABET.length];
  return prefix + s;
}

export function userText(text: string): Message {
  return { role: 'user', content: [{ text }] };
}

/** Concatenated text of an answer's text blocks. */
export function textOf(content: readonly OutputBlock[]): string {
  let s = '';
  for (const b of content) if ('text' in b) s += b.text;
  return s;
}

export function toolUsesOf(content: readonly OutputBlock[]): Array<{ toolUseId: string; name: string; input: unknown }> {
  const out: Array<{ toolUseId: string; name: string; input: unknown }> = [];
  for (const b of content) if ('toolUse' in b) out.push(b.toolUse);
  return out;
}

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

export function usage(input: unknown, output: unknown): TokenUsage {
  const i = typeof input === 'number' && Number.isFinite(input) ? input : 0;
  const o = typeof output === 'number' && Number.isFinite(output) ? output : 0;
  return { inputTokens: i, outputTokens: o, totalTokens: i + o };
}

/** Tool-call arguments of a request: a JSON object string. */
export function parseArguments(v: unknown, path: string): unknown {
  if (isRecord(v)) return v;
  const s = asString(v, path);
  if (s.trim() === '') return {};
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw malformed(path, 'must be a JSON string');
  }
}

/** Tool-call arguments of a model's answer: parsed when they are JSON, kept as the raw string otherwise. */
export function lenientArguments(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? {};
  if (v.trim() === '') return {};
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** Joins consecutive messages of the same role (Converse wants turns to alternate). */
export function mergeSameRole(messages: Message[]): Message[] {
  const out: Message[] = [];
  for (const m of messages) {
    const prev = out[out.length - 1];
    if (prev && prev.role === m.role) prev.content = [...prev.content, ...m.content];
    else out.push({ role: m.role, content: [...m.content] });
  }
  return out;
}

export function textBlocks(texts: readonly string[]): SystemBlock[] {
  return texts.filter((t) => t !== '').map((text) => ({ text }));
}

function cleanTurn(s: string): string {
  return s.replace(/<\/?s>/g, '').trim();
}

/**
 * Splits an `[INST]` chat template (Llama 2, Mistral) into system texts and turns:
 * `<s>[INST] <<SYS>>\nsys\n<</SYS>>\n\nuser [/INST] answer </s><s>[INST] next [/INST]`. Mistral's
 * `[SYSTEM_PROMPT]…[/SYSTEM_PROMPT]` and any text before the first `[INST]` count as system text. Text after
 * the last `[/INST]` is an assistant prefill. Undefined when the prompt has no `[INST]…[/INST]` pair.
 */
export function splitInstTemplate(prompt: string): { system: string[]; messages: Message[] } | undefined {
  const system: string[] = [];
  let rest = prompt.replace(/\[SYSTEM_PROMPT\]([\s\S]*?)\[\/SYSTEM_PROMPT\]/g, (_m, sys: string) => {
    system.push(sys.trim());
    return '';
  });
  const re = /\[INST\]([\s\S]*?)\[\/INST\]/g;
  const messages: Message[] = [];
  let last = 0;
  let found = false;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    const between = cleanTurn(rest.slice(last, m.index));
    if (between) {
      if (found) messages.push({ role: 'assistant', content: [{ text: between }] });
      else system.push(between);
    }
    found = true;
    let user = m[1] ?? '';
    user = user.replace(/<<SYS>>([\s\S]*?)<<\/SYS>>/g, (_s, sys: string) => {
      system.push(sys.trim());
      return '';
    });
    messages.push(userText(cleanTurn(user)));
    last = re.lastIndex;
  }
  if (!found) return undefined;
  rest = cleanTurn(rest.slice(last));
  if (rest) messages.push({ role: 'assistant', content: [{ text: rest }] });
  return { system: system.filter((s) => s !== ''), messages: mergeSameRole(messages) };
}

/** Bedrock's per-invocation metrics, added to the last chunk of every native stream. */
export interface InvocationMetrics {
  inputTokenCount: number;
  outputTokenCount: number;
  invocationLatency: number;
  firstByteLatency: number;
}

export interface StreamEnd {
  stopReason: StopReason;
  additionalModelResponseFields?: Json;
  usage: TokenUsage;
  metrics: InvocationMetrics;
}

/**
 * Holds the end of a stream until both `messageStop` and `metadata` have been seen (in either order), so a
 * family's last chunk can carry the stop reason, the usage and the invocation metrics together.
 */
export class StreamTail {
  private readonly started = performance.now();
  private firstByteMs: number | undefined;
  private stop: { stopReason: StopReason; additionalModelResponseFields?: Json } | undefined;
  private meta: { usage: TokenUsage; latencyMs: number } | undefined;
  private finished = false;

  /** Notes that content went out (for `firstByteLatency`). */
  content(): void {
    this.firstByteMs ??= Math.round(performance.now() - this.started);
  }

  /** True once the end has been emitted. */
  get ended(): boolean {
    return this.finished;
  }

  /** Feeds a `messageStop` or `metadata` event; returns the end once both are in. */
  offer(ev: ChatStreamEvent): StreamEnd | undefined {
    if ('messageStop' in ev) {
      this.stop = {
        stopReason: ev.messageStop.stopReason,
        ...(ev.messageStop.additionalModelResponseFields
          ? { additionalModelResponseFields: ev.messageStop.additionalModelResponseFields }
          : {}),
      };
    } else if ('metadata' in ev) {
      this.meta = { usage: ev.metadata.usage, latencyMs: ev.metadata.metrics.latencyMs };
    } else {
      return undefined;
    }
    return this.stop && this.meta ? this.take() : undefined;
  }

  /** The end, if the stream stopped (or reported usage) but it has not been emitted yet. */
  flush(): StreamEnd | undefined {
    return this.stop || this.meta ? this.take() : undefined;
  }

  private take(): StreamEnd | undefined {
    if (this.finished) return undefined;
    this.finished = true;
    const u = this.meta?.usage ?? ZERO_USAGE;
    const latency = this.meta?.latencyMs ?? Math.round(performance.now() - this.started);
    return {
      stopReason: this.stop?.stopReason ?? 'end_turn',
      ...(this.stop?.additionalModelResponseFields
        ? { additionalModelResponseFields: this.stop.additionalModelResponseFields }
        : {}),
      usage: u,
      metrics: {
        inputTokenCount: u.inputTokens,
        outputTokenCount: u.outputTokens,
        invocationLatency: latency,
        firstByteLatency: Math.min(this.firstByteMs ?? latency, latency),
      },
    };
  }
}

export const INVOCATION_METRICS_KEY = 'amazon-bedrock-invocationMetrics';

/** The lingua-franca events of a blocked answer: the message as the only text block, stopped by the guardrail. */
export function blockedEvents(message: string): ChatStreamEvent[] {
  return [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: message } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'guardrail_intervened' } },
    { metadata: { usage: ZERO_USAGE, metrics: { latencyMs: 0 } } },
  ];
}

/** The ChatResponse of a blocked answer. */
export function blockedChatResponse(message: string): { content: OutputBlock[]; stopReason: StopReason; usage: TokenUsage } {
  return { content: [{ text: message }], stopReason: 'guardrail_intervened', usage: ZERO_USAGE };
}

/** Encodes a whole event list with a fresh encoder (used for blocked chunks). */
export function encodeAll(
  encoder: { encode(ev: ChatStreamEvent): Json[]; flush(): Json[] },
  events: readonly ChatStreamEvent[],
): Json[] {
  const out: Json[] = [];
  for (const ev of events) out.push(...encoder.encode(ev));
  out.push(...encoder.flush());
  return out;
}

/** Chat-completions message content: a string, null, or a list of `{type:"text", text}` parts. */
export function partsText(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return asArray(v, path)
    .map((item, i) => {
      const c = asRecord(item, `${path}.${i}`);
      if (c.type === 'text') return asString(c.text, `${path}.${i}.text`);
      if (c.type === 'image_url' || c.type === 'image') throw malformed(`${path}.${i}`, 'image content is not supported');
      throw malformed(`${path}.${i}.type`, 'must be "text"');
    })
    .join('');
}

/** Chat-completions `tools` (`[{type:"function", function:{name, description, parameters}}]`). */
export function parseFunctionTools(v: unknown): Array<{ toolSpec: ToolSpec }> {
  return asArray(v, 'tools').map((item, i) => {
    const t = asRecord(item, `tools.${i}`);
    if (t.type !== undefined && t.type !== 'function') throw malformed(`tools.${i}.type`, 'must be "function"');
    const fn = asRecord(t.function, `tools.${i}.function`);
    const description = optString(fn, 'description', `tools.${i}.function.description`);
    return {
      toolSpec: {
        name: reqString(fn, 'name', `tools.${i}.function.name`),
        ...(description !== undefined ? { description } : {}),
        inputSchema: { json: fn.parameters === undefined ? { type: 'object', properties: {} } : asRecord(fn.parameters, `tools.${i}.function.parameters`) },
      },
    };
  });
}

/**
 * The `messages` of an OpenAI-style chat body (Mistral chat, OpenAI gpt-oss): system-like roles become the
 * system prompt, assistant `tool_calls` become toolUse blocks, `tool` messages become user toolResults, and
 * consecutive turns of one role are merged.
 */
export function parseChatStyleMessages(body: Json, systemRoles: readonly string[]): { system: string[]; messages: Message[] } {
  const system: string[] = [];
  const messages: Message[] = [];
  const roles = [...systemRoles, 'user', 'assistant', 'tool'];
  reqArray(body, 'messages').forEach((v, i) => {
    const path = `messages.${i}`;
    const m = asRecord(v, path);
    const text = partsText(m.content, `${path}.content`);
    const role = typeof m.role === 'string' ? m.role : undefined;
    if (role !== undefined && systemRoles.includes(role)) {
      system.push(text);
      return;
    }
    switch (role) {
      case 'user':
        messages.push(userText(text));
        break;
      case 'assistant': {
        const content: ContentBlock[] = text ? [{ text }] : [];
        if (m.tool_calls !== undefined && m.tool_calls !== null) {
          asArray(m.tool_calls, `${path}.tool_calls`).forEach((tc, j) => {
            const p = `${path}.tool_calls.${j}`;
            const call = asRecord(tc, p);
            const fn = asRecord(call.function, `${p}.function`);
            content.push({
              toolUse: {
                toolUseId: reqString(call, 'id', `${p}.id`),
                name: reqString(fn, 'name', `${p}.function.name`),
                input: parseArguments(fn.arguments ?? '{}', `${p}.function.arguments`),
              },
            });
          });
        }
        messages.push({ role: 'assistant', content });
        break;
      }
      case 'tool':
        messages.push({
          role: 'user',
          content: [{ toolResult: { toolUseId: reqString(m, 'tool_call_id', `${path}.tool_call_id`), content: [{ text }] } }],
        });
        break;
      default:
        throw malformed(`${path}.role`, `must be ${roles.slice(0, -1).map((r) => `"${r}"`).join(', ')} or "${roles.at(-1)}"`);
    }
  });
  return { system, messages: mergeSameRole(messages) };
}

/**
 * Cohere on Bedrock, both native formats (the body's shape decides, then the model id):
 * - Command `{prompt, max_tokens, temperature, p, k, stop_sequences, num_generations}` →
 *   `{id, generations:[{id, text, finish_reason}], prompt}`; stream `{text, is_finished}` … `{is_finished:true,
 *   finish_reason, response}`;
 * - Command R `{message, chat_history:[{role:"USER"|"CHATBOT", message}], preamble, documents, tools,
 *   tool_results, …}` → `{response_id, text, generation_id, chat_history, finish_reason, tool_calls?, meta}`;
 *   stream `{event_type:"stream-start"}`, `{event_type:"text-generation", text}` … `{event_type:"stream-end",
 *   finish_reason, response}`.
 * With a guardrail, Bedrock accepts only `num_generations: 1` (see `validateForGuardrail`).
 */
import { validation } from '../../core/errors.ts';
import type { ChatRequest, ChatResponse, ChatStreamEvent, ContentBlock, Message, OutputBlock, StopReason, ToolSpec } from '../types.ts';
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
  mergeSameRole,
  optNumber,
  optString,
  optStringList,
  passThrough,
  reqString,
  textBlocks,
  textOf,
  toolUsesOf,
  usage,
  userText,
  type Json,
  type StreamEnd,
} from './shared.ts';

/** Which Cohere format a call uses: the request's shape, else the model id, else Command. */
function isCommandR(ctx: NativeContext | undefined): boolean {
  const body = ctx?.request;
  if (body?.message !== undefined) return true;
  if (body?.prompt !== undefined) return false;
  return /command-r/.test(ctx?.modelId ?? '');
}

function commonConfig(body: Json, req: ChatRequest): void {
  const cfg = inferenceConfig({
    maxTokens: optNumber(body, 'max_tokens', 'max_tokens', { integer: true, min: 1 }),
    temperature: optNumber(body, 'temperature', 'temperature', { min: 0, max: 5 }),
    topP: optNumber(body, 'p', 'p', { min: 0, max: 1 }),
    stopSequences: optStringList(body, 'stop_sequences'),
  });
  if (cfg) req.inferenceConfig = cfg;
  optNumber(body, 'k', 'k', { integer: true, min: 0, max: 500 });
  const extra = passThrough(body, ['k']);
  if (extra) req.additionalModelRequestFields = extra;
}

// ---------------------------------------------------------------------------------------------- requests

function parseCommandRequest(body: Json): ChatRequest {
  const prompt = reqString(body, 'prompt');
  optNumber(body, 'num_generations', 'num_generations', { integer: true, min: 1, max: 5 });
  const req: ChatRequest = { system: [], messages: [userText(prompt)] };
  commonConfig(body, req);
  return req;
}

/** Cohere `parameter_definitions` → a JSON schema object. */
function schemaOf(defs: unknown, path: string): Json {
  if (defs === undefined || defs === null) return { type: 'object', properties: {} };
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, v] of Object.entries(asRecord(defs, path))) {
    const d = asRecord(v, `${path}.${name}`);
    const type = optString(d, 'type', `${path}.${name}.type`);
    const description = optString(d, 'description', `${path}.${name}.description`);
    properties[name] = { ...(type !== undefined ? { type: jsonType(type) } : {}), ...(description !== undefined ? { description } : {}) };
    if (d.required === true) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

/** Cohere writes Python type names (`str`, `int`, `List[str]`…). */
function jsonType(t: string): string {
  const s = t.toLowerCase();
  if (s === 'str' || s === 'string') return 'string';
  if (s === 'int' || s === 'integer') return 'integer';
  if (s === 'float' || s === 'number') return 'number';
  if (s === 'bool' || s === 'boolean') return 'boolean';
  if (s.startsWith('list') || s === 'array') return 'array';
  if (s.startsWith('dict') || s === 'object') return 'object';
  return 'string';
}

function documentText(doc: Json): string {
  return Object.entries(doc)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}

/** Tool calls carry no id in Cohere; ids are made up and results matched to calls by name + parameters. */
class CallIds {
  private n = 0;
  private readonly pending = new Map<string, string[]>();

  private key(name: string, parameters: unknown): string {
    return JSON.stringify([name, parameters ?? {}]);
  }

  issue(name: string, parameters: unknown): string {
    const id = `cohere_call_${this.n++}`;
    const k = this.key(name, parameters);
    this.pending.set(k, [...(this.pending.get(k) ?? []), id]);
    return id;
  }

  claim(name: string, parameters: unknown): string | undefined {
    const ids = this.pending.get(this.key(name, parameters));
    return ids?.shift();
  }
}

function parseToolCall(v: unknown, path: string): { name: string; parameters: unknown } {
  const c = asRecord(v, path);
  return { name: reqString(c, 'name', `${path}.name`), parameters: c.parameters === undefined ? {} : asRecord(c.parameters, `${path}.parameters`) };
}

/** A list of tool results → an assistant turn for calls never seen (if any) and a user turn with the results. */
function toolResultTurns(v: unknown, path: string, ids: CallIds): Message[] {
  const calls: ContentBlock[] = [];
  const results: ContentBlock[] = [];
  asArray(v, path).forEach((item, i) => {
    const r = asRecord(item, `${path}.${i}`);
    const call = parseToolCall(r.call, `${path}.${i}.call`);
    let id = ids.claim(call.name, call.parameters);
    if (!id) {
      id = ids.issue(call.name, call.parameters);
      ids.claim(call.name, call.parameters);
      calls.push({ toolUse: { toolUseId: id, name: call.name, input: call.parameters } });
    }
    const outputs = r.outputs === undefined ? [] : asArray(r.outputs, `${path}.${i}.outputs`);
    results.push({ toolResult: { toolUseId: id, content: outputs.map((o) => ({ json: o })) } });
  });
  const out: Message[] = [];
  if (calls.length) out.push({ role: 'assistant', content: calls });
  if (results.length) out.push({ role: 'user', content: results });
  return out;
}

function parseCommandRRequest(body: Json): ChatRequest {
  const message = reqString(body, 'message');
  const system: string[] = [];
  const preamble = optString(body, 'preamble');
  if (preamble !== undefined) system.push(preamble);
  const ids = new CallIds();
  const messages: Message[] = [];
  if (body.chat_history !== undefined && body.chat_history !== null) {
    asArray(body.chat_history, 'chat_history').forEach((v, i) => {
      const path = `chat_history.${i}`;
      const h = asRecord(v, path);
      const text = optString(h, 'message', `${path}.message`) ?? '';
      switch (h.role) {
        case 'USER':
          messages.push(userText(text));
          break;
        case 'SYSTEM':
          system.push(text);
          break;
        case 'CHATBOT': {
          const content: ContentBlock[] = text ? [{ text }] : [];
          if (h.tool_calls !== undefined && h.tool_calls !== null) {
            asArray(h.tool_calls, `${path}.tool_calls`).forEach((tc, j) => {
              const call = parseToolCall(tc, `${path}.tool_calls.${j}`);
              content.push({ toolUse: { toolUseId: ids.issue(call.name, call.parameters), name: call.name, input: call.parameters } });
            });
          }
          messages.push({ role: 'assistant', content });
          break;
        }
        case 'TOOL':
          messages.push(...toolResultTurns(h.tool_results ?? [], `${path}.tool_results`, ids));
          break;
        default:
          throw malformed(`${path}.role`, 'must be "USER", "CHATBOT", "SYSTEM" or "TOOL"');
      }
    });
  }
  if (body.documents !== undefined && body.documents !== null) {
    const docs = asArray(body.documents, 'documents').map((d, i) => documentText(asRecord(d, `documents.${i}`)));
    if (docs.length) system.push(`Documents:\n\n${docs.join('\n\n')}`);
  }
  if (message !== '') messages.push(userText(message));
  if (body.tool_results !== undefined && body.tool_results !== null) messages.push(...toolResultTurns(body.tool_results, 'tool_results', ids));
  if (!messages.length) messages.push(userText(''));
  const req: ChatRequest = { system: textBlocks(system), messages: mergeSameRole(messages) };
  commonConfig(body, req);
  if (body.tools !== undefined && body.tools !== null) {
    const tools = asArray(body.tools, 'tools').map((v, i): { toolSpec: ToolSpec } => {
      const t = asRecord(v, `tools.${i}`);
      const description = optString(t, 'description', `tools.${i}.description`);
      return {
        toolSpec: {
          name: reqString(t, 'name', `tools.${i}.name`),
          ...(description !== undefined ? { description } : {}),
          inputSchema: { json: schemaOf(t.parameter_definitions, `tools.${i}.parameter_definitions`) },
        },
      };
    });
    if (tools.length) req.toolConfig = { tools };
  }
  return req;
}

// --------------------------------------------------------------------------------------------- responses

function toCohereReason(s: StopReason): string {
  switch (s) {
    case 'max_tokens':
      return 'MAX_TOKENS';
    case 'content_filtered':
      return 'ERROR_TOXIC';
    case 'model_context_window_exceeded':
      return 'ERROR_LIMIT';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      return 'ERROR';
    default:
      return 'COMPLETE';
  }
}

function fromCohereReason(v: unknown, hasToolCalls = false): StopReason {
  switch (v) {
    case 'MAX_TOKENS':
      return 'max_tokens';
    case 'ERROR_TOXIC':
      return 'content_filtered';
    case 'ERROR_LIMIT':
      return 'model_context_window_exceeded';
    case 'ERROR':
      return 'malformed_model_output';
    case 'STOP_SEQUENCE':
      return 'stop_sequence';
    default:
      return hasToolCalls ? 'tool_use' : 'end_turn';
  }
}

function ids(ctx: NativeContext | undefined): { id: string; generationId: string } {
  return { id: ctx?.id ?? crypto.randomUUID(), generationId: crypto.randomUUID() };
}

function chatHistory(ctx: NativeContext | undefined, answer: string): Json[] {
  const req = ctx?.request ?? {};
  const history = Array.isArray(req.chat_history) ? req.chat_history.filter(isRecord) : [];
  const out: Json[] = [...history];
  if (typeof req.message === 'string' && req.message !== '') out.push({ role: 'USER', message: req.message });
  out.push({ role: 'CHATBOT', message: answer });
  return out;
}

function cohereToolCalls(content: readonly OutputBlock[]): Json[] {
  return toolUsesOf(content).map((t) => ({ name: t.name, parameters: t.input ?? {} }));
}

function formatCommandR(text: string, stopReason: StopReason, u: ChatResponse['usage'], calls: Json[], ctx: NativeContext | undefined): Json {
  const { id, generationId } = ids(ctx);
  return {
    response_id: id,
    text,
    generation_id: generationId,
    chat_history: chatHistory(ctx, text),
    finish_reason: toCohereReason(stopReason),
    ...(calls.length ? { tool_calls: calls } : {}),
    meta: { api_version: { version: '1' }, billed_units: { input_tokens: u.inputTokens, output_tokens: u.outputTokens } },
  };
}

function formatCommand(text: string, stopReason: StopReason, ctx: NativeContext | undefined): Json {
  const { id, generationId } = ids(ctx);
  const prompt = ctx?.request?.prompt;
  return {
    id,
    generations: [{ id: generationId, text, finish_reason: toCohereReason(stopReason) }],
    ...(typeof prompt === 'string' ? { prompt } : {}),
  };
}

function formatResponse(resp: ChatResponse, ctx: NativeContext | undefined): Json {
  const text = textOf(resp.content);
  return isCommandR(ctx)
    ? formatCommandR(text, resp.stopReason, resp.usage, cohereToolCalls(resp.content), ctx)
    : formatCommand(text, resp.stopReason, ctx);
}

function parseResponse(body: Json): ChatResponse {
  if (body.generations !== undefined) {
    const first = asArray(body.generations, 'generations')[0];
    const g = first === undefined ? {} : asRecord(first, 'generations.0');
    return {
      content: [{ text: g.text === undefined || g.text === null ? '' : asString(g.text, 'generations.0.text') }],
      stopReason: fromCohereReason(g.finish_reason),
      usage: usage(0, 0),
    };
  }
  const content: OutputBlock[] = [];
  const text = body.text === undefined || body.text === null ? '' : asString(body.text, 'text');
  if (text) content.push({ text });
  const calls = Array.isArray(body.tool_calls) ? body.tool_calls.filter(isRecord) : [];
  calls.forEach((c, i) => {
    content.push({ toolUse: { toolUseId: `cohere_call_${i}`, name: String(c.name ?? ''), input: lenientArguments(c.parameters) } });
  });
  if (!content.length) content.push({ text: '' });
  const meta = isRecord(body.meta) ? body.meta : {};
  const billed = isRecord(meta.billed_units) ? meta.billed_units : {};
  return { content, stopReason: fromCohereReason(body.finish_reason, calls.length > 0), usage: usage(billed.input_tokens, billed.output_tokens) };
}

// ------------------------------------------------------------------------------------------------ streams

class CommandEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();
  private text = '';

  constructor(private readonly ctx: NativeContext | undefined) {}

  private end(e: StreamEnd): Json[] {
    const reason = toCohereReason(e.stopReason);
    return [{ is_finished: true, finish_reason: reason, response: formatCommand(this.text, e.stopReason, this.ctx), [INVOCATION_METRICS_KEY]: e.metrics }];
  }

  encode(ev: ChatStreamEvent): Json[] {
    if (this.tail.ended) return [];
    if ('contentBlockDelta' in ev) {
      const d = ev.contentBlockDelta.delta;
      if (!('text' in d)) return [];
      this.tail.content();
      this.text += d.text;
      return [{ text: d.text, is_finished: false }];
    }
    const e = this.tail.offer(ev);
    return e ? this.end(e) : [];
  }

  flush(): Json[] {
    const e = this.tail.flush();
    return e ? this.end(e) : [];
  }
}

class CommandREncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();
  private readonly generationId = crypto.randomUUID();
  private started = false;
  private text = '';
  private readonly tools = new Map<number, { name: string; args: string }>();
  private readonly calls: Json[] = [];

  constructor(private readonly ctx: NativeContext | undefined) {}

  private start(out: Json[]): void {
    if (this.started) return;
    this.started = true;
    out.push({ is_finished: false, event_type: 'stream-start', generation_id: this.generationId });
  }

  private end(e: StreamEnd, out: Json[]): void {
    this.start(out);
    if (this.calls.length) out.push({ is_finished: false, event_type: 'tool-calls-generation', text: this.text, tool_calls: this.calls });
    const response = formatCommandR(this.text, e.stopReason, e.usage, this.calls, this.ctx);
    response.generation_id = this.generationId;
    out.push({
      is_finished: true,
      event_type: 'stream-end',
      response,
      finish_reason: toCohereReason(e.stopReason),
      [INVOCATION_METRICS_KEY]: e.metrics,
    });
  }

  encode(ev: ChatStreamEvent): Json[] {
    const out: Json[] = [];
    if (this.tail.ended) return out;
    if ('messageStart' in ev) this.start(out);
    else if ('contentBlockStart' in ev) {
      this.tools.set(ev.contentBlockStart.contentBlockIndex, { name: ev.contentBlockStart.start.toolUse.name, args: '' });
    } else if ('contentBlockDelta' in ev) {
      this.start(out);
      this.tail.content();
      const { contentBlockIndex: index, delta } = ev.contentBlockDelta;
      if ('text' in delta) {
        this.text += delta.text;
        out.push({ is_finished: false, event_type: 'text-generation', text: delta.text });
      } else {
        const t = this.tools.get(index);
        if (t) t.args += delta.toolUse.input;
      }
    } else if ('contentBlockStop' in ev) {
      const t = this.tools.get(ev.contentBlockStop.contentBlockIndex);
      if (t) {
        this.tools.delete(ev.contentBlockStop.contentBlockIndex);
        this.calls.push({ name: t.name, parameters: lenientArguments(t.args) });
      }
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

class CohereDecoder implements NativeStreamDecoder {
  decode(chunk: Json): { text?: string; stopReason?: StopReason; done?: boolean } {
    if (typeof chunk.event_type === 'string') {
      if (chunk.event_type === 'text-generation' && typeof chunk.text === 'string' && chunk.text !== '') return { text: chunk.text };
      if (chunk.event_type === 'stream-end') {
        const response = isRecord(chunk.response) ? chunk.response : {};
        const calls = Array.isArray(response.tool_calls) && response.tool_calls.length > 0;
        return { stopReason: fromCohereReason(chunk.finish_reason ?? response.finish_reason, calls), done: true };
      }
      return {};
    }
    if (chunk.is_finished === true) return { stopReason: fromCohereReason(chunk.finish_reason), done: true };
    if (typeof chunk.text === 'string') return chunk.text === '' ? {} : { text: chunk.text };
    if (Array.isArray(chunk.generations)) {
      const g = isRecord(chunk.generations[0]) ? chunk.generations[0] : {};
      const out: { text?: string; stopReason?: StopReason; done?: boolean } = {};
      if (typeof g.text === 'string' && g.text !== '') out.text = g.text;
      if (g.is_finished === true || (g.finish_reason !== undefined && g.finish_reason !== null)) {
        out.stopReason = fromCohereReason(g.finish_reason);
        out.done = true;
      }
      return out;
    }
    return {};
  }
}

// ------------------------------------------------------------------------------------------------- codec

export const cohereCodec: NativeCodec = {
  family: 'cohere',
  parseRequest(body) {
    if (body.message !== undefined) return parseCommandRRequest(body);
    if (body.prompt !== undefined) return parseCommandRequest(body);
    throw malformed('prompt', 'is required (Cohere Command body; or `message` for the Command R body)');
  },
  formatResponse,
  parseResponse,
  blockedResponse(message, ctx) {
    return formatResponse(blockedChatResponse(message), ctx);
  },
  streamEncoder(ctx) {
    return isCommandR(ctx) ? new CommandREncoder(ctx) : new CommandEncoder(ctx);
  },
  streamDecoder() {
    return new CohereDecoder();
  },
  blockedChunks(message, ctx) {
    return encodeAll(this.streamEncoder(ctx), blockedEvents(message));
  },
  validateForGuardrail(body) {
    if (body.num_generations !== undefined && body.num_generations !== 1) {
      throw validation('Cohere Command allows only num_generations: 1 with a guardrail');
    }
  },
};

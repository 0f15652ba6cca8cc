/**
 * Amazon Nova (text understanding models) on Bedrock: the `messages-v1` schema, which is Converse's shape
 * with a few snake_case inference fields (`max_new_tokens`, `top_p`, `top_k`). Responses and stream chunks
 * are Converse's too: `{output:{message}, stopReason, usage}` and one-key stream events.
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
import type { NativeCodec, NativeStreamDecoder, NativeStreamEncoder } from './types.ts';
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
  optNumber,
  optString,
  optStringList,
  reqArray,
  reqString,
  usage,
  type Json,
} from './shared.ts';

const UNSUPPORTED_MEDIA = ['image', 'video', 'document', 'audio'];
const STOP_REASONS: readonly StopReason[] = [
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'guardrail_intervened',
  'content_filtered',
  'malformed_model_output',
  'malformed_tool_use',
  'model_context_window_exceeded',
];

function fromNovaStop(v: unknown): StopReason {
  return STOP_REASONS.includes(v as StopReason) ? (v as StopReason) : 'end_turn';
}

function singleKey(b: Json, path: string): string {
  const keys = Object.keys(b);
  if (keys.length !== 1) throw malformed(path, `must have exactly one member, not ${keys.length}`);
  return keys[0]!;
}

function parseToolResultContent(v: unknown, path: string): ToolResultContent[] {
  return asArray(v, path).map((item, i) => {
    const p = `${path}.${i}`;
    const b = asRecord(item, p);
    const key = singleKey(b, p);
    if (key === 'text') return { text: asString(b.text, `${p}.text`) };
    if (key === 'json') return { json: b.json };
    if (UNSUPPORTED_MEDIA.includes(key)) throw malformed(p, `${key} content is not supported`);
    throw malformed(p, `"${key}" is not a supported tool result content type (text, json)`);
  });
}

function parseBlock(v: unknown, path: string): ContentBlock | undefined {
  const b = asRecord(v, path);
  const key = singleKey(b, path);
  switch (key) {
    case 'text':
      return { text: asString(b.text, `${path}.text`) };
    case 'toolUse': {
      const t = asRecord(b.toolUse, `${path}.toolUse`);
      return {
        toolUse: {
          toolUseId: reqString(t, 'toolUseId', `${path}.toolUse.toolUseId`),
          name: reqString(t, 'name', `${path}.toolUse.name`),
          input: t.input ?? {},
        },
      };
    }
    case 'toolResult': {
      const t = asRecord(b.toolResult, `${path}.toolResult`);
      const status = t.status;
      if (status !== undefined && status !== 'success' && status !== 'error') {
        throw malformed(`${path}.toolResult.status`, 'must be "success" or "error"');
      }
      return {
        toolResult: {
          toolUseId: reqString(t, 'toolUseId', `${path}.toolResult.toolUseId`),
          content: parseToolResultContent(t.content ?? [], `${path}.toolResult.content`),
          ...(status ? { status } : {}),
        },
      };
    }
    case 'cachePoint':
    case 'reasoningContent':
      return undefined;
    default:
      if (UNSUPPORTED_MEDIA.includes(key)) throw malformed(path, `${key} content is not supported`);
      throw malformed(path, `"${key}" is not a supported content block (text, toolUse, toolResult)`);
  }
}

function parseMessages(body: Json): Message[] {
  return reqArray(body, 'messages').map((v, i) => {
    const path = `messages.${i}`;
    const m = asRecord(v, path);
    if (m.role !== 'user' && m.role !== 'assistant') throw malformed(`${path}.role`, 'must be "user" or "assistant"');
    const content: ContentBlock[] = [];
    asArray(m.content, `${path}.content`).forEach((b, j) => {
      const block = parseBlock(b, `${path}.content.${j}`);
      if (block) content.push(block);
    });
    return { role: m.role, content };
  });
}

function parseSystem(v: unknown): SystemBlock[] {
  if (v === undefined || v === null) return [];
  const out: SystemBlock[] = [];
  asArray(v, 'system').forEach((item, i) => {
    const b = asRecord(item, `system.${i}`);
    if (b.cachePoint !== undefined) return;
    out.push({ text: reqString(b, 'text', `system.${i}.text`) });
  });
  return out;
}

function parseToolConfig(v: unknown): ChatRequest['toolConfig'] {
  if (v === undefined || v === null) return undefined;
  const c = asRecord(v, 'toolConfig');
  const tools = reqArray(c, 'tools', 'toolConfig.tools').map((item, i): { toolSpec: ToolSpec } => {
    const p = `toolConfig.tools.${i}.toolSpec`;
    const spec = asRecord(asRecord(item, `toolConfig.tools.${i}`).toolSpec, p);
    const schema = asRecord(spec.inputSchema, `${p}.inputSchema`);
    if (schema.json === undefined) throw malformed(`${p}.inputSchema.json`, 'is required');
    const description = optString(spec, 'description', `${p}.description`);
    return {
      toolSpec: { name: reqString(spec, 'name', `${p}.name`), ...(description !== undefined ? { description } : {}), inputSchema: { json: schema.json } },
    };
  });
  let toolChoice: ToolChoice | undefined;
  if (c.toolChoice !== undefined && c.toolChoice !== null) {
    const tc = asRecord(c.toolChoice, 'toolConfig.toolChoice');
    if (tc.auto !== undefined) toolChoice = { auto: {} };
    else if (tc.any !== undefined) toolChoice = { any: {} };
    else if (tc.tool !== undefined) toolChoice = { tool: { name: reqString(asRecord(tc.tool, 'toolConfig.toolChoice.tool'), 'name', 'toolConfig.toolChoice.tool.name') } };
    else throw malformed('toolConfig.toolChoice', 'must have one of auto, any, tool');
  }
  return { tools, ...(toolChoice ? { toolChoice } : {}) };
}

function parseRequest(body: Json): ChatRequest {
  if (body.messages === undefined) throw malformed('messages', 'is required (Amazon Nova messages-v1 body)');
  if (body.schemaVersion !== undefined && body.schemaVersion !== 'messages-v1') {
    throw malformed('schemaVersion', 'must be "messages-v1"');
  }
  const req: ChatRequest = { system: parseSystem(body.system), messages: parseMessages(body) };
  if (body.inferenceConfig !== undefined && body.inferenceConfig !== null) {
    const c = asRecord(body.inferenceConfig, 'inferenceConfig');
    const p = 'inferenceConfig.';
    const maxTokens =
      optNumber(c, 'max_new_tokens', `${p}max_new_tokens`, { integer: true, min: 1 }) ??
      optNumber(c, 'maxTokens', `${p}maxTokens`, { integer: true, min: 1 });
    const topP = optNumber(c, 'top_p', `${p}top_p`, { min: 0, max: 1 }) ?? optNumber(c, 'topP', `${p}topP`, { min: 0, max: 1 });
    const cfg = inferenceConfig({
      maxTokens,
      temperature: optNumber(c, 'temperature', `${p}temperature`, { min: 0, max: 1 }),
      topP,
      stopSequences: optStringList(c, 'stopSequences', `${p}stopSequences`),
    });
    if (cfg) req.inferenceConfig = cfg;
    const topK = optNumber(c, 'top_k', `${p}top_k`, { integer: true, min: 0 }) ?? optNumber(c, 'topK', `${p}topK`, { integer: true, min: 0 });
    if (topK !== undefined) req.additionalModelRequestFields = { inferenceConfig: { topK } };
  }
  const toolConfig = parseToolConfig(body.toolConfig);
  if (toolConfig) req.toolConfig = toolConfig;
  return req;
}

function formatResponse(resp: ChatResponse): Json {
  return {
    output: {
      message: {
        role: 'assistant',
        content: resp.content.map((b) => ('text' in b ? { text: b.text } : { toolUse: { ...b.toolUse, input: b.toolUse.input ?? {} } })),
      },
    },
    stopReason: resp.stopReason,
    usage: {
      inputTokens: resp.usage.inputTokens,
      outputTokens: resp.usage.outputTokens,
      totalTokens: resp.usage.totalTokens,
      cacheReadInputTokenCount: 0,
      cacheWriteInputTokenCount: 0,
    },
  };
}

function parseResponse(body: Json): ChatResponse {
  const output = body.output === undefined ? {} : asRecord(body.output, 'output');
  const message = output.message === undefined ? {} : asRecord(output.message, 'output.message');
  const blocks = message.content === undefined ? [] : asArray(message.content, 'output.message.content');
  const content: OutputBlock[] = [];
  blocks.forEach((v, i) => {
    if (!isRecord(v)) throw malformed(`output.message.content.${i}`, 'must be an object');
    if (typeof v.text === 'string') content.push({ text: v.text });
    else if (isRecord(v.toolUse)) {
      content.push({ toolUse: { toolUseId: String(v.toolUse.toolUseId ?? ''), name: String(v.toolUse.name ?? ''), input: v.toolUse.input ?? {} } });
    }
  });
  const u = isRecord(body.usage) ? body.usage : {};
  return { content, stopReason: fromNovaStop(body.stopReason), usage: usage(u.inputTokens, u.outputTokens) };
}

class NovaEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();

  encode(ev: ChatStreamEvent): Json[] {
    if ('messageStart' in ev) return [{ messageStart: { role: 'assistant' } }];
    if ('contentBlockStart' in ev) {
      return [{ contentBlockStart: { start: ev.contentBlockStart.start, contentBlockIndex: ev.contentBlockStart.contentBlockIndex } }];
    }
    if ('contentBlockDelta' in ev) {
      this.tail.content();
      return [{ contentBlockDelta: { delta: ev.contentBlockDelta.delta, contentBlockIndex: ev.contentBlockDelta.contentBlockIndex } }];
    }
    if ('contentBlockStop' in ev) return [{ contentBlockStop: { contentBlockIndex: ev.contentBlockStop.contentBlockIndex } }];
    if ('messageStop' in ev) {
      this.tail.offer(ev);
      return [{ messageStop: { stopReason: ev.messageStop.stopReason } }];
    }
    const end = this.tail.offer(ev);
    const u = ev.metadata.usage;
    return [
      {
        metadata: { usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens }, metrics: {}, trace: {} },
        ...(end ? { [INVOCATION_METRICS_KEY]: end.metrics } : {}),
      },
    ];
  }

  flush(): Json[] {
    return [];
  }
}

class NovaDecoder implements NativeStreamDecoder {
  decode(chunk: Json): { text?: string; stopReason?: StopReason; done?: boolean } {
    if (isRecord(chunk.contentBlockDelta)) {
      const d = chunk.contentBlockDelta.delta;
      return isRecord(d) && typeof d.text === 'string' && d.text !== '' ? { text: d.text } : {};
    }
    if (isRecord(chunk.messageStop)) return { stopReason: fromNovaStop(chunk.messageStop.stopReason) };
    if (chunk.metadata !== undefined) return { done: true };
    return {};
  }
}

export const novaCodec: NativeCodec = {
  family: 'amazon-nova',
  parseRequest,
  formatResponse,
  parseResponse,
  blockedResponse(message) {
    return formatResponse(blockedChatResponse(message));
  },
  streamEncoder() {
    return new NovaEncoder();
  },
  streamDecoder() {
    return new NovaDecoder();
  },
  blockedChunks(message) {
    return encodeAll(new NovaEncoder(), blockedEvents(message));
  },
};

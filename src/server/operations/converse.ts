/**
 * Converse and ConverseStream (bedrock-runtime, restJson1; the stream answers as an event stream). The request
 * is validated into the Converse lingua franca, guarded by every guardrail that applies, and sent upstream.
 */
import { ServiceError, validation } from '../../core/errors.ts';
import { bool, document, double, enumOf, int, list, req, str, struct, union, validateShape } from '../../core/shapes.ts';
import type { ChatRequest, ChatStreamEvent, ContentBlock, Message, SystemBlock } from '../../providers/types.ts';
import { chatFields } from '../../runtime/chat-fields.ts';
import { guardedCall, guardedStream, guardInputPhase, type StreamState, upstreamError } from '../../runtime/guarded-call.ts';
import type { InvocationGateway, Prepared, RuntimeOperation, TraceSetting } from '../../runtime/invocation.ts';
import type { Caller } from '../../core/caller.ts';
import { isStoreUnavailable } from '../../store/unavailable.ts';
import { EVENT_STREAM_CONTENT_TYPE, eventFrame, exceptionFrame } from '../protocols/event-stream.ts';
import { type Operation, type OperationResult, RECORD_POINT } from '../router.ts';

export const CONVERSE_BODY_LIMIT = 8 * 1024 * 1024;

const guardText = struct({
  text: req(str({ min: 1 })),
  qualifiers: list(enumOf(['grounding_source', 'query', 'guard_content'])),
});
const guardContent = union({ text: guardText, image: document });
const toolResultContent = union({ text: str(), json: document, image: document, document, video: document });
const contentBlock = union({
  text: str(),
  image: document,
  document,
  video: document,
  toolUse: struct({ toolUseId: req(str({ min: 1, max: 64 })), name: req(str({ min: 1, max: 64 })), input: req(document) }),
  toolResult: struct({
    toolUseId: req(str({ min: 1, max: 64 })),
    content: req(list(toolResultContent)),
    status: enumOf(['success', 'error']),
  }),
  guardContent,
  cachePoint: document,
  reasoningContent: document,
  citationsContent: document,
});
const systemBlock = union({ text: str({ min: 1 }), guardContent, cachePoint: document });

const converseShape = struct({
  messages: list(struct({ role: req(enumOf(['user', 'assistant'])), content: req(list(contentBlock)) })),
  system: list(systemBlock),
  inferenceConfig: struct({
    maxTokens: int(1),
    temperature: double(0, 1),
    topP: double(0, 1),
    stopSequences: list(str({ min: 1 }), 0, 2500),
  }),
  toolConfig: struct({
    tools: req(
      list(
        union({
          toolSpec: struct({
            name: req(str({ min: 1, max: 64 })),
            description: str({ min: 1 }),
            inputSchema: req(union({ json: document })),
          }),
          cachePoint: document,
          systemTool: document,
        }),
        1,
      ),
    ),
    toolChoice: union({ auto: document, any: document, tool: struct({ name: req(str({ min: 1, max: 64 })) }) }),
  }),
  guardrailConfig: struct({
    guardrailIdentifier: str({ max: 2048 }),
    guardrailVersion: str(),
    trace: enumOf(['enabled', 'disabled', 'enabled_full']),
    streamProcessingMode: enumOf(['sync', 'async']),
  }),
  additionalModelRequestFields: document,
  additionalModelResponseFieldPaths: list(str({ min: 1, max: 256 }), 0, 10),
  promptVariables: document,
  requestMetadata: document,
  performanceConfig: struct({ latency: enumOf(['standard', 'optimized']) }),
  serviceTier: document,
  streamEnabled: bool,
});

interface ConverseBody {
  messages?: Array<{ role: 'user' | 'assistant'; content: Array<Record<string, unknown>> }>;
  system?: Array<Record<string, unknown>>;
  inferenceConfig?: ChatRequest['inferenceConfig'];
  toolConfig?: { tools: Array<Record<string, unknown>>; toolChoice?: Record<string, unknown> };
  guardrailConfig?: {
    guardrailIdentifier?: string;
    guardrailVersion?: string;
    trace?: 'enabled' | 'disabled' | 'enabled_full';
    streamProcessingMode?: 'sync' | 'async';
  };
  additionalModelRequestFields?: unknown;
  promptVariables?: unknown;
}

const UNSUPPORTED = ['image', 'document', 'video'] as const;

/** The validated Converse body as the lingua franca, and what it asks of guardrails. */
export function parseConverseRequest(body: unknown, stream: boolean): {
  chat: ChatRequest;
  request?: { identifier: string; version: number | 'DRAFT' };
  trace: TraceSetting;
  streamMode: 'sync' | 'async';
} {
  const b = validateShape<ConverseBody>(converseShape, body);
  if (b.promptVariables !== undefined)
    throw validation('promptVariables are used with Prompt management resources, which Parapet does not serve; send the prompt in messages.');
  const messages: Message[] = (b.messages ?? []).map((m, mi) => ({
    role: m.role,
    content: m.content.flatMap((block, ci): ContentBlock[] => {
      for (const k of UNSUPPORTED)
        if (block[k] !== undefined)
          throw validation(`messages.${mi}.content.${ci}.${k}: ${k} content is not supported by Parapet; send text.`);
      if (block['cachePoint'] !== undefined || block['reasoningContent'] !== undefined || block['citationsContent'] !== undefined) return [];
      if ('guardContent' in block) {
        const g = block['guardContent'] as { text?: { text: string; qualifiers?: string[] }; image?: unknown };
        if (!g.text) throw validation(`messages.${mi}.content.${ci}.guardContent.image: image guard content is not supported by Parapet.`);
        return [{ guardContent: { text: g.text } } as ContentBlock];
      }
      if ('toolResult' in block) {
        const tr = block['toolResult'] as { toolUseId: string; content: Array<Record<string, unknown>>; status?: 'success' | 'error' };
        tr.content.forEach((c, ti) => {
          for (const k of UNSUPPORTED)
            if (c[k] !== undefined)
              throw validation(`messages.${mi}.content.${ci}.toolResult.content.${ti}.${k}: ${k} content is not supported by Parapet.`);
        });
        return [{ toolResult: tr as never }];
      }
      return [block as ContentBlock];
    }),
  }));
  if (!messages.length) throw validation('messages must hold at least one message.');
  (b.messages ?? []).forEach((m, i) => {
    if (!m.content.length)
      throw validation(`The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`);
  });
  if (messages[0]?.role !== 'user')
    throw validation('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  if (b.additionalModelRequestFields !== undefined && (typeof b.additionalModelRequestFields !== 'object' || b.additionalModelRequestFields === null || Array.isArray(b.additionalModelRequestFields)))
    throw validation('additionalModelRequestFields must be a JSON object.');
  const toolNames = new Set((b.toolConfig?.tools ?? []).flatMap((t) => ('toolSpec' in t ? [(t['toolSpec'] as { name: string }).name] : [])));
  const chosen = (b.toolConfig?.toolChoice as { tool?: { name: string } } | undefined)?.tool?.name;
  if (chosen !== undefined && !toolNames.has(chosen))
    throw validation(`toolConfig.toolChoice names the tool '${chosen.slice(0, 64)}', which toolConfig.tools does not define.`);
  const system: SystemBlock[] = (b.system ?? []).flatMap((s, si): SystemBlock[] => {
    if (s['cachePoint'] !== undefined) return [];
    if ('guardContent' in s) {
      const g = s['guardContent'] as { text?: { text: string; qualifiers?: string[] } };
      if (!g.text) throw validation(`system.${si}.guardContent.image: image guard content is not supported by Parapet.`);
      return [{ guardContent: { text: g.text } } as SystemBlock];
    }
    return [s as SystemBlock];
  });
  const chat: ChatRequest = {
    system,
    messages,
    ...(b.inferenceConfig ? { inferenceConfig: b.inferenceConfig } : {}),
    ...(b.toolConfig
      ? {
          toolConfig: {
            tools: b.toolConfig.tools.flatMap((t) => ('toolSpec' in t ? [t as never] : [])),
            ...(b.toolConfig.toolChoice ? { toolChoice: b.toolConfig.toolChoice as never } : {}),
          },
        }
      : {}),
    ...(b.additionalModelRequestFields && typeof b.additionalModelRequestFields === 'object'
      ? { additionalModelRequestFields: b.additionalModelRequestFields as Record<string, unknown> }
      : {}),
  };
  const g = b.guardrailConfig;
  let request: { identifier: string; version: number | 'DRAFT' } | undefined;
  if (g?.guardrailIdentifier) {
    if (!g.guardrailVersion) throw validation('guardrailConfig.guardrailVersion is required when guardrailConfig.guardrailIdentifier is set.');
    request = { identifier: g.guardrailIdentifier, version: parseGuardrailVersion(g.guardrailVersion, 'guardrailConfig.guardrailVersion') };
  } else if (g?.guardrailVersion) throw validation('guardrailConfig.guardrailIdentifier is required when guardrailConfig.guardrailVersion is set.');
  if (g?.streamProcessingMode && !stream) throw validation('guardrailConfig.streamProcessingMode is valid only for ConverseStream.');
  const trace: TraceSetting = g?.trace === 'enabled' ? 'ENABLED' : g?.trace === 'enabled_full' ? 'ENABLED_FULL' : 'DISABLED';
  return { chat, ...(request ? { request } : {}), trace, streamMode: g?.streamProcessingMode ?? 'sync' };
}

export function parseGuardrailVersion(v: string, member: string): number | 'DRAFT' {
  if (v === 'DRAFT') return 'DRAFT';
  if (/^[1-9][0-9]{0,7}$/.test(v)) return Number(v);
  throw validation(`${member} '${v.slice(0, 20)}' must be DRAFT or a version number (1-99999999).`);
}

/**
 * prepare() with the refusal audited (quota, model, permission, resolution), then rethrown. A refusal because the
 * store is unreachable goes out at once: its record waits in the audit writer's hold (written if the store comes
 * back in time, otherwise reported in the log as lost).
 */
export async function prepareAudited(
  gw: InvocationGateway,
  p: Parameters<InvocationGateway['prepare']>[0],
): Promise<Prepared> {
  try {
    return await gw.prepare(p);
  } catch (err) {
    if (err instanceof ServiceError) {
      const recorded = gw.recordRefusal(p, err).catch((e: unknown) => gw.reportLostRecord(p.requestId, p.operation, e));
      if (!isStoreUnavailable(err)) await recorded;
    }
    throw err;
  }
}

/** Runs `fn`, auditing an error that escapes it (upstream failures, fail-closed refusals). */
export async function auditedFailure<T>(gw: InvocationGateway, p: Prepared, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ServiceError) {
      const report = (err as ServiceError & { report?: Parameters<InvocationGateway['record']>[1] }).report ?? {
        outcome: 'ERROR' as const,
        status: err.status,
        errorCode: err.code,
        input: [],
        output: [],
        modelCalled: false,
      };
      const recorded = gw.record(p, report).catch((e: unknown) => gw.reportLostRecord(p.requestId, p.operation, e));
      if (!isStoreUnavailable(err)) await recorded;
    }
    throw err;
  }
}

export function converseOperations(gw: InvocationGateway): Operation[] {
  return [
    {
      name: 'Converse',
      method: 'POST',
      path: '/model/{modelId}/converse',
      signingName: 'bedrock',
      bodyLimitBytes: CONVERSE_BODY_LIMIT,
      async handle(ctx) {
        const modelId = ctx.labels.modelId ?? '';
        const parsed = parseConverseRequest(ctx.body, false);
        return converse(gw, ctx.caller, ctx.requestId, modelId, parsed, ctx.signal);
      },
    },
    {
      name: 'ConverseStream',
      method: 'POST',
      path: '/model/{modelId}/converse-stream',
      signingName: 'bedrock',
      bodyLimitBytes: CONVERSE_BODY_LIMIT,
      async handle(ctx) {
        const modelId = ctx.labels.modelId ?? '';
        const parsed = parseConverseRequest(ctx.body, true);
        return converseStream(gw, ctx.caller, ctx.requestId, modelId, parsed, ctx.signal);
      },
    },
  ];
}

async function converse(
  gw: InvocationGateway,
  caller: Caller,
  requestId: string,
  modelId: string,
  parsed: ReturnType<typeof parseConverseRequest>,
  signal: AbortSignal,
): Promise<OperationResult> {
  const p = await prepareAudited(gw, { caller, requestId, operation: 'Converse', modelId, trace: parsed.trace, ...(parsed.request ? { request: parsed.request } : {}) });
  const cf = chatFields(parsed.chat, { invokeModel: false });
  const result = await auditedFailure(gw, p, () =>
    guardedCall(gw, p, parsed.chat, cf, false, async (chat) => ({
      response: await p.route.provider.converse(p.route.upstreamModel, chat, { signal }),
    })),
  );
  const { response } = result;
  const latencyMs = Math.round(gw.deps.services.monotonic.now() - p.startedAt);
  const body = {
    output: { message: { role: 'assistant', content: response.content } },
    stopReason: response.stopReason,
    usage: response.usage,
    metrics: { latencyMs },
    ...(response.additionalModelResponseFields ? { additionalModelResponseFields: response.additionalModelResponseFields } : {}),
    ...(parsed.trace !== 'DISABLED' ? { trace: { guardrail: result.trace } } : {}),
  };
  return { status: 200, body, after: () => gw.record(p, withContent(gw, result.report, parsed.chat, response.content)) };
}

async function converseStream(
  gw: InvocationGateway,
  caller: Caller,
  requestId: string,
  modelId: string,
  parsed: ReturnType<typeof parseConverseRequest>,
  signal: AbortSignal,
): Promise<OperationResult> {
  const operation: RuntimeOperation = 'ConverseStream';
  const p = await prepareAudited(gw, { caller, requestId, operation, modelId, trace: parsed.trace, ...(parsed.request ? { request: parsed.request } : {}) });
  const cf = chatFields(parsed.chat, { invokeModel: false });
  const input = await auditedFailure(gw, p, async () => guardInputPhase(gw, p, parsed.chat, cf, false));
  const state: StreamState = {
    report: { outcome: 'NONE', status: 200, input: [], output: [], modelCalled: false },
    trace: {},
    intervened: false,
  };
  const events = guardedStream(
    gw,
    p,
    input,
    parsed.streamMode,
    false,
    (chat) => p.route.provider.converseStream(p.route.upstreamModel, chat, { signal }),
    state,
    parsed.trace !== 'DISABLED',
  );
  return {
    status: 200,
    headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE },
    stream: converseFrames(events, p.modelId, state),
    after: () => gw.record(p, state.report),
  };
}

/**
 * Converse stream events as event-stream frames; a failure mid-stream becomes a modeled exception frame. The
 * closing `metadata` event goes out once the call's audit records are durable (RECORD_POINT).
 */
async function* converseFrames(events: AsyncIterable<ChatStreamEvent>, modelId: string, state: StreamState): AsyncGenerator<Uint8Array | typeof RECORD_POINT> {
  try {
    for await (const ev of events) {
      const [name, payload] = Object.entries(ev)[0] as [string, unknown];
      if (name === 'metadata') yield RECORD_POINT;
      yield eventFrame(name, payload);
    }
  } catch (err) {
    yield exceptionFrameFor(streamFailure(err, modelId, state));
  }
}

/** A failure once a stream has started: the AWS error it is, recorded in the stream's report. */
export function streamFailure(err: unknown, modelId: string, state: StreamState): ServiceError {
  const e = upstreamError(err, modelId);
  state.report = { ...state.report, outcome: 'ERROR', status: e.status, errorCode: e.code };
  return e;
}

/** The event-stream exception frame of an error (ConverseStream / InvokeModelWithResponseStream). */
export function exceptionFrameFor(e: ServiceError): Uint8Array {
  return exceptionFrame(streamExceptionName(e), { message: e.message, ...streamMembers(e) });
}

/** The event-stream exception member for an error (ConverseStream / InvokeModelWithResponseStream). */
export function streamExceptionName(e: ServiceError): string {
  switch (e.code) {
    case 'ThrottlingException':
      return 'throttlingException';
    case 'ValidationException':
      return 'validationException';
    case 'ServiceUnavailableException':
      return 'serviceUnavailableException';
    case 'ModelTimeoutException':
      return 'modelTimeoutException';
    case 'ModelErrorException':
    case 'ModelStreamErrorException':
      return 'modelStreamErrorException';
    default:
      return 'internalServerException';
  }
}

export function streamMembers(e: ServiceError): Record<string, unknown> {
  if (e.code === 'ModelErrorException' || e.code === 'ModelStreamErrorException')
    return { originalStatusCode: e.members['originalStatusCode'] ?? 500, originalMessage: e.message };
  return {};
}

/** Adds prompt and answer to the report when the operator turned on content logging. */
export function withContent(
  gw: InvocationGateway,
  report: Parameters<InvocationGateway['record']>[1],
  input: unknown,
  output: unknown,
): Parameters<InvocationGateway['record']>[1] {
  return gw.deps.settings.logContent ? { ...report, content: { input, output } } : report;
}

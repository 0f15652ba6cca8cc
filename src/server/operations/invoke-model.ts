/**
 * InvokeModel and InvokeModelWithResponseStream: the model family's native JSON body in and out. When guardrails
 * apply, the body is read through the family's codec (input tags honoured), guarded, and answered in the same
 * native format with `amazon-bedrock-guardrailAction` (and `amazon-bedrock-trace` when asked). A Bedrock upstream
 * gets a non-streaming native body forwarded (masked texts substituted, the guardrail config removed); guarded
 * streams and every other upstream get the request translated (Converse / ConverseStream), then answered in the
 * family's native format. Without any guardrail, a Bedrock upstream's body and stream pass through untouched.
 */
import type { Caller } from '../../core/caller.ts';
import { ServiceError, validation } from '../../core/errors.ts';
import { codecFor, stripGuardrailConfig } from '../../providers/native/index.ts';
import type { NativeCodec, NativeContext } from '../../providers/native/types.ts';
import type { ChatResponse, ChatStreamEvent } from '../../providers/types.ts';
import { changedTexts, chatFields, missingTexts, replaceWithin } from '../../runtime/chat-fields.ts';
import { guardedCall, guardedStream, guardInputPhase, invokeModelTrace, type StreamState, upstreamError } from '../../runtime/guarded-call.ts';
import type { InvocationGateway, Prepared, TraceSetting } from '../../runtime/invocation.ts';
import { chunkFrame, EVENT_STREAM_CONTENT_TYPE, rawChunkFrame } from '../protocols/event-stream.ts';
import { type Operation, type OperationContext, type OperationResult, RECORD_POINT } from '../router.ts';
import { guardrailHeaders, headerOf } from './guardrail-headers.ts';
import { auditedFailure, exceptionFrameFor, prepareAudited, streamFailure, withContent } from './converse.ts';

/** InvokeModel's body blob limit (service model). */
export const INVOKE_BODY_LIMIT = 25_000_000;


interface InvokeRequest {
  modelId: string;
  body: Buffer;
  contentType: string;
  accept: string;
  trace: TraceSetting;
  request?: { identifier: string; version: number | 'DRAFT' };
}

function parseInvokeRequest(ctx: OperationContext, stream: boolean): InvokeRequest {
  const modelId = ctx.labels.modelId ?? '';
  if (!modelId || modelId.length > 2048) throw validation('modelId must be 1-2048 characters.');
  return {
    ...guardrailHeaders(ctx),
    modelId,
    body: ctx.rawBody ?? Buffer.alloc(0),
    contentType: (headerOf(ctx, 'content-type') ?? 'application/octet-stream').split(';')[0]?.trim() ?? '',
    accept: (stream ? headerOf(ctx, 'x-amzn-bedrock-accept') : headerOf(ctx, 'accept')) ?? 'application/json',
  };
}

interface NativeCall {
  codec: NativeCodec;
  body: Record<string, unknown>;
  tagSuffix?: string;
  streamMode: 'sync' | 'async';
  ctx: NativeContext;
}

/** Reads the native body for guarding or translation; refuses what cannot be guarded. */
function readNative(p: Prepared, r: InvokeRequest, stream: boolean): NativeCall {
  const guarded = p.targets.length > 0;
  const codec = codecFor(r.modelId) ?? codecFor(p.route.modelId);
  if (!codec)
    throw validation(
      guarded
        ? `Model ${r.modelId} has no known native body format, so its guardrails cannot be applied; the call was refused (fail closed). Use Converse instead.`
        : `Model ${r.modelId} has no known native body format to translate for provider ${p.route.provider.name}; use Converse instead.`,
    );
  if (r.contentType !== 'application/json')
    throw validation(
      guarded
        ? `A guardrail applies to this call, so the body must be application/json (got '${r.contentType.slice(0, 80)}').`
        : `The body must be application/json to be translated for provider ${p.route.provider.name} (got '${r.contentType.slice(0, 80)}').`,
    );
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.body));
  } catch (e) {
    throw validation(`Malformed input request: the body is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw validation('Malformed input request: the body must be a JSON object.');
  const { body, config } = stripGuardrailConfig(json as Record<string, unknown>);
  if (config && !guarded)
    throw validation('amazon-bedrock-guardrailConfig is in the body, but no guardrail applies to this call: set X-Amzn-Bedrock-GuardrailIdentifier and X-Amzn-Bedrock-GuardrailVersion.');
  if (config?.streamProcessingMode && !stream)
    throw validation('amazon-bedrock-guardrailConfig.streamProcessingMode is valid only for InvokeModelWithResponseStream.');
  if (guarded) codec.validateForGuardrail?.(body);
  return {
    codec,
    body,
    ...(config?.tagSuffix ? { tagSuffix: config.tagSuffix } : {}),
    streamMode: config?.streamProcessingMode === 'ASYNCHRONOUS' ? 'async' : 'sync',
    ctx: { request: body, modelId: r.modelId },
  };
}

const encodeJson = (v: unknown) => Buffer.from(JSON.stringify(v));

export function invokeModelOperations(gw: InvocationGateway): Operation[] {
  return [
    {
      name: 'InvokeModel',
      method: 'POST',
      path: '/model/{modelId}/invoke',
      signingName: 'bedrock',
      bodyLimitBytes: INVOKE_BODY_LIMIT,
      rawBody: true,
      handle: (ctx) => invokeModel(gw, ctx),
    },
    {
      name: 'InvokeModelWithResponseStream',
      method: 'POST',
      path: '/model/{modelId}/invoke-with-response-stream',
      signingName: 'bedrock',
      bodyLimitBytes: INVOKE_BODY_LIMIT,
      rawBody: true,
      handle: (ctx) => invokeModelStream(gw, ctx),
    },
  ];
}

async function invokeModel(gw: InvocationGateway, octx: OperationContext): Promise<OperationResult> {
  const r = parseInvokeRequest(octx, false);
  const caller: Caller = octx.caller;
  const p = await prepareAudited(gw, {
    caller,
    requestId: octx.requestId,
    operation: 'InvokeModel',
    modelId: r.modelId,
    trace: r.trace,
    ...(r.request ? { request: r.request } : {}),
  });
  const native = p.route.provider.native;
  // Nothing to guard and a native upstream: forward untouched.
  if (!p.targets.length && native) {
    const out = await auditedFailure(gw, p, async () => {
      try {
        return await native.invoke(p.route.upstreamModel, r.body, { signal: octx.signal, contentType: r.contentType, accept: r.accept });
      } catch (err) {
        throw upstreamError(err, r.modelId);
      }
    });
    return {
      status: 200,
      raw: out.body,
      headers: { 'content-type': out.contentType },
      after: () => gw.record(p, { outcome: 'NONE', status: 200, input: [], output: [], modelCalled: true }),
    };
  }
  const call = await auditedFailure(gw, p, async () => readNative(p, r, false));
  const chat = call.codec.parseRequest(call.body);
  const cf = chatFields(chat, { invokeModel: true, ...(call.tagSuffix ? { tagSuffix: call.tagSuffix } : {}) });
  const result = await auditedFailure(gw, p, () =>
    guardedCall(gw, p, chat, cf, true, async (guardedChat, input) => {
      const changes = changedTexts(cf, input.outcome.rewritten);
      // Forward the native body only when every guarded change can be written into it; a text the family's
      // codec reshaped (template tokens removed, say) is not found verbatim, so the translated request goes
      // instead: never an unmasked original.
      if (native && !missingTexts(call.body, changes).length) {
        const forwarded = replaceWithin(call.body, changes);
        const out = await native.invoke(p.route.upstreamModel, encodeJson(forwarded), {
          signal: octx.signal,
          contentType: 'application/json',
          accept: r.accept,
        });
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.from(out.body).toString('utf8'));
        } catch {
          throw new ServiceError('ModelErrorException', `Model ${r.modelId} answered with a body that is not JSON, so it cannot be guarded.`, {
            originalStatusCode: 200,
            resourceName: r.modelId,
          });
        }
        const nativeBody = parsed as Record<string, unknown>;
        return { response: call.codec.parseResponse(nativeBody), native: nativeBody };
      }
      return { response: await p.route.provider.converse(p.route.upstreamModel, guardedChat, { signal: octx.signal }) };
    }),
  );
  let body: Record<string, unknown>;
  const blocked = !result.report.modelCalled || result.output?.blocked === true;
  if (blocked) body = call.codec.blockedResponse(textOf(result.response), call.ctx);
  else if (result.native !== undefined) {
    const pairs: Array<[string, string]> = [];
    if (result.output?.anonymized)
      (result.originalTexts ?? []).forEach((t, i) => pairs.push([t, result.output?.rewritten[i]?.[0] ?? t]));
    body = replaceWithin(result.native, pairs) as Record<string, unknown>;
  } else body = call.codec.formatResponse(result.response, call.ctx);
  if (p.targets.length) body['amazon-bedrock-guardrailAction'] = result.intervened ? 'INTERVENED' : 'NONE';
  if (p.targets.length && r.trace !== 'DISABLED') body['amazon-bedrock-trace'] = { guardrail: invokeModelTrace(result.trace) };
  return {
    status: 200,
    raw: encodeJson(body),
    headers: { 'content-type': 'application/json' },
    after: () => gw.record(p, withContent(gw, result.report, call.body, body)),
  };
}

function textOf(resp: ChatResponse): string {
  return resp.content.map((b) => ('text' in b ? b.text : '')).join('');
}

async function invokeModelStream(gw: InvocationGateway, octx: OperationContext): Promise<OperationResult> {
  const r = parseInvokeRequest(octx, true);
  const p = await prepareAudited(gw, {
    caller: octx.caller,
    requestId: octx.requestId,
    operation: 'InvokeModelWithResponseStream',
    modelId: r.modelId,
    trace: r.trace,
    ...(r.request ? { request: r.request } : {}),
  });
  const native = p.route.provider.native;
  const headers = { 'content-type': EVENT_STREAM_CONTENT_TYPE, 'x-amzn-bedrock-content-type': 'application/json' };
  if (!p.targets.length && native) {
    const state: StreamState = { report: { outcome: 'NONE', status: 200, input: [], output: [], modelCalled: true }, trace: {}, intervened: false };
    return {
      status: 200,
      headers,
      stream: passthroughFrames(native.invokeStream(p.route.upstreamModel, r.body, { signal: octx.signal, contentType: r.contentType, accept: r.accept }), r.modelId, state),
      after: () => gw.record(p, state.report),
    };
  }
  const call = await auditedFailure(gw, p, async () => readNative(p, r, true));
  const chat = call.codec.parseRequest(call.body);
  const cf = chatFields(chat, { invokeModel: true, ...(call.tagSuffix ? { tagSuffix: call.tagSuffix } : {}) });
  const input = await auditedFailure(gw, p, async () => guardInputPhase(gw, p, chat, cf, true));
  const state: StreamState = { report: { outcome: 'NONE', status: 200, input: [], output: [], modelCalled: false }, trace: {}, intervened: false };
  // A guarded stream is read as Converse events from every upstream (Bedrock included: ConverseStream), so tool
  // use and token usage survive the guard and are written back in the family's native chunks.
  const open = (guardedChat: typeof chat): AsyncIterable<ChatStreamEvent> =>
    p.route.provider.converseStream(p.route.upstreamModel, guardedChat, { signal: octx.signal });
  const events = guardedStream(gw, p, input, call.streamMode, true, open, state, false);
  return {
    status: 200,
    headers,
    stream: nativeFrames(events, call, r, state, p.targets.length > 0),
    after: () => gw.record(p, state.report),
  };
}

/** Guarded events → native chunks; the last chunk carries the guardrail action and, when asked, the trace. */
async function* nativeFrames(
  events: AsyncIterable<ChatStreamEvent>,
  call: NativeCall,
  r: InvokeRequest,
  state: StreamState,
  guarded: boolean,
): AsyncGenerator<Uint8Array | typeof RECORD_POINT> {
  const encoder = call.codec.streamEncoder(call.ctx);
  let held: Record<string, unknown> | undefined;
  const finish = (chunk: Record<string, unknown>) => {
    if (guarded) chunk['amazon-bedrock-guardrailAction'] = state.intervened ? 'INTERVENED' : 'NONE';
    if (guarded && r.trace !== 'DISABLED') chunk['amazon-bedrock-trace'] = { guardrail: invokeModelTrace(state.trace) };
    return chunk;
  };
  try {
    for await (const ev of events) {
      for (const chunk of encoder.encode(ev)) {
        if (held) yield chunkFrame(held);
        held = chunk;
      }
    }
    for (const chunk of encoder.flush()) {
      if (held) yield chunkFrame(held);
      held = chunk;
    }
    // The last chunk (with the guardrail action) goes out once the call's audit records are durable.
    yield RECORD_POINT;
    if (held) yield chunkFrame(finish(held));
  } catch (err) {
    if (held) yield chunkFrame(held);
    yield exceptionFrameFor(streamFailure(err, r.modelId, state));
  }
}

async function* passthroughFrames(chunks: AsyncIterable<Uint8Array>, modelId: string, state: StreamState): AsyncGenerator<Uint8Array> {
  try {
    for await (const bytes of chunks) yield rawChunkFrame(bytes);
  } catch (err) {
    yield exceptionFrameFor(streamFailure(err, modelId, state));
  }
}

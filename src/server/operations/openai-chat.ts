/**
 * The OpenAI-compatible endpoint: `POST /v1/chat/completions` (stream and non-stream), authenticated with a
 * Parapet access key as the API key (`<AccessKeyId>:<SecretAccessKey>`), guarded exactly like Converse. The
 * Region comes from `x-parapet-region` (default: the gateway's). A request guardrail may be named with the
 * Bedrock headers `X-Amzn-Bedrock-GuardrailIdentifier` / `-GuardrailVersion` / `X-Amzn-Bedrock-Trace`; stream
 * checking is chosen with `x-parapet-stream-processing-mode: sync|async`. Answers carry
 * `amazon-bedrock-guardrailAction` and, when a trace was asked for, `amazon-bedrock-trace`.
 */
import { randomUUID } from 'node:crypto';
import { ServiceError, validation } from '../../core/errors.ts';
import {
  chunkFrames,
  DONE_FRAME,
  formatChatCompletion,
  OpenAIRequestError,
  OpenAIStreamEncoder,
  parseChatCompletionRequest,
  type ParsedChatCompletionRequest,
} from '../../providers/openai/format.ts';
import { sseFrame } from '../../providers/sse.ts';
import { chatFields } from '../../runtime/chat-fields.ts';
import { guardedCall, guardedStream, guardInputPhase, type StreamState } from '../../runtime/guarded-call.ts';
import type { InvocationGateway } from '../../runtime/invocation.ts';
import { type Operation, type OperationContext, type OperationResult, RECORD_POINT } from '../router.ts';
import { auditedFailure, prepareAudited, streamFailure, withContent } from './converse.ts';
import { guardrailHeaders, headerOf } from './guardrail-headers.ts';

export const CHAT_BODY_LIMIT = 8 * 1024 * 1024;

function parse(ctx: OperationContext): ParsedChatCompletionRequest {
  try {
    return parseChatCompletionRequest(ctx.body);
  } catch (err) {
    if (err instanceof OpenAIRequestError)
      throw new ServiceError('ValidationException', err.message, err.param ? { param: err.param } : {});
    throw err;
  }
}

/** The request guardrail, the trace setting, and the stream check mode (`x-parapet-stream-processing-mode`). */
function requestHeaders(ctx: OperationContext) {
  const mode = headerOf(ctx, 'x-parapet-stream-processing-mode') ?? 'sync';
  if (mode !== 'sync' && mode !== 'async') throw validation('x-parapet-stream-processing-mode must be sync or async.');
  return { ...guardrailHeaders(ctx, { anyCase: true }), mode: mode as 'sync' | 'async' };
}

export function openAIOperations(gw: InvocationGateway): Operation[] {
  return [
    {
      name: 'ChatCompletions',
      method: 'POST',
      path: '/v1/chat/completions',
      signingName: 'bedrock',
      auth: 'bearer',
      errorStyle: 'openai',
      bodyLimitBytes: CHAT_BODY_LIMIT,
      handle: (ctx) => chatCompletions(gw, ctx),
    },
  ];
}

async function chatCompletions(gw: InvocationGateway, ctx: OperationContext): Promise<OperationResult> {
  const req = parse(ctx);
  const g = requestHeaders(ctx);
  const p = await prepareAudited(gw, {
    caller: ctx.caller,
    requestId: ctx.requestId,
    operation: 'ChatCompletions',
    modelId: req.model,
    trace: g.trace,
    ...(g.request ? { request: g.request } : {}),
  });
  const cf = chatFields(req.chat, { invokeModel: false });
  const meta = { id: `chatcmpl-${randomUUID().replaceAll('-', '')}`, model: req.model, created: Math.floor(gw.deps.services.clock.now() / 1000) };
  const guarded = p.targets.length > 0;
  if (!req.stream) {
    const result = await auditedFailure(gw, p, () =>
      guardedCall(gw, p, req.chat, cf, false, async (chat) => ({
        response: await p.route.provider.converse(p.route.upstreamModel, chat, { signal: ctx.signal }),
      })),
    );
    const body: Record<string, unknown> = { ...formatChatCompletion(result.response, meta) };
    if (guarded) body['amazon-bedrock-guardrailAction'] = result.intervened ? 'INTERVENED' : 'NONE';
    if (guarded && g.trace !== 'DISABLED') body['amazon-bedrock-trace'] = { guardrail: result.trace };
    return { status: 200, body, after: () => gw.record(p, withContent(gw, result.report, req.chat, result.response.content)) };
  }
  const input = await auditedFailure(gw, p, async () => guardInputPhase(gw, p, req.chat, cf, false));
  const state: StreamState = { report: { outcome: 'NONE', status: 200, input: [], output: [], modelCalled: false }, trace: {}, intervened: false };
  const events = guardedStream(
    gw,
    p,
    input,
    g.mode,
    false,
    (chat) => p.route.provider.converseStream(p.route.upstreamModel, chat, { signal: ctx.signal }),
    state,
    false,
  );
  const encoder = new OpenAIStreamEncoder({ ...meta, includeUsage: req.includeUsage });
  async function* frames(): AsyncGenerator<string | typeof RECORD_POINT> {
    try {
      for await (const ev of events) {
        const chunks = encoder.encode(ev);
        if ('metadata' in ev && guarded) {
          // The guardrail verdict rides on a last chunk of its own, before [DONE].
          const verdict: Record<string, unknown> = {
            id: meta.id,
            object: 'chat.completion.chunk',
            created: meta.created,
            model: meta.model,
            choices: [],
            'amazon-bedrock-guardrailAction': state.intervened ? 'INTERVENED' : 'NONE',
            ...(g.trace !== 'DISABLED' ? { 'amazon-bedrock-trace': { guardrail: state.trace } } : {}),
          };
          chunks.push(verdict as never);
        }
        if (chunks.length) yield chunkFrames(chunks);
      }
      // [DONE] goes out once the call's audit records are durable.
      yield RECORD_POINT;
      yield DONE_FRAME;
    } catch (err) {
      const e = streamFailure(err, req.model, state);
      yield sseFrame(JSON.stringify({ error: { message: e.message, type: 'api_error', param: null, code: e.code } }));
    }
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    stream: frames(),
    after: () => gw.record(p, state.report),
  };
}

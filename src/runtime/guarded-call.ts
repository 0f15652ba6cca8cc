/**
 * One guarded model call, whatever the wire format: guard the input (block → the blocked message, the model is
 * not called; anonymize → the model sees the masked prompt), call the model, guard the output (block → blocked
 * message with `guardrail_intervened`; anonymize → masked answer), and the trace. Streams are guarded in `sync`
 * mode (text is held back in batches and released only once checked, so PII can be masked) or `async` mode (text
 * flows at once and the stream is stopped with `guardrail_intervened` when a later check finds a violation).
 */
import { ServiceError } from '../core/errors.ts';
import type { GuardrailAssessment } from '../engine/assessment.ts';
import type { TextBlock } from '../engine/assess.ts';
import { applyMasks } from '../engine/mask.ts';
import type { ChatRequest, ChatResponse, ChatStreamEvent, StopReason, TokenUsage } from '../providers/types.ts';
import { UpstreamError } from '../providers/types.ts';
import { type ChatFields, outputTexts, rebuildChat, replaceOutputTexts } from './chat-fields.ts';
import { type GuardOutcome, groundingBlocks, guardInputAuto, guardOutputAuto, type TargetAssessment } from './guarding.ts';
import { InvocationGateway, type InvocationReport, type Prepared } from './invocation.ts';
import { guardInputWithDetectors, guardOutputWithDetectors } from './detectors/guard.ts';

/** Streamed text is checked in batches of about this many characters (sync mode cuts releases at whitespace). */
export const STREAM_BATCH_CHARS = 400;
/** Sync mode holds back this many of the newest characters until more text arrives (values cut at the end). */
export const STREAM_HOLD_CHARS = 128;
/** Each check also reads this many already-checked characters before the batch (phrases cut by a boundary). */
export const STREAM_CONTEXT_CHARS = 128;

export interface GuardrailTrace {
  actionReason?: string;
  modelOutput?: string[];
  inputAssessment?: Record<string, GuardrailAssessment>;
  outputAssessments?: Record<string, GuardrailAssessment[]>;
}

export interface InputPhase {
  outcome: GuardOutcome;
  /** The request the model gets (masked, tags removed). */
  chat: ChatRequest;
  grounding: TextBlock[];
}

/**
 * Guards the input; throws the AWS error when a guardrail fails closed or the account is over quota. Synchronous
 * unless a guardrail has external detectors (`p.external`), the quota counters are shared (Redis, PostgreSQL) or
 * assessment threads take some of the assessments: the common path pays for no promise.
 */
export function guardInputPhase(gw: InvocationGateway, p: Prepared, chat: ChatRequest, cf: ChatFields, invokeModel: boolean): InputPhase | Promise<InputPhase> {
  const chars = cf.fields.reduce((n, f) => n + f.pieces.reduce((m, x) => m + x.text.length, 0), 0);
  const checked = gw.checkTextUnits(p, chars);
  return checked ? checked.then(() => guardCheckedInput(gw, p, chat, cf, invokeModel)) : guardCheckedInput(gw, p, chat, cf, invokeModel);
}

function guardCheckedInput(gw: InvocationGateway, p: Prepared, chat: ChatRequest, cf: ChatFields, invokeModel: boolean): InputPhase | Promise<InputPhase> {
  if (p.external)
    return guardInputWithDetectors(p.targets, cf.fields, gw.guardOptions(p, invokeModel)).then(
      (outcome) => finishInput(gw, p, chat, cf, outcome),
      (err: unknown) => InvocationGateway.failure(err),
    );
  let outcome: GuardOutcome | Promise<GuardOutcome>;
  try {
    outcome = guardInputAuto(p.targets, cf.fields, gw.guardOptions(p, invokeModel));
  } catch (err) {
    InvocationGateway.failure(err);
  }
  if (outcome instanceof Promise)
    return outcome.then(
      (o) => finishInput(gw, p, chat, cf, o),
      (err: unknown) => InvocationGateway.failure(err),
    );
  return finishInput(gw, p, chat, cf, outcome);
}

function finishInput(gw: InvocationGateway, p: Prepared, chat: ChatRequest, cf: ChatFields, outcome: GuardOutcome): InputPhase {
  gw.chargeTextUnits(p, outcome.assessments);
  return { outcome, chat: rebuildChat(chat, cf, outcome.rewritten), grounding: groundingBlocks(cf.fields) };
}

/** Guards model output texts; synchronous unless detectors or assessment threads are involved (as `guardInputPhase`). */
export function guardOutputTexts(gw: InvocationGateway, p: Prepared, texts: string[], grounding: TextBlock[], invokeModel: boolean): GuardOutcome | Promise<GuardOutcome> {
  if (p.external)
    return guardOutputWithDetectors(p.targets, texts, grounding, gw.guardOptions(p, invokeModel)).then(
      (outcome) => {
        gw.chargeTextUnits(p, outcome.assessments);
        return outcome;
      },
      (err: unknown) => InvocationGateway.failure(err, { modelCalled: true }),
    );
  let outcome: GuardOutcome | Promise<GuardOutcome>;
  try {
    outcome = guardOutputAuto(p.targets, texts, grounding, gw.guardOptions(p, invokeModel));
  } catch (err) {
    InvocationGateway.failure(err, { modelCalled: true });
  }
  if (outcome instanceof Promise)
    return outcome.then(
      (o) => {
        gw.chargeTextUnits(p, o.assessments);
        return o;
      },
      (err: unknown) => InvocationGateway.failure(err, { modelCalled: true }),
    );
  gw.chargeTextUnits(p, outcome.assessments);
  return outcome;
}

export function buildTrace(input: readonly TargetAssessment[], output: readonly TargetAssessment[], modelOutput?: string[]): GuardrailTrace {
  const trace: GuardrailTrace = {};
  const anyBlocked = [...input, ...output].some((a) => a.result?.blocked);
  const anyMasked = [...input, ...output].some((a) => a.result?.anonymized);
  if (anyBlocked) trace.actionReason = 'Guardrail blocked.';
  else if (anyMasked) trace.actionReason = 'Guardrail masked.';
  if (modelOutput) trace.modelOutput = modelOutput;
  for (const a of input) if (a.assessment) (trace.inputAssessment ??= {})[a.target.key] = a.assessment;
  for (const a of output) if (a.assessment) ((trace.outputAssessments ??= {})[a.target.key] ??= []).push(a.assessment);
  return trace;
}

/** The InvokeModel spelling of the trace (`input` map and `outputs` list of maps). */
export function invokeModelTrace(t: GuardrailTrace): Record<string, unknown> {
  const outputs: Array<Record<string, GuardrailAssessment>> = [];
  for (const [key, list] of Object.entries(t.outputAssessments ?? {}))
    list.forEach((a, i) => {
      const slot = (outputs[i] ??= {});
      slot[key] = a;
    });
  return {
    ...(t.actionReason ? { actionReason: t.actionReason } : {}),
    ...(t.modelOutput ? { modelOutput: t.modelOutput } : {}),
    ...(t.inputAssessment ? { input: t.inputAssessment } : {}),
    ...(outputs.length ? { outputs } : {}),
  };
}

/** Upstream failures as the runtime's modeled errors. */
export function upstreamError(err: unknown, modelId: string): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err instanceof UpstreamError) {
    switch (err.kind) {
      case 'timeout':
        return new ServiceError('ModelTimeoutException', `Model ${modelId} timed out: ${err.message}`);
      case 'throttled':
        return new ServiceError('ThrottlingException', `The upstream of model ${modelId} is throttling requests: ${err.message}`);
      case 'not-ready':
        return new ServiceError('ModelNotReadyException', `Model ${modelId} is not ready: ${err.message}`);
      default:
        return new ServiceError('ModelErrorException', `Model ${modelId} returned an error: ${err.message}`, {
          originalStatusCode: err.status ?? 500,
          resourceName: modelId,
        });
    }
  }
  return new ServiceError('ModelErrorException', `Model ${modelId} failed: ${err instanceof Error ? err.message : String(err)}`, {
    originalStatusCode: 500,
    resourceName: modelId,
  });
}

export interface CallResult {
  response: ChatResponse;
  intervened: boolean;
  /** The model's own answer when the output was intervened (trace `modelOutput`). */
  modelOutput?: string[];
  trace: GuardrailTrace;
  report: InvocationReport;
  /** Set when the model ran: the output outcome (for native bodies). */
  output?: GuardOutcome;
  native?: unknown;
  /** The model's original output texts (for rewriting native bodies). */
  originalTexts?: string[];
}

const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/**
 * A non-streaming guarded call. `callModel` gets the guarded request and returns the model's answer (and, for a
 * native pass-through, the native body it came from).
 */
export async function guardedCall(
  gw: InvocationGateway,
  p: Prepared,
  chat: ChatRequest,
  cf: ChatFields,
  invokeModel: boolean,
  callModel: (chat: ChatRequest, input: InputPhase) => Promise<{ response: ChatResponse; native?: unknown }>,
): Promise<CallResult> {
  const phase = guardInputPhase(gw, p, chat, cf, invokeModel);
  const input = phase instanceof Promise ? await phase : phase;
  const inputAssessed = input.outcome.assessments;
  if (input.outcome.blocked) {
    const trace = buildTrace(inputAssessed, []);
    return {
      response: { content: [{ text: input.outcome.blockedMessage ?? '' }], stopReason: 'guardrail_intervened', usage: ZERO_USAGE },
      intervened: true,
      trace,
      report: { outcome: 'INTERVENED', status: 200, intervenedOn: 'INPUT', input: inputAssessed, output: [], modelCalled: false },
    };
  }
  let answer: { response: ChatResponse; native?: unknown };
  try {
    answer = await callModel(input.chat, input);
  } catch (err) {
    const e = upstreamError(err, p.modelId);
    (e as ServiceError & { report?: InvocationReport }).report = {
      outcome: 'ERROR',
      status: e.status,
      errorCode: e.code,
      input: inputAssessed,
      output: [],
      modelCalled: true,
    };
    throw e;
  }
  const texts = outputTexts(answer.response.content);
  const checked = guardOutputTexts(gw, p, texts, input.grounding, invokeModel);
  const output = checked instanceof Promise ? await checked : checked;
  const intervened = input.outcome.anonymized || output.blocked || output.anonymized;
  let response = answer.response;
  let modelOutput: string[] | undefined;
  if (output.blocked) {
    modelOutput = texts;
    response = { ...response, content: [{ text: output.blockedMessage ?? '' }], stopReason: 'guardrail_intervened' };
  } else if (output.anonymized) {
    modelOutput = texts;
    response = { ...response, content: replaceOutputTexts(response.content, output.rewritten.map((r) => r[0] ?? '')) };
  }
  const trace = buildTrace(inputAssessed, output.assessments, modelOutput);
  return {
    response,
    intervened,
    ...(modelOutput ? { modelOutput } : {}),
    trace,
    output,
    ...(answer.native !== undefined ? { native: answer.native } : {}),
    originalTexts: texts,
    report: {
      outcome: intervened ? 'INTERVENED' : 'NONE',
      status: 200,
      ...(input.outcome.anonymized ? { intervenedOn: 'INPUT' as const } : intervened ? { intervenedOn: 'OUTPUT' as const } : {}),
      input: inputAssessed,
      output: output.assessments,
      modelCalled: true,
      usage: { inputTokens: answer.response.usage.inputTokens, outputTokens: answer.response.usage.outputTokens },
    },
  };
}

export interface StreamState {
  /** Filled as the stream runs; final once the iterator finished. */
  report: InvocationReport;
  trace: GuardrailTrace;
  intervened: boolean;
}

/**
 * A guarded stream of Converse events. The input was guarded already (`input`); a blocked input yields the
 * blocked message as a short stream without calling the model. The last `metadata` event carries the trace
 * when `withTrace`.
 *
 * Each check reads the text since the last check together with the last `STREAM_CONTEXT_CHARS` characters
 * before it, so a phrase or a value cut by a batch boundary is still seen whole. In `sync` mode the newest
 * `STREAM_HOLD_CHARS` characters are held back until more text (or the end) arrives, and a release never cuts
 * through a masked span: what leaves the gateway has been checked with what follows it.
 */
export async function* guardedStream(
  gw: InvocationGateway,
  p: Prepared,
  input: InputPhase,
  mode: 'sync' | 'async',
  invokeModel: boolean,
  openStream: (chat: ChatRequest) => AsyncIterable<ChatStreamEvent>,
  state: StreamState,
  withTrace: boolean,
): AsyncGenerator<ChatStreamEvent> {
  const started = gw.deps.services.monotonic.now();
  const inputAssessed = input.outcome.assessments;
  const outputAssessed: TargetAssessment[] = [];
  state.report = { outcome: 'NONE', status: 200, input: inputAssessed, output: outputAssessed, modelCalled: false, streamMode: mode };
  const metadata = (usage: TokenUsage, modelOutput?: string[]): ChatStreamEvent => {
    state.trace = buildTrace(inputAssessed, outputAssessed, modelOutput);
    return {
      metadata: {
        usage,
        metrics: { latencyMs: Math.round(gw.deps.services.monotonic.now() - started) },
        ...(withTrace ? { trace: { guardrail: state.trace } } : {}),
      },
    };
  };
  const intervene = (on: 'INPUT' | 'OUTPUT') => {
    state.intervened = true;
    state.report = { ...state.report, outcome: 'INTERVENED', intervenedOn: state.report.intervenedOn ?? on };
  };
  if (input.outcome.blocked) {
    intervene('INPUT');
    yield { messageStart: { role: 'assistant' } };
    yield { contentBlockDelta: { contentBlockIndex: 0, delta: { text: input.outcome.blockedMessage ?? '' } } };
    yield { contentBlockStop: { contentBlockIndex: 0 } };
    yield { messageStop: { stopReason: 'guardrail_intervened' } };
    yield metadata(ZERO_USAGE);
    return;
  }
  if (input.outcome.anonymized) intervene('INPUT');
  state.report.modelCalled = true;

  const iterator = openStream(input.chat)[Symbol.asyncIterator]();
  let upstreamDone = false;
  const next = async (): Promise<IteratorResult<ChatStreamEvent>> => {
    try {
      const r = await iterator.next();
      if (r.done) upstreamDone = true;
      return r;
    } catch (err) {
      upstreamDone = true;
      const e = upstreamError(err, p.modelId);
      state.report = { ...state.report, outcome: 'ERROR', status: e.status, errorCode: e.code };
      throw e;
    }
  };

  try {
    if (!p.targets.length) {
      // Nothing to guard: the model's events flow straight through.
      for (let r = await next(); !r.done; r = await next()) {
        const ev = r.value;
        if ('metadata' in ev) {
          state.report.usage = { inputTokens: ev.metadata.usage.inputTokens, outputTokens: ev.metadata.usage.outputTokens };
          yield metadata(ev.metadata.usage);
        } else yield ev;
      }
      return;
    }

    let pending = ''; // sync: held back, unchecked; async: sent, unchecked
    let pendingIndex = 0;
    let context = ''; // the checked text just before `pending` (same content block)
    const released: string[] = [];
    let stopped = false;
    let blockedMessage = '';
    let usage: TokenUsage = ZERO_USAGE;
    let heldStop: { stopReason: StopReason; additionalModelResponseFields?: Record<string, unknown> } | undefined;

    /** A failed check: the stream's report records which guardrail (and detector) failed closed. */
    const failed = (err: unknown): never => {
      const closed = (err as { report?: InvocationReport }).report?.failedClosed;
      if (closed) state.report = { ...state.report, failedClosed: closed };
      throw err;
    };
    /**
     * Checks context + pending; releases (sync) up to a safe cut, or all of it when `all`. A promise only when a
     * guardrail has external detectors.
     */
    const settle = (all: boolean): ChatStreamEvent[] | Promise<ChatStreamEvent[]> => {
      if (!pending) return [];
      let out: GuardOutcome | Promise<GuardOutcome>;
      try {
        out = guardOutputTexts(gw, p, [context + pending], input.grounding, invokeModel);
      } catch (err) {
        return failed(err);
      }
      return out instanceof Promise ? out.then((o) => release(all, o), failed) : release(all, out);
    };
    const release = (all: boolean, out: GuardOutcome): ChatStreamEvent[] => {
      outputAssessed.push(...out.assessments);
      if (out.blocked) {
        stopped = true;
        blockedMessage = out.blockedMessage ?? '';
        released.push(pending);
        pending = '';
        intervene('OUTPUT');
        return [];
      }
      const off = context.length;
      const spans = (out.spans[0]?.[0] ?? []).map((sp) => ({ ...sp, start: sp.start - off, end: sp.end - off })).filter((sp) => sp.end > 0);
      let cut = pending.length;
      if (mode === 'sync' && !all) {
        const limit = pending.length - STREAM_HOLD_CHARS;
        if (limit <= 0) return [];
        const ws = Math.max(pending.lastIndexOf(' ', limit - 1), pending.lastIndexOf('\n', limit - 1));
        cut = ws > 0 ? ws + 1 : limit;
        for (let moved = true; moved; ) {
          moved = false;
          for (const sp of spans)
            if (sp.start < cut && sp.end > cut) {
              cut = Math.max(0, sp.start);
              moved = true;
            }
        }
        if (cut <= 0) return [];
      }
      const text = pending.slice(0, cut);
      const masked = spans.filter((sp) => sp.start < cut).map((sp) => ({ ...sp, start: Math.max(0, sp.start), end: Math.min(cut, sp.end) }));
      if (masked.length) intervene('OUTPUT');
      released.push(text);
      context = (context + text).slice(-STREAM_CONTEXT_CHARS);
      pending = pending.slice(cut);
      if (mode === 'async') return [];
      return [{ contentBlockDelta: { contentBlockIndex: pendingIndex, delta: { text: masked.length ? applyMasks(text, masked) : text } } }];
    };

    for (let r = await next(); !r.done && !stopped; r = await next()) {
      const ev = r.value;
      if ('contentBlockDelta' in ev && 'text' in ev.contentBlockDelta.delta) {
        if (pending && ev.contentBlockDelta.contentBlockIndex !== pendingIndex) {
          const settled = settle(true);
          yield* settled instanceof Promise ? await settled : settled;
          context = '';
          if (stopped) break;
        }
        if (ev.contentBlockDelta.contentBlockIndex !== pendingIndex) context = '';
        pendingIndex = ev.contentBlockDelta.contentBlockIndex;
        pending += ev.contentBlockDelta.delta.text;
        if (mode === 'async') {
          yield ev;
          if (pending.length >= STREAM_BATCH_CHARS) {
            const settled = settle(true);
            if (settled instanceof Promise) await settled;
          }
        } else if (pending.length >= STREAM_BATCH_CHARS + STREAM_HOLD_CHARS) {
          const settled = settle(false);
          yield* settled instanceof Promise ? await settled : settled;
        }
        continue;
      }
      // Anything else: first settle the text before it, in order.
      if (pending) {
        const settled = settle(true);
        yield* settled instanceof Promise ? await settled : settled;
        if (stopped) break;
      }
      if ('messageStop' in ev) {
        heldStop = ev.messageStop;
        continue;
      }
      if ('metadata' in ev) {
        usage = ev.metadata.usage;
        continue;
      }
      if ('contentBlockStop' in ev && ev.contentBlockStop.contentBlockIndex === pendingIndex) context = '';
      yield ev;
    }
    if (!stopped && pending) {
      const settled = settle(true);
      yield* settled instanceof Promise ? await settled : settled;
    }
    state.report.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
    if (stopped) {
      if (mode === 'sync') yield { contentBlockDelta: { contentBlockIndex: pendingIndex, delta: { text: blockedMessage } } };
      yield { contentBlockStop: { contentBlockIndex: pendingIndex } };
      yield { messageStop: { stopReason: 'guardrail_intervened' } };
      yield metadata(usage, [released.join('')]);
      return;
    }
    yield { messageStop: { stopReason: heldStop?.stopReason ?? 'end_turn', ...(heldStop?.additionalModelResponseFields ? { additionalModelResponseFields: heldStop.additionalModelResponseFields } : {}) } };
    const maskedOutput = outputAssessed.some((a) => a.result?.anonymized);
    yield metadata(usage, maskedOutput ? [released.join('')] : undefined);
  } finally {
    // Whatever ended the stream early (a block, a failed check, a client gone): stop reading the model.
    if (!upstreamDone) await iterator.return?.().catch(() => undefined);
  }
}

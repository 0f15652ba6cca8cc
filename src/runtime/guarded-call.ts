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
import type { ChatRequest, ChatResponse, ChatStreamEvent, StopReason, TokenUsage } from '../providers/types.ts';
import { UpstreamError } from '../providers/types.ts';
import { type ChatFields, outputTexts, rebuildChat, replaceOutputTexts } from './chat-fields.ts';
import { GuardFailure, type GuardOutcome, groundingBlocks, guardInput, guardOutput, type TargetAssessment } from './guarding.ts';
import { InvocationGateway, type InvocationReport, type Prepared } from './invocation.ts';

/** Sync streaming releases text in batches of about this many characters (cut at whitespace). */
export const STREAM_BATCH_CHARS = 400;

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

/** Guards the input; throws the AWS error when a guardrail fails closed or the account is over quota. */
export function guardInputPhase(gw: InvocationGateway, p: Prepared, chat: ChatRequest, cf: ChatFields, invokeModel: boolean): InputPhase {
  const chars = cf.fields.reduce((n, f) => n + f.pieces.reduce((m, x) => m + x.text.length, 0), 0);
  gw.checkTextUnits(p, chars);
  let outcome: GuardOutcome;
  try {
    outcome = guardInput(p.targets, cf.fields, gw.guardOptions(p, invokeModel));
  } catch (err) {
    InvocationGateway.failure(err);
  }
  gw.chargeTextUnits(p, outcome.assessments);
  return { outcome, chat: rebuildChat(chat, cf, outcome.rewritten), grounding: groundingBlocks(cf.fields) };
}

export function guardOutputTexts(gw: InvocationGateway, p: Prepared, texts: string[], grounding: TextBlock[], invokeModel: boolean): GuardOutcome {
  let outcome: GuardOutcome;
  try {
    outcome = guardOutput(p.targets, texts, grounding, gw.guardOptions(p, invokeModel));
  } catch (err) {
    InvocationGateway.failure(err);
  }
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
  const input = guardInputPhase(gw, p, chat, cf, invokeModel);
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
  const output = guardOutputTexts(gw, p, texts, input.grounding, invokeModel);
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
    } as ChatStreamEvent;
  };
  if (input.outcome.blocked) {
    state.intervened = true;
    state.report = { ...state.report, outcome: 'INTERVENED', intervenedOn: 'INPUT' };
    yield { messageStart: { role: 'assistant' } };
    yield { contentBlockDelta: { contentBlockIndex: 0, delta: { text: input.outcome.blockedMessage ?? '' } } };
    yield { contentBlockStop: { contentBlockIndex: 0 } };
    yield { messageStop: { stopReason: 'guardrail_intervened' } };
    yield metadata(ZERO_USAGE);
    return;
  }
  if (input.outcome.anonymized) {
    state.intervened = true;
    state.report = { ...state.report, outcome: 'INTERVENED', intervenedOn: 'INPUT' };
  }
  state.report.modelCalled = true;

  if (!p.targets.length) {
    // Nothing to guard: the model's events flow straight through.
    try {
      for await (const ev of openStream(input.chat)) {
        if ('metadata' in ev) {
          state.report.usage = { inputTokens: ev.metadata.usage.inputTokens, outputTokens: ev.metadata.usage.outputTokens };
          yield metadata(ev.metadata.usage);
        } else yield ev;
      }
    } catch (err) {
      const e = upstreamError(err, p.modelId);
      state.report = { ...state.report, outcome: 'ERROR', status: e.status, errorCode: e.code };
      throw e;
    }
    return;
  }

  let pending = ''; // sync: text held back; async: text sent but not yet checked
  let pendingIndex = 0;
  const released: string[] = [];
  let stopped = false;
  let usage: TokenUsage = ZERO_USAGE;
  let heldStop: StopReason | undefined;
  let heldStopFields: Record<string, unknown> | undefined;

  /** Checks `text`; returns the events to emit (sync) and whether the stream must stop. */
  const check = (text: string, index: number): ChatStreamEvent[] => {
    if (!text) return [];
    const out = guardOutputTexts(gw, p, [text], input.grounding, invokeModel);
    outputAssessed.push(...out.assessments);
    if (out.blocked) {
      stopped = true;
      state.intervened = true;
      state.report = { ...state.report, outcome: 'INTERVENED', intervenedOn: state.report.intervenedOn ?? 'OUTPUT' };
      released.push(text);
      const events: ChatStreamEvent[] = [];
      if (mode === 'sync') events.push({ contentBlockDelta: { contentBlockIndex: index, delta: { text: out.blockedMessage ?? '' } } });
      events.push({ contentBlockStop: { contentBlockIndex: index } });
      return events;
    }
    let emitted = text;
    if (out.anonymized) {
      state.intervened = true;
      state.report = { ...state.report, outcome: 'INTERVENED', intervenedOn: state.report.intervenedOn ?? 'OUTPUT' };
      if (mode === 'sync') emitted = out.rewritten[0]?.[0] ?? text;
    }
    released.push(text);
    return mode === 'sync' ? [{ contentBlockDelta: { contentBlockIndex: index, delta: { text: emitted } } }] : [];
  };
  /** Sync: the longest prefix of the buffer to release now (cut at whitespace), or everything when `all`. */
  const takeBatch = (all: boolean): string => {
    if (all) {
      const t = pending;
      pending = '';
      return t;
    }
    if (pending.length < STREAM_BATCH_CHARS) return '';
    const cut = Math.max(pending.lastIndexOf(' '), pending.lastIndexOf('\n'));
    if (cut < STREAM_BATCH_CHARS / 2) return '';
    const t = pending.slice(0, cut + 1);
    pending = pending.slice(cut + 1);
    return t;
  };

  const iterator = openStream(input.chat)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<ChatStreamEvent>;
      try {
        next = await iterator.next();
      } catch (err) {
        const e = upstreamError(err, p.modelId);
        state.report = { ...state.report, outcome: 'ERROR', status: e.status, errorCode: e.code };
        throw e;
      }
      if (next.done) break;
      const ev = next.value;
      if ('contentBlockDelta' in ev && 'text' in ev.contentBlockDelta.delta) {
        const text = ev.contentBlockDelta.delta.text;
        if (pending && ev.contentBlockDelta.contentBlockIndex !== pendingIndex) {
          for (const e of check(takeBatch(true), pendingIndex)) yield e;
          if (stopped) break;
        }
        pendingIndex = ev.contentBlockDelta.contentBlockIndex;
        pending += text;
        if (mode === 'async') {
          yield ev;
          if (pending.length >= STREAM_BATCH_CHARS) {
            check(takeBatch(true), pendingIndex);
            if (stopped) break;
          }
        } else {
          const batch = takeBatch(false);
          if (batch) {
            for (const e of check(batch, pendingIndex)) yield e;
            if (stopped) break;
          }
        }
        continue;
      }
      // Anything else: first settle the text before it.
      if (pending) {
        const events = check(takeBatch(true), pendingIndex);
        if (mode === 'sync') for (const e of events) yield e;
        if (stopped) break;
      }
      if ('messageStop' in ev) {
        heldStop = ev.messageStop.stopReason;
        if (ev.messageStop.additionalModelResponseFields) heldStopFields = ev.messageStop.additionalModelResponseFields;
        continue;
      }
      if ('metadata' in ev) {
        usage = ev.metadata.usage;
        continue;
      }
      yield ev;
    }
    if (!stopped && pending) {
      const events = check(takeBatch(true), pendingIndex);
      if (mode === 'sync') for (const e of events) yield e;
    }
  } finally {
    if (stopped) await iterator.return?.().catch(() => undefined);
  }
  if (stopped) {
    if (mode === 'async') yield { contentBlockStop: { contentBlockIndex: pendingIndex } };
    yield { messageStop: { stopReason: 'guardrail_intervened' } };
    yield metadata(usage, [released.join('')]);
    state.report.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
    return;
  }
  yield {
    messageStop: { stopReason: heldStop ?? 'end_turn', ...(heldStopFields ? { additionalModelResponseFields: heldStopFields } : {}) },
  };
  const maskedOutput = outputAssessed.some((a) => a.result?.anonymized);
  yield metadata(usage, maskedOutput ? [released.join('')] : undefined);
  state.report.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
}

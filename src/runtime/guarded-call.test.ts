/**
 * Guarded streams (`guardedStream`) against a scripted upstream: sync mode holds text back in batches and masks
 * PII split across deltas; a block mid-stream ends the stream with the blocked message and stops reading the
 * upstream; async mode passes deltas at once and stops after a violation; non-text events keep their order; an
 * unguarded stream passes through. The gateway is a real InvocationGateway with only the parts streams use.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ServiceError } from '../core/errors.ts';
import type { Services } from '../control/services.ts';
import { compile, type CompiledGuardrail } from '../engine/compile.ts';
import type { GuardrailPolicies } from '../engine/config/types.ts';
import { createDemoProvider } from '../providers/demo.ts';
import { type ChatRequest, type ChatResponse, type ChatStreamEvent, UpstreamError } from '../providers/types.ts';
import { chatFields } from './chat-fields.ts';
import { guardedCall, guardedStream, guardInputPhase, type InputPhase, STREAM_BATCH_CHARS, type StreamState } from './guarded-call.ts';
import type { GuardTarget } from './guarding.ts';
import { DEFAULT_GATEWAY_SETTINGS, InvocationGateway, type Prepared } from './invocation.ts';
import { GatewayMetrics } from './metrics.ts';
import { AccountQuotas } from './quotas.ts';
import { AssessmentPool, assessmentSettingsFromEnv } from './assessment-pool.ts';

// ---- fixtures ------------------------------------------------------------------------------------------------

const BLOCKED_OUT = 'g: output blocked';
const BLOCKED_IN = 'g: input blocked';

const guardrail = (policies: GuardrailPolicies): CompiledGuardrail =>
  compile({ name: 'g', blockedInputMessaging: BLOCKED_IN, blockedOutputsMessaging: BLOCKED_OUT, ...policies });

/** Blocks the phrase "project nightingale" and SSNs, masks e-mail addresses. */
const baseline = guardrail({
  wordPolicyConfig: { wordsConfig: [{ text: 'project nightingale' }] },
  sensitiveInformationPolicyConfig: {
    piiEntitiesConfig: [
      { type: 'EMAIL', action: 'ANONYMIZE' },
      { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' },
    ],
  },
});

function target(compiled: CompiledGuardrail): GuardTarget {
  const arn = 'arn:aws:bedrock:us-east-1:111111111111:guardrail/g1';
  return {
    key: 'g1',
    label: `${arn}:1`,
    compiled,
    details: { guardrailId: 'g1', guardrailVersion: '1', guardrailArn: arn, guardrailOrigin: ['ACCOUNT_ENFORCED'], guardrailOwnership: 'SELF' },
    system: 'COMPREHENSIVE',
    messages: 'COMPREHENSIVE',
    requestOnly: false,
    failOpen: false,
  };
}

// PARAPET_ASSESSMENT_THREADS=N runs every assessment on assessment threads (every text offloaded).
const threads = assessmentSettingsFromEnv().threads ?? 0;
const assessor = threads ? await AssessmentPool.start({ threads, inlineBelowChars: 0 }) : undefined;
after(() => assessor?.close());

function gateway(): InvocationGateway {
  const monotonic = { now: () => 0 };
  const services: Pick<Services, 'monotonic'> = { monotonic };
  return new InvocationGateway({
    services: services as Services,
    org: { effectiveGuardrailConfigs: async () => undefined },
    models: { route: () => undefined },
    quotas: new AccountQuotas({ disabled: true }, monotonic),
    metrics: new GatewayMetrics(),
    settings: DEFAULT_GATEWAY_SETTINGS,
    ...(assessor ? { assessor } : {}),
  });
}

function prepared(targets: GuardTarget[]): Prepared {
  return {
    caller: { accountId: '111111111111', principalArn: 'arn:aws:iam::111111111111:root', accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1' },
    requestId: 'req-1',
    operation: 'ConverseStream',
    modelId: 'parapet.demo-v1',
    route: { provider: createDemoProvider(), upstreamModel: 'parapet.demo-v1', modelId: 'parapet.demo-v1' },
    targets,
    resolution: { applied: [], skipped: [] },
    startedAt: 0,
    trace: 'ENABLED',
  };
}

const USAGE = { inputTokens: 3, outputTokens: 7, totalTokens: 10 };
const delta = (text: string, index = 0): ChatStreamEvent => ({ contentBlockDelta: { contentBlockIndex: index, delta: { text } } });
const textEvents = (deltas: string[]): ChatStreamEvent[] => [
  { messageStart: { role: 'assistant' } },
  ...deltas.map((d) => delta(d)),
  { contentBlockStop: { contentBlockIndex: 0 } },
  { messageStop: { stopReason: 'end_turn' } },
  { metadata: { usage: USAGE, metrics: { latencyMs: 5 } } },
];

/** A scripted upstream that counts what was read and whether it was closed early. */
function upstream(events: ChatStreamEvent[], failAt?: number) {
  const log = { read: 0, returned: false };
  const iterable: AsyncIterable<ChatStreamEvent> = {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        async next(): Promise<IteratorResult<ChatStreamEvent>> {
          if (failAt !== undefined && i === failAt) throw new UpstreamError('error', 'fake', 'fake: connection reset', { status: 502 });
          const value = events[i];
          if (value === undefined) return { value: undefined, done: true };
          i++;
          log.read++;
          return { value, done: false };
        },
        async return(): Promise<IteratorResult<ChatStreamEvent>> {
          log.returned = true;
          return { value: undefined, done: true };
        },
      };
    },
  };
  return { iterable, log };
}

const userChat = (text: string): ChatRequest => ({ system: [], messages: [{ role: 'user', content: [{ text }] }] });

async function start(targets: GuardTarget[], events: ChatStreamEvent[], mode: 'sync' | 'async', opts: { chat?: ChatRequest; failAt?: number; withTrace?: boolean } = {}) {
  const gw = gateway();
  const p = prepared(targets);
  const chat = opts.chat ?? userChat('hello');
  // No external detectors here: the input phase is synchronous (a promise only with assessment threads).
  const phase: InputPhase | Promise<InputPhase> = guardInputPhase(gw, p, chat, chatFields(chat, { invokeModel: false }), false);
  const input = await phase;
  const up = upstream(events, opts.failAt);
  const state: StreamState = { report: { outcome: 'NONE', status: 200, input: [], output: [], modelCalled: false }, trace: {}, intervened: false };
  const seen: { chat?: ChatRequest; opened: number } = { opened: 0 };
  const stream = guardedStream(
    gw,
    p,
    input,
    mode,
    false,
    (c) => {
      seen.opened++;
      seen.chat = c;
      return up.iterable;
    },
    state,
    opts.withTrace ?? true,
  );
  return { stream, up, state, seen };
}

/** Runs a stream to its end; each event with how many upstream events had been read when it came out. */
async function run(targets: GuardTarget[], events: ChatStreamEvent[], mode: 'sync' | 'async', opts: Parameters<typeof start>[3] = {}) {
  const s = await start(targets, events, mode, opts);
  const out: Array<{ ev: ChatStreamEvent; read: number }> = [];
  for await (const ev of s.stream) out.push({ ev, read: s.up.log.read });
  return { ...s, out, events: out.map((o) => o.ev) };
}

const kind = (ev: ChatStreamEvent): string => Object.keys(ev)[0] ?? '';
const textDeltas = (events: ChatStreamEvent[]): string[] =>
  events.flatMap((ev) => ('contentBlockDelta' in ev && 'text' in ev.contentBlockDelta.delta ? [ev.contentBlockDelta.delta.text] : []));
const stopReason = (events: ChatStreamEvent[]) => events.flatMap((ev) => ('messageStop' in ev ? [ev.messageStop.stopReason] : []));
const metadataOf = (events: ChatStreamEvent[]) => {
  const last = events.at(-1);
  assert.ok(last && 'metadata' in last, 'the stream ends with metadata');
  return last.metadata as { usage: typeof USAGE; metrics: { latencyMs: number }; trace?: { guardrail: { modelOutput?: string[]; outputAssessments?: Record<string, unknown[]> } } };
};

/** `n` word-sized deltas of exactly 10 characters each, trailing space. */
const filler = (n: number, word = 'lorem ips') => Array.from({ length: n }, () => `${word} `);

// ---- sync ------------------------------------------------------------------------------------------------------

describe('guardedStream, sync mode', () => {
  it('masks an e-mail address split across several deltas; no part of it is ever released', async () => {
    const r = await run([target(baseline)], textEvents(['Contact ja', 'ne.doe@exa', 'mple', '.com', ' today.']), 'sync');
    assert.equal(textDeltas(r.events).join(''), 'Contact {EMAIL} today.');
    for (const d of textDeltas(r.events)) assert.doesNotMatch(d, /@|exa|mple/);
    assert.deepEqual(stopReason(r.events), ['end_turn']);
    assert.equal(r.state.intervened, true);
    assert.equal(r.state.report.outcome, 'INTERVENED');
    assert.equal(r.state.report.intervenedOn, 'OUTPUT');
    assert.deepEqual(r.state.report.usage, { inputTokens: 3, outputTokens: 7 });
    const meta = metadataOf(r.events);
    assert.deepEqual(meta.usage, USAGE);
    assert.deepEqual(meta.trace?.guardrail.modelOutput, ['Contact jane.doe@example.com today.']);
    assert.ok(meta.trace?.guardrail.outputAssessments?.['g1']?.length);
  });

  it('releases text in batches cut at whitespace, each only after it was read and checked', async () => {
    const deltas = Array.from({ length: 120 }, (_, i) => `w${String(i).padStart(3, '0')}abcde `);
    const r = await run([target(baseline)], textEvents(deltas), 'sync');
    const released = r.out.filter((o) => kind(o.ev) === 'contentBlockDelta');
    assert.equal(released.map((o) => textDeltas([o.ev])[0]).join(''), deltas.join(''));
    assert.ok(released.length >= 2 && released.length <= Math.ceil(1200 / (STREAM_BATCH_CHARS / 2)), `${released.length} batches`);
    for (const o of released.slice(0, -1)) {
      const text = textDeltas([o.ev])[0] ?? '';
      assert.ok(text.length >= STREAM_BATCH_CHARS / 2, `batch of ${text.length} chars`);
      assert.match(text, /\s$/);
    }
    // The first batch comes out only once a whole batch was read (messageStart + 40 deltas of 10 chars).
    assert.ok((released[0]?.read ?? 0) >= 1 + STREAM_BATCH_CHARS / 10);
    assert.equal(r.state.report.output.length, released.length, 'one output assessment per released batch');
    assert.deepEqual(r.events.map(kind), ['messageStart', ...released.map(() => 'contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
  });

  it('blocked mid-stream: the blocked message, guardrail_intervened, and the upstream is no longer read', async () => {
    const events = textEvents([...filler(90), 'project ', 'nightingale ', ...filler(60, 'more text')]);
    const r = await run([target(baseline)], events, 'sync');
    assert.deepEqual(r.events.map(kind), ['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    const texts = textDeltas(r.events);
    assert.ok(texts[0] && filler(90).join('').startsWith(texts[0]), 'a first, clean batch was released');
    assert.equal(texts[1], BLOCKED_OUT);
    assert.doesNotMatch(texts.join(''), /nightingale/i);
    assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
    assert.equal(r.up.log.returned, true, "the upstream iterator's return() was called");
    assert.ok(r.up.log.read < events.length, `read ${r.up.log.read} of ${events.length}`);
    assert.equal(r.state.report.outcome, 'INTERVENED');
    assert.equal(r.state.report.intervenedOn, 'OUTPUT');
    assert.match(metadataOf(r.events).trace?.guardrail.modelOutput?.[0] ?? '', /project nightingale/);
  });

  it('blocked on the last batch (settled by contentBlockStop): blocked message then guardrail_intervened', async () => {
    const r = await run([target(baseline)], textEvents(['My SSN is ', '123-45-', '6789.']), 'sync');
    assert.deepEqual(textDeltas(r.events), [BLOCKED_OUT]);
    assert.deepEqual(r.events.map(kind), ['messageStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
  });

  it('the same phrase tokens away from a batch boundary are blocked (control for the next test)', async () => {
    const deltas = [...Array.from({ length: 10 }, () => ' lorem ips'), ' project', ' nightingale', ' is late.'];
    const r = await run([target(baseline)], textEvents(deltas), 'sync');
    assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
  });

  it(
    'a denied phrase split across a batch boundary is still blocked',
    async () => {
      // Word tokens with a leading space, as real models stream them: " project" ends the 400th character.
      const deltas = [...Array.from({ length: 39 }, () => ' lorem ips'), ' project', ' nightingale', ' is late.'];
      const r = await run([target(baseline)], textEvents(deltas), 'sync');
      assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
      assert.doesNotMatch(textDeltas(r.events).join(''), /nightingale/);
    },
  );
});

// ---- async -----------------------------------------------------------------------------------------------------

describe('guardedStream, async mode', () => {
  it('yields each delta as soon as it is read (no batching, no masking)', async () => {
    const events = textEvents(['Contact ', 'jane@example.com', ' today.']);
    const r = await run([target(baseline)], events, 'async');
    const released = r.out.filter((o) => kind(o.ev) === 'contentBlockDelta');
    assert.deepEqual(released.map((o) => o.read), [2, 3, 4], 'each delta right after it was read');
    assert.deepEqual(released.map((o) => o.ev), events.slice(1, 4), 'the deltas as the model sent them');
    assert.equal(r.state.intervened, true, 'the e-mail was detected (after the fact)');
    assert.deepEqual(stopReason(r.events), ['end_turn']);
  });

  it('stops after a violation with guardrail_intervened, and the upstream is no longer read', async () => {
    const events = textEvents([...filler(45), 'project ', 'nightingale ', ...filler(60, 'more text')]);
    const r = await run([target(baseline)], events, 'async');
    const texts = textDeltas(r.events);
    // Async sends the text before checking it: everything up to the check that failed went out.
    assert.equal(texts.length, 45 + 2 + 33);
    assert.ok(!texts.includes(BLOCKED_OUT), 'async mode sends no blocked message');
    assert.deepEqual(r.events.slice(-3).map(kind), ['contentBlockStop', 'messageStop', 'metadata']);
    assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
    assert.equal(r.up.log.returned, true);
    assert.ok(r.up.log.read < events.length);
    assert.equal(r.state.report.outcome, 'INTERVENED');
    assert.equal(r.state.report.streamMode, 'async');
  });

  it('a violation in the last text is caught when the block ends', async () => {
    const r = await run([target(baseline)], textEvents(['Status: ', 'Project ', 'Nightingale slips.']), 'async');
    assert.equal(textDeltas(r.events).join(''), 'Status: Project Nightingale slips.');
    assert.deepEqual(r.events.slice(-3).map(kind), ['contentBlockStop', 'messageStop', 'metadata']);
    assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
  });

  it('the same SSN tokens away from the check boundary are caught (control for the next test)', async () => {
    const r = await run([target(baseline)], textEvents([...filler(10), 'SSN: ', ' 123', '-45', '-6789', ' is mine.']), 'async');
    assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
  });

  it(
    'an SSN split across the check boundary is still caught',
    async () => {
      // 396 characters, then the SSN in three tokens; the check fires after "-45" (400 chars).
      const deltas = [...filler(39), 'SSN: ', ' 123', '-45', '-6789', ' is mine.'];
      const r = await run([target(baseline)], textEvents(deltas), 'async');
      assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
    },
  );
});

// ---- ordering, pass-through, input, failures --------------------------------------------------------------------

const toolStream: ChatStreamEvent[] = [
  { messageStart: { role: 'assistant' } },
  delta('Let me look up ', 0),
  delta('a@example.com', 0),
  { contentBlockStop: { contentBlockIndex: 0 } },
  { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't1', name: 'lookup' } } } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"email":' } } } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '"a@example.com"}' } } } },
  { contentBlockStop: { contentBlockIndex: 1 } },
  delta('Done', 2),
  delta(' now.', 2),
  { contentBlockStop: { contentBlockIndex: 2 } },
  { messageStop: { stopReason: 'tool_use' } },
  { metadata: { usage: USAGE, metrics: { latencyMs: 1 } } },
];

describe('guardedStream: events other than text', () => {
  it('sync: tool-use start/delta/stop keep their place after the text before them; tool arguments are not guarded', async () => {
    const r = await run([target(baseline)], toolStream, 'sync');
    assert.deepEqual(r.events.slice(0, -1), [
      { messageStart: { role: 'assistant' } },
      delta('Let me look up {EMAIL}', 0),
      toolStream[3],
      toolStream[4],
      toolStream[5],
      toolStream[6],
      toolStream[7],
      delta('Done now.', 2),
      toolStream[10],
      { messageStop: { stopReason: 'tool_use' } },
    ]);
  });

  it('async: the same order, with the deltas as they came', async () => {
    const r = await run([target(baseline)], toolStream, 'async');
    assert.deepEqual(r.events.slice(0, -1), toolStream.slice(0, -1));
  });

  it('no guardrail: every event passes unchanged; only the metadata is the gateway’s (same usage)', async () => {
    const r = await run([], toolStream, 'sync', { withTrace: false });
    assert.deepEqual(r.events.slice(0, -1), toolStream.slice(0, -1));
    assert.deepEqual(metadataOf(r.events), { usage: USAGE, metrics: { latencyMs: 0 } });
    assert.equal(r.state.intervened, false);
    assert.equal(r.state.report.modelCalled, true);
    assert.deepEqual(r.state.report.usage, { inputTokens: 3, outputTokens: 7 });
  });

  it('stopReason and additional fields of the model survive guarding', async () => {
    const events = textEvents(['fine']);
    events[3] = { messageStop: { stopReason: 'max_tokens', additionalModelResponseFields: { x: 1 } } };
    const r = await run([target(baseline)], events, 'sync');
    assert.deepEqual(r.events.find((e) => 'messageStop' in e), { messageStop: { stopReason: 'max_tokens', additionalModelResponseFields: { x: 1 } } });
  });
});

describe('guardedStream: the input phase', () => {
  it('blocked input: a short stream with the blocked message, the model is never called', async () => {
    const r = await run([target(baseline)], toolStream, 'sync', { chat: userChat('Is project nightingale late?') });
    assert.equal(r.seen.opened, 0);
    assert.deepEqual(textDeltas(r.events), [BLOCKED_IN]);
    assert.deepEqual(stopReason(r.events), ['guardrail_intervened']);
    assert.deepEqual(metadataOf(r.events).usage, { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    assert.equal(r.state.report.intervenedOn, 'INPUT');
    assert.equal(r.state.report.modelCalled, false);
  });

  it('masked input: the model gets the masked prompt, and the call counts as intervened on input', async () => {
    const r = await run([target(baseline)], textEvents(['ok']), 'sync', { chat: userChat('mail jane@example.com') });
    assert.deepEqual(r.seen.chat?.messages[0]?.content, [{ text: 'mail {EMAIL}' }]);
    assert.equal(r.state.report.intervenedOn, 'INPUT');
    assert.equal(r.state.intervened, true);
    assert.deepEqual(stopReason(r.events), ['end_turn']);
  });
});

describe('guardedStream: failures', () => {
  it('an upstream failure mid-stream becomes ModelErrorException and the report records the error', async () => {
    const s = await start([target(baseline)], textEvents(['a ', 'b ']), 'sync', { failAt: 2 });
    await assert.rejects(
      (async () => {
        for await (const _ of s.stream);
      })(),
      (e: unknown) => e instanceof ServiceError && e.code === 'ModelErrorException' && /connection reset/.test(e.message),
    );
    assert.equal(s.state.report.outcome, 'ERROR');
    assert.equal(s.state.report.errorCode, 'ModelErrorException');
  });

  /** A guardrail whose output-side detector throws (fail closed mid-stream). */
  const explodingOnOutput = (): CompiledGuardrail => {
    const c = baseline;
    const scanner = {
      scan(): never {
        throw new Error('detector exploded');
      },
    };
    return { ...c, output: { ...c.output, pii: { scanner, actions: new Map([['EMAIL', 'ANONYMIZE']]) } } };
  };

  it('a guardrail that cannot evaluate the output fails the stream closed (ServiceUnavailableException)', async () => {
    const s = await start([target(explodingOnOutput())], textEvents(['some ', 'text']), 'sync');
    const got: ChatStreamEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of s.stream) got.push(ev);
      })(),
      (e: unknown) => e instanceof ServiceError && e.code === 'ServiceUnavailableException' && /detector exploded/.test(e.message),
    );
    assert.deepEqual(textDeltas(got), [], 'no unchecked text was released');
  });

  it(
    'a guard failure mid-stream closes the upstream',
    async () => {
      const s = await start([target(explodingOnOutput())], textEvents([...filler(60)]), 'sync');
      await assert.rejects(async () => {
        for await (const _ of s.stream);
      });
      assert.equal(s.up.log.returned, true);
    },
  );

  it(
    'a consumer that stops early (client gone) closes the upstream',
    async () => {
      const s = await start([target(baseline)], textEvents(filler(100)), 'async');
      for await (const ev of s.stream) if ('contentBlockDelta' in ev) break;
      assert.equal(s.up.log.returned, true);
    },
  );

  it('an unguarded stream abandoned by its consumer closes the upstream', async () => {
    const s = await start([], textEvents(filler(10)), 'sync');
    for await (const ev of s.stream) if ('contentBlockDelta' in ev) break;
    assert.equal(s.up.log.returned, true);
  });
});

// ---- non-streaming -------------------------------------------------------------------------------------------

describe('guardedCall (non-streaming)', () => {
  const call = (chat: ChatRequest, answer: ChatResponse | Error) => {
    const gw = gateway();
    const p = prepared([target(baseline)]);
    const seen: ChatRequest[] = [];
    const result = guardedCall(gw, p, chat, chatFields(chat, { invokeModel: false }), false, async (c) => {
      seen.push(c);
      if (answer instanceof Error) throw answer;
      return { response: answer };
    });
    return { result, seen };
  };
  const answer = (...content: ChatResponse['content']): ChatResponse => ({ content, stopReason: 'end_turn', usage: USAGE });

  it('blocked input: the blocked message, guardrail_intervened, the model not called', async () => {
    const { result, seen } = call(userChat('project nightingale?'), answer({ text: 'x' }));
    const r = await result;
    assert.deepEqual(seen, []);
    assert.deepEqual(r.response.content, [{ text: BLOCKED_IN }]);
    assert.equal(r.response.stopReason, 'guardrail_intervened');
    assert.deepEqual(r.report.intervenedOn, 'INPUT');
    assert.equal(r.report.modelCalled, false);
  });

  it('masked output: text blocks masked in place around a tool call; the trace keeps what the model said', async () => {
    const tool = { toolUse: { toolUseId: 't', name: 'n', input: { to: 'a@example.com' } } };
    const r = await call(userChat('hi'), answer({ text: 'mail a@example.com' }, tool, { text: 'ok' })).result;
    assert.deepEqual(r.response.content, [{ text: 'mail {EMAIL}' }, tool, { text: 'ok' }]);
    assert.equal(r.response.stopReason, 'end_turn');
    assert.deepEqual(r.modelOutput, ['mail a@example.com', 'ok']);
    assert.equal(r.trace.actionReason, 'Guardrail masked.');
    assert.equal(r.report.intervenedOn, 'OUTPUT');
  });

  it('blocked output: one text block with the blocked message', async () => {
    const r = await call(userChat('hi'), answer({ text: 'SSN 123-45-6789' }, { text: 'more' })).result;
    assert.deepEqual(r.response.content, [{ text: BLOCKED_OUT }]);
    assert.equal(r.response.stopReason, 'guardrail_intervened');
    assert.equal(r.trace.actionReason, 'Guardrail blocked.');
  });

  it('an upstream failure is a ModelErrorException carrying the report', async () => {
    await assert.rejects(call(userChat('hi'), new UpstreamError('throttled', 'fake', 'slow down')).result, (e: unknown) => {
      assert.ok(e instanceof ServiceError);
      assert.equal(e.code, 'ThrottlingException');
      assert.equal((e as ServiceError & { report?: { modelCalled: boolean } }).report?.modelCalled, true);
      return true;
    });
  });
});

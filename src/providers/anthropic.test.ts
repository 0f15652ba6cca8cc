import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type FakeAnthropic, startFakeAnthropic } from '../../test/helpers/fake-anthropic-upstream.ts';
import {
  AnthropicStreamTranslator,
  createAnthropicProvider,
  fromAnthropicResponse,
  messagesUrl,
  toAnthropicRequest,
} from './anthropic.ts';
import { type ChatRequest, type ChatStreamEvent, type Message, UpstreamError } from './types.ts';

const signal = (): AbortSignal => new AbortController().signal;
const KEY_ENV = 'PARAPET_TEST_ANTHROPIC_KEY';

async function collect(it: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** Stream events without the (time-dependent) latency. */
const withoutLatency = (events: ChatStreamEvent[]): unknown[] =>
  events.map((e) => ('metadata' in e ? { metadata: { usage: e.metadata.usage } } : e));

describe('Converse → Anthropic request', () => {
  it('translates system, guard content, tool use, tool results, tools and inference settings', () => {
    const req: ChatRequest = {
      system: [{ text: 'Be brief.' }, { guardContent: { text: { text: 'Rules apply.' } } }],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }, { guardContent: { text: { text: 'guarded', qualifiers: ['guard_content'] } } }] },
        { role: 'assistant', content: [{ text: 'Calling' }, { toolUse: { toolUseId: 't1', name: 'weather', input: { city: 'Oslo' } } }] },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 't1', content: [{ text: 'sunny' }, { json: { c: 21 } }] } },
            { toolResult: { toolUseId: 't2', content: [{ text: 'failed' }], status: 'error' } },
          ],
        },
      ],
      inferenceConfig: { temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'weather', description: 'Weather', inputSchema: { json: { type: 'object' } } } }],
        toolChoice: { tool: { name: 'weather' } },
      },
      additionalModelRequestFields: { top_k: 5, model: 'must-not-win' },
    };
    assert.deepEqual(toAnthropicRequest('claude-x', req, false), {
      top_k: 5,
      model: 'claude-x',
      max_tokens: 1024,
      system: 'Be brief.\nRules apply.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'guarded' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Calling' }, { type: 'tool_use', id: 't1', name: 'weather', input: { city: 'Oslo' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'sunny' }, { type: 'text', text: '{"c":21}' }] },
            { type: 'tool_result', tool_use_id: 't2', content: [{ type: 'text', text: 'failed' }], is_error: true },
          ],
        },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      tools: [{ name: 'weather', description: 'Weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'weather' },
    });
  });

  it('maps auto/any tool choice, honours maxTokens, omits empty system and sets stream', () => {
    const base: ChatRequest = {
      system: [],
      messages: [{ role: 'user', content: [{ text: 'x' }] }],
      inferenceConfig: { maxTokens: 77 },
      toolConfig: { tools: [{ toolSpec: { name: 'a', inputSchema: { json: {} } } }], toolChoice: { any: {} } },
    };
    const any = toAnthropicRequest('m', base, true);
    assert.deepEqual(any.tool_choice, { type: 'any' });
    assert.equal(any.max_tokens, 77);
    assert.equal(any.stream, true);
    assert.equal('system' in any, false);
    assert.deepEqual(any.tools, [{ name: 'a', input_schema: {} }]);
    const auto = toAnthropicRequest('m', { ...base, toolConfig: { tools: base.toolConfig!.tools, toolChoice: { auto: {} } } }, false);
    assert.deepEqual(auto.tool_choice, { type: 'auto' });
    assert.equal('stream' in auto, false);
    const noTools = toAnthropicRequest('m', { ...base, toolConfig: { tools: [] } }, false);
    assert.equal('tools' in noTools, false);
    assert.equal('tool_choice' in noTools, false);
  });

  it('drops empty text blocks Anthropic would reject', () => {
    const r = toAnthropicRequest('m', { system: [], messages: [{ role: 'user', content: [{ text: '' }, { text: 'a' }] }] }, false);
    assert.deepEqual(r.messages[0]?.content, [{ type: 'text', text: 'a' }]);
  });

  it('keeps every message, role and non-empty text in order (property)', () => {
    const message = fc
      .tuple(fc.constantFrom('user' as const, 'assistant' as const), fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 4 }))
      .map(([role, texts]): Message => ({ role, content: texts.map((text) => ({ text })) }));
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), (messages: Message[]) => {
        const r = toAnthropicRequest('m', { system: [], messages }, false);
        assert.deepEqual(
          r.messages.map((m) => ({ role: m.role, content: m.content.map((b) => (b.type === 'text' ? { text: b.text } : b)) })),
          messages,
        );
      }),
    );
  });

  it('builds the Messages URL from the base URL', () => {
    assert.equal(messagesUrl(undefined), 'https://api.anthropic.com/v1/messages');
    assert.equal(messagesUrl('http://127.0.0.1:9/'), 'http://127.0.0.1:9/v1/messages');
    assert.equal(messagesUrl('https://proxy.example/anthropic/v1'), 'https://proxy.example/anthropic/v1/messages');
  });
});

describe('Anthropic response → Converse', () => {
  it('translates text and tool use blocks, stop reasons and usage', () => {
    const r = fromAnthropicResponse('p', {
      content: [
        { type: 'thinking', thinking: 'hmm' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 12, output_tokens: 30 },
    });
    assert.deepEqual(r, {
      content: [{ text: 'Let me check.' }, { toolUse: { toolUseId: 'toolu_1', name: 'weather', input: { city: 'Oslo' } } }],
      stopReason: 'tool_use',
      usage: { inputTokens: 12, outputTokens: 30, totalTokens: 42 },
    });
    for (const [anthropic, converse] of [
      ['end_turn', 'end_turn'],
      ['max_tokens', 'max_tokens'],
      ['stop_sequence', 'stop_sequence'],
      ['refusal', 'content_filtered'],
      ['pause_turn', 'end_turn'],
    ] as const)
      assert.equal(fromAnthropicResponse('p', { content: [], stop_reason: anthropic }).stopReason, converse);
  });

  it('rejects malformed bodies with UpstreamError', () => {
    for (const bad of [null, 'x', {}, { content: 'x' }, { content: [1] }, { content: [{ type: 'text' }] }, { content: [{ type: 'tool_use', id: 1 }] }])
      assert.throws(() => fromAnthropicResponse('p', bad), (e: unknown) => e instanceof UpstreamError && e.kind === 'error');
  });
});

describe('Anthropic stream → Converse stream events', () => {
  const ev = (type: string, rest: Record<string, unknown> = {}): [string, Record<string, unknown>] => [type, { type, ...rest }];

  it('keeps Anthropic block indexes, starts only tool blocks, and ends with usage metadata', () => {
    let now = 1000;
    const t = new AnthropicStreamTranslator('p', 1000, () => now);
    const events = [
      ev('message_start', { message: { usage: { input_tokens: 9, output_tokens: 1 } } }),
      ev('ping'),
      ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'hidden' } }),
      ev('content_block_stop', { index: 0 }),
      ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
      ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Hel' } }),
      ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'lo' } }),
      ev('content_block_stop', { index: 1 }),
      ev('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_9', name: 'f', input: {} } }),
      ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"a":' } }),
      ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '1}' } }),
      ev('content_block_stop', { index: 2 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } }),
      ev('message_stop'),
    ];
    const out: ChatStreamEvent[] = [];
    for (const [name, data] of events) {
      if (name === 'message_stop') now = 1250;
      out.push(...t.translate(name, data));
    }
    assert.deepEqual(out, [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'Hel' } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'lo' } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'toolu_9', name: 'f' } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '{"a":' } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '1}' } } } },
      { contentBlockStop: { contentBlockIndex: 2 } },
      { messageStop: { stopReason: 'tool_use' } },
      { metadata: { usage: { inputTokens: 9, outputTokens: 20, totalTokens: 29 }, metrics: { latencyMs: 250 } } },
    ]);
    assert.equal(t.done, true);
  });

  it('turns an error event into UpstreamError (overloaded → throttled)', () => {
    const t = new AnthropicStreamTranslator('p', 0);
    assert.throws(
      () => t.translate('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'throttled' && e.status === 529 && e.upstreamMessage === 'Overloaded',
    );
    assert.throws(
      () => t.translate('error', { type: 'error', error: { type: 'api_error', message: 'Internal' } }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'error' && e.status === 500,
    );
  });

  it('rejects malformed events with UpstreamError', () => {
    const t = new AnthropicStreamTranslator('p', 0);
    assert.throws(() => t.translate('message_stop', { type: 'message_stop' }), UpstreamError);
    assert.throws(() => t.translate('content_block_delta', { index: 'x' }), UpstreamError);
    assert.throws(() => t.translate('content_block_start', 'nope'), UpstreamError);
  });

  it('reassembles any text split into any deltas (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 8 }), fc.nat({ max: 5 }), (pieces, index) => {
        const t = new AnthropicStreamTranslator('p', 0, () => 0);
        const out: ChatStreamEvent[] = [];
        out.push(...t.translate('message_start', { message: { usage: { input_tokens: 1 } } }));
        out.push(...t.translate('content_block_start', { index, content_block: { type: 'text', text: '' } }));
        for (const text of pieces) out.push(...t.translate('content_block_delta', { index, delta: { type: 'text_delta', text } }));
        out.push(...t.translate('content_block_stop', { index }));
        out.push(...t.translate('message_stop', {}));
        let text = '';
        for (const e of out) {
          if ('contentBlockDelta' in e && 'text' in e.contentBlockDelta.delta) {
            assert.equal(e.contentBlockDelta.contentBlockIndex, index);
            text += e.contentBlockDelta.delta.text;
          }
          assert.equal('contentBlockStart' in e, false);
        }
        assert.equal(text, pieces.join(''));
        assert.ok('metadata' in out[out.length - 1]!);
      }),
    );
  });
});

describe('Anthropic provider against a fake Messages API', () => {
  let fake: FakeAnthropic;
  before(async () => {
    fake = await startFakeAnthropic();
    process.env[KEY_ENV] = 'sk-test-123';
  });
  after(async () => {
    await fake.close();
    delete process.env[KEY_ENV];
  });
  const provider = (timeoutMs?: number) =>
    createAnthropicProvider('claude', { type: 'anthropic', baseUrl: fake.url, apiKeyEnv: KEY_ENV, headers: { 'anthropic-beta': 'x' }, ...(timeoutMs ? { timeoutMs } : {}) });
  const hello: ChatRequest = { system: [{ text: 'sys' }], messages: [{ role: 'user', content: [{ text: 'hello there' }] }] };

  it('converses: sends key, version and body; translates the answer', async () => {
    fake.setReply((b) => ({ text: `You said: ${JSON.stringify((b.messages as unknown[]).length)}` }));
    fake.requests.length = 0;
    const p = provider();
    assert.equal(p.type, 'anthropic');
    assert.equal(p.name, 'claude');
    const r = await p.converse('claude-3-5-haiku-latest', hello, { signal: signal() });
    assert.deepEqual(r.content, [{ text: 'You said: 1' }]);
    assert.equal(r.stopReason, 'end_turn');
    const req = fake.requests[0]!;
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.headers['x-api-key'], 'sk-test-123');
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.headers['anthropic-beta'], 'x');
    assert.equal(req.body.model, 'claude-3-5-haiku-latest');
    assert.equal(req.body.max_tokens, 1024);
    assert.equal(req.body.system, 'sys');
  });

  it('answers tool calls', async () => {
    fake.setReply(() => ({ toolUse: { id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } } }));
    const r = await provider().converse('m', hello, { signal: signal() });
    assert.deepEqual(r.content, [{ toolUse: { toolUseId: 'toolu_1', name: 'weather', input: { city: 'Oslo' } } }]);
    assert.equal(r.stopReason, 'tool_use');
  });

  it('streams the Converse event sequence', async () => {
    fake.setReply(() => ({ text: 'Hi you', usage: { input_tokens: 3, output_tokens: 2 } }));
    const events = await collect(provider().converseStream('m', hello, { signal: signal() }));
    assert.deepEqual(withoutLatency(events), [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi ' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'you' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
      { metadata: { usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } } },
    ]);
    const last = events[events.length - 1]!;
    assert.ok('metadata' in last && last.metadata.metrics.latencyMs >= 0);
    assert.equal(fake.requests.at(-1)?.body.stream, true);
  });

  it('streams a tool call with its JSON input', async () => {
    fake.setReply(() => ({ text: 'Checking', toolUse: { id: 'toolu_2', name: 'weather', input: { city: 'Oslo' } } }));
    const events = await collect(provider().converseStream('m', hello, { signal: signal() }));
    const input = events
      .flatMap((e) => ('contentBlockDelta' in e && 'toolUse' in e.contentBlockDelta.delta ? [e.contentBlockDelta.delta.toolUse.input] : []))
      .join('');
    assert.deepEqual(JSON.parse(input), { city: 'Oslo' });
    assert.ok(events.some((e) => 'contentBlockStart' in e && e.contentBlockStart.contentBlockIndex === 1 && e.contentBlockStart.start.toolUse.toolUseId === 'toolu_2'));
    assert.ok(events.some((e) => 'messageStop' in e && e.messageStop.stopReason === 'tool_use'));
  });

  it('maps a mid-stream overloaded_error event to UpstreamError', async () => {
    fake.setReply(() => ({ text: 'partial answer', errorType: 'overloaded_error' }));
    const seen: ChatStreamEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of provider().converseStream('m', hello, { signal: signal() })) seen.push(e);
      })(),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'throttled' && e.provider === 'claude',
    );
    assert.ok(seen.some((e) => 'messageStart' in e));
  });

  it('maps HTTP errors: 429 → throttled, 400 → error with status and message', async () => {
    fake.setReply(() => ({ status: 429, errorType: 'rate_limit_error' }));
    await assert.rejects(provider().converse('m', hello, { signal: signal() }), (e: unknown) => e instanceof UpstreamError && e.kind === 'throttled');
    fake.setReply(() => ({ status: 400, errorType: 'invalid_request_error' }));
    await assert.rejects(
      collect(provider().converseStream('m', hello, { signal: signal() })),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'error' && e.status === 400 && e.upstreamMessage === 'fake error 400',
    );
  });

  it('times out a slow upstream with kind timeout', async () => {
    fake.setReply(() => ({ text: 'late', delayMs: 2000 }));
    await assert.rejects(provider(50).converse('m', hello, { signal: signal() }), (e: unknown) => e instanceof UpstreamError && e.kind === 'timeout');
  });

  it('times out a stream that stalls after it started', async () => {
    fake.setReply(() => ({ text: 'one two three', delayMs: 400 }));
    // headers arrive at once; the first event follows after the delay, which the timeout does not wait for.
    await assert.rejects(collect(provider(150).converseStream('m', hello, { signal: signal() })), (e: unknown) => e instanceof UpstreamError && e.kind === 'timeout');
  });

  it('refuses to call without an API key and sends nothing', async () => {
    fake.requests.length = 0;
    const p = createAnthropicProvider('nokey', { type: 'anthropic', baseUrl: fake.url, apiKeyEnv: 'PARAPET_TEST_UNSET_KEY' });
    delete process.env.PARAPET_TEST_UNSET_KEY;
    await assert.rejects(p.converse('m', hello, { signal: signal() }), (e: unknown) => e instanceof UpstreamError && /PARAPET_TEST_UNSET_KEY/.test(e.message));
    process.env.PARAPET_TEST_UNSET_KEY = '';
    await assert.rejects(collect(p.converseStream('m', hello, { signal: signal() })), UpstreamError);
    delete process.env.PARAPET_TEST_UNSET_KEY;
    assert.equal(fake.requests.length, 0);
  });

  it('reports an unreachable upstream as UpstreamError', async () => {
    const p = createAnthropicProvider('gone', { type: 'anthropic', baseUrl: 'http://127.0.0.1:1', apiKeyEnv: KEY_ENV });
    await assert.rejects(p.converse('m', hello, { signal: signal() }), (e: unknown) => e instanceof UpstreamError && e.kind === 'error');
  });
});

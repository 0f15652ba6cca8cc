import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createDemoProvider, demoAnswer, wordPieces } from './demo.ts';
import { type ChatRequest, type ChatStreamEvent, UpstreamError } from './types.ts';

const opts = () => ({ signal: new AbortController().signal });
const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  system: [],
  messages: [{ role: 'user', content: [{ text }] }],
  ...extra,
});
const textOf = (r: { content: Array<{ text: string } | { toolUse: unknown }> }): string =>
  r.content.map((b) => ('text' in b ? b.text : '')).join('');

async function collect(it: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const weather = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] };

describe('demo model', () => {
  it('echoes the last user message', async () => {
    const p = createDemoProvider();
    assert.equal(p.name, 'demo');
    assert.equal(p.type, 'demo');
    const r = await p.converse('parapet.demo-v1', ask('Hello there, model'), opts());
    assert.deepEqual(r, {
      content: [{ text: 'Demo model (parapet.demo-v1) here. You said: Hello there, model' }],
      stopReason: 'end_turn',
      usage: { inputTokens: 3, outputTokens: 9, totalTokens: 12 },
    });
  });

  it('decode base64: answers the decoded text, which the input never showed', () => {
    const b64 = Buffer.from('write to jane@example.com').toString('base64');
    assert.equal(textOf(demoAnswer(ask(`please decode base64: ${b64}`))), 'write to jane@example.com');
  });

  it('answers the last user message, counting the whole conversation as input', () => {
    const r = demoAnswer({
      system: [{ text: 'be nice' }],
      messages: [
        { role: 'user', content: [{ text: 'first question' }] },
        { role: 'assistant', content: [{ text: 'first answer' }] },
        { role: 'user', content: [{ text: 'second' }, { guardContent: { text: { text: 'guarded part' } } }] },
      ],
    });
    assert.equal(textOf(r), 'Demo model (parapet.demo-v1) here. You said: second guarded part');
    assert.equal(r.usage.inputTokens, 9);
  });

  it('quotes only the first 200 characters', () => {
    const long = 'x'.repeat(500);
    assert.equal(textOf(demoAnswer(ask(long))), `Demo model (parapet.demo-v1) here. You said: ${'x'.repeat(200)}`);
  });

  it('repeat: makes the model output exactly the rest (case-insensitive, trimmed)', () => {
    assert.equal(textOf(demoAnswer(ask('please REPEAT:   my email is jane@example.com  '))), 'my email is jane@example.com');
    assert.equal(textOf(demoAnswer(ask('repeat:'))), '');
  });

  it('calls a defined tool on "call tool <name>", numbering calls in the conversation', () => {
    const first = demoAnswer(ask('Please call tool get_weather for Oslo', { toolConfig: weather }));
    assert.deepEqual(first.content, [{ toolUse: { toolUseId: 'tooluse_demo_1', name: 'get_weather', input: {} } }]);
    assert.equal(first.stopReason, 'tool_use');
    const second = demoAnswer({
      system: [],
      messages: [
        { role: 'user', content: [{ text: 'call tool get_weather' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_demo_1', name: 'get_weather', input: {} } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_demo_1', content: [{ text: 'sunny' }] } }, { text: 'CALL TOOL get_weather again' }] },
      ],
      toolConfig: weather,
    });
    assert.deepEqual(second.content, [{ toolUse: { toolUseId: 'tooluse_demo_2', name: 'get_weather', input: {} } }]);
  });

  it('does not call undefined tools or tools when none are configured', () => {
    assert.match(textOf(demoAnswer(ask('call tool nope', { toolConfig: weather }))), /^Demo model .* You said: call tool nope$/);
    assert.match(textOf(demoAnswer(ask('call tool get_weather'))), /^Demo model /);
  });

  it('acknowledges tool results', () => {
    const r = demoAnswer({
      system: [],
      messages: [
        { role: 'user', content: [{ text: 'call tool get_weather' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_demo_1', name: 'get_weather', input: {} } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_demo_1', content: [{ text: 'sunny' }, { json: { c: 21 } }] } }] },
      ],
      toolConfig: weather,
    });
    assert.deepEqual(r.content, [{ text: 'Tool result received: sunny {"c":21}' }]);
    assert.equal(r.stopReason, 'end_turn');
  });

  it('maxTokens cuts the answer to that many words with max_tokens', () => {
    const r = demoAnswer(ask('repeat: one two  three four', { inferenceConfig: { maxTokens: 2 } }));
    assert.deepEqual(r.content, [{ text: 'one two' }]);
    assert.equal(r.stopReason, 'max_tokens');
    assert.equal(r.usage.outputTokens, 2);
    const fits = demoAnswer(ask('repeat: one two', { inferenceConfig: { maxTokens: 2 } }));
    assert.equal(fits.stopReason, 'end_turn');
  });

  it('streams the same answer as word-sized deltas', async () => {
    const req = ask('repeat: my email is jane@example.com');
    const events = await collect(createDemoProvider('d').converseStream('parapet.demo-v1', req, opts()));
    assert.deepEqual(events, [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'my' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' email' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' is' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' jane@example.com' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
      { metadata: { usage: { inputTokens: 5, outputTokens: 4, totalTokens: 9 }, metrics: { latencyMs: 0 } } },
    ]);
  });

  it('streams a tool call', async () => {
    const events = await collect(createDemoProvider().converseStream('m', ask('call tool get_weather', { toolConfig: weather }), opts()));
    assert.deepEqual(events.slice(0, 5), [
      { messageStart: { role: 'assistant' } },
      { contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tooluse_demo_1', name: 'get_weather' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{}' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'tool_use' } },
    ]);
  });

  it('refuses an already aborted call', async () => {
    const c = new AbortController();
    c.abort();
    await assert.rejects(createDemoProvider().converse('m', ask('x'), { signal: c.signal }), UpstreamError);
  });

  it('is deterministic and its stream matches its answer (property)', async () => {
    const p = createDemoProvider();
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), async (text, maxTokens) => {
        const req = ask(text, maxTokens === undefined ? {} : { inferenceConfig: { maxTokens } });
        const a = await p.converse('m', req, opts());
        assert.deepEqual(await p.converse('m', req, opts()), a);
        const events = await collect(p.converseStream('m', req, opts()));
        const streamed = events.map((e) => ('contentBlockDelta' in e && 'text' in e.contentBlockDelta.delta ? e.contentBlockDelta.delta.text : '')).join('');
        assert.equal(streamed, textOf(a));
        const stop = events.find((e) => 'messageStop' in e);
        assert.ok(stop && 'messageStop' in stop && stop.messageStop.stopReason === a.stopReason);
        if (maxTokens !== undefined) assert.ok(a.usage.outputTokens <= maxTokens);
      }),
    );
  });

  it('word pieces concatenate back to the text (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => assert.equal(wordPieces(s).join(''), s)));
  });
});

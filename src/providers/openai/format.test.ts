/** OpenAI chat completions ⇄ Converse: both directions, the stream decoder and encoder, request validation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSse } from '../sse.ts';
import type { ChatRequest, ChatStreamEvent, ContentBlock, Message } from '../types.ts';
import {
  chunkFrames,
  DONE_FRAME,
  formatChatCompletion,
  fromOpenAIResponse,
  MalformedOpenAIResponseError,
  OpenAIRequestError,
  OpenAIStreamDecoder,
  OpenAIStreamEncoder,
  openAIErrorBody,
  parseChatCompletionRequest,
  toOpenAIRequest,
} from './format.ts';

const META = { id: 'chatcmpl-1', model: 'm', created: 1_700_000_000 };

function clock(times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)] ?? 0;
}

/** OpenAI chunk helper. */
function ch(delta: object, finish: string | null = null, usage?: object): object {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  };
}

function decodeAll(chunks: object[], now = clock([100, 142])): ChatStreamEvent[] {
  const d = new OpenAIStreamDecoder({ now });
  return [...chunks.flatMap((c) => d.push(c)), ...d.finish()];
}

/** Rebuilds a Converse answer from stream events (text per block, tool input strings). */
function assemble(events: ChatStreamEvent[]): { blocks: Map<number, { text?: string; tool?: { id: string; name: string; input: string } }>; stop?: string } {
  const blocks = new Map<number, { text?: string; tool?: { id: string; name: string; input: string } }>();
  let stop: string | undefined;
  for (const e of events) {
    if ('contentBlockStart' in e)
      blocks.set(e.contentBlockStart.contentBlockIndex, {
        tool: { id: e.contentBlockStart.start.toolUse.toolUseId, name: e.contentBlockStart.start.toolUse.name, input: '' },
      });
    if ('contentBlockDelta' in e) {
      const b = blocks.get(e.contentBlockDelta.contentBlockIndex) ?? {};
      const d = e.contentBlockDelta.delta;
      if ('text' in d) b.text = (b.text ?? '') + d.text;
      else if (b.tool) b.tool.input += d.toolUse.input;
      blocks.set(e.contentBlockDelta.contentBlockIndex, b);
    }
    if ('messageStop' in e) stop = e.messageStop.stopReason;
  }
  return { blocks, stop };
}

function expectRequestError(body: unknown, param: string | null, messagePart: RegExp): void {
  assert.throws(
    () => parseChatCompletionRequest(body),
    (err: unknown) => {
      assert.ok(err instanceof OpenAIRequestError, `expected OpenAIRequestError, got ${String(err)}`);
      assert.equal(err.status, 400);
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(err.param, param);
      assert.match(err.message, messagePart);
      return true;
    },
  );
}

describe('toOpenAIRequest', () => {
  it('translates system, guard content, tools, tool use and tool results, inference settings', () => {
    const req: ChatRequest = {
      system: [{ text: 'Be brief.' }, { guardContent: { text: { text: 'No secrets.' } } }],
      messages: [
        { role: 'user', content: [{ text: 'Weather in Paris?' }, { guardContent: { text: { text: 'guarded', qualifiers: ['query'] } } }] },
        {
          role: 'assistant',
          content: [
            { text: 'Checking.' },
            { toolUse: { toolUseId: 't1', name: 'weather', input: { city: 'Paris' } } },
            { toolUse: { toolUseId: 't2', name: 'time', input: 'not json' } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 't1', content: [{ text: 'sunny' }, { json: { c: 21 } }] } },
            { toolResult: { toolUseId: 't2', content: [{ text: 'noon' }], status: 'error' } },
            { text: 'Thanks' },
          ],
        },
      ],
      inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'weather', description: 'Weather', inputSchema: { json: { type: 'object' } } } }],
        toolChoice: { any: {} },
      },
    };
    const body = toOpenAIRequest('gpt-x', req, false);
    assert.deepEqual(body, {
      model: 'gpt-x',
      stream: false,
      messages: [
        { role: 'system', content: 'Be brief.\nNo secrets.' },
        { role: 'user', content: 'Weather in Paris?\nguarded' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 't2', type: 'function', function: { name: 'time', arguments: 'not json' } },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: 'sunny\n{"c":21}' },
        { role: 'tool', tool_call_id: 't2', content: 'noon' },
        { role: 'user', content: 'Thanks' },
      ],
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Weather', parameters: { type: 'object' } } }],
      tool_choice: 'required',
    });
  });

  it('asks for usage when streaming, maps tool choices, leaves out what is absent', () => {
    const base: ChatRequest = { system: [], messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
    const s = toOpenAIRequest('m', base, true);
    assert.deepEqual(s, { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    const tools = [{ toolSpec: { name: 'f', inputSchema: { json: {} } } }];
    assert.equal(toOpenAIRequest('m', { ...base, toolConfig: { tools, toolChoice: { auto: {} } } }, false).tool_choice, 'auto');
    assert.deepEqual(toOpenAIRequest('m', { ...base, toolConfig: { tools, toolChoice: { tool: { name: 'f' } } } }, false).tool_choice, {
      type: 'function',
      function: { name: 'f' },
    });
    assert.equal('tool_choice' in toOpenAIRequest('m', { ...base, toolConfig: { tools } }, false), false);
    const onlyCalls = toOpenAIRequest(
      'm',
      { system: [], messages: [{ role: 'assistant', content: [{ toolUse: { toolUseId: 'a', name: 'f', input: {} } }] }] },
      false,
    );
    assert.equal(onlyCalls.messages[0]?.role === 'assistant' && onlyCalls.messages[0].content, null);
  });
});

describe('fromOpenAIResponse', () => {
  const resp = (message: object, finish_reason: string, usage?: object) => ({
    id: 'x',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason }],
    ...(usage ? { usage } : {}),
  });

  it('maps text, finish reasons and usage', () => {
    const r = fromOpenAIResponse(resp({ content: 'Hello' }, 'stop', { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }));
    assert.deepEqual(r, { content: [{ text: 'Hello' }], stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } });
    const cases: Array<[string, string]> = [
      ['length', 'max_tokens'],
      ['content_filter', 'content_filtered'],
      ['tool_calls', 'tool_use'],
      ['something_new', 'end_turn'],
    ];
    for (const [finish, stop] of cases) assert.equal(fromOpenAIResponse(resp({ content: 'x' }, finish)).stopReason, stop);
    assert.deepEqual(fromOpenAIResponse(resp({ content: 'x' }, 'stop')).usage, { inputTokens: 0, outputTokens: 0, totalTokens: 0 });
  });

  it('turns tool calls into toolUse blocks (invalid JSON kept as the string, empty as {})', () => {
    const r = fromOpenAIResponse(
      resp(
        {
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'a', arguments: '{"x":[1,2]}' } },
            { id: 'c2', type: 'function', function: { name: 'b', arguments: '{oops' } },
            { id: 'c3', type: 'function', function: { name: 'c', arguments: '' } },
          ],
        },
        'stop', // some servers say "stop" while calling tools
      ),
    );
    assert.deepEqual(r.content, [
      { toolUse: { toolUseId: 'c1', name: 'a', input: { x: [1, 2] } } },
      { toolUse: { toolUseId: 'c2', name: 'b', input: '{oops' } },
      { toolUse: { toolUseId: 'c3', name: 'c', input: {} } },
    ]);
    assert.equal(r.stopReason, 'tool_use');
  });

  it('rejects answers that are not chat completions', () => {
    for (const bad of [null, 'x', {}, { choices: [] }, { choices: [{}] }, { choices: [{ message: { tool_calls: 'x' } }] }])
      assert.throws(() => fromOpenAIResponse(bad), MalformedOpenAIResponseError);
    assert.throws(() => fromOpenAIResponse(resp({ tool_calls: [{ function: {} }] }, 'stop')), /tool_calls\[0\]/);
  });
});

describe('OpenAIStreamDecoder', () => {
  it('decodes a text stream: no contentBlockStart for text, usage and latency in metadata', () => {
    const events = decodeAll([
      ch({ role: 'assistant', content: '' }),
      ch({ content: 'Hel' }),
      ch({ content: 'lo' }),
      ch({}, 'stop'),
      { id: 'c', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
    ]);
    assert.deepEqual(events, [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'lo' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
      { metadata: { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 }, metrics: { latencyMs: 42 } } },
    ]);
  });

  it('decodes text followed by two streamed tool calls', () => {
    const events = decodeAll([
      ch({ role: 'assistant', content: 'Let me look.' }),
      ch({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }] }),
      ch({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      ch({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      ch({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } }] }),
      ch({}, 'tool_calls'),
    ]);
    assert.deepEqual(events.slice(0, -1), [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Let me look.' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'call_a', name: 'weather' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'call_b', name: 'time' } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '{}' } } } },
      { contentBlockStop: { contentBlockIndex: 2 } },
      { messageStop: { stopReason: 'tool_use' } },
    ]);
    assert.deepEqual(events.at(-1), { metadata: { usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, metrics: { latencyMs: 42 } } });
  });

  it('handles a whole tool call in one chunk without index, and a stream that ends without finish_reason', () => {
    const events = decodeAll([ch({ role: 'assistant', tool_calls: [{ id: 'x1', function: { name: 'f', arguments: '{"a":1}' } }] })]);
    const { blocks, stop } = assemble(events);
    assert.deepEqual(blocks.get(0), { tool: { id: 'x1', name: 'f', input: '{"a":1}' } });
    assert.equal(stop, 'tool_use');
    assert.ok('metadata' in (events.at(-1) ?? {}));
  });

  it('emits a complete message for an empty stream, ignores junk, and finishes only once', () => {
    const d = new OpenAIStreamDecoder({ now: clock([0, 5]) });
    assert.deepEqual(d.push('junk'), []);
    assert.deepEqual(d.push(null), []);
    const end = d.finish();
    assert.deepEqual(end.map((e) => Object.keys(e)[0]), ['messageStart', 'messageStop', 'metadata']);
    assert.deepEqual(d.finish(), []);
    assert.equal(d.sawFinish, false);
  });

  it('reassembles arbitrarily split text (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 20 }), (parts) => {
        const chunks = [ch({ role: 'assistant', content: '' }), ...parts.map((p) => ch({ content: p })), ch({}, 'length')];
        const { blocks, stop } = assemble(decodeAll(chunks));
        assert.equal(blocks.get(0)?.text ?? '', parts.join(''));
        assert.equal(stop, 'max_tokens');
      }),
    );
  });
});

describe('parseChatCompletionRequest', () => {
  it('parses a full request', () => {
    const p = parseChatCompletionRequest({
      model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'text', text: 'In Paris.' }] },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        { role: 'user', content: 'And tomorrow?' },
      ],
      max_tokens: 50,
      max_completion_tokens: 60,
      temperature: 0.5,
      top_p: 1,
      stop: 'END',
      tools: [{ type: 'function', function: { name: 'weather', description: 'w', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      stream: true,
      stream_options: { include_usage: true },
      user: 'u-1',
      n: 1,
      seed: 7,
      logit_bias: {},
    });
    assert.deepEqual(p, {
      model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      stream: true,
      includeUsage: true,
      user: 'u-1',
      chat: {
        system: [{ text: 'Be brief.' }, { text: 'Use metric.' }],
        messages: [
          { role: 'user', content: [{ text: 'Weather?' }, { text: 'In Paris.' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 'c1', name: 'weather', input: { city: 'Paris' } } }] },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: 'c1', content: [{ text: 'sunny' }] } }, { text: 'And tomorrow?' }],
          },
        ],
        inferenceConfig: { maxTokens: 60, temperature: 0.5, topP: 1, stopSequences: ['END'] },
        toolConfig: {
          tools: [{ toolSpec: { name: 'weather', description: 'w', inputSchema: { json: { type: 'object' } } } }],
          toolChoice: { tool: { name: 'weather' } },
        },
      },
    });
  });

  it('merges consecutive tool messages and same-role messages; defaults stream and usage to false', () => {
    const p = parseChatCompletionRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{}' } }, { id: '2', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: '1', content: 'r1' },
        { role: 'tool', tool_call_id: '2', content: [{ type: 'text', text: 'r2' }] },
      ],
    });
    assert.equal(p.stream, false);
    assert.equal(p.includeUsage, false);
    assert.deepEqual(p.chat.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.deepEqual(p.chat.messages[0]?.content, [{ text: 'a' }, { text: 'b' }]);
    assert.deepEqual(p.chat.messages[2]?.content, [
      { toolResult: { toolUseId: '1', content: [{ text: 'r1' }] } },
      { toolResult: { toolUseId: '2', content: [{ text: 'r2' }] } },
    ]);
    assert.equal(p.chat.inferenceConfig, undefined);
    assert.equal(p.chat.toolConfig, undefined);
  });

  it('tool_choice: "none" drops the tools, "required" becomes any, auto is the default; parameters default to an empty object schema', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] };
    assert.equal(parseChatCompletionRequest({ ...base, tool_choice: 'none' }).chat.toolConfig, undefined);
    assert.deepEqual(parseChatCompletionRequest({ ...base, tool_choice: 'required' }).chat.toolConfig?.toolChoice, { any: {} });
    assert.deepEqual(parseChatCompletionRequest({ ...base, tool_choice: 'auto' }).chat.toolConfig, {
      tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: {} } } } }],
    });
  });

  it('refuses malformed requests with the offending parameter', () => {
    const msgs = [{ role: 'user', content: 'hi' }];
    const cases: Array<[unknown, string | null, RegExp]> = [
      [[], null, /JSON object/],
      [{ messages: msgs }, 'model', /model is required/],
      [{ model: 3, messages: msgs }, 'model', /non-empty string/],
      [{ model: ' ', messages: msgs }, 'model', /non-empty string/],
      [{ model: 'm' }, 'messages', /required/],
      [{ model: 'm', messages: [] }, 'messages', /empty/],
      [{ model: 'm', messages: 'hi' }, 'messages', /list/],
      [{ model: 'm', messages: [{ role: 'system', content: 'only system' }] }, 'messages', /at least one/],
      [{ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /"robot" is not one of/],
      [{ model: 'm', messages: [{ content: 'x' }] }, 'messages[0].role', /required/],
      [{ model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role', /deprecated/],
      [{ model: 'm', messages: ['x'] }, 'messages[0]', /object/],
      [{ model: 'm', messages: msgs, n: 2 }, 'n', /n must be 1/],
      [
        { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x' } }] }] },
        'messages[0].content[0].type',
        /image input \(image_url\) is not supported/,
      ],
      [
        { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
        'messages[0].content[0].type',
        /audio input .* not supported/,
      ],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 'messages[0].content[0].type', /not a supported content part/],
      [{ model: 'm', messages: [{ role: 'user', content: [] }] }, 'messages[0].content', /empty list/],
      [{ model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', /string or a list/],
      [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text', /must be a string/],
      [{ model: 'm', messages: [{ role: 'assistant', content: null }] }, 'messages[0].content', /content or tool_calls/],
      [
        { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: {} } }] }] },
        'messages[0].tool_calls[0].function.arguments',
        /string of JSON/,
      ],
      [
        { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }] },
        'messages[0].tool_calls[0].id',
        /non-empty/,
      ],
      [{ model: 'm', messages: [{ role: 'assistant', function_call: { name: 'f' }, content: 'x' }] }, 'messages[0].function_call', /deprecated/],
      [{ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /tool_call_id/],
      [{ model: 'm', messages: msgs, max_tokens: 0 }, 'max_tokens', /between 1/],
      [{ model: 'm', messages: msgs, max_completion_tokens: 1.5 }, 'max_completion_tokens', /integer/],
      [{ model: 'm', messages: msgs, temperature: 3 }, 'temperature', /between 0 and 2/],
      [{ model: 'm', messages: msgs, temperature: '1' }, 'temperature', /number/],
      [{ model: 'm', messages: msgs, top_p: -0.1 }, 'top_p', /between 0 and 1/],
      [{ model: 'm', messages: msgs, stop: [1] }, 'stop', /strings/],
      [{ model: 'm', messages: msgs, tools: {} }, 'tools', /list/],
      [{ model: 'm', messages: msgs, tools: [{ type: 'retrieval' }] }, 'tools[0].type', /function/],
      [{ model: 'm', messages: msgs, tools: [{ type: 'function' }] }, 'tools[0].function', /object/],
      [{ model: 'm', messages: msgs, tools: [{ type: 'function', function: { name: 'bad name' } }] }, 'tools[0].function.name', /1 to 64/],
      [
        { model: 'm', messages: msgs, tools: [{ type: 'function', function: { name: 'f', parameters: [] } }] },
        'tools[0].function.parameters',
        /JSON Schema object/,
      ],
      [
        { model: 'm', messages: msgs, tools: [{ type: 'function', function: { name: 'f' } }, { type: 'function', function: { name: 'f' } }] },
        'tools[1].function.name',
        /another tool/,
      ],
      [{ model: 'm', messages: msgs, tool_choice: 'required' }, 'tool_choice', /needs tools/],
      [
        { model: 'm', messages: msgs, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } },
        'tool_choice',
        /not among the tools/,
      ],
      [{ model: 'm', messages: msgs, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'always' }, 'tool_choice', /must be/],
      [{ model: 'm', messages: msgs, stream: 'yes' }, 'stream', /boolean/],
      [{ model: 'm', messages: msgs, stream: true, stream_options: { include_usage: 1 } }, 'stream_options.include_usage', /boolean/],
      [{ model: 'm', messages: msgs, user: 5 }, 'user', /string/],
    ];
    for (const [body, param, msg] of cases) expectRequestError(body, param, msg);
  });

  it('never throws anything but OpenAIRequestError on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (messages, extra) => {
        try {
          parseChatCompletionRequest({ model: 'm', messages, tools: extra });
          parseChatCompletionRequest(messages);
        } catch (err) {
          assert.ok(err instanceof OpenAIRequestError, String(err));
        }
      }),
    );
  });
});

describe('toOpenAIRequest ∘ parseChatCompletionRequest (property)', () => {
  const text = fc.string({ maxLength: 20 });
  const block: fc.Arbitrary<ContentBlock> = fc.oneof(
    text.map((t) => ({ text: t })),
    text.map((t) => ({ guardContent: { text: { text: t } } })),
  );
  const message: fc.Arbitrary<Message> = fc.record({
    role: fc.constantFrom('user' as const, 'assistant' as const),
    content: fc.array(block, { minLength: 1, maxLength: 3 }),
  });
  const chat: fc.Arbitrary<ChatRequest> = fc.record({
    system: fc.array(text.map((t) => ({ text: t })), { maxLength: 3 }),
    messages: fc.array(message, { minLength: 1, maxLength: 8 }),
  });

  /** Per merged role run: the message texts as OpenAI sees them ("\n"-joined blocks), in order. */
  function shape(messages: Array<{ role: string; texts: string[] }>): Array<{ role: string; texts: string[] }> {
    const out: Array<{ role: string; texts: string[] }> = [];
    for (const m of messages) {
      const last = out.at(-1);
      if (last?.role === m.role) last.texts.push(...m.texts);
      else out.push({ role: m.role, texts: [...m.texts] });
    }
    return out;
  }
  const textOf = (b: ContentBlock): string => ('text' in b ? b.text : 'guardContent' in b ? b.guardContent.text.text : '');

  it('preserves the system text, the roles and the message texts after merging', () => {
    fc.assert(
      fc.property(chat, (req) => {
        const wire = JSON.parse(JSON.stringify(toOpenAIRequest('m', req, false))) as unknown;
        const back = parseChatCompletionRequest(wire);
        assert.equal(back.model, 'm');
        assert.equal(back.chat.system.map(textOf).join('\n'), req.system.map(textOf).join('\n'));
        assert.equal(back.chat.system.length > 0, req.system.length > 0);
        const expected = shape(req.messages.map((m) => ({ role: m.role, texts: [m.content.map(textOf).join('\n')] })));
        const actual = back.chat.messages.map((m) => ({ role: m.role, texts: m.content.map(textOf) }));
        assert.deepEqual(actual, expected);
      }),
    );
  });
});

describe('formatChatCompletion', () => {
  it('builds a chat.completion with text, tool calls, finish reason and usage', () => {
    const c = formatChatCompletion(
      {
        content: [{ text: 'Hi ' }, { text: 'there' }, { toolUse: { toolUseId: 't', name: 'f', input: { a: 1 } } }],
        stopReason: 'tool_use',
        usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
      },
      META,
    );
    assert.deepEqual(c, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'm',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hi there',
            refusal: null,
            tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });

  it('maps every stop reason', () => {
    const cases: Array<[Parameters<typeof formatChatCompletion>[0]['stopReason'], string]> = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['tool_use', 'tool_calls'],
      ['guardrail_intervened', 'content_filter'],
      ['content_filtered', 'content_filter'],
    ];
    for (const [stopReason, finish] of cases) {
      const c = formatChatCompletion({ content: [], stopReason, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } }, META);
      assert.equal(c.choices[0]?.finish_reason, finish);
      assert.equal(c.choices[0]?.message.content, null);
    }
  });
});

describe('OpenAIStreamEncoder', () => {
  const converse: ChatStreamEvent[] = [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't1', name: 'f' } } } },
    { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } } },
    { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } } },
    { contentBlockStop: { contentBlockIndex: 1 } },
    { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: 't2', name: 'g' } } } },
    { contentBlockStop: { contentBlockIndex: 2 } },
    { messageStop: { stopReason: 'tool_use' } },
    { metadata: { usage: { inputTokens: 4, outputTokens: 5, totalTokens: 9 }, metrics: { latencyMs: 10 } } },
  ];

  it('encodes role, text, tool calls with indices, finish reason and the usage chunk', () => {
    const enc = new OpenAIStreamEncoder({ ...META, includeUsage: true });
    const chunks = converse.flatMap((e) => enc.encode(e));
    const deltas = chunks.map((c) => c.choices[0]?.delta);
    assert.deepEqual(deltas, [
      { role: 'assistant', content: '' },
      { content: 'Hi' },
      { tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '1}' } }] },
      { tool_calls: [{ index: 1, id: 't2', type: 'function', function: { name: 'g', arguments: '' } }] },
      {},
      undefined,
    ]);
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual(chunks.at(-1), {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'm',
      choices: [],
      usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 },
    });
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
  });

  it('without includeUsage drops metadata and the usage field; role rides on the first chunk even without messageStart', () => {
    const enc = new OpenAIStreamEncoder({ ...META, includeUsage: false });
    const chunks = converse.slice(1).flatMap((e) => enc.encode(e));
    assert.deepEqual(chunks[0]?.choices[0]?.delta, { role: 'assistant', content: 'Hi' });
    assert.equal(chunks.length, 6);
    for (const c of chunks) assert.equal('usage' in c, false);
  });

  it('decoder ∘ encoder keeps text, tool calls and the stop reason (property)', () => {
    const tool = fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }), name: fc.constantFrom('f', 'g'), parts: fc.array(fc.string({ minLength: 1 }), { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 6 }), fc.array(tool, { maxLength: 3 }), (texts, tools) => {
        const events: ChatStreamEvent[] = [{ messageStart: { role: 'assistant' } }];
        for (const t of texts) events.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: t } } });
        if (texts.length) events.push({ contentBlockStop: { contentBlockIndex: 0 } });
        tools.forEach((t, k) => {
          const i = k + 1;
          events.push({ contentBlockStart: { contentBlockIndex: i, start: { toolUse: { toolUseId: t.id, name: t.name } } } });
          for (const p of t.parts) events.push({ contentBlockDelta: { contentBlockIndex: i, delta: { toolUse: { input: p } } } });
          events.push({ contentBlockStop: { contentBlockIndex: i } });
        });
        events.push({ messageStop: { stopReason: tools.length ? 'tool_use' : 'end_turn' } });
        events.push({ metadata: { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: { latencyMs: 1 } } });
        const enc = new OpenAIStreamEncoder({ ...META, includeUsage: true });
        const chunks = JSON.parse(JSON.stringify(events.flatMap((e) => enc.encode(e)))) as object[];
        const decoded = decodeAll(chunks);
        const { blocks, stop } = assemble(decoded);
        const got = [...blocks.values()];
        const want = [
          ...(texts.length ? [{ text: texts.join('') }] : []),
          ...tools.map((t) => ({ tool: { id: t.id, name: t.name, input: t.parts.join('') } })),
        ];
        assert.deepEqual(got, want);
        assert.equal(stop, tools.length ? 'tool_use' : 'end_turn');
        assert.deepEqual((decoded.at(-1) as { metadata: { usage: unknown } }).metadata.usage, { inputTokens: 1, outputTokens: 2, totalTokens: 3 });
      }),
    );
  });
});

describe('chunkFrames and openAIErrorBody', () => {
  it('frames chunks as SSE that parseSse reads back, ending with [DONE]', async () => {
    const objs = [{ a: 'line1\nline2' }, { b: 2 }];
    const text = chunkFrames(objs) + DONE_FRAME;
    const events: string[] = [];
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(text);
    }
    for await (const e of parseSse(body())) events.push(e.data);
    assert.deepEqual(events, [JSON.stringify(objs[0]), JSON.stringify(objs[1]), '[DONE]']);
  });

  it('builds OpenAI error bodies', () => {
    assert.deepEqual(openAIErrorBody('bad', 'invalid_request_error'), {
      error: { message: 'bad', type: 'invalid_request_error', param: null, code: null },
    });
    assert.deepEqual(new OpenAIRequestError('m', 'model', 'invalid_value').toBody(), {
      error: { message: 'm', type: 'invalid_request_error', param: 'model', code: 'invalid_value' },
    });
  });
});

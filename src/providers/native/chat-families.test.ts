/** Message-style codecs: Amazon Nova (messages-v1) and OpenAI gpt-oss (chat completions). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError } from '../../core/errors.ts';
import type { ChatResponse, ChatStreamEvent } from '../types.ts';
import { novaCodec } from './amazon-nova.ts';
import { openaiCodec } from './openai-oss.ts';

const rejects = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ServiceError && e.code === 'ValidationException', String(e));
  assert.match(e.message, re);
  return true;
};

const TOOL_EVENTS: ChatStreamEvent[] = [
  { messageStart: { role: 'assistant' } },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Let me look.' } } },
  { contentBlockStop: { contentBlockIndex: 0 } },
  { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_1', name: 'top_song' } } } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"sign":' } } } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '"WZPZ"}' } } } },
  { contentBlockStop: { contentBlockIndex: 1 } },
  { messageStop: { stopReason: 'tool_use' } },
  { metadata: { usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 }, metrics: { latencyMs: 300 } } },
];

// ----------------------------------------------------------------------------------------------- Nova

test('Nova messages-v1 body with system, tools, tool results and snake_case inference fields', () => {
  const req = novaCodec.parseRequest({
    schemaVersion: 'messages-v1',
    system: [{ text: 'You are a DJ.' }, { cachePoint: { type: 'default' } }],
    messages: [
      { role: 'user', content: [{ text: 'Top song on WZPZ?' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'top_song', input: { sign: 'WZPZ' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { song: 'Elemental Hotel' } }], status: 'success' } }] },
    ],
    inferenceConfig: { max_new_tokens: 300, top_p: 0.9, top_k: 20, temperature: 0.7, stopSequences: ['END'] },
    toolConfig: {
      tools: [{ toolSpec: { name: 'top_song', description: 'Top song', inputSchema: { json: { type: 'object', properties: { sign: { type: 'string' } } } } } }],
      toolChoice: { auto: {} },
    },
  });
  assert.deepStrictEqual(req, {
    system: [{ text: 'You are a DJ.' }],
    messages: [
      { role: 'user', content: [{ text: 'Top song on WZPZ?' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'top_song', input: { sign: 'WZPZ' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { song: 'Elemental Hotel' } }], status: 'success' } }] },
    ],
    inferenceConfig: { maxTokens: 300, temperature: 0.7, topP: 0.9, stopSequences: ['END'] },
    additionalModelRequestFields: { inferenceConfig: { topK: 20 } },
    toolConfig: {
      tools: [{ toolSpec: { name: 'top_song', description: 'Top song', inputSchema: { json: { type: 'object', properties: { sign: { type: 'string' } } } } } }],
      toolChoice: { auto: {} },
    },
  });
  // camelCase inference fields are accepted too.
  assert.deepStrictEqual(novaCodec.parseRequest({ messages: [], inferenceConfig: { maxTokens: 5, topP: 0.5 } }).inferenceConfig, { maxTokens: 5, topP: 0.5 });
});

test('Nova request validation', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: 'x' } } }] }] }, /messages\.0\.content\.0 image content is not supported/],
    [{ messages: [{ role: 'user', content: [{ video: {} }] }] }, /video content is not supported/],
    [{ messages: [{ role: 'user', content: 'hi' }] }, /messages\.0\.content must be an array/],
    [{ messages: [{ role: 'user', content: [{ text: 'a', toolUse: {} }] }] }, /messages\.0\.content\.0 must have exactly one member/],
    [{ schemaVersion: 'v2', messages: [] }, /schemaVersion must be "messages-v1"/],
    [{ messages: [], inferenceConfig: { max_new_tokens: -1 } }, /inferenceConfig\.max_new_tokens must be at least 1/],
    [{ messages: [], toolConfig: { tools: [{ toolSpec: { name: 'x', inputSchema: {} } }] } }, /toolConfig\.tools\.0\.toolSpec\.inputSchema\.json is required/],
    [{ messages: [], system: 'hi' }, /system must be an array/],
  ];
  for (const [body, re] of cases) assert.throws(() => novaCodec.parseRequest(body), rejects(re), JSON.stringify(body));
});

test('Nova response format and parse', () => {
  const resp: ChatResponse = {
    content: [{ text: 'Let me look.' }, { toolUse: { toolUseId: 't1', name: 'top_song', input: { sign: 'WZPZ' } } }],
    stopReason: 'tool_use',
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
  };
  const body = novaCodec.formatResponse(resp);
  assert.deepStrictEqual(body, {
    output: { message: { role: 'assistant', content: [{ text: 'Let me look.' }, { toolUse: { toolUseId: 't1', name: 'top_song', input: { sign: 'WZPZ' } } }] } },
    stopReason: 'tool_use',
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 },
  });
  assert.deepStrictEqual(novaCodec.parseResponse(body), resp);
});

test('Nova encoder mirrors the Converse events and decodes a real stream', () => {
  const enc = novaCodec.streamEncoder();
  const chunks = TOOL_EVENTS.flatMap((e) => enc.encode(e));
  assert.deepStrictEqual(chunks.slice(0, 5), [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { delta: { text: 'Let me look.' }, contentBlockIndex: 0 } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { contentBlockStart: { start: { toolUse: { toolUseId: 'tooluse_1', name: 'top_song' } }, contentBlockIndex: 1 } },
    { contentBlockDelta: { delta: { toolUse: { input: '{"sign":' } }, contentBlockIndex: 1 } },
  ]);
  assert.deepStrictEqual(chunks[7], { messageStop: { stopReason: 'tool_use' } });
  const last = chunks[8]!;
  assert.deepStrictEqual(last.metadata, { usage: { inputTokens: 100, outputTokens: 20 }, metrics: {}, trace: {} });
  assert.equal((last['amazon-bedrock-invocationMetrics'] as Record<string, number>).invocationLatency, 300);

  const dec = novaCodec.streamDecoder();
  const real = [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { delta: { text: 'Paris' }, contentBlockIndex: 0 } },
    { contentBlockDelta: { delta: { text: ' is lovely.' }, contentBlockIndex: 0 } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'max_tokens' } },
    { metadata: { usage: { inputTokens: 5, outputTokens: 4 }, metrics: {}, trace: {} }, 'amazon-bedrock-invocationMetrics': { inputTokenCount: 5, outputTokenCount: 4, invocationLatency: 200, firstByteLatency: 100 } },
  ].map((c) => dec.decode(c));
  assert.equal(real.map((d) => d.text ?? '').join(''), 'Paris is lovely.');
  assert.deepStrictEqual(real[4], { stopReason: 'max_tokens' });
  assert.deepStrictEqual(real[5], { done: true });
});

// --------------------------------------------------------------------------------------------- OpenAI

test('gpt-oss chat-completions body', () => {
  const req = openaiCodec.parseRequest({
    model: 'openai.gpt-oss-20b-1:0',
    messages: [
      { role: 'developer', content: 'Reasoning: low' },
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
      { role: 'tool', tool_call_id: 'call_2', content: 'n/a' },
    ],
    tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    tool_choice: { type: 'function', function: { name: 'weather' } },
    max_completion_tokens: 256,
    max_tokens: 9999,
    temperature: 1,
    top_p: 1,
    stop: 'END',
    reasoning_effort: 'low',
    stream: false,
  });
  assert.deepStrictEqual(req, {
    system: [{ text: 'Reasoning: low' }, { text: 'Be brief.' }],
    messages: [
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'call_1', name: 'weather', input: { city: 'Paris' } } }] },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call_1', content: [{ text: '18°C' }] } },
          { toolResult: { toolUseId: 'call_2', content: [{ text: 'n/a' }] } },
        ],
      },
    ],
    inferenceConfig: { maxTokens: 256, temperature: 1, topP: 1, stopSequences: ['END'] },
    toolConfig: {
      tools: [{ toolSpec: { name: 'weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
      toolChoice: { tool: { name: 'weather' } },
    },
    additionalModelRequestFields: { reasoning_effort: 'low' },
  });
  assert.equal(openaiCodec.parseRequest({ messages: [], max_tokens: 7 }).inferenceConfig?.maxTokens, 7);
  assert.deepStrictEqual(openaiCodec.parseRequest({ messages: [], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' }).toolConfig?.toolChoice, { any: {} });
  assert.throws(() => openaiCodec.parseRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), rejects(/messages\.0\.content\.0 image content is not supported/));
  assert.throws(() => openaiCodec.parseRequest({ messages: [{ role: 'function', content: 'x' }] }), rejects(/messages\.0\.role must be/));
  assert.throws(() => openaiCodec.parseRequest({ messages: [], tool_choice: 'sometimes', tools: [] }), rejects(/tool_choice must be/));
  assert.throws(() => openaiCodec.parseRequest({ messages: [], temperature: 3 }), rejects(/temperature must be at most 2/));
});

test('gpt-oss responses', () => {
  const body = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1754400000,
    model: 'openai.gpt-oss-20b-1:0',
    choices: [{ index: 0, message: { role: 'assistant', content: '<reasoning>Simple.</reasoning>Paris.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 },
  };
  assert.deepStrictEqual(openaiCodec.parseResponse(body), {
    content: [{ text: '<reasoning>Simple.</reasoning>Paris.' }],
    stopReason: 'end_turn',
    usage: { inputTokens: 30, outputTokens: 8, totalTokens: 38 },
  });
  const resp: ChatResponse = {
    content: [{ toolUse: { toolUseId: 'call_1', name: 'weather', input: { city: 'Paris' } } }],
    stopReason: 'tool_use',
    usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
  };
  const formatted = openaiCodec.formatResponse(resp, { id: 'chatcmpl-X', modelId: 'us.openai.gpt-oss-20b-1:0' });
  assert.equal(formatted.id, 'chatcmpl-X');
  assert.equal(formatted.object, 'chat.completion');
  assert.equal(formatted.model, 'us.openai.gpt-oss-20b-1:0');
  assert.equal(typeof formatted.created, 'number');
  assert.deepStrictEqual(formatted.choices, [
    {
      index: 0,
      message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
      finish_reason: 'tool_calls',
    },
  ]);
  assert.deepStrictEqual(formatted.usage, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
  assert.deepStrictEqual(openaiCodec.parseResponse(formatted), resp);
  const blocked = openaiCodec.blockedResponse('No.') as { choices: Array<{ message: { content: string }; finish_reason: string }> };
  assert.equal(blocked.choices[0]!.message.content, 'No.');
  assert.equal(blocked.choices[0]!.finish_reason, 'content_filter');
});

test('gpt-oss encoder emits chat.completion.chunk objects with tool-call deltas', () => {
  const enc = openaiCodec.streamEncoder({ id: 'chatcmpl-S', modelId: 'openai.gpt-oss-120b-1:0' });
  const chunks = TOOL_EVENTS.flatMap((e) => enc.encode(e));
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, 'chatcmpl-S');
    assert.equal(c.model, 'openai.gpt-oss-120b-1:0');
  }
  const deltas = chunks.map((c) => (c.choices as Array<{ delta: unknown; finish_reason: unknown }>)[0]);
  assert.deepStrictEqual(deltas.slice(0, 5), [
    { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null },
    { index: 0, delta: { content: 'Let me look.' }, finish_reason: null },
    { index: 0, delta: { tool_calls: [{ index: 0, id: 'tooluse_1', type: 'function', function: { name: 'top_song', arguments: '' } }] }, finish_reason: null },
    { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"sign":' } }] }, finish_reason: null },
    { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"WZPZ"}' } }] }, finish_reason: null },
  ]);
  assert.deepStrictEqual(deltas[5], { index: 0, delta: {}, finish_reason: 'tool_calls' });
  const usageChunk = chunks[6]!;
  assert.deepStrictEqual(usageChunk.choices, []);
  assert.deepStrictEqual(usageChunk.usage, { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 });
  assert.ok(usageChunk['amazon-bedrock-invocationMetrics']);
  assert.equal(chunks.length, 7);
});

test('gpt-oss decoder over a real-looking stream', () => {
  const dec = openaiCodec.streamDecoder();
  const out = [
    { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] },
    { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
    { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
    { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
  ].map((c) => dec.decode(c));
  assert.equal(out.map((d) => d.text ?? '').join(''), 'Hello');
  assert.deepStrictEqual(out[3], { stopReason: 'max_tokens', done: true });
  assert.deepStrictEqual(out[4], {});
});

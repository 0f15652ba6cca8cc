/** Anthropic codec: Messages and Text Completions bodies, responses and stream chunks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ServiceError } from '../../core/errors.ts';
import type { ChatResponse, ChatStreamEvent, StopReason } from '../types.ts';
import { anthropicCodec as codec, splitHumanAssistant } from './anthropic.ts';

const rejects = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ServiceError && e.code === 'ValidationException', String(e));
  assert.match(e.message, re);
  return true;
};

test('parses a Messages body with system, tools, tool use and tool results', () => {
  const req = codec.parseRequest({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 1024,
    system: 'You are a weather bot.',
    temperature: 0.5,
    top_p: 0.9,
    top_k: 250,
    stop_sequences: ['\n\nEND'],
    tools: [
      {
        name: 'get_weather',
        description: 'Get the weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
    tool_choice: { type: 'auto' },
    messages: [
      { role: 'user', content: 'What is the weather in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_bdrk_01', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_bdrk_01', content: [{ type: 'text', text: '18°C, sunny' }] },
          { type: 'tool_result', tool_use_id: 'toolu_bdrk_02', content: 'failed', is_error: true },
          { type: 'text', text: 'Thanks', cache_control: { type: 'ephemeral' } },
        ],
      },
    ],
    'amazon-bedrock-guardrailConfig': { tagSuffix: 'abc' },
  });
  assert.deepStrictEqual(req, {
    system: [{ text: 'You are a weather bot.' }],
    messages: [
      { role: 'user', content: [{ text: 'What is the weather in Paris?' }] },
      {
        role: 'assistant',
        content: [{ text: 'Let me check.' }, { toolUse: { toolUseId: 'toolu_bdrk_01', name: 'get_weather', input: { city: 'Paris' } } }],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'toolu_bdrk_01', content: [{ text: '18°C, sunny' }] } },
          { toolResult: { toolUseId: 'toolu_bdrk_02', content: [{ text: 'failed' }], status: 'error' } },
          { text: 'Thanks' },
        ],
      },
    ],
    inferenceConfig: { maxTokens: 1024, temperature: 0.5, topP: 0.9, stopSequences: ['\n\nEND'] },
    toolConfig: {
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Get the weather for a city',
            inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          },
        },
      ],
      toolChoice: { auto: {} },
    },
    additionalModelRequestFields: { top_k: 250 },
  });
});

test('system as text blocks, tool_choice any/tool, thinking blocks dropped', () => {
  const req = codec.parseRequest({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 10,
    system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }],
    tools: [{ name: 't', input_schema: { type: 'object' } }],
    tool_choice: { type: 'tool', name: 't' },
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: '...', signature: 'x' }, { type: 'text', text: 'yo' }] },
    ],
  });
  assert.deepStrictEqual(req.system, [{ text: 'A' }, { text: 'B' }]);
  assert.deepStrictEqual(req.toolConfig?.toolChoice, { tool: { name: 't' } });
  assert.deepStrictEqual(req.messages[1], { role: 'assistant', content: [{ text: 'yo' }] });
  const any = codec.parseRequest({ max_tokens: 10, tools: [{ name: 't', input_schema: {} }], tool_choice: { type: 'any' }, messages: [] });
  assert.deepStrictEqual(any.toolConfig?.toolChoice, { any: {} });
  const none = codec.parseRequest({ max_tokens: 10, tools: [{ name: 't', input_schema: {} }], tool_choice: { type: 'none' }, messages: [] });
  assert.equal(none.toolConfig?.toolChoice, undefined);
});

test('malformed Messages bodies name the field', () => {
  const base = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10 };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image', source: {} }] }] }, /messages\.0\.content\.1 image content is not supported/],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: [{ type: 'image' }] }] }] }, /messages\.0\.content\.0\.content\.0 image content is not supported/],
    [{ ...base, messages: [{ role: 'system', content: 'x' }] }, /messages\.0\.role must be "user" or "assistant"/],
    [{ ...base, messages: [{ role: 'user', content: 5 }] }, /messages\.0\.content must be a string or an array/],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'video' }] }] }, /messages\.0\.content\.0\.type "video" is not a supported content type/],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', name: 'x', input: {} }] }] }, /messages\.0\.content\.0\.id must be a string/],
    [{ ...base, messages: 'hi' }, /messages must be an array/],
    [{ anthropic_version: 'bedrock-2023-05-31', messages: [] }, /max_tokens is required/],
    [{ ...base, max_tokens: 0, messages: [] }, /max_tokens must be at least 1/],
    [{ ...base, max_tokens: 1.5, messages: [] }, /max_tokens must be an integer/],
    [{ ...base, temperature: 'hot', messages: [] }, /temperature must be a number/],
    [{ ...base, stop_sequences: [1], messages: [] }, /stop_sequences\.0 must be a string/],
    [{ ...base, system: [{ type: 'image' }], messages: [] }, /system\.0\.type must be "text"/],
    [{ ...base, tools: [{ name: 'computer', type: 'computer_20241022' }], messages: [] }, /tools\.0\.input_schema is required/],
    [{ ...base, tool_choice: { type: 'maybe' }, tools: [{ name: 'a', input_schema: {} }], messages: [] }, /tool_choice\.type/],
    [{ ...base, anthropic_version: 3, messages: [] }, /anthropic_version must be a string/],
    [{ max_tokens_to_sample: 10 }, /messages is required/],
    [{ prompt: '\n\nHuman: hi\n\nAssistant:' }, /max_tokens_to_sample is required/],
  ];
  for (const [body, re] of cases) assert.throws(() => codec.parseRequest(body), rejects(re), JSON.stringify(body));
});

test('Text Completions prompts are split into system text and turns', () => {
  assert.deepStrictEqual(splitHumanAssistant('\n\nHuman: Hello\n\nAssistant:'), { system: [], messages: [{ role: 'user', content: [{ text: 'Hello' }] }] });
  assert.deepStrictEqual(
    splitHumanAssistant('You are terse.\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: How are you?\n\nAssistant: I am'),
    {
      system: ['You are terse.'],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }] },
        { role: 'assistant', content: [{ text: 'Hello!' }] },
        { role: 'user', content: [{ text: 'How are you?' }] },
        { role: 'assistant', content: [{ text: 'I am' }] },
      ],
    },
  );
  // "Human:" inside a line is text, not a turn.
  assert.deepStrictEqual(splitHumanAssistant('Human: say "Human: x" please\n\nAssistant:').messages, [
    { role: 'user', content: [{ text: 'say "Human: x" please' }] },
  ]);
  // No markers: the whole prompt is the user's.
  assert.deepStrictEqual(splitHumanAssistant('just text'), { system: [], messages: [{ role: 'user', content: [{ text: 'just text' }] }] });
  const req = codec.parseRequest({ prompt: '\n\nHuman: Hello\n\nAssistant:', max_tokens_to_sample: 300, temperature: 0.1, top_k: 5, stop_sequences: ['\n\nHuman:'] });
  assert.deepStrictEqual(req, {
    system: [],
    messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
    inferenceConfig: { maxTokens: 300, temperature: 0.1, stopSequences: ['\n\nHuman:'] },
    additionalModelRequestFields: { top_k: 5 },
  });
});

test('the user texts of a Human/Assistant transcript survive splitting', () => {
  const turn = fc.string({ minLength: 1 }).filter((s) => s.trim() !== '' && !/(^|\n\n)(Human|Assistant):/.test(s) && s === s.trim());
  fc.assert(
    fc.property(fc.array(fc.tuple(turn, turn), { minLength: 1, maxLength: 4 }), turn, (pairs, last) => {
      const prompt = pairs.map(([h, a]) => `\n\nHuman: ${h}\n\nAssistant: ${a}`).join('') + `\n\nHuman: ${last}\n\nAssistant:`;
      const { messages } = splitHumanAssistant(prompt);
      assert.deepStrictEqual(
        messages,
        [...pairs.flatMap(([h, a]) => [
          { role: 'user', content: [{ text: h }] },
          { role: 'assistant', content: [{ text: a }] },
        ]), { role: 'user', content: [{ text: last }] }],
      );
    }),
  );
});

test('formats a Messages response with tool use', () => {
  const resp: ChatResponse = {
    content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } } }],
    stopReason: 'tool_use',
    usage: { inputTokens: 20, outputTokens: 7, totalTokens: 27 },
  };
  const body = codec.formatResponse(resp, { id: 'msg_bdrk_X', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' });
  assert.deepStrictEqual(body, {
    id: 'msg_bdrk_X',
    type: 'message',
    role: 'assistant',
    model: 'claude-3-5-haiku-20241022',
    content: [
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 7 },
  });
  assert.deepStrictEqual(codec.parseResponse(body), resp);
  assert.equal(codec.formatResponse(resp, { modelId: 'parapet.demo-v1' }).model, 'parapet.demo-v1');
  assert.match(String(codec.formatResponse(resp).id), /^msg_bdrk_[A-Za-z0-9]{24}$/);
});

test('parses a real Bedrock Messages response, ignoring guardrail additions', () => {
  const resp = codec.parseResponse({
    id: 'msg_bdrk_01Y6',
    type: 'message',
    role: 'assistant',
    model: 'claude-3-5-haiku-20241022',
    content: [{ type: 'text', text: 'Paris.' }],
    stop_reason: 'stop_sequence',
    stop_sequence: '###',
    usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 0 },
    'amazon-bedrock-guardrailAction': 'NONE',
  });
  assert.deepStrictEqual(resp, {
    content: [{ text: 'Paris.' }],
    stopReason: 'stop_sequence',
    usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
    additionalModelResponseFields: { stop_sequence: '###' },
  });
  assert.equal(codec.formatResponse(resp).stop_sequence, '###');
});

test('Text Completions responses and stream chunks', () => {
  const ctx = { request: { prompt: '\n\nHuman: hi\n\nAssistant:', max_tokens_to_sample: 5 } };
  const body = codec.formatResponse({ content: [{ text: ' Hello!' }], stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }, ctx);
  assert.deepStrictEqual(body, { completion: ' Hello!', stop_reason: 'stop_sequence', stop: '\n\nHuman:' });
  assert.deepStrictEqual(codec.parseResponse({ completion: ' Hi', stop_reason: 'max_tokens', stop: null }).stopReason, 'max_tokens');
  const dec = codec.streamDecoder();
  assert.deepStrictEqual(dec.decode({ completion: ' Hel', stop_reason: null, stop: null }), { text: ' Hel' });
  assert.deepStrictEqual(dec.decode({ completion: 'lo', stop_reason: 'stop_sequence', stop: '\n\nHuman:', 'amazon-bedrock-invocationMetrics': {} }), {
    text: 'lo',
    stopReason: 'end_turn',
    done: true,
  });
});

test('the Messages encoder emits Bedrock chunk order for text and tool use', () => {
  const enc = codec.streamEncoder({ id: 'msg_1', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' });
  const events: ChatStreamEvent[] = [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Let me ' } } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'check.' } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'toolu_9', name: 'get_weather' } } } },
    { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } } },
    { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } } },
    { contentBlockStop: { contentBlockIndex: 1 } },
    { messageStop: { stopReason: 'tool_use' } },
    { metadata: { usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 }, metrics: { latencyMs: 900 } } },
  ];
  const chunks = events.flatMap((e) => enc.encode(e));
  assert.deepStrictEqual(
    chunks.map((c) => c.type),
    ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
  );
  assert.deepStrictEqual(chunks[1], { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  assert.deepStrictEqual(chunks[2], { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } });
  assert.deepStrictEqual(chunks[5], { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} } });
  assert.deepStrictEqual(chunks[6], { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } });
  assert.deepStrictEqual(chunks[9], { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 12 } });
  const metrics = chunks[10]!['amazon-bedrock-invocationMetrics'] as Record<string, number>;
  assert.deepStrictEqual(Object.keys(metrics).sort(), ['firstByteLatency', 'inputTokenCount', 'invocationLatency', 'outputTokenCount']);
  assert.equal(metrics.inputTokenCount, 30);
  assert.equal(metrics.outputTokenCount, 12);
  assert.equal(metrics.invocationLatency, 900);
  assert.deepStrictEqual(enc.flush(), []);
  assert.deepStrictEqual(enc.encode({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'late' } } }), []);
});

test('the Messages encoder closes open blocks and starts the message when events are missing', () => {
  const enc = codec.streamEncoder();
  const chunks = [
    ...enc.encode({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'x' } } }),
    ...enc.encode({ messageStop: { stopReason: 'end_turn' } }),
    ...enc.flush(),
  ];
  assert.deepStrictEqual(chunks.map((c) => c.type), ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
});

test('decodes a real Bedrock Anthropic stream, including a guardrail stop', () => {
  const chunks = [
    { type: 'message_start', message: { id: 'msg_bdrk_01', type: 'message', role: 'assistant', model: 'claude-3-5-haiku-20241022', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 14, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_bdrk_1', name: 'f', input: {} } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'message_delta', delta: { stop_reason: 'guardrail_intervened', stopSequences: null }, usage: { output_tokens: 5 } },
    { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 14, outputTokenCount: 5, invocationLatency: 400, firstByteLatency: 300 }, 'amazon-bedrock-guardrailAction': 'INTERVENED' },
  ];
  const dec = codec.streamDecoder();
  const out = chunks.map((c) => dec.decode(c));
  assert.equal(out.map((d) => d.text ?? '').join(''), 'Hello there');
  assert.deepStrictEqual(out[8], { stopReason: 'guardrail_intervened' });
  assert.deepStrictEqual(out[9], { done: true });
  assert.ok(out.slice(0, 9).every((d) => !d.done));
});

test('stop reasons map both ways', () => {
  const pairs: Array<[StopReason, string]> = [
    ['end_turn', 'end_turn'],
    ['tool_use', 'tool_use'],
    ['max_tokens', 'max_tokens'],
    ['stop_sequence', 'stop_sequence'],
    ['guardrail_intervened', 'guardrail_intervened'],
    ['content_filtered', 'refusal'],
    ['model_context_window_exceeded', 'model_context_window_exceeded'],
  ];
  for (const [ours, theirs] of pairs) {
    const body = codec.formatResponse({ content: [], stopReason: ours, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } });
    assert.equal(body.stop_reason, theirs);
    assert.equal(codec.parseResponse(body).stopReason, ours);
  }
  assert.equal(codec.parseResponse({ content: [], stop_reason: 'pause_turn' }).stopReason, 'end_turn');
});

/** Prompt-style codecs: Meta Llama, Amazon Titan, Mistral (text and chat), Cohere (Command and Command R). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ServiceError } from '../../core/errors.ts';
import type { ChatStreamEvent } from '../types.ts';
import { metaCodec, splitLlama3Template } from './meta.ts';
import { titanCodec } from './amazon-titan.ts';
import { mistralCodec } from './mistral.ts';
import { cohereCodec } from './cohere.ts';
import { splitInstTemplate } from './shared.ts';

const rejects = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ServiceError && e.code === 'ValidationException', String(e));
  assert.match(e.message, re);
  return true;
};

function decodeAll(decoder: { decode(c: Record<string, unknown>): { text?: string; stopReason?: string; done?: boolean } }, chunks: Record<string, unknown>[]) {
  const out = chunks.map((c) => decoder.decode(c));
  return {
    text: out.map((d) => d.text ?? '').join(''),
    stops: out.filter((d) => d.stopReason).map((d) => d.stopReason),
    doneAt: out.findIndex((d) => d.done),
  };
}

// ----------------------------------------------------------------------------------------------- Meta

const LLAMA3 =
  '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>' +
  '<|start_header_id|>user<|end_header_id|>\n\nWhat is 1+1?<|eot_id|>' +
  '<|start_header_id|>assistant<|end_header_id|>\n\n2.<|eot_id|>' +
  '<|start_header_id|>user<|end_header_id|>\n\nAnd 2+2?<|eot_id|>' +
  '<|start_header_id|>assistant<|end_header_id|>\n\n';

test('Llama 3 chat template is split into system and turns', () => {
  const req = metaCodec.parseRequest({ prompt: LLAMA3, max_gen_len: 512, temperature: 0.5, top_p: 0.9 });
  assert.deepStrictEqual(req, {
    system: [{ text: 'You are a helpful assistant.' }],
    messages: [
      { role: 'user', content: [{ text: 'What is 1+1?' }] },
      { role: 'assistant', content: [{ text: '2.' }] },
      { role: 'user', content: [{ text: 'And 2+2?' }] },
    ],
    inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9 },
  });
  // Tool output (ipython) is user text; an assistant prefill stays.
  assert.deepStrictEqual(
    splitLlama3Template('<|start_header_id|>user<|end_header_id|>\n\nq<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n{"r":1}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nSure,')?.messages,
    [
      { role: 'user', content: [{ text: 'q' }, { text: '{"r":1}' }] },
      { role: 'assistant', content: [{ text: 'Sure,' }] },
    ],
  );
  assert.equal(splitLlama3Template('plain text'), undefined);
});

test('Llama 2 [INST] template with <<SYS>> is split', () => {
  const prompt = '<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi there [/INST] Hello! </s><s>[INST] Tell me a joke [/INST]';
  assert.deepStrictEqual(metaCodec.parseRequest({ prompt }), {
    system: [{ text: 'Be brief.' }],
    messages: [
      { role: 'user', content: [{ text: 'Hi there' }] },
      { role: 'assistant', content: [{ text: 'Hello!' }] },
      { role: 'user', content: [{ text: 'Tell me a joke' }] },
    ],
  });
});

test('a plain Llama prompt is one user message, byte for byte', () => {
  fc.assert(
    fc.property(fc.string().filter((s) => !s.includes('<|start_header_id|>') && !s.includes('[INST]')), (prompt) => {
      assert.deepStrictEqual(metaCodec.parseRequest({ prompt }).messages, [{ role: 'user', content: [{ text: prompt }] }]);
    }),
  );
});

test('Llama request validation', () => {
  assert.throws(() => metaCodec.parseRequest({ prompt: 5 }), rejects(/prompt must be a string/));
  assert.throws(() => metaCodec.parseRequest({ prompt: 'x', max_gen_len: 'a' }), rejects(/max_gen_len must be a number/));
  assert.throws(() => metaCodec.parseRequest({ prompt: 'x', images: ['...'] }), rejects(/images image content is not supported/));
});

test('Llama responses and a real Bedrock stream', () => {
  const body = { generation: ' 4.', prompt_token_count: 40, generation_token_count: 3, stop_reason: 'stop' };
  const resp = metaCodec.parseResponse(body);
  assert.deepStrictEqual(resp, { content: [{ text: ' 4.' }], stopReason: 'end_turn', usage: { inputTokens: 40, outputTokens: 3, totalTokens: 43 } });
  assert.deepStrictEqual(metaCodec.formatResponse(resp), body);
  assert.equal(metaCodec.parseResponse({ generation: 'x', stop_reason: 'length' }).stopReason, 'max_tokens');
  const d = decodeAll(metaCodec.streamDecoder(), [
    { generation: 'Two', prompt_token_count: 25, generation_token_count: 1, stop_reason: null },
    { generation: ' plus two', prompt_token_count: null, generation_token_count: 3, stop_reason: null },
    { generation: '', prompt_token_count: null, generation_token_count: 4, stop_reason: 'length', 'amazon-bedrock-invocationMetrics': {} },
  ]);
  assert.deepStrictEqual(d, { text: 'Two plus two', stops: ['max_tokens'], doneAt: 2 });
});

test('Llama encoder chunks', () => {
  const enc = metaCodec.streamEncoder();
  const chunks = [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: '!' } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'end_turn' } },
    { metadata: { usage: { inputTokens: 9, outputTokens: 2, totalTokens: 11 }, metrics: { latencyMs: 5 } } },
  ].flatMap((e) => enc.encode(e as ChatStreamEvent));
  assert.deepStrictEqual(chunks.slice(0, 2), [
    { generation: 'Hi', prompt_token_count: null, generation_token_count: 1, stop_reason: null },
    { generation: '!', prompt_token_count: null, generation_token_count: 2, stop_reason: null },
  ]);
  assert.equal(chunks.length, 3);
  assert.equal(chunks[2]!.stop_reason, 'stop');
  assert.equal(chunks[2]!.generation_token_count, 2);
});

// ---------------------------------------------------------------------------------------------- Titan

test('Titan request, response and stream', () => {
  const req = titanCodec.parseRequest({
    inputText: 'User: Tell me about Paris.\nBot:',
    textGenerationConfig: { maxTokenCount: 512, temperature: 0.7, topP: 0.9, stopSequences: ['User:'] },
  });
  assert.deepStrictEqual(req, {
    system: [],
    messages: [{ role: 'user', content: [{ text: 'User: Tell me about Paris.\nBot:' }] }],
    inferenceConfig: { maxTokens: 512, temperature: 0.7, topP: 0.9, stopSequences: ['User:'] },
  });
  assert.throws(() => titanCodec.parseRequest({ inputText: 'x', textGenerationConfig: { temperature: 2 } }), rejects(/textGenerationConfig\.temperature must be at most 1/));
  assert.throws(() => titanCodec.parseRequest({ inputText: 'x', textGenerationConfig: [] }), rejects(/textGenerationConfig must be an object/));
  assert.throws(() => titanCodec.parseRequest({ inputText: 'x', textGenerationConfig: { stopSequences: 'User:' } }), rejects(/textGenerationConfig\.stopSequences must be an array/));

  const body = { inputTextTokenCount: 7, results: [{ tokenCount: 30, outputText: 'Paris is…', completionReason: 'LENGTH' }] };
  const resp = titanCodec.parseResponse(body);
  assert.deepStrictEqual(resp, { content: [{ text: 'Paris is…' }], stopReason: 'max_tokens', usage: { inputTokens: 7, outputTokens: 30, totalTokens: 37 } });
  assert.deepStrictEqual(titanCodec.formatResponse(resp), body);
  assert.deepStrictEqual(titanCodec.blockedResponse('No.'), { inputTextTokenCount: 0, results: [{ tokenCount: 0, outputText: 'No.', completionReason: 'CONTENT_FILTERED' }] });

  const d = decodeAll(titanCodec.streamDecoder(), [
    { outputText: 'Paris is the', index: 0, totalOutputTextTokenCount: 4, completionReason: null, inputTextTokenCount: 7 },
    { outputText: ' capital.', index: 0, totalOutputTextTokenCount: 7, completionReason: 'FINISH', inputTextTokenCount: null, 'amazon-bedrock-invocationMetrics': {} },
  ]);
  assert.deepStrictEqual(d, { text: 'Paris is the capital.', stops: ['end_turn'], doneAt: 1 });
});

// -------------------------------------------------------------------------------------------- Mistral

test('Mistral [INST] template is split into turns', () => {
  const prompt =
    "<s>[INST] What is your favourite condiment? [/INST] Well, I'm quite partial to a good squeeze of fresh lemon juice.</s> [INST] Do you have mayonnaise recipes? [/INST]";
  assert.deepStrictEqual(mistralCodec.parseRequest({ prompt, max_tokens: 200, stop: ['</s>'], temperature: 0.5, top_p: 0.9, top_k: 50 }), {
    system: [],
    messages: [
      { role: 'user', content: [{ text: 'What is your favourite condiment?' }] },
      { role: 'assistant', content: [{ text: "Well, I'm quite partial to a good squeeze of fresh lemon juice." }] },
      { role: 'user', content: [{ text: 'Do you have mayonnaise recipes?' }] },
    ],
    inferenceConfig: { maxTokens: 200, temperature: 0.5, topP: 0.9, stopSequences: ['</s>'] },
    additionalModelRequestFields: { top_k: 50 },
  });
  assert.deepStrictEqual(splitInstTemplate('<s>[SYSTEM_PROMPT]Be nice[/SYSTEM_PROMPT][INST]hi[/INST]'), {
    system: ['Be nice'],
    messages: [{ role: 'user', content: [{ text: 'hi' }] }],
  });
  assert.deepStrictEqual(splitInstTemplate('<s> Context first.\n[INST] q [/INST]\n<output>'), {
    system: ['Context first.'],
    messages: [
      { role: 'user', content: [{ text: 'q' }] },
      { role: 'assistant', content: [{ text: '<output>' }] },
    ],
  });
  assert.equal(splitInstTemplate('no template'), undefined);
  assert.deepStrictEqual(mistralCodec.parseRequest({ prompt: 'no template' }).messages, [{ role: 'user', content: [{ text: 'no template' }] }]);
});

test('the user texts of an [INST] transcript survive splitting', () => {
  const turn = fc.string({ minLength: 1 }).filter((s) => s === s.trim() && !/\[\/?INST\]|<\/?s>|<<\/?SYS>>|\[\/?SYSTEM_PROMPT\]/.test(s));
  fc.assert(
    fc.property(fc.array(fc.tuple(turn, turn), { maxLength: 4 }), turn, (pairs, last) => {
      const prompt = '<s>' + pairs.map(([u, a]) => `[INST] ${u} [/INST] ${a}</s>`).join('') + `[INST] ${last} [/INST]`;
      assert.deepStrictEqual(splitInstTemplate(prompt)?.messages, [
        ...pairs.flatMap(([u, a]) => [
          { role: 'user', content: [{ text: u }] },
          { role: 'assistant', content: [{ text: a }] },
        ]),
        { role: 'user', content: [{ text: last }] },
      ]);
    }),
  );
});

test('Mistral chat body with tools and tool results', () => {
  const req = mistralCodec.parseRequest({
    messages: [
      { role: 'system', content: 'You are a DJ.' },
      { role: 'user', content: 'What is the most popular song on WZPZ?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'tbHyQ9ZpX', function: { name: 'top_song', arguments: '{"sign": "WZPZ"}' } }] },
      { role: 'tool', tool_call_id: 'tbHyQ9ZpX', content: 'Elemental Hotel' },
    ],
    tools: [{ type: 'function', function: { name: 'top_song', description: 'Get the top song', parameters: { type: 'object', properties: { sign: { type: 'string' } } } } }],
    tool_choice: 'any',
    max_tokens: 100,
  });
  assert.deepStrictEqual(req, {
    system: [{ text: 'You are a DJ.' }],
    messages: [
      { role: 'user', content: [{ text: 'What is the most popular song on WZPZ?' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tbHyQ9ZpX', name: 'top_song', input: { sign: 'WZPZ' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tbHyQ9ZpX', content: [{ text: 'Elemental Hotel' }] } }] },
    ],
    inferenceConfig: { maxTokens: 100 },
    toolConfig: {
      tools: [{ toolSpec: { name: 'top_song', description: 'Get the top song', inputSchema: { json: { type: 'object', properties: { sign: { type: 'string' } } } } } }],
      toolChoice: { any: {} },
    },
  });
  assert.throws(() => mistralCodec.parseRequest({ messages: [{ role: 'bot', content: 'x' }] }), rejects(/messages\.0\.role must be/));
  assert.throws(
    () => mistralCodec.parseRequest({ messages: [{ role: 'assistant', tool_calls: [{ id: 'a', function: { name: 'f', arguments: '{oops' } }] }] }),
    rejects(/messages\.0\.tool_calls\.0\.function\.arguments must be a JSON string/),
  );
  assert.throws(() => mistralCodec.parseRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 'x' }] }] }), rejects(/image content is not supported/));
  assert.throws(() => mistralCodec.parseRequest({ messages: [{ role: 'tool', content: 'x' }] }), rejects(/messages\.0\.tool_call_id is required/));
});

test('Mistral chat responses with tool calls, and a real chat stream', () => {
  const ctx = { request: { messages: [] } };
  const body = mistralCodec.formatResponse(
    { content: [{ toolUse: { toolUseId: 'tbHyQ9ZpX', name: 'top_song', input: { sign: 'WZPZ' } } }], stopReason: 'tool_use', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } },
    ctx,
  );
  assert.deepStrictEqual(body, {
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: '', tool_calls: [{ id: 'tbHyQ9ZpX', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }] },
        stop_reason: 'tool_calls',
      },
    ],
  });
  assert.deepStrictEqual(mistralCodec.parseResponse(body).content, [{ toolUse: { toolUseId: 'tbHyQ9ZpX', name: 'top_song', input: { sign: 'WZPZ' } } }]);
  assert.equal(mistralCodec.parseResponse(body).stopReason, 'tool_use');

  const d = decodeAll(mistralCodec.streamDecoder(), [
    { choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, stop_reason: null }] },
    { choices: [{ index: 0, message: { role: 'assistant', content: ' world' }, stop_reason: null }] },
    { choices: [{ index: 0, message: { role: 'assistant', content: '' }, stop_reason: 'stop' }], 'amazon-bedrock-invocationMetrics': {} },
  ]);
  assert.deepStrictEqual(d, { text: 'Hello world', stops: ['end_turn'], doneAt: 2 });
  const t = decodeAll(mistralCodec.streamDecoder(), [
    { outputs: [{ text: ' A', stop_reason: null }] },
    { outputs: [{ text: ' B', stop_reason: 'length' }] },
  ]);
  assert.deepStrictEqual(t, { text: ' A B', stops: ['max_tokens'], doneAt: 1 });
});

test('Mistral chat encoder sends a tool call once its arguments are complete', () => {
  const enc = mistralCodec.streamEncoder({ request: { messages: [] } });
  const events: ChatStreamEvent[] = [
    { messageStart: { role: 'assistant' } },
    { contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'abc123def', name: 'top_song' } } } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{"sign":' } } } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '"WZPZ"}' } } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'tool_use' } },
    { metadata: { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } } },
  ];
  const chunks = events.flatMap((e) => enc.encode(e));
  assert.equal(chunks.length, 2);
  assert.deepStrictEqual(chunks[0], {
    choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: [{ id: 'abc123def', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }] }, stop_reason: null }],
  });
  assert.equal((chunks[1]!.choices as Array<Record<string, unknown>>)[0]!.stop_reason, 'tool_calls');
});

// --------------------------------------------------------------------------------------------- Cohere

test('Cohere Command request and the num_generations guardrail rule', () => {
  const body = { prompt: 'Write a haiku', max_tokens: 100, temperature: 0.8, p: 0.01, k: 0, stop_sequences: ['--'], return_likelihoods: 'NONE', num_generations: 1 };
  assert.deepStrictEqual(cohereCodec.parseRequest(body), {
    system: [],
    messages: [{ role: 'user', content: [{ text: 'Write a haiku' }] }],
    inferenceConfig: { maxTokens: 100, temperature: 0.8, topP: 0.01, stopSequences: ['--'] },
    additionalModelRequestFields: { k: 0 },
  });
  assert.doesNotThrow(() => cohereCodec.validateForGuardrail?.(body));
  assert.doesNotThrow(() => cohereCodec.validateForGuardrail?.({ prompt: 'x' }));
  assert.throws(() => cohereCodec.validateForGuardrail?.({ prompt: 'x', num_generations: 3 }), rejects(/^Cohere Command allows only num_generations: 1 with a guardrail$/));
  assert.throws(() => cohereCodec.parseRequest({ prompt: 'x', num_generations: 9 }), rejects(/num_generations must be at most 5/));
  assert.throws(() => cohereCodec.parseRequest({ prompt: 'x', p: 2 }), rejects(/p must be at most 1/));
});

test('Cohere Command R request with history, preamble, documents, tools and tool results', () => {
  const req = cohereCodec.parseRequest({
    message: '',
    preamble: 'You are a travel agent.',
    chat_history: [
      { role: 'USER', message: 'Weather in Paris?' },
      { role: 'CHATBOT', message: 'Checking.', tool_calls: [{ name: 'weather', parameters: { city: 'Paris' } }] },
    ],
    documents: [{ title: 'Guide', snippet: 'Paris is sunny in June.' }],
    tools: [{ name: 'weather', description: 'Weather lookup', parameter_definitions: { city: { description: 'City', type: 'str', required: true }, days: { type: 'int' } } }],
    tool_results: [{ call: { name: 'weather', parameters: { city: 'Paris' } }, outputs: [{ temp: 18 }] }],
    max_tokens: 300,
    p: 0.75,
  });
  assert.deepStrictEqual(req, {
    system: [{ text: 'You are a travel agent.' }, { text: 'Documents:\n\ntitle: Guide\nsnippet: Paris is sunny in June.' }],
    messages: [
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'cohere_call_0', name: 'weather', input: { city: 'Paris' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'cohere_call_0', content: [{ json: { temp: 18 } }] } }] },
    ],
    inferenceConfig: { maxTokens: 300, topP: 0.75 },
    toolConfig: {
      tools: [
        {
          toolSpec: {
            name: 'weather',
            description: 'Weather lookup',
            inputSchema: { json: { type: 'object', properties: { city: { type: 'string', description: 'City' }, days: { type: 'integer' } }, required: ['city'] } },
          },
        },
      ],
    },
  });
  // A result for a call never seen in the history gets a made-up call before it.
  const orphan = cohereCodec.parseRequest({ message: 'go', tool_results: [{ call: { name: 'f', parameters: {} }, outputs: [] }] });
  assert.deepStrictEqual(orphan.messages, [
    { role: 'user', content: [{ text: 'go' }] },
    { role: 'assistant', content: [{ toolUse: { toolUseId: 'cohere_call_0', name: 'f', input: {} } }] },
    { role: 'user', content: [{ toolResult: { toolUseId: 'cohere_call_0', content: [] } }] },
  ]);
  assert.throws(() => cohereCodec.parseRequest({ message: 'x', chat_history: [{ role: 'BOT', message: 'y' }] }), rejects(/chat_history\.0\.role must be/));
  assert.throws(() => cohereCodec.parseRequest({ message: 5 }), rejects(/message must be a string/));
});

test('Cohere responses: Command and Command R', () => {
  const command = cohereCodec.parseResponse({
    generations: [{ finish_reason: 'MAX_TOKENS', id: 'g1', text: 'Autumn leaves fall', index: 0 }],
    id: 'r1',
    prompt: 'Write a haiku',
  });
  assert.deepStrictEqual(command, { content: [{ text: 'Autumn leaves fall' }], stopReason: 'max_tokens', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } });
  const formatted = cohereCodec.formatResponse(command, { request: { prompt: 'Write a haiku' }, id: 'r1' });
  assert.equal(formatted.id, 'r1');
  assert.equal(formatted.prompt, 'Write a haiku');
  assert.deepStrictEqual((formatted.generations as Array<Record<string, unknown>>)[0]!.text, 'Autumn leaves fall');

  const r = cohereCodec.parseResponse({
    response_id: 'x',
    text: '',
    generation_id: 'y',
    finish_reason: 'COMPLETE',
    tool_calls: [{ name: 'weather', parameters: { city: 'Paris' } }],
    meta: { billed_units: { input_tokens: 50, output_tokens: 10 } },
  });
  assert.deepStrictEqual(r, {
    content: [{ toolUse: { toolUseId: 'cohere_call_0', name: 'weather', input: { city: 'Paris' } } }],
    stopReason: 'tool_use',
    usage: { inputTokens: 50, outputTokens: 10, totalTokens: 60 },
  });
  const rBody = cohereCodec.formatResponse(r, { request: { message: 'Weather?' } });
  assert.deepStrictEqual(rBody.tool_calls, [{ name: 'weather', parameters: { city: 'Paris' } }]);
  assert.deepStrictEqual(rBody.chat_history, [{ role: 'USER', message: 'Weather?' }, { role: 'CHATBOT', message: '' }]);
  // Without a request the model id decides the format.
  assert.ok('generations' in cohereCodec.formatResponse(command, { modelId: 'cohere.command-text-v14' }));
  assert.ok('response_id' in cohereCodec.formatResponse(command, { modelId: 'cohere.command-r-plus-v1:0' }));
});

test('Cohere streams decode, Command and Command R', () => {
  const command = decodeAll(cohereCodec.streamDecoder(), [
    { text: ' LLMs', is_finished: false },
    { text: ' are', is_finished: false },
    { is_finished: true, finish_reason: 'COMPLETE', response: { id: 'a', generations: [{ id: 'b', text: ' LLMs are', finish_reason: 'COMPLETE' }], prompt: 'p' } },
  ]);
  assert.deepStrictEqual(command, { text: ' LLMs are', stops: ['end_turn'], doneAt: 2 });
  const r = decodeAll(cohereCodec.streamDecoder(), [
    { is_finished: false, event_type: 'stream-start', generation_id: 'g' },
    { is_finished: false, event_type: 'text-generation', text: 'Hello' },
    { is_finished: false, event_type: 'text-generation', text: ' world' },
    { is_finished: true, event_type: 'stream-end', finish_reason: 'MAX_TOKENS', response: { text: 'Hello world (the whole answer again)' } },
  ]);
  assert.deepStrictEqual(r, { text: 'Hello world', stops: ['max_tokens'], doneAt: 3 });
});

test('Cohere Command R encoder: stream-start, text, tool calls, stream-end', () => {
  const enc = cohereCodec.streamEncoder({ request: { message: 'Weather?' } });
  const events: ChatStreamEvent[] = [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Checking' } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 't1', name: 'weather' } } } },
    { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":"Paris"}' } } } },
    { contentBlockStop: { contentBlockIndex: 1 } },
    { messageStop: { stopReason: 'tool_use' } },
    { metadata: { usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, metrics: { latencyMs: 10 } } },
  ];
  const chunks = events.flatMap((e) => enc.encode(e));
  assert.deepStrictEqual(chunks.map((c) => c.event_type), ['stream-start', 'text-generation', 'tool-calls-generation', 'stream-end']);
  assert.deepStrictEqual(chunks[2]!.tool_calls, [{ name: 'weather', parameters: { city: 'Paris' } }]);
  const end = chunks[3]!;
  assert.equal(end.is_finished, true);
  assert.equal(end.finish_reason, 'COMPLETE');
  assert.equal((end.response as Record<string, unknown>).generation_id, chunks[0]!.generation_id);
  assert.deepStrictEqual((end.response as Record<string, unknown>).meta, { api_version: { version: '1' }, billed_units: { input_tokens: 3, output_tokens: 4 } });
});

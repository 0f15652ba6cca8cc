/** Registry, body helpers, and properties every InvokeModel codec must have (round trips, streams, blocked bodies). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ServiceError } from '../../core/errors.ts';
import type { ChatResponse, ChatStreamEvent, StopReason } from '../types.ts';
import { CODECS, codecFor, familyOf, replaceTexts, stripGuardrailConfig } from './index.ts';
import type { NativeCodec, NativeContext } from './types.ts';

const isValidation = (re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ServiceError, `expected a ServiceError, got ${String(e)}`);
  assert.equal(e.code, 'ValidationException');
  if (re) assert.match(e.message, re);
  return true;
};

// ------------------------------------------------------------------------------------------- registry

test('codecFor knows every family by plain model id', () => {
  const cases: Array<[string, string]> = [
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic'],
    ['anthropic.claude-v2:1', 'anthropic'],
    ['meta.llama3-1-8b-instruct-v1:0', 'meta'],
    ['meta.llama2-13b-chat-v1', 'meta'],
    ['amazon.titan-text-express-v1', 'amazon-titan'],
    ['amazon.titan-tg1-large', 'amazon-titan'],
    ['amazon.nova-lite-v1:0', 'amazon-nova'],
    ['amazon.nova-2-lite-v1:0', 'amazon-nova'],
    ['mistral.mistral-7b-instruct-v0:2', 'mistral'],
    ['mistral.mistral-large-2407-v1:0', 'mistral'],
    ['cohere.command-text-v14', 'cohere'],
    ['cohere.command-r-plus-v1:0', 'cohere'],
    ['openai.gpt-oss-20b-1:0', 'openai'],
    ['parapet.demo-v1', 'anthropic'],
  ];
  for (const [id, family] of cases) {
    assert.equal(familyOf(id), family, id);
    assert.equal(codecFor(id)?.family, family, id);
  }
});

test('codecFor accepts geo inference profiles and foundation-model ARNs', () => {
  for (const geo of ['us', 'eu', 'apac', 'global', 'jp', 'us-gov']) {
    assert.equal(codecFor(`${geo}.anthropic.claude-3-5-haiku-20241022-v1:0`)?.family, 'anthropic', geo);
    assert.equal(codecFor(`${geo}.meta.llama3-1-8b-instruct-v1:0`)?.family, 'meta', geo);
    assert.equal(codecFor(`${geo}.amazon.nova-lite-v1:0`)?.family, 'amazon-nova', geo);
  }
  assert.equal(codecFor('arn:aws:bedrock:us-east-1::foundation-model/mistral.mistral-large-2407-v1:0')?.family, 'mistral');
  assert.equal(codecFor('arn:aws:bedrock:eu-west-1::foundation-model/cohere.command-r-v1:0')?.family, 'cohere');
  assert.equal(
    codecFor('arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0')?.family,
    'anthropic',
  );
});

test('codecFor returns undefined for unknown families, embeddings, image models and opaque ARNs', () => {
  for (const id of [
    'ai21.jamba-1-5-mini-v1:0',
    'stability.sd3-large-v1:0',
    'amazon.titan-embed-text-v2:0',
    'amazon.titan-image-generator-v1',
    'amazon.nova-canvas-v1:0',
    'amazon.nova-reel-v1:0',
    'cohere.embed-english-v3',
    'cohere.rerank-v3-5:0',
    'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
    'arn:aws:bedrock:us-east-1:123456789012:custom-model/anthropic.claude-v2/abc',
    'nonsense',
    '',
  ]) {
    assert.equal(codecFor(id), undefined, id);
  }
});

// -------------------------------------------------------------------------------------- replaceTexts

test('replaceTexts with an identity map returns an equal value', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.array(fc.string()), (value, extra) => {
      const identity = new Map<string, string>(extra.map((s) => [s, s]));
      collectStrings(value).forEach((s) => identity.set(s, s));
      assert.deepStrictEqual(replaceTexts(value, identity), value);
    }),
  );
});

test('replaceTexts leaves strings that are not keys untouched and replaces the ones that are', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string(), (value, key) => {
      const strings = collectStrings(value);
      fc.pre(!strings.includes(key));
      // A key that is absent changes nothing.
      assert.deepStrictEqual(replaceTexts(value, new Map([[key, `${key}!`]])), value);
      // Every present string is replaced, and only string values are.
      const map = new Map(strings.map((s) => [s, `<${s}>`]));
      const replaced = replaceTexts(value, map);
      assert.deepStrictEqual(collectStrings(replaced), strings.map((s) => `<${s}>`));
    }),
  );
});

test('replaceTexts deep-copies, keeps unknown fields and never replaces object keys', () => {
  const body = JSON.parse(
    '{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"mail a@b.com"}]}],"a@b.com":"a@b.com","__proto__":{"x":"a@b.com"},"n":null,"t":true}',
  ) as Record<string, unknown>;
  const out = replaceTexts(body, new Map([['mail a@b.com', 'mail {EMAIL}'], ['a@b.com', '{EMAIL}']])) as Record<string, unknown>;
  assert.deepStrictEqual(out, JSON.parse(
    '{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"mail {EMAIL}"}]}],"a@b.com":"{EMAIL}","__proto__":{"x":"{EMAIL}"},"n":null,"t":true}',
  ));
  assert.ok(Object.hasOwn(out, '__proto__'));
  // The input is untouched.
  assert.equal((body.messages as Array<{ content: Array<{ text: string }> }>)[0]!.content[0]!.text, 'mail a@b.com');
  assert.notEqual(out.messages, body.messages);
});

function collectStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(collectStrings);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(collectStrings);
  return [];
}

// ------------------------------------------------------------------------------- stripGuardrailConfig

test('stripGuardrailConfig returns the body unchanged when there is no config', () => {
  const body = { prompt: 'hi', max_gen_len: 5 };
  const out = stripGuardrailConfig(body);
  assert.deepStrictEqual(out, { body });
  assert.equal('config' in out, false);
});

test('stripGuardrailConfig removes and returns a valid config without touching the input', () => {
  const body = {
    prompt: 'hi',
    'amazon-bedrock-guardrailConfig': { tagSuffix: 'abc123XYZ', streamProcessingMode: 'ASYNCHRONOUS' },
  };
  const out = stripGuardrailConfig(body);
  assert.deepStrictEqual(out.body, { prompt: 'hi' });
  assert.deepStrictEqual(out.config, { tagSuffix: 'abc123XYZ', streamProcessingMode: 'ASYNCHRONOUS' });
  assert.ok('amazon-bedrock-guardrailConfig' in body);
  assert.deepStrictEqual(stripGuardrailConfig({ 'amazon-bedrock-guardrailConfig': {} }), { body: {}, config: {} });
  assert.deepStrictEqual(stripGuardrailConfig({ 'amazon-bedrock-guardrailConfig': { tagSuffix: 'a'.repeat(20) } }).config, {
    tagSuffix: 'a'.repeat(20),
  });
  assert.deepStrictEqual(stripGuardrailConfig({ 'amazon-bedrock-guardrailConfig': { streamProcessingMode: 'SYNCHRONOUS' } }).config, {
    streamProcessingMode: 'SYNCHRONOUS',
  });
});

test('stripGuardrailConfig rejects bad configs', () => {
  const bad: Array<[unknown, RegExp]> = [
    [null, /must be an object/],
    ['xyz', /must be an object/],
    [['xyz'], /must be an object/],
    [{ tagSuffix: '' }, /tagSuffix must be 1 to 20 letters or digits/],
    [{ tagSuffix: 'a'.repeat(21) }, /tagSuffix/],
    [{ tagSuffix: 'ab-c' }, /tagSuffix/],
    [{ tagSuffix: 'ab c' }, /tagSuffix/],
    [{ tagSuffix: 12345 }, /tagSuffix/],
    [{ streamProcessingMode: 'sync' }, /streamProcessingMode must be SYNCHRONOUS or ASYNCHRONOUS/],
    [{ streamProcessingMode: null }, /streamProcessingMode/],
    [{ tagSuffix: 'abc', other: 1 }, /unknown member 'other'/],
  ];
  for (const [config, re] of bad) {
    assert.throws(() => stripGuardrailConfig({ prompt: 'x', 'amazon-bedrock-guardrailConfig': config }), isValidation(re), JSON.stringify(config));
  }
});

test('stripGuardrailConfig accepts every alphanumeric suffix of 1 to 20 characters', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-zA-Z0-9]{1,20}$/), (tagSuffix) => {
      assert.deepStrictEqual(stripGuardrailConfig({ 'amazon-bedrock-guardrailConfig': { tagSuffix } }).config, { tagSuffix });
    }),
  );
});

// ------------------------------------------------------------------- every family: generic properties

interface Variant {
  name: string;
  codec: NativeCodec;
  ctx: NativeContext;
  /** Stop reasons the format can express (others collapse into one of these). */
  stops: StopReason[];
  /** Whether the format reports token usage in its response body. */
  usage: boolean;
}

const VARIANTS: Variant[] = [
  {
    name: 'anthropic messages',
    codec: CODECS.anthropic,
    ctx: { request: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [] } },
    stops: ['end_turn', 'max_tokens', 'stop_sequence', 'guardrail_intervened', 'content_filtered', 'model_context_window_exceeded'],
    usage: true,
  },
  { name: 'anthropic text completions', codec: CODECS.anthropic, ctx: { request: { prompt: '\n\nHuman: x\n\nAssistant:' } }, stops: ['end_turn', 'max_tokens'], usage: false },
  { name: 'meta', codec: CODECS.meta, ctx: {}, stops: ['end_turn', 'max_tokens'], usage: true },
  { name: 'titan', codec: CODECS['amazon-titan'], ctx: {}, stops: ['end_turn', 'max_tokens', 'stop_sequence', 'content_filtered'], usage: true },
  {
    name: 'nova',
    codec: CODECS['amazon-nova'],
    ctx: {},
    stops: ['end_turn', 'max_tokens', 'stop_sequence', 'guardrail_intervened', 'content_filtered', 'model_context_window_exceeded'],
    usage: true,
  },
  { name: 'mistral text', codec: CODECS.mistral, ctx: { request: { prompt: '<s>[INST] x [/INST]' } }, stops: ['end_turn', 'max_tokens', 'model_context_window_exceeded'], usage: false },
  { name: 'mistral chat', codec: CODECS.mistral, ctx: { request: { messages: [] } }, stops: ['end_turn', 'max_tokens', 'model_context_window_exceeded'], usage: false },
  {
    name: 'cohere command',
    codec: CODECS.cohere,
    ctx: { request: { prompt: 'x' } },
    stops: ['end_turn', 'max_tokens', 'content_filtered', 'model_context_window_exceeded', 'malformed_model_output'],
    usage: false,
  },
  {
    name: 'cohere command r',
    codec: CODECS.cohere,
    ctx: { request: { message: 'x' } },
    stops: ['end_turn', 'max_tokens', 'content_filtered', 'model_context_window_exceeded', 'malformed_model_output'],
    usage: true,
  },
  { name: 'openai', codec: CODECS.openai, ctx: {}, stops: ['end_turn', 'max_tokens', 'content_filtered'], usage: true },
];

const ALL_STOPS: StopReason[] = [
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'guardrail_intervened',
  'content_filtered',
  'malformed_model_output',
  'malformed_tool_use',
  'model_context_window_exceeded',
];

const usageArb = fc.record({ inputTokens: fc.nat(100000), outputTokens: fc.nat(100000) }).map((u) => ({ ...u, totalTokens: u.inputTokens + u.outputTokens }));

for (const v of VARIANTS) {
  test(`${v.name}: a text response survives formatResponse → parseResponse`, () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.constantFrom(...v.stops), usageArb, (text, stopReason, usage) => {
        const resp: ChatResponse = { content: [{ text }], stopReason, usage };
        const back = v.codec.parseResponse(JSON.parse(JSON.stringify(v.codec.formatResponse(resp, v.ctx))) as Record<string, unknown>);
        assert.deepStrictEqual(back.content, [{ text }]);
        assert.equal(back.stopReason, stopReason);
        if (v.usage) {
          assert.equal(back.usage.inputTokens, usage.inputTokens);
          assert.equal(back.usage.outputTokens, usage.outputTokens);
        }
      }),
    );
  });

  test(`${v.name}: every stop reason formats to something the family parses back`, () => {
    for (const stopReason of ALL_STOPS) {
      const body = v.codec.formatResponse({ content: [{ text: 'x' }], stopReason, usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }, v.ctx);
      const back = v.codec.parseResponse(body);
      assert.ok(ALL_STOPS.includes(back.stopReason), stopReason);
    }
  });

  test(`${v.name}: the stream encoder's chunks decode to the same text and stop reason`, () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 8 }), fc.constantFrom(...ALL_STOPS), usageArb, (deltas, stopReason, usage) => {
        const events: ChatStreamEvent[] = [
          { messageStart: { role: 'assistant' } },
          ...deltas.map((text): ChatStreamEvent => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { text } } })),
          { contentBlockStop: { contentBlockIndex: 0 } },
          { messageStop: { stopReason } },
          { metadata: { usage, metrics: { latencyMs: 42 } } },
        ];
        const enc = v.codec.streamEncoder(v.ctx);
        const chunks = events.flatMap((e) => enc.encode(e));
        chunks.push(...enc.flush());
        assert.deepStrictEqual(enc.flush(), []);
        const dec = v.codec.streamDecoder();
        let text = '';
        let stop: StopReason | undefined;
        let done = false;
        for (const c of chunks) {
          const d = dec.decode(JSON.parse(JSON.stringify(c)) as Record<string, unknown>);
          text += d.text ?? '';
          stop = d.stopReason ?? stop;
          done ||= d.done === true;
        }
        assert.equal(text, deltas.join(''));
        const expected = v.codec.parseResponse(
          v.codec.formatResponse({ content: [{ text: 'x' }], stopReason, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } }, v.ctx),
        ).stopReason;
        assert.equal(stop, expected);
        assert.ok(done, 'a chunk marks the end');
        const metrics = chunks.at(-1)?.['amazon-bedrock-invocationMetrics'] as
          | { inputTokenCount: number; outputTokenCount: number; invocationLatency: number; firstByteLatency: number }
          | undefined;
        assert.ok(metrics, 'the last chunk carries the invocation metrics');
        assert.equal(metrics.inputTokenCount, usage.inputTokens);
        assert.equal(metrics.outputTokenCount, usage.outputTokens);
        assert.equal(metrics.invocationLatency, 42);
        assert.ok(metrics.firstByteLatency >= 0 && metrics.firstByteLatency <= 42);
      }),
      { numRuns: 50 },
    );
  });

  test(`${v.name}: the encoder still ends the stream when no metadata event comes`, () => {
    const enc = v.codec.streamEncoder(v.ctx);
    const chunks = [
      ...enc.encode({ messageStart: { role: 'assistant' } }),
      ...enc.encode({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'hi' } } }),
      ...enc.encode({ contentBlockStop: { contentBlockIndex: 0 } }),
      ...enc.encode({ messageStop: { stopReason: 'max_tokens' } }),
      ...enc.flush(),
    ];
    const dec = v.codec.streamDecoder();
    const decoded = chunks.map((c) => dec.decode(c));
    assert.equal(decoded.map((d) => d.text ?? '').join(''), 'hi');
    assert.equal(decoded.find((d) => d.stopReason)?.stopReason, 'max_tokens');
  });

  test(`${v.name}: blocked response and chunks carry the message`, () => {
    const message = 'Sorry, the model cannot answer this question.';
    const body = v.codec.blockedResponse(message, v.ctx);
    const parsed = v.codec.parseResponse(body);
    assert.deepStrictEqual(parsed.content, [{ text: message }]);
    assert.ok(JSON.stringify(body).includes(JSON.stringify(message)));

    const chunks = v.codec.blockedChunks(message, v.ctx);
    assert.ok(chunks.length >= 2, 'the message and the end come in separate chunks');
    const dec = v.codec.streamDecoder();
    const decoded = chunks.map((c) => dec.decode(c));
    assert.equal(decoded.map((d) => d.text ?? '').join(''), message);
    assert.ok(decoded.some((d) => d.done));
    assert.equal(decoded.find((d) => d.stopReason)?.stopReason, parsed.stopReason);
    assert.ok(chunks.at(-1)?.['amazon-bedrock-invocationMetrics'], 'the last chunk carries invocation metrics');
    // The last chunk is the one the gateway marks; it must not carry the message itself for chunk-parsers
    // that stop reading at the final chunk.
    assert.equal(dec.decode(chunks.at(-1)!).text, undefined);
  });
}

test('every codec rejects a body of another family with a ValidationException naming a field', () => {
  const bodies: Record<string, Record<string, unknown>> = {
    anthropic: { inputText: 'x' },
    meta: { messages: [] },
    'amazon-titan': { prompt: 'x' },
    'amazon-nova': { prompt: 'x' },
    mistral: { inputText: 'x' },
    cohere: { inputText: 'x' },
    openai: { prompt: 'x' },
  };
  for (const [family, body] of Object.entries(bodies)) {
    const codec = CODECS[family as keyof typeof CODECS];
    assert.throws(() => codec.parseRequest(body), isValidation(/^Malformed input request: \w+ is required/), family);
  }
});

test('parseRequest never throws anything but a ValidationException on arbitrary JSON', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('messages', 'prompt', 'message', 'inputText', 'max_tokens', 'system', 'tools', 'chat_history', 'inferenceConfig', 'textGenerationConfig', 'max_tokens_to_sample'), fc.jsonValue()), (body) => {
      for (const codec of Object.values(CODECS)) {
        try {
          codec.parseRequest(body);
        } catch (e) {
          isValidation()(e);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('parseResponse and stream decoders never throw anything but a ValidationException on arbitrary JSON', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (body) => {
      for (const codec of Object.values(CODECS)) {
        try {
          codec.parseResponse(body);
        } catch (e) {
          isValidation()(e);
        }
        codec.streamDecoder().decode(body);
      }
    }),
    { numRuns: 300 },
  );
});

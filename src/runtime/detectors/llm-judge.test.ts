/** The LLM judge against a fake OpenAI-compatible endpoint: what it sends, how it reads answers, and failing closed. */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { compile } from '../../engine/compile.ts';
import type { ContentFilterType } from '../../engine/config/types.ts';
import { contentText, type FakeOpenAI, startFakeOpenAI } from '../../../test/helpers/fake-openai-upstream.ts';
import { completionsUrl, createLlmJudge, type LlmJudgeOptions, parseJudgeAnswer } from './llm-judge.ts';
import { startDetection } from './run.ts';
import type { DetectorBinding } from './types.ts';

describe('reading a judge answer', () => {
  const table: Array<[string, string, Partial<Record<ContentFilterType, unknown>>]> = [
    ['Llama Guard: safe', 'safe', {}],
    ['Llama Guard: safe with spaces and newlines', '\n  safe \n', {}],
    ['Llama Guard: one category', 'unsafe\nS1', { VIOLENCE: 'HIGH' }],
    ['Llama Guard: several categories', 'unsafe\nS1,S10', { VIOLENCE: 'HIGH', HATE: 'HIGH' }],
    ['Llama Guard: categories with spaces', 'unsafe\nS12, S5 ,S14', { SEXUAL: 'HIGH', INSULTS: 'HIGH', PROMPT_ATTACK: 'HIGH' }],
    ['Llama Guard: the S1-S14 map', 'unsafe\nS2,S3,S4,S6,S7,S8,S9,S11,S13', { MISCONDUCT: 'HIGH', SEXUAL: 'HIGH', VIOLENCE: 'HIGH' }],
    ['JSON: scores per category', '{"HATE": 0.92, "VIOLENCE": 0.1}', { HATE: 0.92, VIOLENCE: 0.1 }],
    ['JSON: confidences, in a fence', '```json\n{"scores": {"insults": "medium"}}\n```', { INSULTS: 'MEDIUM' }],
    ['JSON: a category list', '{"safe": false, "categories": ["HATE", "S1"]}', { HATE: 'HIGH', VIOLENCE: 'HIGH' }],
    ['JSON: safe', '{"safe": true, "categories": []}', {}],
    ['JSON: booleans', '{"SEXUAL": true, "HATE": false, "reason": "explicit"}', { SEXUAL: 'HIGH', HATE: 'NONE' }],
  ];
  for (const [name, answer, want] of table) it(name, () => assert.deepEqual(parseJudgeAnswer(answer), want));

  const malformed: Array<[string, string, RegExp]> = [
    ['empty', '', /neither "safe", "unsafe" nor JSON/],
    ['free text', 'I think this is fine.', /neither "safe", "unsafe" nor JSON/],
    ['safe with more lines', 'safe\nS1', /neither/],
    ['unsafe without categories', 'unsafe', /without a category line/],
    ['an unknown code', 'unsafe\nS99', /unknown category 'S99'/],
    ['broken JSON', '{"HATE": 0.9', /malformed JSON/],
    ['a score out of range', '{"HATE": 1.5}', /invalid score for HATE/],
    ['an unknown JSON category', '{"SPAM": 0.9}', /unknown category 'SPAM'/],
    ['unsafe JSON without category', '{"safe": false}', /without a category/],
  ];
  for (const [name, answer, error] of malformed) it(`malformed: ${name}`, () => assert.throws(() => parseJudgeAnswer(answer), error));

  it('category overrides: ignore a code, or map a new one', () => {
    const map = { S6: null, S15: 'MISCONDUCT' as const, S1: 'VIOLENCE' as const };
    assert.deepEqual(parseJudgeAnswer('unsafe\nS6,S15', map), { MISCONDUCT: 'HIGH' });
  });

  it('the endpoint URL gets /v1/chat/completions once', () => {
    assert.equal(completionsUrl('http://127.0.0.1:8000'), 'http://127.0.0.1:8000/v1/chat/completions');
    assert.equal(completionsUrl('http://127.0.0.1:8000/v1/'), 'http://127.0.0.1:8000/v1/chat/completions');
    assert.equal(completionsUrl('https://example.com/proxy'), 'https://example.com/proxy/v1/chat/completions');
  });
});

describe('the judge on the wire (fake endpoint)', () => {
  let fake: FakeOpenAI;
  before(async () => {
    fake = await startFakeOpenAI();
  });
  after(async () => fake.close());

  const judge = (o: Partial<LlmJudgeOptions> = {}) =>
    createLlmJudge({ name: 'guard', endpoint: fake.url, model: 'llama-guard-3', format: 'llama-guard', maxTokens: 20, maxChars: 16_000, ...o });
  const ctx = (source: 'INPUT' | 'OUTPUT' = 'INPUT') => ({ source, categories: ['HATE', 'VIOLENCE'] as ContentFilterType[], signal: new AbortController().signal });

  it('Llama Guard format: the text is the conversation; the answer maps to categories', async () => {
    fake.setReply(() => ({ text: 'unsafe\nS10' }));
    const n = fake.requests.length;
    assert.deepEqual(await judge({ apiKey: 'sk-test' }).detect('they are vermin', ctx()), { HATE: 'HIGH' });
    const body = fake.requests[n];
    assert.equal(body?.model, 'llama-guard-3');
    assert.deepEqual(body?.messages, [{ role: 'user', content: 'they are vermin' }]);
    assert.equal(body?.temperature, 0);
    assert.equal(body?.max_tokens, 20);
    assert.equal(fake.headers[n]?.authorization, 'Bearer sk-test');
  });

  it('Llama Guard format on output: the text is the assistant turn', async () => {
    fake.setReply(() => ({ text: 'safe' }));
    const n = fake.requests.length;
    assert.deepEqual(await judge().detect('an answer', ctx('OUTPUT')), {});
    assert.deepEqual(fake.requests[n]?.messages.map((m) => m.role), ['user', 'assistant']);
    assert.equal(fake.requests[n]?.messages[1]?.content, 'an answer');
    assert.equal(fake.headers[n]?.authorization, undefined);
  });

  it('JSON format: the prompt template carries the text; a system message when configured', async () => {
    fake.setReply(() => ({ text: '{"HATE": 0.1, "VIOLENCE": 0.8}' }));
    const n = fake.requests.length;
    const j = judge({ format: 'json', system: 'Be strict.', promptTemplate: 'Rate this {{source}}: {{text}}' });
    assert.deepEqual(await j.detect('a threat', ctx()), { HATE: 0.1, VIOLENCE: 0.8 });
    assert.deepEqual(fake.requests[n]?.messages, [
      { role: 'system', content: 'Be strict.' },
      { role: 'user', content: 'Rate this user input: a threat' },
    ]);
  });

  it('a long text is judged in pieces, the highest score wins', async () => {
    fake.setReply((req) => ({ text: contentText(req.messages.at(-1)?.content).includes('BAD') ? '{"HATE": 0.9}' : '{"HATE": 0.2}' }));
    const n = fake.requests.length;
    const text = `${'a'.repeat(250)}BAD${'b'.repeat(200)}`;
    assert.deepEqual(await judge({ format: 'json', maxChars: 200 }).detect(text, ctx()), { HATE: 0.9 });
    assert.equal(fake.requests.length - n, 3);
  });

  describe('fail closed (through the detector runner)', () => {
    const compiled = compile({
      name: 'g',
      blockedInputMessaging: 'blocked',
      blockedOutputsMessaging: 'blocked',
      contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }] },
    });
    const detect = (binding: DetectorBinding) => {
      const pending = startDetection([binding], compiled, { source: 'INPUT', content: [{ text: 'hello' }] }, { now: () => performance.now() });
      assert.ok(pending);
      return pending.done;
    };
    const bind = (o: Partial<LlmJudgeOptions> = {}, timeoutMs = 2_000): DetectorBinding => ({
      detector: judge(o),
      timeoutMs,
      sources: new Set(['INPUT']),
    });

    it('an answer in time: findings, no failure', async () => {
      fake.setReply(() => ({ text: 'unsafe\nS10' }));
      const d = await detect(bind());
      assert.equal(d.failure, undefined);
      assert.deepEqual(d.findings, [{ detector: 'guard', scores: { HATE: 'HIGH' } }]);
    });

    it('a judge slower than its timeout fails, naming the detector', async () => {
      fake.setReply(() => ({ text: 'safe', delayMs: 2_000 }));
      const d = await detect(bind({}, 50));
      assert.equal(d.failure, "detector 'guard' (llm-judge) timed out after 50 ms");
      assert.deepEqual(d.findings, []);
      assert.equal(d.reports[0]?.error, 'timed out after 50 ms');
    });

    it('a malformed answer fails', async () => {
      fake.setReply(() => ({ text: 'Sure! Here is my analysis…' }));
      const d = await detect(bind());
      assert.match(d.failure ?? '', /^detector 'guard' \(llm-judge\) failed: answered neither "safe", "unsafe" nor JSON/);
    });

    it('an HTTP error fails', async () => {
      fake.setReply(() => ({ status: 503, error: 'overloaded' }));
      const d = await detect(bind());
      assert.match(d.failure ?? '', /failed: the endpoint answered HTTP 503/);
    });

    it('an endpoint nobody listens on fails', async () => {
      const d = await detect({ detector: createLlmJudge({ name: 'gone', endpoint: 'http://127.0.0.1:9', model: 'm', format: 'json', maxTokens: 5, maxChars: 100 }), timeoutMs: 2_000, sources: new Set(['INPUT']) });
      assert.match(d.failure ?? '', /^detector 'gone' \(llm-judge\) failed: /);
    });
  });
});

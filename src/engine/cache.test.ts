import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCompiledCache } from './cache.ts';
import type { GuardrailConfig } from './config/types.ts';

const cfg = (word: string): GuardrailConfig => ({
  name: 'g',
  blockedInputMessaging: 'no',
  blockedOutputsMessaging: 'no',
  wordPolicyConfig: { wordsConfig: [{ text: word }] },
});

describe('compiled cache', () => {
  it('compiles a version once', () => {
    const c = createCompiledCache();
    assert.equal(c.version('arn:g', 1, cfg('a')), c.version('arn:g', 1, cfg('a')));
  });

  it('recompiles a DRAFT when its content changes, keeping one slot per guardrail', () => {
    const c = createCompiledCache();
    const a = c.draft('arn:g', cfg('apple'));
    assert.equal(c.draft('arn:g', cfg('apple')), a, 'same content → same compilation');
    const b = c.draft('arn:g', cfg('banana'));
    assert.notEqual(b, a);
    assert.equal(b.config.wordPolicyConfig?.wordsConfig?.[0]?.text, 'banana');
    for (let i = 0; i < 50; i++) c.draft('arn:g', cfg(`w${i}`));
    assert.equal(c.size, 1);
  });

  it('evicts the least recently used entries past its weight', () => {
    const c = createCompiledCache(32 * 1024);
    for (let v = 1; v <= 10; v++) c.version('arn:g', v, cfg('x'));
    assert.ok(c.weight <= 32 * 1024);
    assert.equal(c.size, 4);
  });
});

describe('cachedVersion and forget', () => {
  it('a compiled version is found by arn and number alone until forgotten', () => {
    const c = createCompiledCache();
    assert.equal(c.cachedVersion('arn:g', 1), undefined);
    const v1 = c.version('arn:g', 1, cfg('alpha'));
    c.version('arn:g', 2, cfg('beta'));
    c.draft('arn:g', cfg('gamma'));
    assert.equal(c.cachedVersion('arn:g', 1), v1);
    c.forget('arn:g', 1);
    assert.equal(c.cachedVersion('arn:g', 1), undefined);
    assert.notEqual(c.cachedVersion('arn:g', 2), undefined);
    c.version('arn:other', 1, cfg('delta'));
    c.forget('arn:g');
    assert.equal(c.cachedVersion('arn:g', 2), undefined);
    assert.equal(c.size, 1, 'only the other guardrail is left');
  });

  it('a version loaded before a forget (or clear) is compiled but not cached: the deletion is not undone', () => {
    const c = createCompiledCache();
    const since = c.generation;
    c.forget('arn:g', 1); // e.g. another replica deleted it while this load was reading it
    assert.equal(c.version('arn:g', 1, cfg('alpha'), since).config.name, 'g');
    assert.equal(c.cachedVersion('arn:g', 1), undefined);
    const later = c.generation;
    c.clear();
    c.version('arn:g', 2, cfg('beta'), later);
    assert.equal(c.cachedVersion('arn:g', 2), undefined);
    const v3 = c.version('arn:g', 3, cfg('gamma'), c.generation);
    assert.equal(c.cachedVersion('arn:g', 3), v3, 'nothing forgotten meanwhile: cached');
  });
});

describe('compiled parts shared by content', () => {
  it('two versions with the same topics, words and PII types share those matchers; a changed word list gets its own', async () => {
    const { compile } = await import('./compile.ts');
    const base = {
      name: 'g',
      blockedInputMessaging: 'in',
      blockedOutputsMessaging: 'out',
      topicPolicyConfig: { topicsConfig: [{ name: 'Investments', definition: 'Advice on what to invest in.', type: 'DENY' as const }] },
      wordPolicyConfig: { wordsConfig: [{ text: 'falcon' }] },
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL' as const, action: 'BLOCK' as const }] },
    };
    const v1 = compile(base);
    const v2 = compile({ ...base, blockedInputMessaging: 'changed' });
    const v3 = compile({ ...base, wordPolicyConfig: { wordsConfig: [{ text: 'eagle' }] } });
    assert.equal(v1.input.topics?.matcher, v2.input.topics?.matcher);
    assert.equal(v1.input.topics?.matcher, v1.output.topics?.matcher, 'both sides too');
    assert.equal(v1.input.words?.matcher, v2.input.words?.matcher);
    assert.equal(v1.input.pii?.scanner, v3.input.pii?.scanner);
    assert.notEqual(v1.input.words?.matcher, v3.input.words?.matcher);
    assert.equal(v3.input.words?.matcher.scan('an eagle flew').length, 1);
    assert.equal(v1.input.words?.matcher.scan('an eagle flew').length, 0);
  });
});

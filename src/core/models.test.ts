import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EXCLUDED_MODEL_ID_RE, INCLUDED_MODEL_ID_RE, KNOWN_MODELS, isEmbeddingModel, isKnownModelId, isOpaqueModelArn, modelIdProblem,
  modelMatches, normalizeModelId,
} from './models.ts';

test('every known model id is a valid scoping entry, listed once', () => {
  const ids = KNOWN_MODELS.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) {
    assert.match(id, INCLUDED_MODEL_ID_RE);
    assert.match(id, EXCLUDED_MODEL_ID_RE);
    assert.equal(modelIdProblem(id, false), undefined);
  }
  const providers = new Set(KNOWN_MODELS.map((m) => m.provider));
  for (const p of ['anthropic', 'amazon', 'meta', 'mistral', 'cohere', 'ai21', 'deepseek', 'openai', 'qwen', 'writer']) assert.ok(providers.has(p), p);
});

test('ALL is valid only in the included list', () => {
  assert.match('ALL', INCLUDED_MODEL_ID_RE);
  assert.doesNotMatch('ALL', EXCLUDED_MODEL_ID_RE);
  assert.match(modelIdProblem('ALL', false) ?? '', /only allowed in the included list/);
  assert.equal(modelIdProblem('ALL', true), undefined);
});

test('normalizeModelId reduces foundation-model ARNs and system inference profiles to the model id', () => {
  const cases: Array<[string, string]> = [
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
    ['eu.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
    ['apac.amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['us-gov.anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['jp.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.meta.llama3-3-70b-instruct-v1:0', 'meta.llama3-3-70b-instruct-v1:0'],
    // opaque ARNs stay as they are
    ['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6', 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6'],
    ['arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abcdefghijkl', 'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abcdefghijkl'],
    ['arn:aws:bedrock:us-east-1:111122223333:custom-model/amazon.titan-text-express-v1:0:8k/abcdefghijkl', 'arn:aws:bedrock:us-east-1:111122223333:custom-model/amazon.titan-text-express-v1:0:8k/abcdefghijkl'],
    // a provider that happens to look like a prefix is not stripped
    ['amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
    ['us.nothing', 'us.nothing'],
  ];
  for (const [input, want] of cases) assert.equal(normalizeModelId(input), want, input);
  assert.equal(isOpaqueModelArn('arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abcdefghijkl'), true);
  assert.equal(isOpaqueModelArn('us.amazon.nova-pro-v1:0'), false);
});

test('modelMatches: ALL, exact, unversioned entry covers versions, never a bare prefix', () => {
  const yes: Array<[string, string]> = [
    ['ALL', 'anything.at-all'],
    ['ALL', 'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abcdefghijkl'],
    ['anthropic.claude-v2', 'anthropic.claude-v2'],
    ['anthropic.claude-v2', 'anthropic.claude-v2:1'],
    ['anthropic.claude-v2', 'anthropic.claude-v2:0:100k'],
    ['amazon.titan-embed-text-v2:0', 'amazon.titan-embed-text-v2:0:8k'],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'us.anthropic.claude-3-haiku-20240307-v1:0'],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0'],
    ['x.y:1/abcdefghijkl', 'x.y:1/abcdefghijkl'],
  ];
  const no: Array<[string, string]> = [
    ['anthropic.claude-v2:1', 'anthropic.claude-v2'],
    ['anthropic.claude-v2:1', 'anthropic.claude-v2:0'],
    ['anthropic.claude-3-5-sonnet', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['anthropic.claude', 'anthropic.claude-v2'],
    ['x.y', 'x.y/abcdefghijkl'],
    ['x.y/abcdefghijkl', 'x.y'],
    ['amazon.nova-pro-v1:0', 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6'],
  ];
  for (const [e, m] of yes) assert.equal(modelMatches(e, m), true, `${e} should cover ${m}`);
  for (const [e, m] of no) assert.equal(modelMatches(e, m), false, `${e} should not cover ${m}`);
});

test('isKnownModelId and isEmbeddingModel', () => {
  assert.equal(isKnownModelId('ALL'), true);
  assert.equal(isKnownModelId('anthropic.claude-3-haiku-20240307-v1:0'), true);
  assert.equal(isKnownModelId('anthropic.claude-v2'), true); // covers anthropic.claude-v2:1
  assert.equal(isKnownModelId('amazon.nova-pro-v1:0:300k'), true); // a variant of a known model
  assert.equal(isKnownModelId('acme.unknown-model-v1:0'), false);
  for (const id of ['amazon.titan-embed-text-v2:0', 'cohere.embed-english-v3', 'cohere.embed-multilingual-v3:0',
    'amazon.nova-2-multimodal-embeddings-v1:0', 'us.cohere.embed-v4:0', 'acme.embed-large-v9:0'])
    assert.equal(isEmbeddingModel(id), true, id);
  for (const id of ['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.nova-pro-v1:0', 'acme.embedded-systems-chat',
    'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abcdefghijkl'])
    assert.equal(isEmbeddingModel(id), false, id);
});

test('property: an entry always covers itself and its :N versions; matching is stable under normalization', () => {
  const seg = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
  const id = fc.tuple(seg, seg).map(([p, n]) => `${p}.${n}`);
  fc.assert(fc.property(id, fc.nat(99), fc.constantFrom('us', 'eu', 'global'), (base, v, geo) => {
    assert.equal(modelMatches(base, base), true);
    assert.equal(modelMatches(base, `${base}:${v}`), true);
    assert.equal(modelMatches(`${base}:${v}`, base), false);
    assert.equal(modelMatches(base, `${geo}.${base}`), true);
    assert.equal(modelMatches(`${base}x`, base), false);
  }));
});

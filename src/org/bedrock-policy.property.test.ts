import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ServiceError } from '../core/errors.ts';
import { effectiveBedrockPolicy, parseBedrockPolicy } from './bedrock-policy.ts';
import type { EffectivePolicyLevelInput } from './bedrock-policy.ts';

const MGMT = '123456789012';
const RUNS = { numRuns: 300 };

/** Parsing fails only with MalformedPolicyDocumentException, whatever the input. */
function parsesOrMalformed(content: string): boolean {
  try {
    parseBedrockPolicy(content);
    return true;
  } catch (e) {
    assert.ok(e instanceof ServiceError, `unexpected ${String(e)}`);
    assert.equal(e.code, 'MalformedPolicyDocumentException');
    assert.ok(e.message.length > 0 && e.message.length < 6_000);
    return false;
  }
}

// ---- generators of valid documents ----------------------------------------------------------------

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'];
const MODELS = ['ALL', 'anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-v2', 'amazon.nova-pro-v1:0', 'cohere.embed-english-v3'];
const control = fc.option(
  fc.oneof(fc.constant(['@@all']), fc.constant(['@@none']), fc.subarray(['@@assign', '@@append', '@@remove'], { minLength: 1 })),
  { nil: undefined },
);
const withControl = (o: Record<string, unknown>, c: readonly string[] | undefined) =>
  c ? { ...o, '@@operators_allowed_for_child_policies': c } : o;
const listSetting = (allowAll: boolean) =>
  fc.record({
    op: fc.constantFrom('@@assign', '@@append', '@@remove'),
    values: fc.subarray(allowAll ? MODELS : MODELS.slice(1)),
    c: control,
  }).map((x) => withControl({ [x.op]: x.values }, x.c));

const configFor = (region: string) =>
  fc.record(
    {
      identifier: fc.record({ id: fc.constantFrom('g1', 'g2'), v: fc.integer({ min: 1, max: 3 }), c: control })
        .map((x) => withControl({ '@@assign': `arn:aws:bedrock:${region}:${MGMT}:guardrail/${x.id}:${x.v}` }, x.c)),
      selective_content_guarding: fc.record(
        { system: fc.constantFrom('selective', 'comprehensive'), messages: fc.constantFrom('selective', 'comprehensive') },
        { requiredKeys: [] },
      ).filter((o) => Object.keys(o).length > 0).map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { '@@assign': v }]))),
      model_enforcement: fc.record({ included_models: listSetting(true), excluded_models: listSetting(false) }),
      input_tags: fc.constantFrom('honor', 'ignore').map((v) => ({ '@@assign': v })),
      c: control,
    },
    { requiredKeys: [] },
  ).map(({ c, ...rest }) => withControl(rest, c));

const regionDoc = fc.constantFrom(...REGIONS).chain((region) =>
  fc.dictionary(fc.constantFrom('c1', 'c2', 'config_1'), configFor(region), { maxKeys: 2 }).map((configs) => [region, configs] as const));

const validDoc = fc.record({ regions: fc.array(regionDoc, { maxLength: 2 }), c: control, gc: control }).map(({ regions, c, gc }) =>
  ({ bedrock: withControl({ guardrail_inference: withControl(Object.fromEntries(regions), gc) }, c) }));

// ---- properties -----------------------------------------------------------------------------------

test('property: any string is either a valid document or a MalformedPolicyDocumentException', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void parsesOrMalformed(s)), RUNS);
  fc.assert(fc.property(fc.json({ maxDepth: 6 }), (s) => void parsesOrMalformed(s)), RUNS);
  fc.assert(fc.property(fc.json({ maxDepth: 6 }), (s) => void parsesOrMalformed(`{"bedrock": ${s}}`)), RUNS);
  fc.assert(fc.property(fc.json({ maxDepth: 4 }), fc.constantFrom(...REGIONS), (s, r) =>
    void parsesOrMalformed(`{"bedrock": {"guardrail_inference": {"${r}": {"c1": ${s}}}}}`)), RUNS);
});

test('property: generated valid documents parse, and every identifier is listed', () => {
  fc.assert(fc.property(validDoc, (doc) => {
    const content = JSON.stringify(doc);
    const parsed = parseBedrockPolicy(content);
    assert.equal(parsed.identifiers.length, (content.match(/:guardrail\//g) ?? []).length);
  }), RUNS);
});

test('property: mutating one character of a valid document never escapes as another error', () => {
  fc.assert(fc.property(validDoc, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (doc, at, ch) => {
    const content = JSON.stringify(doc);
    const i = at % content.length;
    void parsesOrMalformed(content.slice(0, i) + ch + content.slice(i + 1));
  }), RUNS);
});

const levels = (docs: unknown[][]): EffectivePolicyLevelInput[] =>
  docs.map((policies, li) => ({
    targetId: li === 0 ? 'r-ab12' : `ou-ab12-${String(li).padStart(8, '0')}`,
    policies: policies.map((d, pi) => ({ policyId: `p-${li}${pi}`, name: `n${li}${pi}`, content: JSON.stringify(d) })),
  }));

test('property: the effective policy is deterministic and consistent with its content', () => {
  fc.assert(fc.property(fc.array(fc.array(validDoc, { maxLength: 2 }), { maxLength: 3 }), (docs) => {
    const a = effectiveBedrockPolicy(levels(docs));
    assert.deepEqual(effectiveBedrockPolicy(levels(docs)), a);
    assert.deepEqual(a.invalidPolicies, []);
    assert.ok(!a.content.includes('@@'), 'operators are removed from the content');
    const content = JSON.parse(a.content) as { bedrock?: { guardrail_inference?: Record<string, Record<string, { identifier?: string }>> } };
    for (const c of a.configs) {
      assert.equal(content.bedrock?.guardrail_inference?.[c.region]?.[c.configName]?.identifier, `${c.guardrailArn}:${c.version}`);
      assert.ok(c.guardrailArn.includes(`:${c.region}:`), 'a guardrail is always in the Region it is listed under');
    }
    const keys = a.configs.map((c) => `${c.region}/${c.configName}`);
    assert.deepEqual(keys, [...keys].sort());
  }), RUNS);
});

test('property: a parent @@none on bedrock makes every child policy a no-op', () => {
  fc.assert(fc.property(validDoc, fc.array(fc.array(validDoc, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }), (root, children) => {
    const locked = { bedrock: { ...root.bedrock, '@@operators_allowed_for_child_policies': ['@@none'] } };
    const alone = effectiveBedrockPolicy(levels([[locked]]));
    const withChildren = effectiveBedrockPolicy(levels([[locked], ...children]));
    assert.deepEqual(withChildren.configs, alone.configs);
    assert.equal(withChildren.content, alone.content);
  }), RUNS);
});

test('property: with no restrictions, a child @@assign of an identifier always wins', () => {
  fc.assert(fc.property(fc.constantFrom(...REGIONS), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), (region, v1, v2) => {
    const id = (v: number) => ({ bedrock: { guardrail_inference: { [region]: { c1: { identifier: { '@@assign': `arn:aws:bedrock:${region}:${MGMT}:guardrail/g:${v}` } } } } } });
    const eff = effectiveBedrockPolicy(levels([[id(v1)], [id(v2)]]));
    assert.equal(eff.configs[0]?.version, v2);
    assert.equal(eff.configs[0]?.source.targetId, 'ou-ab12-00000001');
  }), RUNS);
});

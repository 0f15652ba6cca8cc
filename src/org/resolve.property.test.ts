import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EffectiveGuardrailConfig, GuardingMode } from './bedrock-policy.ts';
import { resolveGuardrails } from './resolve.ts';
import type { AccountEnforcedConfig, Resolution, ResolveInput } from './resolve.ts';

const CALLER = '111122223333';
const MGMT = '999988887777';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const MODELS = [HAIKU, 'anthropic.claude-3-haiku-20240307-v1', 'amazon.nova-pro-v1:0', 'cohere.embed-english-v3', 'meta.llama3-8b-instruct-v1:0'];
const CALL_MODELS = [...MODELS, `us.${HAIKU}`, `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`,
  `arn:aws:bedrock:us-east-1:${CALLER}:application-inference-profile/a1b2c3d4e5f6`];

const mode = fc.constantFrom<GuardingMode>('SELECTIVE', 'COMPREHENSIVE');
const region = fc.constantFrom('us-east-1', 'eu-west-1');
const guardrail = fc.record({ id: fc.constantFrom('g1', 'g2', 'g3'), owner: fc.constantFrom(CALLER, MGMT), version: fc.integer({ min: 1, max: 2 }) });
const included = fc.oneof(fc.constant([] as string[]), fc.constant(['ALL']), fc.subarray(MODELS, { minLength: 1 }));
const excluded = fc.subarray(MODELS);

const orgConfig: fc.Arbitrary<EffectiveGuardrailConfig> = fc
  .record({ region, configName: fc.constantFrom('c1', 'c2', 'c3'), g: guardrail, system: mode, messages: mode, included, excluded, policy: fc.constantFrom('p-1', 'p-2') })
  .map((x) => ({
    region: x.region, configName: x.configName, guardrailArn: `arn:aws:bedrock:${x.region}:${x.g.owner}:guardrail/${x.g.id}`,
    guardrailId: x.g.id, ownerAccountId: x.g.owner, version: x.g.version, system: x.system, messages: x.messages,
    includedModels: x.included, excludedModels: x.excluded,
    source: { policyId: x.policy, policyName: `name ${x.policy}`, targetId: 'ou-ab12-11111111' },
  }));

const accountConfig: fc.Arbitrary<AccountEnforcedConfig> = fc
  .record({ region, g: guardrail, system: mode, messages: mode, included, excluded })
  .map((x) => ({
    configId: 'cfg1', guardrailArn: `arn:aws:bedrock:${x.region}:${x.g.owner}:guardrail/${x.g.id}`, guardrailId: x.g.id,
    ownerAccountId: x.g.owner, version: x.g.version, system: x.system, messages: x.messages, includedModels: x.included, excludedModels: x.excluded,
  }));

const input: fc.Arbitrary<ResolveInput> = fc.record({
  modelId: fc.constantFrom(...CALL_MODELS),
  orgConfigs: fc.array(orgConfig, { maxLength: 6 }),
  accountConfig: fc.option(accountConfig, { nil: undefined }),
  requestGuardrail: fc.option(
    fc.record({ g: guardrail, draft: fc.boolean() }).map((x) => ({
      guardrailArn: `arn:aws:bedrock:us-east-1:${x.g.owner}:guardrail/${x.g.id}`, guardrailId: x.g.id, ownerAccountId: x.g.owner,
      version: x.draft ? ('DRAFT' as const) : x.g.version,
    })),
    { nil: undefined },
  ),
}).map((x) => ({ accountId: CALLER, region: 'us-east-1', ...x }));

const keys = (r: Resolution): Set<string> => new Set(r.applied.map((a) => `${a.guardrailArn}:${a.version}`));
const subset = (a: Set<string>, b: Set<string>): boolean => [...a].every((k) => b.has(k));
const RUNS = { numRuns: 300 };

test('property: adding an exclude never adds a guardrail', () => {
  fc.assert(fc.property(input, fc.nat(), fc.constantFrom(...MODELS), (inp, pick, model) => {
    const before = keys(resolveGuardrails(inp));
    const orgConfigs = inp.orgConfigs.map((c, i) => (i === pick % Math.max(1, inp.orgConfigs.length) ? { ...c, excludedModels: [...c.excludedModels, model] } : c));
    const accountConfig = inp.accountConfig && { ...inp.accountConfig, excludedModels: [...inp.accountConfig.excludedModels, model] };
    assert.ok(subset(keys(resolveGuardrails({ ...inp, orgConfigs })), before));
    assert.ok(subset(keys(resolveGuardrails({ ...inp, accountConfig })), before));
  }), RUNS);
});

test('property: a model in both lists is never applied by that config', () => {
  const callModel = fc.constantFrom(HAIKU, 'amazon.nova-pro-v1:0', `us.${HAIKU}`);
  const entryFor = (m: string) => fc.constantFrom(m.replace(/^us\./, ''), m.replace(/^us\./, '').replace(/:0$/, ''));
  fc.assert(fc.property(input, callModel, orgConfig, (inp, modelId, base) => fc.assert(
    fc.property(entryFor(modelId), entryFor(modelId), fc.boolean(), (inc, exc, viaAll) => {
      const both: EffectiveGuardrailConfig = {
        ...base, region: 'us-east-1', guardrailId: 'both', guardrailArn: `arn:aws:bedrock:us-east-1:${MGMT}:guardrail/both`,
        includedModels: viaAll ? ['ALL'] : [inc, ...base.includedModels], excludedModels: [...base.excludedModels, exc],
      };
      const r = resolveGuardrails({ ...inp, modelId, orgConfigs: [...inp.orgConfigs, both] });
      assert.ok(!r.applied.some((a) => a.guardrailId === 'both'));
      assert.ok(r.skipped.some((s) => s.guardrailArn === both.guardrailArn && /is excluded/.test(s.reason)));
    }), { numRuns: 4 },
  )), { numRuns: 100 });
});

test('property: the result does not depend on the order of orgConfigs', () => {
  fc.assert(fc.property(input, fc.nat(), (inp, seed) => {
    const shuffled = [...inp.orgConfigs];
    let s = seed;
    for (let i = shuffled.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j] as EffectiveGuardrailConfig, shuffled[i] as EffectiveGuardrailConfig];
    }
    assert.deepEqual(resolveGuardrails({ ...inp, orgConfigs: shuffled }), resolveGuardrails(inp));
  }), RUNS);
});

test('property: more configs never remove a guardrail, and never relax a mode', () => {
  fc.assert(fc.property(input, orgConfig, (inp, extra) => {
    const before = resolveGuardrails(inp);
    const after = resolveGuardrails({ ...inp, orgConfigs: [...inp.orgConfigs, extra] });
    for (const a of before.applied) {
      const b = after.applied.find((x) => x.guardrailArn === a.guardrailArn && x.version === a.version);
      assert.ok(b, 'a guardrail disappeared');
      if (a.system === 'COMPREHENSIVE') assert.equal(b.system, 'COMPREHENSIVE');
      if (a.messages === 'COMPREHENSIVE') assert.equal(b.messages, 'COMPREHENSIVE');
    }
  }), RUNS);
});

test('property: invariants of every resolution', () => {
  const order = ['REQUEST', 'ACCOUNT_ENFORCED', 'ORGANIZATION_ENFORCED'];
  fc.assert(fc.property(input, (inp) => {
    const r = resolveGuardrails(inp);
    assert.equal(keys(r).size, r.applied.length, 'each guardrail version once');
    for (const a of r.applied) {
      assert.equal(a.guardOutput, true);
      assert.ok(a.origins.length > 0);
      assert.deepEqual(a.origins, [...new Set(a.origins)].sort((x, y) => order.indexOf(x) - order.indexOf(y)));
      assert.equal(a.ownership, a.ownerAccountId === CALLER ? 'SELF' : 'CROSS_ACCOUNT');
      assert.equal(a.requested, a.origins.includes('REQUEST'));
      assert.equal(new Set(a.reasons).size, a.reasons.length);
    }
    if (inp.requestGuardrail) assert.ok(r.applied.some((a) => a.origins.includes('REQUEST')), 'the requested guardrail always applies');
    // every config is accounted for: applied (its reason) or skipped
    const reasons = new Set(r.applied.flatMap((a) => a.reasons));
    for (const c of inp.orgConfigs) {
      const label = `organization policy ${c.source.policyId} '${c.source.policyName}' attached to ${c.source.targetId} (config '${c.configName}')`;
      assert.ok(reasons.has(label) || r.skipped.some((s) => s.source === label));
    }
    // configs of another Region never apply
    for (const c of inp.orgConfigs.filter((x) => x.region !== 'us-east-1'))
      assert.ok(r.skipped.some((s) => s.guardrailArn === c.guardrailArn && /configured for Region/.test(s.reason)));
  }), RUNS);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError } from '../core/errors.ts';
import {
  MAX_BEDROCK_POLICY_CHARS, effectiveBedrockPolicy, parseBedrockPolicy, parseVersionedGuardrailArn,
} from './bedrock-policy.ts';
import type { EffectivePolicyLevelInput } from './bedrock-policy.ts';

const MGMT = '123456789012';
const ARN = `arn:aws:bedrock:us-east-1:${MGMT}:guardrail/hu1dlsv9wy1d`;

/** The example of the AWS documentation. */
const DOC_EXAMPLE = {
  bedrock: {
    guardrail_inference: {
      'us-east-1': {
        config_1: {
          identifier: { '@@assign': `${ARN}:1` },
          selective_content_guarding: { system: { '@@assign': 'selective' }, messages: { '@@assign': 'comprehensive' } },
          model_enforcement: {
            included_models: { '@@assign': ['ALL'] },
            excluded_models: { '@@assign': ['amazon.titan-embed-text-v2:0', 'cohere.embed-english-v3'] },
          },
        },
      },
    },
  },
};

const config = (c: Record<string, unknown>, region = 'us-east-1', name = 'config_1') =>
  JSON.stringify({ bedrock: { guardrail_inference: { [region]: { [name]: c } } } });

function malformed(content: string, ...fragments: Array<string | RegExp>): void {
  assert.throws(
    () => parseBedrockPolicy(content),
    (e: unknown) => {
      assert.ok(e instanceof ServiceError, `expected a ServiceError, got ${String(e)}`);
      assert.equal(e.code, 'MalformedPolicyDocumentException');
      for (const f of fragments) {
        if (typeof f === 'string') assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
        else assert.match(e.message, f);
      }
      return true;
    },
  );
}

test('the documented example parses and lists its identifier', () => {
  const doc = parseBedrockPolicy(JSON.stringify(DOC_EXAMPLE));
  assert.deepEqual(doc.identifiers, [{
    region: 'us-east-1', configName: 'config_1', guardrailArn: ARN, guardrailId: 'hu1dlsv9wy1d', ownerAccountId: MGMT, version: 1,
    path: 'bedrock.guardrail_inference.us-east-1.config_1.identifier',
  }]);
});

test('valid variations parse', () => {
  const ok = [
    '{"bedrock": {}}',
    '{"bedrock": {"guardrail_inference": {}}}',
    config({ identifier: { '@@assign': `${ARN}:99999999` } }),
    config({ identifier: { '@@assign': `${ARN}:2`, '@@operators_allowed_for_child_policies': ['@@none'] } }),
    config({ selective_content_guarding: { messages: { '@@assign': 'selective' } } }),
    config({ model_enforcement: { included_models: { '@@assign': [] }, excluded_models: { '@@append': ['anthropic.claude-v2'] } } }),
    config({ model_enforcement: { included_models: { '@@remove': ['meta.llama3-8b-instruct-v1:0'] }, excluded_models: { '@@assign': [] } } }),
    config({ model_enforcement: { '@@operators_allowed_for_child_policies': ['@@none'] } }),
    config({ input_tags: { '@@assign': 'honor' } }),
    config({ identifier: { '@@assign': `arn:aws:bedrock:eu-west-1:${MGMT}:guardrail/abc:1` } }, 'eu-west-1', 'A-b_9'),
    JSON.stringify({ bedrock: { '@@operators_allowed_for_child_policies': '@@none', guardrail_inference: { '@@operators_allowed_for_child_policies': ['@@append', '@@remove'] } } }),
    config({ model_enforcement: { included_models: { '@@assign': ['amazon.titan-text-express-v1:0:8k', 'x.y/abcdefghijkl'] }, excluded_models: { '@@assign': [] } } }),
    config({ identifier: { '@@assign': `${ARN}:1` } }, 'us-east-1', 'c'.repeat(128)),
  ];
  for (const content of ok) assert.doesNotThrow(() => parseBedrockPolicy(content), content);
});

test('malformed documents are rejected with the JSON path and what to do', () => {
  const cases: Array<[string, ...Array<string | RegExp>]> = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['{', 'not valid JSON', 'line 1'],
    ['[]', 'single top-level key "bedrock"'],
    ['"bedrock"', 'single top-level key "bedrock"'],
    ['{}', 'missing the top-level key "bedrock"'],
    ['{"bedrock": {}, "ec2": {}}', 'unknown key "ec2"', 'the only top-level key is "bedrock"'],
    ['{"bedrock": {}, "bedrock": {}}', 'duplicate key "bedrock"'],
    ['{"bedrock": []}', 'bedrock: must be an object with the keys guardrail_inference'],
    ['{"bedrock": {"guardrails": {}}}', 'bedrock: unknown key "guardrails"; allowed keys here: guardrail_inference'],
    ['{"bedrock": {"guardrail_inference": {"useast1": {}}}}', '"useast1" is not a Region name'],
    ['{"bedrock": {"guardrail_inference": {"xx-west-9": {}}}}', '"xx-west-9" is not a Region this server supports', 'us-east-1'],
    ['{"bedrock": {"guardrail_inference": {"us-east-1": {"bad name": {}}}}}', 'configuration name "bad name" must be 1 to 128'],
    [config({}, 'us-east-1', 'c'.repeat(129)), 'must be 1 to 128'],
    [config({ identifier: `${ARN}:1` }), 'config_1.identifier: must be an object with an inheritance operator', 'wrap the value'],
    [config({ identifier: { '@@assign': `${ARN}:DRAFT` } }), 'identifier.@@assign', 'DRAFT', 'publish a version', `${ARN}:1`],
    [config({ identifier: { '@@assign': `${ARN}:draft` } }), 'DRAFT'],
    [config({ identifier: { '@@assign': ARN } }), 'names no guardrail version', 'CreateGuardrailVersion', `${ARN}:1`],
    [config({ identifier: { '@@assign': `${ARN}/1` } }), "separate the version with ':'", `${ARN}:1`],
    [config({ identifier: { '@@assign': `${ARN}:0` } }), 'version number from 1 to 99999999'],
    [config({ identifier: { '@@assign': `${ARN}:123456789` } }), 'version number from 1 to 99999999'],
    [config({ identifier: { '@@assign': 'hu1dlsv9wy1d:1' } }), 'is not a guardrail ARN', 'give the full ARN'],
    [config({ identifier: { '@@assign': 'arn:aws:s3:::bucket:1' } }), 'is not a guardrail ARN with a version'],
    [config({ identifier: { '@@assign': `arn:aws:bedrock:eu-west-1:${MGMT}:guardrail/abc:1` } }), 'Region eu-west-1', 'listed under "us-east-1"', 'Region-scoped'],
    [config({ identifier: { '@@assign': 1 } }), 'identifier.@@assign: must be a string'],
    [config({ identifier: { '@@append': `${ARN}:1` } }), '@@append works only on lists'],
    [config({ identifier: { '@@assign': `${ARN}:1`, '@@append': 'x' } }), 'only one value operator'],
    [config({ identifier: {} }), 'needs a value operator'],
    [config({ identifier: { '@@assign': `${ARN}:1`, value: 'x' } }), 'unknown key "value"'],
    [config({ identifier: { '@@assign': `${ARN}:1`, '@@operators_allowed_for_child_policies': ['@@nothing'] } }), '"@@nothing" is not an operator'],
    [config({ identifier: { '@@assign': `${ARN}:1`, '@@operators_allowed_for_child_policies': ['@@none', '@@assign'] } }), 'must be the only entry'],
    [config({ identifier: { '@@assign': `${ARN}:1`, '@@operators_allowed_for_child_policies': [] } }), '["@@all"], ["@@none"]'],
    [config({ '@@assign': {} }), '@@assign cannot be used on this level'],
    [config({ '@@replace': {} }), 'unknown operator "@@replace"'],
    [config({ guardrail: {} }), 'unknown key "guardrail"', 'identifier, selective_content_guarding, model_enforcement, input_tags'],
    [config({ selective_content_guarding: {} }), 'needs at least one of system or messages'],
    [config({ selective_content_guarding: { system: { '@@assign': 'SELECTIVE' } } }), 'write it in lowercase: "selective"'],
    [config({ selective_content_guarding: { messages: { '@@assign': 'partial' } } }), '"partial" is not one of "selective", "comprehensive"'],
    [config({ model_enforcement: { included_models: { '@@assign': ['ALL'] } } }), 'excluded_models is required', '{"@@assign": []}'],
    [config({ model_enforcement: { excluded_models: { '@@assign': [] } } }), 'included_models is required', '["ALL"]'],
    [config({ model_enforcement: { included_models: { '@@assign': 'ALL' }, excluded_models: { '@@assign': [] } } }), 'must be an array of model IDs'],
    [config({ model_enforcement: { included_models: { '@@assign': ['ALL'] }, excluded_models: { '@@assign': ['ALL'] } } }), 'excluded_models.@@assign[0]', 'only allowed in the included list'],
    [config({ model_enforcement: { included_models: { '@@assign': ['all'] }, excluded_models: { '@@assign': [] } } }), 'in capitals'],
    [config({ model_enforcement: { included_models: { '@@assign': ['us.anthropic.claude-3-haiku-20240307-v1:0'] }, excluded_models: { '@@assign': [] } } }), 'inference-profile ID', 'anthropic.claude-3-haiku-20240307-v1:0'],
    [config({ model_enforcement: { included_models: { '@@assign': ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0'] }, excluded_models: { '@@assign': [] } } }), 'is an ARN', '"amazon.nova-pro-v1:0"'],
    [config({ model_enforcement: { included_models: { '@@assign': ['Anthropic.Claude-v2'] }, excluded_models: { '@@assign': [] } } }), 'lowercase'],
    [config({ model_enforcement: { included_models: { '@@assign': ['claude'] }, excluded_models: { '@@assign': [1] } } }), '"claude" is not a model ID', 'excluded_models.@@assign: must be an array of model IDs'],
    [config({ input_tags: { '@@assign': 'yes' } }), '"yes" is not one of "honor", "ignore"'],
  ];
  for (const [content, ...fragments] of cases) malformed(content, ...fragments);
});

test('several problems are reported together, numbered, and the list is capped', () => {
  const configs: Record<string, unknown> = {};
  for (let i = 0; i < 15; i++) configs[`c${i}`] = { identifier: { '@@assign': 'nope' } };
  malformed(JSON.stringify({ bedrock: { guardrail_inference: { 'us-east-1': configs } } }), '(1) ', '(10) ', '(and 5 more)');
});

test('documents over 10,000 characters are rejected naming the limit; characters, not UTF-16 units, count', () => {
  assert.equal(MAX_BEDROCK_POLICY_CHARS, 10_000);
  const pad = (n: number, ch: string) => `{"bedrock": {}}${ch.repeat(n - 15)}`.replace(/.$/, ' ');
  malformed(pad(10_001, ' '), '10001 characters', 'at most 10,000', 'Split it');
  assert.doesNotThrow(() => parseBedrockPolicy(`{"bedrock": {}}${' '.repeat(10_000 - 15)}`));
  // 5,000 emoji are 10,000 UTF-16 units but 5,000 characters: within the limit (and then invalid as a name).
  malformed(config({}, 'us-east-1', '😀'.repeat(4_900)), 'configuration name');
  malformed('x'.repeat(5_000_000), 'at most 10,000');
});

test('deep nesting and hostile shapes are rejected without a stack overflow', () => {
  malformed(`${'['.repeat(4_000)}${']'.repeat(4_000)}`, 'nesting too deep');
  malformed(`{"bedrock": ${'{"a":'.repeat(1_500)}1${'}'.repeat(1_500)}}`, 'nesting too deep');
  malformed(config({ model_enforcement: { included_models: { '@@assign': [[[['x']]]] }, excluded_models: { '@@assign': [] } } }), 'must be an array of model IDs');
  const many = Array.from({ length: 900 }, (_, i) => `"c${i}": {}`).join(',');
  assert.doesNotThrow(() => parseBedrockPolicy(`{"bedrock": {"guardrail_inference": {"us-east-1": {${many}}}}}`));
});

test('the Region allow-list can be narrowed by the operator', () => {
  assert.throws(() => parseBedrockPolicy(JSON.stringify(DOC_EXAMPLE), { regions: ['eu-west-1'] }), /not a Region this server supports; use one of eu-west-1/);
});

test('parseVersionedGuardrailArn splits the ARN and the version', () => {
  assert.deepEqual(parseVersionedGuardrailArn(`${ARN}:12`), {
    guardrailArn: ARN, guardrailId: 'hu1dlsv9wy1d', ownerAccountId: MGMT, region: 'us-east-1', version: 12,
  });
  assert.ok('problem' in parseVersionedGuardrailArn(`${ARN}`));
  assert.deepEqual(
    parseVersionedGuardrailArn(`arn:aws-us-gov:bedrock:us-gov-west-1:${MGMT}:guardrail/abc:3`),
    { guardrailArn: `arn:aws-us-gov:bedrock:us-gov-west-1:${MGMT}:guardrail/abc`, guardrailId: 'abc', ownerAccountId: MGMT, region: 'us-gov-west-1', version: 3 },
  );
});

// ---- effective policy -----------------------------------------------------------------------------

const lvl = (targetId: string, ...policies: Array<[string, string, unknown]>): EffectivePolicyLevelInput => ({
  targetId,
  policies: policies.map(([policyId, name, doc]) => ({ policyId, name, content: typeof doc === 'string' ? doc : JSON.stringify(doc) })),
});

const inference = (regions: Record<string, Record<string, unknown>>) => ({ bedrock: { guardrail_inference: regions } });

test('a single policy gives its configuration with defaults and the operator-free content', () => {
  const eff = effectiveBedrockPolicy([lvl('r-ab12', ['p-1', 'baseline', inference({ 'us-east-1': { config_1: { identifier: { '@@assign': `${ARN}:1` } } } })])]);
  assert.deepEqual(eff.configs, [{
    region: 'us-east-1', configName: 'config_1', guardrailArn: ARN, guardrailId: 'hu1dlsv9wy1d', ownerAccountId: MGMT, version: 1,
    system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE', includedModels: [], excludedModels: [],
    source: { policyId: 'p-1', policyName: 'baseline', targetId: 'r-ab12' },
  }]);
  assert.deepEqual(JSON.parse(eff.content), { bedrock: { guardrail_inference: { 'us-east-1': { config_1: { identifier: `${ARN}:1` } } } } });
  assert.deepEqual([eff.warnings, eff.invalidPolicies, eff.dropped], [[], [], []]);
});

test('the documented example becomes the documented effective configuration', () => {
  const eff = effectiveBedrockPolicy([lvl('r-ab12', ['p-1', 'doc', DOC_EXAMPLE])]);
  assert.equal(eff.configs.length, 1);
  const c = eff.configs[0];
  assert.deepEqual([c?.system, c?.messages, c?.includedModels, c?.excludedModels], [
    'SELECTIVE', 'COMPREHENSIVE', ['ALL'], ['amazon.titan-embed-text-v2:0', 'cohere.embed-english-v3'],
  ]);
  assert.deepEqual(JSON.parse(eff.content), {
    bedrock: { guardrail_inference: { 'us-east-1': { config_1: {
      identifier: `${ARN}:1`,
      selective_content_guarding: { system: 'selective', messages: 'comprehensive' },
      model_enforcement: { included_models: ['ALL'], excluded_models: ['amazon.titan-embed-text-v2:0', 'cohere.embed-english-v3'] },
    } } } },
  });
});

test('root → OU → account: overrides, appends, new configs and Regions merge; source names who set identifier', () => {
  const eff = effectiveBedrockPolicy([
    lvl('r-ab12', ['p-root', 'baseline', inference({ 'us-east-1': { config_1: {
      identifier: { '@@assign': `${ARN}:1` },
      model_enforcement: { included_models: { '@@assign': ['ALL'] }, excluded_models: { '@@assign': ['amazon.titan-embed-text-v2:0'] } },
    } } })]),
    lvl('ou-ab12-11111111', ['p-ou', 'finance', inference({
      'us-east-1': { config_1: {
        identifier: { '@@assign': `${ARN}:2` },
        model_enforcement: { included_models: { '@@append': [] }, excluded_models: { '@@append': ['cohere.embed-english-v3'] } },
      } },
      'eu-west-1': { eu: { identifier: { '@@assign': `arn:aws:bedrock:eu-west-1:${MGMT}:guardrail/eugr:4` } } },
    })]),
    lvl('111122223333', ['p-acct', 'team', inference({ 'us-east-1': { config_1: { selective_content_guarding: { messages: { '@@assign': 'selective' } } } } })]),
  ]);
  assert.deepEqual(eff.warnings, []);
  assert.deepEqual(eff.configs.map((c) => [c.region, c.configName, c.version, c.source.policyId, c.messages, c.excludedModels]), [
    ['eu-west-1', 'eu', 4, 'p-ou', 'COMPREHENSIVE', []],
    ['us-east-1', 'config_1', 2, 'p-ou', 'SELECTIVE', ['amazon.titan-embed-text-v2:0', 'cohere.embed-english-v3']],
  ]);
});

test('a locked identifier survives a child override, which becomes a warning', () => {
  const eff = effectiveBedrockPolicy([
    lvl('r-ab12', ['p-root', 'locked', inference({ 'us-east-1': { config_1: {
      identifier: { '@@assign': `${ARN}:1`, '@@operators_allowed_for_child_policies': ['@@none'] },
    } } })]),
    lvl('ou-ab12-11111111', ['p-ou', 'sneaky', inference({ 'us-east-1': { config_1: { identifier: { '@@assign': `${ARN}:9` } } } })]),
  ]);
  assert.equal(eff.configs[0]?.version, 1);
  assert.equal(eff.configs[0]?.source.policyId, 'p-root');
  assert.equal(eff.warnings.length, 1);
  assert.match(eff.warnings[0] ?? '', /policy p-ou 'sneaky' attached to ou-ab12-11111111 uses @@assign at bedrock\.guardrail_inference\.us-east-1\.config_1\.identifier, but policy p-root 'locked' attached to r-ab12 allows no changes \(@@none\)/);
});

test('a lock at the bedrock level freezes the whole document for children', () => {
  const eff = effectiveBedrockPolicy([
    lvl('r-ab12', ['p-root', 'lock-all', { bedrock: { '@@operators_allowed_for_child_policies': ['@@none'], ...inference({ 'us-east-1': { c: { identifier: { '@@assign': `${ARN}:1` } } } }).bedrock } }]),
    lvl('ou-x', ['p-ou', 'more', inference({ 'us-east-1': { c2: { identifier: { '@@assign': `${ARN}:2` } } }, 'us-west-2': { c: { input_tags: { '@@assign': 'honor' } } } })]),
  ]);
  assert.deepEqual(eff.configs.map((c) => c.configName), ['c']);
  assert.equal(eff.warnings.length, 2);
});

test('a configuration without an identifier after inheritance is dropped with a warning', () => {
  const eff = effectiveBedrockPolicy([
    lvl('r-ab12', ['p-1', 'models only', inference({ 'us-east-1': { orphan: { model_enforcement: { included_models: { '@@assign': ['ALL'] }, excluded_models: { '@@assign': [] } } } } })]),
  ]);
  assert.deepEqual(eff.configs, []);
  assert.deepEqual(eff.dropped.map((d) => [d.region, d.configName]), [['us-east-1', 'orphan']]);
  assert.match(eff.warnings[0] ?? '', /us-east-1\.orphan has no identifier after inheritance/);
});

test('input_tags (preview) maps onto the guarding modes unless they are set', () => {
  const eff = effectiveBedrockPolicy([lvl('r-1', ['p-1', 'preview', inference({ 'us-east-1': {
    honor: { identifier: { '@@assign': `${ARN}:1` }, input_tags: { '@@assign': 'honor' } },
    ignore: { identifier: { '@@assign': `${ARN}:1` }, input_tags: { '@@assign': 'ignore' } },
    mixed: { identifier: { '@@assign': `${ARN}:1` }, input_tags: { '@@assign': 'honor' }, selective_content_guarding: { system: { '@@assign': 'comprehensive' } } },
  } })])]);
  assert.deepEqual(eff.configs.map((c) => [c.configName, c.system, c.messages, c.inputTags]), [
    ['honor', 'SELECTIVE', 'SELECTIVE', 'HONOR'],
    ['ignore', 'COMPREHENSIVE', 'COMPREHENSIVE', 'IGNORE'],
    ['mixed', 'COMPREHENSIVE', 'SELECTIVE', 'HONOR'],
  ]);
});

test('removing every included model warns that the empty list means every model', () => {
  const eff = effectiveBedrockPolicy([
    lvl('r-1', ['p-1', 'a', inference({ 'us-east-1': { c: { identifier: { '@@assign': `${ARN}:1` }, model_enforcement: { included_models: { '@@assign': ['amazon.nova-pro-v1:0'] }, excluded_models: { '@@assign': [] } } } } })]),
    lvl('ou-1', ['p-2', 'b', inference({ 'us-east-1': { c: { model_enforcement: { included_models: { '@@remove': ['amazon.nova-pro-v1:0'] }, excluded_models: { '@@append': [] } } } } })]),
  ]);
  assert.deepEqual(eff.configs[0]?.includedModels, []);
  assert.equal(eff.warnings.length, 1);
  assert.match(eff.warnings[0] ?? '', /included_models is empty after @@remove/);
});

test('an invalid stored policy is left out and reported, so a caller can fail closed', () => {
  const eff = effectiveBedrockPolicy([
    lvl('r-1', ['p-bad', 'broken', '{"bedrock": {"nope": 1}}'], ['p-ok', 'fine', inference({ 'us-east-1': { c: { identifier: { '@@assign': `${ARN}:1` } } } })]),
  ]);
  assert.equal(eff.configs.length, 1);
  assert.deepEqual(eff.invalidPolicies.map((p) => [p.policyId, p.policyName, p.targetId]), [['p-bad', 'broken', 'r-1']]);
  assert.match(eff.invalidPolicies[0]?.message ?? '', /unknown key "nope"/);
  assert.match(eff.warnings[0] ?? '', /policy p-bad 'broken' attached to r-1 is not a valid BEDROCK_POLICY/);
});

test('a pre-parsed document is used as is; no policies at all give an empty effective policy', () => {
  const doc = parseBedrockPolicy(JSON.stringify(DOC_EXAMPLE));
  const eff = effectiveBedrockPolicy([{ targetId: 'r-1', policies: [{ policyId: 'p-1', name: 'n', content: 'ignored', doc }] }]);
  assert.equal(eff.configs.length, 1);
  assert.equal(effectiveBedrockPolicy([]).content, '{}');
  assert.deepEqual(effectiveBedrockPolicy([{ targetId: 'r-1', policies: [] }]).configs, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ServiceError } from '../core/errors.ts';
import type { EffectiveGuardrailConfig } from './bedrock-policy.ts';
import { resolveGuardrails } from './resolve.ts';
import type { AccountEnforcedConfig, RequestGuardrail, Resolution, ResolveInput } from './resolve.ts';

const CALLER = '111122223333';
const MGMT = '999988887777';
const REGION = 'us-east-1';
const arn = (id: string, account = MGMT, region = REGION) => `arn:aws:bedrock:${region}:${account}:guardrail/${id}`;
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

function org(configName: string, over: Partial<EffectiveGuardrailConfig> = {}): EffectiveGuardrailConfig {
  const id = over.guardrailId ?? 'orggr';
  return {
    region: REGION, configName, guardrailArn: arn(id), guardrailId: id, ownerAccountId: MGMT, version: 1,
    system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE', includedModels: [], excludedModels: [],
    source: { policyId: 'p-11111111', policyName: 'baseline', targetId: 'ou-ab12-11111111' },
    ...over,
  };
}

function account(over: Partial<AccountEnforcedConfig> = {}): AccountEnforcedConfig {
  const id = over.guardrailId ?? 'acctgr';
  return {
    configId: 'cfg1', guardrailArn: arn(id, CALLER), guardrailId: id, ownerAccountId: CALLER, version: 3,
    system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE', includedModels: ['ALL'], excludedModels: [], ...over,
  };
}

function request(over: Partial<RequestGuardrail> = {}): RequestGuardrail {
  const id = over.guardrailId ?? 'reqgr';
  return { guardrailArn: arn(id, CALLER), guardrailId: id, ownerAccountId: CALLER, version: 'DRAFT', ...over };
}

const resolve = (over: Partial<ResolveInput>): Resolution =>
  resolveGuardrails({ accountId: CALLER, region: REGION, modelId: HAIKU, orgConfigs: [], ...over });

/** A compact view: id@version origins system/messages. */
const applied = (r: Resolution) =>
  r.applied.map((a) => `${a.guardrailId}@${a.version} ${a.origins.join('+')} ${a.system}/${a.messages}`);

interface Row {
  readonly row: string;
  readonly name: string;
  readonly input: Partial<ResolveInput>;
  readonly check: (r: Resolution) => void;
}

const ROWS: Row[] = [
  {
    row: 'R1', name: 'nothing configured, nothing requested', input: {},
    check: (r) => assert.deepEqual([r.applied, r.skipped], [[], []]),
  },
  {
    row: 'R2', name: 'configs of another Region are skipped with the reason',
    input: {
      orgConfigs: [org('c1', { region: 'eu-west-1', guardrailArn: arn('orggr', MGMT, 'eu-west-1') })],
      accountConfig: account({ guardrailArn: arn('acctgr', CALLER, 'eu-west-1') }),
    },
    check: (r) => {
      assert.deepEqual(r.applied, []);
      assert.deepEqual(r.skipped.map((s) => [s.origin, s.reason]), [
        ['ORGANIZATION_ENFORCED', 'configured for Region eu-west-1; this call is in us-east-1'],
        ['ACCOUNT_ENFORCED', 'configured for Region eu-west-1; this call is in us-east-1'],
      ]);
    },
  },
  {
    row: 'R3', name: 'an excluded model is skipped',
    input: { orgConfigs: [org('c1', { excludedModels: ['anthropic.claude-3-haiku-20240307-v1:0'] })] },
    check: (r) => {
      assert.deepEqual(r.applied, []);
      assert.match(r.skipped[0]?.reason ?? '', /excluded models entry "anthropic\.claude-3-haiku-20240307-v1:0"/);
    },
  },
  {
    row: 'R4', name: 'a model both included and excluded is excluded',
    input: {
      orgConfigs: [org('c1', { includedModels: [HAIKU], excludedModels: [HAIKU] })],
      accountConfig: account({ includedModels: ['ALL'], excludedModels: ['anthropic.claude-3-haiku-20240307-v1'] }),
    },
    check: (r) => {
      assert.deepEqual(r.applied, []);
      assert.equal(r.skipped.length, 2);
    },
  },
  {
    row: 'R5', name: 'an empty included list means every model',
    input: { orgConfigs: [org('c1', { includedModels: [], excludedModels: ['amazon.nova-pro-v1:0'] })] },
    check: (r) => assert.deepEqual(applied(r), ['orggr@1 ORGANIZATION_ENFORCED COMPREHENSIVE/COMPREHENSIVE']),
  },
  {
    row: 'R6', name: 'ALL means every model',
    input: { orgConfigs: [org('c1', { includedModels: ['ALL'] })], modelId: 'acme.brand-new-model-v9:0' },
    check: (r) => assert.equal(r.applied.length, 1),
  },
  {
    row: 'R7', name: 'the included list names the model, exactly or without version',
    input: {
      orgConfigs: [
        org('exact', { includedModels: ['amazon.nova-pro-v1:0', HAIKU] }),
        org('unversioned', { includedModels: ['anthropic.claude-3-haiku-20240307-v1'], guardrailId: 'other' }),
      ],
    },
    check: (r) => assert.deepEqual(r.applied.map((a) => a.guardrailId), ['orggr', 'other']),
  },
  {
    row: 'R8', name: 'the included list names only other models',
    input: { orgConfigs: [org('c1', { includedModels: ['amazon.nova-pro-v1:0', 'meta.llama3-8b-instruct-v1:0'] })] },
    check: (r) => {
      assert.deepEqual(r.applied, []);
      assert.equal(r.skipped[0]?.reason, `model ${HAIKU} is not in the included models (amazon.nova-pro-v1:0, meta.llama3-8b-instruct-v1:0)`);
    },
  },
  {
    row: 'R9', name: 'inference profiles and foundation-model ARNs are scoped as their model',
    input: { orgConfigs: [org('c1', { excludedModels: [HAIKU] })], modelId: `us.${HAIKU}` },
    check: (r) => {
      assert.equal(r.modelId, HAIKU);
      assert.deepEqual(r.applied, []);
      const viaArn = resolve({ orgConfigs: [org('c1', { includedModels: [HAIKU] })], modelId: `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}` });
      assert.equal(viaArn.applied.length, 1);
      const viaProfileArn = resolve({ orgConfigs: [org('c1', { includedModels: [HAIKU] })], modelId: `arn:aws:bedrock:us-east-1:${CALLER}:inference-profile/global.${HAIKU}` });
      assert.equal(viaProfileArn.applied.length, 1);
    },
  },
  {
    row: 'R10', name: 'an opaque ARN with a specific included list is guarded (fail closed)',
    input: {
      orgConfigs: [org('c1', { includedModels: [HAIKU], excludedModels: [HAIKU] })],
      accountConfig: account({ includedModels: ['amazon.nova-pro-v1:0'] }),
      modelId: `arn:aws:bedrock:us-east-1:${CALLER}:application-inference-profile/a1b2c3d4e5f6`,
    },
    check: (r) => {
      assert.deepEqual(r.applied.map((a) => a.guardrailId), ['orggr', 'acctgr']);
      assert.equal(r.modelId, `arn:aws:bedrock:us-east-1:${CALLER}:application-inference-profile/a1b2c3d4e5f6`);
    },
  },
  {
    row: 'R11', name: 'an applicable org config: ORGANIZATION_ENFORCED, its modes, its reason',
    input: { orgConfigs: [org('config_1', { system: 'SELECTIVE', messages: 'COMPREHENSIVE', version: 4 })] },
    check: (r) => {
      assert.deepEqual(r.applied, [{
        guardrailArn: arn('orggr'), guardrailId: 'orggr', version: 4, ownerAccountId: MGMT, origins: ['ORGANIZATION_ENFORCED'],
        ownership: 'CROSS_ACCOUNT', system: 'SELECTIVE', messages: 'COMPREHENSIVE', requested: false, guardOutput: true,
        reasons: ["organization policy p-11111111 'baseline' attached to ou-ab12-11111111 (config 'config_1')"],
      }]);
    },
  },
  {
    row: 'R12', name: 'the account config: ACCOUNT_ENFORCED, its modes, its reason',
    input: { accountConfig: account({ system: 'SELECTIVE', messages: 'SELECTIVE' }) },
    check: (r) => {
      assert.deepEqual(applied(r), ['acctgr@3 ACCOUNT_ENFORCED SELECTIVE/SELECTIVE']);
      assert.deepEqual(r.applied[0]?.reasons, ['account-level configuration cfg1']);
    },
  },
  {
    row: 'R13', name: 'the request guardrail always applies, honouring tags',
    input: { requestGuardrail: request(), modelId: 'amazon.titan-embed-text-v2:0' },
    check: (r) => {
      assert.deepEqual(r.applied, [{
        guardrailArn: arn('reqgr', CALLER), guardrailId: 'reqgr', version: 'DRAFT', ownerAccountId: CALLER, origins: ['REQUEST'],
        ownership: 'SELF', system: 'SELECTIVE', messages: 'SELECTIVE', requested: true, guardOutput: true,
        reasons: ['named in the request'],
      }]);
    },
  },
  {
    row: 'R14', name: 'a requested guardrail of another Region is a ValidationException',
    input: {},
    check: () => {
      assert.throws(
        () => resolve({ requestGuardrail: request({ guardrailArn: arn('reqgr', CALLER, 'eu-west-1') }) }),
        (e: unknown) => e instanceof ServiceError && e.code === 'ValidationException' && /is in Region eu-west-1, but this call is in us-east-1/.test(e.message),
      );
    },
  },
  {
    row: 'R15', name: 'the same ARN and version from every origin is one entry with merged origins',
    input: {
      orgConfigs: [org('c1', { guardrailArn: arn('shared'), guardrailId: 'shared', version: 2 })],
      accountConfig: account({ guardrailArn: arn('shared'), guardrailId: 'shared', ownerAccountId: MGMT, version: 2 }),
      requestGuardrail: request({ guardrailArn: arn('shared'), guardrailId: 'shared', ownerAccountId: MGMT, version: 2 }),
    },
    check: (r) => {
      assert.deepEqual(applied(r), ['shared@2 REQUEST+ACCOUNT_ENFORCED+ORGANIZATION_ENFORCED COMPREHENSIVE/COMPREHENSIVE']);
      assert.equal(r.applied[0]?.requested, true);
      assert.deepEqual(r.applied[0]?.reasons, [
        "organization policy p-11111111 'baseline' attached to ou-ab12-11111111 (config 'c1')",
        'account-level configuration cfg1',
        'named in the request',
      ]);
    },
  },
  {
    row: 'R16', name: 'the most restrictive mode wins, per system and per messages',
    input: {
      orgConfigs: [org('c1', { guardrailArn: arn('shared'), guardrailId: 'shared', system: 'SELECTIVE', messages: 'COMPREHENSIVE' })],
      accountConfig: account({ guardrailArn: arn('shared'), guardrailId: 'shared', version: 1, system: 'COMPREHENSIVE', messages: 'SELECTIVE' }),
    },
    check: (r) => assert.deepEqual(applied(r), ['shared@1 ACCOUNT_ENFORCED+ORGANIZATION_ENFORCED COMPREHENSIVE/COMPREHENSIVE']),
  },
  {
    row: 'R17', name: 'different versions of one guardrail are separate entries',
    input: {
      orgConfigs: [org('c1', { version: 1 }), org('c2', { version: 2 })],
      requestGuardrail: request({ guardrailArn: arn('orggr'), guardrailId: 'orggr', ownerAccountId: MGMT, version: 'DRAFT' }),
    },
    check: (r) => assert.deepEqual(applied(r), [
      'orggr@1 ORGANIZATION_ENFORCED COMPREHENSIVE/COMPREHENSIVE',
      'orggr@2 ORGANIZATION_ENFORCED COMPREHENSIVE/COMPREHENSIVE',
      'orggr@DRAFT REQUEST SELECTIVE/SELECTIVE',
    ]),
  },
  {
    row: 'R18', name: 'two org configs naming the same guardrail: one entry, two reasons',
    input: { orgConfigs: [org('c2'), org('c1', { system: 'SELECTIVE' })] },
    check: (r) => {
      assert.equal(r.applied.length, 1);
      assert.deepEqual(r.applied[0]?.reasons, [
        "organization policy p-11111111 'baseline' attached to ou-ab12-11111111 (config 'c1')",
        "organization policy p-11111111 'baseline' attached to ou-ab12-11111111 (config 'c2')",
      ]);
      assert.equal(r.applied[0]?.system, 'COMPREHENSIVE');
    },
  },
  {
    row: 'R19', name: 'ownership is SELF only for the caller account',
    input: { orgConfigs: [org('c1')], accountConfig: account() },
    check: (r) => assert.deepEqual(r.applied.map((a) => [a.guardrailId, a.ownership]), [['orggr', 'CROSS_ACCOUNT'], ['acctgr', 'SELF']]),
  },
  {
    row: 'R20', name: 'output is always guarded',
    input: {
      orgConfigs: [org('c1', { system: 'SELECTIVE', messages: 'SELECTIVE' })],
      accountConfig: account({ system: 'SELECTIVE', messages: 'SELECTIVE' }),
      requestGuardrail: request(),
    },
    check: (r) => {
      assert.equal(r.applied.length, 3);
      assert.ok(r.applied.every((a) => a.guardOutput === true));
    },
  },
  {
    row: 'R21', name: 'order: org (sorted), account, request; skipped: org, account',
    input: {
      requestGuardrail: request(),
      accountConfig: account({ excludedModels: [HAIKU] }),
      orgConfigs: [
        org('z', { guardrailId: 'zz', guardrailArn: arn('zz'), includedModels: ['amazon.nova-pro-v1:0'] }),
        org('b', { guardrailId: 'bb', guardrailArn: arn('bb') }),
        org('a', { guardrailId: 'aa', guardrailArn: arn('aa') }),
      ],
    },
    check: (r) => {
      assert.deepEqual(r.applied.map((a) => a.guardrailId), ['aa', 'bb', 'reqgr']);
      assert.deepEqual(r.skipped.map((s) => [s.origin, s.guardrailArn]), [['ORGANIZATION_ENFORCED', arn('zz')], ['ACCOUNT_ENFORCED', arn('acctgr', CALLER)]]);
      assert.match(r.skipped[0]?.source ?? '', /\(config 'z'\)/);
      assert.equal(r.skipped[1]?.source, 'account-level configuration cfg1');
    },
  },
  {
    row: 'R22', name: 'embedding models are flagged, the decision is unchanged',
    input: { orgConfigs: [org('c1')], modelId: 'cohere.embed-english-v3' },
    check: (r) => {
      assert.equal(r.embeddingModel, true);
      assert.equal(r.applied.length, 1);
      assert.equal(resolve({}).embeddingModel, false);
    },
  },
];

for (const row of ROWS) test(`${row.row}: ${row.name}`, () => row.check(resolve(row.input)));

test('every row of DECISION-TABLE.md and of the resolve.ts comment has a test, and no test lacks a row', () => {
  const rowsIn = (file: string, re: RegExp) => [...readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(re)].map((m) => m[1]);
  const tested = ROWS.map((r) => r.row);
  assert.deepEqual(rowsIn('./DECISION-TABLE.md', /^\| (R\d+) \|/gm), tested);
  assert.deepEqual(rowsIn('./resolve.ts', /^ \* \| (R\d+) +\|/gm), tested);
});

test('the account config defaults its Region to the guardrail ARN, unless given', () => {
  const r = resolve({ accountConfig: account({ region: 'eu-west-1' }) });
  assert.deepEqual(r.applied, []);
  assert.match(r.skipped[0]?.reason ?? '', /Region eu-west-1/);
});

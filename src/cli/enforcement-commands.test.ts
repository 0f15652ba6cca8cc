import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EnforcedConfig, putBody, splitWarnings } from './enforcement-commands.ts';
import { orgPathPattern, orgPolicy } from './resource-policy-commands.ts';

const EXISTING: EnforcedConfig = {
  configId: 'abc',
  guardrailArn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/g',
  guardrailId: 'g',
  guardrailVersion: '1',
  selectiveContentGuarding: { system: 'SELECTIVE', messages: 'COMPREHENSIVE' },
  modelEnforcement: { includedModels: ['ALL'], excludedModels: ['amazon.titan-embed-text-v2:0'] },
};

describe('enforcement put body', () => {
  it('creates with only what the flags say; --exclude alone means include ALL', () => {
    assert.deepEqual(putBody({ guardrail: 'g', guardrailVersion: '2', exclude: ['a.b,c.d', 'e.f'] }, undefined), {
      body: {
        guardrailInferenceConfig: {
          guardrailIdentifier: 'g',
          guardrailVersion: '2',
          modelEnforcement: { includedModels: ['ALL'], excludedModels: ['a.b', 'c.d', 'e.f'] },
        },
      },
      kept: [],
    });
  });

  it('updates the current configuration, keeping the settings no flag replaces', () => {
    const { body, kept } = putBody({ guardrail: 'g', guardrailVersion: '2', messages: 'SELECTIVE' }, EXISTING);
    assert.deepEqual(body, {
      configId: 'abc',
      guardrailInferenceConfig: {
        guardrailIdentifier: 'g',
        guardrailVersion: '2',
        selectiveContentGuarding: { system: 'SELECTIVE', messages: 'SELECTIVE' },
        modelEnforcement: EXISTING.modelEnforcement,
      },
    });
    assert.deepEqual(kept, ['system SELECTIVE', 'models ALL except amazon.titan-embed-text-v2:0']);
  });

  it('splits the warnings header', () => {
    assert.deepEqual(splitWarnings(null), []);
    assert.deepEqual(splitWarnings('one: a, b.; two.'), ['one: a, b.', 'two.']);
  });
});

describe('resource-policy --allow-org', () => {
  it('builds the organization statement, with OU paths', () => {
    assert.equal(orgPathPattern('o-abc', 'ou-ab12-cdefgh34'), 'o-abc/*/ou-ab12-cdefgh34/*');
    assert.equal(orgPathPattern('o-abc', 'o-abc/r-1234/*'), 'o-abc/r-1234/*');
    const p = orgPolicy('arn:g', 'o-abc', ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'], ['ou-ab12-cdefgh34']) as {
      Statement: Array<Record<string, unknown>>;
    };
    assert.deepEqual(p.Statement[0]?.Action, ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail']);
    assert.deepEqual(p.Statement[0]?.Condition, {
      StringEquals: { 'aws:PrincipalOrgID': 'o-abc' },
      'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abc/*/ou-ab12-cdefgh34/*'] },
    });
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { principalConditionKeys, principalType } from './context.ts';
import { authorize } from './evaluate.ts';
import { parsePolicy } from './parse.ts';
import type { PolicyDocument, PolicyKind } from './types.ts';

function parse(doc: unknown, kind: PolicyKind): PolicyDocument {
  const r = parsePolicy(JSON.stringify(doc), kind);
  if ('errors' in r) assert.fail(r.errors.join('; '));
  return r.policy;
}

const OWNER = '111122223333';
const MEMBER = '444455556666';
const GUARDRAIL = `arn:aws:bedrock:us-east-1:${OWNER}:guardrail/hu1dlsv9wy1d`;

test('principalConditionKeys: a member user in an OU', () => {
  assert.deepEqual(principalConditionKeys({
    arn: `arn:aws:iam::${MEMBER}:user/division/alice`, accountId: MEMBER, orgId: 'o-abc123',
    orgPath: 'o-abc123/r-ab12/ou-ab12-11111111/', region: 'us-east-1', guardrailIdentifier: `${GUARDRAIL}:1`,
  }), {
    'aws:PrincipalAccount': MEMBER,
    'aws:PrincipalArn': `arn:aws:iam::${MEMBER}:user/division/alice`,
    'aws:RequestedRegion': 'us-east-1',
    'aws:PrincipalType': 'User',
    'aws:username': 'alice',
    'aws:PrincipalOrgID': 'o-abc123',
    'aws:PrincipalOrgPaths': ['o-abc123/r-ab12/ou-ab12-11111111/'],
    'bedrock:GuardrailIdentifier': `${GUARDRAIL}:1`,
  });
});

test('principalConditionKeys: keys that do not apply are absent, not empty', () => {
  const keys = principalConditionKeys({ arn: `arn:aws:iam::${OWNER}:root`, accountId: OWNER, region: 'eu-west-1', orgId: '', orgPath: undefined });
  assert.deepEqual(keys, {
    'aws:PrincipalAccount': OWNER, 'aws:PrincipalArn': `arn:aws:iam::${OWNER}:root`, 'aws:RequestedRegion': 'eu-west-1', 'aws:PrincipalType': 'Account',
  });
  // the trailing slash of an org path is added when missing
  assert.deepEqual(principalConditionKeys({ arn: `arn:aws:iam::${OWNER}:root`, accountId: OWNER, region: 'eu-west-1', orgPath: 'o-abc123/r-ab12' })['aws:PrincipalOrgPaths'],
    ['o-abc123/r-ab12/']);
});

test('principalType', () => {
  assert.equal(principalType(`arn:aws:iam::${OWNER}:root`), 'Account');
  assert.equal(principalType(`arn:aws:iam::${OWNER}:user/bob`), 'User');
  assert.equal(principalType(`arn:aws:sts::${OWNER}:assumed-role/Reader/sess`), 'AssumedRole');
  assert.equal(principalType(`arn:aws:sts::${OWNER}:federated-user/bob`), 'FederatedUser');
  assert.equal(principalType(`arn:aws:iam::${OWNER}:role/Reader`), undefined);
  assert.equal(principalType('not-an-arn'), undefined);
});

test('the keys drive the documented org and OU shares', () => {
  const policy = parse({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: GUARDRAIL,
    Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/*/ou-ab12-11111111/*' } } }] }, 'resource');
  const identity = [{ label: 'id', policy: parse({ Statement: [{ Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: '*' }] }, 'identity') }];
  const call = (orgId?: string, orgPath?: string): string => {
    const principal = { arn: `arn:aws:iam::${MEMBER}:user/app`, accountId: MEMBER };
    const conditionKeys = principalConditionKeys({ ...principal, orgId, orgPath, region: 'us-east-1' });
    return authorize({ identity, resource: { label: 'rbp', policy }, resourceAccountId: OWNER,
      ctx: { principal, action: 'bedrock:ApplyGuardrail', resource: GUARDRAIL, conditionKeys } }).decision;
  };
  assert.equal(call('o-abc123', 'o-abc123/r-ab12/ou-ab12-11111111/'), 'Allow');
  assert.equal(call('o-abc123', 'o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-22222222/'), 'Allow');
  assert.equal(call('o-abc123', 'o-abc123/r-ab12/'), 'ImplicitDeny', 'account directly under the root');
  assert.equal(call('o-abc123'), 'ImplicitDeny', 'no path known');
  assert.equal(call(), 'ImplicitDeny', 'not in an organization');
});

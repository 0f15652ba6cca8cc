import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ServiceError } from '../core/errors.ts';
import { authorize } from './evaluate.ts';
import { parsePolicy } from './parse.ts';
import {
  describeResourcePolicyGrant, guardrailResourcePolicyProblems, validateGuardrailResourcePolicy,
} from './resource-policy.ts';
import type { GuardrailPolicyResource } from './resource-policy.ts';
import type { PolicyDocument } from './types.ts';

const OWNER = '111122223333';
const OTHER = '444455556666';
const ARN = `arn:aws:bedrock:us-east-1:${OWNER}:guardrail/hu1dlsv9wy1d`;
const PROFILE_ARN = `arn:aws:bedrock:us-east-1:${OWNER}:guardrail-profile/us.guardrail.v1:0`;
const GUARDRAIL: GuardrailPolicyResource = { arn: ARN, accountId: OWNER, kind: 'guardrail' };
const PROFILE: GuardrailPolicyResource = { arn: PROFILE_ARN, accountId: OWNER, kind: 'guardrail-profile' };
const ORG = { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } };

function rbp(statements: unknown[]): PolicyDocument {
  const r = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'resource');
  if ('errors' in r) assert.fail(r.errors.join('; '));
  return r.policy;
}
const allow = (over: Record<string, unknown>): Record<string, unknown> =>
  ({ Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: ARN, Condition: ORG, ...over });

function rejects(statement: Record<string, unknown>, needle: RegExp, resource = GUARDRAIL): void {
  const doc = rbp([statement]);
  assert.throws(() => validateGuardrailResourcePolicy(doc, resource), (e: unknown) => {
    assert.ok(e instanceof ServiceError);
    assert.equal(e.code, 'ValidationException');
    assert.match(e.message, needle);
    return true;
  }, JSON.stringify(statement));
}
const accepts = (statements: Array<Record<string, unknown>>, resource = GUARDRAIL): void =>
  assert.doesNotThrow(() => validateGuardrailResourcePolicy(rbp(statements), resource), JSON.stringify(statements));

test('accepts the documented patterns (API.md §4.5)', () => {
  // within the account
  accepts([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'], Resource: ARN }]);
  accepts([{ Effect: 'Allow', Principal: { AWS: [OWNER, `arn:aws:iam::${OWNER}:role/App`, `arn:aws:iam::${OWNER}:user/ops/bob`] }, Action: 'bedrock:GetGuardrail', Resource: ARN }]);
  // organization
  accepts([allow({ Action: ['bedrock:GetGuardrail', 'bedrock:ApplyGuardrail'] })]);
  accepts([allow({ Principal: { AWS: '*' } })]);
  // the seed's principal, made acceptable by an org condition
  accepts([allow({ Principal: { AWS: 'arn:aws:iam::*:root' } })]);
  // specific OUs, with or without the org id
  accepts([allow({ Condition: { ...ORG, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abc123/*/ou-ab12-11111111/*'] } } })]);
  accepts([allow({ Condition: { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-11111111/' } } })]);
  // condition keys are case-insensitive; action names too
  accepts([allow({ Action: 'BEDROCK:applyguardrail', Condition: { StringEquals: { 'AWS:PrincipalOrgId': 'o-abc123' } } })]);
  // resources: the ARN, a version, any version, *
  accepts([allow({ Resource: [ARN, `${ARN}:1`, `${ARN}:*`, `${ARN}:12345678`] }), allow({ Resource: '*' })]);
  // Deny statements only take rights away: any principal may be named
  accepts([allow({}), { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'bedrock:ApplyGuardrail', Resource: ARN },
    { Effect: 'Deny', Principal: '*', Action: 'bedrock:GetGuardrail', Resource: ARN }]);
  // guardrail profiles: ApplyGuardrail only
  accepts([allow({ Resource: PROFILE_ARN })], PROFILE);
});

test('rejects what Bedrock does not support, saying why and how to fix it', () => {
  // actions
  rejects(allow({ Action: 'bedrock:*' }), /Action 'bedrock:\*' is not supported: wildcards .*allowed: bedrock:ApplyGuardrail, bedrock:GetGuardrail/);
  rejects(allow({ Action: 'bedrock:*Guardrail' }), /wildcards are not accepted/);
  rejects(allow({ Action: 'bedrock:DeleteGuardrail' }), /can only grant bedrock:ApplyGuardrail, bedrock:GetGuardrail/);
  rejects(allow({ Action: 'bedrock:InvokeModel' }), /Action 'bedrock:InvokeModel' is not supported/);
  rejects(allow({ Action: 'bedrock:GetGuardrail', Resource: PROFILE_ARN }), /not supported on a guardrail profile.*only grant bedrock:ApplyGuardrail/, PROFILE);
  rejects(allow({ Action: 'bedrock:*', Resource: PROFILE_ARN }), /allowed: bedrock:ApplyGuardrail\)/, PROFILE);
  // Not* elements
  rejects(allow({ Action: undefined, NotAction: 'bedrock:DeleteGuardrail' }), /NotAction is not supported/);
  rejects(allow({ Resource: undefined, NotResource: 'arn:aws:s3:::x' }), /NotResource is not supported.*set Resource to/);
  rejects({ Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'bedrock:ApplyGuardrail', Resource: ARN },
    /NotPrincipal is not supported/);
  // resources
  rejects(allow({ Resource: `arn:aws:bedrock:us-east-1:${OWNER}:guardrail/other` }), /can only name the resource it is attached to/);
  rejects(allow({ Resource: `arn:aws:bedrock:*:${OWNER}:guardrail/*` }), /is not supported/);
  rejects(allow({ Resource: `${ARN}:DRAFT` }), /is not supported/);
  rejects(allow({ Resource: `${ARN}:0` }), /is not supported/);
  rejects(allow({ Resource: `${ARN}/1` }), new RegExp(`To name version 1, write '${ARN}:1'`));
  // principals
  rejects(allow({ Condition: undefined }), /without an organization condition would share the guardrail with every AWS account.*aws:PrincipalOrgID/);
  rejects(allow({ Principal: { AWS: 'arn:aws:iam::*:root' }, Condition: undefined }), /public principal/);
  rejects(allow({ Principal: { AWS: ['*', OWNER] }, Condition: undefined }), /public principal/);
  rejects(allow({ Principal: { AWS: OTHER }, Condition: undefined }), /belongs to account 444455556666, not to the owner 111122223333.*sharing outside the organization/);
  rejects(allow({ Principal: { AWS: `arn:aws:iam::${OTHER}:root` } }), /sharing outside the organization/);
  rejects(allow({ Principal: { AWS: `arn:aws:sts::${OTHER}:assumed-role/App/s1` }, Condition: undefined }), /belongs to account 444455556666/);
  rejects(allow({ Principal: { AWS: 'arn:aws:iam::4444*:root' } }), /principal 'arn:aws:iam::4444\*:root' is not supported; name your own account/);
  rejects(allow({ Principal: { AWS: 'arn:aws:iam::*:user/bob' } }), /is not supported/);
  rejects(allow({ Principal: { Service: 'bedrock.amazonaws.com' } }), /principal type 'Service' is not supported/);
  // conditions
  rejects(allow({ Condition: { StringEquals: { 'aws:SourceIp': '10.0.0.1' } } }), /condition key 'aws:SourceIp' \(StringEquals\) is not supported/);
  rejects(allow({ Condition: { ...ORG, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), /condition key 'aws:SourceIp'/);
  rejects(allow({ Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } } }), /operator 'StringLike' is not supported for aws:PrincipalOrgID; use StringEquals/);
  rejects(allow({ Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } } }), /operator 'StringEqualsIfExists' is not supported/);
  rejects(allow({ Condition: { 'ForAllValues:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/*' } } }), /use ForAnyValue:StringLike or ForAnyValue:StringEquals/);
  rejects(allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': '${aws:PrincipalOrgID}' } } }), /is not an organization id/);
  rejects(allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'abc123' } } }), /is not an organization id/);
  rejects(allow({ Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': '*' } } }), /must start with your organization id/);
  rejects(allow({ Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-*/r-ab12/*' } } }), /must start with your organization id/);
  // the seed's example: public principal, no condition, slash version
  const seed = parsePolicy('{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::*:root" }, "Action": "bedrock:ApplyGuardrail", "Resource": "arn:aws:bedrock:us-east-1:123456789012:guardrail/my-guardrail/1" } ] }', 'resource');
  assert.ok('policy' in seed);
  const problems = guardrailResourcePolicyProblems(seed.policy, { arn: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/my-guardrail', accountId: '123456789012', kind: 'guardrail' });
  assert.equal(problems.length, 2, problems.join('\n'));
});

test('all problems are reported at once, each naming its statement', () => {
  const doc = rbp([allow({ Sid: 'Share', Action: 'bedrock:*', Condition: undefined }), allow({ Resource: `${ARN}:v1` })]);
  const problems = guardrailResourcePolicyProblems(doc, GUARDRAIL);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0] ?? '', /^Statement\[0\] \(Sid "Share"\): Action/);
  assert.match(problems[2] ?? '', /^Statement\[1\]: Resource/);
  assert.throws(() => validateGuardrailResourcePolicy(doc, GUARDRAIL), /The resource policy is not supported for guardrail arn:.*Statement\[0\].*Statement\[1\]/);
});

test('property: an accepted policy never lets a principal outside the organization apply the guardrail', () => {
  const principal = fc.constantFrom<unknown>('*', { AWS: '*' }, { AWS: 'arn:aws:iam::*:root' }, { AWS: OWNER }, { AWS: `arn:aws:iam::${OWNER}:root` },
    { AWS: OTHER }, { AWS: `arn:aws:iam::${OTHER}:user/x` }, { AWS: 'arn:aws:iam::4444*:root' });
  const condition = fc.option(fc.constantFrom<Record<string, unknown>>(
    ORG, { StringEquals: { 'aws:PrincipalOrgID': '${aws:PrincipalOrgID}' } }, { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
    { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } }, { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': '*' } },
    { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/*' } }, { 'ForAllValues:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/*' } },
    { 'ForAnyValue:StringNotLike': { 'aws:PrincipalOrgPaths': 'o-zzz/*' } }, { Null: { 'aws:PrincipalOrgID': 'false' } },
  ), { nil: undefined });
  const stmt = fc.record({ principal, condition, effect: fc.constantFrom('Allow', 'Deny') }).map((s) => ({
    Effect: s.effect, Principal: s.principal, Action: 'bedrock:ApplyGuardrail', Resource: ARN, ...(s.condition ? { Condition: s.condition } : {}),
  }));
  const identity = [{ label: 'id', policy: (() => {
    const r = parsePolicy('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'identity');
    if ('errors' in r) throw new Error('bad');
    return r.policy;
  })() }];
  fc.assert(fc.property(fc.array(stmt, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, 'o-zzz'), fc.boolean(), (stmts, org, root) => {
    const doc = rbp(stmts);
    if (guardrailResourcePolicyProblems(doc, GUARDRAIL).length > 0) return;
    const principal = { arn: root ? `arn:aws:iam::${OTHER}:root` : `arn:aws:iam::${OTHER}:user/x`, accountId: OTHER };
    const conditionKeys: Record<string, string | string[]> = org ? { 'aws:PrincipalOrgID': org, 'aws:PrincipalOrgPaths': [`${org}/r-1/`] } : {};
    const got = authorize({ identity, resource: { label: 'rbp', policy: doc }, resourceAccountId: OWNER,
      ctx: { principal, action: 'bedrock:ApplyGuardrail', resource: ARN, conditionKeys } });
    assert.notEqual(got.decision, 'Allow', JSON.stringify(stmts));
  }), { numRuns: 500 });
});

test('describeResourcePolicyGrant: org-wide, OU paths, accounts, actions', () => {
  assert.deepEqual(describeResourcePolicyGrant(rbp([allow({ Action: ['bedrock:GetGuardrail', 'bedrock:ApplyGuardrail'] })]), 'o-abc123'),
    { orgWide: true, orgPaths: [], accounts: [], actions: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'] });
  assert.deepEqual(describeResourcePolicyGrant(rbp([allow({})]), 'o-other'), { orgWide: false, orgPaths: [], accounts: [], actions: [] });
  const ou = rbp([allow({ Condition: { ...ORG, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abc123/*/ou-1/*', 'o-zzz/*/ou-2/*'] } } })]);
  assert.deepEqual(describeResourcePolicyGrant(ou, 'o-abc123'), { orgWide: false, orgPaths: ['o-abc123/*/ou-1/*'], accounts: [], actions: ['bedrock:ApplyGuardrail'] });
  assert.deepEqual(describeResourcePolicyGrant(ou, 'o-zzz').orgPaths, [], 'the org id condition excludes o-zzz');
  const own = rbp([{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${OWNER}:root`, OTHER, `arn:aws:iam::${OWNER}:role/App`] }, Action: 'bedrock:GetGuardrail', Resource: ARN }]);
  assert.deepEqual(describeResourcePolicyGrant(own, 'o-abc123'), { orgWide: false, orgPaths: [], accounts: [OWNER, OTHER], actions: ['bedrock:GetGuardrail'] });
  // the seed's example (no condition) reaches everyone, the organization included
  const seed = rbp([allow({ Principal: { AWS: 'arn:aws:iam::*:root' }, Condition: undefined })]);
  assert.equal(describeResourcePolicyGrant(seed, 'o-abc123').orgWide, true);
  // filter by action: GetGuardrail org-wide does not make ApplyGuardrail org-wide
  const mixed = rbp([allow({ Action: 'bedrock:GetGuardrail' }), { Effect: 'Allow', Principal: { AWS: OWNER }, Action: 'bedrock:ApplyGuardrail', Resource: ARN }]);
  assert.deepEqual(describeResourcePolicyGrant(mixed, 'o-abc123', 'bedrock:ApplyGuardrail'), { orgWide: false, orgPaths: [], accounts: [OWNER], actions: ['bedrock:ApplyGuardrail'] });
  assert.equal(describeResourcePolicyGrant(mixed, 'o-abc123').orgWide, true);
  // an org-wide Deny takes the action away
  const denied = rbp([allow({}), { Effect: 'Deny', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: ARN }]);
  assert.deepEqual(describeResourcePolicyGrant(denied, 'o-abc123'), { orgWide: false, orgPaths: [], accounts: [], actions: [] });
  // a statement conditioned on anything else is not counted
  assert.equal(describeResourcePolicyGrant(rbp([allow({ Condition: { ...ORG, Bool: { 'aws:SecureTransport': 'true' } } })]), 'o-abc123').orgWide, false);
  // org-wide subsumes the OU paths
  const both = rbp([allow({}), allow({ Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/*/ou-1/*' } } })]);
  assert.deepEqual(describeResourcePolicyGrant(both, 'o-abc123').orgPaths, []);
});

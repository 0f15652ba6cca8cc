import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { authorize, evaluate, isAccountRoot } from './evaluate.ts';
import { parsePolicy } from './parse.ts';
import type { LabelledPolicy, PolicyDocument, PolicyKind, RequestContext } from './types.ts';

const ACCT = '111122223333';
const OTHER = '444455556666';

const action = fc.constantFrom('bedrock:ApplyGuardrail', 'bedrock:Get*', 'bedrock:*', '*', 's3:GetObject', 'BEDROCK:apply*',
  'bedrock:PutGuardrailPolicy');
const resource = fc.constantFrom('*', `arn:aws:bedrock:us-east-1:${ACCT}:guardrail/g1`, `arn:aws:bedrock:*:${ACCT}:guardrail/*`,
  'arn:aws:bedrock:*:${aws:PrincipalAccount}:guardrail/*', `arn:aws:bedrock:us-east-1:${OTHER}:guardrail/g2`);
const condition = fc.option(fc.constantFrom<Record<string, unknown>>(
  { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
  { StringNotEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } },
  { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
  { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/*/ou-1/*' } },
  { Null: { 'aws:SourceIp': 'true' } },
  { DateLessThan: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } },
), { nil: undefined });
const principal = fc.constantFrom<unknown>('*', { AWS: ACCT }, { AWS: `arn:aws:iam::${OTHER}:root` }, { AWS: 'arn:aws:iam::*:root' },
  { AWS: `arn:aws:iam::${OTHER}:user/bob` }, { AWS: `arn:aws:iam::${ACCT}:root` }, { AWS: `arn:aws:iam::${ACCT}:user/alice` });

const statement = (kind: PolicyKind, effect?: 'Allow' | 'Deny') =>
  fc.record({
    effect: effect ? fc.constant(effect) : fc.constantFrom('Allow', 'Deny'),
    not: fc.boolean(),
    action: fc.array(action, { minLength: 1, maxLength: 2 }),
    resource: fc.array(resource, { minLength: 1, maxLength: 2 }),
    condition,
    principal,
  }).map((s) => ({
    Effect: s.effect,
    [s.not ? 'NotAction' : 'Action']: s.action,
    Resource: s.resource,
    ...(s.condition ? { Condition: s.condition } : {}),
    ...(kind === 'resource' ? { Principal: s.principal } : {}),
  }));

function doc(statements: unknown[], kind: PolicyKind): PolicyDocument {
  const r = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind);
  if ('errors' in r) assert.fail(r.errors.join('; '));
  return r.policy;
}
const policies = (kind: PolicyKind, effect?: 'Allow' | 'Deny') =>
  fc.array(fc.array(statement(kind, effect), { minLength: 1, maxLength: 3 }), { maxLength: 3 })
    .map((list) => list.map((sts, i): LabelledPolicy => ({ label: `${kind}${effect ?? ''}${i}`, policy: doc(sts, kind) })));

const ctxArb: fc.Arbitrary<RequestContext> = fc.record({
  principal: fc.constantFrom({ arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT }, { arn: `arn:aws:iam::${OTHER}:user/bob`, accountId: OTHER },
    { arn: `arn:aws:sts::${OTHER}:assumed-role/r/s`, accountId: OTHER }, { arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT },
    { arn: `arn:aws:iam::${OTHER}:root`, accountId: OTHER }, { arn: `arn:aws:sts::${ACCT}:assumed-role/r/s`, accountId: ACCT }),
  action: fc.constantFrom('bedrock:ApplyGuardrail', 'bedrock:GetGuardrail', 's3:GetObject', 'bedrock:PutResourcePolicy'),
  resource: fc.constantFrom(`arn:aws:bedrock:us-east-1:${ACCT}:guardrail/g1`, `arn:aws:bedrock:us-east-1:${OTHER}:guardrail/g2`),
  conditionKeys: fc.record({
    'aws:PrincipalOrgID': fc.constantFrom('o-abc123', 'o-zzz'),
    'aws:PrincipalOrgPaths': fc.constantFrom(['o-abc123/r/ou-1/'], ['o-zzz/r/ou-2/'], [] as string[]),
    'aws:SourceIp': fc.constantFrom('10.1.2.3', '192.0.2.1'),
    'aws:RequestedRegion': fc.constantFrom('us-east-1', 'eu-west-1'),
    'aws:CurrentTime': fc.constantFrom('2026-01-01T00:00:00Z', '2026-11-25T00:00:00Z'),
  }, { requiredKeys: [] }),
});

test('property: adding Deny statements never turns a denial into Allow', () => {
  fc.assert(fc.property(policies('identity'), policies('identity', 'Deny'), ctxArb, (base, denies, ctx) => {
    const before = evaluate(base, ctx).decision;
    const after = evaluate([...base, ...denies], ctx).decision;
    if (before !== 'Allow') assert.notEqual(after, 'Allow');
    if (before === 'ExplicitDeny') assert.equal(after, 'ExplicitDeny');
  }), { numRuns: 500 });
});

test('property: an Allow never overrides an explicit Deny (evaluate and authorize)', () => {
  fc.assert(fc.property(policies('identity'), policies('identity', 'Allow'), policies('resource'), ctxArb, (base, allows, rbps, ctx) => {
    if (evaluate(base, ctx).decision === 'ExplicitDeny') {
      assert.equal(evaluate([...allows, ...base, ...allows], ctx).decision, 'ExplicitDeny');
    }
    const rbp = rbps[0];
    const auth = authorize({ identity: base, resource: rbp, resourceAccountId: ACCT, ctx });
    const authMore = authorize({ identity: [...base, ...allows], resource: rbp, resourceAccountId: ACCT, ctx });
    if (auth.decision === 'ExplicitDeny') assert.equal(authMore.decision, 'ExplicitDeny');
    // cross-account never allows more than each side alone would (the account root needs no identity policy)
    if (ctx.principal.accountId !== ACCT && authMore.decision === 'Allow') {
      if (!isAccountRoot(ctx.principal)) assert.equal(evaluate([...base, ...allows], ctx).decision, 'Allow');
      assert.ok(rbp && evaluate([rbp], ctx).decision === 'Allow');
    }
  }), { numRuns: 500 });
});

const withoutAllows = (p: LabelledPolicy | undefined): LabelledPolicy | undefined => {
  const kept = p?.policy.Statement.filter((st) => st.Effect !== 'Allow') ?? [];
  return p && kept.length > 0 ? { label: p.label, policy: { ...p.policy, Statement: kept } } : undefined;
};

test('property: adding a Deny never turns a denial into Allow (authorize, either side)', () => {
  fc.assert(fc.property(policies('identity'), policies('resource'), policies('identity', 'Deny'), policies('resource', 'Deny'), ctxArb,
    (identity, rbps, idDenies, resDenies, ctx) => {
      const resource = rbps[0];
      const before = authorize({ identity, resource, resourceAccountId: ACCT, ctx }).decision;
      const moreIdentity = authorize({ identity: [...identity, ...idDenies], resource, resourceAccountId: ACCT, ctx }).decision;
      const extra = resDenies[0]?.policy.Statement ?? [];
      const moreResource = authorize({ identity, resourceAccountId: ACCT, ctx,
        resource: resource ? { label: resource.label, policy: { ...resource.policy, Statement: [...resource.policy.Statement, ...extra] } } : resDenies[0] }).decision;
      for (const after of [moreIdentity, moreResource]) {
        if (before !== 'Allow') assert.notEqual(after, 'Allow');
        if (before === 'ExplicitDeny') assert.equal(after, 'ExplicitDeny');
      }
    }), { numRuns: 500 });
});

test('property: cross-account, removing the resource-policy Allow never grants', () => {
  fc.assert(fc.property(policies('identity'), policies('resource'), ctxArb, (identity, rbps, ctx) => {
    const resource = rbps[0];
    const full = authorize({ identity, resource, resourceAccountId: ACCT, ctx }).decision;
    const stripped = authorize({ identity, resource: withoutAllows(resource), resourceAccountId: ACCT, ctx }).decision;
    const none = authorize({ identity, resourceAccountId: ACCT, ctx }).decision;
    if (ctx.principal.accountId !== ACCT) {
      assert.notEqual(stripped, 'Allow');
      assert.notEqual(none, 'Allow');
    }
    // in any account, taking Allow statements away never grants more
    if (full !== 'Allow') assert.notEqual(stripped, 'Allow');
  }), { numRuns: 500 });
});

test('property: same account, a resource policy naming only account principals never grants on its own', () => {
  const accountOnly = fc.array(fc.record({
    principal: fc.constantFrom<unknown>({ AWS: ACCT }, { AWS: `arn:aws:iam::${ACCT}:root` }, { AWS: 'arn:aws:iam::*:root' }, { AWS: [ACCT, `arn:aws:iam::${OTHER}:root`] }),
    action: fc.array(action, { minLength: 1, maxLength: 2 }),
    resource: fc.array(resource, { minLength: 1, maxLength: 2 }),
    condition,
  }), { minLength: 1, maxLength: 3 }).map((list) => ({ label: 'rbp', policy: doc(list.map((s) => ({
    Effect: 'Allow', Principal: s.principal, Action: s.action, Resource: s.resource, ...(s.condition ? { Condition: s.condition } : {}),
  })), 'resource') }));
  fc.assert(fc.property(policies('identity'), accountOnly, ctxArb, (identity, rbp, ctx) => {
    if (ctx.principal.accountId !== ACCT || isAccountRoot(ctx.principal)) return;
    const got = authorize({ identity, resource: rbp, resourceAccountId: ACCT, ctx }).decision;
    if (got === 'Allow') assert.equal(evaluate(identity, ctx).decision, 'Allow');
  }), { numRuns: 500 });
});

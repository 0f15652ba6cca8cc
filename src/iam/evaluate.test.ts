import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, evaluate, isAccountRoot, substitute } from './evaluate.ts';
import { parsePolicy } from './parse.ts';
import type { Decision, PolicyDocument, PolicyKind, RequestContext } from './types.ts';

function parse(doc: unknown, kind: PolicyKind = 'identity'): PolicyDocument {
  const r = parsePolicy(JSON.stringify(doc), kind);
  if ('errors' in r) assert.fail(r.errors.join('; '));
  return r.policy;
}

const ACCT = '111122223333';
const OTHER = '444455556666';
const GUARDRAIL = `arn:aws:bedrock:us-east-1:${ACCT}:guardrail/hu1dlsv9wy1d`;

function ctx(over: Partial<RequestContext> = {}, keys: RequestContext['conditionKeys'] = {}): RequestContext {
  return {
    principal: { arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT },
    action: 'bedrock:ApplyGuardrail',
    resource: GUARDRAIL,
    conditionKeys: keys,
    ...over,
  };
}

/** One Allow statement with the given condition, evaluated as an identity policy. */
function withCondition(condition: Record<string, unknown>, keys: RequestContext['conditionKeys']): Decision {
  const p = parse({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }] });
  return evaluate([{ label: 'p', policy: p }], ctx({}, keys)).decision;
}

type Row = [name: string, condition: Record<string, unknown>, keys: RequestContext['conditionKeys'], expected: Decision];
const A: Decision = 'Allow';
const N: Decision = 'ImplicitDeny';

const CONDITION_TABLE: Row[] = [
  // String*
  ['StringEquals hit', { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }, { 'aws:RequestedRegion': 'us-east-1' }, A],
  ['StringEquals is case-sensitive', { StringEquals: { 'aws:RequestedRegion': 'US-EAST-1' } }, { 'aws:RequestedRegion': 'us-east-1' }, N],
  ['condition keys are case-insensitive', { StringEquals: { 'AWS:requestedregion': 'us-east-1' } }, { 'aws:RequestedRegion': 'us-east-1' }, A],
  ['StringEquals values ORed', { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, { 'aws:RequestedRegion': 'us-east-1' }, A],
  ['StringEquals missing key', { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }, {}, N],
  ['StringNotEquals hit', { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } }, { 'aws:RequestedRegion': 'us-east-1' }, A],
  ['StringNotEquals is NOR', { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, { 'aws:RequestedRegion': 'us-east-1' }, N],
  ['StringNotEquals missing key is true', { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } }, {}, A],
  ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-East-1' } }, { 'aws:RequestedRegion': 'us-east-1' }, A],
  ['StringNotEqualsIgnoreCase', { StringNotEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-East-1' } }, { 'aws:RequestedRegion': 'us-east-1' }, N],
  ['StringLike *', { StringLike: { 'aws:userid': 'AIDA*:alice' } }, { 'aws:userid': 'AIDAXYZ:alice' }, A],
  ['StringLike ?', { StringLike: { 'aws:userid': 'a?c' } }, { 'aws:userid': 'abbc' }, N],
  ['StringNotLike', { StringNotLike: { 'aws:userid': 'adm*' } }, { 'aws:userid': 'admin' }, N],
  ['StringNotLike miss', { StringNotLike: { 'aws:userid': 'adm*' } }, { 'aws:userid': 'alice' }, A],
  // keys ANDed, operators ANDed
  ['two keys ANDed (one fails)', { StringEquals: { 'k:a': '1', 'k:b': '2' } }, { 'k:a': '1', 'k:b': '3' }, N],
  ['two keys ANDed (both hold)', { StringEquals: { 'k:a': '1', 'k:b': '2' } }, { 'k:a': '1', 'k:b': '2' }, A],
  ['two operators ANDed', { StringEquals: { 'k:a': '1' }, Bool: { 'aws:SecureTransport': 'true' } }, { 'k:a': '1', 'aws:SecureTransport': 'false' }, N],
  // Numeric*
  ['NumericEquals', { NumericEquals: { 'k:n': '10' } }, { 'k:n': '10.0' }, A],
  ['NumericNotEquals', { NumericNotEquals: { 'k:n': '10' } }, { 'k:n': '10' }, N],
  ['NumericLessThan', { NumericLessThan: { 'k:n': 10 } }, { 'k:n': '9' }, A],
  ['NumericLessThan boundary', { NumericLessThan: { 'k:n': 10 } }, { 'k:n': '10' }, N],
  ['NumericLessThanEquals', { NumericLessThanEquals: { 'k:n': 10 } }, { 'k:n': '10' }, A],
  ['NumericGreaterThan', { NumericGreaterThan: { 'k:n': 10 } }, { 'k:n': '11' }, A],
  ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { 'k:n': 10 } }, { 'k:n': '9' }, N],
  ['Numeric with non-number context', { NumericGreaterThan: { 'k:n': 1 } }, { 'k:n': 'lots' }, N],
  // Date*
  ['DateLessThan', { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-11-25T12:00:00Z' }, A],
  ['DateGreaterThan', { DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-11-25T12:00:00Z' }, N],
  ['DateEquals epoch vs ISO', { DateEquals: { 'aws:EpochTime': '1767225600' } }, { 'aws:EpochTime': '2026-01-01T00:00:00Z' }, A],
  ['DateNotEquals', { DateNotEquals: { 'aws:CurrentTime': '2026-01-01' } }, { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, N],
  ['DateLessThanEquals', { DateLessThanEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, A],
  ['DateGreaterThanEquals offset', { DateGreaterThanEquals: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-01-01T00:30:00+01:00' }, N],
  // Bool, Binary
  ['Bool true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, A],
  ['Bool false', { Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'false' }, N],
  ['Bool missing', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, {}, N],
  ['BinaryEquals', { BinaryEquals: { 'k:b': 'QmluYXJ5' } }, { 'k:b': 'QmluYXJ5' }, A],
  // IpAddress
  ['IpAddress v4', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.9' }, A],
  ['IpAddress v4 miss', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '192.168.1.1' }, N],
  ['IpAddress v6', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } }, { 'aws:SourceIp': '2001:db8::7' }, A],
  ['NotIpAddress', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.1.2.3' }, N],
  ['NotIpAddress miss', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '11.1.2.3' }, A],
  ['IpAddress garbage context', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': 'localhost' }, N],
  // Arn*
  ['ArnLike any version', { ArnLike: { 'bedrock:GuardrailIdentifier': `${GUARDRAIL}:*` } }, { 'bedrock:GuardrailIdentifier': `${GUARDRAIL}:3` }, A],
  ['ArnLike :* excludes DRAFT', { ArnLike: { 'bedrock:GuardrailIdentifier': `${GUARDRAIL}:*` } }, { 'bedrock:GuardrailIdentifier': GUARDRAIL }, N],
  ['ArnLike id* includes DRAFT', { ArnLike: { 'bedrock:GuardrailIdentifier': `${GUARDRAIL}*` } }, { 'bedrock:GuardrailIdentifier': GUARDRAIL }, A],
  ['ArnEquals per-part wildcard', { ArnEquals: { 'aws:SourceArn': 'arn:aws:bedrock:*:111122223333:guardrail/*' } }, { 'aws:SourceArn': GUARDRAIL }, A],
  ['ArnLike wildcard does not cross parts', { ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:*:guardrail/hu1dlsv9wy1d:3' } }, { 'aws:SourceArn': `${GUARDRAIL}:3` }, N],
  ['StringLike wildcard does cross colons', { StringLike: { 'aws:SourceArn': 'arn:aws:bedrock:*:guardrail/hu1dlsv9wy1d:3' } }, { 'aws:SourceArn': `${GUARDRAIL}:3` }, A],
  ['ArnLike bare *', { ArnLike: { 'aws:SourceArn': '*' } }, { 'aws:SourceArn': GUARDRAIL }, A],
  ['ArnLike non-ARN context', { ArnLike: { 'aws:SourceArn': 'arn:*:*:*:*:*' } }, { 'aws:SourceArn': 'not-an-arn' }, N],
  ['ArnNotEquals', { ArnNotEquals: { 'aws:SourceArn': GUARDRAIL } }, { 'aws:SourceArn': GUARDRAIL }, N],
  ['ArnNotLike', { ArnNotLike: { 'aws:SourceArn': 'arn:aws:bedrock:eu-*:*:*' } }, { 'aws:SourceArn': GUARDRAIL }, A],
  // Null
  ['Null true, key absent', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, A],
  ['Null true, key present', { Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' }, N],
  ['Null false, key present', { Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': 'x' }, A],
  ['Null false, empty multi-valued key', { Null: { 'aws:TagKeys': 'false' } }, { 'aws:TagKeys': [] }, N],
  // IfExists
  ['StringEqualsIfExists absent', { StringEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } }, {}, A],
  ['StringEqualsIfExists present, mismatch', { StringEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } }, { 'aws:RequestedRegion': 'eu-west-1' }, N],
  ['NumericLessThanIfExists absent', { NumericLessThanIfExists: { 'k:n': '3' } }, {}, A],
  ['IpAddressIfExists present', { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '8.8.8.8' }, N],
  // set operators
  ['ForAnyValue:StringEquals hit', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }, { 'aws:TagKeys': ['cost', 'team'] }, A],
  ['ForAnyValue:StringEquals miss', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': ['cost', 'team'] }, N],
  ['ForAnyValue missing key is false', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } }, {}, N],
  ['ForAllValues:StringEquals subset', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }, { 'aws:TagKeys': ['team', 'env'] }, A],
  ['ForAllValues:StringEquals not subset', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }, { 'aws:TagKeys': ['team', 'cost'] }, N],
  ['ForAllValues missing key is vacuously true', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, {}, A],
  ['ForAnyValue:StringNotEquals', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': ['env', 'x'] }, A],
  ['ForAllValues:StringNotEquals', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': ['env', 'x'] }, N],
  ['ForAllValues:StringLikeIfExists absent', { 'ForAllValues:StringLikeIfExists': { 'aws:TagKeys': ['e*'] } }, {}, A],
  ['ForAnyValue:StringLike OU path', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abc123/*/ou-ab12-11111111/*'] } },
    { 'aws:PrincipalOrgPaths': ['o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-22222222/'] }, A],
  // policy variables in condition values
  ['variable in value', { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } }, { 'aws:ResourceAccount': ACCT }, A],
  ['variable in value, other account', { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } }, { 'aws:ResourceAccount': OTHER }, N],
  ['missing variable never matches', { StringLike: { 'k:a': '${aws:username}*' } }, { 'k:a': 'x' }, N],
  ['variable default', { StringEquals: { 'k:a': "${aws:username, 'nobody'}" } }, { 'k:a': 'nobody' }, A],
];

test('condition operators: decision table', () => {
  for (const [name, cond, keys, want] of CONDITION_TABLE) assert.equal(withCondition(cond, keys), want, name);
});

test('Action/NotAction and Resource/NotResource', () => {
  const rows: Array<[stmt: Record<string, unknown>, action: string, resource: string, want: Decision]> = [
    [{ Action: 'bedrock:ApplyGuardrail', Resource: '*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ Action: 'BEDROCK:applyguardrail', Resource: '*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ Action: 'bedrock:Get*', Resource: '*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, N],
    [{ Action: 'bedrock:*Guardrail', Resource: '*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ Action: 'bedrock:?pplyGuardrail', Resource: '*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ NotAction: 'bedrock:Delete*', Resource: '*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ NotAction: 'bedrock:*', Resource: '*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, N],
    [{ Action: '*', Resource: `arn:aws:bedrock:*:${ACCT}:guardrail/*` }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ Action: '*', Resource: `arn:aws:bedrock:*:${OTHER}:guardrail/*` }, 'bedrock:ApplyGuardrail', GUARDRAIL, N],
    [{ Action: '*', Resource: GUARDRAIL.toUpperCase().replace('ARN:AWS', 'arn:aws') }, 'bedrock:ApplyGuardrail', GUARDRAIL, N],
    [{ Action: '*', NotResource: `arn:aws:bedrock:*:*:guardrail-profile/*` }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ Action: '*', NotResource: `arn:aws:bedrock:*:*:guardrail/*` }, 'bedrock:ApplyGuardrail', GUARDRAIL, N],
    [{ Action: '*', Resource: 'arn:aws:bedrock:*:${aws:PrincipalAccount}:guardrail/*' }, 'bedrock:ApplyGuardrail', GUARDRAIL, A],
    [{ Action: '*', Resource: 'arn:aws:bedrock:*:*:guardrail/${aws:username}' }, 'bedrock:ApplyGuardrail', GUARDRAIL, N],
  ];
  for (const [stmt, action, resource, want] of rows) {
    const p = parse({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...stmt }] });
    assert.equal(evaluate([{ label: 'p', policy: p }], ctx({ action, resource })).decision, want, JSON.stringify(stmt));
  }
});

test('policy variables are literal in Version 2008-10-17 (or no Version)', () => {
  const res = 'arn:aws:bedrock:*:${aws:PrincipalAccount}:guardrail/*';
  const old = parse({ Statement: [{ Effect: 'Allow', Action: '*', Resource: res }] });
  assert.equal(evaluate([{ label: 'p', policy: old }], ctx()).decision, 'ImplicitDeny');
  const lit = `arn:aws:bedrock:us-east-1:\${aws:PrincipalAccount}:guardrail/x`;
  assert.equal(evaluate([{ label: 'p', policy: old }], ctx({ resource: lit })).decision, 'Allow');
  const keys = new Map([['aws:username', ['bob']], ['aws:tagkeys', ['a', 'b']]]);
  assert.equal(substitute('home/${aws:username}/${*}', keys, true), 'home/bob/*');
  assert.equal(substitute('${aws:TagKeys}', keys, true), undefined, 'multi-valued keys cannot be substituted');
  assert.equal(substitute('${aws:username}', keys, false), '${aws:username}');
});

test('explicit Deny > Allow > implicit deny, with reasons', () => {
  const allow = parse({ Statement: [{ Sid: 'AllowApply', Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: '*' }] });
  const deny = parse({ Statement: [
    { Effect: 'Allow', Action: 'bedrock:Get*', Resource: '*' },
    { Effect: 'Deny', Action: 'bedrock:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' } } },
  ] });
  assert.deepEqual(evaluate([{ label: 'a', policy: allow }], ctx()), { decision: 'Allow', reasons: ['a:AllowApply'] });
  assert.deepEqual(evaluate([{ label: 'a', policy: allow }, { label: 'd', policy: deny }], ctx({}, { 'aws:RequestedRegion': 'us-east-1' })),
    { decision: 'ExplicitDeny', reasons: ['d:Statement[1]'] });
  assert.deepEqual(evaluate([{ label: 'a', policy: allow }, { label: 'd', policy: deny }], ctx({}, { 'aws:RequestedRegion': 'eu-west-1' })),
    { decision: 'Allow', reasons: ['a:AllowApply'] });
  assert.deepEqual(evaluate([{ label: 'a', policy: allow }], ctx({ action: 'bedrock:DeleteGuardrail' })), { decision: 'ImplicitDeny', reasons: [] });
  assert.deepEqual(evaluate([], ctx()), { decision: 'ImplicitDeny', reasons: [] });
});

// ---------- principals ----------

const rbp = (principal: unknown, extra: Record<string, unknown> = {}, notPrincipal = false): PolicyDocument =>
  parse({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', [notPrincipal ? 'NotPrincipal' : 'Principal']: principal,
    Action: 'bedrock:ApplyGuardrail', Resource: GUARDRAIL, ...extra }] }, 'resource');

test('Principal and NotPrincipal matching', () => {
  const alice = { arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT };
  const bob = { arn: `arn:aws:iam::${OTHER}:user/bob`, accountId: OTHER };
  const session = { arn: `arn:aws:sts::${OTHER}:assumed-role/Reader/sess-1`, accountId: OTHER };
  const rows: Array<[principal: unknown, who: RequestContext['principal'], want: Decision, not?: boolean]> = [
    ['*', bob, A],
    [{ AWS: '*' }, bob, A],
    [{ AWS: OTHER }, bob, A],
    [{ AWS: OTHER }, alice, N],
    [{ AWS: `arn:aws:iam::${OTHER}:root` }, bob, A],
    [{ AWS: `arn:aws:iam::${OTHER}:root` }, session, A],
    [{ AWS: `arn:aws:iam::${OTHER}:root` }, alice, N],
    [{ AWS: `arn:aws:iam::${OTHER}:user/bob` }, bob, A],
    [{ AWS: `arn:aws:iam::${OTHER}:user/bob` }, { arn: `arn:aws:iam::${OTHER}:user/bobby`, accountId: OTHER }, N],
    [{ AWS: `arn:aws:iam::${OTHER}:role/Reader` }, session, A],
    [{ AWS: `arn:aws:iam::${OTHER}:role/team/Reader` }, session, A],
    [{ AWS: `arn:aws:iam::${OTHER}:role/Writer` }, session, N],
    [{ AWS: `arn:aws:iam::${ACCT}:role/Reader` }, session, N],
    [{ AWS: [`arn:aws:iam::${ACCT}:root`, OTHER] }, bob, A],
    [{ Service: 'bedrock.amazonaws.com' }, bob, N],
    // seed example: `*` in the account position is treated as a wildcard pattern
    [{ AWS: 'arn:aws:iam::*:root' }, bob, A],
    [{ AWS: 'arn:aws:iam::4444*:root' }, bob, A],
    [{ AWS: 'arn:aws:iam::4444*:root' }, alice, N],
    // NotPrincipal: everyone except
    [{ AWS: `arn:aws:iam::${OTHER}:user/bob` }, bob, N, true],
    [{ AWS: `arn:aws:iam::${OTHER}:user/bob` }, alice, A, true],
  ];
  for (const [principal, who, want, not] of rows) {
    const got = evaluate([{ label: 'rbp', policy: rbp(principal, {}, not ?? false) }], ctx({ principal: who })).decision;
    assert.equal(got, want, `${JSON.stringify(principal)} ${not ? '(NotPrincipal) ' : ''}vs ${who.arn}`);
  }
});

// ---------- authorize: same account vs cross-account ----------

const idAllow = parse({ Statement: [{ Sid: 'IdAllow', Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: '*' }] });
const idDeny = parse({ Statement: [{ Sid: 'IdDeny', Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }] });
const idOther = parse({ Statement: [{ Effect: 'Allow', Action: 'bedrock:GetGuardrail', Resource: '*' }] });
const resAllowOther = rbp({ AWS: `arn:aws:iam::${OTHER}:root` });
const resAllowSame = rbp({ AWS: `arn:aws:iam::${ACCT}:user/alice` });
const resDenyAll = parse({ Statement: [{ Sid: 'NoOne', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }] }, 'resource');

test('authorize: same-account OR, cross-account AND, explicit Deny wins', () => {
  const alice = ctx();
  const bob = ctx({ principal: { arn: `arn:aws:iam::${OTHER}:user/bob`, accountId: OTHER } });
  type Case = [name: string, identity: PolicyDocument[], resource: PolicyDocument | undefined, c: RequestContext, want: Decision];
  const cases: Case[] = [
    ['same: identity only', [idAllow], undefined, alice, A],
    ['same: resource only', [idOther], resAllowSame, alice, A],
    ['same: neither', [idOther], resAllowOther, alice, N],
    ['same: identity deny beats resource allow', [idDeny], resAllowSame, alice, 'ExplicitDeny'],
    ['same: resource deny beats identity allow', [idAllow], resDenyAll, alice, 'ExplicitDeny'],
    ['cross: both allow', [idAllow], resAllowOther, bob, A],
    ['cross: identity only', [idAllow], undefined, bob, N],
    ['cross: identity only, rbp for someone else', [idAllow], resAllowSame, bob, N],
    ['cross: resource only', [idOther], resAllowOther, bob, N],
    ['cross: resource only, no identity policies', [], resAllowOther, bob, N],
    ['cross: deny in identity', [idAllow, idDeny], resAllowOther, bob, 'ExplicitDeny'],
    ['cross: deny in resource', [idAllow], resDenyAll, bob, 'ExplicitDeny'],
  ];
  for (const [name, identity, resource, c, want] of cases) {
    const got = authorize({
      identity: identity.map((policy, i) => ({ label: `id${i}`, policy })),
      resource: resource ? { label: 'rbp', policy: resource } : undefined,
      resourceAccountId: ACCT,
      ctx: c,
    });
    assert.equal(got.decision, want, name);
    if (want !== 'ImplicitDeny') assert.ok(got.reasons.length > 0, `${name}: reasons`);
  }
  const both = authorize({ identity: [{ label: 'id', policy: idAllow }], resource: { label: 'rbp', policy: resAllowOther }, resourceAccountId: ACCT, ctx: bob });
  assert.deepEqual(both.reasons, ['id:IdAllow', 'rbp:Statement[0]']);
  const half = authorize({ identity: [{ label: 'id', policy: idAllow }], resourceAccountId: ACCT, ctx: bob });
  assert.match(half.reasons.join(), /resource-based policy does not allow/);
});

test('authorize: a resource policy naming the own account root delegates to identity policies (same account)', () => {
  const alice = ctx();
  const session = ctx({ principal: { arn: `arn:aws:sts::${ACCT}:assumed-role/App/s1`, accountId: ACCT } });
  const ownRoot = rbp({ AWS: `arn:aws:iam::${ACCT}:root` });
  const ownId = rbp({ AWS: ACCT });
  const anyRoot = rbp({ AWS: 'arn:aws:iam::*:root' });
  const run = (identity: PolicyDocument[], resource: PolicyDocument | undefined, c: RequestContext) => authorize({
    identity: identity.map((policy, i) => ({ label: `id${i}`, policy })),
    resource: resource ? { label: 'rbp', policy: resource } : undefined, resourceAccountId: ACCT, ctx: c,
  });
  type Case = [name: string, identity: PolicyDocument[], resource: PolicyDocument | undefined, c: RequestContext, want: Decision];
  const cases: Case[] = [
    ['own root in RBP, no identity allow', [idOther], ownRoot, alice, N],
    ['own root in RBP, identity allows', [idAllow], ownRoot, alice, A],
    ['own account id in RBP, no identity allow', [], ownId, alice, N],
    ['arn:aws:iam::*:root in RBP, no identity allow', [], anyRoot, alice, N],
    ['"*" in RBP grants directly', [], rbp('*'), alice, A],
    ['{"AWS":"*"} in RBP grants directly', [], rbp({ AWS: '*' }), alice, A],
    ['user ARN in RBP grants directly', [], rbp({ AWS: `arn:aws:iam::${ACCT}:user/alice` }), alice, A],
    ['role ARN in RBP grants its sessions directly', [], rbp({ AWS: `arn:aws:iam::${ACCT}:role/App` }), session, A],
    ['own root and the user: the direct entry counts', [], rbp({ AWS: [`arn:aws:iam::${ACCT}:root`, `arn:aws:iam::${ACCT}:user/alice`] }), alice, A],
    ['own root in RBP, session without identity allow', [], ownRoot, session, N],
  ];
  for (const [name, identity, resource, c, want] of cases) assert.equal(run(identity, resource, c).decision, want, name);
  assert.match(run([], ownRoot, alice).reasons.join(), /grants the account 111122223333 as a whole.*identity-based policy must also allow/);
  assert.deepEqual(run([idAllow], ownRoot, alice).reasons, ['id0:IdAllow', 'rbp:Statement[0]']);
});

test('authorize: the account root user', () => {
  const root = ctx({ principal: { arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT } });
  const otherRoot = ctx({ principal: { arn: `arn:aws:iam::${OTHER}:root`, accountId: OTHER } });
  const run = (identity: PolicyDocument[], resource: PolicyDocument | undefined, c: RequestContext) => authorize({
    identity: identity.map((policy, i) => ({ label: `id${i}`, policy })),
    resource: resource ? { label: 'rbp', policy: resource } : undefined, resourceAccountId: ACCT, ctx: c,
  });
  // own account: allowed without any policy, unless a Deny applies
  assert.equal(run([], undefined, root).decision, 'Allow');
  assert.match(run([], undefined, root).reasons[0] ?? '', /^account-root: /);
  assert.equal(run([], resAllowOther, root).decision, 'Allow');
  assert.deepEqual(run([], resDenyAll, root), { decision: 'ExplicitDeny', reasons: ['rbp:NoOne'] });
  assert.equal(run([idDeny], undefined, root).decision, 'ExplicitDeny');
  // cross-account: the root needs no identity policy, but the resource policy must allow it
  assert.equal(run([], undefined, otherRoot).decision, 'ImplicitDeny');
  assert.equal(run([], resAllowSame, otherRoot).decision, 'ImplicitDeny');
  assert.deepEqual(run([], resAllowOther, otherRoot), { decision: 'Allow', reasons: ['rbp:Statement[0]'] });
  assert.equal(run([], resDenyAll, otherRoot).decision, 'ExplicitDeny');
  // a "root" ARN of another account than the principal's is not that account's root
  const fake = ctx({ principal: { arn: `arn:aws:iam::${ACCT}:root`, accountId: OTHER } });
  assert.equal(run([], undefined, fake).decision, 'ImplicitDeny');
  assert.ok(isAccountRoot({ arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT }));
  assert.ok(!isAccountRoot({ arn: `arn:aws:iam::${ACCT}:user/root`, accountId: ACCT }));
});

// ---------- the documented guardrail resource policies ----------

test('seed example RBP: any account root may ApplyGuardrail on version 1', () => {
  const r = parsePolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"bedrock:ApplyGuardrail","Resource":"arn:aws:bedrock:us-east-1:123456789012:guardrail/my-guardrail/1"}]}', 'resource');
  assert.ok('policy' in r);
  const resource = { label: 'rbp', policy: r.policy };
  const identity = [{ label: 'id', policy: idAllow }];
  const target = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/my-guardrail/1';
  const bob = ctx({ principal: { arn: `arn:aws:iam::${OTHER}:user/bob`, accountId: OTHER }, resource: target });
  assert.equal(authorize({ identity, resource, resourceAccountId: '123456789012', ctx: bob }).decision, 'Allow');
  assert.equal(authorize({ identity, resource, resourceAccountId: '123456789012', ctx: { ...bob, resource: `${target}0` } }).decision, 'ImplicitDeny');
  assert.equal(authorize({ identity, resource, resourceAccountId: '123456789012', ctx: { ...bob, action: 'bedrock:GetGuardrail' } }).decision, 'ImplicitDeny');
});

test('API.md §4.5 organization share with aws:PrincipalOrgID', () => {
  const json = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
    "Action":["bedrock:GetGuardrail","bedrock:ApplyGuardrail"],
    "Resource":"arn:aws:bedrock:us-east-1:111122223333:guardrail/hu1dlsv9wy1d",
    "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`;
  const r = parsePolicy(json, 'resource');
  assert.ok('policy' in r);
  const resource = { label: 'org-share', policy: r.policy };
  const identity = [{ label: 'id', policy: parse({ Statement: [{ Effect: 'Allow', Action: 'bedrock:*Guardrail', Resource: '*' }] }) }];
  const member = (org: string | undefined, action = 'bedrock:ApplyGuardrail'): Decision => authorize({
    identity, resource, resourceAccountId: ACCT,
    ctx: ctx({ principal: { arn: `arn:aws:iam::${OTHER}:role/app`, accountId: OTHER }, action }, org ? { 'aws:PrincipalOrgID': org } : {}),
  }).decision;
  assert.equal(member('o-abc123'), 'Allow');
  assert.equal(member('o-abc123', 'bedrock:GetGuardrail'), 'Allow');
  assert.equal(member('o-abc123', 'bedrock:DeleteGuardrail'), 'ImplicitDeny');
  assert.equal(member('o-zzz999'), 'ImplicitDeny');
  assert.equal(member(undefined), 'ImplicitDeny');
});

test('API.md §4.5 OU share with ForAnyValue:StringLike on aws:PrincipalOrgPaths', () => {
  const policy = rbp('*', { Condition: {
    StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' },
    'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abc123/*/ou-ab12-11111111/*'] },
  } });
  const identity = [{ label: 'id', policy: idAllow }];
  const call = (paths: string[] | undefined, org = 'o-abc123'): Decision => authorize({
    identity, resource: { label: 'ou-share', policy }, resourceAccountId: ACCT,
    ctx: ctx({ principal: { arn: `arn:aws:iam::${OTHER}:user/bob`, accountId: OTHER } },
      paths ? { 'aws:PrincipalOrgID': org, 'aws:PrincipalOrgPaths': paths } : { 'aws:PrincipalOrgID': org }),
  }).decision;
  assert.equal(call(['o-abc123/r-ab12/ou-ab12-11111111/']), 'Allow');
  assert.equal(call(['o-abc123/r-ab12/ou-ab12-11111111/ou-ab12-33333333/']), 'Allow', 'nested OU');
  assert.equal(call(['o-abc123/r-ab12/ou-ab12-22222222/', 'o-abc123/r-ab12/ou-ab12-11111111/']), 'Allow', 'any of several paths');
  assert.equal(call(['o-abc123/r-ab12/ou-ab12-22222222/']), 'ImplicitDeny', 'other OU');
  assert.equal(call(undefined), 'ImplicitDeny', 'no path');
  assert.equal(call(['o-abc123/r-ab12/ou-ab12-11111111/'], 'o-other'), 'ImplicitDeny', 'other org');
});

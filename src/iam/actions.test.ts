import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ACTION_CATALOGUE, KNOWN_ACTIONS, actionForOperation, aliasesOf, isKnownAction, lintPolicy } from './actions.ts';
import { authorize, evaluate } from './evaluate.ts';
import { parsePolicy } from './parse.ts';
import type { PolicyDocument, PolicyKind, RequestContext } from './types.ts';

function parse(doc: unknown, kind: PolicyKind = 'identity'): PolicyDocument {
  const r = parsePolicy(JSON.stringify(doc), kind);
  if ('errors' in r) assert.fail(r.errors.join('; '));
  return r.policy;
}

const ACCT = '111122223333';
const GUARDRAIL = `arn:aws:bedrock:us-east-1:${ACCT}:guardrail/hu1dlsv9wy1d`;
const ctx = (action: string, extra: Partial<RequestContext> = {}): RequestContext => ({
  principal: { arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT }, action, resource: GUARDRAIL, conditionKeys: {}, ...extra,
});

test('catalogue: every served operation has an action; Converse* use the InvokeModel actions', () => {
  assert.equal(actionForOperation('bedrock', 'ApplyGuardrail'), 'bedrock:ApplyGuardrail');
  assert.equal(actionForOperation('bedrock', 'Converse'), 'bedrock:InvokeModel');
  assert.equal(actionForOperation('bedrock', 'ConverseStream'), 'bedrock:InvokeModelWithResponseStream');
  assert.equal(actionForOperation('bedrock', 'InvokeModelWithResponseStream'), 'bedrock:InvokeModelWithResponseStream');
  assert.equal(actionForOperation('bedrock', 'ListEnforcedGuardrailsConfiguration'), 'bedrock:ListEnforcedGuardrailsConfiguration');
  assert.equal(actionForOperation('organizations', 'DescribeEffectivePolicy'), 'organizations:DescribeEffectivePolicy');
  assert.equal(actionForOperation('sts', 'GetCallerIdentity'), 'sts:GetCallerIdentity');
  assert.equal(actionForOperation('iam', 'UpdateAccessKey'), 'iam:UpdateAccessKey');
  assert.equal(actionForOperation('bedrock', 'PutGuardrailPolicy'), undefined, 'aliases are not operations');
  assert.equal(actionForOperation('iam', 'ListRoots'), undefined, 'operations are per service');
  const counts = { bedrock: 0, organizations: 0, sts: 0, iam: 0 };
  for (const e of ACTION_CATALOGUE) counts[e.service]++;
  assert.deepEqual(counts, { bedrock: 20, organizations: 31, sts: 2, iam: 12 });
  const keys = ACTION_CATALOGUE.map((e) => `${e.service}:${e.operation}`);
  assert.equal(new Set(keys).size, keys.length, 'no duplicate operations');
  for (const e of ACTION_CATALOGUE) assert.ok(e.action.startsWith(`${e.service}:`), e.action);
});

test('aliases are symmetric and case-insensitive', () => {
  assert.deepEqual(aliasesOf('bedrock:PutResourcePolicy'), ['bedrock:PutGuardrailPolicy']);
  assert.deepEqual(aliasesOf('bedrock:putguardrailpolicy'), ['bedrock:PutResourcePolicy']);
  assert.deepEqual(aliasesOf('bedrock:GetGuardrailPolicy'), ['bedrock:GetResourcePolicy']);
  assert.deepEqual(aliasesOf('bedrock:DeleteResourcePolicy'), ['bedrock:DeleteGuardrailPolicy']);
  assert.deepEqual(aliasesOf('bedrock:ApplyGuardrail'), []);
  assert.deepEqual(aliasesOf('bedrock:GetGuardrail'), []);
  const custom = new Map([['x:A', ['x:B', 'x:C']]]);
  assert.deepEqual(aliasesOf('x:C', custom), ['x:A', 'x:B']);
  assert.ok(isKnownAction('BEDROCK:PutGuardrailPolicy'));
  assert.ok(isKnownAction('bedrock:InvokeModel'));
  assert.ok(!isKnownAction('bedrock:Converse'), 'Converse has no IAM action of its own');
  assert.ok(KNOWN_ACTIONS.includes('bedrock:DeleteGuardrailPolicy'));
});

test('evaluate: a statement naming the alias matches the real action, and vice versa', () => {
  const pairs: Array<[real: string, alias: string]> = [
    ['bedrock:PutResourcePolicy', 'bedrock:PutGuardrailPolicy'],
    ['bedrock:GetResourcePolicy', 'bedrock:GetGuardrailPolicy'],
    ['bedrock:DeleteResourcePolicy', 'bedrock:DeleteGuardrailPolicy'],
  ];
  for (const [real, alias] of pairs) {
    for (const [named, requested] of [[alias, real], [real, alias], [alias.toUpperCase(), real]] as const) {
      const allow = parse({ Statement: [{ Effect: 'Allow', Action: named, Resource: '*' }] });
      assert.equal(evaluate([{ label: 'p', policy: allow }], ctx(requested)).decision, 'Allow', `${named} vs ${requested}`);
      const deny = parse({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: named, Resource: '*' }] });
      assert.equal(evaluate([{ label: 'p', policy: deny }], ctx(requested)).decision, 'ExplicitDeny', `deny ${named} vs ${requested}`);
      const notAction = parse({ Statement: [{ Effect: 'Allow', NotAction: named, Resource: '*' }] });
      assert.equal(evaluate([{ label: 'p', policy: notAction }], ctx(requested)).decision, 'ImplicitDeny', `NotAction ${named} vs ${requested}`);
    }
  }
  // wildcards match any name of the action
  const pattern = parse({ Statement: [{ Effect: 'Deny', Action: 'bedrock:*GuardrailPolicy', Resource: '*' }] });
  assert.equal(evaluate([{ label: 'p', policy: pattern }], ctx('bedrock:DeleteResourcePolicy')).decision, 'ExplicitDeny');
  // other actions are unaffected
  const put = parse({ Statement: [{ Effect: 'Allow', Action: 'bedrock:PutGuardrailPolicy', Resource: '*' }] });
  assert.equal(evaluate([{ label: 'p', policy: put }], ctx('bedrock:GetResourcePolicy')).decision, 'ImplicitDeny');
  assert.equal(evaluate([{ label: 'p', policy: put }], ctx('bedrock:ApplyGuardrail')).decision, 'ImplicitDeny');
  // extra aliases from the request context
  const legacy = parse({ Statement: [{ Effect: 'Allow', Action: 'bedrock:UseGuardrail', Resource: '*' }] });
  assert.equal(evaluate([{ label: 'p', policy: legacy }], ctx('bedrock:ApplyGuardrail')).decision, 'ImplicitDeny');
  assert.equal(evaluate([{ label: 'p', policy: legacy }], ctx('bedrock:ApplyGuardrail', { actionAliases: ['bedrock:UseGuardrail'] })).decision, 'Allow');
  // and through authorize
  assert.equal(authorize({ identity: [{ label: 'p', policy: put }], resourceAccountId: ACCT, ctx: ctx('bedrock:PutResourcePolicy') }).decision, 'Allow');
});

test('property: naming an action or its alias gives the same decision', () => {
  const names = ['bedrock:PutResourcePolicy', 'bedrock:PutGuardrailPolicy', 'bedrock:GetResourcePolicy', 'bedrock:GetGuardrailPolicy',
    'bedrock:DeleteResourcePolicy', 'bedrock:DeleteGuardrailPolicy', 'bedrock:ApplyGuardrail'];
  const swap = (a: string): string => aliasesOf(a)[0] ?? a;
  fc.assert(fc.property(
    fc.array(fc.record({ effect: fc.constantFrom('Allow', 'Deny'), not: fc.boolean(), actions: fc.subarray(names, { minLength: 1 }) }), { minLength: 1, maxLength: 4 }),
    fc.constantFrom(...names),
    (stmts, requested) => {
      const build = (rename: (a: string) => string): PolicyDocument => parse({ Statement: stmts.map((s) => ({
        Effect: s.effect, [s.not ? 'NotAction' : 'Action']: s.actions.map(rename), Resource: '*' })) });
      const a = evaluate([{ label: 'p', policy: build((x) => x) }], ctx(requested)).decision;
      const b = evaluate([{ label: 'p', policy: build(swap) }], ctx(requested)).decision;
      assert.equal(a, b);
    },
  ), { numRuns: 300 });
});

test('lintPolicy: flags typos for the served services, suggests the closest action', () => {
  const doc = parse({ Statement: [
    { Sid: 'Typos', Effect: 'Allow', Action: ['bedrock:ApplyGuardrails', 'organizations:ListAcounts', 'sts:GetCallerIdentity', 'iam:CreateUsr'], Resource: '*' },
    { Effect: 'Allow', Action: ['bedrock:Apply*', 'bedrock:*', '*', 'organizations:Describe*', 'bedrock:PutGuardrailPolicy', 's3:GetObject', 'BEDROCK:invokemodel'], Resource: '*' },
    { Effect: 'Deny', NotAction: ['bedrock:Aply*', 'sts:AssumeRole'], Resource: '*' },
  ] });
  const w = lintPolicy(doc);
  assert.equal(w.length, 4, w.join('\n'));
  assert.match(w[0] ?? '', /^Statement\[0\] \(Sid "Typos"\)\.Action: 'bedrock:ApplyGuardrails' is not an action .*did you mean 'bedrock:ApplyGuardrail'\?/);
  assert.match(w[1] ?? '', /'organizations:ListAcounts'.*did you mean 'organizations:ListAccounts'/);
  assert.match(w[2] ?? '', /'iam:CreateUsr'.*did you mean 'iam:CreateUser'/);
  assert.match(w[3] ?? '', /^Statement\[2\]\.NotAction: 'bedrock:Aply\*' matches no action/);
  // a real AWS action that Parapet does not serve is flagged, without a far-fetched suggestion
  const agent = lintPolicy(parse({ Statement: [{ Effect: 'Allow', Action: 'bedrock:CreateAgentActionGroup', Resource: '*' }] }));
  assert.equal(agent.length, 1);
  assert.doesNotMatch(agent[0] ?? '', /did you mean/);
  assert.deepEqual(lintPolicy(parse({ Statement: [{ Effect: 'Allow', Action: ['ec2:RunInstances', 'bedrock:ListTagsForResource'], Resource: '*' }] })), []);
});

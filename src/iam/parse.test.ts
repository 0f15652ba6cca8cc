import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePolicy, serializePolicy } from './parse.ts';
import type { PolicyDocument, PolicyKind } from './types.ts';

function ok(json: string, kind: PolicyKind = 'identity'): PolicyDocument {
  const r = parsePolicy(json, kind);
  if ('errors' in r) assert.fail(`unexpected errors: ${r.errors.join('; ')}`);
  return r.policy;
}
function errs(json: string, kind: PolicyKind = 'identity'): string[] {
  const r = parsePolicy(json, kind);
  if ('policy' in r) assert.fail('expected errors');
  return r.errors;
}
const hasErr = (list: string[], needle: string): void =>
  assert.ok(list.some((e) => e.includes(needle)), `expected an error containing "${needle}", got: ${list.join(' | ')}`);

test('normalizes single statements, strings and scalar condition values into arrays', () => {
  const p = ok(`{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Allow","Action":"bedrock:ApplyGuardrail","Resource":"*",
    "Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}}}`);
  assert.deepEqual(p, {
    Version: '2012-10-17',
    Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['bedrock:ApplyGuardrail'], Resource: ['*'],
      Condition: { Bool: { 'aws:SecureTransport': ['true'] }, NumericLessThan: { 's3:max-keys': ['10'] } } }],
  });
  const r = ok('{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}]}', 'resource');
  assert.deepEqual(r.Statement[0]?.Principal, { AWS: ['123456789012'] });
  assert.equal(ok('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}', 'resource').Statement[0]?.Principal, '*');
});

test('validation errors are clear and name the statement', () => {
  hasErr(errs('{"Statement":[{"Effect":"Allow","Resource":"*"}]}'), 'Statement[0]: Action is required');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*"}]}'), 'Statement[0]: Resource is required');
  hasErr(errs('{"Statement":[{"Action":"*","Resource":"*"}]}'), 'Statement[0]: Effect is required');
  hasErr(errs('{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}'), 'Effect must be "Allow" or "Deny"');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"x:y","Resource":"*"}]}'), 'cannot both be present');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"a:b":"c"}}}]}'),
    "unknown condition operator 'StringEqual'");
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}]}'),
    "unknown condition operator 'NullIfExists'");
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}'),
    'is not an IPv4/IPv6 address or CIDR block');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"k":"ten"}}}]}'), 'is not a number');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"k":"tomorrow"}}}]}'), 'is not an ISO 8601 date');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":"yes"}}}]}'), "must be 'true' or 'false'");
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"ApplyGuardrail","Resource":"*"}]}'), "invalid action 'ApplyGuardrail'");
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"guardrail/x"}]}'), "invalid resource 'guardrail/x'");
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Foo":1}]}'), "unknown element 'Foo'");
  hasErr(errs('{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'), 'Version must be');
  hasErr(errs('{"Statement":[]}'), 'Statement must not be empty');
  hasErr(errs('{}'), 'Statement is required');
  hasErr(errs('[]'), 'must be a JSON object');
  hasErr(errs('{"Statement":[{"Sid":"x","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"x","Effect":"Deny","Action":"*","Resource":"*"}]}'),
    "duplicate Sid 'x'");
  // several problems are reported together
  assert.equal(errs('{"Statement":[{"Resource":"*"},{"Effect":"Allow","Action":"*"}]}').length, 3);
});

test('principal rules depend on the policy kind', () => {
  const withP = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';
  const without = '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
  hasErr(errs(withP, 'identity'), 'Principal is not allowed in an identity-based policy');
  hasErr(errs(without, 'resource'), 'Principal is required in a resource-based policy');
  ok(withP, 'resource');
  ok(without, 'identity');
  hasErr(errs('{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"*","Resource":"*"}]}', 'identity'), 'NotPrincipal is not allowed');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*","Resource":"*"}]}', 'resource'), "invalid principal 'bob'");
  hasErr(errs('{"Statement":[{"Effect":"Allow","Principal":{"Robot":"x"},"Action":"*","Resource":"*"}]}', 'resource'), "unknown principal type 'Robot'");
});

test('JSON syntax errors carry a position; duplicate keys are rejected', () => {
  const e1 = errs('{"Statement": [\n  {"Effect": "Allow",}\n]}');
  assert.equal(e1.length, 1);
  hasErr(e1, 'line 2, column 22');
  hasErr(errs('{"Statement": [}'), 'JSON syntax error at line 1, column 16');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}'), 'duplicate key "Effect"');
  hasErr(errs('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]} x'), 'after the document');
  hasErr(errs('"unterminated'), 'unterminated string');
  hasErr(errs('{"a":"\\q"}'), 'invalid escape');
  // escapes decode
  assert.deepEqual(ok('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b\\u002fk\\n"}]}').Statement[0]?.Resource, ['arn:aws:s3:::b/k\n']);
});

const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const glob = fc.stringMatching(/^[A-Za-z0-9*?]{1,8}$/);
const statementArb = fc.record(
  {
    Sid: word,
    Effect: fc.constantFrom('Allow' as const, 'Deny' as const),
    Action: fc.array(fc.tuple(word, glob).map(([s, a]) => `${s}:${a}`), { minLength: 1, maxLength: 3 }),
    Resource: fc.array(glob.map((g) => `arn:aws:svc:us-east-1:123456789012:${g}`), { minLength: 1, maxLength: 3 }),
    Condition: fc.dictionary(
      fc.constantFrom('StringEquals', 'ForAnyValue:StringLike', 'StringNotEqualsIfExists', 'NumericLessThan', 'Bool', 'IpAddress', 'Null'),
      fc.dictionary(word.map((w) => `aws:${w}`), fc.constant(['true']), { minKeys: 1, maxKeys: 2 }),
      { minKeys: 1, maxKeys: 3 },
    ),
  },
  { requiredKeys: ['Effect', 'Action', 'Resource'] },
);

test('property: parse(serialize(p)) round-trips', () => {
  fc.assert(
    fc.property(fc.uniqueArray(statementArb, { minLength: 1, maxLength: 4, selector: (s) => s.Sid ?? Symbol() }), (statements) => {
      // 'true' is a valid value for every operator family used above except Numeric/Ip; fix those up
      const fixed = statements.map((s) => {
        if (!s.Condition) return s;
        const c: Record<string, Record<string, string[]>> = {};
        for (const [op, body] of Object.entries(s.Condition)) {
          const v = op === 'NumericLessThan' ? '10' : op === 'IpAddress' ? '10.0.0.0/8' : 'true';
          c[op] = Object.fromEntries(Object.keys(body).map((k) => [k, [v]]));
        }
        return { ...s, Condition: c };
      });
      const doc = JSON.parse(JSON.stringify({ Version: '2012-10-17', Statement: fixed })) as PolicyDocument; // plain prototypes
      const first = ok(JSON.stringify(doc));
      assert.deepEqual(first, doc);
      assert.deepEqual(ok(serializePolicy(first)), first);
    }),
    { numRuns: 300 },
  );
});

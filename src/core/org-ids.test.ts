import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ACCOUNT_ARN_RE,
  CHILD_ID_RE,
  CREATE_ACCOUNT_REQUEST_ID_RE,
  newCreateAccountRequestId,
  newOrganizationId,
  newOuId,
  newPolicyId,
  newRootId,
  ORG_ARN_RE,
  ORG_ID_RE,
  orgAccountArn,
  orgEntityKind,
  organizationArn,
  orgPolicyArn,
  OU_ARN_RE,
  OU_ID_RE,
  ouArn,
  PARENT_ID_RE,
  POLICY_ARN_RE,
  POLICY_ID_RE,
  POLICY_TARGET_ID_RE,
  ROOT_ARN_RE,
  ROOT_ID_RE,
  rootArn,
} from './org-ids.ts';
import type { Random } from './ports.ts';

/** A Random fed by fast-check bytes (cycled), so every byte pattern — rejected ones included — is exercised. */
const randomFrom = (bytes: number[]): Random => {
  let i = 0;
  return { bytes: (n) => Uint8Array.from({ length: n }, () => bytes[i++ % bytes.length] ?? 0) };
};
const seeds = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }).filter((b) => b.some((x) => x < 252));

test('generated ids have AWS shapes and match the accepted patterns', () => {
  fc.assert(
    fc.property(seeds, (bytes) => {
      const r = randomFrom(bytes);
      const orgId = newOrganizationId(r);
      const rootId = newRootId(r);
      const ouId = newOuId(r, rootId);
      const policyId = newPolicyId(r);
      const car = newCreateAccountRequestId(r);
      assert.match(orgId, /^o-[a-z0-9]{10}$/);
      assert.match(rootId, /^r-[a-z0-9]{4}$/);
      assert.match(ouId, new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
      assert.match(policyId, /^p-[a-z0-9]{8}$/);
      assert.match(car, /^car-[a-z0-9]{32}$/);
      assert.match(orgId, ORG_ID_RE);
      assert.match(rootId, ROOT_ID_RE);
      assert.match(rootId, PARENT_ID_RE);
      assert.match(ouId, OU_ID_RE);
      assert.match(ouId, PARENT_ID_RE);
      assert.match(ouId, CHILD_ID_RE);
      assert.match(ouId, POLICY_TARGET_ID_RE);
      assert.match(policyId, POLICY_ID_RE);
      assert.match(car, CREATE_ACCOUNT_REQUEST_ID_RE);
      assert.equal(orgEntityKind(rootId), 'root');
      assert.equal(orgEntityKind(ouId), 'ou');
      const mgmt = '123456789012';
      assert.match(organizationArn(mgmt, orgId), ORG_ARN_RE);
      assert.match(rootArn(mgmt, orgId, rootId), ROOT_ARN_RE);
      assert.match(ouArn(mgmt, orgId, ouId), OU_ARN_RE);
      assert.match(orgAccountArn(mgmt, orgId, '210987654321'), ACCOUNT_ARN_RE);
      assert.match(orgPolicyArn(mgmt, orgId, 'BEDROCK_POLICY', policyId), POLICY_ARN_RE);
    }),
  );
});

test('ARNs and id kinds', () => {
  assert.equal(
    orgPolicyArn('123456789012', 'o-abcdefghij', 'BEDROCK_POLICY', 'p-abcd1234'),
    'arn:aws:organizations::123456789012:policy/o-abcdefghij/bedrock_policy/p-abcd1234',
  );
  assert.equal(rootArn('123456789012', 'o-abcdefghij', 'r-ab12'), 'arn:aws:organizations::123456789012:root/o-abcdefghij/r-ab12');
  assert.equal(orgEntityKind('123456789012'), 'account');
  assert.equal(orgEntityKind('p-abcd1234'), undefined);
  assert.equal(orgEntityKind('ou-ab12'), undefined);
  assert.doesNotMatch('123456789012', PARENT_ID_RE);
  assert.doesNotMatch('r-ab12', CHILD_ID_RE);
  assert.doesNotMatch('R-AB12', ROOT_ID_RE);
  assert.doesNotMatch('ou-ab12-abc', OU_ID_RE);
});

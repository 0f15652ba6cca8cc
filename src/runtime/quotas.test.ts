import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccountQuotas, defaultLimits } from './quotas.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('Bedrock defaults: 50 rps / 200 TU/s in us-east-1 and us-west-2, 25 / 25 elsewhere', () => {
  assert.deepEqual(defaultLimits('us-east-1'), { requestsPerSecond: 50, textUnitsPerSecond: 200 });
  assert.deepEqual(defaultLimits('us-west-2'), { requestsPerSecond: 50, textUnitsPerSecond: 200 });
  assert.deepEqual(defaultLimits('eu-west-1'), { requestsPerSecond: 25, textUnitsPerSecond: 25 });
});

test('requests: a full second of burst, then refused until the bucket refills', () => {
  const c = clock();
  const q = new AccountQuotas({ requestsPerSecond: 5 }, c);
  for (let i = 0; i < 5; i++) assert.equal(q.takeRequest('111111111111', 'us-east-1'), undefined);
  const refusal = q.takeRequest('111111111111', 'us-east-1');
  assert.equal(refusal?.kind, 'requests');
  assert.equal(refusal?.limit, 5);
  assert.ok((refusal?.retryAfterMs ?? 0) > 0);
  // Another account and another Region have their own buckets.
  assert.equal(q.takeRequest('222222222222', 'us-east-1'), undefined);
  assert.equal(q.takeRequest('111111111111', 'eu-west-1'), undefined);
  c.advance(200);
  assert.equal(q.takeRequest('111111111111', 'us-east-1'), undefined);
  assert.notEqual(q.takeRequest('111111111111', 'us-east-1'), undefined);
});

test('text units: forced debt throttles the next call; 0 and disabled switch limits off', () => {
  const c = clock();
  const q = new AccountQuotas({ textUnitsPerSecond: 10 }, c);
  assert.equal(q.takeTextUnits('111111111111', 'us-east-1', 8), undefined);
  assert.equal(q.takeTextUnits('111111111111', 'us-east-1', 20, true), undefined);
  assert.equal(q.takeTextUnits('111111111111', 'us-east-1', 1)?.kind, 'textUnits');
  c.advance(3000);
  assert.equal(q.takeTextUnits('111111111111', 'us-east-1', 1), undefined);
  const off = new AccountQuotas({ requestsPerSecond: 0 }, c);
  for (let i = 0; i < 100; i++) assert.equal(off.takeRequest('111111111111', 'eu-west-1'), undefined);
  const disabled = new AccountQuotas({ disabled: true }, c);
  for (let i = 0; i < 100; i++) assert.equal(disabled.takeTextUnits('111111111111', 'eu-west-1', 50), undefined);
});

test('a request bigger than one second of capacity passes on a full bucket', () => {
  const q = new AccountQuotas({ textUnitsPerSecond: 10 }, clock());
  assert.equal(q.takeTextUnits('111111111111', 'us-east-1', 30), undefined);
  assert.equal(q.takeTextUnits('111111111111', 'us-east-1', 1)?.kind, 'textUnits');
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketArithmetic, fixedClock } from '../../test/helpers/quota-backend-suite.ts';
import { AccountQuotas, type BucketId, defaultLimits, FAILOVER_RETRY_MS, FailoverQuotaBackend, LocalQuotaBackend, type QuotaBackend, type QuotaRefusal } from './quotas.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** The in-process backend answers synchronously: no promise on the common path. */
function sync(r: QuotaRefusal | undefined | Promise<QuotaRefusal | undefined>): QuotaRefusal | undefined {
  assert.ok(!(r instanceof Promise), 'in-process quotas answer synchronously');
  return r;
}

test('Bedrock defaults: 50 rps / 200 TU/s in us-east-1 and us-west-2, 25 / 25 elsewhere', () => {
  assert.deepEqual(defaultLimits('us-east-1'), { requestsPerSecond: 50, textUnitsPerSecond: 200 });
  assert.deepEqual(defaultLimits('us-west-2'), { requestsPerSecond: 50, textUnitsPerSecond: 200 });
  assert.deepEqual(defaultLimits('eu-west-1'), { requestsPerSecond: 25, textUnitsPerSecond: 25 });
});

test('requests: a full second of burst, then refused until the bucket refills', () => {
  const c = clock();
  const q = new AccountQuotas({ requestsPerSecond: 5 }, c);
  assert.equal(q.where, 'per process');
  for (let i = 0; i < 5; i++) assert.equal(sync(q.takeRequest('111111111111', 'us-east-1')), undefined);
  const refusal = sync(q.takeRequest('111111111111', 'us-east-1'));
  assert.deepEqual(refusal, { kind: 'requests', limit: 5, retryAfterMs: 200 });
  // Another account and another Region have their own buckets.
  assert.equal(sync(q.takeRequest('222222222222', 'us-east-1')), undefined);
  assert.equal(sync(q.takeRequest('111111111111', 'eu-west-1')), undefined);
  c.advance(200);
  assert.equal(sync(q.takeRequest('111111111111', 'us-east-1')), undefined);
  assert.notEqual(sync(q.takeRequest('111111111111', 'us-east-1')), undefined);
});

test('text units: charged debt throttles the next call; 0 and disabled switch limits off', () => {
  const c = clock();
  const q = new AccountQuotas({ textUnitsPerSecond: 10 }, c);
  assert.equal(sync(q.takeTextUnits('111111111111', 'us-east-1', 8)), undefined);
  q.chargeTextUnits('111111111111', 'us-east-1', 20);
  assert.equal(sync(q.takeTextUnits('111111111111', 'us-east-1', 1))?.kind, 'textUnits');
  c.advance(3000);
  assert.equal(sync(q.takeTextUnits('111111111111', 'us-east-1', 1)), undefined);
  const off = new AccountQuotas({ requestsPerSecond: 0 }, c);
  for (let i = 0; i < 100; i++) assert.equal(sync(off.takeRequest('111111111111', 'eu-west-1')), undefined);
  const disabled = new AccountQuotas({ disabled: true }, c);
  for (let i = 0; i < 100; i++) assert.equal(sync(disabled.takeTextUnits('111111111111', 'eu-west-1', 50)), undefined);
});

test('a request bigger than one second of capacity passes on a full bucket', () => {
  const q = new AccountQuotas({ textUnitsPerSecond: 10 }, clock());
  assert.equal(sync(q.takeTextUnits('111111111111', 'us-east-1', 30)), undefined);
  assert.equal(sync(q.takeTextUnits('111111111111', 'us-east-1', 1))?.kind, 'textUnits');
});

describe('in-process backend: bucket arithmetic', () => {
  bucketArithmetic((c) => new LocalQuotaBackend(c));
});

/** A shared backend that can be switched off; answers like the in-process one when on. */
function flaky(c: { now(): number }) {
  const inner = new LocalQuotaBackend(c);
  const state = { up: true, calls: 0, closed: false };
  const backend: QuotaBackend = {
    where: 'Redis redis://test:6379',
    take(b: BucketId, limit: number, n: number, force: boolean) {
      state.calls++;
      return state.up ? Promise.resolve(inner.take(b, limit, n, force)) : Promise.reject(new Error('connect ECONNREFUSED'));
    },
    async close() {
      state.closed = true;
    },
  };
  return { backend, state };
}

describe('failure policy: shared counters that cannot be reached', () => {
  test('fall back to this process, warn once per outage, retry after a while, and say when they are back', async () => {
    const c = fixedClock();
    const { backend, state } = flaky(c);
    const warnings: Array<Record<string, unknown>> = [];
    const failover = new FailoverQuotaBackend(backend, c, (l) => warnings.push(l));
    const q = new AccountQuotas({ requestsPerSecond: 2 }, c, failover);
    assert.equal(q.where, 'Redis redis://test:6379');
    const take = () => q.takeRequest('111111111111', 'us-east-1');
    const first = take();
    assert.ok(first instanceof Promise, 'shared counters answer asynchronously');
    assert.equal(await first, undefined);
    assert.equal(await take(), undefined);
    assert.equal((await take())?.kind, 'requests', 'the shared bucket is empty');
    state.up = false;
    // Not unlimited: the local bucket (full, as new) allows 2, then refuses with the same refusal shape.
    assert.equal(await take(), undefined);
    assert.equal(await take(), undefined);
    assert.deepEqual(await take(), { kind: 'requests', limit: 2, retryAfterMs: 500 });
    assert.equal(failover.degraded, true);
    assert.equal(state.calls, 4, '3 shared takes, one failed take, then local only for the retry window');
    assert.deepEqual(warnings.map((w) => w['warning']), ['QuotaCountersUnavailable']);
    assert.match(String(warnings[0]?.['detail']), /Redis redis:\/\/test:6379.*ECONNREFUSED.*on its own/);
    c.advance(FAILOVER_RETRY_MS);
    assert.equal(await take(), undefined, 'tried again (still down: local, refilled)');
    assert.equal(state.calls, 5);
    assert.equal(warnings.length, 1, 'one warning per outage');
    state.up = true;
    c.advance(FAILOVER_RETRY_MS);
    assert.equal(await take(), undefined, 'the shared bucket refilled meanwhile');
    assert.equal(failover.degraded, false);
    assert.deepEqual(warnings.map((w) => w['warning']), ['QuotaCountersUnavailable', 'QuotaCountersRestored']);
    await q.close();
    assert.equal(state.closed, true);
  });

  test('a synchronous throw falls back too; charges never reject and are awaited by close', async () => {
    const c = fixedClock();
    const throwing: QuotaBackend = {
      where: 'PostgreSQL',
      take() {
        throw new Error('pool ended');
      },
      close: async () => {},
    };
    const warnings: unknown[] = [];
    const q = new AccountQuotas({ textUnitsPerSecond: 10 }, c, new FailoverQuotaBackend(throwing, c, (l) => warnings.push(l)));
    q.chargeTextUnits('111111111111', 'us-east-1', 25);
    assert.equal((await q.takeTextUnits('111111111111', 'us-east-1', 1))?.retryAfterMs, 1600);
    assert.equal(warnings.length, 1);
    let slow!: (v: number | undefined) => void;
    const pending: QuotaBackend = { where: 'x', take: () => new Promise((r) => (slow = r)), close: async () => {} };
    const q2 = new AccountQuotas({}, c, pending);
    q2.chargeTextUnits('111111111111', 'us-east-1', 5);
    let closed = false;
    const closing = q2.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, false, 'close waits for the charge under way');
    slow(undefined);
    await closing;
  });
});

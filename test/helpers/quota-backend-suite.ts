/**
 * The bucket arithmetic every QuotaBackend must share (in-process, Redis, PostgreSQL), on a fixed clock: one
 * second of capacity as burst, refill at `limit` per second capped at `limit`, retryAfterMs, forced debt, and
 * a request larger than the capacity passing on a full bucket.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { it } from 'node:test';
import type { BucketId, QuotaBackend } from '../../src/runtime/quotas.ts';

export interface FixedClock {
  now(): number;
  advance(ms: number): void;
}

export function fixedClock(start = Date.UTC(2026, 0, 1)): FixedClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A random 12-digit account, so that runs never share buckets. */
export const randomAccount = (): string => String(randomInt(100_000_000_000, 999_999_999_999));

/**
 * `open(clock)` returns a backend whose time is `clock` (and may be called more than once: instances that
 * share the same counters, as replicas do).
 */
export function bucketArithmetic(open: (clock: FixedClock) => Promise<QuotaBackend> | QuotaBackend): void {
  const req = (accountId = randomAccount(), region = 'us-east-1'): BucketId => ({ kind: 'requests', accountId, region });
  const tu = (accountId = randomAccount(), region = 'us-east-1'): BucketId => ({ kind: 'textUnits', accountId, region });
  const withBackend = async (fn: (b: QuotaBackend, c: FixedClock) => Promise<void>) => {
    const c = fixedClock();
    const b = await open(c);
    try {
      await fn(b, c);
    } finally {
      await b.close();
    }
  };

  it('burst: a new bucket holds one second of capacity; then retryAfterMs until one token is back', () =>
    withBackend(async (b) => {
      const bucket = req();
      for (let i = 0; i < 5; i++) assert.equal(await b.take(bucket, 5, 1, false), undefined, `take ${i + 1}`);
      assert.equal(await b.take(bucket, 5, 1, false), 200);
      const three = req();
      for (let i = 0; i < 3; i++) await b.take(three, 3, 1, false);
      assert.equal(await b.take(three, 3, 1, false), 334, 'ceil(1/3 s)');
    }));

  it('refill: `limit` tokens per second, never more than `limit`', () =>
    withBackend(async (b, c) => {
      const bucket = req();
      for (let i = 0; i < 5; i++) await b.take(bucket, 5, 1, false);
      c.advance(100);
      assert.equal(await b.take(bucket, 5, 1, false), 100, 'half a token back');
      c.advance(100);
      assert.equal(await b.take(bucket, 5, 1, false), undefined);
      assert.equal(await b.take(bucket, 5, 1, false), 200);
      c.advance(10_000);
      for (let i = 0; i < 5; i++) assert.equal(await b.take(bucket, 5, 1, false), undefined);
      assert.equal(await b.take(bucket, 5, 1, false), 200, 'capped at one second of capacity');
    }));

  it('text units: a refusal takes nothing; forced debt throttles the next calls', () =>
    withBackend(async (b, c) => {
      const bucket = tu();
      assert.equal(await b.take(bucket, 10, 8, false), undefined);
      assert.equal(await b.take(bucket, 10, 5, false), 300, 'needs 5, has 2');
      assert.equal(await b.take(bucket, 10, 2, false), undefined, 'the refusal took nothing');
      assert.equal(await b.take(bucket, 10, 20, true), undefined, 'forced');
      assert.equal(await b.take(bucket, 10, 1, false), 2100, '20 in debt');
      c.advance(2_000);
      assert.equal(await b.take(bucket, 10, 1, false), 100);
      c.advance(100);
      assert.equal(await b.take(bucket, 10, 1, false), undefined);
    }));

  it('a take bigger than one second of capacity passes on a full bucket', () =>
    withBackend(async (b) => {
      const bucket = tu();
      assert.equal(await b.take(bucket, 10, 30, false), undefined);
      assert.equal(await b.take(bucket, 10, 1, false), 2100);
    }));

  it('each account, Region and kind has its own bucket', () =>
    withBackend(async (b) => {
      const account = randomAccount();
      await b.take(req(account), 1, 1, false);
      assert.equal(await b.take(req(account), 1, 1, false), 1000);
      assert.equal(await b.take(req(account, 'eu-west-1'), 1, 1, false), undefined);
      assert.equal(await b.take(tu(account), 1, 1, false), undefined);
      assert.equal(await b.take(req(randomAccount()), 1, 1, false), undefined);
    }));

  it('a clock going backwards refills nothing and takes nothing extra', () =>
    withBackend(async (b, c) => {
      const bucket = req();
      for (let i = 0; i < 5; i++) await b.take(bucket, 5, 1, false);
      c.advance(-5_000);
      assert.equal(await b.take(bucket, 5, 1, false), 200);
      c.advance(5_200);
      assert.equal(await b.take(bucket, 5, 1, false), undefined);
    }));
}

/**
 * Two instances over the same counters (replicas), on real time, taking at once from one bucket: together they
 * get one bucket's capacity, not one each.
 */
export function sharedAcrossInstances(what: string, open: () => Promise<QuotaBackend> | QuotaBackend): void {
  it(`two ${what} (replicas) taking at once share one bucket exactly`, async () => {
    const [x, y] = await Promise.all([open(), open()]);
    try {
      const bucket: BucketId = { kind: 'requests', accountId: randomAccount(), region: 'us-east-1' };
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? x : y).take(bucket, 10, 1, false)));
      const allowed = results.filter((r) => r === undefined).length;
      // 10 at once, plus what refills while the 40 takes run (a few ms).
      assert.ok(allowed >= 10 && allowed <= 11, `${allowed} allowed`);
    } finally {
      await x.close();
      await y.close();
    }
  });
}

/**
 * Per-account quotas hold across replicas: two gateway processes on one PostgreSQL schema share one account's
 * request budget, with the counters in Redis (PARAPET_TEST_REDIS_URL and PARAPET_TEST_POSTGRES_URL) or in
 * PostgreSQL (PARAPET_TEST_POSTGRES_URL). And when Redis cannot be reached, a replica still starts and counts
 * on its own (no Redis or PostgreSQL needed).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { dropSchemas } from '../helpers/postgres.ts';

const PG_URL = process.env.PARAPET_TEST_POSTGRES_URL;
const REDIS_URL = process.env.PARAPET_TEST_REDIS_URL;
if (!PG_URL) console.log('# SKIPPED shared-quota replica tests: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
else if (!REDIS_URL) console.log('# SKIPPED shared-quota replica tests with Redis counters: set PARAPET_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)');

const RPS = 10;
const CALLS = 30;
const userSays = (text: string) => [{ role: 'user' as const, content: [{ text }] }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  ok: number;
  throttled: Array<{ name: string; message: string }>;
  others: unknown[];
  elapsedMs: number;
}

/** `CALLS` concurrent Converse calls, alternating between the replicas. */
async function burst(replicas: TestServer[]): Promise<Outcome> {
  const clients = replicas.map((r) => r.runtime());
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CALLS }, (_, i) => clients[i % clients.length]?.send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: userSays(`call ${i}`) }))),
  );
  const elapsedMs = performance.now() - t0;
  const out: Outcome = { ok: 0, throttled: [], others: [], elapsedMs };
  for (const r of results) {
    if (r.status === 'fulfilled') out.ok++;
    else if ((r.reason as Error).name === 'ThrottlingException') out.throttled.push({ name: (r.reason as Error).name, message: (r.reason as Error).message });
    else out.others.push(r.reason);
  }
  return out;
}

for (const counters of ['Redis', 'PostgreSQL'] as const) {
  const skip = !PG_URL || (counters === 'Redis' && !REDIS_URL);
  describe(`two replicas share one account's request quota (counters in ${counters})`, { skip }, () => {
    const schema = `e2e_quotas_${randomBytes(4).toString('hex')}`;
    const masterKey = randomBytes(32).toString('hex');
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      const opts = {
        database: PG_URL,
        databaseSchema: schema,
        masterKey,
        quotas: { requestsPerSecond: RPS },
        ...(counters === 'Redis' ? { redis: REDIS_URL } : {}),
      };
      [a, b] = await Promise.all([startTestServer(opts), startTestServer(opts)]);
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await dropSchemas(PG_URL as string, schema);
      if (counters === 'Redis' && a) {
        const r = new Redis(REDIS_URL ?? '');
        await r.del(`parapet:quota:r:${a.accountId}:us-east-1`, `parapet:quota:t:${a.accountId}:us-east-1`);
        await r.quit();
      }
    });

    it(`${CALLS} concurrent calls through both replicas: about ${RPS} succeed (plus refill), the rest get ThrottlingException`, async () => {
      assert.equal(a.accountId, b.accountId, 'one account');
      const where = counters === 'Redis' ? `Redis ${new URL(REDIS_URL ?? '').protocol}//${new URL(REDIS_URL ?? '').host}` : 'PostgreSQL';
      assert.equal(a.server.quotaCounters, where);
      assert.equal(b.server.quotaCounters, where);
      // Warm the connections (a call each), then let the bucket refill to full: the burst starts on a full bucket.
      await burstWarmUp([a, b]);
      await sleep(1_100);
      const r = await burst([a, b]);
      // The bucket holds RPS and refills RPS per second while the calls run; per-replica buckets would allow 2 × RPS.
      const allowance = RPS + Math.ceil((r.elapsedMs / 1000) * RPS);
      console.log(`${counters}: ${r.ok} of ${CALLS} succeeded in ${Math.round(r.elapsedMs)} ms (allowance ${allowance})`);
      assert.deepEqual(r.others, []);
      assert.ok(r.ok >= RPS, `${r.ok} succeeded: the full bucket allows ${RPS}`);
      assert.ok(r.ok <= allowance, `${r.ok} succeeded, at most ${allowance} allowed in ${Math.round(r.elapsedMs)} ms`);
      assert.equal(r.throttled.length, CALLS - r.ok);
      for (const t of r.throttled) assert.match(t.message, new RegExp(`^Too many requests: this account may make ${RPS} model calls per second in this Region\\. Retry in \\d+ ms\\.$`));
    });
  });
}

async function burstWarmUp(replicas: TestServer[]): Promise<void> {
  for (const r of replicas) await r.runtime().send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: userSays('warm up') }));
}

describe('Redis that cannot be reached', () => {
  it('the replica starts, warns, and enforces the quota per process: never unlimited', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const lines: Array<Record<string, unknown>> = [];
    const t = await startTestServer({ quotas: { requestsPerSecond: 3 }, redis: `redis://:secret@127.0.0.1:${port}`, log: (l) => lines.push(l) });
    try {
      assert.equal(t.server.quotaCounters, `Redis redis://127.0.0.1:${port}`, 'no password');
      assert.equal(lines.filter((l) => l['warning'] === 'QuotaCountersUnavailable').length, 1);
      assert.doesNotMatch(JSON.stringify(lines), /secret/);
      const rt = t.runtime();
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => rt.send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: userSays('hi') }))));
      assert.equal(results.filter((x) => x.status === 'fulfilled').length, 3);
      for (const x of results.filter((y) => y.status === 'rejected')) assert.equal((x.reason as Error).name, 'ThrottlingException');
      assert.equal(lines.filter((l) => l['warning'] === 'QuotaCountersUnavailable').length, 1, 'warned once per outage');
    } finally {
      await t.stop();
    }
  });
});

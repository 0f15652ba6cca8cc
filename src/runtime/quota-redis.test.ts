/**
 * The Redis quota backend. Against a real server when PARAPET_TEST_REDIS_URL is set (e.g. redis://127.0.0.1:6379),
 * under a random key prefix that is deleted afterwards; the dead-server cases need no Redis.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { bucketArithmetic, randomAccount, sharedAcrossInstances } from '../../test/helpers/quota-backend-suite.ts';
import { describeRedis, REDIS_COMMAND_TIMEOUT_MS, RedisQuotaBackend } from './quota-redis.ts';

const URL_ = process.env.PARAPET_TEST_REDIS_URL;
if (!URL_) console.log('# SKIPPED Redis quota backend tests: set PARAPET_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)');

const bucket = (accountId = randomAccount()) => ({ kind: 'requests' as const, accountId, region: 'us-east-1' });

describe('Redis quota backend', { skip: !URL_ }, () => {
  const prefix = `parapet-test:${randomBytes(6).toString('hex')}:`;
  let admin: Redis;
  before(() => {
    admin = new Redis(URL_ ?? '');
  });
  after(async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });
  const open = async (now?: () => number, url = URL_ ?? '') => {
    const b = new RedisQuotaBackend({ url, keyPrefix: prefix, ...(now ? { now } : {}) });
    await b.connect();
    return b;
  };

  describe('bucket arithmetic (fixed time)', () => {
    bucketArithmetic((c) => open(() => c.now()));
  });

  it("uses the server's time; keys expire once the bucket would be full again", async () => {
    const b = await open();
    try {
      assert.equal(b.where, `Redis ${describeRedis(URL_ ?? '')}`);
      const id = bucket();
      for (let i = 0; i < 5; i++) assert.equal(await b.take(id, 5, 1, false), undefined);
      const retry = await b.take(id, 5, 1, false);
      assert.ok(retry !== undefined && retry >= 1 && retry <= 200, `retryAfterMs ${retry}`);
      const key = `${prefix}r:${id.accountId}:us-east-1`;
      const ttl = await admin.pttl(key);
      assert.ok(ttl > 1000 && ttl <= 2000, `PTTL ${ttl}: one second to refill, one of margin`);
      assert.deepEqual(Object.keys(await admin.hgetall(key)).sort(), ['at', 'tokens']);
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(await b.take(id, 5, 1, false), undefined, 'refilled in real time');
    } finally {
      await b.close();
    }
  });

  sharedAcrossInstances('clients', () => open());

  it(`Redis stops answering mid-connection: a take fails after the ${REDIS_COMMAND_TIMEOUT_MS} ms command timeout`, async () => {
    // A TCP proxy to the real server that can stop forwarding (a hung or partitioned Redis).
    const target = new URL(URL_ ?? '');
    let stalled = false;
    const sockets: Socket[] = [];
    const proxy = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      sockets.push(client, upstream);
      client.on('data', (d) => void (stalled || upstream.write(d)));
      upstream.on('data', (d) => void (stalled || client.write(d)));
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    const b = await open(undefined, `redis://127.0.0.1:${port}`);
    try {
      assert.equal(await b.take(bucket(), 5, 1, false), undefined);
      stalled = true;
      const t0 = performance.now();
      await assert.rejects(b.take(bucket(), 5, 1, false), /timed out/);
      const ms = performance.now() - t0;
      assert.ok(ms >= REDIS_COMMAND_TIMEOUT_MS - 5 && ms < REDIS_COMMAND_TIMEOUT_MS + 150, `${Math.round(ms)} ms`);
    } finally {
      await b.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe('Redis quota backend: a server that cannot be reached', () => {
  it('describes the URL without its password, and refuses what is not a Redis URL', () => {
    assert.equal(describeRedis('redis://:s3cret@cache.internal:6380/2'), 'redis://cache.internal:6380/2');
    assert.equal(describeRedis('rediss://user:pw@h'), 'rediss://h');
    assert.throws(() => describeRedis('http://h:6379'), /must start with redis:\/\/ or rediss:\/\//);
    assert.throws(() => describeRedis('nope'), /not a URL/);
  });

  it('connection refused: connect and takes fail at once', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const b = new RedisQuotaBackend({ url: `redis://127.0.0.1:${port}` });
    try {
      await assert.rejects(b.connect());
      const t0 = performance.now();
      await assert.rejects(b.take(bucket(), 5, 1, false));
      assert.ok(performance.now() - t0 < 100, 'no waiting while disconnected');
    } finally {
      await b.close();
    }
  });

  it('a server that accepts connections and never answers: connect gives up after 1 s, takes fail at once', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const b = new RedisQuotaBackend({ url: `redis://127.0.0.1:${port}` });
    try {
      const t0 = performance.now();
      await assert.rejects(b.connect(), /not ready after 1000 ms/);
      assert.ok(performance.now() - t0 < 1_300, `${Math.round(performance.now() - t0)} ms`);
      const t1 = performance.now();
      await assert.rejects(b.take(bucket(), 5, 1, false));
      assert.ok(performance.now() - t1 < 100, `${Math.round(performance.now() - t1)} ms`);
    } finally {
      await b.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

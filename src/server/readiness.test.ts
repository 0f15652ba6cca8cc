import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeReadiness } from './readiness.ts';

describe('readiness', () => {
  it('SQLite (no ping) is ready once open', async () => {
    assert.deepEqual(await storeReadiness({ kind: 'sqlite' })(), { ready: true, store: 'sqlite' });
  });

  it('asks the store at most once per cacheMs, shares one probe between concurrent checks', async () => {
    let t = 0;
    let pings = 0;
    let fail: Error | undefined;
    const ready = storeReadiness(
      {
        kind: 'postgres',
        ping: async () => {
          pings++;
          if (fail) throw fail;
        },
      },
      { cacheMs: 1_000, now: () => t },
    );
    const [a, b] = await Promise.all([ready(), ready()]);
    assert.equal(a?.ready, true);
    assert.equal(b, a);
    assert.equal(pings, 1);
    fail = new Error('The Parapet store (PostgreSQL at h:5432/db) is unreachable (ECONNREFUSED)');
    t = 999;
    assert.equal((await ready()).ready, true, 'still the cached answer');
    t = 1_000;
    const down = await ready();
    assert.deepEqual(down, { ready: false, store: 'postgres', reason: fail.message });
    assert.equal(pings, 2);
    fail = undefined;
    t = 2_000;
    assert.equal((await ready()).ready, true);
  });

  it('a store that does not answer is not ready after timeoutMs, and is not probed twice at once', async () => {
    let pings = 0;
    let t = 0;
    const ready = storeReadiness({ kind: 'postgres', ping: () => (pings++, new Promise<void>(() => {})) }, { timeoutMs: 30, cacheMs: 0, now: () => t });
    const first = await ready();
    assert.equal(first.ready, false);
    assert.match(String(first.reason), /did not answer within 30 ms/);
    t = 5_000;
    const second = await ready();
    assert.match(String(second.reason), /did not answer within 5030 ms/);
    assert.equal(pings, 1);
  });
});

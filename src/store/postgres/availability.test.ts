/** Which driver errors are outages, and the guarded pool's mapping, timeouts and connection disposal (no server needed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type pg from 'pg';
import { isStoreUnavailable, StoreUnavailableError } from '../unavailable.ts';
import { describeTarget, guardPool, isConnectionFailure } from './availability.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('outages of the PostgreSQL store', () => {
  it('tells an unreachable database from a failed query', () => {
    for (const e of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated due to connection timeout'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      withCode('sorry, too many clients already', '53300'),
      withCode('password authentication failed for user "parapet"', '28P01'),
      Object.assign(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')]), { message: '' }),
      new Error('query failed', { cause: withCode('read ETIMEDOUT', 'ETIMEDOUT') }),
      new StoreUnavailableError('PostgreSQL at h:5432/db', 'x'),
    ])
      assert.equal(isConnectionFailure(e), true, String(e));
    for (const e of [
      withCode('duplicate key value violates unique constraint "x_pk"', '23505'),
      withCode('relation "nope" does not exist', '42P01'),
      withCode('canceling statement due to statement timeout', '57014'),
      new Error('BIGINT value 1 is beyond the safe integer range'),
      'a string',
      undefined,
    ])
      assert.equal(isConnectionFailure(e), false, String(e));
  });

  it('names the database without the credentials', () => {
    assert.equal(describeTarget('postgres://parapet:s3cret@db.internal:6543/parapet'), 'PostgreSQL at db.internal:6543/parapet');
    assert.equal(describeTarget('postgresql://u@10.0.0.5/app?sslmode=require'), 'PostgreSQL at 10.0.0.5:5432/app');
    assert.equal(describeTarget('not a url'), 'PostgreSQL');
  });

  /** A pg.Pool stand-in: `connect` and `query` behave as each test says; releases are recorded. */
  function fakePool(behaviour: { connect?: () => Promise<void>; query?: (text: string) => Promise<pg.QueryResult> }) {
    const releases: unknown[] = [];
    const pool = {
      async connect() {
        await behaviour.connect?.();
        return {
          query: (text: string) => behaviour.query?.(text) ?? Promise.resolve({ rows: [], command: 'SELECT', rowCount: 0 } as unknown as pg.QueryResult),
          release: (destroy?: unknown) => releases.push(destroy),
        };
      },
      async end() {},
    };
    return { pool: pool as unknown as pg.Pool, releases };
  }

  it('a connection that cannot be had, or that breaks, is a StoreUnavailableError; other errors pass through', async () => {
    const seen: StoreUnavailableError[] = [];
    const refused = fakePool({ connect: () => Promise.reject(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')) });
    const g = guardPool(refused.pool, { target: 'PostgreSQL at 127.0.0.1:5432/test', queryTimeoutMs: 0, onUnavailable: (e) => seen.push(e) });
    await assert.rejects(g.connect(), (e: unknown) => {
      assert.ok(isStoreUnavailable(e));
      assert.equal(e.code, 'ServiceUnavailableException');
      assert.equal(e.status, 503);
      assert.match(e.message, /^The Parapet store \(PostgreSQL at 127\.0\.0\.1:5432\/test\) is unreachable \(connect ECONNREFUSED 127\.0\.0\.1:5432\); the call was refused because guardrails fail closed/);
      return true;
    });
    assert.equal(seen.length, 1);

    let fail: Error = withCode('duplicate key', '23505');
    const f = fakePool({ query: () => Promise.reject(fail) });
    const g2 = guardPool(f.pool, { target: 'PostgreSQL', queryTimeoutMs: 0 });
    const c1 = await g2.connect();
    await assert.rejects(c1.query('INSERT', []), (e) => e === fail, 'a constraint error is left to the repositories');
    c1.release();
    fail = new Error('Connection terminated unexpectedly');
    const c2 = await g2.connect();
    await assert.rejects(c2.query('SELECT 1', []), (e) => isStoreUnavailable(e));
    c2.release();
    assert.deepEqual(f.releases, [undefined, true], 'the broken connection is destroyed, the healthy one kept');
  });

  it('a query that does not answer in time fails as an outage; its connection is never used again', async () => {
    let queries = 0;
    const hang = fakePool({
      query: () => {
        queries++;
        return new Promise<pg.QueryResult>(() => {});
      },
    });
    const g = guardPool(hang.pool, { target: 'PostgreSQL at h:5432/db', queryTimeoutMs: 50 });
    const c = await g.connect();
    const started = Date.now();
    await assert.rejects(c.query('SELECT 1', []), (e: unknown) => isStoreUnavailable(e) && /no answer within 50 ms/.test(e.message));
    assert.ok(Date.now() - started < 1_000);
    await assert.rejects(c.query('rollback', []), (e) => isStoreUnavailable(e), 'fails at once: no wait for a dead socket');
    assert.equal(queries, 1);
    c.release();
    assert.deepEqual(hang.releases, [true]);
  });
});

/**
 * The PostgreSQL quota backend, in a fresh schema migrated by the store (dropped afterwards). Runs when
 * PARAPET_TEST_POSTGRES_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createAesGcmCipher } from '../store/crypto.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import { bucketArithmetic, randomAccount, sharedAcrossInstances } from '../../test/helpers/quota-backend-suite.ts';
import { PostgresQuotaBackend } from './quota-postgres.ts';
import { dropSchemas } from '../../test/helpers/postgres.ts';

const URL_ = process.env.PARAPET_TEST_POSTGRES_URL;
if (!URL_) console.log('# SKIPPED PostgreSQL quota backend tests: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

const bucket = (accountId = randomAccount()) => ({ kind: 'requests' as const, accountId, region: 'us-east-1' });

describe('PostgreSQL quota backend', { skip: !URL_ }, () => {
  const schema = `parapet_quota_test_${randomBytes(4).toString('hex')}`;
  before(async () => {
    const store = await openPostgresStore({ connectionString: URL_ ?? '', cipher: createAesGcmCipher(randomBytes(32)), schema });
    await store.close();
  });
  after(async () => {
    await dropSchemas(URL_ as string, schema);
  });
  const open = (now?: () => number) => new PostgresQuotaBackend({ connectionString: URL_ ?? '', schema, ...(now ? { now } : {}) });

  describe('bucket arithmetic (fixed time)', () => {
    bucketArithmetic((c) => open(() => c.now()));
  });

  it("uses the database's time", async () => {
    const b = open();
    try {
      assert.equal(b.where, 'PostgreSQL');
      const id = bucket();
      for (let i = 0; i < 5; i++) assert.equal(await b.take(id, 5, 1, false), undefined);
      const retry = await b.take(id, 5, 1, false);
      assert.ok(retry !== undefined && retry >= 1 && retry <= 200, `retryAfterMs ${retry}`);
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(await b.take(id, 5, 1, false), undefined, 'refilled in real time');
    } finally {
      await b.close();
    }
  });

  sharedAcrossInstances('pools', () => open());

  it('a database that cannot be reached: the take fails within a second', async () => {
    const b = new PostgresQuotaBackend({ connectionString: 'postgres://postgres@127.0.0.1:1/none', schema });
    try {
      const t0 = performance.now();
      await assert.rejects(b.take(bucket(), 5, 1, false));
      assert.ok(performance.now() - t0 < 1_100);
    } finally {
      await b.close();
    }
  });
});

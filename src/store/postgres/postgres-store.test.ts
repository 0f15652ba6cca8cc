import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { ServiceError } from '../../core/errors.ts';
import type { GuardrailConfig } from '../../engine/config/types.ts';
import { runStoreConformance } from '../conformance.ts';
import { createAesGcmCipher } from '../crypto.ts';
import type { AuditEntry, GuardrailRecord, Store } from '../types.ts';
import { openPostgresStore, unsafeRawSqlForTests, type PostgresStoreOptions } from './index.ts';

const URL = process.env['PARAPET_TEST_POSTGRES_URL'];
const SKIP = URL
  ? undefined
  : 'set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)';
if (SKIP) console.log(`# SKIPPED PostgreSQL store tests: ${SKIP}`);

const cipher = createAesGcmCipher(randomBytes(32));
const ACCT = '111111111111';
const REGION = 'us-east-1';

/**
 * Every store the tests open lives in a schema of its own, dropped when the store closes (and, as a safety
 * net, when the file ends): nothing leaks between tests or into the shared database.
 */
let admin: pg.Pool | undefined;
const created = new Set<string>();
let schemaCounter = 0;
const freshSchema = (): string => {
  const name = `parapet_test_${process.pid}_${Date.now().toString(36)}_${++schemaCounter}`;
  created.add(name);
  return name;
};
const dropSchema = async (schema: string): Promise<void> => {
  admin ??= new pg.Pool({ connectionString: URL, max: 2 });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  created.delete(schema);
};
after(async () => {
  for (const schema of [...created]) await dropSchema(schema);
  await admin?.end();
});

const open = (schema: string, extra: Partial<PostgresStoreOptions> = {}): Promise<Store> =>
  openPostgresStore({ connectionString: URL ?? '', cipher, schema, ...extra });

/** A store in a fresh schema that is dropped when the store closes. */
async function openIsolated(): Promise<Store> {
  const schema = freshSchema();
  const store = await open(schema);
  const close = store.close;
  store.close = async () => {
    await close();
    if (created.has(schema)) await dropSchema(schema);
  };
  return store;
}

/** Opens `n` stores ("replicas", one pool each) on one fresh schema; closes them and drops it afterwards. */
async function withReplicas(n: number, fn: (stores: Store[], schema: string) => Promise<void>): Promise<void> {
  const schema = freshSchema();
  const results = await Promise.allSettled(Array.from({ length: n }, () => open(schema, { poolSize: 4 })));
  const stores = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    await fn(stores, schema);
  } finally {
    for (const s of stores) await s.close();
    await dropSchema(schema);
  }
}

const config = (name: string): GuardrailConfig => ({ name, blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' });

function guardrail(id: string): GuardrailRecord {
  return {
    accountId: ACCT,
    region: REGION,
    guardrailId: id,
    arn: `arn:aws:bedrock:${REGION}:${ACCT}:guardrail/${id}`,
    config: config(`name-${id}`),
    status: 'READY',
    latestVersion: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

const entry = (i: number): AuditEntry => ({
  at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  accountId: ACCT,
  principalArn: `arn:aws:iam::${ACCT}:user/alice`,
  action: 'bedrock:ApplyGuardrail',
  outcome: 'NONE',
  requestId: `r${i}`,
});

const sqlState = (code: string, message: RegExp) => (e: unknown): boolean => {
  assert.equal((e as { code?: unknown }).code, code);
  assert.match(String((e as Error).message), message);
  return true;
};

if (SKIP) {
  describe('postgres store', { skip: SKIP }, () => {
    it('runs the conformance suite and the PostgreSQL specifics', () => {});
  });
} else {
  runStoreConformance('postgres (schema per test)', openIsolated, { rawSql: unsafeRawSqlForTests, cipher });

  describe('postgres store specifics', () => {
    it('creates its tables in its own schema, text in byte order, with the immutability triggers', async () => {
      const store = await openIsolated();
      try {
        const raw = unsafeRawSqlForTests(store);
        const [where] = await raw('SELECT current_schema() AS schema');
        assert.match(String(where?.['schema']), /^parapet_test_/);
        // (The change feed's NOTIFY triggers, `*_notify_*`, are checked in change-feed.test.ts.)
        const triggers = await raw(
          `SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
           WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
             AND t.tgname NOT LIKE '%\\_notify\\_%' ORDER BY t.tgname`,
        );
        assert.deepEqual(triggers, [
          { name: 'audit_log_no_delete' },
          { name: 'audit_log_no_truncate' },
          { name: 'audit_log_no_update' },
          { name: 'guardrail_versions_immutable' },
        ]);
        const tables = await raw(
          `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()`,
        );
        assert.deepEqual(tables, [{ n: 22 }], '20 tables + kysely_migration + kysely_migration_lock; int8 read as a number');
        const otherCollation = await raw(
          `SELECT table_name, column_name, collation_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'`,
        );
        assert.deepEqual(otherCollation, []);
        // byte order, not a linguistic one: upper case first
        await store.tags.put('arn:t', [{ key: 'b', value: '' }, { key: 'B', value: '' }, { key: 'a', value: '' }], 10);
        assert.deepEqual((await store.tags.list('arn:t')).map((t) => t.key), ['B', 'a', 'b']);
      } finally {
        await store.close();
      }
    });

    it('refuses UPDATE of a published version and UPDATE, DELETE, TRUNCATE of audit records, even to raw SQL', async () => {
      const store = await openIsolated();
      try {
        const raw = unsafeRawSqlForTests(store);
        await store.guardrails.create({ record: guardrail('g1'), requestHash: 'h', maxPerAccountRegion: 10 });
        const v1 = await store.guardrails.createVersion({
          accountId: ACCT,
          region: REGION,
          guardrailId: 'g1',
          createdAt: '2026-01-02T00:00:00.000Z',
          requestHash: 'h',
          maxVersions: 10,
        });
        const immutable = sqlState('23001', /published guardrail versions are immutable/);
        await assert.rejects(raw(`UPDATE guardrail_versions SET description = 'x'`), immutable);
        await assert.rejects(raw(`UPDATE guardrail_versions SET version = 9 WHERE version = 1`), immutable);
        assert.deepEqual(await store.guardrails.getVersion(ACCT, REGION, 'g1', 1), v1);

        await store.audit.appendMany([entry(1), entry(2)]);
        const appendOnly = sqlState('23001', /the audit log is append-only/);
        await assert.rejects(raw(`UPDATE audit_log SET outcome = 'x' WHERE seq = 1`), appendOnly);
        await assert.rejects(raw(`DELETE FROM audit_log WHERE seq = 2`), appendOnly);
        await assert.rejects(raw(`TRUNCATE audit_log`), appendOnly);
        assert.deepEqual(await store.audit.verify(), { ok: true, count: 2 });
        // deleting versions (directly or by cascade from the guardrail) stays possible
        assert.equal(await store.guardrails.delete(ACCT, REGION, 'g1'), true);
        assert.deepEqual(await raw('SELECT * FROM guardrail_versions'), []);
      } finally {
        await store.close();
      }
    });

    it('keeps data across reopen and migrates once; a bad schema name is refused', async () => {
      const schema = freshSchema();
      try {
        const first = await open(schema);
        await first.accounts.create({ accountId: ACCT, name: 'a', role: 'member', createdAt: '2026-01-01T00:00:00.000Z' });
        await first.close();
        await first.close(); // closing twice is harmless
        const again = await open(schema);
        try {
          assert.equal((await again.accounts.get(ACCT))?.name, 'a');
          const migrations = await unsafeRawSqlForTests(again)('SELECT name FROM kysely_migration ORDER BY name');
          assert.deepEqual(migrations, [{ name: '0001_initial' }, { name: '0002_organizations_iam_enforcement_audit' }, { name: '0003_change_notifications' }, { name: '0004_quota_buckets' }]);
        } finally {
          await again.close();
        }
      } finally {
        await dropSchema(schema);
      }
      for (const bad of ['Upper', 'has-dash', '1digit', 'x; DROP SCHEMA public', '']) {
        await assert.rejects(open(bad), /invalid PostgreSQL schema name/);
      }
      await assert.rejects(open(freshSchema(), { poolSize: 0 }), /poolSize/);
    });

    it('stores opening one fresh schema at once all migrate it successfully, exactly once', async () => {
      await withReplicas(4, async (stores) => {
        const raw = unsafeRawSqlForTests(stores[0] as Store);
        const migrations = await raw('SELECT name FROM kysely_migration ORDER BY name');
        assert.deepEqual(migrations, [{ name: '0001_initial' }, { name: '0002_organizations_iam_enforcement_audit' }, { name: '0003_change_notifications' }, { name: '0004_quota_buckets' }]);
        // every replica sees the others' writes
        await stores[1]?.meta.set('k', 'v');
        for (const s of stores) assert.equal(await s.meta.get('k'), 'v');
      });
    });

    it('stores in different schemas of one database, opened one after and at once, are isolated', async () => {
      // the second and third find another schema's kysely_migration already there: it must not count as theirs
      const first = await openIsolated();
      const stores = [first, ...(await Promise.all([openIsolated(), openIsolated()]))];
      try {
        await stores[0]?.meta.set('k', 'first');
        await stores[1]?.audit.append(entry(1));
        assert.equal(await stores[0]?.meta.get('k'), 'first');
        assert.equal(await stores[1]?.meta.get('k'), undefined);
        assert.equal(await stores[2]?.meta.get('k'), undefined);
        assert.deepEqual(await stores[0]?.audit.verify(), { ok: true, count: 0 });
        assert.deepEqual(await stores[1]?.audit.verify(), { ok: true, count: 1 });
      } finally {
        for (const s of stores) await s.close();
      }
    });

    it('two replicas publishing one guardrail at once get distinct version numbers under the quota', async () => {
      await withReplicas(2, async ([a, b]) => {
        assert.ok(a && b);
        await a.guardrails.create({ record: guardrail('g1'), requestHash: 'h', maxPerAccountRegion: 10 });
        const publish = (s: Store, token?: string) =>
          s.guardrails.createVersion({
            accountId: ACCT,
            region: REGION,
            guardrailId: 'g1',
            createdAt: new Date().toISOString(),
            clientRequestToken: token,
            requestHash: 'h',
            maxVersions: 20,
          });
        const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => publish(i % 2 ? a : b)));
        const numbers = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value.version] : []));
        assert.deepEqual(
          [...numbers].sort((x, y) => x - y),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        for (const r of results) {
          if (r.status === 'rejected') {
            assert.ok(r.reason instanceof ServiceError, String(r.reason));
            assert.equal(r.reason.code, 'ServiceQuotaExceededException');
          }
        }
        assert.equal((await b.guardrails.get(ACCT, REGION, 'g1'))?.latestVersion, 20);
        const listed = await a.guardrails.listVersions(ACCT, REGION, 'g1', { maxResults: 100 });
        assert.deepEqual(
          listed.items.map((v) => v.version),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );

        // retries of one idempotent publish through both replicas: one new version
        await a.guardrails.create({ record: guardrail('g2'), requestHash: 'h', maxPerAccountRegion: 10 });
        const retries = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? a : b).guardrails.createVersion({
              accountId: ACCT,
              region: REGION,
              guardrailId: 'g2',
              createdAt: new Date().toISOString(),
              clientRequestToken: 'tok',
              requestHash: 'h',
              maxVersions: 20,
            }),
          ),
        );
        assert.deepEqual(new Set(retries.map((v) => v?.version)), new Set([1]));

        // guardrail creates from both replicas respect one per-account quota
        const creates = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            (i % 2 ? a : b).guardrails.create({
              record: guardrail(`c${i}`),
              requestHash: 'h',
              maxPerAccountRegion: 12,
            }),
          ),
        );
        assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 10); // g1 and g2 exist already
        assert.equal((await b.guardrails.list(ACCT, REGION, { maxResults: 100 })).items.length, 12);
      });
    });

    it('two replicas appending to the audit log at once keep one unbroken hash chain', async () => {
      await withReplicas(2, async ([a, b]) => {
        assert.ok(a && b);
        const singles = Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).audit.append(entry(i)));
        const batches = Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? b : a).audit.appendMany([entry(100 + i * 3), entry(101 + i * 3), entry(102 + i * 3)]),
        );
        const [one, many] = await Promise.all([Promise.all(singles), Promise.all(batches)]);
        const records = [...one, ...many.flat()];
        assert.deepEqual(
          records.map((r) => r.seq).sort((x, y) => x - y),
          Array.from({ length: 90 }, (_, i) => i + 1),
        );
        // each batch is consecutive
        for (const batch of many) assert.deepEqual(batch.map((r) => r.seq - (batch[0]?.seq ?? 0)), [0, 1, 2]);
        // every record links to the one before it, whichever replica wrote either
        const bySeq = new Map(records.map((r) => [r.seq, r]));
        for (let seq = 2; seq <= 90; seq++) assert.equal(bySeq.get(seq)?.prevHash, bySeq.get(seq - 1)?.hash);
        assert.deepEqual(await a.audit.verify(), { ok: true, count: 90 });
        assert.deepEqual(await b.audit.verify(), { ok: true, count: 90 });
        assert.deepEqual(await b.audit.list({ limit: 90 }), [...records].sort((x, y) => y.seq - x.seq));
      });
    });
  });
}

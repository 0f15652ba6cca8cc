import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runStoreConformance } from '../conformance.ts';
import { createAesGcmCipher } from '../crypto.ts';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../unavailable.ts';
import { openSqliteStore, unsafeRawSqlForTests } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'parapet-sqlite-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cipher = createAesGcmCipher(randomBytes(32));
let fileCounter = 0;
const freshFile = (): string => join(dir, `store-${++fileCounter}`, 'parapet.db');

runStoreConformance('sqlite (temp file)', () => openSqliteStore({ filename: freshFile(), cipher }), {
  rawSql: unsafeRawSqlForTests,
  cipher,
});
runStoreConformance('sqlite (in memory)', () => openSqliteStore({ filename: ':memory:', cipher }), {
  rawSql: unsafeRawSqlForTests,
  cipher,
});

describe('sqlite store specifics', () => {
  it('opens with WAL, foreign keys, a busy timeout and the immutability triggers', async () => {
    const store = await openSqliteStore({ filename: freshFile(), cipher, busyTimeoutMs: 1234 });
    try {
      const raw = unsafeRawSqlForTests(store);
      assert.deepEqual(await raw('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
      assert.deepEqual(await raw('PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
      assert.deepEqual(await raw('PRAGMA busy_timeout'), [{ timeout: 1234 }]);
      const triggers = await raw(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`);
      assert.deepEqual(triggers, [
        { name: 'audit_log_no_delete' },
        { name: 'audit_log_no_update' },
        { name: 'guardrail_versions_immutable' },
      ]);
    } finally {
      await store.close();
    }
  });

  it('keeps data across reopen, migrates once, and needs the same master key to read secrets', async () => {
    const filename = freshFile();
    const first = await openSqliteStore({ filename, cipher });
    await first.accounts.create({ accountId: '111111111111', name: 'a', role: 'member', createdAt: '2026-01-01T00:00:00.000Z' });
    await first.accessKeys.create({
      accessKeyId: 'AKIAREOPEN',
      accountId: '111111111111',
      principalArn: 'arn:aws:iam::111111111111:user/a',
      secretAccessKey: 'the-secret',
      status: 'Active',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await first.close();
    await first.close(); // closing twice is harmless

    const wrong = await openSqliteStore({ filename, cipher: createAesGcmCipher(randomBytes(32)) });
    try {
      await assert.rejects(wrong.accessKeys.get('AKIAREOPEN'), /cannot read the secret of access key AKIAREOPEN/);
    } finally {
      await wrong.close();
    }

    const again = await openSqliteStore({ filename, cipher });
    try {
      assert.equal((await again.accessKeys.get('AKIAREOPEN'))?.secretAccessKey, 'the-secret');
      const migrations = await unsafeRawSqlForTests(again)('SELECT name FROM kysely_migration ORDER BY name');
      assert.deepEqual(migrations, [{ name: '0001_initial' }, { name: '0002_organizations_iam_enforcement_audit' }]);
    } finally {
      await again.close();
    }
  });

  it('upgrades a version-1 database in place, keeping its data', async () => {
    const filename = freshFile();
    const v1 = await openSqliteStore({ filename, cipher });
    await v1.accounts.create({ accountId: '111111111111', name: 'a', role: 'member', createdAt: '2026-01-01T00:00:00.000Z' });
    // roll the file back to what migration 0001 alone produced
    const raw = unsafeRawSqlForTests(v1);
    const v2Tables = await raw(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ` +
        `('accounts', 'access_keys', 'guardrails', 'guardrail_versions', 'idempotency_tokens', 'tags', 'meta') ` +
        `AND name NOT LIKE 'kysely_%' AND name NOT LIKE 'sqlite_%'`,
    );
    assert.equal(v2Tables.length, 12);
    await raw('PRAGMA foreign_keys = OFF');
    for (const { name } of v2Tables) await raw(`DROP TABLE ${String(name)}`);
    await raw('PRAGMA foreign_keys = ON');
    await raw(`DELETE FROM kysely_migration WHERE name <> '0001_initial'`);
    await v1.close();

    const upgraded = await openSqliteStore({ filename, cipher });
    try {
      assert.equal((await upgraded.accounts.get('111111111111'))?.name, 'a');
      const record = await upgraded.audit.append({
        at: '2026-01-01T00:00:00.000Z',
        accountId: '111111111111',
        principalArn: 'arn:aws:iam::111111111111:root',
        action: 'test:Upgrade',
        outcome: 'Success',
      });
      assert.equal(record.seq, 1);
      await assert.rejects(unsafeRawSqlForTests(upgraded)('DELETE FROM audit_log'));
    } finally {
      await upgraded.close();
    }
  });

  it('serializes writers across processes sharing one file', async () => {
    const filename = freshFile();
    const setup = await openSqliteStore({ filename, cipher });
    await setup.guardrails.create({
      record: {
        accountId: '111111111111',
        region: 'us-east-1',
        guardrailId: 'shared',
        arn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/shared',
        config: { name: 'shared', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' },
        status: 'READY',
        latestVersion: 0,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
      requestHash: 'h',
      maxPerAccountRegion: 100,
    });
    await setup.close();

    const indexUrl = new URL('./index.ts', import.meta.url).href;
    const cryptoUrl = new URL('../crypto.ts', import.meta.url).href;
    // Both processes start their burst at the same instant, so their transactions really contend.
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(indexUrl)});
      const { createAesGcmCipher } = await import(${JSON.stringify(cryptoUrl)});
      const [filename, startAt, tag] = process.argv.slice(1);
      const store = await openSqliteStore({ filename, cipher: createAesGcmCipher(Buffer.alloc(32)) });
      await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
      const created = await Promise.allSettled(Array.from({ length: 100 }, (_, i) =>
        store.guardrails.create({ record: { accountId: '111111111111', region: 'us-east-1',
          guardrailId: tag + i, arn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/' + tag + i,
          config: { name: tag + i, blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' },
          status: 'READY', latestVersion: 0, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
          requestHash: 'h', maxPerAccountRegion: 151 })));
      const versions = await Promise.allSettled(Array.from({ length: 15 }, () =>
        store.guardrails.createVersion({ accountId: '111111111111', region: 'us-east-1',
          guardrailId: 'shared', createdAt: new Date().toISOString(), requestHash: 'h', maxVersions: 20 })));
      await store.close();
      const failures = [...created, ...versions].flatMap((r) => r.status === 'rejected' ? [r.reason.code ?? String(r.reason)] : []);
      console.log(JSON.stringify({
        created: created.filter((r) => r.status === 'fulfilled').length,
        versions: versions.flatMap((r) => r.status === 'fulfilled' ? [r.value.version] : []),
        failures: [...new Set(failures)],
      }));`;
    const run = promisify(execFile);
    const cwd = fileURLToPath(new URL('../../..', import.meta.url));
    const startAt = String(Date.now() + 2000);
    const outputs = await Promise.all(
      ['a', 'b'].map((tag) =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, filename, startAt, tag], { cwd }),
      ),
    );
    const results = outputs.map(
      (o) => JSON.parse(o.stdout) as { created: number; versions: number[]; failures: string[] },
    );
    // one guardrail existed before: 150 more fit under the limit of 151
    assert.equal(results.reduce((n, r) => n + r.created, 0), 150);
    assert.deepEqual(
      results.flatMap((r) => r.versions).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const r of results) assert.deepEqual(r.failures.filter((f) => f !== 'ServiceQuotaExceededException'), []);
  });

  it('a write that waits out its busy timeout behind another process is a 503 (ServiceUnavailableException), not a 500', async () => {
    const filename = freshFile();
    const store = await openSqliteStore({ filename, cipher, busyTimeoutMs: 50 });
    // Another connection (as another process would) holds the write lock.
    const other = new Database(filename);
    other.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(store.meta.set('k', 'v'), (e: unknown) => {
        assert.ok(e instanceof StoreUnavailableError);
        assert.equal(e.code, 'ServiceUnavailableException');
        assert.equal(e.status, 503);
        assert.match(e.message, /^The Parapet store \(the SQLite database\) is unreachable \(the database file stayed locked/);
        return true;
      });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Once the lock is gone, writes go through again.
    await store.meta.set('k', 'v');
    assert.equal(await store.meta.get('k'), 'v');
    await store.close();
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAesGcmCipher } from '../store/crypto.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { AuditEntry, Store } from '../store/types.ts';
import { WorkerAuditRepo } from './worker-repo.ts';

const entry = (action: string): AuditEntry => ({
  at: '2026-01-01T00:00:00.000Z',
  accountId: '111111111111',
  principalArn: 'arn:aws:iam::111111111111:root',
  action,
  outcome: 'NONE',
  detail: { n: action },
});

describe('WorkerAuditRepo', () => {
  let dir: string;
  let file: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-audit-worker-'));
    file = join(dir, 'parapet.db');
    store = await openSqliteStore({ filename: file, cipher: createAesGcmCipher(Buffer.alloc(32, 3)) });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends on its own thread and connection, interleaved with this thread, into one valid chain', async () => {
    const errors: unknown[] = [];
    const repo = new WorkerAuditRepo(file, store.audit, (e) => errors.push(e));
    try {
      const batches = await Promise.all([
        repo.appendMany([entry('w1'), entry('w2')]),
        store.audit.append(entry('main1')),
        repo.appendMany([entry('w3')]),
        store.audit.append(entry('main2')),
      ]);
      assert.deepEqual(
        batches.flat().map((r) => r.action).sort(),
        ['main1', 'main2', 'w1', 'w2', 'w3'],
      );
      const w = batches[0];
      assert.ok(Array.isArray(w));
      assert.equal(w[1]?.seq, (w[0]?.seq ?? 0) + 1, "one caller's entries stay consecutive");
      assert.deepEqual(await store.audit.verify(), { ok: true, count: 5 });
      assert.deepEqual(errors, []);
    } finally {
      await repo.close();
    }
  });

  it('an entry the thread cannot receive (not cloneable) is written here instead, and close() still returns', async () => {
    const repo = new WorkerAuditRepo(file, store.audit);
    try {
      const odd = { ...entry('odd'), detail: { n: 'odd', callback: () => 1 } };
      const [r] = await repo.appendMany([odd]);
      assert.equal(r?.action, 'odd');
      assert.deepEqual(r?.detail, { n: 'odd' }, 'stored as its JSON');
    } finally {
      await repo.close();
    }
    assert.equal((await store.audit.verify()).ok, true);
  });

  it('a thread that cannot start hands every append to the fallback, and says why once', async () => {
    const errors: unknown[] = [];
    const repo = new WorkerAuditRepo(join(dir, 'no-such-dir', 'sub', '\u0000bad'), store.audit, (e) => errors.push(e));
    try {
      const [r] = await repo.appendMany([entry('fallback')]);
      assert.equal(r?.action, 'fallback');
      assert.equal(errors.length, 1);
      assert.equal((await store.audit.verify()).ok, true);
    } finally {
      await repo.close();
    }
  });
});

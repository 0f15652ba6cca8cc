import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../core/errors.ts';
import type { AuditEntry, AuditRecord } from '../store/types.ts';
import { AuditBatchWriter } from './batch-writer.ts';

const entry = (action: string): AuditEntry => ({ at: '2026-01-01T00:00:00.000Z', accountId: '111111111111', principalArn: 'p', action, outcome: 'NONE' });

function fakeRepo(fail?: (entries: readonly AuditEntry[]) => boolean) {
  const calls: string[][] = [];
  let seq = 0;
  return {
    calls,
    async appendMany(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
      calls.push(entries.map((e) => e.action));
      if (fail?.(entries)) throw new Error('bad entry');
      return entries.map((e) => ({ ...e, seq: ++seq, prevHash: '', hash: '' }));
    },
  };
}

describe('AuditBatchWriter', () => {
  it('appends made in the same tick share one transaction, in order, and each caller gets its own records', async () => {
    const repo = fakeRepo();
    const w = new AuditBatchWriter(repo);
    const [a, b, c] = await Promise.all([w.append([entry('a1'), entry('a2')]), w.append([entry('b1')]), w.append([entry('c1'), entry('c2')])]);
    assert.deepEqual(repo.calls, [['a1', 'a2', 'b1', 'c1', 'c2']]);
    assert.deepEqual(a?.map((r) => r.seq), [1, 2]);
    assert.deepEqual(b?.map((r) => r.action), ['b1']);
    assert.deepEqual(c?.map((r) => r.seq), [4, 5]);
  });

  it('a failing batch is retried caller by caller: only the bad caller fails', async () => {
    const repo = fakeRepo((entries) => entries.some((e) => e.action === 'bad'));
    const w = new AuditBatchWriter(repo);
    const results = await Promise.allSettled([w.append([entry('ok1')]), w.append([entry('bad')]), w.append([entry('ok2')])]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(repo.calls, [['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
  });

  it('entries enqueued while a write is in flight go in the next transaction', async () => {
    const repo = fakeRepo();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow = {
      async appendMany(entries: readonly AuditEntry[]) {
        const out = await repo.appendMany(entries);
        await gate;
        return out;
      },
    };
    const w = new AuditBatchWriter(slow, { delayMs: 0 });
    const first = w.append([entry('x')]);
    // Wait for the write to start by turns of the event loop, not wall time (a descheduled process on a busy
    // machine would let a 5 ms timer fire first).
    for (let turn = 0; turn < 10_000 && repo.calls.length === 0; turn++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(repo.calls, [['x']], 'the first batch is being written');
    const second = w.append([entry('y')]);
    release();
    await Promise.all([first, second]);
    assert.deepEqual(repo.calls, [['x'], ['y']]);
    assert.deepEqual(await w.append([]), []);
  });

  it('drain() writes what is queued without waiting for the delay', async () => {
    const repo = fakeRepo();
    const w = new AuditBatchWriter(repo, { delayMs: 60_000 });
    const pending = w.append([entry('late')]);
    await w.drain();
    assert.deepEqual(repo.calls, [['late']]);
    assert.equal((await pending)[0]?.action, 'late');
  });
  it('during an outage of the store a batch is held and retried, then written when the store is back', async () => {
    const repo = fakeRepo();
    let down = true;
    let attempts = 0;
    const flaky = {
      async appendMany(entries: readonly AuditEntry[]) {
        attempts++;
        if (down) throw new ServiceError('ServiceUnavailableException', 'the store is unreachable');
        return repo.appendMany(entries);
      },
    };
    const w = new AuditBatchWriter(flaky, { holdMs: 5_000 });
    const pending = w.append([entry('held')]);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(attempts >= 2, `retried (${attempts} attempts)`);
    assert.equal(w.pending, 1);
    down = false;
    const [rec] = await pending;
    assert.equal(rec?.action, 'held');
    assert.deepEqual(repo.calls, [['held']]);
  });

  it('past the hold the callers get the outage error (never a silent drop); bad entries are not retried', async () => {
    let t = 0;
    const unavailable = new ServiceError('ServiceUnavailableException', 'the store is unreachable');
    let attempts = 0;
    const down = {
      async appendMany(): Promise<AuditRecord[]> {
        attempts++;
        t += 400; // each attempt "takes" 400 ms of the fake clock
        throw unavailable;
      },
    };
    const w = new AuditBatchWriter(down, { holdMs: 1_000, now: () => t });
    const started = Date.now();
    await assert.rejects(w.append([entry('lost')]), (e) => e === unavailable);
    assert.equal(attempts, 3, 'attempts at 0, 400 and 800 ms of the hold; the hold is over at 1200');
    assert.ok(Date.now() - started < 1_000);

    const repo = fakeRepo((entries) => entries.some((e) => e.action === 'bad'));
    const w2 = new AuditBatchWriter(repo, { holdMs: 60_000 });
    await assert.rejects(w2.append([entry('bad')]), /bad entry/);
    assert.deepEqual(repo.calls, [['bad'], ['bad']], 'one batch attempt, one per-caller attempt: no hold');
  });
});

/**
 * Group commit for the audit trail: entries appended while a write is in flight (or within the same tick) go
 * to the store together, in one transaction, in the order they were enqueued. Each caller's promise settles
 * when its own entries are stored, so nothing is acknowledged before it is durable; under load the per-call
 * cost of a transaction is shared by every call in the batch.
 */
import type { AuditEntry, AuditRecord, AuditRepo } from '../store/types.ts';

interface Pending {
  entries: readonly AuditEntry[];
  resolve: (records: AuditRecord[]) => void;
  reject: (err: unknown) => void;
}

/** At most this many entries per transaction (the rest wait for the next one). */
const MAX_BATCH = 2_000;

export class AuditBatchWriter {
  readonly #repo: Pick<AuditRepo, 'appendMany'>;
  #queue: Pending[] = [];
  #writing = false;
  #scheduled = false;

  constructor(repo: Pick<AuditRepo, 'appendMany'>) {
    this.#repo = repo;
  }

  append(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (!entries.length) return Promise.resolve([]);
    return new Promise<AuditRecord[]>((resolve, reject) => {
      this.#queue.push({ entries, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing || !this.#queue.length) return;
    this.#writing = true;
    const batch: Pending[] = [];
    let size = 0;
    while (this.#queue.length && (size === 0 || size + (this.#queue[0]?.entries.length ?? 0) <= MAX_BATCH)) {
      const p = this.#queue.shift();
      if (!p) break;
      batch.push(p);
      size += p.entries.length;
    }
    try {
      const records = await this.#repo.appendMany(batch.flatMap((p) => p.entries));
      let at = 0;
      for (const p of batch) {
        p.resolve(records.slice(at, at + p.entries.length));
        at += p.entries.length;
      }
    } catch {
      // One bad entry must not lose the others: write each caller's entries on their own.
      for (const p of batch) await this.#repo.appendMany(p.entries).then(p.resolve, p.reject);
    } finally {
      this.#writing = false;
      if (this.#queue.length) this.#schedule();
    }
  }
}

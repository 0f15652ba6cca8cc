/**
 * Group commit for the audit trail: entries appended within `delayMs` of each other (or while a write is in
 * flight) go to the store together, in one transaction, in the order they were enqueued. Each caller's
 * promise settles when its own entries are stored, so nothing is acknowledged before it is durable; under
 * load the cost of a transaction is shared by every call in the batch, and the writes stay out of the way of
 * the requests being answered. `drain()` writes what is queued (the server calls it when it closes).
 */
import type { AuditEntry, AuditRecord, AuditRepo } from '../store/types.ts';

interface Pending {
  entries: readonly AuditEntry[];
  resolve: (records: AuditRecord[]) => void;
  reject: (err: unknown) => void;
}

/** At most this many entries per transaction (the rest wait for the next one). */
const MAX_BATCH = 2_000;

/** A batch is written at the latest this long after its first entry was queued. */
export const DEFAULT_AUDIT_DELAY_MS = 10;
/** A queue this long is written at once. */
const FLUSH_AT = 500;

export class AuditBatchWriter {
  readonly #repo: Pick<AuditRepo, 'appendMany'>;
  readonly #delayMs: number;
  #queue: Pending[] = [];
  #queued = 0;
  /** The promises of appends not yet settled (what `drain()` waits for). */
  readonly #unsettled = new Set<Promise<AuditRecord[]>>();
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(repo: Pick<AuditRepo, 'appendMany'>, opts: { delayMs?: number } = {}) {
    this.#repo = repo;
    this.#delayMs = opts.delayMs ?? DEFAULT_AUDIT_DELAY_MS;
  }

  /** Writes everything queued so far (and waits for a write in flight); appends made meanwhile are not waited for. */
  async drain(): Promise<void> {
    const waiting = [...this.#unsettled];
    this.#startFlush();
    await Promise.allSettled(waiting);
  }

  append(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (!entries.length) return Promise.resolve([]);
    const promise = new Promise<AuditRecord[]>((resolve, reject) => {
      this.#queue.push({ entries, resolve, reject });
      this.#queued += entries.length;
      if (this.#queued >= FLUSH_AT) this.#startFlush();
      else this.#schedule();
    });
    this.#unsettled.add(promise);
    const forget = () => this.#unsettled.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  #schedule(): void {
    if (this.#writing || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#startFlush();
    }, this.#delayMs);
  }

  #startFlush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#writing || !this.#queue.length) return;
    this.#writing = this.#flush().finally(() => {
      this.#writing = undefined;
      if (this.#queue.length) this.#schedule();
    });
  }

  async #flush(): Promise<void> {
    const batch: Pending[] = [];
    let size = 0;
    while (this.#queue.length && (size === 0 || size + (this.#queue[0]?.entries.length ?? 0) <= MAX_BATCH)) {
      const p = this.#queue.shift();
      if (!p) break;
      batch.push(p);
      size += p.entries.length;
    }
    this.#queued -= size;
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
    }
  }
}

/**
 * Group commit for the audit trail: entries appended while a write is in flight (or within `delayMs` of each
 * other) go to the store together, in one transaction, in the order they were enqueued. Each caller's promise
 * settles when its own entries are stored, so nothing is acknowledged before it is durable: the gateway waits
 * for it before it answers a call. With the default delay of 0 an idle writer writes at once (the next turn of
 * the event loop) and a busy one gathers everything that arrived during the previous transaction, so under
 * load the cost of a transaction is shared by every call in the batch.
 *
 * Outages: a batch the store refuses as unavailable (`ServiceUnavailableException`: the database cannot be
 * reached) is retried with backoff until its oldest entry has waited `holdMs` (default 5 s): a short blip
 * delays the calls instead of failing them. Past that, its callers' promises reject with that error (the
 * gateway then refuses those calls with 503, or reports the records of already-refused calls as lost in its
 * log); nothing is dropped silently. `drain()` writes what is queued (the server calls it when it closes).
 */
import { isServiceError } from '../core/errors.ts';
import type { AuditEntry, AuditRecord, AuditRepo } from '../store/types.ts';

interface Pending {
  entries: readonly AuditEntry[];
  queuedAt: number;
  resolve: (records: AuditRecord[]) => void;
  reject: (err: unknown) => void;
}

/** At most this many entries per transaction (the rest wait for the next one). */
const MAX_BATCH = 2_000;

/** A batch is written at the latest this long after its first entry was queued (0: at the next turn). */
export const DEFAULT_AUDIT_DELAY_MS = 0;
/** How long entries are held and retried while the store is unavailable. */
export const DEFAULT_AUDIT_HOLD_MS = 5_000;
/** A queue this long is written at once. */
const FLUSH_AT = 500;
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1_000;

/** The store could not be reached (as opposed to a bad entry): worth retrying. */
export function isTransientAuditFailure(err: unknown): boolean {
  return isServiceError(err) && err.code === 'ServiceUnavailableException';
}

export interface AuditBatchWriterOptions {
  delayMs?: number;
  holdMs?: number;
  now?: () => number;
}

export class AuditBatchWriter {
  readonly #repo: Pick<AuditRepo, 'appendMany'>;
  readonly #delayMs: number;
  readonly #holdMs: number;
  readonly #now: () => number;
  #queue: Pending[] = [];
  #queued = 0;
  /** The promises of appends not yet settled (what `drain()` waits for). */
  readonly #unsettled = new Set<Promise<AuditRecord[]>>();
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  /** Wakes a batch waiting to be retried (drain). */
  #wake: (() => void) | undefined;

  constructor(repo: Pick<AuditRepo, 'appendMany'>, opts: AuditBatchWriterOptions = {}) {
    this.#repo = repo;
    this.#delayMs = opts.delayMs ?? DEFAULT_AUDIT_DELAY_MS;
    this.#holdMs = opts.holdMs ?? DEFAULT_AUDIT_HOLD_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** Entries waiting to be written (queued or in a batch being retried). */
  get pending(): number {
    return this.#unsettled.size;
  }

  /**
   * Writes everything queued so far (and waits for a write in flight; a batch held during an outage is retried
   * at once and then for what remains of its hold); appends made meanwhile are not waited for.
   */
  async drain(): Promise<void> {
    const waiting = [...this.#unsettled];
    this.#wake?.();
    this.#startFlush();
    await Promise.allSettled(waiting);
  }

  append(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (!entries.length) return Promise.resolve([]);
    const promise = new Promise<AuditRecord[]>((resolve, reject) => {
      this.#queue.push({ entries, queuedAt: this.#now(), resolve, reject });
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
    if (this.#writing || this.#timer || this.#immediate) return;
    const run = () => {
      this.#timer = undefined;
      this.#immediate = undefined;
      this.#startFlush();
    };
    // Appends of the same turn of the event loop still share a transaction.
    if (this.#delayMs <= 0) this.#immediate = setImmediate(run);
    else this.#timer = setTimeout(run, this.#delayMs);
  }

  #startFlush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#immediate = undefined;
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
    const entries = batch.flatMap((p) => p.entries);
    const deadline = Math.min(...batch.map((p) => p.queuedAt)) + this.#holdMs;
    for (let wait = FIRST_RETRY_MS; ; wait = Math.min(wait * 2, MAX_RETRY_MS)) {
      try {
        const records = await this.#repo.appendMany(entries);
        let at = 0;
        for (const p of batch) {
          p.resolve(records.slice(at, at + p.entries.length));
          at += p.entries.length;
        }
        return;
      } catch (err) {
        if (isTransientAuditFailure(err)) {
          const left = deadline - this.#now();
          if (left <= 0) {
            for (const p of batch) p.reject(err);
            return;
          }
          await this.#sleep(Math.min(wait, left));
          continue;
        }
        // One bad entry must not lose the others: write each caller's entries on their own.
        for (const p of batch) await this.#repo.appendMany(p.entries).then(p.resolve, p.reject);
        return;
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

/**
 * The main thread's side of the audit writer thread (`audit-worker.ts`): `appendMany` posts the entries and
 * resolves with the stored records. If the thread cannot start or dies, appends go to the in-process store
 * instead — records are never dropped — and the failure is reported once through `onError`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ServiceError, type ErrorCode } from '../core/errors.ts';
import type { AuditEntry, AuditRecord, AuditRepo } from '../store/types.ts';

interface Reply {
  id?: number;
  ready?: boolean;
  records?: AuditRecord[];
  error?: { message: string; code?: string };
}

export class WorkerAuditRepo implements Pick<AuditRepo, 'appendMany'> {
  readonly #fallback: Pick<AuditRepo, 'appendMany'>;
  readonly #onError: (err: unknown) => void;
  #worker: Worker | undefined;
  #ready: Promise<boolean>;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (r: AuditRecord[]) => void; reject: (e: unknown) => void; entries: readonly AuditEntry[] }>();

  constructor(filename: string, fallback: Pick<AuditRepo, 'appendMany'>, onError: (err: unknown) => void = () => undefined) {
    this.#fallback = fallback;
    this.#onError = onError;
    // From a checkout the boot file loads the TypeScript source; a compiled build runs audit-worker.js directly.
    const boot = new URL('./audit-worker-boot.mjs', import.meta.url);
    const script = existsSync(fileURLToPath(boot)) ? boot : new URL('./audit-worker.js', import.meta.url);
    const worker = new Worker(script, { workerData: { filename } });
    this.#worker = worker;
    this.#ready = new Promise<boolean>((resolve) => {
      worker.once('message', (m: Reply) => resolve(m.ready === true));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    worker.on('message', (m: Reply) => this.#reply(m));
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (this.#worker) this.#fail(new Error(`the audit writer thread exited (code ${code})`));
    });
  }

  async appendMany(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (!(await this.#ready) || !this.#worker) return this.#fallback.appendMany(entries);
    const id = this.#next++;
    return new Promise<AuditRecord[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, entries });
      try {
        this.#worker?.postMessage({ id, entries });
      } catch {
        // Not structured-cloneable (a function somewhere in a payload): this thread's store serializes it as JSON.
        this.#pending.delete(id);
        this.#fallback.appendMany(entries).then(resolve, reject);
      }
    });
  }

  /** Stops the thread once the appends in flight are answered (at most 5 s; what is left goes to this thread). */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const deadline = Date.now() + 5_000;
    while (this.#pending.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    this.#worker = undefined;
    const stranded = [...this.#pending.values()];
    this.#pending.clear();
    await Promise.all(stranded.map((p) => this.#fallback.appendMany(p.entries).then(p.resolve, p.reject)));
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage('close');
    await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 2_000).unref())]);
    await worker.terminate();
  }

  #reply(m: Reply): void {
    if (m.id === undefined) return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.records) p.resolve(m.records);
    else
      p.reject(
        m.error?.code ? new ServiceError(m.error.code as ErrorCode, m.error.message) : new Error(m.error?.message ?? 'audit append failed'),
      );
  }

  /** The thread is gone: what it had not answered is written here, and so is everything after. */
  #fail(err: unknown): void {
    if (!this.#worker) return;
    this.#worker = undefined;
    this.#onError(err);
    const stranded = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of stranded) this.#fallback.appendMany(p.entries).then(p.resolve, p.reject);
  }
}

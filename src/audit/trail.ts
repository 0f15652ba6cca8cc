/**
 * The audit trail: every change to organizations, policies, resource policies and enforcement (and, from the
 * invocation gateway on, every guardrail application) is appended to the store's hash-chained log.
 */
import { isoTimestamp, type Clock } from '../core/ports.ts';
import type { AuditEntry, AuditQuery, AuditRecord, Store } from '../store/types.ts';
import { currentChangeSource, withSourceDetail } from './change-source.ts';

export type AuditEvent = Omit<AuditEntry, 'at' | 'outcome'> & { outcome?: string };

export class AuditTrail {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Appends one record; `outcome` defaults to `Success`. */
  async record(e: AuditEvent): Promise<AuditRecord> {
    const source = currentChangeSource();
    const entry = source === undefined ? e : { ...e, detail: withSourceDetail(e.detail, source) };
    return this.#store.audit.append({ ...entry, outcome: entry.outcome ?? 'Success', at: isoTimestamp(this.#clock.now()) });
  }

  list(q: AuditQuery): Promise<AuditRecord[]> {
    return this.#store.audit.list(q);
  }

  verify(): Promise<{ ok: boolean; count: number; brokenAt?: number }> {
    return this.#store.audit.verify();
  }
}

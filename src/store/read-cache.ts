/**
 * A read-through cache over the store's hot reads (organization position, identity and resource policies,
 * enforcement configurations, guardrail records and their published versions): the invocation gateway and
 * ApplyGuardrail resolve and authorize every call, and these rows change only through administrative calls. (A
 * guardrail's configuration is the costliest row to read: its JSON, with thousands of words, is parsed again on
 * every read.) An entry is used while no write has reached the database since it
 * was read (the store's change count) and for at most `ttlMs` — the bound on staleness when another process
 * (another gateway replica) writes unseen. With a change feed (PostgreSQL) other replicas' commits bump the
 * change count too, within milliseconds; the TTL then only covers a gap in the feed. Results are shared:
 * callers must not mutate them.
 *
 * Outages (PostgreSQL): the first sign that the database cannot be reached (a failed query, a dropped idle or
 * listening connection) moves the change count, so nothing read before it is served again: every call re-reads,
 * fails with ServiceUnavailableException and is refused (guardrails fail closed). A failed read is never cached.
 * Before that first sign, entries are at most `ttlMs` old, the same staleness replicas accept from each other
 * when the feed has a gap; a call served from them is still guarded, and is answered only once its audit record
 * is written, which an unreachable database refuses.
 *
 * Memory: entries past the TTL are dropped as new ones come in (oldest first), so the cache holds about what was
 * read in the last `ttlMs`, never every large guardrail configuration ever read.
 */
import type { Store } from './types.ts';

export interface ReadCacheOptions {
  /** Longest time an entry is trusted without a local write; default 1,000 ms. 0 disables the cache. */
  ttlMs?: number;
  /** Entries kept at most (oldest dropped first); default 10,000. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value: Promise<unknown>;
  changeCount: number;
  at: number;
}

/** Which reads are cached: repository → method names. */
const CACHED: Partial<Record<keyof Store, readonly string[]>> = {
  accounts: ['get'],
  organizations: ['get', 'getForAccount', 'getMembership', 'getOu', 'getPolicy', 'listPolicies', 'listAttachmentsForTarget', 'listMembers'],
  principals: ['get', 'listPolicies'],
  guardrails: ['get', 'getVersion'],
  resourcePolicies: ['get'],
  enforcement: ['get'],
};

export function withReadCache(store: Store, opts: ReadCacheOptions = {}): Store {
  const ttlMs = opts.ttlMs ?? 1_000;
  if (ttlMs <= 0 || !store.changeCount) return store;
  const changeCount = store.changeCount.bind(store);
  const now = opts.now ?? (() => performance.now());
  const maxEntries = opts.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();

  const cached = (repo: string, method: string, fn: (...args: unknown[]) => Promise<unknown>) =>
    (...args: unknown[]): Promise<unknown> => {
      const key = `${repo}.${method}\u0000${JSON.stringify(args)}`;
      const count = changeCount();
      const t = now();
      const hit = entries.get(key);
      if (hit && hit.changeCount === count && t - hit.at < ttlMs) return hit.value;
      const value = fn(...args);
      entries.delete(key);
      entries.set(key, { value, changeCount: count, at: t });
      // A failed read is not remembered.
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      evictExpired(t);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return value;
    };

  /**
   * Drops entries past the TTL from the front of the map. Every load (re)inserts its key at the end with the time
   * it was read (hits leave it in place), so the map is ordered by that time and the expired entries are all at
   * the front: a few steps per insert.
   */
  const evictExpired = (t: number) => {
    for (const [key, e] of entries) {
      if (t - e.at < ttlMs) return;
      entries.delete(key);
    }
  };

  const out: Store = { ...store };
  for (const [repo, methods] of Object.entries(CACHED) as Array<[keyof Store, readonly string[]]>) {
    const original = store[repo] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const wrapped: Record<string, unknown> = { ...original };
    for (const m of methods) {
      const fn = original[m];
      if (typeof fn === 'function') wrapped[m] = cached(repo, m, fn.bind(original));
    }
    (out as unknown as Record<string, unknown>)[repo] = wrapped;
  }
  return out;
}

/**
 * `GET /ready` for load balancers: ready while the store answers a trivial query within `timeoutMs`. The answer
 * is kept for `cacheMs` (a load balancer polling every replica often must not add load to the database), and
 * concurrent checks share one probe. SQLite (no `ping`) is ready once open.
 */
import type { Store } from '../store/types.ts';
import type { Readiness } from './app.ts';

export interface ReadinessOptions {
  /** How long one answer is reused; default 1,000 ms. */
  cacheMs?: number;
  /** A probe that takes longer means not ready; default 2,000 ms. */
  timeoutMs?: number;
  now?: () => number;
}

export function storeReadiness(store: Pick<Store, 'kind' | 'ping'>, opts: ReadinessOptions = {}): () => Promise<Readiness> {
  const cacheMs = opts.cacheMs ?? 1_000;
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const now = opts.now ?? (() => performance.now());
  const ping = store.ping?.bind(store);
  if (!ping) return async () => ({ ready: true, store: store.kind });
  let last: { at: number; value: Readiness } | undefined;
  let probing: Promise<Readiness> | undefined;
  // A ping that outlived its timeout (a database that does not answer at all) is not doubled by the next check:
  // one connection at most is spent on probes.
  let pending: { ping: Promise<void>; since: number } | undefined;

  const probe = async (): Promise<Readiness> => {
    let timer: NodeJS.Timeout | undefined;
    const started = now();
    if (!pending) {
      const p = ping();
      pending = { ping: p, since: started };
      const clear = () => {
        if (pending?.ping === p) pending = undefined;
      };
      p.then(clear, clear);
    }
    const current = pending;
    try {
      await Promise.race([
        current.ping,
        new Promise<never>((_, reject) => {
          const waited = Math.max(0, started - current.since);
          timer = setTimeout(
            () => reject(new Error(`the store (${store.kind}) did not answer within ${Math.round(waited + timeoutMs)} ms`)),
            timeoutMs,
          );
        }),
      ]);
      return { ready: true, store: store.kind, latencyMs: Math.round((now() - started) * 10) / 10 };
    } catch (err) {
      return { ready: false, store: store.kind, reason: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  };

  return () => {
    if (last && now() - last.at < cacheMs) return Promise.resolve(last.value);
    probing ??= probe().then((value) => {
      last = { at: now(), value };
      probing = undefined;
      return value;
    });
    return probing;
  };
}

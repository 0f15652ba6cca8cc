/**
 * Where a gateway keeps its per-account quota counters: in Redis when a Redis URL is given
 * (`PARAPET_REDIS_URL`, `parapet serve --redis`), else in the PostgreSQL store when the store is PostgreSQL
 * (replicas share it), else in this process (SQLite: one gateway). Shared counters come wrapped in the
 * failure policy of `FailoverQuotaBackend` (./quotas.ts).
 */
import type { Clock } from '../core/ports.ts';
import { FailoverQuotaBackend, LocalQuotaBackend, type QuotaBackend } from './quotas.ts';
import { PostgresQuotaBackend } from './quota-postgres.ts';
import { RedisQuotaBackend } from './quota-redis.ts';

export interface QuotaCountersOptions {
  /** redis://… : counters in Redis. */
  redis?: string;
  /** postgres://… (the store's database): counters in its `quota_buckets` table unless `redis` is set. */
  database?: string;
  databaseSchema?: string;
  clock: Clock;
  /** Where fallbacks and recoveries are reported. */
  warn: (line: Record<string, unknown>) => void;
}

export async function openQuotaCounters(o: QuotaCountersOptions): Promise<QuotaBackend> {
  if (o.redis) {
    const redis = new RedisQuotaBackend({ url: o.redis });
    const backend = new FailoverQuotaBackend(redis, o.clock, o.warn);
    // Not reachable at start: the gateway starts anyway, counting per process until Redis answers (logged).
    await redis.connect().catch((err: unknown) => backend.unavailable(err));
    return backend;
  }
  if (o.database)
    return new FailoverQuotaBackend(
      new PostgresQuotaBackend({ connectionString: o.database, ...(o.databaseSchema ? { schema: o.databaseSchema } : {}) }),
      o.clock,
      o.warn,
    );
  return new LocalQuotaBackend(o.clock);
}

/**
 * Quota buckets in the PostgreSQL store, shared by every replica on the same database and schema: the
 * fallback for replicas without Redis. The table is `quota_buckets` (migration 0004, UNLOGGED: counters need no
 * crash safety and write no WAL; after a crash every bucket starts full). Each take is one statement, an
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING` that refills, checks and takes under the row's lock, so the
 * replicas' takes on one bucket serialize in the database. The time is the database's (`clock_timestamp()`),
 * so replicas whose clocks disagree still agree on the buckets.
 *
 * It has a small pool of its own (the store's pool is the store's), with short timeouts: a take that cannot
 * get a connection within 1 s or an answer within 500 ms fails (and falls back, see `FailoverQuotaBackend` in
 * `./quotas.ts`). Rows are not expired: there is at most one per account, Region and kind.
 */
import pg from 'pg';
import { type BucketId, bucketKey, type QuotaBackend } from './quotas.ts';

export const POSTGRES_QUERY_TIMEOUT_MS = 500;

/**
 * $1 bucket, $2 limit, $3 n, $4 force, $5 now (NULL: `clock_timestamp()`). A new bucket starts full (and
 * min(n, limit) ≤ limit always fits). `retry_after_ms` is the outcome of this take: 0 taken, else the wait.
 */
const TAKE_SQL = `
INSERT INTO quota_buckets AS b (bucket, tokens, at, retry_after_ms)
VALUES ($1, $2::float8 - $3::float8, coalesce($5::timestamptz, clock_timestamp()), 0)
ON CONFLICT (bucket) DO UPDATE SET (tokens, at, retry_after_ms) = (
  SELECT CASE WHEN r.t >= r.need OR $4::boolean THEN r.t - $3::float8 ELSE r.t END,
         greatest(b.at, excluded.at),
         CASE WHEN r.t >= r.need OR $4::boolean THEN 0 ELSE ceil((r.need - r.t) / $2::float8 * 1000)::integer END
  FROM (SELECT least($2::float8, b.tokens + greatest(0, extract(epoch FROM excluded.at - b.at)::float8) * $2::float8) AS t,
               least($3::float8, $2::float8) AS need) r)
RETURNING retry_after_ms`;

export interface PostgresQuotaOptions {
  /** The store's database URL. */
  connectionString: string;
  /** The store's schema (where migration 0004 created `quota_buckets`); default: the server's search_path. */
  schema?: string;
  /** TEST-ONLY: the time in ms instead of the database's `clock_timestamp()`, for exact bucket arithmetic. */
  now?: () => number;
}

export class PostgresQuotaBackend implements QuotaBackend {
  readonly where = 'PostgreSQL';
  readonly #pool: pg.Pool;
  readonly #now: (() => number) | undefined;
  #closed = false;

  constructor(opts: PostgresQuotaOptions) {
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema))
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(opts.schema)}`);
    this.#now = opts.now;
    this.#pool = new pg.Pool({
      connectionString: opts.connectionString,
      ...(opts.schema === undefined ? {} : { options: `-c search_path=${opts.schema}` }),
      max: 2,
      connectionTimeoutMillis: 1_000,
      query_timeout: POSTGRES_QUERY_TIMEOUT_MS,
      application_name: 'parapet-quotas',
    });
    // A broken idle connection is dropped by the pool; the next take gets a new one.
    this.#pool.on('error', () => {});
  }

  async take(bucket: BucketId, limit: number, n: number, force: boolean): Promise<number | undefined> {
    const at = this.#now ? new Date(this.#now()).toISOString() : null;
    const { rows } = await this.#pool.query<{ retry_after_ms: number }>({
      name: 'parapet_quota_take',
      text: TAKE_SQL,
      values: [bucketKey(bucket), limit, n, force, at],
    });
    const r = Number(rows[0]?.retry_after_ms);
    if (!Number.isFinite(r)) throw new Error('the PostgreSQL quota take returned no row');
    return r > 0 ? r : undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

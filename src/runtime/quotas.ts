/**
 * Per-account runtime quotas (API.md section 3): requests per second and guardrail text units per second, per
 * account and Region, as token buckets holding one second of capacity. Defaults are Bedrock's: 50 requests and
 * 200 text units per second in us-east-1 and us-west-2, 25 and 25 elsewhere. Operators may change them; 0 turns
 * a limit off.
 *
 * Where the buckets live is a `QuotaBackend`: in this process (`LocalQuotaBackend`, the default, and the only
 * one a single SQLite gateway needs), or shared by every replica — in Redis (`./quota-redis.ts`) or in the
 * PostgreSQL store (`./quota-postgres.ts`), chosen by `openQuotaCounters` (`./quota-counters.ts`). A shared
 * backend is always wrapped in a `FailoverQuotaBackend` (see there for the failure policy).
 */
import type { Clock } from '../core/ports.ts';

export interface QuotaLimits {
  requestsPerSecond: number;
  textUnitsPerSecond: number;
}

export interface QuotaSettings {
  /** Overrides for every Region; absent = Bedrock's per-Region defaults. */
  requestsPerSecond?: number;
  textUnitsPerSecond?: number;
  /** Switch all limits off. */
  disabled?: boolean;
}

const HIGH_QUOTA_REGIONS = new Set(['us-east-1', 'us-west-2']);

export function defaultLimits(region: string): QuotaLimits {
  return HIGH_QUOTA_REGIONS.has(region)
    ? { requestsPerSecond: 50, textUnitsPerSecond: 200 }
    : { requestsPerSecond: 25, textUnitsPerSecond: 25 };
}

export type QuotaRefusal = { kind: 'requests' | 'textUnits'; limit: number; retryAfterMs: number };

export type MaybePromise<T> = T | Promise<T>;

/** One bucket: one account's requests or text units in one Region. */
export interface BucketId {
  kind: QuotaRefusal['kind'];
  accountId: string;
  region: string;
}

/**
 * Where the token buckets live. Every bucket holds at most `limit` tokens (one second of capacity), refills at
 * `limit` tokens per second, and starts full.
 */
export interface QuotaBackend {
  /** For the banner: `per process`, `Redis redis://host:port` or `PostgreSQL`. */
  readonly where: string;
  /**
   * Takes `n` tokens from the bucket when it holds `min(n, limit)` (a request larger than a whole second of
   * capacity may still pass when the bucket is full) and returns undefined; else takes nothing and returns the
   * milliseconds until it would hold them (≥ 1). With `force` the tokens are taken whatever the bucket holds,
   * even past zero: output already produced must be counted, and the debt throttles the next calls.
   * Synchronous for the in-process backend; a shared backend's promise rejects when it cannot be reached.
   */
  take(bucket: BucketId, limit: number, n: number, force: boolean): MaybePromise<number | undefined>;
  close(): Promise<void>;
}

/** The bucket's key: `r` or `t`, the account and the Region (12 digits and a Region name: no separator inside). */
export function bucketKey(b: BucketId): string {
  return `${b.kind === 'requests' ? 'r' : 't'}:${b.accountId}:${b.region}`;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets beyond this many are dropped oldest-first (idle accounts refill to full anyway). */
const MAX_BUCKETS = 100_000;

/** The buckets in this process's memory: each replica has its own (a limit per gateway process). */
export class LocalQuotaBackend implements QuotaBackend {
  readonly where = 'per process';
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  take(bucket: BucketId, limit: number, n: number, force: boolean): number | undefined {
    const key = bucketKey(bucket);
    const now = this.#clock.now();
    let b = this.#buckets.get(key);
    if (!b) {
      b = { tokens: limit, at: now };
      if (this.#buckets.size >= MAX_BUCKETS) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    } else {
      this.#buckets.delete(key);
      b.tokens = Math.min(limit, b.tokens + (Math.max(0, now - b.at) / 1000) * limit);
      b.at = Math.max(b.at, now);
    }
    this.#buckets.set(key, b);
    const need = Math.min(n, limit);
    if (b.tokens >= need || force) {
      b.tokens -= n;
      return undefined;
    }
    return Math.ceil(((need - b.tokens) / limit) * 1000);
  }

  async close(): Promise<void> {
    this.#buckets.clear();
  }
}

/** After a failed take, the shared backend is left alone this long before it is tried again. */
export const FAILOVER_RETRY_MS = 1_000;

/**
 * A shared backend (Redis, PostgreSQL) with the failure policy: when it cannot be reached (connection refused,
 * or no answer within its short timeout: 200 ms for Redis), the take is answered by this process's own bucket
 * (`LocalQuotaBackend`), a warning is logged once per outage (and once when the shared counters answer again),
 * and for `FAILOVER_RETRY_MS` every take stays local, so a dead server costs the calls no time at all.
 *
 * Why fall back rather than refuse: the quotas are a fairness and cost control, not a safety control (guardrails
 * fail closed on their own, whatever happens to the quotas). Refusing every call with ServiceUnavailableException
 * would turn an outage of the counters' server into an outage of every model call of every account; falling back
 * keeps the limit enforced, only per replica: during the outage an account gets at most N × its budget with N
 * replicas — bounded and logged, never unlimited, and never a crash.
 */
export class FailoverQuotaBackend implements QuotaBackend {
  readonly #shared: QuotaBackend;
  readonly #local: LocalQuotaBackend;
  readonly #clock: Clock;
  readonly #warn: (line: Record<string, unknown>) => void;
  /** While set, takes are local until this time (of `clock`). */
  #downUntil: number | undefined;
  #down = false;

  constructor(shared: QuotaBackend, clock: Clock, warn: (line: Record<string, unknown>) => void) {
    this.#shared = shared;
    this.#local = new LocalQuotaBackend(clock);
    this.#clock = clock;
    this.#warn = warn;
  }

  get where(): string {
    return this.#shared.where;
  }

  /** True while the shared counters are failing and this process counts on its own. */
  get degraded(): boolean {
    return this.#down;
  }

  take(bucket: BucketId, limit: number, n: number, force: boolean): MaybePromise<number | undefined> {
    if (this.#downUntil !== undefined && this.#clock.now() < this.#downUntil) return this.#local.take(bucket, limit, n, force);
    this.#downUntil = undefined;
    let answer: MaybePromise<number | undefined>;
    try {
      answer = this.#shared.take(bucket, limit, n, force);
    } catch (err) {
      return this.#failed(err, bucket, limit, n, force);
    }
    return Promise.resolve(answer).then(
      (r) => {
        if (this.#down) {
          this.#down = false;
          this.#warn({ warning: 'QuotaCountersRestored', detail: `per-account quotas are shared again (${this.#shared.where})` });
        }
        return r;
      },
      (err: unknown) => this.#failed(err, bucket, limit, n, force),
    );
  }

  #failed(err: unknown, bucket: BucketId, limit: number, n: number, force: boolean): number | undefined {
    this.unavailable(err);
    return this.#local.take(bucket, limit, n, force);
  }

  /** The shared counters failed (a take, or the connection at start): count locally for a while, warn once. */
  unavailable(err: unknown): void {
    this.#downUntil = this.#clock.now() + FAILOVER_RETRY_MS;
    if (!this.#down) {
      this.#down = true;
      this.#warn({
        warning: 'QuotaCountersUnavailable',
        detail:
          `the shared quota counters (${this.#shared.where}) cannot be reached (${err instanceof Error ? err.message : String(err)}); ` +
          'each replica enforces the per-account quotas on its own until they answer again',
      });
    }
  }

  async close(): Promise<void> {
    await this.#shared.close();
    await this.#local.close();
  }
}

export class AccountQuotas {
  readonly #settings: QuotaSettings;
  readonly #backend: QuotaBackend;
  /** Forced takes not awaited by their callers (charges), awaited by `close`. */
  readonly #pending = new Set<Promise<unknown>>();

  /** `backend` defaults to buckets in this process. */
  constructor(settings: QuotaSettings, clock: Clock, backend: QuotaBackend = new LocalQuotaBackend(clock)) {
    this.#settings = settings;
    this.#backend = backend;
  }

  /** Where the counters live (see `QuotaBackend.where`). */
  get where(): string {
    return this.#backend.where;
  }

  limits(region: string): QuotaLimits {
    const d = defaultLimits(region);
    return {
      requestsPerSecond: this.#settings.requestsPerSecond ?? d.requestsPerSecond,
      textUnitsPerSecond: this.#settings.textUnitsPerSecond ?? d.textUnitsPerSecond,
    };
  }

  /** Takes one request; undefined when allowed, else why not. A promise only with a shared backend. */
  takeRequest(accountId: string, region: string): MaybePromise<QuotaRefusal | undefined> {
    if (this.#settings.disabled) return undefined;
    return this.#take({ kind: 'requests', accountId, region }, this.limits(region).requestsPerSecond, 1, false);
  }

  /** Takes `units` text units; undefined when allowed, else why not. A promise only with a shared backend. */
  takeTextUnits(accountId: string, region: string, units: number): MaybePromise<QuotaRefusal | undefined> {
    if (this.#settings.disabled || units <= 0) return undefined;
    return this.#take({ kind: 'textUnits', accountId, region }, this.limits(region).textUnitsPerSecond, units, false);
  }

  /**
   * Counts `units` text units already evaluated, even past zero (the debt throttles the next calls). Never
   * refuses, so nobody waits for it: with a shared backend it completes in the background (`close` waits).
   */
  chargeTextUnits(accountId: string, region: string, units: number): void {
    if (this.#settings.disabled || !(units > 0)) return;
    const limit = this.limits(region).textUnitsPerSecond;
    if (!(limit > 0)) return;
    const r = this.#backend.take({ kind: 'textUnits', accountId, region }, limit, units, true);
    if (r instanceof Promise) {
      const p = r.catch(() => undefined).finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }
  }

  /** Waits for the charges under way, then closes the backend (its connections). */
  async close(): Promise<void> {
    await Promise.all([...this.#pending]);
    await this.#backend.close();
  }

  #take(bucket: BucketId, limit: number, n: number, force: boolean): MaybePromise<QuotaRefusal | undefined> {
    if (!(limit > 0)) return undefined;
    const refusal = (retryAfterMs: number | undefined): QuotaRefusal | undefined =>
      retryAfterMs === undefined ? undefined : { kind: bucket.kind, limit, retryAfterMs };
    const r = this.#backend.take(bucket, limit, n, force);
    return r instanceof Promise ? r.then(refusal) : refusal(r);
  }
}

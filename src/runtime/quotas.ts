/**
 * Per-account runtime quotas (API.md section 3): requests per second and guardrail text units per second, per
 * account and Region, as token buckets holding one second of capacity. Defaults are Bedrock's: 50 requests and
 * 200 text units per second in us-east-1 and us-west-2, 25 and 25 elsewhere. Operators may change them; 0 turns
 * a limit off. Replicas each keep their own buckets (a limit per gateway process).
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

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets beyond this many are dropped oldest-first (idle accounts refill to full anyway). */
const MAX_BUCKETS = 100_000;

export type QuotaRefusal = { kind: 'requests' | 'textUnits'; limit: number; retryAfterMs: number };

export class AccountQuotas {
  readonly #settings: QuotaSettings;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  constructor(settings: QuotaSettings, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
  }

  limits(region: string): QuotaLimits {
    const d = defaultLimits(region);
    return {
      requestsPerSecond: this.#settings.requestsPerSecond ?? d.requestsPerSecond,
      textUnitsPerSecond: this.#settings.textUnitsPerSecond ?? d.textUnitsPerSecond,
    };
  }

  /** Takes one request; undefined when allowed, else why not. */
  takeRequest(accountId: string, region: string): QuotaRefusal | undefined {
    if (this.#settings.disabled) return undefined;
    const limit = this.limits(region).requestsPerSecond;
    return this.#take(`r\u0000${accountId}\u0000${region}`, limit, 1, 'requests', false);
  }

  /**
   * Takes `units` text units. With `force`, the units are taken even past zero (output already produced must be
   * counted: the debt throttles the next calls instead).
   */
  takeTextUnits(accountId: string, region: string, units: number, force = false): QuotaRefusal | undefined {
    if (this.#settings.disabled || units <= 0) return undefined;
    const limit = this.limits(region).textUnitsPerSecond;
    return this.#take(`t\u0000${accountId}\u0000${region}`, limit, units, 'textUnits', force);
  }

  #take(key: string, limit: number, n: number, kind: QuotaRefusal['kind'], force: boolean): QuotaRefusal | undefined {
    if (!(limit > 0)) return undefined;
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
      b.tokens = Math.min(limit, b.tokens + ((now - b.at) / 1000) * limit);
      b.at = now;
    }
    this.#buckets.set(key, b);
    // A request larger than a whole second of capacity may still pass when the bucket is full.
    const need = Math.min(n, limit);
    if (b.tokens >= need || force) {
      b.tokens -= n;
      return undefined;
    }
    return { kind, limit, retryAfterMs: Math.ceil(((need - b.tokens) / limit) * 1000) };
  }
}

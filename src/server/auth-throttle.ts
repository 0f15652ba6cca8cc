/**
 * Limits on failed authentication attempts, shared by the API (SigV4 and bearer keys, app.ts) and meant for the
 * console sign-in (console/routes.ts) too.
 *
 * `FailureCounter` counts failures per id (an address, an access key id) in fixed windows: the window starts at
 * the first failure; the failure that reaches `max` refuses the id for a whole window from then. Refused attempts
 * are answered before any key lookup or signature check and are not counted, so a refused client cannot extend
 * its own refusal and costs the server almost nothing. Successes do not reset a count (a client holding one good
 * key could otherwise interleave it to guess at others without limit). Memory is bounded: past `maxEntries` ids
 * the expired windows go first, then ids that are not refused, then the oldest windows.
 *
 * `AuthThrottle` is the API's policy: a limit per client address and one per access key id, and *familiar*
 * pairs — an access key that authenticated from an address within `familiarMs` keeps working from that address
 * while the address or the key is refused, so neither a noisy neighbour behind the same NAT nor someone who
 * learned a key id (key ids are not secret) can lock its owner out of the places it already works from.
 *
 * Known bounds: the counters are per process (N replicas behind a load balancer allow up to N times the limits);
 * attempts already in flight when a limit is reached still finish (the overshoot is the client's concurrency);
 * the client address is the TCP peer's, or `X-Forwarded-For`'s last entry when the peer is a loopback proxy.
 */
import { isIP } from 'node:net';
import type { AnyRequest } from './listener.ts';

export interface AuthFailureLimits {
  /** Failed attempts from one client address within `windowMs` that make it wait (0: no per-address limit). */
  perAddress: number;
  /**
   * Failed attempts naming one access key id within `windowMs` (from any address) that make it wait (0: no
   * per-key limit). Higher than `perAddress` by default so that one address alone can never lock a key.
   */
  perKey: number;
  /** The counting window, and how long a limit that was reached refuses further attempts. */
  windowMs: number;
  /** How long a key that authenticated from an address stays usable from it while either is refused (0: never). */
  familiarMs: number;
  /**
   * A loopback peer (127.0.0.0/8, ::1) that forwards no client address (`X-Forwarded-For`) is not limited: a
   * local process, a health checker, a test suite. Set false when a local proxy that does not add
   * `X-Forwarded-For` fronts the server.
   */
  exemptLoopback: boolean;
  /** Ids remembered per table (addresses, key ids, familiar pairs). */
  maxEntries: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: Readonly<AuthFailureLimits> = Object.freeze({
  perAddress: 20,
  perKey: 100,
  windowMs: 60_000,
  familiarMs: 24 * 60 * 60_000,
  exemptLoopback: true,
  maxEntries: 10_000,
});

interface Window {
  count: number;
  /** When the id may try again (the window's end, pushed on when the limit is reached). */
  resetAt: number;
}

/** Failures per id in fixed windows, bounded. */
export class FailureCounter {
  readonly #entries = new Map<string, Window>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    readonly maxEntries = DEFAULT_AUTH_FAILURE_LIMITS.maxEntries,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Milliseconds until `id` may try again; 0 when it may now. */
  retryAfterMs(id: string, now: number): number {
    const w = this.#entries.get(id);
    if (!w) return 0;
    if (w.resetAt <= now) {
      this.#entries.delete(id);
      return 0;
    }
    return w.count >= this.max ? w.resetAt - now : 0;
  }

  /** Counts one failure of `id`; true when it is the one that reached the limit. */
  record(id: string, now: number): boolean {
    let w = this.#entries.get(id);
    if (w && w.resetAt <= now) {
      this.#entries.delete(id);
      w = undefined;
    }
    if (!w) {
      if (this.#entries.size >= this.maxEntries) this.#makeRoom(now);
      w = { count: 0, resetAt: now + this.windowMs };
      this.#entries.set(id, w);
    }
    w.count++;
    if (w.count !== this.max) return false;
    w.resetAt = now + this.windowMs;
    return true;
  }

  /** Forgets `id` (or everything). */
  forget(id?: string): void {
    if (id === undefined) this.#entries.clear();
    else this.#entries.delete(id);
  }

  /** Frees at least a tenth of the table: expired windows, then ids not refused, then the oldest windows. */
  #makeRoom(now: number): void {
    const target = Math.floor(this.maxEntries * 0.9);
    for (const [id, w] of this.#entries) if (w.resetAt <= now) this.#entries.delete(id);
    if (this.#entries.size <= target) return;
    for (const [id, w] of this.#entries) {
      if (this.#entries.size <= target) return;
      if (w.count < this.max) this.#entries.delete(id);
    }
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= target) return;
      this.#entries.delete(id);
    }
  }
}

/** Why an attempt is refused without being checked, and for how long. */
export interface Refusal {
  scope: 'address' | 'key';
  retryAfterMs: number;
}

/** What AWS access key ids look like (and all Parapet issues); other ids are counted per address only. */
const KEY_ID_RE = /^[A-Z0-9]{16,128}$/;
/** A familiar pair is re-stamped at most this often (a success costs one Map lookup, not a write). */
const FAMILIAR_REFRESH_MS = 60_000;

export class AuthThrottle {
  readonly limits: Readonly<AuthFailureLimits>;
  readonly #addresses: FailureCounter;
  readonly #keys: FailureCounter;
  /** `keyId address` → until when the pair is familiar; Map order is expiry order (entries are re-inserted). */
  readonly #familiar = new Map<string, number>();

  constructor(limits: Partial<AuthFailureLimits> = {}) {
    this.limits = Object.freeze({ ...DEFAULT_AUTH_FAILURE_LIMITS, ...limits });
    const { perAddress, perKey, windowMs, familiarMs, maxEntries } = this.limits;
    for (const [name, v, min] of [['perAddress', perAddress, 0], ['perKey', perKey, 0], ['windowMs', windowMs, 1], ['familiarMs', familiarMs, 0], ['maxEntries', maxEntries, 1]] as const)
      if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`Authentication failure limits: ${name} must be an integer of at least ${min}, not ${String(v)}.`);
    this.#addresses = new FailureCounter(this.limits.perAddress, this.limits.windowMs, this.limits.maxEntries);
    this.#keys = new FailureCounter(this.limits.perKey, this.limits.windowMs, this.limits.maxEntries);
  }

  /** Entries held per table (for tests and metrics). */
  get sizes(): { addresses: number; keys: number; familiar: number } {
    return { addresses: this.#addresses.size, keys: this.#keys.size, familiar: this.#familiar.size };
  }

  /** The refusal of an attempt from `address` naming `keyId`, or undefined when it may be checked. */
  check(address: string, keyId: string | undefined, now: number): Refusal | undefined {
    const a = this.limits.perAddress > 0 ? this.#addresses.retryAfterMs(address, now) : 0;
    const k = keyId !== undefined && this.limits.perKey > 0 ? this.#keys.retryAfterMs(keyId, now) : 0;
    if (a === 0 && k === 0) return undefined;
    if (keyId !== undefined && this.#isFamiliar(keyId, address, now)) return undefined;
    return a >= k ? { scope: 'address', retryAfterMs: a } : { scope: 'key', retryAfterMs: k };
  }

  /** Counts a failed attempt; returns the limits this failure reached (each is reported once per window). */
  failed(address: string, keyId: string | undefined, now: number): Array<'address' | 'key'> {
    const reached: Array<'address' | 'key'> = [];
    if (this.limits.perAddress > 0 && this.#addresses.record(address, now)) reached.push('address');
    if (keyId !== undefined && this.limits.perKey > 0 && KEY_ID_RE.test(keyId) && this.#keys.record(keyId, now)) reached.push('key');
    return reached;
  }

  /** An attempt that authenticated: the key is familiar from this address. */
  succeeded(address: string, keyId: string, now: number): void {
    if (this.limits.familiarMs <= 0) return;
    const pair = `${keyId} ${address}`;
    const until = this.#familiar.get(pair);
    if (until !== undefined && until - now > this.limits.familiarMs - FAMILIAR_REFRESH_MS) return;
    if (until !== undefined) this.#familiar.delete(pair);
    else if (this.#familiar.size >= this.limits.maxEntries) {
      const oldest = this.#familiar.keys().next().value;
      if (oldest !== undefined) this.#familiar.delete(oldest);
    }
    this.#familiar.set(pair, now + this.limits.familiarMs);
  }

  #isFamiliar(keyId: string, address: string, now: number): boolean {
    const pair = `${keyId} ${address}`;
    const until = this.#familiar.get(pair);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#familiar.delete(pair);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Client addresses

/**
 * The address failures are counted under: the peer's address, or — when the peer is a loopback proxy — the last
 * (rightmost, the one the proxy added) `X-Forwarded-For` entry. IPv4-mapped IPv6 addresses count as IPv4; IPv6
 * addresses count per /64 (what one host or subscriber usually holds). undefined when the request is not limited
 * (a loopback peer that forwards nothing, with `exemptLoopback`).
 */
export function clientAddress(req: AnyRequest, exemptLoopback: boolean): string | undefined {
  const remote = req.socket?.remoteAddress;
  const peer = remote === undefined ? undefined : addressOf(remote);
  if (peer === undefined) return 'unknown';
  if (!peer.loopback) return peer.bucket;
  const forwarded = req.headers['x-forwarded-for'];
  const list = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  if (list !== undefined && list.trim() !== '') {
    const last = list.slice(list.lastIndexOf(',') + 1).trim();
    // A proxy that forwards something that is not an address: one shared bucket (not a way around the limit).
    return addressOf(stripPort(last))?.bucket ?? 'forwarded:invalid';
  }
  return exemptLoopback ? undefined : peer.bucket;
}

interface Address {
  /** The canonical address: IPv4 dotted (also for IPv4-mapped IPv6), IPv6 lower case without zone. */
  ip: string;
  /** What failures are counted under: the IPv4 address, or the IPv6 /64. */
  bucket: string;
  loopback: boolean;
}

/** Parsed addresses, for the peers seen lately (a connection's requests share one). */
const parsedAddresses = new Map<string, Address | null>();

/** The parsed address `s`, or undefined when it is not an IP address. */
function addressOf(s: string): Address | undefined {
  // No IP address is longer (IPv6 with an embedded IPv4 and a zone id); the cache holds only short strings.
  if (s.length > 64) return undefined;
  const hit = parsedAddresses.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parseAddress(s);
  if (parsedAddresses.size >= 4096) parsedAddresses.clear();
  parsedAddresses.set(s, parsed ?? null);
  return parsed;
}

function parseAddress(s: string): Address | undefined {
  const ip = s.includes('%') ? (s.split('%')[0] ?? '') : s;
  const kind = isIP(ip);
  if (kind === 4) return { ip, bucket: ip, loopback: ip.startsWith('127.') };
  if (kind !== 6) return undefined;
  const g = ipv6Groups(ip.toLowerCase());
  if (g === undefined) return undefined;
  // ::ffff:a.b.c.d (how a dual-stack socket reports an IPv4 peer)
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    const v4 = [g[6] ?? 0, g[7] ?? 0].flatMap((x) => [x >> 8, x & 0xff]).join('.');
    return { ip: v4, bucket: v4, loopback: v4.startsWith('127.') };
  }
  return {
    ip: ip.toLowerCase(),
    bucket: `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`,
    loopback: g.slice(0, 7).every((x) => x === 0) && g[7] === 1,
  };
}

/** `1.2.3.4:5678` → `1.2.3.4`, `[2001:db8::1]:443` → `2001:db8::1`; anything else unchanged. */
function stripPort(s: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (v6) return v6[1] ?? s;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(s);
  return v4 ? (v4[1] ?? s) : s;
}

/** A valid IP address, zone id dropped and IPv4-mapped IPv6 as IPv4; undefined otherwise. */
export function canonicalIp(s: string | undefined): string | undefined {
  return s ? parseAddress(s)?.ip : undefined;
}

export function isLoopback(ip: string): boolean {
  return parseAddress(ip)?.loopback ?? false;
}

/** The counting bucket of an address: itself for IPv4, its /64 for IPv6. */
export function addressBucket(ip: string): string {
  return parseAddress(ip)?.bucket ?? ip;
}

/** The eight 16-bit groups of a valid IPv6 address. */
function ipv6Groups(ip: string): number[] | undefined {
  let s = ip;
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const [a, b, c, d] = [v4[2], v4[3], v4[4], v4[5]].map(Number) as [number, number, number, number];
    s = `${v4[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0) return undefined;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail].map((x) => parseInt(x, 16));
  return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? groups : undefined;
}

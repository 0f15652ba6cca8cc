/**
 * Console sign-in sessions. Signing in with an access key gives an HttpOnly cookie holding a signed,
 * expiring session token (no server-side state: every replica that shares the master key accepts it) and
 * a CSRF token the console sends back in a header on every call. The access key is looked up again on
 * each request, so deactivating or deleting it ends its console sessions at once.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/ports.ts';

export const SESSION_COOKIE = 'parapet_console';
export const CSRF_HEADER = 'x-parapet-csrf';
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** Longest session a configuration may ask for. */
export const MAX_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface SessionClaims {
  readonly accessKeyId: string;
  /** The Region the console works in (the user may switch it per request with x-parapet-region). */
  readonly region: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly nonce: string;
  /** After a switch of role: the access key the user signed in with (switch-back returns to it). */
  readonly base?: string;
}

const b64url = (b: Buffer): string => b.toString('base64url');

export class ConsoleSessions {
  readonly #key: Buffer;
  /** Signed-out sessions, until they would have expired anyway (a signed token cannot be recalled). */
  readonly #revoked = new Map<string, number>();

  constructor(
    masterKey: Buffer,
    private readonly clock: Clock,
    readonly ttlMs: number = DEFAULT_SESSION_TTL_MS,
  ) {
    if (!Number.isInteger(ttlMs) || ttlMs < 60_000 || ttlMs > MAX_SESSION_TTL_MS)
      throw new Error(`console session lifetime must be between 60 s and 7 days, got ${ttlMs} ms`);
    this.#key = Buffer.from(hkdfSync('sha256', masterKey, 'parapet', 'console-session-v1', 32));
  }

  /** A new session; `o.expiresAt` may shorten it (a switched role lasts no longer than its credentials). */
  issue(accessKeyId: string, region: string, o: { base?: string; expiresAt?: number } = {}): { token: string; claims: SessionClaims } {
    const now = this.clock.now();
    const claims: SessionClaims = {
      accessKeyId,
      region,
      issuedAt: now,
      expiresAt: Math.min(now + this.ttlMs, o.expiresAt ?? Number.POSITIVE_INFINITY),
      nonce: b64url(randomBytes(16)),
      ...(o.base ? { base: o.base } : {}),
    };
    const body = b64url(Buffer.from(JSON.stringify(claims)));
    return { token: `${body}.${this.#mac('session', body)}`, claims };
  }

  /** The claims of a valid, unexpired, not signed-out token; undefined otherwise. */
  read(token: string | undefined): SessionClaims | undefined {
    if (!token || token.length > 2048) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    if (!equal(token.slice(dot + 1), this.#mac('session', body))) return undefined;
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return undefined;
    }
    if (typeof claims.expiresAt !== 'number' || claims.expiresAt <= this.clock.now()) return undefined;
    if (this.#revoked.has(claims.nonce)) return undefined;
    return claims;
  }

  /** The CSRF token of a session: bound to it, so a token from another session is refused. */
  csrfToken(claims: SessionClaims): string {
    return this.#mac('csrf', claims.nonce);
  }

  checkCsrf(claims: SessionClaims, header: string | undefined): boolean {
    return header !== undefined && equal(header, this.csrfToken(claims));
  }

  revoke(claims: SessionClaims): void {
    const now = this.clock.now();
    for (const [nonce, exp] of this.#revoked) if (exp <= now) this.#revoked.delete(nonce);
    this.#revoked.set(claims.nonce, claims.expiresAt);
  }

  #mac(purpose: string, value: string): string {
    return b64url(createHmac('sha256', this.#key).update(`${purpose}.${value}`).digest());
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/**
 * The audit chain's hash, shared by every store and by anyone who wants to check an exported trail:
 *
 *   hash(n) = sha256hex(prevHash(n) + canonicalJson({ seq, at, accountId, … }))   prevHash(1) = 64 zeros
 *
 * The hashed object is the record without `prevHash` and `hash`; absent optional fields are left out.
 * Canonical JSON is JSON.stringify's output with object keys sorted recursively by UTF-16 code units
 * (the ordering and number format of RFC 8785), so any copy of the same values hashes the same.
 */
import { createHash } from 'node:crypto';
import { validation } from '../core/errors.ts';
import type { AuditEntry, AuditRecord } from './types.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** The part of a record the hash covers. */
export type HashedAuditFields = Omit<AuditRecord, 'prevHash' | 'hash'>;

/** JSON text of `value` with object keys sorted recursively. Throws TypeError on BigInt or cycles, like JSON. */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : write(JSON.parse(text) as unknown);
}

function write(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${write(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function auditHash(prevHash: string, fields: HashedAuditFields): string {
  return sha256Hex(prevHash + canonicalJson(hashedObject(fields)));
}

/**
 * The same hash for fields already in their stored form (`normalizeAuditEntry`'s output, or a record read
 * back from the store): plain JSON values, so the JSON round trip `canonicalJson` starts with is skipped.
 */
export function auditHashOfNormalized(prevHash: string, fields: HashedAuditFields): string {
  return sha256Hex(prevHash + write(hashedObject(fields)));
}

/** Only the hashed fields, even when given a whole record (so `prevHash`/`hash` never leak into the hash). */
function hashedObject(f: HashedAuditFields): Record<string, unknown> {
  const o: Record<string, unknown> = {
    seq: f.seq,
    at: f.at,
    accountId: f.accountId,
    principalArn: f.principalArn,
    action: f.action,
    outcome: f.outcome,
  };
  if (f.region !== undefined) o['region'] = f.region;
  if (f.resourceArn !== undefined) o['resourceArn'] = f.resourceArn;
  if (f.requestId !== undefined) o['requestId'] = f.requestId;
  if (f.before !== undefined) o['before'] = f.before;
  if (f.after !== undefined) o['after'] = f.after;
  if (f.detail !== undefined) o['detail'] = f.detail;
  return o;
}

/**
 * The entry exactly as a store will give it back: payloads as their JSON round trip (so `toJSON`, dropped
 * `undefined`s and `-0` are settled before hashing) and strings as UTF-8 can carry them (a lone surrogate
 * becomes U+FFFD, as the database would store it). Hashing anything else would make verify() fail later.
 * A payload that is not JSON-serializable (BigInt, a cycle) → ValidationException.
 */
export function normalizeAuditEntry(e: AuditEntry): AuditEntry {
  const out: AuditEntry = {
    at: utf8(e.at),
    accountId: utf8(e.accountId),
    principalArn: utf8(e.principalArn),
    action: utf8(e.action),
    outcome: utf8(e.outcome),
  };
  if (e.region !== undefined) out.region = utf8(e.region);
  if (e.resourceArn !== undefined) out.resourceArn = utf8(e.resourceArn);
  if (e.requestId !== undefined) out.requestId = utf8(e.requestId);
  for (const key of ['before', 'after', 'detail'] as const) {
    const text = payloadJson(key, e[key]);
    if (text !== undefined) out[key] = JSON.parse(text) as unknown;
  }
  return out;
}

/** JSON text of an audit payload, undefined when absent (or when JSON would drop it, like a function). */
export function payloadJson(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.stringify(value);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw validation(`The audit entry's ${field} is not JSON-serializable (${why}). Pass plain JSON values.`);
  }
}

function utf8(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

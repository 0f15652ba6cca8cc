/**
 * Opaque pagination tokens: base64url of a small JSON array holding a kind tag and the last sort key of the
 * previous page (keyset pagination: stable under concurrent inserts and deletes).
 */
import { validation } from '../../core/errors.ts';
import type { PageRequest } from '../types.ts';

const MAX_TOKEN_LENGTH = 2048;

export interface GuardrailCursor {
  createdAt: string;
  guardrailId: string;
}

export function encodeGuardrailCursor(c: GuardrailCursor): string {
  return encode(['g', c.createdAt, c.guardrailId]);
}

export function decodeGuardrailCursor(token: string): GuardrailCursor {
  const parts = decode(token);
  const [kind, createdAt, guardrailId] = parts;
  if (parts.length !== 3 || kind !== 'g' || typeof createdAt !== 'string' || typeof guardrailId !== 'string') {
    throw invalidToken();
  }
  return { createdAt, guardrailId };
}

export function encodeVersionCursor(version: number): string {
  return encode(['v', version]);
}

export function decodeVersionCursor(token: string): number {
  const parts = decode(token);
  const [kind, version] = parts;
  if (parts.length !== 2 || kind !== 'v' || typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw invalidToken();
  }
  return version;
}

/** Validates `maxResults` (a positive integer) and returns it. */
export function pageSize(page: PageRequest): number {
  if (!Number.isSafeInteger(page.maxResults) || page.maxResults < 1) {
    throw validation(`maxResults must be a positive integer, got ${String(page.maxResults)}`);
  }
  return page.maxResults;
}

function encode(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

function decode(token: string): unknown[] {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalidToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (!Array.isArray(parsed)) throw invalidToken();
  return parsed as unknown[];
}

function invalidToken(): Error {
  return validation('The nextToken is invalid. Pass the nextToken returned by the previous call unchanged.');
}

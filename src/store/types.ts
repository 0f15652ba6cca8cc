/**
 * Repository interfaces of the persistence layer. Every implementation (SQLite embedded, PostgreSQL
 * scale-out) must pass the one shared suite in `conformance.ts`.
 *
 * Conventions: timestamps are ISO-8601 UTC strings (`2026-04-03T18:06:41.000Z`), compared as text, so
 * callers must always use the same format (`Date.prototype.toISOString()`). Configs are plain JSON.
 * Errors are `ServiceError`s from `core/errors.ts` (conflict, quota, validation, not found…).
 */
import type { GuardrailConfig } from '../engine/config/types.ts';

/** Seals secrets at rest. `decrypt` throws on a wrong key or tampered data. */
export interface SecretCipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export interface AccountRecord {
  accountId: string;
  name: string;
  email?: string;
  role: 'management' | 'member';
  createdAt: string;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string;
  accountId: string;
  principalArn: string;
  /** Plain in records; stored only as `cipher.encrypt(secret)`. */
  secretAccessKey: string;
  status: AccessKeyStatus;
  createdAt: string;
}

export type GuardrailStatus = 'READY' | 'FAILED' | 'CREATING' | 'UPDATING' | 'VERSIONING' | 'DELETING';

/** The guardrail and its DRAFT. */
export interface GuardrailRecord {
  accountId: string;
  region: string;
  guardrailId: string;
  arn: string;
  /** DRAFT config (input form), includes name/description/messages. */
  config: GuardrailConfig;
  status: GuardrailStatus;
  /** Highest version number ever issued (0 = none); numbers are never reused. */
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** An immutable published version. */
export interface GuardrailVersionRecord {
  accountId: string;
  region: string;
  guardrailId: string;
  version: number;
  description?: string;
  /** Frozen snapshot of the DRAFT at publish time. */
  config: GuardrailConfig;
  createdAt: string;
  updatedAt: string;
}

export interface Tag {
  key: string;
  value: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface PageRequest {
  /** 1.. (the caller applies the API's own bounds). */
  maxResults: number;
  /** Opaque token from a previous page; an invalid one → ValidationException. */
  nextToken?: string;
}

export interface AccountRepo {
  /** Duplicate id → ConflictException. */
  create(a: AccountRecord): Promise<void>;
  get(accountId: string): Promise<AccountRecord | undefined>;
  /** Ordered by (createdAt, accountId). */
  list(): Promise<AccountRecord[]>;
}

/** Secrets are encrypted at rest with the store's SecretCipher; plain in records. */
export interface AccessKeyRepo {
  /** Duplicate id → ConflictException; unknown account → ResourceNotFoundException. */
  create(k: AccessKeyRecord): Promise<void>;
  /** Throws (plain Error) when the stored secret cannot be decrypted (wrong master key, tampering). */
  get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Ordered by (createdAt, accessKeyId). */
  listForAccount(accountId: string): Promise<AccessKeyRecord[]>;
  /** Unknown id → ResourceNotFoundException. */
  setStatus(id: string, s: AccessKeyStatus): Promise<void>;
  /** Unknown id → no-op. */
  delete(id: string): Promise<void>;
}

export interface CreateGuardrailInput {
  record: GuardrailRecord;
  clientRequestToken?: string;
  /** Hash of the normalized request; a reused token with another hash → ConflictException. */
  requestHash: string;
  maxPerAccountRegion: number;
  /** Stored under `record.arn`. */
  tags?: Tag[];
  /** When set, more distinct tag keys than this → TooManyTagsException. */
  maxTags?: number;
}

export interface CreateGuardrailVersionInput {
  accountId: string;
  region: string;
  guardrailId: string;
  description?: string;
  createdAt: string;
  clientRequestToken?: string;
  requestHash: string;
  maxVersions: number;
}

export interface GuardrailRepo {
  /**
   * Atomic create: enforces `maxPerAccountRegion` (→ ServiceQuotaExceededException) and idempotency: when
   * `clientRequestToken` was already used by this account+region for CreateGuardrail, returns the guardrail
   * created then if `requestHash` is equal, else ConflictException. Name unique per account+region → conflict.
   */
  create(input: CreateGuardrailInput): Promise<GuardrailRecord>;
  get(accountId: string, region: string, guardrailId: string): Promise<GuardrailRecord | undefined>;
  /** Stable order (createdAt, guardrailId); nextToken opaque; invalid token → ValidationException. */
  list(accountId: string, region: string, page: PageRequest): Promise<Page<GuardrailRecord>>;
  /** Replaces the DRAFT config (and name). Name taken by another guardrail → conflict. undefined = not found. */
  updateDraft(
    accountId: string,
    region: string,
    guardrailId: string,
    config: GuardrailConfig,
    updatedAt: string,
  ): Promise<GuardrailRecord | undefined>;
  /**
   * Atomic publish: next number = latestVersion + 1, snapshot of the CURRENT draft config; more than
   * `maxVersions` existing versions → ServiceQuotaExceededException; idempotent on clientRequestToken
   * (per guardrail) like create (returns the same version). undefined = guardrail not found.
   */
  createVersion(input: CreateGuardrailVersionInput): Promise<GuardrailVersionRecord | undefined>;
  getVersion(
    accountId: string,
    region: string,
    guardrailId: string,
    version: number,
  ): Promise<GuardrailVersionRecord | undefined>;
  /** Ascending version. */
  listVersions(
    accountId: string,
    region: string,
    guardrailId: string,
    page: PageRequest,
  ): Promise<Page<GuardrailVersionRecord>>;
  /** false = no such version. The number is never reissued. */
  deleteVersion(accountId: string, region: string, guardrailId: string, version: number): Promise<boolean>;
  /** Removes the guardrail, its versions, its tags and its idempotency rows. false = not found. */
  delete(accountId: string, region: string, guardrailId: string): Promise<boolean>;
}

/** Keyed by resource ARN. More than `maxTags` keys → TooManyTagsException (HTTP 400) with resourceName. */
export interface TagRepo {
  /** Upsert by key (within one call, the last duplicate key wins). */
  put(resourceArn: string, tags: Tag[], maxTags: number): Promise<void>;
  /** Unknown keys are ignored. */
  remove(resourceArn: string, keys: string[]): Promise<void>;
  /** Sorted by key. */
  list(resourceArn: string): Promise<Tag[]>;
}

export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  accounts: AccountRepo;
  accessKeys: AccessKeyRepo;
  guardrails: GuardrailRepo;
  tags: TagRepo;
  meta: MetaRepo;
  close(): Promise<void>;
}

/**
 * TEST-ONLY escape hatch: runs one raw SQL statement (no parameters) behind the repositories' back and
 * returns its rows. Used by the conformance suite to prove properties of the database itself.
 */
export type UnsafeRawSql = (statement: string) => Promise<Record<string, unknown>[]>;

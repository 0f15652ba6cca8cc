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
  /**
   * Sets `key` to `value` unless it already has a value, atomically across processes, and returns the value it
   * holds afterwards: `value` for the one caller that claimed it, the first claimer's value for every other.
   */
  claim(key: string, value: string): Promise<string>;
}


// ---------------------------------------------------------------------------------------------------------
// Organizations (issue 3). One organization per management account; an account belongs to at most one.
// Ids follow AWS: `o-[a-z0-9]{10}`, `r-[a-z0-9]{4}`, `ou-<root suffix>-[a-z0-9]{8}`, `p-[a-z0-9]{8}`,
// `car-[a-z0-9]{32}`. The services generate ids and ARNs; the store keeps them and enforces uniqueness.

export interface OrganizationRecord {
  orgId: string;
  arn: string;
  managementAccountId: string;
  rootId: string;
  rootArn: string;
  featureSet: 'ALL';
  /** Policy types enabled on the root (e.g. `['BEDROCK_POLICY']`), sorted. */
  enabledPolicyTypes: string[];
  createdAt: string;
}

export interface OrgUnitRecord {
  ouId: string;
  orgId: string;
  arn: string;
  /** A root id or an OU id. */
  parentId: string;
  name: string;
  createdAt: string;
}

export interface MembershipRecord {
  accountId: string;
  orgId: string;
  /** A root id or an OU id. */
  parentId: string;
  joinedMethod: 'CREATED' | 'INVITED';
  joinedAt: string;
}

export interface OrgPolicyRecord {
  policyId: string;
  orgId: string;
  arn: string;
  /** e.g. `BEDROCK_POLICY` */
  type: string;
  name: string;
  description: string;
  /** The policy document exactly as given (JSON text). */
  content: string;
  createdAt: string;
  updatedAt: string;
}

export interface CreateAccountStatusRecord {
  id: string;
  orgId: string;
  accountName: string;
  state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  accountId?: string;
  failureReason?: string;
  requestedAt: string;
  completedAt?: string;
}

export interface OrganizationRepo {
  /**
   * Creates the organization and the management account's membership (parent = root) atomically.
   * The management account already in an organization → AlreadyInOrganizationException.
   */
  create(org: OrganizationRecord, joinedAt: string): Promise<void>;
  get(orgId: string): Promise<OrganizationRecord | undefined>;
  /** The organization the account belongs to, if any. */
  getForAccount(accountId: string): Promise<OrganizationRecord | undefined>;
  setEnabledPolicyTypes(orgId: string, types: string[]): Promise<void>;
  /** Removes the organization; any membership other than the management account's → OrganizationNotEmptyException. */
  delete(orgId: string): Promise<void>;

  /** Same name under the same parent → DuplicateOrganizationalUnitException. */
  createOu(ou: OrgUnitRecord): Promise<void>;
  getOu(ouId: string): Promise<OrgUnitRecord | undefined>;
  /** Ordered by (createdAt, ouId). */
  listOus(orgId: string, parentId?: string): Promise<OrgUnitRecord[]>;
  /** Renames; same name under the same parent → DuplicateOrganizationalUnitException. */
  renameOu(ouId: string, name: string): Promise<void>;
  /** OU with child OUs or accounts → OrganizationalUnitNotEmptyException; also removes its policy attachments. */
  deleteOu(ouId: string): Promise<boolean>;

  /** The account already a member of any organization → AlreadyInOrganizationException. */
  addMember(m: MembershipRecord): Promise<void>;
  getMembership(accountId: string): Promise<MembershipRecord | undefined>;
  /** Ordered by (joinedAt, accountId); parentId filters to direct children. */
  listMembers(orgId: string, parentId?: string): Promise<MembershipRecord[]>;
  /** Atomically checks the current parent: not `fromParentId` → false (nothing changed). */
  moveMember(accountId: string, fromParentId: string, toParentId: string): Promise<boolean>;
  /** Removes the membership and the account's direct policy attachments; false = not a member. */
  removeMember(accountId: string): Promise<boolean>;

  /** Same (orgId, type, name) → DuplicatePolicyException. */
  createPolicy(p: OrgPolicyRecord): Promise<void>;
  getPolicy(policyId: string): Promise<OrgPolicyRecord | undefined>;
  /** Ordered by (createdAt, policyId). */
  listPolicies(orgId: string, type: string): Promise<OrgPolicyRecord[]>;
  /** Replaces name/description/content/updatedAt; duplicate name → DuplicatePolicyException; false = not found. */
  updatePolicy(p: OrgPolicyRecord): Promise<boolean>;
  /** Attached anywhere → PolicyInUseException; false = not found. */
  deletePolicy(policyId: string): Promise<boolean>;
  /** Already attached → DuplicatePolicyAttachmentException. */
  attach(policyId: string, targetId: string, at: string): Promise<void>;
  /** false = was not attached. */
  detach(policyId: string, targetId: string): Promise<boolean>;
  /** Policy ids attached directly to the target (root, OU or account), ordered by attach time. */
  listAttachmentsForTarget(targetId: string): Promise<string[]>;
  /** Target ids the policy is attached to, ordered by attach time. */
  listTargetsForPolicy(policyId: string): Promise<string[]>;

  putCreateAccountStatus(s: CreateAccountStatusRecord): Promise<void>;
  getCreateAccountStatus(id: string): Promise<CreateAccountStatusRecord | undefined>;
  /** Newest first. */
  listCreateAccountStatus(orgId: string): Promise<CreateAccountStatusRecord[]>;
}

// ---------------------------------------------------------------------------------------------------------
// IAM principals: every account has an implicit root principal (`arn:aws:iam::<acct>:root`, not stored);
// users and roles are stored with their inline identity policies.

export interface PrincipalRecord {
  /** `arn:aws:iam::<acct>:user/<name>` or `arn:aws:iam::<acct>:role/<name>` */
  arn: string;
  accountId: string;
  kind: 'user' | 'role';
  name: string;
  /** Unique id in AWS format: `AIDA…` for users, `AROA…` for roles. */
  uniqueId: string;
  /** Roles only: the trust policy (JSON text). */
  trustPolicy?: string;
  /** Roles only: maximum session duration in seconds. */
  maxSessionSeconds?: number;
  createdAt: string;
}

export interface InlinePolicyRecord {
  principalArn: string;
  policyName: string;
  /** JSON text. */
  document: string;
  updatedAt: string;
}

export interface PrincipalRepo {
  /** Same ARN → EntityAlreadyExists. */
  create(p: PrincipalRecord): Promise<void>;
  get(arn: string): Promise<PrincipalRecord | undefined>;
  /** Ordered by (kind, name). */
  listForAccount(accountId: string, kind?: 'user' | 'role'): Promise<PrincipalRecord[]>;
  /** Deletes the principal and its inline policies; false = not found. */
  delete(arn: string): Promise<boolean>;
  /** Upsert by (principalArn, policyName). Unknown principal → NoSuchEntity. */
  putPolicy(p: InlinePolicyRecord): Promise<void>;
  getPolicy(principalArn: string, policyName: string): Promise<InlinePolicyRecord | undefined>;
  /** Ordered by policyName. */
  listPolicies(principalArn: string): Promise<InlinePolicyRecord[]>;
  deletePolicy(principalArn: string, policyName: string): Promise<boolean>;
}

/** Temporary credentials from STS AssumeRole. The secret is sealed; the session token is stored as its SHA-256. */
export interface SessionRecord {
  /** `ASIA` + 16 base32 characters. */
  accessKeyId: string;
  secretAccessKey: string;
  sessionTokenSha256: string;
  accountId: string;
  /** `arn:aws:sts::<acct>:assumed-role/<role>/<session>` */
  principalArn: string;
  roleArn: string;
  /** Who assumed the role. */
  sourcePrincipalArn: string;
  createdAt: string;
  expiresAt: string;
}

export interface SessionRepo {
  create(s: SessionRecord): Promise<void>;
  get(accessKeyId: string): Promise<SessionRecord | undefined>;
  /** Removes sessions with expiresAt <= now; returns how many. */
  deleteExpired(now: string): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------
// Guardrail resource-based policies and account-level enforcement.

export interface ResourcePolicyRecord {
  resourceArn: string;
  accountId: string;
  region: string;
  /** JSON text exactly as put. */
  document: string;
  updatedAt: string;
}

export interface ResourcePolicyRepo {
  put(p: ResourcePolicyRecord): Promise<void>;
  get(resourceArn: string): Promise<ResourcePolicyRecord | undefined>;
  delete(resourceArn: string): Promise<boolean>;
  /** Ordered by resourceArn. */
  listForAccount(accountId: string, region?: string): Promise<ResourcePolicyRecord[]>;
}

export type GuardingMode = 'SELECTIVE' | 'COMPREHENSIVE';

export interface EnforcementConfigRecord {
  configId: string;
  accountId: string;
  region: string;
  guardrailArn: string;
  guardrailId: string;
  guardrailVersion: number;
  selectiveContentGuarding?: { system?: GuardingMode; messages?: GuardingMode };
  modelEnforcement?: { includedModels: string[]; excludedModels: string[] };
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface EnforcementConfigRepo {
  /** One per (accountId, region): another one there → ConflictException naming its configId. */
  create(c: EnforcementConfigRecord): Promise<void>;
  /** Replaces every field but configId/accountId/region/createdAt/createdBy; false = not found. */
  update(c: EnforcementConfigRecord): Promise<boolean>;
  get(accountId: string, region: string): Promise<EnforcementConfigRecord | undefined>;
  delete(accountId: string, configId: string): Promise<boolean>;
  /** Every config (any account) that enforces the guardrail (any version). */
  listForGuardrail(guardrailArn: string): Promise<EnforcementConfigRecord[]>;
  /** Every config of these accounts (all Regions). */
  listForAccounts(accountIds: string[]): Promise<EnforcementConfigRecord[]>;
}

// ---------------------------------------------------------------------------------------------------------
// Audit trail: append-only and hash-chained (`hash = sha256(prevHash + canonical JSON of the entry)`).

export interface AuditEntry {
  /** ISO-8601 */
  at: string;
  /** The account whose resource changed or who invoked (the audit owner). */
  accountId: string;
  /** The caller. */
  principalArn: string;
  /** e.g. `organizations:CreatePolicy`, `bedrock:PutEnforcedGuardrailConfiguration`, `bedrock:ApplyGuardrail` */
  action: string;
  region?: string;
  resourceArn?: string;
  requestId?: string;
  /** Outcome, e.g. `Success`, `AccessDenied`, `INTERVENED`, `NONE`. */
  outcome: string;
  before?: unknown;
  after?: unknown;
  /** Anything else (guardrails applied, latency, text units…), JSON-able. */
  detail?: unknown;
}

export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3… without gaps. */
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  /** Only records of these accounts (undefined = all). */
  accountIds?: string[];
  action?: string;
  resourceArn?: string;
  /** Inclusive ISO bounds. */
  since?: string;
  until?: string;
  /** Newest first; records with seq < beforeSeq. */
  beforeSeq?: number;
  /** Records with seq > afterSeq, OLDEST first (for following the trail). */
  afterSeq?: number;
  outcome?: string;
  principalArn?: string;
  region?: string;
  /** Actions starting with this, e.g. `bedrock:` or `organizations:`. */
  actionPrefix?: string;
  limit: number;
}

export interface AuditRepo {
  /** Appends atomically after the current head; returns the stored record. */
  append(e: AuditEntry): Promise<AuditRecord>;
  /** Appends several in order, atomically (one invocation's records together). */
  appendMany(entries: readonly AuditEntry[]): Promise<AuditRecord[]>;
  /** Newest first. */
  list(q: AuditQuery): Promise<AuditRecord[]>;
  /** Recomputes the chain: ok, or the first seq whose hash or link does not verify. */
  verify(): Promise<{ ok: boolean; count: number; brokenAt?: number }>;
}

/**
 * What a change feed reports. Invalidations only: each says which cached state may be stale, never the new
 * state, so receiving one twice (or one of the process's own) is harmless.
 */
export type ChangeEvent =
  /** Some row outside the audit log changed (the store's change count is bumped, so read caches miss). */
  | { kind: 'changed' }
  /** A published version (or, without `version`, the whole guardrail) was deleted: drop it from compiled caches. */
  | { kind: 'guardrailDeleted'; guardrailArn: string; version?: number }
  /** An access key was created, activated, deactivated or deleted: drop it from key caches. */
  | { kind: 'accessKeyChanged'; accessKeyId: string }
  /** Events may have been missed (the feed's connection was lost and is back): treat every cached thing as stale. */
  | { kind: 'resync' };

/**
 * Changes made through any process sharing the store (PostgreSQL: every replica), delivered to every process
 * once committed, in commit order per sender, within milliseconds.
 */
export interface ChangeFeed {
  /** Sends an event to every subscriber of every process (this one included). */
  publish(event: ChangeEvent): Promise<void>;
  /** Calls `listener` for each event until the returned function is called. */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
}

// ---------------------------------------------------------------------------------------------------------
// Whole-state dump and restore (backup, moving between SQLite and PostgreSQL; the file format is `export.ts`'s).

/** A column value as the database holds it: text, a whole number, or NULL. */
export type StateValue = string | number | null;
/** One row, keyed by column name. */
export type StateRow = Record<string, StateValue>;

export interface StateColumn {
  name: string;
  type: 'text' | 'integer';
  nullable: boolean;
  /** Holds `cipher.encrypt(secret)`: only the master key it was sealed with opens it. */
  sealed: boolean;
}

export interface StateTable {
  name: string;
  /** In the schema's order. */
  columns: readonly StateColumn[];
  /** The primary key's columns: rows are read in this order. */
  key: readonly string[];
}

/** Reads the state's tables; `table` must be one of `StateTransfer.tables`. */
export interface StateReader {
  count(table: string): Promise<number>;
  /** Every row of the table in primary-key order, at most `batchSize` (default 1000) per batch. */
  rows(table: string, batchSize?: number): AsyncIterable<StateRow[]>;
}

export interface StateWriter extends StateReader {
  /** Inserts the rows as they are (sealed values stay sealed; the audit log's seq and hashes are kept). */
  insert(table: string, rows: readonly StateRow[]): Promise<void>;
  /**
   * Replaces one sealed column (`StateColumn.sealed`) of the row whose primary key `key` holds (master-key
   * rotation re-seals every secret this way); throws unless exactly one row is updated.
   */
  replaceSealed(table: string, key: StateRow, column: string, sealed: string): Promise<void>;
}

/**
 * The whole persistent state as tables of rows, exactly as the database holds them: the same tables, columns
 * and row order on every SQL store, so a dump of one store restores into any other. Bookkeeping that is not
 * state (migration tables, runtime counters) is not part of it.
 */
export interface StateTransfer {
  /** The version of the portable tables (`sql/schema.ts`); a dump restores only into the same version. */
  readonly schemaVersion: number;
  /** Every table of the state, parents before children: the order to restore them in. */
  readonly tables: readonly StateTable[];
  /** Runs `fn` on one consistent snapshot of the whole state (a read transaction), whatever commits meanwhile. */
  read<T>(fn: (state: StateReader) => Promise<T>): Promise<T>;
  /** Runs `fn` in one write transaction: everything it inserted commits together, or nothing if it throws. */
  write<T>(fn: (state: StateWriter) => Promise<T>): Promise<T>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * How many writes (outside the audit log) reached the database through this store, plus the changes its
   * change feed reported from other processes; read caches key on it.
   */
  changeCount?(): number;
  /**
   * Resolves once the database answers a trivial query; rejects (StoreUnavailableError) when it cannot be
   * reached. Absent for SQLite, which is ready once open. Used by `/ready`.
   */
  ping?(): Promise<void>;
  /**
   * Committed changes from every process sharing the store (PostgreSQL: LISTEN/NOTIFY). Absent for SQLite,
   * where other processes' writes are only seen once cached entries expire.
   */
  changes?: ChangeFeed;
  accounts: AccountRepo;
  accessKeys: AccessKeyRepo;
  guardrails: GuardrailRepo;
  tags: TagRepo;
  meta: MetaRepo;
  organizations: OrganizationRepo;
  principals: PrincipalRepo;
  sessions: SessionRepo;
  resourcePolicies: ResourcePolicyRepo;
  enforcement: EnforcementConfigRepo;
  audit: AuditRepo;
  /** Dump and restore of the whole state (`parapet export` / `parapet import`); every SQL store has it. */
  state?: StateTransfer;
  close(): Promise<void>;
}

/**
 * TEST-ONLY escape hatch: runs one raw SQL statement (no parameters) behind the repositories' back and
 * returns its rows. Used by the conformance suite to prove properties of the database itself.
 */
export type UnsafeRawSql = (statement: string) => Promise<Record<string, unknown>[]>;

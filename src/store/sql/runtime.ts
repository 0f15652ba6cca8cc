/**
 * What the portable repositories need from a dialect: a Kysely instance and serialized write transactions.
 *
 * `writeTx(lockKeys, fn)` runs `fn` in one transaction during which no other write transaction holding any
 * of the same lock keys runs. SQLite gets this for free (`BEGIN IMMEDIATE` serializes every writer);
 * PostgreSQL would take `pg_advisory_xact_lock` on each key (sorted, to avoid deadlocks). The repositories
 * rely on it for check-then-write sequences (quotas, name uniqueness, idempotency, version numbers).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface SqlRuntime {
  readonly db: Db;
  writeTx<T>(lockKeys: readonly string[], fn: (tx: Db) => Promise<T>): Promise<T>;
}

export const lockKeys = {
  accountRegion: (accountId: string, region: string): string => `guardrails/${accountId}/${region}`,
  guardrail: (accountId: string, region: string, guardrailId: string): string =>
    `guardrail/${accountId}/${region}/${guardrailId}`,
  account: (accountId: string): string => `account/${accountId}`,
  accessKey: (accessKeyId: string): string => `access-key/${accessKeyId}`,
  tags: (resourceArn: string): string => `tags/${resourceArn}`,
  /**
   * One key for every structural write to any organization: a membership can move between organizations
   * and most calls name only a child id, so a per-organization key would have to be found before the
   * transaction. Organization changes are rare administrative calls; one key costs nothing.
   */
  organizations: (): string => 'organizations',
  principal: (arn: string): string => `principal/${arn}`,
  /** The audit log is one hash chain: every append extends the same head. */
  auditLog: (): string => 'audit-log',
};

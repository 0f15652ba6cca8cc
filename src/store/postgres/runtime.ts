import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, type PostgresPool, sql } from 'kysely';
import type { Db, SqlRuntime } from '../sql/runtime.ts';
import type { Database } from '../sql/schema.ts';

/**
 * PostgreSQL runtime: Kysely over a pg.Pool. Several processes ("replicas") may share one database; a write
 * transaction first takes `pg_advisory_xact_lock` on each of its lock keys, so write transactions that
 * share a key run one after the other, whichever process they come from.
 *
 * Isolation: READ COMMITTED, set explicitly on every write transaction (a server whose
 * `default_transaction_isolation` is REPEATABLE READ or SERIALIZABLE must not change the behaviour).
 *
 * - Why it is enough: in READ COMMITTED every statement takes a fresh snapshot when it starts. The locks are
 *   taken by the transaction's first statements, so every later read (the quota count, the name check, the
 *   idempotency token, `latest_version`, the audit head…) sees everything committed by the previous holder
 *   of the key: PostgreSQL makes a commit visible before it releases the committing transaction's locks.
 *   The repositories only check-then-write data that is written under the same key, or guard it with a
 *   database constraint (primary keys, unique and foreign keys), which PostgreSQL enforces across
 *   concurrent transactions at any isolation level.
 * - Why not stronger: REPEATABLE READ / SERIALIZABLE take one snapshot at the transaction's first
 *   statement, which is the lock statement itself, i.e. BEFORE the lock is granted. A waiter would then
 *   read the state from before the previous holder's commit (REPEATABLE READ: a stale count or version
 *   number, then a write conflict; SERIALIZABLE: serialization failures that need a retry loop). The locks
 *   already give these transactions a serial order, so READ COMMITTED is both correct and the right level.
 *
 * Lock ids are 64-bit hashes of our own (the first 8 bytes of SHA-256, stable across PostgreSQL versions)
 * over the store's schema name and the key, so stores in different schemas of one database never contend.
 * Ids are de-duplicated and taken in ascending id order (not key order), so two transactions can never
 * wait for each other on advisory locks, even in the (2^-64) case of two keys sharing an id. Every write
 * transaction takes its advisory locks before touching any row, so advisory and row locks cannot form a
 * cycle either.
 */
export function createPostgresRuntime(pool: PostgresPool, lockNamespace: string): SqlRuntime {
  const db: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    writeTx<T>(lockKeys: readonly string[], fn: (tx: Db) => Promise<T>): Promise<T> {
      const ids = [...new Set(lockKeys.map((key) => advisoryLockId(`tx\u0000${lockNamespace}\u0000${key}`)))].sort(
        (a, b) => (a < b ? -1 : a > b ? 1 : 0),
      );
      return db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async (tx) => {
          for (const id of ids) await sql`select pg_advisory_xact_lock(${id.toString()}::bigint)`.execute(tx);
          return fn(tx);
        });
    },
  };
}

/** A signed 64-bit advisory lock id for `name`: the first 8 bytes of its SHA-256. */
export function advisoryLockId(name: string): bigint {
  return createHash('sha256').update(`parapet\u0000${name}`, 'utf8').digest().readBigInt64BE(0);
}

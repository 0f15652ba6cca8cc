/**
 * The embedded store: SQLite through better-sqlite3 and Kysely. WAL journal, foreign keys on, a busy
 * timeout for other processes sharing the file, and migrations run on open. Open a given file once per
 * process (several processes may share it). The repositories themselves are the portable ones in `../sql/`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { createSqlStore } from '../sql/store.ts';
import type { SecretCipher, Store, UnsafeRawSql } from '../types.ts';
import { migrateToLatest } from './migrations.ts';
import { createSqliteRuntime } from './runtime.ts';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private in-memory database. */
  filename: string;
  cipher: SecretCipher;
  /** How long a writer waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const rawSqlByStore = new WeakMap<Store, UnsafeRawSql>();

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  const inMemory = opts.filename === ':memory:';
  if (!inMemory) mkdirSync(dirname(opts.filename), { recursive: true });
  const raw = new Database(opts.filename);
  try {
    raw.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
    if (!inMemory) raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL'); // durable in WAL mode except on power loss of the last commits
    raw.pragma('foreign_keys = ON');
    const rt = createSqliteRuntime(raw);
    // One immediate transaction around the whole migration: processes opening a fresh file together
    // cannot both migrate it, and a failed migration leaves nothing behind.
    raw.exec('BEGIN IMMEDIATE');
    try {
      await migrateToLatest(rt.db);
      raw.exec('COMMIT');
    } catch (e) {
      if (raw.inTransaction) raw.exec('ROLLBACK');
      throw e;
    }
    let closed = false;
    const store = createSqlStore('sqlite', rt, opts.cipher, async () => {
      if (closed) return;
      closed = true;
      await rt.db.destroy();
    });
    rawSqlByStore.set(store, async (statement) => {
      const result = await rt.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(statement, []));
      return [...result.rows];
    });
    return store;
  } catch (e) {
    raw.close();
    throw e;
  }
}

/**
 * TEST-ONLY: raw SQL against a store opened by `openSqliteStore`, bypassing the repositories. Exists so
 * the conformance suite can prove database-level guarantees (immutable versions, sealed secrets).
 */
export function unsafeRawSqlForTests(store: Store): UnsafeRawSql {
  const run = rawSqlByStore.get(store);
  if (!run) throw new Error('not a store opened by openSqliteStore');
  return run;
}

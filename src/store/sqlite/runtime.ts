import { sql, Kysely, SqliteDialect } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../sql/schema.ts';
import type { Db, SqlRuntime } from '../sql/runtime.ts';
import { StoreUnavailableError } from '../unavailable.ts';

/**
 * SQLite runtime: one connection (Kysely serializes its use), and write transactions opened with
 * `BEGIN IMMEDIATE`, which takes the database write lock up front. That serializes every writer, in this
 * process and in others sharing the file, so lock keys are not needed. While another process holds the
 * write lock, better-sqlite3 waits synchronously (up to `busy_timeout`): fine for a few gateway processes
 * on one host; scale out with PostgreSQL instead. Within one process, open a file only once (a second
 * connection in the same process would block the event loop its own writer needs).
 */
export function createSqliteRuntime(raw: BetterSqlite3.Database): SqlRuntime {
  const db: Db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw, "the SQLite database") }) });
  return {
    db,
    writeTx<T>(_lockKeys: readonly string[], fn: (tx: Db) => Promise<T>): Promise<T> {
      return db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (e) {
          if (raw.inTransaction) await sql`ROLLBACK`.execute(conn);
          throw e;
        }
      });
    },
  };
}

/** Prepared statements kept per SQL text (at most this many): Kysely asks for one on every query. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The database as Kysely sees it, with `prepare` memoized by SQL text. Reusing a better-sqlite3 statement is
 * safe here: the single connection runs one query at a time, and each run binds its own parameters.
 */
function withStatementCache(raw: BetterSqlite3.Database, target: string): BetterSqlite3.Database {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const targetName = target;
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop === 'prepare')
        return (source: string) => {
          let st = statements.get(source);
          if (!st) {
            st = busyAsUnavailable(target.prepare(source), targetName);
            if (statements.size >= STATEMENT_CACHE_SIZE) {
              const oldest = statements.keys().next().value;
              if (oldest !== undefined) statements.delete(oldest);
            }
            statements.set(source, st);
          }
          return st;
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const RUN_METHODS: ReadonlySet<PropertyKey> = new Set(['run', 'get', 'all', 'iterate']);

/**
 * A statement whose "database is locked" failures (another process held the write lock longer than
 * `busy_timeout`) become `StoreUnavailableError` (503, retry shortly) instead of an internal error.
 */
function busyAsUnavailable(st: BetterSqlite3.Statement, target: string): BetterSqlite3.Statement {
  return new Proxy(st, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const f = (v as (...a: unknown[]) => unknown).bind(t);
      if (!RUN_METHODS.has(prop)) return f;
      return (...args: unknown[]) => {
        try {
          return f(...args);
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')))
            throw new StoreUnavailableError(target, 'the database file stayed locked by another writer for longer than its busy timeout');
          throw e;
        }
      };
    },
  });
}

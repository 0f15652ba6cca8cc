/**
 * The scale-out store: PostgreSQL through node-postgres and Kysely. Any number of gateway processes may
 * open the same database (and schema) at once: writes that must not interleave are serialized with
 * advisory locks (see `runtime.ts`), migrations run once under a lock (see `migrations.ts`), and each
 * process hears the others' commits through LISTEN/NOTIFY (`store.changes`, see `change-feed.ts`). The
 * repositories themselves are the portable ones in `../sql/`.
 *
 * Outages: every repository call that cannot reach the database (connection refused or lost, no connection
 * within `connectTimeoutMs`, no answer within `queryTimeoutMs`) fails with `StoreUnavailableError` (HTTP 503),
 * never hangs, and makes the store's change count move so read caches drop what they hold (see
 * `availability.ts`). The pool reconnects by itself once the database answers again.
 */
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { createSqlStore } from '../sql/store.ts';
import type { SecretCipher, Store, UnsafeRawSql } from '../types.ts';
import { describeTarget, guardPool } from './availability.ts';
import { changeChannel, type ChangeFeedOptions, PostgresChangeFeed } from './change-feed.ts';
import { migrateToLatest } from './migrations.ts';
import { advisoryLockId, createPostgresRuntime } from './runtime.ts';

export interface PostgresStoreOptions {
  /** e.g. `postgres://user:password@host:5432/db`. Must not set `search_path` itself when `schema` is given. */
  connectionString: string;
  cipher: SecretCipher;
  /**
   * The schema holding the store's tables, created if missing and put first on every connection's
   * search_path. Lower-case letters, digits and `_`, starting with a letter or `_`. Default: the server's
   * own search_path (normally `public`).
   */
  schema?: string;
  /** Most connections this store opens at once. Default 10. */
  poolSize?: number;
  /**
   * How long obtaining a connection may take (opening one, or waiting for a free one when all are busy) before
   * the call fails with ServiceUnavailableException. Default 3,000 ms.
   */
  connectTimeoutMs?: number;
  /**
   * How long one query may go unanswered (a network cut without a reset, a server that hangs) before the call
   * fails with ServiceUnavailableException and the connection is dropped. Migrations at start are not bounded.
   * Default 10,000 ms; 0 disables it.
   */
  queryTimeoutMs?: number;
  /** The change feed's reconnection and heartbeat settings, and where its connection losses are reported. */
  changeFeed?: ChangeFeedOptions;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

/**
 * node-postgres returns int8 (BIGINT: `audit_log.seq`, `count(*)`) as strings by default. This pool parses
 * it to a number, refusing values beyond 2^53 rather than rounding them. (NUMERIC is left as text: the
 * schema has no NUMERIC column and nothing in the repositories produces one.)
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT value ${text} is beyond the safe integer range`);
  return n;
}

const rawSqlByStore = new WeakMap<Store, UnsafeRawSql>();

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(opts.schema)}: use [a-z_][a-z0-9_]*, at most 63 characters`);
  }
  const poolSize = opts.poolSize ?? 10;
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) throw new Error(`poolSize must be a positive integer, got ${poolSize}`);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3_000;
  const queryTimeoutMs = opts.queryTimeoutMs ?? 10_000;
  for (const [name, v] of [['connectTimeoutMs', connectTimeoutMs], ['queryTimeoutMs', queryTimeoutMs]] as const)
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  const connection: pg.ClientConfig = {
    connectionString: opts.connectionString,
    ...(opts.schema === undefined ? {} : { options: `-c search_path=${opts.schema}` }),
    ...(connectTimeoutMs > 0 ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
  };
  const pool = new pg.Pool({ ...connection, max: poolSize, types, keepAlive: true });
  // Each sign of an outage moves the change count: read caches stop serving what they read before it.
  let outages = 0;
  // An idle connection that breaks (server restart, network) is dropped by the pool, and the next query
  // gets a new one; without a listener the 'error' event would crash the process.
  pool.on('error', () => {
    outages++;
  });
  const guarded = guardPool(pool, { target: describeTarget(opts.connectionString), queryTimeoutMs, onUnavailable: () => outages++ });
  let feed: PostgresChangeFeed | undefined;
  try {
    const schema = opts.schema ?? (await currentSchema(pool));
    if (schema === null) {
      throw new Error('the server search_path names no existing schema: pass `schema` to openPostgresStore');
    }
    // Migrations may take long on a big database: they run on the pool itself, without the query timeout.
    const migrator = createPostgresRuntime(pool, schema);
    await withMigrationLock(connection, schema, async (lockClient) => {
      if (opts.schema !== undefined) await lockClient.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const resolved = await currentSchema(pool);
      if (resolved !== schema) {
        throw new Error(
          `connections resolve tables in schema ${String(resolved)}, not ${schema}: ` +
            'the connection string must not set search_path (or other `options`) when `schema` is given',
        );
      }
      await migrateToLatest(migrator.db, schema);
    });
    const rt = createPostgresRuntime(guarded, schema);
    // Listening before the store is used: no change committed from now on goes unheard. A lost listening
    // connection is a sign of an outage too.
    const onError = opts.changeFeed?.onError;
    feed = await PostgresChangeFeed.start(connection, pool, changeChannel(schema), {
      ...opts.changeFeed,
      onError: (err) => {
        outages++;
        onError?.(err);
      },
    });
    const listening = feed;
    let closed = false;
    const base = createSqlStore(
      'postgres',
      rt,
      opts.cipher,
      async () => {
        if (closed) return;
        closed = true;
        await listening.close();
        await rt.db.destroy(); // ends the pool
      },
      listening,
    );
    const store: Store = {
      ...base,
      changeCount: () => (base.changeCount?.() ?? 0) + outages,
      async ping() {
        await rt.db.executeQuery(CompiledQuery.raw('SELECT 1', []));
      },
    };
    rawSqlByStore.set(store, async (statement) => {
      const result = await rt.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(statement, []));
      return [...result.rows];
    });
    return store;
  } catch (e) {
    await feed?.close();
    await pool.end().catch(() => {});
    throw e;
  }
}

async function currentSchema(pool: pg.Pool): Promise<string | null> {
  const { rows } = await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  return rows[0]?.schema ?? null;
}

/**
 * Runs `fn` holding a session advisory lock for `schema` on a connection of its own (outside the pool, so
 * even a pool of one connection can migrate meanwhile): processes opening one schema together create and
 * migrate it one after the other. The lock goes with the session if the process dies.
 */
async function withMigrationLock(
  connection: pg.ClientConfig,
  schema: string,
  fn: (lockClient: pg.Client) => Promise<void>,
): Promise<void> {
  const client = new pg.Client(connection);
  client.on('error', () => {}); // a broken connection also fails the pending query, which is what reports it
  await client.connect();
  try {
    const id = advisoryLockId(`migrate\u0000${schema}`).toString();
    await client.query('SELECT pg_advisory_lock($1::bigint)', [id]);
    try {
      await fn(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [id]);
    }
  } finally {
    await client.end();
  }
}

/**
 * TEST-ONLY: raw SQL against a store opened by `openPostgresStore`, bypassing the repositories. Exists so
 * the conformance suite can prove database-level guarantees (immutable versions, sealed secrets).
 */
export function unsafeRawSqlForTests(store: Store): UnsafeRawSql {
  const run = rawSqlByStore.get(store);
  if (!run) throw new Error('not a store opened by openPostgresStore');
  return run;
}

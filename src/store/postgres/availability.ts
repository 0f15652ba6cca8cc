/**
 * Outages of the PostgreSQL store, seen from one replica: which driver errors mean "the database cannot be
 * reached" (as opposed to a bad query or a constraint), and the pool every repository uses, which turns those
 * errors into `StoreUnavailableError` (HTTP 503), bounds every query in time, and reports each failure so the
 * store can stop trusting what it cached (see `openPostgresStore`).
 *
 * After the database comes back nothing needs a restart: pg.Pool opens fresh connections on demand (a
 * connection that failed is destroyed, never reused), and the change feed reconnects on its own.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { StoreUnavailableError } from '../unavailable.ts';

/** Socket-level failures: refused, reset, unreachable host or network, DNS, timeouts. */
const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTCONN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that will not serve: class 08 (connection exception), 57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now (starting up, recovering), 53300 too_many_connections, and class 28
 * (the credentials stopped working: no connection can be opened either).
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('28') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** node-postgres reports a lost or unobtainable connection with these messages (no code). */
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|is not queryable|Client was closed|Cannot use a pool after calling end|Connection refused|server closed the connection/i;

/** Whether `err` (or what it wraps) means the database cannot be reached, rather than that a query failed. */
export function isConnectionFailure(err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false;
  if (err instanceof StoreUnavailableError) return true;
  const { code, message, cause, errors } = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableSqlState(code)))) return true;
  if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
  if (Array.isArray(errors) && errors.some((e) => isConnectionFailure(e, depth + 1))) return true; // AggregateError (IPv4 + IPv6)
  return cause !== undefined && isConnectionFailure(cause, depth + 1);
}

/** `PostgreSQL at host:port/database` from a connection string (never its user or password). */
export function describeTarget(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    const host = u.hostname || new URLSearchParams(u.search).get('host') || 'localhost';
    return `PostgreSQL at ${host}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** The driver's reason, short and without credentials (node-postgres never puts the password in a message). */
function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  let message = typeof e?.message === 'string' && e.message ? e.message : '';
  if (!message && Array.isArray(e?.errors)) message = (e.errors as Array<{ message?: string }>).map((x) => x.message ?? '').filter(Boolean).join('; ');
  if (!message) message = String(err);
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ` : '';
  return `${code}${message}`.replace(/\s+/g, ' ').slice(0, 300);
}

export interface GuardedPoolOptions {
  /** Shown in the error: `describeTarget(connectionString)`. */
  target: string;
  /** A query that has not answered after this long fails as an outage and its connection is dropped (0: never). */
  queryTimeoutMs: number;
  /** Every outage error, as it happens. */
  onUnavailable?: (err: StoreUnavailableError) => void;
}

/**
 * `pool` for Kysely with outages made explicit: a connection that cannot be obtained, a query that fails because
 * the connection went away, or one that does not answer within `queryTimeoutMs`, rejects with
 * `StoreUnavailableError`; such a connection is destroyed when released (never handed out again), and any later
 * query on it fails at once (so a rollback does not wait for a dead socket). Other errors pass through unchanged.
 */
export function guardPool(pool: pg.Pool, opts: GuardedPoolOptions): PostgresPool {
  const unavailable = (err: unknown): StoreUnavailableError => {
    const e = err instanceof StoreUnavailableError ? err : new StoreUnavailableError(opts.target, reasonOf(err));
    opts.onUnavailable?.(e);
    return e;
  };
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw isConnectionFailure(err) ? unavailable(err) : err;
      }
      let broken: unknown;
      let released = false;
      const guardedClient = {
        query(text: string, values: readonly unknown[]): Promise<pg.QueryResult> {
          if (broken !== undefined) return Promise.reject(unavailable(broken));
          return new Promise<pg.QueryResult>((resolve, reject) => {
            const timer =
              opts.queryTimeoutMs > 0
                ? setTimeout(() => {
                    broken = new Error(`no answer within ${opts.queryTimeoutMs} ms`);
                    reject(unavailable(broken));
                  }, opts.queryTimeoutMs)
                : undefined;
            client.query(text, [...values]).then(
              (result) => {
                clearTimeout(timer);
                resolve(result);
              },
              (err: unknown) => {
                clearTimeout(timer);
                if (isConnectionFailure(err)) {
                  broken ??= err;
                  reject(unavailable(err));
                } else reject(err);
              },
            );
          });
        },
        release(destroy?: boolean): void {
          if (released) return;
          released = true;
          client.release(destroy || broken !== undefined ? true : undefined);
        },
      };
      // Kysely never streams from this pool (no cursor is configured): the one query form is enough.
      return guardedClient as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

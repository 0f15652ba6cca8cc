/**
 * The PostgreSQL change feed: LISTEN/NOTIFY between the replicas sharing one schema.
 *
 * Senders: triggers in the schema (migration 0003) NOTIFY from inside every write transaction, so an event
 * is delivered exactly when the change becomes visible (on commit; never for a rollback), whatever wrote it
 * (any repository, a foreign-key cascade, an operator's SQL). `publish` sends an event of the caller's own.
 *
 * Receiver: one dedicated connection per store LISTENs on the schema's channel. When it drops (server
 * restart, network, `pg_terminate_backend`) it is reopened with exponential backoff, and subscribers get a
 * `resync` event once it listens again: whatever was notified meanwhile was lost, so every cache must be
 * treated as stale. A heartbeat query notices a connection that died without closing (half-open TCP).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ChangeEvent, ChangeFeed } from '../types.ts';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more (default build). */
export const NOTIFY_PAYLOAD_LIMIT = 7999;

/**
 * The channel of a schema's store: replicas of one schema share it, stores in other schemas of the database
 * never see its events. The triggers compute the same name in SQL (`CHANNEL_SQL`).
 */
export function changeChannel(schema: string): string {
  return `parapet_changes_${createHash('sha256').update(schema, 'utf8').digest('hex').slice(0, 16)}`;
}

/** `changeChannel(TG_TABLE_SCHEMA)` in PL/pgSQL (pg_catalog functions only: no search_path dependency). */
export const CHANNEL_SQL = `'parapet_changes_' || left(encode(sha256(convert_to(TG_TABLE_SCHEMA, 'UTF8')), 'hex'), 16)`;

/** The payload of an event; one too large for NOTIFY becomes `resync` (never the case for real ids and ARNs). */
export function encodeChange(event: ChangeEvent): string {
  const payload = JSON.stringify(event);
  return Buffer.byteLength(payload, 'utf8') <= NOTIFY_PAYLOAD_LIMIT ? payload : JSON.stringify({ kind: 'resync' });
}

/** The event of a payload; anything unreadable (or of a kind this version does not know) is `resync`. */
export function decodeChange(payload: string | undefined): ChangeEvent {
  let v: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(payload ?? '');
    if (!parsed || typeof parsed !== 'object') return { kind: 'resync' };
    v = parsed as Record<string, unknown>;
  } catch {
    return { kind: 'resync' };
  }
  switch (v['kind']) {
    case 'changed':
      return { kind: 'changed' };
    case 'guardrailDeleted': {
      const arn = v['guardrailArn'];
      const version = v['version'];
      if (typeof arn !== 'string') break;
      if (version === undefined || version === null) return { kind: 'guardrailDeleted', guardrailArn: arn };
      if (typeof version === 'number' && Number.isSafeInteger(version)) return { kind: 'guardrailDeleted', guardrailArn: arn, version };
      break;
    }
    case 'accessKeyChanged':
      if (typeof v['accessKeyId'] === 'string') return { kind: 'accessKeyChanged', accessKeyId: v['accessKeyId'] };
      break;
  }
  return { kind: 'resync' };
}

export interface ChangeFeedOptions {
  /** First delay before reopening a dropped connection, doubled per failed attempt; default 100 ms. */
  minBackoffMs?: number;
  /** Longest delay between attempts; default 5,000 ms. */
  maxBackoffMs?: number;
  /** How often the listening connection is checked with a query (which must answer within as long); default 15,000 ms. */
  heartbeatMs?: number;
  /** Connection losses, failed reconnection attempts and throwing subscribers (the feed carries on). */
  onError?: (err: Error) => void;
}

export class PostgresChangeFeed implements ChangeFeed {
  readonly channel: string;
  readonly #connection: pg.ClientConfig;
  readonly #pool: pg.Pool;
  readonly #opts: Required<Omit<ChangeFeedOptions, 'onError'>> & Pick<ChangeFeedOptions, 'onError'>;
  readonly #listeners = new Set<(event: ChangeEvent) => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  private constructor(connection: pg.ClientConfig, pool: pg.Pool, channel: string, opts: ChangeFeedOptions) {
    this.#connection = connection;
    this.#pool = pool;
    this.channel = channel;
    this.#opts = { minBackoffMs: 100, maxBackoffMs: 5_000, heartbeatMs: 15_000, ...opts };
  }

  /**
   * Listens on `channel` before resolving (so no change committed after it resolves is missed); rejects if
   * the first connection fails. `pool` sends what `publish` is given.
   */
  static async start(connection: pg.ClientConfig, pool: pg.Pool, channel: string, opts: ChangeFeedOptions = {}): Promise<PostgresChangeFeed> {
    const feed = new PostgresChangeFeed(connection, pool, channel, opts);
    feed.#adopt(await feed.#open());
    return feed;
  }

  async publish(event: ChangeEvent): Promise<void> {
    await this.#pool.query('SELECT pg_notify($1, $2)', [this.channel, encodeChange(event)]);
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    // A wrapper of its own, so one function subscribed twice is two subscriptions.
    const entry = (event: ChangeEvent) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Whether the listening connection is up (false while reconnecting). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client({ ...this.#connection, application_name: `parapet listen ${this.channel}`, keepAlive: true });
    // Errors also end the connection ('end' below) or fail the pending query, which is what reports them.
    client.on('error', () => {});
    client.on('notification', (msg) => {
      if (msg.channel === this.channel) this.#emit(decodeChange(msg.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      return client;
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
  }

  #adopt(client: pg.Client): void {
    if (this.#closed) {
      void client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#attempt = 0;
    client.once('end', () => this.#dropped(client));
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => this.#check(client), this.#opts.heartbeatMs);
    this.#heartbeat.unref();
  }

  #check(client: pg.Client): void {
    const deadline = setTimeout(() => void client.end().catch(() => {}), this.#opts.heartbeatMs);
    deadline.unref();
    client.query('SELECT 1').then(
      () => clearTimeout(deadline),
      () => {
        clearTimeout(deadline);
        void client.end().catch(() => {});
      },
    );
  }

  #dropped(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    clearInterval(this.#heartbeat);
    if (this.#closed) return;
    this.#opts.onError?.(new Error(`the change feed connection (LISTEN ${this.channel}) was lost; reconnecting`));
    this.#schedule();
  }

  #schedule(): void {
    const { minBackoffMs, maxBackoffMs } = this.#opts;
    const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    // Half fixed, half random: replicas that lost the server together do not come back in lockstep.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#retry = setTimeout(() => void this.#reconnect(), delay);
    this.#retry.unref();
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    let client: pg.Client;
    try {
      client = await this.#open();
    } catch (e) {
      if (this.#closed) return;
      this.#opts.onError?.(new Error(`the change feed could not listen again (attempt ${this.#attempt})`, { cause: e }));
      this.#schedule();
      return;
    }
    this.#adopt(client);
    // Listening again: what was notified while it was down is lost.
    if (!this.#closed) this.#emit({ kind: 'resync' });
  }

  #emit(event: ChangeEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (e) {
        this.#opts.onError?.(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
}

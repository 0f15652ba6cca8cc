/**
 * Quota buckets in Redis, shared by every replica that points at the same server (`PARAPET_REDIS_URL`,
 * `parapet serve --redis`). Each take is one Lua script (EVALSHA through ioredis `defineCommand`, EVAL once
 * after a server restart), so refill, check and take are atomic whatever the number of replicas. The time is
 * the Redis server's (`TIME`), so replicas whose clocks disagree still agree on the buckets. Each bucket is one
 * hash (`tokens`, `at` in ms) that expires once it would have refilled to full: an absent key is a full bucket.
 *
 * Fail-fast settings: a command gets no answer after `commandTimeout` (200 ms) it fails; while disconnected
 * commands fail at once instead of queueing (`enableOfflineQueue: false`), and the client keeps reconnecting in
 * the background. The failure policy itself (`FailoverQuotaBackend`) is in `./quotas.ts`.
 */
import { Redis } from 'ioredis';
import { type BucketId, bucketKey, type QuotaBackend } from './quotas.ts';

/** A take that gets no answer from Redis within this many milliseconds fails (and falls back, see quotas.ts). */
export const REDIS_COMMAND_TIMEOUT_MS = 200;

/**
 * KEYS[1] the bucket; ARGV: limit (tokens per second = capacity), n, force (1/0), now in ms (empty: Redis TIME).
 * Returns 0 when taken, else the milliseconds until min(n, limit) tokens are there (nothing taken then).
 * Tokens are stored as strings (Lua numbers are doubles; a Lua number returned to Redis would be truncated).
 */
const TAKE_LUA = `
local limit = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local force = ARGV[3] == '1'
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = limit
local at = now
if b[1] and b[2] then
  at = tonumber(b[2])
  tokens = math.min(limit, tonumber(b[1]) + math.max(0, now - at) / 1000 * limit)
  if now > at then at = now end
end
local need = math.min(n, limit)
if tokens < need and not force then
  return math.ceil((need - tokens) / limit * 1000)
end
tokens = tokens - n
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
-- Full again after (limit - tokens) / limit seconds; one more second of margin.
redis.call('PEXPIRE', KEYS[1], math.ceil((limit - tokens) / limit * 1000) + 1000)
return 0
`;

type TakeCommand = (key: string, limit: string, n: string, force: string, now: string) => Promise<number>;

export interface RedisQuotaOptions {
  /** redis://[[user]:password@]host[:port][/db] or rediss://… */
  url: string;
  /** Prepended to every key (default `parapet:quota:`). */
  keyPrefix?: string;
  /** TEST-ONLY: the time in ms instead of the server's `TIME`, for exact bucket arithmetic. */
  now?: () => number;
}

/** The Redis URL for display: scheme, host, port and database, never the user or password. */
export function describeRedis(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('the Redis URL is not a URL: expected redis://[:password@]host[:port][/db]');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`the Redis URL must start with redis:// or rediss://, not ${u.protocol}//`);
  if (!u.hostname) throw new Error('the Redis URL names no host: expected redis://[:password@]host[:port][/db]');
  return `${u.protocol}//${u.host}${u.pathname.length > 1 ? u.pathname : ''}`;
}

export class RedisQuotaBackend implements QuotaBackend {
  readonly where: string;
  readonly #redis: Redis;
  readonly #take: TakeCommand;
  readonly #prefix: string;
  readonly #now: (() => number) | undefined;

  constructor(opts: RedisQuotaOptions) {
    this.where = `Redis ${describeRedis(opts.url)}`;
    this.#prefix = opts.keyPrefix ?? 'parapet:quota:';
    this.#now = opts.now;
    this.#redis = new Redis(opts.url, {
      lazyConnect: true,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 1_000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnects forever, backing off up to 2 s: the counters come back on their own after an outage.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
      connectionName: 'parapet-quotas',
    });
    // Connection errors surface as failed takes; without a listener ioredis would report them on stderr.
    this.#redis.on('error', () => {});
    this.#redis.defineCommand('parapetQuotaTake', { numberOfKeys: 1, lua: TAKE_LUA });
    const commands = this.#redis as unknown as { parapetQuotaTake: TakeCommand };
    this.#take = commands.parapetQuotaTake.bind(this.#redis);
  }

  /**
   * Connects; rejects when Redis cannot be reached or is not ready within `timeoutMs`. The client keeps
   * reconnecting in the background anyway.
   */
  async connect(timeoutMs = 1_000): Promise<void> {
    if (this.#redis.status !== 'wait') return;
    let timer: NodeJS.Timeout | undefined;
    const connecting = this.#redis.connect();
    connecting.catch(() => {}); // a late failure after the timeout is nobody's business
    try {
      await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis is not ready after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async take(bucket: BucketId, limit: number, n: number, force: boolean): Promise<number | undefined> {
    const r = Number(
      await this.#take(`${this.#prefix}${bucketKey(bucket)}`, String(limit), String(n), force ? '1' : '0', this.#now ? String(this.#now()) : ''),
    );
    if (!Number.isFinite(r)) throw new Error(`the Redis quota script answered ${String(r)}`);
    return r > 0 ? r : undefined;
  }

  async close(): Promise<void> {
    if (this.#redis.status === 'end') return;
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}

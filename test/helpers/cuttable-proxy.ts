/**
 * A TCP proxy a test can cut, to simulate a database outage without touching the shared database server:
 * - `cut('refuse')`: every open connection is reset and new ones are closed at once (a server that went down);
 * - `cut('blackhole')`: open connections stop carrying bytes and new ones are accepted but never answered (a
 *   network partition: nothing is refused, nothing answers);
 * - `restore()`: new connections are forwarded again; connections held by a blackhole are reset, as when a
 *   partition heals and the peers' TCP state is gone.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type CutMode = 'refuse' | 'blackhole';

export class CuttableProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<{ client: Socket; upstream?: Socket }>();
  #mode: 'up' | CutMode = 'up';
  /** Connections accepted so far (forwarded or not). */
  accepted = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const p = new CuttableProxy(target);
    await new Promise<void>((resolve) => p.#server.listen(0, '127.0.0.1', () => resolve()));
    return p;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get mode(): 'up' | CutMode {
    return this.#mode;
  }

  #accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => {});
    if (this.#mode === 'refuse') {
      client.destroy();
      return;
    }
    const pair: { client: Socket; upstream?: Socket } = { client };
    this.#pairs.add(pair);
    client.once('close', () => {
      this.#pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (this.#mode === 'blackhole') {
      client.pause(); // accepted, never answered
      return;
    }
    const upstream = connect(this.#target.port, this.#target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Cuts the database off; resolves once open connections are reset (refuse) or stalled (blackhole). */
  async cut(mode: CutMode): Promise<void> {
    this.#mode = mode;
    for (const pair of [...this.#pairs]) {
      if (mode === 'refuse') {
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
      } else {
        // Stop carrying bytes both ways without closing anything.
        pair.client.unpipe();
        pair.upstream?.unpipe();
        pair.client.pause();
        pair.upstream?.pause();
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  restore(): void {
    this.#mode = 'up';
    for (const pair of [...this.#pairs]) {
      if (!pair.upstream || pair.client.isPaused()) {
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
      }
    }
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

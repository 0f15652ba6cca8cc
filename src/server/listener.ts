/**
 * One port, two protocols: a connection that opens with the HTTP/2 client preface
 * (`PRI * HTTP/2.0`, "prior knowledge" h2c, the default of @aws-sdk/client-bedrock-runtime) goes
 * to an HTTP/2 server; every other connection goes to an HTTP/1.1 server. Both share one handler.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;
export type Handler = (req: AnyRequest, res: AnyResponse) => void;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** Concurrent streams per HTTP/2 connection. */
const MAX_H2_STREAMS = 100;

export interface DualServer {
  server: net.Server;
  http1: http.Server;
  http2: http2.Http2Server;
  /** Resolves once all connections are closed. */
  close(): Promise<void>;
}

export function createDualServer(
  handler: Handler,
  opts: { headersTimeoutMs?: number; requestTimeoutMs?: number; keepAliveTimeoutMs?: number } = {},
): DualServer {
  const h1 = http.createServer(
    {
      maxHeaderSize: 32 * 1024,
      requestTimeout: opts.requestTimeoutMs ?? 120_000,
      headersTimeout: opts.headersTimeoutMs ?? 30_000,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 65_000,
      connectionsCheckingInterval: Math.min(1_000, opts.headersTimeoutMs ?? 30_000),
    },
    handler,
  );
  const h2 = http2.createServer(
    { maxSessionMemory: 64, settings: { maxHeaderListSize: 32 * 1024, maxConcurrentStreams: MAX_H2_STREAMS } },
    handler,
  );
  h2.setTimeout(opts.keepAliveTimeoutMs ?? 65_000);
  const sockets = new Set<net.Socket>();
  const sniffTimeout = opts.headersTimeoutMs ?? 30_000;

  // No Nagle delay: small HTTP/2 frames (an event-stream chunk, a short answer) go out at once.
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // A connection that does not say which protocol it speaks in time is closed.
    socket.setTimeout(sniffTimeout, () => socket.destroy());
    let seen = Buffer.alloc(0);
    const sniff = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const isH2Prefix = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (isH2Prefix && seen.length < PREFACE.length) return; // need more bytes to decide
      socket.off('data', sniff);
      socket.setTimeout(0);
      if (isH2Prefix) {
        // The HTTP/2 session reads from the socket's native handle, which would skip bytes already
        // read here, so it gets a stream that replays them first and then relays the socket.
        h2.emit('connection', replaying(socket, seen));
        return;
      }
      socket.pause();
      socket.unshift(seen);
      h1.emit('connection', socket);
      socket.resume();
    };
    socket.on('data', sniff);
  });
  // The HTTP/1.1 server never listens itself (it is handed sockets), but its header and request
  // timeouts only run once it has seen 'listening'.
  server.on('listening', () => h1.emit('listening'));
  server.on('close', () => h1.close(() => {}));

  return {
    server,
    http1: h1,
    http2: h2,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        h1.closeIdleConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A duplex stream that yields `head` and then everything `socket` reads, and writes to `socket`. */
function replaying(socket: net.Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      socket.write(chunk, cb);
    },
    final(cb) {
      socket.end(cb);
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  stream.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', (e) => stream.destroy(e));
  return stream;
}

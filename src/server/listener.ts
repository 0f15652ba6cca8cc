/**
 * One port, two protocols: a connection that opens with the HTTP/2 client preface
 * (`PRI * HTTP/2.0`, "prior knowledge" h2c, the default of @aws-sdk/client-bedrock-runtime) goes
 * to an HTTP/2 server; every other connection goes to an HTTP/1.1 server. Both share one handler.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
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
      // Node would answer a missing Host with a bare 400; the handler refuses it with an AWS error (app.ts).
      requireHostHeader: false,
    },
    handler,
  );
  const h2 = http2.createServer(
    { maxSessionMemory: 64, settings: { maxHeaderListSize: 32 * 1024, maxConcurrentStreams: MAX_H2_STREAMS } },
    handler,
  );
  // What Node's HTTP/1.1 parser refuses (headers over the limit, CR/LF or bytes it rejects, a bad request line)
  // and unknown `Expect` values would otherwise get Node's bare answers; they get AWS errors instead.
  h1.on('clientError', answerClientError);
  h1.on('checkExpectation', handler);
  // Once a request has been parsed, the connection's first bytes no longer tell the method of a refused one.
  const parsed = (req: IncomingMessage) => firstMethods.delete(req.socket);
  h1.on('request', parsed);
  h1.on('checkExpectation', parsed);
  closeIdleSessions(h2, opts.keepAliveTimeoutMs ?? 65_000);
  // The session is created synchronously in h2.emit('connection'): `handing` is the TCP socket it runs over.
  let handing: net.Socket | undefined;
  h2.on('session', (session: http2.ServerHttp2Session) => {
    if (handing) exposePeer(session, handing);
  });
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
        handing = socket;
        try {
          h2.emit('connection', replaying(socket, seen));
        } finally {
          handing = undefined;
        }
        return;
      }
      socket.pause();
      socket.unshift(seen);
      const method = leadingMethod(seen);
      if (method !== undefined) firstMethods.set(socket, method);
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

/**
 * The method of the first request of each HTTP/1.1 connection, until a request has been parsed on it: a request
 * the parser refuses after its first packet (headers over the limit arriving in several reads) is still known
 * to be a HEAD.
 */
const firstMethods = new WeakMap<object, string>();
const METHOD_RE = /^(?:\r\n)*([!#$%&'*+.^_`|~0-9A-Za-z-]+) /;
const REQUEST_LINE_RE = /^(?:\r\n)*([!#$%&'*+.^_`|~0-9A-Za-z-]+) [^ \r\n]+ HTTP\/\d\.\d\r\n/;

/** The method `data` starts with (a token and a space, after the empty lines a parser skips), or undefined. */
function leadingMethod(data: Buffer | undefined): string | undefined {
  return data?.length ? METHOD_RE.exec(data.subarray(0, 64).toString('latin1'))?.[1] : undefined;
}

/**
 * The method of a refused request: that of a well-formed request line its packet starts with; else the method the
 * connection started with, if no request has been parsed on it yet; else whatever token the packet starts with.
 * When none can be told (a kept-alive connection whose request line came in an earlier packet than the one
 * refused), the answer is the one for any other method: with its body, as before.
 */
function refusedMethod(rawPacket: Buffer | undefined, socket: object): string | undefined {
  if (rawPacket?.length) {
    const line = REQUEST_LINE_RE.exec(rawPacket.subarray(0, 16 * 1024).toString('latin1'));
    if (line?.[1]) return line[1];
  }
  return firstMethods.get(socket) ?? leadingMethod(rawPacket);
}

/**
 * An AWS-style JSON error for a request the HTTP/1.1 parser refused, then the connection is closed. The answer to
 * a HEAD request carries no body (RFC 9110 §9.3.2); its content-length is the one the error body would have.
 */
function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // Garbage pipelined behind a request still being answered: that answer goes out, then the connection closes.
  const inProgress = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (inProgress && !inProgress.writableFinished) {
    inProgress.once('close', () => socket.end());
    return;
  }
  const [status, type, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [413, 'RequestEntityTooLargeException', 'The request headers are larger than this server accepts (32 KiB).']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'RequestTimeoutException', 'The request did not arrive in time.']
        : [400, 'ValidationException', `The request is not well-formed HTTP/1.1 (${String(err.code ?? 'parse error')}).`];
  const body = JSON.stringify({ __type: type, message });
  // A HEAD answer says the length the body would have, and has none.
  const head = refusedMethod(err.rawPacket, socket) === 'HEAD';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-amzn-errortype: ${type}\r\nx-amzn-requestid: ${randomUUID()}\r\nconnection: close\r\n\r\n${head ? '' : body}`,
  );
}

/**
 * An HTTP/2 session runs over the replaying stream (wrapped by Node in a socket without a peer), so its requests'
 * `req.socket.remoteAddress` would be undefined — and everything counted per client address (failed sign-ins and
 * authentications) would lump all HTTP/2 clients together. The TCP socket's addresses are given to the session's
 * socket as the peer and local names Node reads them from (`_peername`, `_sockname`: a socket that has no native
 * handle to ask answers with these).
 */
function exposePeer(session: http2.ServerHttp2Session, tcp: net.Socket): void {
  const wrapped = session.socket as unknown as { _peername?: object; _sockname?: object };
  wrapped._peername = { address: tcp.remoteAddress, port: tcp.remotePort, family: tcp.remoteFamily };
  wrapped._sockname = { address: tcp.localAddress, port: tcp.localPort, family: tcp.localFamily };
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

/**
 * Closes an HTTP/2 session after `idleMs` without an open stream. Not `h2.setTimeout`: Node marks a closing
 * session destroyed before it clears that idle timer, and clearing it then does nothing, so every closed session
 * (the AWS SDK opens one per call) stayed in memory until its timer fired — 65 s of closed sessions at any rate
 * (the memory benchmark's heap snapshot: 6,000 after 60 s at 100 calls/s). This timer is ours and is cleared on
 * close.
 */
function closeIdleSessions(h2: http2.Http2Server, idleMs: number): void {
  h2.on('session', (session: http2.ServerHttp2Session) => {
    let open = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => session.close(), idleMs);
      timer.unref();
    };
    arm();
    session.on('stream', (stream: http2.ServerHttp2Stream) => {
      open++;
      if (timer) clearTimeout(timer);
      timer = undefined;
      stream.once('close', () => {
        open--;
        if (open === 0 && !session.closed && !session.destroyed) arm();
      });
    });
    session.once('close', () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    });
  });
}


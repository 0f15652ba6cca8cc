/**
 * Sending fuzz requests: well-formed HTTP/1.1 goes through a keep-alive agent; requests Node's client would refuse
 * to write (CR/LF in header values, bytes outside latin-1 in the path, duplicate headers) and the transport tricks
 * (slow bodies, cut bodies, a declared length that never arrives) go over a raw socket, one connection each.
 */
import http from 'node:http';
import net from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/core/sha256.ts';

export type Transport =
  | { kind: 'agent' }
  | { kind: 'raw' }
  /** The body in `chunks` pieces, `delayMs` apart. */
  | { kind: 'slow'; chunks: number; delayMs: number }
  /** Only the first `bytes` of the body, then the connection is closed (half-close when `halfClose`). */
  | { kind: 'cut'; bytes: number; halfClose: boolean }
  /** A Content-Length of `length` with only the real body behind it; the socket is closed after `waitMs`. */
  | { kind: 'declared'; length: number; waitMs: number };

export interface WireRequest {
  method: string;
  /** Raw request target (path and query), sent as it is. */
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
  transport: Transport;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type WireOutcome =
  | { ok: true; response: WireResponse }
  /** No (complete) answer: reset, hang-up or timeout. `expected` when the client itself cut the request. */
  | { ok: false; error: string };

export interface Endpoint {
  host: string;
  port: number;
}

const TIMEOUT_MS = 30_000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function closeAgent(): void {
  agent.destroy();
}

/** Values Node's client refuses in a header (it throws instead of sending). */
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const BAD_HEADER_NAME = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const BAD_PATH = /[^\u0021-\u00ff]/;

export function needsRaw(req: WireRequest): boolean {
  if (req.transport.kind !== 'agent') return true;
  if (BAD_PATH.test(req.path)) return true;
  const seen = new Set<string>();
  for (const [k, v] of req.headers) {
    const lk = k.toLowerCase();
    if (seen.has(lk) || BAD_HEADER_NAME.test(k) || k === '' || BAD_HEADER_VALUE.test(v)) return true;
    seen.add(lk);
  }
  return false;
}

export async function send(ep: Endpoint, req: WireRequest): Promise<WireOutcome> {
  return needsRaw(req) ? sendRaw(ep, req) : sendAgent(ep, req);
}

function sendAgent(ep: Endpoint, req: WireRequest): Promise<WireOutcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of req.headers) headers[k] = v;
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) headers['content-length'] = String(req.body.length);
    let r: http.ClientRequest;
    try {
      r = http.request({ host: ep.host, port: ep.port, method: req.method, path: req.path, headers, agent, timeout: TIMEOUT_MS });
    } catch {
      resolve(sendRaw(ep, { ...req, transport: { kind: 'raw' } }));
      return;
    }
    let done = false;
    const finish = (o: WireOutcome) => {
      if (!done) {
        done = true;
        resolve(o);
      }
    };
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ ok: true, response: { status: res.statusCode ?? 0, headers: flat(res.headers), body: Buffer.concat(chunks) } }));
      res.on('error', (e) => finish({ ok: false, error: `response: ${e.message}` }));
      res.on('aborted', () => finish({ ok: false, error: 'response aborted' }));
    });
    r.on('timeout', () => {
      r.destroy(new Error('timeout'));
    });
    r.on('error', (e) => finish({ ok: false, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    r.end(req.body);
  });
}

function flat(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Header bytes: latin-1, so a value may carry any byte (invalid UTF-8 included). */
function head(req: WireRequest, contentLength: number): Buffer {
  const lines = [`${req.method} ${req.path} HTTP/1.1`];
  // First, so that Node's 2,000-header cap never hides it from the server.
  if (!req.headers.some(([k]) => k.toLowerCase() === 'content-length')) lines.push(`content-length: ${contentLength}`);
  for (const [k, v] of req.headers) {
    if (k.toLowerCase() === 'connection') continue;
    lines.push(`${k}: ${v}`);
  }
  lines.push('connection: close');
  const path = Buffer.from(lines[0] ?? '', 'utf8');
  return Buffer.concat([path, Buffer.from(`\r\n${lines.slice(1).join('\r\n')}\r\n\r\n`, 'latin1')]);
}

function sendRaw(ep: Endpoint, req: WireRequest): Promise<WireOutcome> {
  return new Promise((resolve) => {
    const t = req.transport;
    const declared = t.kind === 'declared' ? t.length : req.body.length;
    const sock = net.connect(ep.port, ep.host);
    const chunks: Buffer[] = [];
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (o: WireOutcome) => {
      if (done) return;
      done = true;
      for (const tm of timers) clearTimeout(tm);
      sock.destroy();
      resolve(o);
    };
    const settle = (why: string) => {
      const data = Buffer.concat(chunks);
      const parsed = parseResponse(data, true, req.method === 'HEAD');
      finish(parsed ? { ok: true, response: parsed } : { ok: false, error: data.length ? `${why} after a partial answer` : why });
    };
    timers.push(setTimeout(() => settle('timeout'), TIMEOUT_MS));
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      // A complete answer ends the exchange even if the socket stays open (declared-length requests).
      if (parseResponse(Buffer.concat(chunks), false, req.method === 'HEAD')) settle('complete');
    });
    sock.on('end', () => settle('closed'));
    sock.on('close', () => settle('closed'));
    sock.on('error', (e) => settle((e as NodeJS.ErrnoException).code ?? e.message));
    sock.on('connect', () => {
      sock.write(head(req, declared));
      if (t.kind === 'slow') {
        const size = Math.max(1, Math.ceil(req.body.length / t.chunks));
        let i = 0;
        const next = () => {
          if (done || sock.destroyed) return;
          const part = req.body.subarray(i, i + size);
          i += size;
          if (part.length) sock.write(part);
          if (i < req.body.length) timers.push(setTimeout(next, t.delayMs));
        };
        next();
      } else if (t.kind === 'cut') {
        sock.write(req.body.subarray(0, t.bytes));
        timers.push(
          setTimeout(() => {
            if (t.halfClose) sock.end();
            else finish({ ok: false, error: 'cut by the client' });
          }, 5),
        );
      } else if (t.kind === 'declared') {
        sock.write(req.body);
        timers.push(setTimeout(() => settle('no answer to a declared length'), t.waitMs));
      } else {
        sock.write(req.body);
      }
    });
  });
}

/** A complete HTTP/1.1 response in `data`, or undefined. */
export function parseResponse(data: Buffer, final = false, head = false): WireResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) {
      const k = l.slice(0, i).trim().toLowerCase();
      const v = l.slice(i + 1).trim();
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
  }
  const rest = data.subarray(end + 4);
  let body: Buffer;
  if (head) body = Buffer.alloc(0);
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const out: Buffer[] = [];
    let p = 0;
    for (;;) {
      const le = rest.indexOf('\r\n', p);
      if (le < 0) return undefined;
      const n = parseInt(rest.subarray(p, le).toString('latin1'), 16);
      if (!Number.isFinite(n)) return undefined;
      if (n === 0) break;
      if (rest.length < le + 2 + n) return undefined;
      out.push(rest.subarray(le + 2, le + 2 + n));
      p = le + 2 + n + 2;
    }
    body = Buffer.concat(out);
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (rest.length < n) return undefined;
    body = rest.subarray(0, n);
  } else {
    if (!final) return undefined; // read to the end: the caller settles on close
    body = rest;
  }
  return { status: Number(m[1]), headers, body };
}

export interface SignOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  signingDate?: Date;
}

/** Tolerant query decoding for signing (the server refuses bad percent-encoding itself). */
function queryOf(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = dec(eq < 0 ? part : part.slice(0, eq)).replace(/[\ud800-\udfff]/g, '\ufffd');
    const v = dec(eq < 0 ? '' : part.slice(eq + 1)).replace(/[\ud800-\udfff]/g, '\ufffd');
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * SigV4-sign `req` as it will be sent (path, query, the given headers and body), as the AWS SDKs do; returns the
 * headers with `authorization`, `x-amz-date` and `x-amz-content-sha256` added.
 */
export async function sign(ep: Endpoint, req: WireRequest, o: SignOptions): Promise<Array<[string, string]>> {
  const q = req.path.indexOf('?');
  const path = q < 0 ? req.path : req.path.slice(0, q);
  const rawQuery = q < 0 ? '' : req.path.slice(q + 1);
  const headers: Record<string, string> = { host: `${ep.host}:${ep.port}` };
  for (const [k, v] of req.headers) {
    const lk = k.toLowerCase();
    if (lk === 'content-length' || lk === 'connection' || lk === 'host') continue;
    headers[lk] = v;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    region: o.region,
    service: o.service,
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: ep.host, port: ep.port, path, query: queryOf(rawQuery), headers, body: req.body },
    { ...(o.signingDate ? { signingDate: o.signingDate } : {}) },
  );
  return Object.entries(signed.headers as Record<string, string>);
}

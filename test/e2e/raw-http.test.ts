/**
 * What the SDKs never send but a server meets anyway: unsigned and tampered requests, bad JSON,
 * expired signatures, oversized bodies, unknown routes — each answered with an AWS error, never a 500.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/core/sha256.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

interface RawOpts {
  method?: string;
  path: string;
  body?: string;
  region?: string;
  service?: string;
  signingDate?: Date;
  secret?: string;
  mutate?: (headers: Record<string, string>) => void;
  bodyAfterSigning?: string;
}

describe('raw HTTP edge cases', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  async function send(o: RawOpts): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
    const url = new URL(t.server.url);
    const body = o.body ?? '';
    const signer = new SignatureV4({
      credentials: { accessKeyId: t.credentials.accessKeyId, secretAccessKey: o.secret ?? t.credentials.secretAccessKey },
      region: o.region ?? 'us-east-1',
      service: o.service ?? 'bedrock',
      sha256: Sha256,
      uriEscapePath: true,
    });
    const signed = await signer.sign(
      {
        method: o.method ?? 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: o.path,
        query: {},
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      },
      { signingDate: o.signingDate },
    );
    const headers = { ...signed.headers } as Record<string, string>;
    o.mutate?.(headers);
    delete headers.host;
    const res = await fetch(`${t.server.url}${o.path}`, {
      method: o.method ?? 'POST',
      headers,
      body: (o.method ?? 'POST') === 'GET' ? undefined : (o.bodyAfterSigning ?? body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: text ? JSON.parse(text) : {} };
  }

  it('rejects an unsigned request', async () => {
    const res = await fetch(`${t.server.url}/guardrails`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.ok(res.headers.get('x-amzn-requestid'));
  });

  it('answers malformed JSON with SerializationException', async () => {
    const r = await send({ path: '/guardrails', body: '{"name": "x",' });
    assert.equal(r.status, 400);
    assert.equal(r.type, 'SerializationException');
    assert.match(String(r.body.message), /not valid JSON/);
  });

  it('answers a wrongly typed member with SerializationException', async () => {
    const r = await send({
      path: '/guardrails',
      body: JSON.stringify({ name: 42, blockedInputMessaging: 'a', blockedOutputsMessaging: 'b' }),
    });
    assert.equal(r.status, 400);
    assert.equal(r.type, 'SerializationException');
    assert.match(String(r.body.message), /Expected a string at 'name'/);
  });

  it('detects a body changed after signing', async () => {
    const good = JSON.stringify({ name: 'tamper', blockedInputMessaging: 'a', blockedOutputsMessaging: 'b' });
    const r = await send({ path: '/guardrails', body: good, bodyAfterSigning: good.replace('tamper', 'tamper2') });
    assert.equal(r.status, 403);
    assert.equal(r.type, 'InvalidSignatureException');
  });

  it('detects a tampered signed header', async () => {
    const r = await send({
      path: '/guardrails',
      method: 'GET',
      mutate: (h) => {
        const d = h['x-amz-date'] ?? '';
        h['x-amz-date'] = `${d.slice(0, 13)}${d.slice(13, 15) === '00' ? '01' : '00'}Z`;
      },
    });
    assert.equal(r.status, 403);
    assert.equal(r.type, 'InvalidSignatureException');
  });

  it('refuses a signature older than the 15-minute skew window', async () => {
    const r = await send({ path: '/guardrails', method: 'GET', signingDate: new Date(Date.now() - 20 * 60 * 1000) });
    assert.equal(r.status, 403);
    assert.equal(r.type, 'InvalidSignatureException');
    assert.match(String(r.body.message), /Signature expired/);
  });

  it('refuses a credential scoped to another service', async () => {
    const r = await send({ path: '/guardrails', method: 'GET', service: 's3' });
    assert.equal(r.status, 403);
    assert.equal(r.type, 'InvalidSignatureException');
    assert.match(String(r.body.message), /'bedrock'/);
  });

  it('refuses a malformed Authorization header', async () => {
    const r = await send({ path: '/guardrails', method: 'GET', mutate: (h) => (h.authorization = 'AWS4-HMAC-SHA256 nonsense') });
    assert.equal(r.status, 403);
    assert.equal(r.type, 'IncompleteSignatureException');
  });

  it('answers unknown routes and methods with UnknownOperationException', async () => {
    const r = await send({ path: '/nowhere', method: 'GET' });
    assert.equal(r.status, 404);
    assert.equal(r.type, 'UnknownOperationException');
    const m = await send({ path: '/guardrails', method: 'PATCH' });
    assert.equal(m.type, 'UnknownOperationException');
  });

  it('refuses an oversized body with 413', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const r = await send({ path: '/guardrails', body: JSON.stringify({ name: huge }) });
    assert.equal(r.status, 413);
    assert.equal(r.type, 'RequestEntityTooLargeException');
  });

  it('refuses an unauthenticated request before reading its body', async () => {
    const url = new URL(t.server.url);
    const status = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(url.port), url.hostname, () => {
        // Declares 7 MB but sends only a few bytes: the answer must not wait for the rest.
        sock.write('POST /guardrail/abc/version/1/apply HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7000000\r\n\r\n{"so');
      });
      let data = '';
      sock.on('data', (d) => {
        data += d.toString();
        if (data.includes('\r\n')) {
          resolve(data.split('\r\n')[0] ?? '');
          sock.destroy();
        }
      });
      sock.on('error', reject);
    });
    assert.match(status, /^HTTP\/1\.1 403 /);
  });

  it('refuses a credential scoped to an unknown Region', async () => {
    const r = await send({ path: '/guardrails', method: 'GET', region: 'zz-nowhere-9' });
    assert.equal(r.status, 403);
    assert.equal(r.type, 'InvalidSignatureException');
    assert.match(String(r.body.message), /valid region/);
  });

  it('does not let inherited object keys pass as union members', async () => {
    const r = await send({
      path: '/guardrail/abc/version/DRAFT/apply',
      body: '{"source":"INPUT","content":[{"__proto__":{"text":"x"}},{"toString":1}]}',
    });
    assert.equal(r.status, 400);
    assert.equal(r.type, 'ValidationException');
    assert.match(String(r.body.message), /exactly one of: \[text, image\]/);
  });

  /** Raw bytes in (written in `parts`, `gapMs` apart), the whole answer out once the server closes the connection. */
  function exchange(parts: string[], gapMs = 0): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const url = new URL(t.server.url);
    return new Promise((resolve, reject) => {
      const sock = net.connect(Number(url.port), url.hostname, async () => {
        for (const p of parts) {
          if (sock.destroyed) break;
          sock.write(p);
          if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        }
      });
      const chunks: Buffer[] = [];
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.on('error', reject);
      sock.on('close', () => {
        const data = Buffer.concat(chunks).toString('latin1');
        // The answer to the last request on the connection (an earlier one may precede it).
        const start = data.lastIndexOf('HTTP/1.1 ');
        const end = data.indexOf('\r\n\r\n', start);
        const lines = data.slice(start, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        resolve({ status: Number(lines[0]?.split(' ')[1]), headers, body: data.slice(end + 4) });
      });
    });
  }

  describe('a HEAD request the HTTP parser refuses gets an answer without a body', () => {
    it('headers over the limit: 413 with the error type in its headers, no body; the same GET gets the body', async () => {
      const big = `x-big: ${'h'.repeat(70_000)}\r\n`;
      const head = await exchange([`HEAD /guardrails HTTP/1.1\r\nHost: x\r\n${big}\r\n`]);
      assert.equal(head.status, 413);
      assert.equal(head.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
      assert.ok(head.headers['x-amzn-requestid']);
      assert.equal(head.body, '', 'no body after the headers of a HEAD answer');
      const get = await exchange([`GET /guardrails HTTP/1.1\r\nHost: x\r\n${big}\r\n`]);
      assert.equal(get.status, 413);
      assert.equal(JSON.parse(get.body).__type, 'RequestEntityTooLargeException');
      assert.equal(Number(head.headers['content-length']), Buffer.byteLength(get.body), 'HEAD says the length GET gets');
    });

    it('a CR inside a header value: 400 ValidationException, no body', async () => {
      const r = await exchange(['HEAD /guardrails HTTP/1.1\r\nHost: x\r\nx-a: b\rInjected: 1\r\n\r\n']);
      assert.equal(r.status, 400);
      assert.equal(r.headers['x-amzn-errortype'], 'ValidationException');
      assert.equal(r.body, '');
    });

    it('headers that overflow in a later packet than the request line (the method is remembered)', async () => {
      const parts = (method: string) => [`${method} /guardrails HTTP/1.1\r\nHost: x\r\n`, ...Array.from({ length: 8 }, () => `x-big: ${'h'.repeat(8_000)}\r\n`), '\r\n'];
      const head = await exchange(parts('HEAD'), 20);
      assert.equal(head.status, 413);
      assert.equal(head.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
      assert.equal(head.body, '');
      const get = await exchange(parts('GET'), 20);
      assert.equal(JSON.parse(get.body).__type, 'RequestEntityTooLargeException', 'a GET refused the same way keeps its body');
      assert.equal(Number(head.headers['content-length']), Buffer.byteLength(get.body));
    });

    it('the second request of a kept-alive connection', async () => {
      const r = await exchange(['GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 'HEAD /guardrails HTTP/1.1\r\nHost: x\r\nx-a: b\rInjected: 1\r\n\r\n'], 50);
      assert.equal(r.status, 400);
      assert.equal(r.headers['x-amzn-errortype'], 'ValidationException');
      assert.equal(r.body, '');
    });
  });

  it('serves the health check without authentication', async () => {
    const res = await fetch(`${t.server.url}/health`);
    assert.equal(res.status, 200);
  });
});

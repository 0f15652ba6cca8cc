import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { createDualServer } from './listener.ts';

async function listen(headersTimeoutMs: number) {
  const d = createDualServer((_req, res) => res.end('ok'), { headersTimeoutMs, requestTimeoutMs: headersTimeoutMs * 2 });
  await new Promise<void>((r) => d.server.listen(0, '127.0.0.1', () => r()));
  return { d, port: (d.server.address() as net.AddressInfo).port };
}

function closedWithin(port: number, send: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      if (send) s.write(send);
    });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, ms);
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('dual-protocol listener timeouts', () => {
  it('closes a connection that sends nothing', async () => {
    const { d, port } = await listen(300);
    assert.equal(await closedWithin(port, '', 5000), true);
    await d.close();
  });

  it('closes a connection stuck in the middle of the HTTP/2 preface', async () => {
    const { d, port } = await listen(300);
    assert.equal(await closedWithin(port, 'PRI * HTTP/2.0\r\n', 5000), true);
    await d.close();
  });

  it('closes an HTTP/1.1 request whose headers never finish', async () => {
    const { d, port } = await listen(300);
    assert.equal(await closedWithin(port, 'GET / HTTP/1.1\r\nHost: x\r\n', 5000), true);
    await d.close();
  });
});

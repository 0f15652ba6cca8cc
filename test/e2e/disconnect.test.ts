/**
 * A client that goes away mid-stream takes the upstream call with it: the gateway stops reading the model and
 * closes the upstream connection, and the invocation is still audited.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { CreateGuardrailCommand } from '@aws-sdk/client-bedrock';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createAesGcmCipher, loadOrCreateMasterKey } from '../../src/store/crypto.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

describe('client disconnect mid-stream', () => {
  let upstream: http.Server;
  let upstreamUrl: string;
  let closes = 0;
  let t: TestServer;

  const upstreamClosed = async (atLeast: number) => {
    for (let i = 0; i < 100 && closes < atLeast; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(closes >= atLeast, 'the upstream connection was closed');
  };

  async function abortAfterThreeDeltas(input: ConstructorParameters<typeof ConverseStreamCommand>[0]) {
    const ac = new AbortController();
    const r = await t.runtimeHttp1().send(new ConverseStreamCommand(input), { abortSignal: ac.signal });
    let deltas = 0;
    await assert.rejects(
      (async () => {
        for await (const ev of r.stream ?? []) {
          if (ev.contentBlockDelta) deltas++;
          if (deltas === 3) ac.abort();
        }
      })(),
    );
    assert.ok(deltas >= 3);
  }

  before(async () => {
    // An OpenAI-compatible upstream that streams a word every 20 ms, forever, and notes when the gateway hangs up.
    upstream = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const timer = setInterval(() => {
        const chunk = { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: `word${n++} ` }, finish_reason: null }] };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }, 20);
      res.on('close', () => {
        clearInterval(timer);
        closes++;
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    t = await startTestServer({
      models: { providers: { endless: { type: 'openai', baseUrl: upstreamUrl } }, models: { [MODEL]: { provider: 'endless' } } },
    });
  });
  after(async () => {
    await t.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('aborting a ConverseStream closes the upstream connection and the call is audited', async () => {
    await abortAfterThreeDeltas({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'go on forever' }] }] });
    await upstreamClosed(1);
    // The record is written once the handler has finished.
    for (let i = 0; i < 50; i++) {
      const res = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query: { action: 'bedrock:ConverseStream' } });
      if ((res.body as unknown as { records: unknown[] }).records.length) return;
      await new Promise((r2) => setTimeout(r2, 100));
    }
    assert.fail('the aborted ConverseStream was not audited');
  });

  it('the same with a guardrail checking the stream (sync and async)', async () => {
    const g = await t.bedrock().send(
      new CreateGuardrailCommand({
        name: 'stream-check',
        blockedInputMessaging: 'no',
        blockedOutputsMessaging: 'no',
        wordPolicyConfig: { wordsConfig: [{ text: 'nightingale' }] },
      }),
    );
    for (const streamProcessingMode of ['sync', 'async'] as const) {
      const before = closes;
      await abortAfterThreeDeltas({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'go on forever' }] }],
        guardrailConfig: { guardrailIdentifier: g.guardrailId ?? '', guardrailVersion: 'DRAFT', streamProcessingMode },
      });
      await upstreamClosed(before + 1);
    }
  });

  it('stopping the server mid-stream still writes the call to the audit trail before the store closes', async () => {
    const other = await startTestServer({
      models: { providers: { endless: { type: 'openai', baseUrl: upstreamUrl } }, models: { [MODEL]: { provider: 'endless' } } },
    });
    const r = await other.runtimeHttp1().send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'go on forever' }] }] }),
    );
    let deltas = 0;
    const reading = (async () => {
      for await (const ev of r.stream ?? []) if (ev.contentBlockDelta && ++deltas === 2) break;
    })();
    await reading;
    await other.server.close();
    const store = await openSqliteStore({
      filename: join(other.dataDir, 'parapet.db'),
      cipher: createAesGcmCipher(loadOrCreateMasterKey(other.dataDir)),
    });
    try {
      const records = await store.audit.list({ action: 'bedrock:ConverseStream', limit: 10 });
      assert.equal(records.length, 1, 'the call cut short by the stop is in the trail');
      assert.equal((await store.audit.verify()).ok, true);
    } finally {
      await store.close();
      rmSync(other.dataDir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { MessageHeaders } from '@smithy/types';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { createBedrockProvider, fromSdkStreamEvent, toSdkConverseInput, toUpstreamError } from './bedrock.ts';
import { type ChatRequest, type ChatStreamEvent, type ModelProvider, UpstreamError } from './types.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const signal = (): AbortSignal => new AbortController().signal;

type Frame = { event: string; body: unknown } | { exception: string; body: unknown };

function frame(f: Frame): Uint8Array {
  const headers: MessageHeaders =
    'event' in f
      ? {
          ':message-type': { type: 'string' as const, value: 'event' },
          ':event-type': { type: 'string' as const, value: f.event },
          ':content-type': { type: 'string' as const, value: 'application/json' },
        }
      : {
          ':message-type': { type: 'string' as const, value: 'exception' },
          ':exception-type': { type: 'string' as const, value: f.exception },
          ':content-type': { type: 'string' as const, value: 'application/json' },
        };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(f.body)) });
}

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** What the fake Bedrock Runtime answers for one request. */
type Script = (req: Seen, res: ServerResponse) => void | Promise<void>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

const CONVERSE_STREAM: Frame[] = [
  { event: 'messageStart', body: { role: 'assistant' } },
  { event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text: 'Hello' } } },
  { event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text: ' world' } } },
  { event: 'contentBlockStop', body: { contentBlockIndex: 0 } },
  { event: 'contentBlockStart', body: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu_1', name: 'f' } } } },
  { event: 'contentBlockDelta', body: { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":1}' } } } },
  { event: 'contentBlockStop', body: { contentBlockIndex: 1 } },
  { event: 'messageStop', body: { stopReason: 'tool_use' } },
  { event: 'metadata', body: { usage: { inputTokens: 4, outputTokens: 6, totalTokens: 10 }, metrics: { latencyMs: 321 } } },
];

const defaultScript: Script = (req, res) => {
  const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(req.path);
  if (!m) {
    res.writeHead(404, { 'x-amzn-errortype': 'UnknownOperationException' }).end('{}');
    return;
  }
  const op = m[2];
  if (op === 'converse') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: 'Hi from Bedrock' }, { toolUse: { toolUseId: 'tu_9', name: 'f', input: { x: 1 } } }] } },
        stopReason: 'tool_use',
        usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
        metrics: { latencyMs: 12 },
        additionalModelResponseFields: { k: 'v' },
      }),
    );
  } else if (op === 'invoke') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(Buffer.from('{"raw":true,"echo":' + req.body.toString('utf8') + '}'));
  } else if (op === 'converse-stream') {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    for (const f of CONVERSE_STREAM) res.write(frame(f));
    res.end();
  } else {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-content-type': 'application/json' });
    for (const piece of ['{"n":1}', '{"n":2}']) res.write(frame({ event: 'chunk', body: { bytes: Buffer.from(piece).toString('base64') } }));
    res.end();
  }
};

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const hello: ChatRequest = {
  system: [{ text: 'sys' }, { guardContent: { text: { text: 'guarded sys' } } }],
  messages: [{ role: 'user', content: [{ text: 'hi' }, { guardContent: { text: { text: 'guarded', qualifiers: ['guard_content'] } } }] }],
  inferenceConfig: { maxTokens: 10 },
};

describe('Converse shape ↔ SDK', () => {
  it('builds the SDK input, sending guard content as text and omitting what is empty', () => {
    const input = toSdkConverseInput('m', {
      ...hello,
      toolConfig: { tools: [{ toolSpec: { name: 'f', description: 'd', inputSchema: { json: { type: 'object' } } } }], toolChoice: { any: {} } },
      additionalModelRequestFields: { top_k: 3 },
      messages: [
        ...hello.messages,
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: { a: 1 } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ json: { ok: true } }], status: 'error' } }] },
      ],
    });
    assert.deepEqual(input, {
      modelId: 'm',
      messages: [
        { role: 'user', content: [{ text: 'hi' }, { text: 'guarded' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: { a: 1 } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ json: { ok: true } }], status: 'error' } }] },
      ],
      system: [{ text: 'sys' }, { text: 'guarded sys' }],
      inferenceConfig: { maxTokens: 10 },
      toolConfig: { tools: [{ toolSpec: { name: 'f', description: 'd', inputSchema: { json: { type: 'object' } } } }], toolChoice: { any: {} } },
      additionalModelRequestFields: { top_k: 3 },
    });
    assert.deepEqual(toSdkConverseInput('m', { system: [], messages: [] }), { modelId: 'm', messages: [] });
  });

  it('passes stream events through and drops what the contract cannot carry', () => {
    assert.deepEqual(fromSdkStreamEvent('p', { contentBlockDelta: { contentBlockIndex: 2, delta: { text: 'x' } } }), {
      contentBlockDelta: { contentBlockIndex: 2, delta: { text: 'x' } },
    });
    assert.equal(fromSdkStreamEvent('p', { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'r' } } } }), undefined);
    assert.deepEqual(fromSdkStreamEvent('p', { messageStop: { stopReason: 'weird_new_reason' as 'end_turn' } }), { messageStop: { stopReason: 'end_turn' } });
    assert.throws(
      () => fromSdkStreamEvent('p', { throttlingException: Object.assign(new Error('slow'), { name: 'ThrottlingException' }) as never }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'throttled',
    );
  });

  it('maps SDK exceptions to UpstreamError kinds', () => {
    const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} text`), { name, ...extra });
    const m = (e: unknown) => toUpstreamError('b', e);
    assert.equal(m(err('ThrottlingException', { $metadata: { httpStatusCode: 429 } })).kind, 'throttled');
    assert.equal(m(err('ModelTimeoutException')).kind, 'timeout');
    assert.equal(m(err('ModelNotReadyException')).kind, 'not-ready');
    const me = m(err('ModelErrorException', { $metadata: { httpStatusCode: 424 }, originalStatusCode: 503 }));
    assert.deepEqual([me.kind, me.status, me.upstreamMessage], ['error', 503, 'ModelErrorException text']);
    const ve = m(err('ValidationException', { $metadata: { httpStatusCode: 400 } }));
    assert.deepEqual([ve.kind, ve.status], ['error', 400]);
    assert.equal(m(err('AbortError')).kind, 'timeout');
    assert.equal(toUpstreamError('b', err('Whatever'), true).kind, 'timeout');
    assert.equal(m('a string').kind, 'error');
  });
});

describe('Bedrock provider against a fake Bedrock Runtime (HTTP/1.1)', () => {
  let server: Server;
  let endpoint: string;
  let script: Script = defaultScript;
  const seen: Seen[] = [];
  let connections = 0;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN };

  before(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    delete process.env.AWS_SESSION_TOKEN;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s: Seen = { method: req.method ?? '', path: decodeURIComponent(req.url ?? ''), headers: req.headers, body: Buffer.concat(chunks) };
        seen.push(s);
        void Promise.resolve(script(s, res)).catch(() => res.destroy());
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    for (const [k, v] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ['AWS_SESSION_TOKEN', saved.token],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  const provider = (timeoutMs?: number, region?: string): ModelProvider =>
    createBedrockProvider('aws', { type: 'bedrock', endpoint, ...(region ? { region } : {}), ...(timeoutMs ? { timeoutMs } : {}) }, 'eu-west-1');

  it('converses with a signed request and reuses one client', async () => {
    script = defaultScript;
    seen.length = 0;
    connections = 0;
    const p = provider();
    assert.equal(p.type, 'bedrock');
    const r = await p.converse('anthropic.claude-3-haiku-20240307-v1:0', hello, { signal: signal() });
    assert.deepEqual(r, {
      content: [{ text: 'Hi from Bedrock' }, { toolUse: { toolUseId: 'tu_9', name: 'f', input: { x: 1 } } }],
      stopReason: 'tool_use',
      usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
      additionalModelResponseFields: { k: 'v' },
    });
    await p.converse('anthropic.claude-3-haiku-20240307-v1:0', hello, { signal: signal() });
    assert.equal(seen[0]?.path, '/model/anthropic.claude-3-haiku-20240307-v1:0/converse');
    assert.match(String(seen[0]?.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
    const body = JSON.parse(seen[0]!.body.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(body.system, [{ text: 'sys' }, { text: 'guarded sys' }]);
    assert.deepEqual(body.inferenceConfig, { maxTokens: 10 });
    assert.equal(connections, 1, 'the second call reuses the first call’s client and connection');
  });

  it('signs for the configured Region', async () => {
    seen.length = 0;
    await provider(undefined, 'us-west-2').converse('m', hello, { signal: signal() });
    assert.match(String(seen[0]?.headers.authorization), /\/us-west-2\/bedrock\//);
  });

  it('streams Converse events from a real event stream', async () => {
    script = defaultScript;
    const events = await collect(provider().converseStream('m', hello, { signal: signal() }));
    assert.deepEqual(events, [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hello' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' world' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu_1', name: 'f' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":1}' } } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: 'tool_use' } },
      { metadata: { usage: { inputTokens: 4, outputTokens: 6, totalTokens: 10 }, metrics: { latencyMs: 321 } } },
    ] satisfies ChatStreamEvent[]);
    assert.equal(seen.at(-1)?.path, '/model/m/converse-stream');
  });

  it('maps an exception event inside the stream to UpstreamError', async () => {
    script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(frame({ event: 'messageStart', body: { role: 'assistant' } }));
      res.write(frame({ exception: 'throttlingException', body: { message: 'slow down' } }));
      res.end();
    };
    const got: ChatStreamEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of provider().converseStream('m', hello, { signal: signal() })) got.push(e);
      })(),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'throttled' && e.upstreamMessage === 'slow down',
    );
    assert.deepEqual(got, [{ messageStart: { role: 'assistant' } }]);
  });

  it('forwards native InvokeModel bodies untouched', async () => {
    script = defaultScript;
    const body = new TextEncoder().encode('{"prompt":"x"}');
    const out = await provider().native!.invoke('meta.llama3-8b-instruct-v1:0', body, {
      signal: signal(),
      contentType: 'application/json',
      accept: 'application/json',
    });
    assert.equal(new TextDecoder().decode(out.body), '{"raw":true,"echo":{"prompt":"x"}}');
    assert.equal(out.contentType, 'application/json');
    const req = seen.at(-1)!;
    assert.equal(req.path, '/model/meta.llama3-8b-instruct-v1:0/invoke');
    assert.equal(req.body.toString('utf8'), '{"prompt":"x"}');
  });

  it('yields the bytes of each chunk of InvokeModelWithResponseStream', async () => {
    script = defaultScript;
    const chunks = await collect(
      provider().native!.invokeStream('m', new TextEncoder().encode('{}'), { signal: signal(), contentType: 'application/json', accept: 'application/json' }),
    );
    assert.deepEqual(chunks.map((c) => new TextDecoder().decode(c)), ['{"n":1}', '{"n":2}']);
    assert.equal(seen.at(-1)?.path, '/model/m/invoke-with-response-stream');
  });

  it('maps ModelErrorException to error with the original status', async () => {
    script = (_req, res) => {
      res.writeHead(424, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ModelErrorException' });
      res.end('{"message":"boom","originalStatusCode":500}');
    };
    await assert.rejects(
      provider().converse('m', hello, { signal: signal() }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'error' && e.status === 500 && e.upstreamMessage === 'boom' && e.provider === 'aws',
    );
    await assert.rejects(
      provider().native!.invoke('m', new Uint8Array(), { signal: signal(), contentType: 'application/json', accept: 'application/json' }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'error' && e.status === 500,
    );
  });

  it('maps throttling (429) to throttled, for streams too', async () => {
    script = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ThrottlingException' });
      res.end('{"message":"Too many requests"}');
    };
    await assert.rejects(provider().converse('m', hello, { signal: signal() }), (e: unknown) => e instanceof UpstreamError && e.kind === 'throttled' && e.status === 429);
    await assert.rejects(collect(provider().converseStream('m', hello, { signal: signal() })), (e: unknown) => e instanceof UpstreamError && e.kind === 'throttled');
  });

  it('maps other errors to error with the HTTP status', async () => {
    script = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ValidationException' });
      res.end('{"message":"bad input"}');
    };
    await assert.rejects(
      provider().converse('m', hello, { signal: signal() }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'error' && e.status === 400 && e.upstreamMessage === 'bad input',
    );
  });

  it('times out a slow answer', async () => {
    script = async (req, res) => {
      await sleep(3000);
      if (!res.destroyed) defaultScript(req, res);
    };
    await assert.rejects(provider(100).converse('m', hello, { signal: signal() }), (e: unknown) => e instanceof UpstreamError && e.kind === 'timeout');
  });

  it('times out a stream that stalls after it started', async () => {
    script = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(frame({ event: 'messageStart', body: { role: 'assistant' } }));
      await sleep(3000);
      if (!res.destroyed) res.end();
    };
    const got: ChatStreamEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of provider(300).converseStream('m', hello, { signal: signal() })) got.push(e);
      })(),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'timeout',
    );
    assert.deepEqual(got, [{ messageStart: { role: 'assistant' } }]);
  });

  it('closes the upstream response when the consumer stops reading', { timeout: 10_000 }, async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((r) => (closed = r));
    script = (_req, res) => {
      res.on('close', closed);
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(frame({ event: 'messageStart', body: { role: 'assistant' } }));
      // never ends on its own
    };
    for await (const e of provider().converseStream('m', hello, { signal: signal() })) {
      assert.deepEqual(e, { messageStart: { role: 'assistant' } });
      break;
    }
    await upstreamClosed;
  });

  it('stops when the caller aborts', async () => {
    script = async (req, res) => {
      await sleep(3000);
      if (!res.destroyed) defaultScript(req, res);
    };
    const c = new AbortController();
    const pending = provider().converse('m', hello, { signal: c.signal });
    setTimeout(() => c.abort(), 20);
    await assert.rejects(pending, (e: unknown) => e instanceof UpstreamError && e.kind === 'timeout');
  });
});

/**
 * The OpenAI-compatible provider against a real HTTP fake upstream; the fake itself checked with the official
 * `openai` client, and the served format (formatChatCompletion / OpenAIStreamEncoder) read by that client.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/helpers/fake-openai-upstream.ts';
import type { ChatRequest, ChatStreamEvent, ModelProvider, ProviderConfig } from '../types.ts';
import { UpstreamError } from '../types.ts';
import { chunkFrames, DONE_FRAME, formatChatCompletion, OpenAIStreamEncoder, parseChatCompletionRequest } from './format.ts';
import { createOpenAIProvider } from './provider.ts';

const KEY_ENV = 'PARAPET_TEST_OPENAI_KEY';
process.env[KEY_ENV] = 'sk-test-123';

const hello: ChatRequest = { system: [{ text: 'Be nice.' }], messages: [{ role: 'user', content: [{ text: 'hello there' }] }] };
const weatherTools: ChatRequest['toolConfig'] = {
  tools: [{ toolSpec: { name: 'weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
};

function opts(): { signal: AbortSignal } {
  return { signal: new AbortController().signal };
}

async function collect(it: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

function streamText(events: ChatStreamEvent[]): string {
  return events
    .map((e) => ('contentBlockDelta' in e && 'text' in e.contentBlockDelta.delta ? e.contentBlockDelta.delta.text : ''))
    .join('');
}

async function upstreamError(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof UpstreamError, `expected UpstreamError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

/** A server answering every request with `handler` (for upstream behaviours the fake does not produce). */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

describe('OpenAI provider against the fake upstream', () => {
  let fake: FakeOpenAI;
  let provider: ModelProvider;
  const cfg = (): ProviderConfig => ({
    type: 'openai',
    baseUrl: `${fake.url}/`,
    apiKeyEnv: KEY_ENV,
    headers: { 'x-extra': 'yes', Authorization: 'Bearer overridden' },
  });

  before(async () => {
    fake = await startFakeOpenAI();
    provider = createOpenAIProvider('local', cfg());
  });
  after(() => fake.close());

  it('converse: sends a chat completion with the key and extra headers, and translates the answer', async () => {
    fake.setReply((req) => ({ text: `You said: ${String(req.messages.at(-1)?.content)}` }));
    const n = fake.requests.length;
    const r = await provider.converse('gpt-test', { ...hello, inferenceConfig: { maxTokens: 20 } }, opts());
    assert.equal(provider.type, 'openai');
    assert.equal(provider.native, undefined);
    assert.deepEqual(r.content, [{ text: 'You said: hello there' }]);
    assert.equal(r.stopReason, 'end_turn');
    assert.deepEqual(r.usage, { inputTokens: 4, outputTokens: 4, totalTokens: 8 });
    assert.equal(fake.requests.length, n + 1);
    assert.deepEqual(fake.requests[n], {
      model: 'gpt-test',
      stream: false,
      max_tokens: 20,
      messages: [
        { role: 'system', content: 'Be nice.' },
        { role: 'user', content: 'hello there' },
      ],
    });
    const h = fake.headers[n];
    assert.equal(h?.authorization, 'Bearer sk-test-123');
    assert.equal(h?.['x-extra'], 'yes');
  });

  it('converseStream: streams text in several deltas, with usage and latency', async () => {
    fake.setReply(() => ({ text: 'one two three four' }));
    const events = await collect(provider.converseStream('gpt-test', hello, opts()));
    assert.equal(fake.requests.at(-1)?.stream, true);
    assert.deepEqual(fake.requests.at(-1)?.stream_options, { include_usage: true });
    assert.deepEqual(events[0], { messageStart: { role: 'assistant' } });
    assert.equal(streamText(events), 'one two three four');
    assert.ok(events.filter((e) => 'contentBlockDelta' in e).length >= 4);
    assert.equal(events.some((e) => 'contentBlockStart' in e), false);
    const tail = events.slice(-3);
    assert.deepEqual(tail.slice(0, 2), [{ contentBlockStop: { contentBlockIndex: 0 } }, { messageStop: { stopReason: 'end_turn' } }]);
    const meta = tail[2];
    assert.ok(meta && 'metadata' in meta);
    assert.deepEqual(meta.metadata.usage, { inputTokens: 4, outputTokens: 4, totalTokens: 8 });
    assert.ok(meta.metadata.metrics.latencyMs >= 0);
  });

  it('tool calls, non-streaming and streaming', async () => {
    fake.setReply(() => ({ toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] }));
    const req: ChatRequest = { ...hello, toolConfig: { ...weatherTools!, toolChoice: { any: {} } } };
    const r = await provider.converse('gpt-test', req, opts());
    assert.deepEqual(r.content, [{ toolUse: { toolUseId: 'call_1', name: 'weather', input: { city: 'Paris' } } }]);
    assert.equal(r.stopReason, 'tool_use');
    assert.equal(fake.requests.at(-1)?.tool_choice, 'required');

    const events = await collect(provider.converseStream('gpt-test', req, opts()));
    assert.deepEqual(events.find((e) => 'contentBlockStart' in e), {
      contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'call_1', name: 'weather' } } },
    });
    const input = events
      .map((e) => ('contentBlockDelta' in e && 'toolUse' in e.contentBlockDelta.delta ? e.contentBlockDelta.delta.toolUse.input : ''))
      .join('');
    assert.deepEqual(JSON.parse(input), { city: 'Paris' });
    assert.ok(events.some((e) => 'messageStop' in e && e.messageStop.stopReason === 'tool_use'));
  });

  it('HTTP 500 → error with the upstream status and message; 429 → throttled', async () => {
    fake.setReply(() => ({ status: 500, error: 'the GPU caught fire' }));
    const e500 = await upstreamError(provider.converse('gpt-test', hello, opts()));
    assert.equal(e500.kind, 'error');
    assert.equal(e500.status, 500);
    assert.equal(e500.upstreamMessage, 'the GPU caught fire');
    assert.equal(e500.provider, 'local');

    fake.setReply(() => ({ status: 429, error: 'Rate limit reached' }));
    const e429 = await upstreamError(provider.converse('gpt-test', hello, opts()));
    assert.equal(e429.kind, 'throttled');
    assert.equal(e429.upstreamMessage, 'Rate limit reached');
    const s429 = await upstreamError(collect(provider.converseStream('gpt-test', hello, opts())));
    assert.equal(s429.kind, 'throttled');
  });

  it('an SSE error event mid-stream → UpstreamError with the upstream message', async () => {
    fake.setReply(() => ({ text: 'partial answer', error: 'The server had an error while processing your request.' }));
    const seen: ChatStreamEvent[] = [];
    const err = await upstreamError(
      (async () => {
        for await (const e of provider.converseStream('gpt-test', hello, opts())) seen.push(e);
      })(),
    );
    assert.equal(err.kind, 'error');
    assert.equal(err.upstreamMessage, 'The server had an error while processing your request.');
    assert.equal(streamText(seen), 'partial answer');
  });

  it('a reply slower than timeoutMs → timeout, for both calls', async () => {
    fake.setReply(() => ({ text: 'late', delayMs: 5_000 }));
    const slow = createOpenAIProvider('slow', { ...cfg(), timeoutMs: 50 });
    const e = await upstreamError(slow.converse('gpt-test', hello, opts()));
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /50 ms/);
    const s = await upstreamError(collect(slow.converseStream('gpt-test', hello, opts())));
    assert.equal(s.kind, 'timeout');
  });

  it('an API key variable that is unset or empty fails before any request is sent', async () => {
    fake.setReply(() => ({ text: 'should not be reached' }));
    const n = fake.requests.length;
    const unset = createOpenAIProvider('keyless', { ...cfg(), apiKeyEnv: 'PARAPET_TEST_NO_SUCH_KEY' });
    const e = await upstreamError(unset.converse('gpt-test', hello, opts()));
    assert.equal(e.kind, 'error');
    assert.match(e.message, /PARAPET_TEST_NO_SUCH_KEY/);
    process.env.PARAPET_TEST_EMPTY_KEY = '';
    const empty = createOpenAIProvider('empty', { ...cfg(), apiKeyEnv: 'PARAPET_TEST_EMPTY_KEY' });
    const s = await upstreamError(collect(empty.converseStream('gpt-test', hello, opts())));
    assert.match(s.message, /PARAPET_TEST_EMPTY_KEY/);
    assert.equal(fake.requests.length, n);
  });

  it('without apiKeyEnv sends no key of its own (configured headers pass through)', async () => {
    fake.setReply(() => ({ text: 'ok' }));
    const open = createOpenAIProvider('open', { type: 'openai', baseUrl: fake.url });
    await open.converse('gpt-test', hello, opts());
    assert.equal(fake.headers.at(-1)?.authorization, undefined);
  });

  it('a consumer that stops early does not break the next call', async () => {
    fake.setReply(() => ({ text: 'a b c d e f g h' }));
    for await (const e of provider.converseStream('gpt-test', hello, opts())) if ('contentBlockDelta' in e) break;
    const r = await provider.converse('gpt-test', hello, opts());
    assert.deepEqual(r.content, [{ text: 'a b c d e f g h' }]);
  });

  it('an unreachable upstream → error', async () => {
    const gone = await startFakeOpenAI();
    await gone.close();
    const p = createOpenAIProvider('gone', { type: 'openai', baseUrl: gone.url });
    const e = await upstreamError(p.converse('gpt-test', hello, opts()));
    assert.equal(e.kind, 'error');
    assert.match(e.message, /could not be reached/);
  });
});

describe('OpenAI provider against misbehaving upstreams', () => {
  it('a body that is not a chat completion, a stream event that is not JSON, a stream cut short', async () => {
    let mode = '';
    const { url, server } = await rawServer((_req, res) => {
      if (mode === 'not-completion') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"hello":"world"}');
      } else if (mode === 'not-json-event') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: nonsense\n\n');
      } else if (mode === 'stall') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n');
      } else if (mode === 'stall-json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"choices":');
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n');
      }
    });
    try {
      const p = createOpenAIProvider('odd', { type: 'openai', baseUrl: url });
      mode = 'not-completion';
      const a = await upstreamError(p.converse('m', hello, opts()));
      assert.equal(a.kind, 'error');
      assert.match(a.message, /no choices/);
      mode = 'not-json-event';
      const b = await upstreamError(collect(p.converseStream('m', hello, opts())));
      assert.match(b.message, /not JSON/);
      assert.equal(b.upstreamMessage, 'nonsense');
      mode = 'cut';
      const c = await upstreamError(collect(p.converseStream('m', hello, opts())));
      assert.match(c.message, /ended before the answer was complete/);
      const quick = createOpenAIProvider('odd', { type: 'openai', baseUrl: url, timeoutMs: 100 });
      mode = 'stall';
      const seen: ChatStreamEvent[] = [];
      const d = await upstreamError(
        (async () => {
          for await (const e of quick.converseStream('m', hello, opts())) seen.push(e);
        })(),
      );
      assert.equal(d.kind, 'timeout');
      assert.equal(streamText(seen), 'hi');
      mode = 'stall-json';
      const e = await upstreamError(quick.converse('m', hello, opts()));
      assert.equal(e.kind, 'timeout');
      mode = 'stall';
      const ac = new AbortController();
      const f = await upstreamError(
        (async () => {
          for await (const ev of p.converseStream('m', hello, { signal: ac.signal })) if ('contentBlockDelta' in ev) ac.abort();
        })(),
      );
      assert.equal(f.kind, 'error');
      assert.match(f.message, /cancelled by the caller/);
    } finally {
      await closeServer(server);
    }
  });
});

describe('the fake upstream through the official openai client', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;
  before(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ baseURL: fake.url, apiKey: 'sk-fake', maxRetries: 0 });
  });
  after(() => fake.close());

  it('non-streaming: the default echo reply', async () => {
    const c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] });
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.choices[0]?.message.content, 'You said: ping');
    assert.equal(c.choices[0]?.finish_reason, 'stop');
    assert.equal(c.usage?.total_tokens, 4); // 1 prompt word + 3 answer words
  });

  it('streaming with usage and tool calls, assembled by the client helper', async () => {
    fake.setReply(() => ({ text: 'Let me check.', toolCalls: [{ id: 'call_9', name: 'weather', arguments: '{"city":"Oslo"}' }] }));
    const stream = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    stream.on('content', (d) => deltas.push(d));
    const final = await stream.finalChatCompletion();
    assert.ok(deltas.length >= 3);
    assert.equal(final.choices[0]?.message.content, 'Let me check.');
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual(final.choices[0]?.message.tool_calls, [
      { id: 'call_9', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
    ]);
    assert.equal(final.usage?.completion_tokens, 4); // 3 words + 1 tool call
  });

  it('errors surface as the client error classes with the message', async () => {
    fake.setReply(() => ({ status: 429, error: 'slow down' }));
    await assert.rejects(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => err instanceof OpenAI.RateLimitError && /slow down/.test(err.message),
    );
    fake.setReply(() => ({ error: 'boom mid-stream' }));
    const s = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x y' }], stream: true });
    await assert.rejects(
      (async () => {
        for await (const _ of s) {
          // drain
        }
      })(),
      /boom mid-stream/,
    );
  });
});

describe('the served format through the official openai client', () => {
  /** A minimal chat-completions endpoint built from the serving helpers (a stand-in for the real route). */
  let server: Server;
  let client: OpenAI;
  before(async () => {
    const started = await rawServerWithBody((body, res) => {
      const parsed = parseChatCompletionRequest(body);
      const meta = { id: 'chatcmpl-parapet', model: parsed.model, created: 1_700_000_000 };
      const lastUser = parsed.chat.messages.at(-1);
      const text = `echo: ${lastUser?.content.map((b) => ('text' in b ? b.text : '')).join('')}`;
      const tool = { toolUse: { toolUseId: 'tu_1', name: 'lookup', input: { q: 'x' } } };
      if (!parsed.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            formatChatCompletion({ content: [{ text }, tool], stopReason: 'tool_use', usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 } }, meta),
          ),
        );
        return;
      }
      const enc = new OpenAIStreamEncoder({ ...meta, includeUsage: parsed.includeUsage });
      const events: ChatStreamEvent[] = [
        { messageStart: { role: 'assistant' } },
        ...text.split(/(?<= )/).map((t) => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: t } } })),
        { contentBlockStop: { contentBlockIndex: 0 } },
        { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu_1', name: 'lookup' } } } },
        { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"q":' } } } },
        { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '"x"}' } } } },
        { contentBlockStop: { contentBlockIndex: 1 } },
        { messageStop: { stopReason: 'tool_use' } },
        { metadata: { usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 }, metrics: { latencyMs: 1 } } },
      ];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of events) res.write(chunkFrames(enc.encode(e)));
      res.end(DONE_FRAME);
    });
    server = started.server;
    client = new OpenAI({ baseURL: started.url, apiKey: 'k', maxRetries: 0 });
  });
  after(() => closeServer(server));

  it('reads formatChatCompletion answers', async () => {
    const c = await client.chat.completions.create({ model: 'parapet-model', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(c.choices[0]?.message.content, 'echo: hi');
    assert.equal(c.choices[0]?.message.tool_calls?.[0]?.id, 'tu_1');
    assert.equal(c.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(c.usage?.total_tokens, 5);
  });

  it('reads OpenAIStreamEncoder streams, tool calls and usage included', async () => {
    const final = await client.chat.completions
      .stream({ model: 'parapet-model', messages: [{ role: 'user', content: 'good day to you' }], stream_options: { include_usage: true } })
      .finalChatCompletion();
    assert.equal(final.choices[0]?.message.content, 'echo: good day to you');
    assert.deepEqual(final.choices[0]?.message.tool_calls, [
      { id: 'tu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
    ]);
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual(final.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  });
});

async function rawServerWithBody(handler: (body: unknown, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handler(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, res);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: (err as Error).message, type: 'invalid_request_error' } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

/**
 * A fake Anthropic Messages API on a real node:http server, for provider and end-to-end tests: `POST /v1/messages`
 * answers JSON, or with `"stream": true` the SSE sequence Anthropic sends (message_start, ping, content_block_* per
 * block, message_delta, message_stop). By default it echoes `You said: <last user text>`; `setReply` scripts a
 * text, a tool call, an HTTP error, a mid-stream `error` event, or a delay. Every request is recorded.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnthropicReply {
  text?: string;
  toolUse?: { id: string; name: string; input: unknown };
  /** An HTTP error status answered with Anthropic's error body. */
  status?: number;
  /** The error type: of the HTTP error body (with `status`), or of an `error` event sent mid-stream (without). */
  errorType?: string;
  /** Delay before answering (and between stream events). */
  delayMs?: number;
  stopReason?: string;
  usage?: { input_tokens: number; output_tokens: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

type Message = { role: string; content: string | Array<{ type: string; text?: string }> };

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  setReply(fn: (body: Record<string, unknown>) => FakeAnthropicReply): void;
  close(): Promise<void>;
}

/** The text of the last user message of a Messages request body. */
export function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    return m.content
      .filter((b) => b.type === 'text')
      .map((b) => b.text ?? '')
      .join(' ');
  }
  return '';
}

const defaultReply = (body: Record<string, unknown>): FakeAnthropicReply => ({ text: `You said: ${lastUserText(body)}` });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;

export async function startFakeAnthropic(opts: { reply?: (body: Record<string, unknown>) => FakeAnthropicReply } = {}): Promise<FakeAnthropic> {
  let reply = opts.reply ?? defaultReply;
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), res).catch(() => {
        res.destroy();
      });
    });
  });

  async function handle(method: string, path: string, headers: IncomingHttpHeaders, raw: string, res: ServerResponse): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      body = {};
    }
    requests.push({ method, path, headers, body });
    if (method !== 'POST' || path !== '/v1/messages') return sendError(res, 404, 'not_found_error', `no route ${method} ${path}`);
    const r = reply(body);
    if (r.delayMs) await sleep(r.delayMs);
    if (r.status) return sendError(res, r.status, r.errorType ?? 'api_error', `fake error ${r.status}`);

    const content: Array<Record<string, unknown>> = [];
    if (r.text !== undefined || !r.toolUse) content.push({ type: 'text', text: r.text ?? '' });
    if (r.toolUse) content.push({ type: 'tool_use', ...r.toolUse });
    const stopReason = r.stopReason ?? (r.toolUse ? 'tool_use' : 'end_turn');
    const usage = r.usage ?? { input_tokens: words(lastUserText(body)), output_tokens: words(r.text ?? '') };
    const model = typeof body.model === 'string' ? body.model : 'unknown';

    if (body.stream !== true) {
      const json = { id: 'msg_fake_1', type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = async (event: string, data: unknown): Promise<void> => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (r.delayMs) await sleep(r.delayMs);
    };
    await send('message_start', {
      type: 'message_start',
      message: { id: 'msg_fake_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } },
    });
    await send('ping', { type: 'ping' });
    for (const [index, block] of content.entries()) {
      if (block.type === 'text') {
        await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        const pieces = String(block.text).match(/\s*\S+\s*/g) ?? [];
        for (const text of pieces) await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
        if (r.errorType) {
          await send('error', { type: 'error', error: { type: r.errorType, message: 'Overloaded' } });
          res.end();
          return;
        }
      } else {
        await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
        const json = JSON.stringify(block.input ?? {});
        const half = Math.ceil(json.length / 2);
        for (const partial_json of ['', json.slice(0, half), json.slice(half)])
          await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
      }
      await send('content_block_stop', { type: 'content_block_stop', index });
    }
    await send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    await send('message_stop', { type: 'message_stop' });
    res.end();
  }

  function sendError(res: ServerResponse, status: number, type: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type, message } }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setReply(fn) {
      reply = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

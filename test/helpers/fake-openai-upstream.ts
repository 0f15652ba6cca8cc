/**
 * A real HTTP server speaking OpenAI chat completions (`POST /v1/chat/completions`), for tests and the latency
 * benchmark: 127.0.0.1, a free port, keep-alive, no artificial delay unless a reply asks for one. By default it
 * answers "You said: <last user message text>"; `reply` / `setReply` decide per request.
 *
 * A FakeReply with `status` >= 400 answers that HTTP status with an OpenAI error body (`error` as the message).
 * `error` without such a status: a non-streaming request gets HTTP 500, a streaming one gets the text chunks
 * and then an SSE `data: {"error": …}` event (how OpenAI reports a failure mid-stream), with no [DONE].
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToolCall {
  id: string;
  name: string;
  /** The JSON-string arguments, sent as is. */
  arguments: string;
}

export interface FakeReply {
  text?: string;
  toolCalls?: FakeToolCall[];
  status?: number;
  error?: string;
  /** Wait this long before answering (the headers included). */
  delayMs?: number;
  /** Default: "tool_calls" when there are tool calls, else "stop". */
  finishReason?: string;
}

/** A received request body (what an OpenAI client sends; validated only as far as model + messages). */
export interface FakeRequestBody {
  model: string;
  messages: Array<{ role: string; content?: unknown; [k: string]: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [k: string]: unknown;
}

export type FakeReplyFn = (req: FakeRequestBody) => FakeReply;

export interface FakeOpenAI {
  /** The base URL, ending in `/v1`. */
  url: string;
  /** Every JSON body received, in order. */
  requests: FakeRequestBody[];
  /** The headers of every request, in order (to check authorization and extra headers). */
  headers: IncomingMessage['headers'][];
  setReply(fn: FakeReplyFn): void;
  close(): Promise<void>;
}

/** The text of a message's content (a string or text parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

export const defaultReply: FakeReplyFn = (req) => {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
  return { text: `You said: ${contentText(lastUser?.content)}` };
};

function words(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}

/** Splits text into word-sized pieces that keep their spaces (joined, they give the text back). */
export function pieces(text: string): string[] {
  return text.match(/\s*\S+\s*|\s+/g) ?? [];
}

export interface FakeOpenAIOptions {
  reply?: FakeReplyFn;
  /**
   * Keep received bodies and headers in `requests` / `headers` (default true). A benchmark turns this off so
   * the fake does nothing but answer (and its memory does not grow with the run).
   */
  record?: boolean;
}

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  let reply: FakeReplyFn = opts.reply ?? defaultReply;
  const record = opts.record ?? true;
  const requests: FakeRequestBody[] = [];
  const headers: IncomingMessage['headers'][] = [];
  let seq = 0;

  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        sendError(res, 500, `fake upstream failure: ${(err as Error).message}`, 'server_error');
      }
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
      return sendError(res, 404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error');
    let body: FakeRequestBody;
    try {
      body = JSON.parse(raw) as FakeRequestBody;
    } catch {
      return sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    if (typeof body !== 'object' || body === null || typeof body.model !== 'string' || !Array.isArray(body.messages))
      return sendError(res, 400, 'model and messages are required', 'invalid_request_error');
    if (record) {
      requests.push(body);
      headers.push(req.headers);
    }
    const r = reply(body);
    const id = `chatcmpl-fake${++seq}`;
    const answer = (): void => {
      if (r.status !== undefined && r.status >= 400)
        return sendError(res, r.status, r.error ?? 'fake upstream error', r.status === 429 ? 'rate_limit_error' : 'server_error');
      if (body.stream === true) return stream(res, body, r, id);
      if (r.error !== undefined) return sendError(res, 500, r.error, 'server_error');
      return complete(res, body, r, id);
    };
    if (r.delayMs) {
      const timer = setTimeout(answer, r.delayMs);
      res.on('close', () => clearTimeout(timer));
    } else answer();
  }

  function usage(body: FakeRequestBody, r: FakeReply) {
    const prompt = body.messages.reduce((n, m) => n + words(contentText(m.content)), 0);
    const completion = words(r.text ?? '') + (r.toolCalls?.length ?? 0);
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }

  function finishReason(r: FakeReply): string {
    return r.finishReason ?? (r.toolCalls?.length ? 'tool_calls' : 'stop');
  }

  function complete(res: ServerResponse, body: FakeRequestBody, r: FakeReply, id: string): void {
    const toolCalls = r.toolCalls?.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
    send(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: r.text ?? null,
            refusal: null,
            ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
          },
          logprobs: null,
          finish_reason: finishReason(r),
        },
      ],
      usage: usage(body, r),
    });
  }

  function stream(res: ServerResponse, body: FakeRequestBody, r: FakeReply, id: string): void {
    const includeUsage = body.stream_options?.include_usage === true;
    const created = Math.floor(Date.now() / 1000);
    const frames: string[] = [];
    const chunk = (delta: object, finish: string | null = null): void => {
      const c = {
        id,
        object: 'chat.completion.chunk',
        created,
        model: body.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
      };
      frames.push(`data: ${JSON.stringify(c)}\n\n`);
    };
    chunk({ role: 'assistant', content: '', refusal: null });
    for (const p of pieces(r.text ?? '')) chunk({ content: p });
    r.toolCalls?.forEach((c, index) => {
      chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
      const half = Math.ceil(c.arguments.length / 2);
      for (const part of [c.arguments.slice(0, half), c.arguments.slice(half)])
        if (part) chunk({ tool_calls: [{ index, function: { arguments: part } }] });
    });
    if (r.error !== undefined) {
      frames.push(`data: ${JSON.stringify({ error: { message: r.error, type: 'server_error', param: null, code: null } })}\n\n`);
    } else {
      chunk({}, finishReason(r));
      if (includeUsage)
        frames.push(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: usage(body, r) })}\n\n`,
        );
      frames.push('data: [DONE]\n\n');
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    for (const f of frames) res.write(f);
    res.end();
  }

  function send(res: ServerResponse, status: number, obj: unknown): void {
    const text = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function sendError(res: ServerResponse, status: number, message: string, type: string): void {
    send(res, status, { error: { message, type, param: null, code: null } });
  }

  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    headers,
    setReply(fn) {
      reply = fn;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

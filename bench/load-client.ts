/**
 * The gateway benchmark's load generator, run as its own process so that it does not share an event loop with
 * the servers. Protocol (JSON lines): the first stdin line is a LoadClientInit; every following line is a
 * LoadCommand, answered by one LoadResult line on stdout. Every answer is checked (status 200, the expected echo,
 * no guardrail intervention): a blocked input would skip the upstream and fake a low latency.
 *
 * HTTP targets share one code path (node:http, a keep-alive Agent per target, raw OpenAI chat-completions JSON,
 * several URLs taken in turn);
 * the `sdk` target calls Converse through @aws-sdk/client-bedrock-runtime (its default transport).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface HttpTarget {
  /** Full URLs of the chat-completions endpoint: one per replica, taken in turn (a round-robin load balancer). */
  urls: string[];
  headers: Record<string, string>;
  /**
   * What proves the answer went through the guardrails: `parapet` — `amazon-bedrock-guardrailAction: NONE`;
   * `portkey` — every before- and after-request hook ran and passed (`hook_results`); `plain` — nothing (direct).
   */
  check: 'plain' | 'parapet' | 'portkey';
}

export interface SdkTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  modelId: string;
}

export interface LoadClientInit {
  http: Record<string, HttpTarget>;
  sdk?: SdkTarget;
  /** The user prompt; every answer must be exactly `You said: <prompt>`. */
  prompt: string;
  /** The model id sent in the chat-completions body. */
  model: string;
  /** Concurrency cap per HTTP target (the Agent's maxSockets). */
  maxSockets: number;
}

export interface LoadCommand {
  target: string;
  concurrency: number;
  requests: number;
}

export interface LoadResult {
  target: string;
  concurrency: number;
  /** Milliseconds per successful request, in completion order. */
  latencies: number[];
  /** Wall time of the whole batch, ms. */
  elapsedMs: number;
  failed: number;
  /** The first few failure descriptions. */
  failures: string[];
}

interface Reply {
  status: number;
  text: string;
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type ChatBody = {
  choices?: Array<{ message?: { content?: unknown } }>;
  'amazon-bedrock-guardrailAction'?: unknown;
  hook_results?: { before_request_hooks?: Array<{ verdict?: unknown }>; after_request_hooks?: Array<{ verdict?: unknown }> };
};

/** Why the guardrails of `check` did not visibly run and pass on this answer, or undefined when they did. */
function checkGuarded(body: ChatBody, check: HttpTarget['check']): string | undefined {
  if (check === 'parapet' && body['amazon-bedrock-guardrailAction'] !== 'NONE')
    return `guardrail action ${String(body['amazon-bedrock-guardrailAction'])} (expected NONE)`;
  if (check === 'portkey') {
    const before = body.hook_results?.before_request_hooks ?? [];
    const after = body.hook_results?.after_request_hooks ?? [];
    if (before.length === 0 || after.length === 0) return 'Portkey ran no input or no output guardrail (hook_results)';
    if (![...before, ...after].every((h) => h.verdict === true)) return 'a Portkey guardrail check failed (hook_results)';
  }
  return undefined;
}

/** Why an HTTP answer is not the expected un-intervened echo, or undefined when it is. */
function checkChat(r: Reply, expected: string, check: HttpTarget['check']): string | undefined {
  if (r.status !== 200) return `HTTP ${r.status}: ${r.text.slice(0, 300)}`;
  let body: ChatBody;
  try {
    body = JSON.parse(r.text) as ChatBody;
  } catch {
    return `not JSON: ${r.text.slice(0, 300)}`;
  }
  const unguarded = checkGuarded(body, check);
  if (unguarded !== undefined) return `${unguarded}: ${r.text.slice(0, 300)}`;
  const content = body.choices?.[0]?.message?.content;
  if (content !== expected) return `unexpected answer: ${String(content).slice(0, 300)}`;
  return undefined;
}

function main(): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let init: LoadClientInit | undefined;
  const agents = new Map<string, Agent>();
  const urls = new Map<string, URL[]>();
  let sdk: BedrockRuntimeClient | undefined;
  let bodyBuf = Buffer.alloc(0);
  let expected = '';
  let queue = Promise.resolve();
  const turns = new Map<string, number>();

  async function runOne(target: string): Promise<string | undefined> {
    if (!init) throw new Error('load-client: no init line');
    if (target === 'sdk') {
      if (!sdk || !init.sdk) throw new Error('load-client: no sdk target configured');
      const r = await sdk.send(
        new ConverseCommand({ modelId: init.sdk.modelId, messages: [{ role: 'user', content: [{ text: init.prompt }] }] }),
      );
      const text = r.output?.message?.content?.[0]?.text;
      if (r.stopReason !== 'end_turn') return `stopReason ${String(r.stopReason)} (expected end_turn): ${String(text).slice(0, 200)}`;
      return text === expected ? undefined : `unexpected answer: ${String(text).slice(0, 300)}`;
    }
    const t = init.http[target];
    const agent = agents.get(target);
    if (!t || !agent) throw new Error(`load-client: unknown target ${target}`);
    const turn = turns.get(target) ?? 0;
    turns.set(target, turn + 1);
    const url = urls.get(target)?.[turn % t.urls.length];
    if (!url) throw new Error(`load-client: target ${target} has no URL`);
    const r = await post(agent, url, t.headers, bodyBuf);
    return checkChat(r, expected, t.check);
  }

  async function run(cmd: LoadCommand): Promise<LoadResult> {
    const latencies: number[] = [];
    const failures: string[] = [];
    let failed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cmd.requests) {
        next++;
        const t0 = performance.now();
        let problem: string | undefined;
        try {
          problem = await runOne(cmd.target);
        } catch (err) {
          problem = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        }
        const ms = performance.now() - t0;
        if (problem === undefined) latencies.push(ms);
        else {
          failed++;
          if (failures.length < 5) failures.push(problem);
        }
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: Math.max(1, Math.min(cmd.concurrency, cmd.requests)) }, worker));
    return { target: cmd.target, concurrency: cmd.concurrency, latencies, elapsedMs: performance.now() - start, failed, failures };
  }

  lines.on('line', (line) => {
    if (!line.trim()) return;
    if (!init) {
      init = JSON.parse(line) as LoadClientInit;
      for (const [name, t] of Object.entries(init.http)) {
        // maxSockets is per host: each replica gets up to the concurrency, as behind a load balancer.
        agents.set(name, new Agent({ keepAlive: true, maxSockets: init.maxSockets, keepAliveMsecs: 30_000 }));
        urls.set(name, t.urls.map((u) => new URL(u)));
      }
      if (init.sdk)
        sdk = new BedrockRuntimeClient({
          region: init.sdk.region,
          endpoint: init.sdk.endpoint,
          credentials: init.sdk.credentials,
          maxAttempts: 1,
        });
      bodyBuf = Buffer.from(JSON.stringify({ model: init.model, messages: [{ role: 'user', content: init.prompt }] }));
      expected = `You said: ${init.prompt}`;
      process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
      return;
    }
    const cmd = JSON.parse(line) as LoadCommand;
    queue = queue.then(async () => {
      const result = await run(cmd);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
  });
  lines.on('close', () => {
    void queue.then(() => {
      for (const a of agents.values()) a.destroy();
      sdk?.destroy();
    });
  });
}

main();

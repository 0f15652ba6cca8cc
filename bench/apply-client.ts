/**
 * The ApplyGuardrail benchmark's load generator, in its own process so that it does not share an event loop
 * with the server. Protocol (JSON lines): the first stdin line is an ApplyClientInit, answered by `{"ready":true}`;
 * every following line is an ApplyRun, answered by one ApplyRunResult line on stdout.
 *
 * Each request is a SigV4-signed `POST /guardrail/{id}/version/{v}/apply` over a keep-alive node:http Agent.
 * Signing (`signing: "each"`, the default) is done for real for every request with @smithy/signature-v4, as the
 * AWS SDKs do. `signing: "pool"` instead signs a pool of distinct requests once per second and sends those in
 * turn (still valid signatures, still verified in full by the server): for when the client's own signing, which
 * shares the machine's cores with the server, would otherwise cap the measurement.
 *
 * Every answer is checked (HTTP 200, action NONE, one assessment naming the expected guardrail version with its
 * invocation metrics): a refused or intervened call is counted as an error, never as a measurement.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../src/core/sha256.ts';

export interface ApplyClientInit {
  /** The server's base URL (http://host:port). */
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  guardrailId: string;
  guardrailArn: string;
  guardrailVersion: string;
  /** The texts sent, in turn (distinct, so no "same text as last time" memo turns a call into a cache hit). */
  texts: string[];
  /** `each`: sign every request; `pool`: sign a pool of distinct requests once per second (see above). */
  signing: 'each' | 'pool';
  /** The Agent's socket cap: the highest concurrency that will be run (big-text callers included). */
  maxSockets: number;
  /** Large texts for the callers of `ApplyRun.big` (sent in turn, each call signed). */
  bigTexts?: string[];
}

export interface ApplyRun {
  concurrency: number;
  /** Requests are started until this many seconds have passed; those in flight then still finish and count. */
  seconds: number;
  /** This many more callers send the large texts meanwhile (their latencies are reported apart). */
  big?: number;
}

export interface ApplyRunResult {
  concurrency: number;
  /** Calls made (successful or not). */
  calls: number;
  /** Milliseconds per successful call, in completion order. */
  latencies: number[];
  /** From the first request sent to the last answer read, ms. */
  elapsedMs: number;
  errors: number;
  /** The first few error descriptions. */
  failures: string[];
  /** CPU this process used during the run (signing, HTTP, checking), ms. */
  clientCpuMs: number;
  /** With `big`: milliseconds per successful large-text call, and how many were made. */
  bigLatencies?: number[];
  bigCalls?: number;
}

interface Reply {
  status: number;
  text: string;
}

/** One prepared call: the signed headers and the body they sign. */
interface SignedCall {
  headers: Record<string, string>;
  body: Buffer;
}

/** Signs calls of the one ApplyGuardrail route, for any of the texts. */
class CallSigner {
  readonly #init: ApplyClientInit;
  readonly #signer: SignatureV4;
  readonly #url: URL;
  readonly #path: string;
  readonly #bodies: Buffer[];
  #turn = 0;

  constructor(init: ApplyClientInit) {
    this.#init = init;
    this.#url = new URL(init.url);
    this.#path = `/guardrail/${encodeURIComponent(init.guardrailId)}/version/${encodeURIComponent(init.guardrailVersion)}/apply`;
    this.#bodies = init.texts.map((text) => Buffer.from(JSON.stringify({ source: 'INPUT', content: [{ text: { text } }] })));
    this.#signer = new SignatureV4({ credentials: init.credentials, region: init.region, service: 'bedrock', sha256: Sha256, uriEscapePath: true });
  }

  get path(): string {
    return this.#path;
  }

  /** The next text's call, signed now. */
  async next(): Promise<SignedCall> {
    const body = this.#bodies[this.#turn++ % this.#bodies.length] ?? Buffer.alloc(0);
    const signed = await this.#signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: this.#url.hostname,
      port: Number(this.#url.port),
      path: this.#path,
      query: {},
      headers: { host: this.#url.host, 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    });
    return { headers: signed.headers as Record<string, string>, body };
  }
}

/** `each`: a fresh signature per call. `pool`: calls signed once a second, handed out in turn. */
interface CallSource {
  next(): Promise<SignedCall>;
  stop(): void;
}

function signEach(signer: CallSigner): CallSource {
  return { next: () => signer.next(), stop: () => undefined };
}

/** A pool of `size` distinct signed calls, re-signed every second so their dates stay current. */
async function signPool(signer: CallSigner, size: number): Promise<CallSource> {
  const fill = async () => {
    const out: SignedCall[] = [];
    for (let i = 0; i < size; i++) out.push(await signer.next());
    return out;
  };
  let pool = await fill();
  let turn = 0;
  let refilling = false;
  const timer = setInterval(() => {
    if (refilling) return;
    refilling = true;
    void fill().then((p) => {
      pool = p;
      refilling = false;
    });
  }, 1_000);
  return {
    next: async () => pool[turn++ % pool.length] as SignedCall,
    stop: () => clearInterval(timer),
  };
}

function post(agent: Agent, url: URL, path: string, call: SignedCall): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path, method: 'POST', headers: call.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

interface ApplyAnswer {
  action?: unknown;
  outputs?: unknown;
  usage?: unknown;
  assessments?: Array<{
    invocationMetrics?: { guardrailProcessingLatency?: unknown; usage?: unknown; guardrailCoverage?: unknown };
    appliedGuardrailDetails?: Record<string, unknown>;
  }>;
}

/** Why an answer is not a successful, un-intervened ApplyGuardrail of the expected guardrail, or undefined. */
function checkAnswer(r: Reply, init: Pick<ApplyClientInit, 'guardrailId' | 'guardrailArn' | 'guardrailVersion'>): string | undefined {
  if (r.status !== 200) return `HTTP ${r.status}: ${r.text.slice(0, 300)}`;
  let body: ApplyAnswer;
  try {
    body = JSON.parse(r.text) as ApplyAnswer;
  } catch {
    return `not JSON: ${r.text.slice(0, 300)}`;
  }
  if (body.action !== 'NONE') return `action ${String(body.action)} (expected NONE): ${r.text.slice(0, 300)}`;
  if (!Array.isArray(body.outputs) || typeof body.usage !== 'object') return `no outputs/usage: ${r.text.slice(0, 300)}`;
  const a = body.assessments;
  if (!Array.isArray(a) || a.length !== 1) return `expected exactly one assessment: ${r.text.slice(0, 300)}`;
  const m = a[0]?.invocationMetrics;
  if (typeof m?.guardrailProcessingLatency !== 'number' || typeof m.usage !== 'object' || typeof m.guardrailCoverage !== 'object')
    return `assessment without invocation metrics: ${r.text.slice(0, 300)}`;
  const d = a[0]?.appliedGuardrailDetails;
  if (
    d?.guardrailId !== init.guardrailId ||
    d.guardrailArn !== init.guardrailArn ||
    d.guardrailVersion !== init.guardrailVersion ||
    JSON.stringify(d.guardrailOrigin) !== '["REQUEST"]' ||
    d.guardrailOwnership !== 'SELF'
  )
    return `unexpected appliedGuardrailDetails ${JSON.stringify(d)}`;
  return undefined;
}

/** Runs `concurrency` workers for `seconds`, each sending its next call as soon as the previous one answered. */
async function run(cmd: ApplyRun, init: ApplyClientInit, agent: Agent, source: CallSource, path: string, bigSource?: CallSource): Promise<ApplyRunResult> {
  const url = new URL(init.url);
  const latencies: number[] = [];
  const bigLatencies: number[] = [];
  const failures: string[] = [];
  let errors = 0;
  let calls = 0;
  let bigCalls = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + cmd.seconds * 1000;
  let last = start;
  const worker = async (big: boolean): Promise<void> => {
    const from = big && bigSource ? bigSource : source;
    while (performance.now() < deadline) {
      if (big) bigCalls++;
      else calls++;
      let problem: string | undefined;
      const t0 = performance.now();
      let t1 = t0;
      try {
        const call = await from.next();
        const reply = await post(agent, url, path, call);
        t1 = performance.now();
        problem = checkAnswer(reply, init);
      } catch (err) {
        t1 = performance.now();
        problem = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
      last = Math.max(last, t1);
      if (problem === undefined) (big ? bigLatencies : latencies).push(t1 - t0);
      else {
        errors++;
        if (failures.length < 5) failures.push(problem);
      }
    }
  };
  const big = bigSource ? (cmd.big ?? 0) : 0;
  await Promise.all([
    ...Array.from({ length: Math.max(1, cmd.concurrency) }, () => worker(false)),
    ...Array.from({ length: big }, () => worker(true)),
  ]);
  const cpu = process.cpuUsage(cpu0);
  return {
    concurrency: cmd.concurrency,
    calls,
    latencies,
    elapsedMs: last - start,
    errors,
    failures,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    ...(big ? { bigLatencies, bigCalls } : {}),
  };
}

function main(): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let init: ApplyClientInit | undefined;
  let agent: Agent | undefined;
  let signer: CallSigner | undefined;
  let source: CallSource | undefined;
  let bigSource: CallSource | undefined;
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    if (!line.trim()) return;
    queue = queue.then(async () => {
      if (!init) {
        init = JSON.parse(line) as ApplyClientInit;
        agent = new Agent({ keepAlive: true, maxSockets: init.maxSockets, keepAliveMsecs: 30_000 });
        signer = new CallSigner(init);
        // A pool big enough that every connection has distinct calls in flight.
        source = init.signing === 'pool' ? await signPool(signer, Math.max(64, init.maxSockets * 4)) : signEach(signer);
        if (init.bigTexts?.length) bigSource = signEach(new CallSigner({ ...init, texts: init.bigTexts }));
        process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
        return;
      }
      if (!agent || !source || !signer) throw new Error('apply-client: not initialised');
      const result = await run(JSON.parse(line) as ApplyRun, init, agent, source, signer.path, bigSource);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
  });
  lines.on('close', () => {
    void queue.then(() => {
      source?.stop();
      agent?.destroy();
    });
  });
}

main();

/**
 * Gateway benchmark: the latency a guarding gateway adds to a model call, side by side in one run —
 * (a) the fake OpenAI upstream called directly, (b) Parapet's OpenAI-compatible endpoint with the reference
 * guardrail (all policies, 1,000 words) enforced at organization level AND a second copy at account level on the
 * calling member account, (c) the Portkey AI gateway (@portkey-ai/gateway) with its built-in contains / regex
 * guardrail checks on input and output. p50/p99 at concurrency 1 and 32 and the throughput at 32. Every server runs
 * in its own process (Parapet through `parapet serve`, as deployed); the load generator too (bench/load-client.ts);
 * rounds are interleaved after a discarded warm-up round. Also: Converse through @aws-sdk/client-bedrock-runtime
 * at concurrency 1, for information. Every answer is checked to be the un-intervened echo of the prompt, with the
 * guardrails of its gateway visibly run.
 *
 *   node --import tsx bench/gateway.bench.ts
 *   BENCH_GATEWAY_ROUNDS=5 BENCH_GATEWAY_REQUESTS=200 BENCH_GATEWAY_REQUESTS_C32=1000 node --import tsx bench/gateway.bench.ts
 *   BENCH_GATEWAY_DATABASE=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/gateway.bench.ts   (the
 *     PostgreSQL store, in a fresh schema dropped afterwards)
 *   BENCH_GATEWAY_DATABASE=… BENCH_GATEWAY_REPLICAS=2 …   (several replicas on that database, requests in turn)
 *   BENCH_GATEWAY_PORTKEY=0 …   (without the Portkey side)
 *   BENCH_GATEWAY_PROFILE=/tmp/prof …   (CPU profiles of the Parapet replicas, --cpu-prof, written when they exit)
 *   BENCH_GATEWAY_THREADS=N …   (each replica with `--assessment-threads N`; default: `parapet serve`'s, 2 on 2+ cores)
 *   BENCH_GATEWAY_INLINE_CHARS=n …   (with threads: texts under n characters assessed on the event loop)
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CreateGuardrailCommandInput } from '@aws-sdk/client-bedrock';
import { type ClientConfig, callApi } from '../src/cli/client.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../test/helpers/fake-openai-upstream.ts';
import type { LoadClientInit, LoadCommand, LoadResult } from './load-client.ts';
import { benignText, MODEL, REGION, setUpOrganization, type Setup } from './gateway-setup.ts';
import { type ParapetProcess, startParapetProcess, startServerProcess } from './parapet-process.ts';
import { dropSchemas } from '../test/helpers/postgres.ts';
import { loadReferenceGuardrail, withWords } from './reference.ts';
import { envCount, envInt, percentile, printTable } from './report.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROUNDS = envInt('BENCH_GATEWAY_ROUNDS', 5);
const REQUESTS_C1 = envInt('BENCH_GATEWAY_REQUESTS', 200);
const REQUESTS_C32 = envInt('BENCH_GATEWAY_REQUESTS_C32', 1000);
const REQUESTS_SDK = envInt('BENCH_GATEWAY_SDK_REQUESTS', REQUESTS_C1);
const PROMPT_BYTES = envInt('BENCH_GATEWAY_PROMPT_BYTES', 1024);
const WORDS = envInt('BENCH_GATEWAY_WORDS', 1000);
const CONCURRENCIES = [1, 32] as const;
/** A PostgreSQL URL: run the gateway on the PostgreSQL store (in a throw-away schema) instead of SQLite. */
const DATABASE = process.env.BENCH_GATEWAY_DATABASE || undefined;
/** Replicas of Parapet behind a round-robin balancer (the load client's); more than one needs DATABASE. */
const REPLICAS = envInt('BENCH_GATEWAY_REPLICAS', 1);
/** A directory: the Parapet replicas run with --cpu-prof and write their profiles there (on exit). */
const PROFILE_DIR = process.env.BENCH_GATEWAY_PROFILE || undefined;
/** BENCH_GATEWAY_PORTKEY=0 leaves the Portkey side out. */
const PORTKEY = process.env.BENCH_GATEWAY_PORTKEY !== '0';
/** `--assessment-threads` of each replica (undefined: `parapet serve`'s default). */
const THREADS = envCount('BENCH_GATEWAY_THREADS');
const INLINE_CHARS = envCount('BENCH_GATEWAY_INLINE_CHARS');
const TARGET_P50_MS = 1;
const TARGET_P99_MS = 3;

// ---------------------------------------------------------------------------------------------------------------
// The load generator child process

interface LoadClient {
  run(cmd: LoadCommand): Promise<LoadResult>;
  close(): Promise<void>;
}

async function startLoadClient(init: LoadClientInit): Promise<LoadClient> {
  const script = fileURLToPath(new URL('./load-client.ts', import.meta.url));
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  let exited: Error | undefined;
  child.on('exit', (code, signal) => {
    exited = new Error(`the load client exited (code ${String(code)}, signal ${String(signal)})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    waiting.shift()?.resolve(JSON.parse(line));
  });
  const next = <T>(timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      const timer = setTimeout(() => reject(new Error(`the load client did not answer within ${timeoutMs} ms`)), timeoutMs);
      waiting.push({
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  const ready = next<{ ready: boolean }>(30_000);
  child.stdin.write(`${JSON.stringify(init)}\n`);
  await ready;
  return {
    run(cmd) {
      const answer = next<LoadResult>(300_000);
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      return answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill(), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin.end();
      }),
  };
}

/** The management account's signed admin API: the audit trail of every replica (one shared store). */
function adminApi(replica: ParapetProcess): ClientConfig {
  const mgmt = replica.credentials.accounts.find((a) => a.role === 'management');
  if (!mgmt) throw new Error('no management account was bootstrapped');
  return { endpoint: replica.url, region: REGION, credentials: { ...mgmt, source: 'bench' } };
}

/** The number of audit records, once none was added for `quietMs`. */
async function settledAuditCount(api: ClientConfig, quietMs = 200): Promise<number> {
  const count = async () => ((await callApi(api, 'GET', '/admin/v1/audit/verify', { service: 'parapet' })) as { count: number }).count;
  let last = await count();
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await count();
    if (now === last) return now;
    last = now;
  }
}

/** One call through the gateway: both guardrails must be applied, the answer must be the un-intervened echo. */
async function probe(replica: ParapetProcess, api: ClientConfig, setup: Setup, bearer: string, prompt: string): Promise<number> {
  const before = await settledAuditCount(api);
  const res = await fetch(`${replica.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }] }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`probe: the gateway answered HTTP ${res.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { choices?: Array<{ message?: { content?: string } }>; 'amazon-bedrock-guardrailAction'?: string };
  if (body['amazon-bedrock-guardrailAction'] !== 'NONE')
    throw new Error(
      `probe: the guardrail intervened on the benchmark prompt (${String(body['amazon-bedrock-guardrailAction'])}); ` +
        `a blocked or masked prompt would not measure the full path. Answer: ${text.slice(0, 500)}`,
    );
  if (body.choices?.[0]?.message?.content !== `You said: ${prompt}`) throw new Error(`probe: unexpected answer ${text.slice(0, 500)}`);
  const after = await settledAuditCount(api);
  const page = (await callApi(api, 'GET', '/admin/v1/audit', {
    service: 'parapet',
    query: { action: 'parapet:ChatCompletions', limit: '1' },
  })) as { records: Array<{ detail?: unknown }> };
  const applied = ((page.records[0]?.detail as { guardrails?: Array<{ guardrail: string; origin: string[] }> } | undefined)?.guardrails ?? [])
    .map((g) => `${g.guardrail} ${g.origin.join('+')}`)
    .sort();
  const expected = [`${setup.accountGuardrailArn}:1 ACCOUNT_ENFORCED`, `${setup.orgGuardrailArn}:1 ORGANIZATION_ENFORCED`].sort();
  if (JSON.stringify(applied) !== JSON.stringify(expected))
    throw new Error(`probe: expected both enforced guardrails to apply, the audit record shows ${JSON.stringify(applied)}`);
  return after - before;
}

// ---------------------------------------------------------------------------------------------------------------
// Portkey: the peer, run as its README says (node build/start-server.js), headless, in its own process

interface PortkeyProcess {
  url: string;
  close(): Promise<void>;
}

const PORTKEY_SERVER = fileURLToPath(new URL('../node_modules/@portkey-ai/gateway/build/start-server.js', import.meta.url));

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function startPortkey(): Promise<PortkeyProcess> {
  const port = await freePort();
  // The guardrail config travels in the x-portkey-config header (Portkey OSS has no config store): with 1,000
  // words it is larger than Node's default 16 KiB header limit, so the limit is raised for Portkey's process.
  const proc = await startServerProcess(
    'Portkey',
    ['--max-http-header-size=262144', PORTKEY_SERVER, `--port=${port}`, '--headless'],
    { NODE_ENV: 'production' },
    new RegExp(`Ready for connections|:${port}`),
    30_000,
  );
  return { url: `http://127.0.0.1:${port}`, close: proc.close };
}

/**
 * Portkey's counterpart of the reference guardrail, with the checks it has built in: `default.contains` (none of
 * the same custom words) and one `default.regexMatch` per reference regex that JavaScript can compile (must not
 * match), as a before-request (input) and an after-request (output) guardrail that deny on failure.
 */
function portkeyConfig(guardrail: CreateGuardrailCommandInput, upstreamUrl: string): { config: object; words: number; regexes: number } {
  const words = (guardrail.wordPolicyConfig?.wordsConfig ?? []).map((w) => w.text ?? '').filter((w) => w !== '');
  const regexes = (guardrail.sensitiveInformationPolicyConfig?.regexesConfig ?? [])
    .map((r) => r.pattern ?? '')
    .filter((p) => {
      try {
        new RegExp(p);
        return p !== '';
      } catch {
        return false;
      }
    });
  const checks = [
    { id: 'default.contains', parameters: { words, operator: 'none' } },
    ...regexes.map((rule) => ({ id: 'default.regexMatch', parameters: { rule, not: true } })),
  ];
  const hook = (id: string) => ({ type: 'guardrail', id, checks, deny: true });
  return {
    config: {
      provider: 'openai',
      api_key: 'sk-bench',
      custom_host: upstreamUrl,
      before_request_hooks: [hook('bench-input')],
      after_request_hooks: [hook('bench-output')],
    },
    words: words.length,
    regexes: regexes.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

interface Series {
  latencies: number[];
  requests: number;
  elapsedMs: number;
}

type Target = 'direct' | 'parapet' | 'portkey';
type SeriesKey = `${Target}@${number}` | 'sdk@1';

function fmtMs(ms: number): string {
  return ms.toFixed(ms < 10 ? 3 : 1);
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${fmtMs(ms)}`;
}

/** Starts the replicas: the first alone (it bootstraps the store), then the others side by side. */
async function startReplicas(dataDir: string, args: string[]): Promise<ParapetProcess[]> {
  const env: Record<string, string> = { PARAPET_DEMO: '0', ...(INLINE_CHARS !== undefined ? { PARAPET_ASSESSMENT_INLINE_CHARS: String(INLINE_CHARS) } : {}) };
  const nodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const first = await startParapetProcess({ dataDir, args, env, nodeArgs });
  try {
    const rest = await Promise.all(Array.from({ length: REPLICAS - 1 }, () => startParapetProcess({ dataDir, args, env, nodeArgs })));
    return [first, ...rest];
  } catch (err) {
    await first.close();
    throw err;
  }
}

async function main(): Promise<void> {
  if (REPLICAS > 1 && !DATABASE)
    throw new Error('BENCH_GATEWAY_REPLICAS > 1 needs BENCH_GATEWAY_DATABASE: the replicas share one PostgreSQL database');
  const prompt = benignText(PROMPT_BYTES);
  const guardrail = withWords(loadReferenceGuardrail<CreateGuardrailCommandInput>(), WORDS);
  const upstream: FakeOpenAI = await startFakeOpenAI({ record: false });
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-bench-'));
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  const modelsFile = join(dataDir, 'models.json');
  writeFileSync(
    modelsFile,
    JSON.stringify({ providers: { fake: { type: 'openai', baseUrl: upstream.url } }, models: { [MODEL]: { provider: 'fake', model: 'fake' } } }),
  );
  let replicas: ParapetProcess[] = [];
  let portkey: PortkeyProcess | undefined;
  let client: LoadClient | undefined;
  try {
    replicas = await startReplicas(dataDir, [
      '--no-quotas',
      '--models',
      modelsFile,
      ...(DATABASE ? ['--database', DATABASE, '--database-schema', schema] : []),
      ...(THREADS !== undefined ? ['--assessment-threads', String(THREADS)] : []),
    ]);
    const first = replicas[0] as ParapetProcess;
    const api = adminApi(first);
    const setup = await setUpOrganization(first, guardrail);
    const c = setup.memberCreds;
    const bearer = `Bearer ${c.accessKeyId}:${c.secretAccessKey}:${c.sessionToken ?? ''}`;
    // Every replica must enforce both guardrails before the load starts (the change feed reached them).
    let recordsPerCall = 0;
    for (const r of replicas) recordsPerCall = await probe(r, api, setup, bearer, prompt);
    const auditBefore = await settledAuditCount(api);

    const pk = portkeyConfig(guardrail, upstream.url);
    if (PORTKEY) portkey = await startPortkey();
    const targets: LoadClientInit['http'] = {
      direct: { urls: [`${upstream.url}/chat/completions`], headers: {}, check: 'plain' },
      parapet: { urls: replicas.map((r) => `${r.url}/v1/chat/completions`), headers: { authorization: bearer }, check: 'parapet' },
    };
    if (portkey)
      targets.portkey = {
        urls: [`${portkey.url}/v1/chat/completions`],
        headers: { 'x-portkey-config': JSON.stringify(pk.config) },
        check: 'portkey',
      };
    client = await startLoadClient({
      http: targets,
      sdk: { endpoint: first.url, region: REGION, credentials: c, modelId: MODEL },
      prompt,
      model: MODEL,
      maxSockets: Math.max(...CONCURRENCIES),
    });

    const sides: Target[] = ['direct', 'parapet', ...(portkey ? (['portkey'] as const) : [])];
    const series = new Map<SeriesKey, Series>();
    let gatewayCalls = 0;
    const started = performance.now();
    for (let round = 0; round <= ROUNDS; round++) {
      const warmUp = round === 0;
      // Interleave, rotating which side goes first, so drift on the shared machine hits every side alike.
      const order = sides.map((_, i) => sides[(i + round) % sides.length] as Target);
      const cmds: LoadCommand[] = [];
      for (const concurrency of CONCURRENCIES)
        for (const target of order) cmds.push({ target, concurrency, requests: concurrency === 1 ? REQUESTS_C1 : REQUESTS_C32 });
      cmds.push({ target: 'sdk', concurrency: 1, requests: REQUESTS_SDK });
      for (const cmd of cmds) {
        const r = await client.run(cmd);
        if (r.failed > 0)
          throw new Error(
            `${r.failed} of ${cmd.requests} ${cmd.target} requests at concurrency ${cmd.concurrency} failed or were intervened ` +
              `(the measurement would be meaningless):\n  ${r.failures.join('\n  ')}`,
          );
        if (cmd.target === 'parapet' || cmd.target === 'sdk') gatewayCalls += cmd.requests;
        if (warmUp) continue;
        const key = `${cmd.target}@${cmd.concurrency}` as SeriesKey;
        const s = series.get(key) ?? { latencies: [], requests: 0, elapsedMs: 0 };
        s.latencies.push(...r.latencies);
        s.requests += cmd.requests;
        s.elapsedMs += r.elapsedMs;
        series.set(key, s);
      }
    }
    const wallS = (performance.now() - started) / 1000;
    const auditAfter = await settledAuditCount(api);
    const verified = (await callApi(api, 'GET', '/admin/v1/audit/verify', { service: 'parapet' })) as {
      ok: boolean;
      count: number;
      brokenAt?: number;
    };

    const stats = (key: SeriesKey) => {
      const s = series.get(key);
      if (!s) throw new Error(`no samples for ${key}`);
      const sorted = [...s.latencies].sort((a, b) => a - b);
      return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), rps: s.requests / (s.elapsedMs / 1000) };
    };

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const store = DATABASE ? `PostgreSQL (${REPLICAS} replica${REPLICAS > 1 ? 's, round-robin' : ''})` : 'SQLite';
    console.log('Parapet gateway benchmark — latency added to the same fake OpenAI upstream, side by side with Portkey');
    console.log(`machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; Parapet store: ${store}`);
    console.log(
      `Parapet: reference guardrail (all policies, ${WORDS} words) enforced twice on every call — organization policy ` +
        `(management account's guardrail) + account-level enforcement (member's own guardrail); input and output assessed; ` +
        `every call audited durably before its answer; assessment threads: ` +
        `${THREADS === undefined ? "parapet serve's default" : THREADS === 0 ? '0 (on the event loop)' : THREADS}${INLINE_CHARS !== undefined ? ` (texts under ${INLINE_CHARS} characters on the event loop)` : ''}`,
    );
    if (portkey)
      console.log(
        `Portkey: @portkey-ai/gateway 1.15.2 (node build/start-server.js --headless, NODE_ENV=production), config in x-portkey-config: ` +
          `input and output guardrails, each default.contains (${pk.words} words, operator none) + ${pk.regexes} default.regexMatch ` +
          `(the reference regexes), deny on failure`,
      );
    console.log(
      `prompt: ${Buffer.byteLength(prompt)} B benign English (answer echoes it); client: separate process, node:http keep-alive ` +
        `(maxSockets ${Math.max(...CONCURRENCIES)} per server), OpenAI chat-completions JSON; Parapet via /v1/chat/completions ` +
        `with the member's assumed-role key as bearer`,
    );
    console.log(
      `settings: ${ROUNDS} interleaved rounds after 1 warm-up round; per round ${REQUESTS_C1} req at c=1, ${REQUESTS_C32} req at c=32, ` +
        `${REQUESTS_SDK} SDK Converse at c=1; quotas off; every server in its own process, the fake upstream in the ` +
        `benchmark's; ${wallS.toFixed(1)} s of load\n`,
    );

    const rows: string[][] = [];
    const verdicts: string[] = [];
    for (const concurrency of CONCURRENCIES) {
      const d = stats(`direct@${concurrency}`);
      rows.push(['direct (fake upstream)', String(concurrency), String(d.n), fmtMs(d.p50), fmtMs(d.p99), d.rps.toFixed(0), '', '']);
      const added: Partial<Record<Target, { p50: number; p99: number; rps: number }>> = {};
      for (const side of sides.filter((t) => t !== 'direct')) {
        const g = stats(`${side}@${concurrency}`);
        added[side] = { p50: g.p50 - d.p50, p99: g.p99 - d.p99, rps: g.rps };
        const name = side === 'parapet' ? 'Parapet (org + account)' : 'Portkey (contains + regex)';
        rows.push([name, String(concurrency), String(g.n), fmtMs(g.p50), fmtMs(g.p99), g.rps.toFixed(0), signed(g.p50 - d.p50), signed(g.p99 - d.p99)]);
      }
      const pa = added.parapet;
      const po = added.portkey;
      if (!pa) continue;
      const parts = [`added p50 ${signed(pa.p50)} ms ${pa.p50 <= TARGET_P50_MS ? '≤' : '>'} ${TARGET_P50_MS}`, `p99 ${signed(pa.p99)} ms ${pa.p99 <= TARGET_P99_MS ? '≤' : '>'} ${TARGET_P99_MS}`];
      let ok = pa.p50 <= TARGET_P50_MS && pa.p99 <= TARGET_P99_MS;
      if (po) {
        const ratio = pa.p50 / po.p50;
        parts.push(`added p50 ${ratio.toFixed(2)}× Portkey's (target ≤ 0.5)`);
        ok &&= ratio <= 0.5;
        if (concurrency === 32) {
          const tput = pa.rps / po.rps;
          parts.push(`throughput ${tput.toFixed(2)}× Portkey's (target ≥ 3)`);
          ok &&= tput >= 3;
        }
      }
      verdicts.push(`c=${concurrency} ${ok ? 'PASS' : 'MISS'}: ${parts.join(', ')}`);
    }
    const s = stats('sdk@1');
    rows.push(['Parapet, SDK Converse (info)', '1', String(s.n), fmtMs(s.p50), fmtMs(s.p99), s.rps.toFixed(0), '', '']);
    printTable(['path', 'conc', 'samples', 'p50 ms', 'p99 ms', 'req/s', 'added p50', 'added p99'], rows);
    console.log(`\n(req/s at c=32 is the maximum throughput of each path on this machine, the load generator sharing its cores)`);
    for (const v of verdicts) console.log(`verdict ${v}`);
    const expectedRecords = gatewayCalls * recordsPerCall;
    console.log(
      `audit: chain ${verified.ok ? 'verifies' : `BROKEN at ${String(verified.brokenAt)}`}, ${verified.count} records; ` +
        `${auditAfter - auditBefore} written during the load = ${gatewayCalls} Parapet calls × ${recordsPerCall} ` +
        `(1 invocation + ${recordsPerCall - 1} guardrail applications)${auditAfter - auditBefore === expectedRecords ? '' : ` — EXPECTED ${expectedRecords}`}`,
    );
  } finally {
    await client?.close();
    await portkey?.close();
    await Promise.all(replicas.map((r) => r.close()));
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (DATABASE) await dropSchemas(DATABASE, schema);
  }
}

await main();

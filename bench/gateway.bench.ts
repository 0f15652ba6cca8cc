/**
 * Gateway benchmark: the latency Parapet adds to a model call, with the reference guardrail (all policies, 1,000
 * words) enforced at organization level AND a second copy enforced at account level on the calling member
 * account, versus calling the same fake OpenAI upstream directly. p50/p99 at concurrency 1 and 32 and the
 * throughput at 32, from a load generator in its own process (bench/load-client.ts), rounds interleaved after a
 * discarded warm-up round. Also: Converse through @aws-sdk/client-bedrock-runtime at concurrency 1, for
 * information. Every answer is checked to be the un-intervened echo of the prompt.
 *
 *   node --import tsx bench/gateway.bench.ts
 *   BENCH_GATEWAY_ROUNDS=5 BENCH_GATEWAY_REQUESTS=200 BENCH_GATEWAY_REQUESTS_C32=1000 node --import tsx bench/gateway.bench.ts
 *   BENCH_GATEWAY_DATABASE=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/gateway.bench.ts   (the
 *     PostgreSQL store, in a fresh schema dropped afterwards)
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CreateGuardrailCommandInput } from '@aws-sdk/client-bedrock';
import pg from 'pg';
import { type RunningServer, startServer } from '../src/server/serve.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../test/helpers/fake-openai-upstream.ts';
import type { LoadClientInit, LoadCommand, LoadResult } from './load-client.ts';
import { benignText, MODEL, REGION, setUpOrganization, type Setup } from './gateway-setup.ts';
import { loadReferenceGuardrail, withWords } from './reference.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

const ROUNDS = envInt('BENCH_GATEWAY_ROUNDS', 5);
const REQUESTS_C1 = envInt('BENCH_GATEWAY_REQUESTS', 200);
const REQUESTS_C32 = envInt('BENCH_GATEWAY_REQUESTS_C32', 1000);
const REQUESTS_SDK = envInt('BENCH_GATEWAY_SDK_REQUESTS', REQUESTS_C1);
const PROMPT_BYTES = envInt('BENCH_GATEWAY_PROMPT_BYTES', 1024);
const WORDS = envInt('BENCH_GATEWAY_WORDS', 1000);
const CONCURRENCIES = [1, 32] as const;
/** A PostgreSQL URL: run the gateway on the PostgreSQL store (in a throw-away schema) instead of SQLite. */
const DATABASE = process.env.BENCH_GATEWAY_DATABASE || undefined;
const TARGET_P50_MS = 2;
const TARGET_P99_MS = 5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

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

/** The newest audit sequence number, once no record was added for `quietMs` (the after-response appends settled). */
async function settledAuditHead(server: RunningServer, quietMs = 200): Promise<number> {
  const head = async () => {
    await server.gateway.drain();
    return (await server.services.store.audit.list({ limit: 1 }))[0]?.seq ?? 0;
  };
  let last = await head();
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await head();
    if (now === last) return now;
    last = now;
  }
}

/** One call through the gateway: both guardrails must be applied, the answer must be the un-intervened echo. */
async function probe(server: RunningServer, setup: Setup, bearer: string, prompt: string): Promise<number> {
  const before = await settledAuditHead(server);
  const res = await fetch(`${server.url}/v1/chat/completions`, {
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
  const after = await settledAuditHead(server);
  const [record] = await server.services.store.audit.list({ action: 'parapet:ChatCompletions', limit: 1 });
  const applied = ((record?.detail as { guardrails?: Array<{ guardrail: string; origin: string[] }> } | undefined)?.guardrails ?? [])
    .map((g) => `${g.guardrail} ${g.origin.join('+')}`)
    .sort();
  const expected = [`${setup.accountGuardrailArn}:1 ACCOUNT_ENFORCED`, `${setup.orgGuardrailArn}:1 ORGANIZATION_ENFORCED`].sort();
  if (JSON.stringify(applied) !== JSON.stringify(expected))
    throw new Error(`probe: expected both enforced guardrails to apply, the audit record shows ${JSON.stringify(applied)}`);
  return after - before;
}

// ---------------------------------------------------------------------------------------------------------------
// The run

interface Series {
  latencies: number[];
  requests: number;
  elapsedMs: number;
}

type SeriesKey = `${'direct' | 'gateway'}@${number}` | 'sdk@1';

function fmtMs(ms: number): string {
  return ms.toFixed(ms < 10 ? 3 : 1);
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${fmtMs(ms)}`;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const prompt = benignText(PROMPT_BYTES);
  const guardrail = withWords(loadReferenceGuardrail<CreateGuardrailCommandInput>(), WORDS);
  const upstream: FakeOpenAI = await startFakeOpenAI({ record: false });
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-bench-'));
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  let server: RunningServer | undefined;
  let client: LoadClient | undefined;
  try {
    server = await startServer({
      port: 0,
      dataDir,
      ...(DATABASE ? { database: DATABASE, databaseSchema: schema } : {}),
      quotas: { disabled: true },
      models: { providers: { fake: { type: 'openai', baseUrl: upstream.url } }, models: { [MODEL]: { provider: 'fake', model: 'fake' } } },
    });
    const setup = await setUpOrganization(server, guardrail);
    const c = setup.memberCreds;
    const bearer = `Bearer ${c.accessKeyId}:${c.secretAccessKey}:${c.sessionToken ?? ''}`;
    const recordsPerCall = await probe(server, setup, bearer, prompt);
    const auditBefore = await settledAuditHead(server);

    client = await startLoadClient({
      http: {
        direct: { url: `${upstream.url}/chat/completions`, headers: {}, guarded: false },
        gateway: { url: `${server.url}/v1/chat/completions`, headers: { authorization: bearer }, guarded: true },
      },
      sdk: { endpoint: server.url, region: REGION, credentials: c, modelId: MODEL },
      prompt,
      model: MODEL,
      maxSockets: Math.max(...CONCURRENCIES),
    });

    const series = new Map<SeriesKey, Series>();
    let gatewayCalls = 0;
    const started = performance.now();
    for (let round = 0; round <= ROUNDS; round++) {
      const warmUp = round === 0;
      // Interleave, alternating which side goes first, so drift on the shared machine hits both alike.
      const sides = round % 2 === 0 ? (['direct', 'gateway'] as const) : (['gateway', 'direct'] as const);
      const cmds: LoadCommand[] = [];
      for (const concurrency of CONCURRENCIES)
        for (const target of sides) cmds.push({ target, concurrency, requests: concurrency === 1 ? REQUESTS_C1 : REQUESTS_C32 });
      cmds.push({ target: 'sdk', concurrency: 1, requests: REQUESTS_SDK });
      for (const cmd of cmds) {
        const r = await client.run(cmd);
        if (r.failed > 0)
          throw new Error(
            `${r.failed} of ${cmd.requests} ${cmd.target} requests at concurrency ${cmd.concurrency} failed or were intervened ` +
              `(the measurement would be meaningless):\n  ${r.failures.join('\n  ')}`,
          );
        if (cmd.target !== 'direct') gatewayCalls += cmd.requests;
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
    const auditAfter = await settledAuditHead(server);
    const verified = await server.services.store.audit.verify();

    const stats = (key: SeriesKey) => {
      const s = series.get(key);
      if (!s) throw new Error(`no samples for ${key}`);
      const sorted = [...s.latencies].sort((a, b) => a - b);
      return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), rps: s.requests / (s.elapsedMs / 1000) };
    };

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log('Parapet gateway benchmark — added latency vs the same fake OpenAI upstream called directly');
    console.log(`machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; store: ${server.database}`);
    console.log(
      `guardrails: reference (all policies, ${WORDS} words) enforced twice on every call — organization policy ` +
        `(management account's guardrail) + account-level enforcement (member's own guardrail); input and output assessed`,
    );
    console.log(
      `prompt: ${Buffer.byteLength(prompt)} B benign English (answer echoes it, ${Buffer.byteLength(`You said: ${prompt}`)} B); ` +
        `client: separate process, node:http keep-alive (maxSockets ${Math.max(...CONCURRENCIES)}), OpenAI chat-completions JSON, ` +
        `gateway via /v1/chat/completions with the member's assumed-role key as bearer`,
    );
    console.log(
      `settings: ${ROUNDS} interleaved rounds after 1 warm-up round; per round ${REQUESTS_C1} req at c=1, ${REQUESTS_C32} req at c=32, ` +
        `${REQUESTS_SDK} SDK Converse at c=1; quotas off; servers (gateway + fake upstream) share the parent process; ${wallS.toFixed(1)} s of load\n`,
    );

    const rows: string[][] = [];
    const verdicts: string[] = [];
    for (const concurrency of CONCURRENCIES) {
      const d = stats(`direct@${concurrency}`);
      const g = stats(`gateway@${concurrency}`);
      rows.push(['direct (fake upstream)', String(concurrency), String(d.n), fmtMs(d.p50), fmtMs(d.p99), d.rps.toFixed(0)]);
      rows.push(['gateway (org + account)', String(concurrency), String(g.n), fmtMs(g.p50), fmtMs(g.p99), g.rps.toFixed(0)]);
      const a50 = g.p50 - d.p50;
      const a99 = g.p99 - d.p99;
      rows.push([
        '  added by the gateway',
        String(concurrency),
        '',
        signed(a50),
        signed(a99),
        `${((g.rps / d.rps) * 100).toFixed(0)}%`,
      ]);
      const ok = a50 <= TARGET_P50_MS && a99 <= TARGET_P99_MS;
      verdicts.push(`c=${concurrency} ${ok ? 'PASS' : 'MISS'} (p50 ${signed(a50)} ms, p99 ${signed(a99)} ms)`);
    }
    const s = stats('sdk@1');
    rows.push(['gateway, SDK Converse (info)', '1', String(s.n), fmtMs(s.p50), fmtMs(s.p99), s.rps.toFixed(0)]);
    printTable(['path', 'conc', 'samples', 'p50 ms', 'p99 ms', 'req/s'], rows);
    console.log(
      `\n(req/s of "added" = gateway throughput as a share of direct; req/s at c=32 is the maximum throughput of each path on this machine)`,
    );
    console.log(`verdict vs target (added p50 ≤ ${TARGET_P50_MS} ms, p99 ≤ ${TARGET_P99_MS} ms): ${verdicts.join('; ')}`);
    const expectedRecords = gatewayCalls * recordsPerCall;
    console.log(
      `audit: chain ${verified.ok ? 'verifies' : `BROKEN at ${String(verified.brokenAt)}`}, ${verified.count} records; ` +
        `${auditAfter - auditBefore} written during the load = ${gatewayCalls} gateway calls × ${recordsPerCall} ` +
        `(1 invocation + ${recordsPerCall - 1} guardrail applications)${auditAfter - auditBefore === expectedRecords ? '' : ` — EXPECTED ${expectedRecords}`}`,
    );
  } finally {
    await client?.close();
    await server?.close();
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (DATABASE) {
      const c = new pg.Client({ connectionString: DATABASE });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  }
}

await main();

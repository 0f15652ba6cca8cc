/**
 * ApplyGuardrail API benchmark: throughput and latency of SigV4-signed ApplyGuardrail calls with 1 KB benign
 * texts over keep-alive HTTP/1.1 (issue 8, item 3: ≥ 3,000 req/s with p99 ≤ 10 ms on a 2-core machine).
 *
 * The server runs in its own process (bench/server-process.ts, quotas off), and so does the load generator
 * (bench/apply-client.ts: a keep-alive node:http Agent that signs every request for real). The reference
 * guardrail (all policies, BENCH_APPLY_WORDS words) is created and published as version 1 by the management
 * account of an organization (bench/gateway-setup.ts) and applied by that account's own principal. After a
 * warm-up, each concurrency runs for a fixed time; every answer is checked (HTTP 200, action NONE, the expected
 * assessment), and a failed or intervened call counts as an error, never as a measurement. Afterwards the audit
 * trail is verified and its ApplyGuardrail records are counted against the calls made (one each).
 *
 *   node --import tsx bench/apply-guardrail.bench.ts          (npm run bench:apply)
 *   BENCH_APPLY_SECONDS=10 BENCH_APPLY_CONCURRENCIES=1,16,64 BENCH_APPLY_WARMUP_SECONDS=3 node --import tsx bench/apply-guardrail.bench.ts
 *   BENCH_APPLY_SIGNING=pool …       sign a pool of distinct requests once per second instead of every request
 *   BENCH_APPLY_CPU_PROF=/tmp/prof … run the server with --cpu-prof, the profile written to that directory
 *   BENCH_APPLY_DATABASE=postgres://postgres@127.0.0.1:5432/test …   the PostgreSQL store, in a throw-away schema
 *   BENCH_APPLY_GUARDRAIL=minimal …  a one-word guardrail instead of the reference: the engine has next to nothing to
 *     do, so the figures are the rest of the path (HTTP, SigV4, authorization, audit); the difference from a
 *     reference run is what the engine costs in the server
 *   BENCH_APPLY_THREADS=N …          the server with N assessment threads (`--assessment-threads N`; default: as
 *     `parapet serve`, 2 on 2 cores or more; 0 = on the event loop); BENCH_APPLY_INLINE_CHARS=n … texts shorter than
 *     n characters assessed on the event loop
 *   BENCH_APPLY_BIG_BYTES=100000 BENCH_APPLY_BIG_CONCURRENCY=2 …   while each concurrency runs, that many more
 *     callers send texts of that size: the small calls' p50/p99 then say whether the event loop stays responsive
 *     while large texts are assessed (the large calls are reported apart)
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CreateGuardrailCommandInput } from '@aws-sdk/client-bedrock';
import { assess } from '../src/engine/assess.ts';
import { compile } from '../src/engine/compile.ts';
import type { GuardrailConfig } from '../src/engine/config/types.ts';
import { defaultAssessmentThreads } from '../src/runtime/assessment-pool.ts';
import type { ApplyClientInit, ApplyRun, ApplyRunResult } from './apply-client.ts';
import { benignText, REGION, setUpOrganization } from './gateway-setup.ts';
import { loadReferenceGuardrail, withWords } from './reference.ts';
import type { ServerCommand, ServerProcessReady } from './server-process.ts';
import { dropSchemas } from '../test/helpers/postgres.ts';
import { envCount, envInt, percentile, printTable } from './report.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const list = raw.split(',').map(Number);
  if (!list.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`${name} must be positive integers separated by commas, got "${raw}"`);
  return list;
}

const SECONDS = envInt('BENCH_APPLY_SECONDS', 10);
const WARMUP_SECONDS = envInt('BENCH_APPLY_WARMUP_SECONDS', 3);
const CONCURRENCIES = envList('BENCH_APPLY_CONCURRENCIES', [1, 16, 64]);
const TEXT_BYTES = envInt('BENCH_APPLY_TEXT_BYTES', 1024);
const WORDS = envInt('BENCH_APPLY_WORDS', 1000);
/** Distinct texts sent in turn. */
const TEXTS = 16;
const SIGNING: ApplyClientInit['signing'] = process.env.BENCH_APPLY_SIGNING === 'pool' ? 'pool' : 'each';
/** `minimal`: one custom word and nothing else (see above). */
const MINIMAL = process.env.BENCH_APPLY_GUARDRAIL === 'minimal';
const CPU_PROF_DIR = process.env.BENCH_APPLY_CPU_PROF || undefined;
/** A PostgreSQL URL: run the server on the PostgreSQL store (in a throw-away schema) instead of SQLite. */
const DATABASE = process.env.BENCH_APPLY_DATABASE || undefined;
/** Assessment threads of the server (default: `parapet serve`'s). */
const THREADS = envCount('BENCH_APPLY_THREADS') ?? defaultAssessmentThreads();
const INLINE_CHARS = envCount('BENCH_APPLY_INLINE_CHARS');
/** Large-text callers running alongside each concurrency (0: none), and their text size. */
const BIG_BYTES = envInt('BENCH_APPLY_BIG_BYTES', 0);
const BIG_CONCURRENCY = BIG_BYTES ? envInt('BENCH_APPLY_BIG_CONCURRENCY', 2) : 0;
const TARGET_RPS = 3_000;
const TARGET_P99_MS = 10;

// ---------------------------------------------------------------------------------------------------------------
// Child processes speaking JSON lines

interface Child {
  /** The next JSON line the child prints. */
  next<T>(timeoutMs: number): Promise<T>;
  send(value: unknown): void;
  /** Closes its stdin and waits for it to exit (killed after `graceMs`). */
  close(graceMs: number): Promise<void>;
}

/** Spawns `node [nodeArgs] --import tsx script [args]` and reads the JSON lines of its stdout in order. */
function spawnJsonChild(script: string, args: string[], nodeArgs: string[] = []): Child {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  const buffered: unknown[] = [];
  let exited: Error | undefined;
  child.on('exit', (code, signal) => {
    exited = new Error(`${script} exited (code ${String(code)}, signal ${String(signal)})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const value: unknown = JSON.parse(line);
    const w = waiting.shift();
    if (w) w.resolve(value);
    else buffered.push(value);
  });
  return {
    next<T>(timeoutMs: number) {
      if (buffered.length) return Promise.resolve(buffered.shift() as T);
      return new Promise<T>((resolve, reject) => {
        if (exited) return reject(exited);
        const timer = setTimeout(() => reject(new Error(`${script} did not answer within ${timeoutMs} ms`)), timeoutMs);
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
    },
    send(value) {
      child.stdin.write(`${JSON.stringify(value)}\n`);
    },
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill(), graceMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin.end();
      }),
  };
}

/** Asks the server process one question (see bench/server-process.ts). */
async function ask<T>(server: Child, c: ServerCommand, timeoutMs = 120_000): Promise<T> {
  server.send(c);
  const out = await server.next<T & { error?: string }>(timeoutMs);
  if (out.error) throw new Error(`server process: ${out.error}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs and the engine on its own

/** `TEXTS` distinct benign texts of exactly `bytes` characters (windows into a longer benign text). */
function benignTexts(bytes: number, count = TEXTS): string[] {
  const long = benignText(bytes + count * 61);
  return Array.from({ length: count }, (_, i) => long.slice(i * 61, i * 61 + bytes));
}

/**
 * The engine's share of a call: `assess` alone on the same compiled guardrail and texts, in this process before
 * the load starts (µs per call, mean and p50 over ~2 s after a warm-up).
 */
function engineAlone(config: GuardrailConfig, texts: string[]): { meanUs: number; p50Us: number } {
  const compiled = compile(config);
  const reqs = texts.map((text) => ({ source: 'INPUT' as const, content: [{ text }] }));
  for (let i = 0; i < 200; i++) assess(compiled, reqs[i % reqs.length] as (typeof reqs)[number]);
  const samples: number[] = [];
  const until = performance.now() + 2_000;
  for (let i = 0; performance.now() < until; i++) {
    const t0 = performance.now();
    const r = assess(compiled, reqs[i % reqs.length] as (typeof reqs)[number]);
    samples.push(performance.now() - t0);
    if (r.action !== 'NONE') throw new Error(`the engine intervened on benchmark text ${i % reqs.length}: the text is not benign`);
  }
  samples.sort((a, b) => a - b);
  return { meanUs: (samples.reduce((a, b) => a + b, 0) / samples.length) * 1000, p50Us: percentile(samples, 50) * 1000 };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

interface Row {
  run: ApplyRunResult;
  rps: number;
  p50: number;
  p99: number;
  /** Server process CPU (all threads: the event loop, the audit writer, V8's compiler and GC) per call, µs. */
  serverUs: number;
  /**
   * The main thread's own CPU time per call, µs (Linux; else its event loop's busy time, which also counts waiting
   * for a core): every call passes through that one thread, so 1e6 / this bounds the server's req/s.
   */
  loopUs: number;
  /** Load generator CPU per call, µs. */
  clientUs: number;
  /** With large-text callers: their calls and latencies. */
  big?: { calls: number; p50: number; p99: number; rps: number };
}

interface ServerCpu {
  userMs: number;
  systemMs: number;
  activeMs: number;
  mainCpuMs?: number;
}

function rowOf(run: ApplyRunResult, cpu0: ServerCpu, cpu1: ServerCpu): Row {
  const serverCpuMs = cpu1.userMs + cpu1.systemMs - (cpu0.userMs + cpu0.systemMs);
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const big = run.bigLatencies ? [...run.bigLatencies].sort((a, b) => a - b) : undefined;
  return {
    ...(big
      ? { big: { calls: run.bigCalls ?? big.length, p50: percentile(big, 50), p99: percentile(big, 99), rps: big.length / (run.elapsedMs / 1000) } }
      : {}),
    run,
    rps: run.latencies.length / (run.elapsedMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    serverUs: (serverCpuMs * 1000) / Math.max(1, run.calls),
    loopUs:
      ((cpu1.mainCpuMs !== undefined && cpu0.mainCpuMs !== undefined ? cpu1.mainCpuMs - cpu0.mainCpuMs : cpu1.activeMs - cpu0.activeMs) * 1000) /
      Math.max(1, run.calls),
    clientUs: (run.clientCpuMs * 1000) / Math.max(1, run.calls),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

/** The guardrail applied: the reference (every policy, `WORDS` words), or with `minimal` a single custom word. */
function benchGuardrail<T extends { wordPolicyConfig?: { wordsConfig?: ReadonlyArray<{ text?: string }> } }>(): T {
  const reference = loadReferenceGuardrail<T & { name: string; blockedInputMessaging: string; blockedOutputsMessaging: string }>();
  if (!MINIMAL) return withWords(reference, WORDS);
  const { name, blockedInputMessaging, blockedOutputsMessaging } = reference;
  return { name, blockedInputMessaging, blockedOutputsMessaging, wordPolicyConfig: { wordsConfig: [{ text: 'zyzzogeton' }] } } as unknown as T;
}

async function main(): Promise<void> {
  const guardrail = benchGuardrail<CreateGuardrailCommandInput>();
  const texts = benignTexts(TEXT_BYTES);
  const engine = engineAlone(benchGuardrail<GuardrailConfig>(), texts);

  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-bench-apply-'));
  const schema = `bench_apply_${process.pid}_${Date.now().toString(36)}`;
  const serveOptions = {
    port: 0,
    dataDir,
    quotas: { disabled: true },
    ...(DATABASE ? { database: DATABASE, databaseSchema: schema } : {}),
    assessmentThreads: THREADS,
    ...(INLINE_CHARS !== undefined ? { assessmentInlineChars: INLINE_CHARS } : {}),
  };
  const server = spawnJsonChild('./server-process.ts', [JSON.stringify(serveOptions)], CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []);
  let client: Child | undefined;
  try {
    const ready = await server.next<ServerProcessReady>(60_000);
    const setup = await setUpOrganization(ready, guardrail);
    const mgmt = ready.credentials.accounts.find((a) => a.role === 'management');
    if (!mgmt) throw new Error('no management account was bootstrapped');
    const guardrailArn = setup.orgGuardrailArn;
    const guardrailId = guardrailArn.slice(guardrailArn.lastIndexOf('/') + 1);

    const load = spawnJsonChild('./apply-client.ts', []);
    client = load;
    const init: ApplyClientInit = {
      url: ready.url,
      region: REGION,
      credentials: { accessKeyId: mgmt.accessKeyId, secretAccessKey: mgmt.secretAccessKey },
      guardrailId,
      guardrailArn,
      guardrailVersion: '1',
      texts,
      signing: SIGNING,
      maxSockets: Math.max(...CONCURRENCIES) + BIG_CONCURRENCY,
      ...(BIG_BYTES ? { bigTexts: benignTexts(BIG_BYTES, 4) } : {}),
    };
    load.send(init);
    await load.next<{ ready: boolean }>(30_000);
    const runOnce = async (cmd: ApplyRun): Promise<Row> => {
      const cpu0 = await ask<ServerCpu>(server, { cmd: 'cpu' });
      load.send(cmd);
      const result = await load.next<ApplyRunResult>((cmd.seconds + 120) * 1000);
      const cpu1 = await ask<ServerCpu>(server, { cmd: 'cpu' });
      return rowOf(result, cpu0, cpu1);
    };

    const before = await ask<{ head: number }>(server, { cmd: 'audit' });
    const big = BIG_CONCURRENCY ? { big: BIG_CONCURRENCY } : {};
    const warm = await runOnce({ concurrency: Math.max(...CONCURRENCIES), seconds: WARMUP_SECONDS, ...big });
    const rows: Row[] = [];
    for (const concurrency of CONCURRENCIES) rows.push(await runOnce({ concurrency, seconds: SECONDS, ...big }));
    const calls = [warm, ...rows].reduce((n, r) => n + r.run.calls + (r.run.bigCalls ?? 0), 0);
    const after = await ask<{ head: number; verify: { ok: boolean; count: number; brokenAt?: number } }>(server, { cmd: 'audit' });
    const written = await ask<{ total: number; matching: number }>(server, { cmd: 'count', afterSeq: before.head, action: 'bedrock:ApplyGuardrail' });

    const mainThreadMeasured = (await ask<ServerCpu>(server, { cmd: 'cpu' })).mainCpuMs !== undefined;
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log('Parapet ApplyGuardrail API benchmark — SigV4-signed calls, keep-alive HTTP/1.1');
    console.log(`machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; store: ${ready.database}`);
    console.log(
      `guardrail: ${MINIMAL ? 'MINIMAL (one custom word: the engine does next to nothing; BENCH_APPLY_GUARDRAIL=minimal)' : `reference (all policies, ${WORDS} words)`}, ` +
        `version 1 of the management account's guardrail, applied by that account's root principal (identity + resource ` +
        `policy evaluated); source INPUT; quotas off`,
    );
    console.log(
      `texts: ${TEXTS} distinct ${TEXT_BYTES} B benign English texts sent in turn; signing: ` +
        (SIGNING === 'each'
          ? 'every request signed for real (@smithy/signature-v4)'
          : 'a pool of distinct requests signed once per second, sent in turn (BENCH_APPLY_SIGNING=pool)'),
    );
    console.log(
      `settings: server and load generator each in their own process (node:http keep-alive Agent); ${WARMUP_SECONDS} s warm-up at ` +
        `c=${Math.max(...CONCURRENCIES)} (${warm.rps.toFixed(0)} req/s), then ${SECONDS} s per concurrency` +
        `${CPU_PROF_DIR ? `; server under --cpu-prof (${CPU_PROF_DIR}) — slower than without` : ''}`,
    );
    console.log(
      `assessment threads: ${THREADS === 0 ? '0 (on the event loop)' : THREADS}${process.env.BENCH_APPLY_THREADS ? '' : " (parapet serve's default here)"}` +
        `${INLINE_CHARS !== undefined ? `, texts under ${INLINE_CHARS} characters on the event loop` : ''}` +
        `${BIG_CONCURRENCY ? `; meanwhile ${BIG_CONCURRENCY} more callers send ${BIG_BYTES} B texts (4 distinct; reported as "big")` : ''}\n`,
    );
    printTable(
      [
        'concurrency',
        'requests',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'server main thread µs/call',
        'server CPU µs/call',
        'client CPU µs/call',
        ...(BIG_CONCURRENCY ? ['big calls', 'big req/s', 'big p50 ms', 'big p99 ms'] : []),
      ],
      rows.map((r) => [
        String(r.run.concurrency),
        String(r.run.latencies.length),
        r.rps.toFixed(0),
        r.p50.toFixed(2),
        r.p99.toFixed(2),
        String(r.run.errors),
        r.loopUs.toFixed(0),
        r.serverUs.toFixed(0),
        r.clientUs.toFixed(0),
        ...(r.big ? [String(r.big.calls), r.big.rps.toFixed(1), r.big.p50.toFixed(1), r.big.p99.toFixed(1)] : []),
      ]),
    );
    const best = rows.filter((r) => r.run.errors === 0 && r.rps >= TARGET_RPS && r.p99 <= TARGET_P99_MS).sort((a, b) => b.rps - a.rps)[0];
    const top = [...rows].sort((a, b) => b.rps - a.rps)[0];
    console.log(
      `\nverdict vs target (≥ ${TARGET_RPS} req/s with p99 ≤ ${TARGET_P99_MS} ms): ` +
        (best
          ? `PASS at c=${best.run.concurrency} (${best.rps.toFixed(0)} req/s, p99 ${best.p99.toFixed(2)} ms)`
          : `MISS (best ${top ? `${top.rps.toFixed(0)} req/s at c=${top.run.concurrency}, p99 ${top.p99.toFixed(2)} ms` : 'none'})`),
    );
    const loopUs = top?.loopUs ?? Number.NaN;
    console.log(
      `engine alone (assess, this process, same guardrail and texts): mean ${engine.meanUs.toFixed(0)} µs, p50 ${engine.p50Us.toFixed(0)} µs per call` +
        ` = ${((engine.p50Us / loopUs) * 100).toFixed(0)}% (p50) of the server main thread's ${loopUs.toFixed(0)} µs per call at c=${top?.run.concurrency}` +
        ` (that thread's ceiling: ${(1e6 / loopUs).toFixed(0)} req/s)`,
    );
    console.log(
      `(server main thread = CPU time of the thread that answers every call${mainThreadMeasured ? '' : ' (here: its busy wall time, /proc is not available)'}; ` +
        'server CPU = all its threads (audit writer, V8 compiler and GC), kernel time included; client CPU = the load generator, which shares the same cores)',
    );
    const expected = calls;
    console.log(
      `audit: chain ${after.verify.ok ? 'verifies' : `BROKEN at ${String(after.verify.brokenAt)}`} (${after.verify.count} records); ` +
        `${after.head - before.head} written during the load, ${written.matching} of them bedrock:ApplyGuardrail, for ${calls} calls made ` +
        `(warm-up included; one record per call expected)${written.matching === expected && written.total === expected ? ' — as expected' : ` — EXPECTED ${expected}`}`,
    );
    const failures = [warm, ...rows].flatMap((r) => r.run.failures.map((f) => `c=${r.run.concurrency}: ${f}`));
    if (failures.length) {
      console.log(`\nerrors (first few):\n  ${failures.slice(0, 10).join('\n  ')}`);
      process.exitCode = 1;
    }
    if (!after.verify.ok || written.matching !== expected) process.exitCode = 1;
  } finally {
    await client?.close(5_000);
    await ask(server, { cmd: 'close' }).catch(() => undefined);
    await server.close(30_000);
    rmSync(dataDir, { recursive: true, force: true });
    if (DATABASE) await dropSchemas(DATABASE, schema);
  }
}

await main();

/**
 * Memory benchmark: the resident set size (RSS, from /proc; the server is its own process, so no heap figures) of
 * `parapet serve` idle, with 100 guardrails × 20 published versions compiled, and under a fixed-rate
 * ApplyGuardrail load for a soak (default 10 minutes), with a verdict on growth.
 *
 *   1. `parapet serve --no-quotas` (bench/parapet-process.ts; SQLite in a temporary data directory; the CLI's demo
 *      organization is created as on any first start). RSS just after the start banner and after a settle.
 *   2. Through @aws-sdk/client-bedrock: N guardrails (the reference guardrail, words padded as in the other
 *      benchmarks, a different name each), spread over the bootstrapped accounts within the per-account quota,
 *      each with V versions (UpdateGuardrail changes the blocked-input message between CreateGuardrailVersion
 *      calls, so every version differs). Then ApplyGuardrail once on every version, one at a time, so each is
 *      compiled. The server's compiled cache (src/engine/cache.ts) is an LRU bounded by weight (each entry weighs its
 *      configuration's JSON length, a DRAFT twice that; 16 MiB), so what it holds at the end is computed from those
 *      rules and the stored configurations (read from the SQLite file), and checked by timing: a call on a retained
 *      version must be fast, one on an evicted version pays a compile.
 *   3. A fixed-rate load (bench/memory-load.ts, its own process, SDK-signed ApplyGuardrail over HTTP/2) of 1 KB
 *      benign texts, alternating INPUT/OUTPUT, spread over the versions the cache retains (a load over evicted
 *      versions would measure compile thrash, not memory), for the soak. RSS sampled every 5 s.
 *
 *   node --import tsx bench/memory.bench.ts
 *   BENCH_MEMORY_SOAK_S=60 node --import tsx bench/memory.bench.ts
 *
 * Settings (environment): BENCH_MEMORY_RATE (req/s, 200), BENCH_MEMORY_SOAK_S (600), BENCH_MEMORY_SAMPLE_S (5),
 * BENCH_MEMORY_SETTLE_S (10), BENCH_MEMORY_GUARDRAILS (100), BENCH_MEMORY_VERSIONS (20), BENCH_MEMORY_WORDS (1000),
 * BENCH_MEMORY_SETUP_CONCURRENCY (4), BENCH_MEMORY_SHARED_SESSIONS=1 (the load shares one HTTP/2 connection per
 * account; by default every call opens its own, as @aws-sdk/client-bedrock-runtime does), BENCH_MEMORY_HEAPSNAPSHOTS=1 (the server takes a heap snapshot at the start
 * and at the end of the soak, kept in a printed directory; writing one inflates RSS, so use it to diagnose, not to
 * measure).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  BedrockClient,
  CreateGuardrailCommand,
  type CreateGuardrailCommandInput,
  CreateGuardrailVersionCommand,
  ListGuardrailsCommand,
  UpdateGuardrailCommand,
} from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import Database from 'better-sqlite3';
import { LIMITS } from '../src/engine/config/shape.ts';
import { mulberry32 } from '../src/core/seeded-random.ts';
import { benignText } from './gateway-setup.ts';
import type { MemoryLoadInit, MemoryLoadProgress, MemoryLoadResult, MemoryLoadTarget } from './memory-load.ts';
import { type ParapetProcess, rssOf, startParapetProcess } from './parapet-process.ts';
import { loadReferenceGuardrail, withWords } from './reference.ts';
import { type LoadProcess as GenericLoadProcess, startLoadProcess } from './load-process.ts';
import { envInt, percentile, printTable } from './report.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const RATE = envInt('BENCH_MEMORY_RATE', 200);
const SOAK_S = envInt('BENCH_MEMORY_SOAK_S', 600);
const SAMPLE_S = envInt('BENCH_MEMORY_SAMPLE_S', 5);
const SETTLE_S = envInt('BENCH_MEMORY_SETTLE_S', 10);
const GUARDRAILS = envInt('BENCH_MEMORY_GUARDRAILS', 100);
const VERSIONS = envInt('BENCH_MEMORY_VERSIONS', 20);
const WORDS = envInt('BENCH_MEMORY_WORDS', 1000);
const SETUP_CONCURRENCY = envInt('BENCH_MEMORY_SETUP_CONCURRENCY', 4);
const HEAPSNAPSHOTS = process.env.BENCH_MEMORY_HEAPSNAPSHOTS === '1';
/** 1: the load shares one HTTP/2 connection per account instead of the SDK's default of one per call. */
const SHARED_SESSIONS = process.env.BENCH_MEMORY_SHARED_SESSIONS === '1';
const TEXT_BYTES = 1024;
const REGION = 'us-east-1';
/** The verdict: growth extrapolated over the soak (slope × minutes) below this share of the starting RSS. */
const GROWTH_LIMIT = 0.05;
/** src/engine/cache.ts: createCompiledCache's default bound (serve.ts uses the default) and smallest entry weight. */
const CACHE_MAX_WEIGHT = 16 * 1024 * 1024;
const CACHE_MIN_WEIGHT = 1024;
/** Retained versions timed, and evicted versions timed (each of those compiles and evicts one entry). */
const PROBE_HITS = 40;
const PROBE_MISSES = 5;

const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

/** Peak RSS of a process so far (VmHWM), bytes. */
function peakRssOf(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) * 1024 : Number.NaN;
}

/** Least-squares slope of y over x. */
function slope(points: Array<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return num / den;
}

function log(message: string): void {
  process.stderr.write(`[memory] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// A model of the server's compiled cache (src/engine/cache.ts): an LRU over a Map in insertion order, bounded by the
// sum of entry weights; inserting evicts from the oldest until the total fits (never the entry just inserted).

class CacheModel {
  readonly entries = new Map<string, number>();
  total = 0;
  #remove(key: string): void {
    const w = this.entries.get(key);
    if (w === undefined) return;
    this.total -= w;
    this.entries.delete(key);
  }
  #insert(key: string, weight: number): void {
    this.#remove(key);
    this.entries.set(key, weight);
    this.total += weight;
    for (const k of this.entries.keys()) {
      if (this.total <= CACHE_MAX_WEIGHT || k === key) break;
      this.#remove(k);
    }
  }
  /** A DRAFT compiled with a configuration of `jsonLength` characters (a new fingerprint: always (re)inserted). */
  draft(arn: string, jsonLength: number): void {
    this.#insert(`${arn}:DRAFT`, Math.max(CACHE_MIN_WEIGHT, jsonLength * 2));
  }
  /** ApplyGuardrail on a published version: a hit moves it to the newest end, a miss compiles and inserts it. Returns hit. */
  version(arn: string, version: number, jsonLength: number): boolean {
    const key = `${arn}:${version}`;
    const w = this.entries.get(key);
    if (w !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, w);
      return true;
    }
    this.#insert(key, Math.max(CACHE_MIN_WEIGHT, jsonLength));
    return false;
  }
  has(arn: string, version: number): boolean {
    return this.entries.has(`${arn}:${version}`);
  }
  counts(): { versions: number; drafts: number } {
    let drafts = 0;
    for (const k of this.entries.keys()) if (k.endsWith(':DRAFT')) drafts++;
    return { versions: this.entries.size - drafts, drafts };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The load generator child process

type LoadProcess = GenericLoadProcess<MemoryLoadProgress, MemoryLoadResult>;

function startLoad(init: MemoryLoadInit): Promise<LoadProcess> {
  return startLoadProcess(fileURLToPath(new URL('./memory-load.ts', import.meta.url)), init);
}

// ---------------------------------------------------------------------------------------------------------------
// Heap snapshots (diagnosis only)

async function heapSnapshot(server: ParapetProcess, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(server.pid, 'SIGUSR2');
  for (let waited = 0; waited < 300_000; waited += 1000) {
    await sleep(1000);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    // Written in one go by the server's main thread; done once the size stops changing.
    const size = statSync(join(dir, file)).size;
    await sleep(1000);
    if (size > 0 && statSync(join(dir, file)).size === size) return join(dir, file);
  }
  throw new Error('the heap snapshot did not appear within 5 minutes');
}

// ---------------------------------------------------------------------------------------------------------------
// The run

interface Version {
  account: number;
  guardrailId: string;
  arn: string;
  version: number;
}

interface Phase {
  phase: string;
  rss: number;
  note: string;
}

async function main(): Promise<void> {
  const reference = withWords(loadReferenceGuardrail<CreateGuardrailCommandInput>(), WORDS);
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-bench-memory-'));
  const snapDir = HEAPSNAPSHOTS ? mkdtempSync(join(tmpdir(), 'parapet-heap-')) : undefined;
  const phases: Phase[] = [];
  const load0 = loadavg()[0] ?? 0;
  let server: ParapetProcess | undefined;
  let loader: LoadProcess | undefined;
  const controls: BedrockClient[] = [];
  const runtimes: BedrockRuntimeClient[] = [];
  try {
    // 1. Idle.
    server = await startParapetProcess({
      dataDir,
      args: ['--no-quotas'],
      ...(snapDir ? { nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapDir}`] } : {}),
    });
    const pid = server.pid;
    phases.push({ phase: 'idle, at the start banner', rss: rssOf(pid), note: 'classifier weights and word tables loaded' });
    await sleep(SETTLE_S * 1000);
    const idleRss = rssOf(pid);
    phases.push({ phase: `idle, after ${SETTLE_S} s`, rss: idleRss, note: '' });

    // 2. Guardrails and versions, across the bootstrapped accounts within the per-account quota.
    const accounts = server.credentials.accounts;
    const endpoint = server.url;
    for (const a of accounts) {
      const cfg = { region: REGION, endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 1 };
      controls.push(new BedrockClient(cfg));
      runtimes.push(new BedrockRuntimeClient(cfg));
    }
    const free: number[] = [];
    for (const c of controls) {
      const existing = (await c.send(new ListGuardrailsCommand({ maxResults: 1000 }))).guardrails?.length ?? 0;
      free.push(LIMITS.guardrailsPerAccountRegion - existing);
    }
    const owners: number[] = [];
    for (let g = 0, a = 0; g < GUARDRAILS; g++) {
      let tries = 0;
      while ((free[a % accounts.length] ?? 0) <= 0 && tries++ < accounts.length) a++;
      const idx = a % accounts.length;
      if ((free[idx] ?? 0) <= 0)
        throw new Error(`${GUARDRAILS} guardrails do not fit in ${accounts.length} accounts at ${LIMITS.guardrailsPerAccountRegion} per account`);
      free[idx] = (free[idx] ?? 0) - 1;
      owners.push(idx);
      a++;
    }
    if (VERSIONS > LIMITS.versionsPerGuardrail) throw new Error(`at most ${LIMITS.versionsPerGuardrail} versions per guardrail`);

    /** DRAFT compiles in the order the server answered them (arn, the version its config became). */
    const draftEvents: Array<{ arn: string; version: number }> = [];
    const versions: Version[] = [];
    const setupStart = performance.now();
    let controlCalls = 0;
    let nextGuardrail = 0;
    const buildOne = async (g: number): Promise<void> => {
      const account = owners[g] ?? 0;
      const bedrock = controls[account];
      if (!bedrock) throw new Error('no control client');
      const name = `bench-memory-${String(g).padStart(3, '0')}`;
      const configFor = (v: number) => ({ ...reference, name, blockedInputMessaging: `${reference.blockedInputMessaging ?? ''} (revision ${v})` });
      const created = await bedrock.send(new CreateGuardrailCommand(configFor(1)));
      const guardrailId = created.guardrailId ?? '';
      const arn = created.guardrailArn ?? '';
      draftEvents.push({ arn, version: 1 });
      controlCalls++;
      for (let v = 1; v <= VERSIONS; v++) {
        if (v > 1) {
          await bedrock.send(new UpdateGuardrailCommand({ guardrailIdentifier: guardrailId, ...configFor(v) }));
          draftEvents.push({ arn, version: v });
          controlCalls++;
        }
        const out = await bedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: guardrailId, description: `revision ${v}` }));
        controlCalls++;
        if (out.version !== String(v)) throw new Error(`${name}: expected version ${v}, got ${String(out.version)}`);
        versions.push({ account, guardrailId, arn, version: v });
      }
    };
    let lastLog = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(SETUP_CONCURRENCY, GUARDRAILS) }, async () => {
        while (nextGuardrail < GUARDRAILS) {
          await buildOne(nextGuardrail++);
          if (performance.now() - lastLog > 15_000) {
            lastLog = performance.now();
            log(`setup: ${versions.length}/${GUARDRAILS * VERSIONS} versions, ${((performance.now() - setupStart) / 1000).toFixed(0)} s`);
          }
        }
      }),
    );
    const setupS = (performance.now() - setupStart) / 1000;
    phases.push({
      phase: `after creating ${GUARDRAILS} × ${VERSIONS}`,
      rss: rssOf(pid),
      note: `${controlCalls} control-plane calls in ${setupS.toFixed(0)} s (${(controlCalls / setupS).toFixed(1)}/s); each Create/Update compiles the DRAFT`,
    });

    // The stored configurations' sizes (= the cache weights), from the SQLite file (plain JSON text).
    const db = new Database(join(dataDir, 'parapet.db'), { readonly: true, fileMustExist: true });
    const versionLength = new Map<string, number>();
    const preexisting: Array<{ arn: string; length: number }> = [];
    try {
      const mine = new Set(versions.map((v) => v.arn));
      for (const r of db.prepare('SELECT arn, length(config) AS length FROM guardrails ORDER BY created_at').all() as Array<{ arn: string; length: number }>)
        if (!mine.has(r.arn)) preexisting.push(r);
      const rows = db
        .prepare(
          'SELECT g.arn AS arn, v.version AS version, length(v.config) AS length FROM guardrail_versions v ' +
            'JOIN guardrails g ON g.account_id = v.account_id AND g.region = v.region AND g.guardrail_id = v.guardrail_id',
        )
        .all() as Array<{ arn: string; version: number; length: number }>;
      for (const r of rows) versionLength.set(`${r.arn}:${r.version}`, r.length);
    } finally {
      db.close();
    }
    const lengthOf = (arn: string, version: number): number => {
      const n = versionLength.get(`${arn}:${version}`);
      if (n === undefined) throw new Error(`no stored version ${arn}:${version}`);
      return n;
    };
    const model = new CacheModel();
    // Bootstrap compiled the DRAFT of every guardrail that existed before ours (the demo organization's).
    for (const p of preexisting) model.draft(p.arn, p.length);
    for (const e of draftEvents) model.draft(e.arn, lengthOf(e.arn, e.version));

    // Every version compiled: ApplyGuardrail once on each, one at a time (compile order = this order).
    const prompt = benignText(TEXT_BYTES);
    const apply = async (v: Version, text = prompt, source: 'INPUT' | 'OUTPUT' = 'INPUT') => {
      const client = runtimes[v.account];
      if (!client) throw new Error('no runtime client');
      const t0 = performance.now();
      const out = await client.send(
        new ApplyGuardrailCommand({ guardrailIdentifier: v.guardrailId, guardrailVersion: String(v.version), source, content: [{ text: { text } }] }),
      );
      return { ms: performance.now() - t0, action: out.action ?? '' };
    };
    const compileMs: number[] = [];
    const compileStart = performance.now();
    for (const v of versions) {
      const r = await apply(v);
      if (r.action !== 'NONE') throw new Error(`the benign prompt was intervened (${r.action}) on ${v.arn}:${v.version}`);
      model.version(v.arn, v.version, lengthOf(v.arn, v.version));
      compileMs.push(r.ms);
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`compiling: ${compileMs.length}/${versions.length}`);
      }
    }
    const compileS = (performance.now() - compileStart) / 1000;
    const afterCompile = model.counts();
    const afterCompileWeight = model.total;
    phases.push({
      phase: `after ApplyGuardrail on all ${versions.length} versions`,
      rss: rssOf(pid),
      note: `${compileS.toFixed(0)} s, first call (compile + assess) p50 ${median(compileMs).toFixed(1)} ms; cache holds ${afterCompile.versions} versions + ${afterCompile.drafts} DRAFTs`,
    });
    phases.push({ phase: '  peak RSS so far (VmHWM)', rss: peakRssOf(pid), note: '' });
    await sleep(SETTLE_S * 1000);
    const compiledRss = rssOf(pid);
    phases.push({ phase: `  after ${SETTLE_S} s idle`, rss: compiledRss, note: '' });

    // Check the cache model by timing: retained versions answer without compiling, evicted ones compile.
    const retained = versions.filter((v) => model.has(v.arn, v.version));
    const evicted = versions.filter((v) => !model.has(v.arn, v.version));
    const pick = <T>(xs: T[], n: number): T[] =>
      xs.length <= n ? [...xs] : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)] as T);
    const hitMs: number[] = [];
    let hitMismatch = 0;
    for (const v of pick(retained, PROBE_HITS)) {
      hitMs.push((await apply(v)).ms);
      if (!model.version(v.arn, v.version, lengthOf(v.arn, v.version))) hitMismatch++;
    }
    const missMs: number[] = [];
    for (const v of pick(evicted, PROBE_MISSES)) {
      missMs.push((await apply(v)).ms);
      model.version(v.arn, v.version, lengthOf(v.arn, v.version));
    }

    // 3. The soak, over what the cache retains now.
    const targetsV = versions.filter((v) => model.has(v.arn, v.version));
    const rand = mulberry32(20240811);
    for (let i = targetsV.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [targetsV[i], targetsV[j]] = [targetsV[j] as Version, targetsV[i] as Version];
    }
    const targets: MemoryLoadTarget[] = targetsV.map((v) => ({ account: v.account, guardrailId: v.guardrailId, version: String(v.version) }));
    // Eight 1 KB texts, each starting at a different sentence of the benign text.
    const long = benignText(TEXT_BYTES * 2);
    const starts = [0];
    for (let i = long.indexOf('. '); i >= 0 && starts.length < 8; i = long.indexOf('. ', i + 1)) starts.push(i + 2);
    const texts = starts.map((s) => long.slice(s, s + TEXT_BYTES));
    const first = targetsV[0];
    if (!first) throw new Error('the cache retains no version');
    for (const t of texts)
      for (const source of ['INPUT', 'OUTPUT'] as const) {
        const r = await apply(first, t, source);
        if (r.action !== 'NONE') throw new Error(`a load text was intervened (${r.action}, ${source}): ${t.slice(0, 80)}…`);
      }

    loader = await startLoad({
      endpoint,
      region: REGION,
      accounts: accounts.map((a) => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey })),
      targets,
      texts,
      rate: RATE,
      durationS: SOAK_S,
      progressEveryS: SAMPLE_S,
      maxInFlight: 512,
      sharedSessions: SHARED_SESSIONS,
    });
    const snapshots: string[] = [];
    if (snapDir) snapshots.push(await heapSnapshot(server, snapDir));
    const samples: Array<{ t: number; rss: number; sent: number; errors: number }> = [];
    const soakStart = performance.now();
    let progress: MemoryLoadProgress = { kind: 'progress', elapsedS: 0, sent: 0, ok: 0, errors: 0, intervened: 0, skipped: 0, inFlight: 0 };
    const sample = () => {
      const t = (performance.now() - soakStart) / 1000;
      samples.push({ t, rss: rssOf(pid), sent: progress.sent, errors: progress.errors + progress.intervened });
    };
    sample();
    const timer = setInterval(() => {
      sample();
      const last = samples[samples.length - 1];
      if (last && Math.round(last.t) % 60 < SAMPLE_S)
        log(`soak ${last.t.toFixed(0)} s: RSS ${mib(last.rss)} MiB, ${progress.sent} sent, ${progress.errors} errors, ${progress.inFlight} in flight`);
    }, SAMPLE_S * 1000);
    let result: MemoryLoadResult;
    try {
      result = await loader.go((p) => {
        progress = p;
      });
    } finally {
      clearInterval(timer);
    }
    sample();
    const endRss = samples[samples.length - 1]?.rss ?? Number.NaN;
    if (snapDir) snapshots.push(await heapSnapshot(server, snapDir));
    await sleep(SETTLE_S * 1000);
    const afterSoakRss = rssOf(pid);
    const peakRss = peakRssOf(pid);
    const final = model.counts();
    let metricsLines = 0;
    let metricsBytes = 0;
    try {
      const text = await (await fetch(`${endpoint}/metrics`)).text();
      metricsBytes = Buffer.byteLength(text);
      metricsLines = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    } catch {
      // informational only
    }

    // Report.
    const soakMin = SOAK_S / 60;
    const startRss = samples[0]?.rss ?? Number.NaN;
    const underLoad = samples.filter((s) => s.t > 0.5);
    const secondHalf = samples.filter((s) => s.t >= SOAK_S / 2);
    const slopeMiBPerMin = slope(secondHalf.map((s) => ({ x: s.t / 60, y: s.rss / MiB })));
    const projected = slopeMiBPerMin * soakMin;
    const limit = (startRss / MiB) * GROWTH_LIMIT;
    const verdict = projected < limit ? 'no growth' : 'GROWTH';

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log('Parapet memory benchmark — RSS of `parapet serve` (its own process; VmRSS from /proc, no GC forced)');
    console.log(
      `machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; store: SQLite (temp dir); ` +
        `load average at start ${load0.toFixed(2)} (the machine is shared)`,
    );
    console.log(
      `guardrails: ${GUARDRAILS} × the reference guardrail (all policies, ${WORDS} words), ${VERSIONS} published versions each ` +
        `(UpdateGuardrail changes the blocked-input message between versions), across ${accounts.length} accounts ` +
        `(${accounts.map((a, i) => `${a.name} ${owners.filter((o) => o === i).length}`).join(', ')}; quota ${LIMITS.guardrailsPerAccountRegion} per account and Region); ` +
        `stored config ${(versions.reduce((n, v) => n + lengthOf(v.arn, v.version), 0) / versions.length / 1024).toFixed(1)} KiB of JSON each (mean)`,
    );
    console.log(
      `settings: serve --no-quotas; soak ${SOAK_S} s at ${RATE} req/s ApplyGuardrail (SDK, HTTP/2 ` +
        `${SHARED_SESSIONS ? 'one shared connection per account' : 'a new connection per call, the SDK default for bedrock-runtime'}, separate process), ` +
        `${TEXT_BYTES} B benign texts (${texts.length} variants), INPUT/OUTPUT alternating, over ${targets.length} versions; ` +
        `RSS every ${SAMPLE_S} s; settle ${SETTLE_S} s; MiB = 2^20 bytes\n`,
    );

    printTable(
      ['phase', 'RSS MiB', 'note'],
      [
        ...phases.map((p) => [p.phase, mib(p.rss), p.note]),
        ['soak: start (t = 0, before the first request)', mib(startRss), ''],
        ['soak: first sample under load', mib(underLoad[0]?.rss ?? Number.NaN), `t = ${(underLoad[0]?.t ?? 0).toFixed(0)} s`],
        ['soak: median', mib(median(underLoad.map((s) => s.rss))), `${underLoad.length} samples`],
        ['soak: max', mib(Math.max(...underLoad.map((s) => s.rss))), ''],
        ['soak: end', mib(endRss), `t = ${(samples[samples.length - 1]?.t ?? 0).toFixed(0)} s`],
        [`after the soak, ${SETTLE_S} s idle`, mib(afterSoakRss), ''],
        ['peak RSS over the run (VmHWM)', mib(peakRss), ''],
      ],
    );

    console.log('');
    const hitP50 = median(hitMs);
    const missP50 = median(missMs);
    console.log(
      `compiled cache (src/engine/cache.ts: LRU bounded at ${CACHE_MAX_WEIGHT / MiB} MiB of weight = configuration JSON length, DRAFT ×2): ` +
        `after the compile pass it holds ${afterCompile.versions} of ${versions.length} versions + ${afterCompile.drafts} DRAFTs ` +
        `(${mib(afterCompileWeight)} MiB of weight)` +
        (afterCompile.versions < versions.length
          ? ` — BOUNDED BELOW ${versions.length}: the compiled-state RSS above is at the bound, not with every version compiled`
          : ' — every version stays compiled'),
    );
    console.log(
      `  check by timing: ${hitMs.length} retained versions p50 ${hitP50.toFixed(2)} ms (max ${Math.max(...hitMs).toFixed(1)})` +
        (missMs.length ? `, ${missMs.length} evicted versions p50 ${missP50.toFixed(2)} ms (compile + assess)` : '') +
        `; compile pass first calls p50 ${median(compileMs).toFixed(1)} ms` +
        (hitMismatch ? `; MODEL MISMATCH on ${hitMismatch}` : ''),
    );
    console.log(`  at the end (modelled; the soak only touched retained versions): ${final.versions} versions + ${final.drafts} DRAFTs, ${mib(model.total)} MiB of weight`);
    if (afterCompile.versions > 0)
      console.log(
        `  RSS added by setup + compile (after settle) vs idle: ${mib(compiledRss - idleRss)} MiB ` +
          `(≈ ${((compiledRss - idleRss) / afterCompile.versions / 1024).toFixed(0)} KiB per retained compiled version, upper bound: includes the store's page cache and garbage)`,
      );
    if (metricsLines) console.log(`  /metrics at the end: ${metricsLines} sample lines, ${(metricsBytes / 1024).toFixed(0)} KiB`);

    console.log('');
    const achieved = result.ok / result.elapsedS;
    printTable(
      ['soak', 'value'],
      [
        ['duration', `${result.elapsedS.toFixed(1)} s`],
        ['offered rate', `${RATE} req/s (${result.due} due)`],
        ['sent / answered NONE', `${result.sent} / ${result.ok}`],
        ['achieved rate (answered NONE / s)', `${achieved.toFixed(1)} req/s`],
        ['errors', `${result.errors}${result.errors ? ` ${JSON.stringify(result.failures)}` : ''}`],
        ['intervened (unexpected)', String(result.intervened)],
        ['skipped (512 in flight)', String(result.skipped)],
        ['latency p50 / p99 / max', `${result.p50Ms.toFixed(2)} / ${result.p99Ms.toFixed(2)} / ${result.maxMs.toFixed(1)} ms`],
        ['max in flight', String(result.maxInFlight)],
        ['RSS start / median / end', `${mib(startRss)} / ${mib(median(underLoad.map((s) => s.rss)))} / ${mib(endRss)} MiB`],
        [
          'RSS minimum per quarter of the soak',
          `${[0, 1, 2, 3]
            .map((q) => underLoad.filter((x) => x.t >= (q * SOAK_S) / 4 && x.t < ((q + 1) * SOAK_S) / 4 + 1).map((x) => x.rss))
            .map((xs) => (xs.length ? mib(Math.min(...xs)) : '–'))
            .join(' / ')} MiB (lowest sample in each quarter)`,
        ],
        ['slope, second half (least squares)', `${slopeMiBPerMin >= 0 ? '+' : ''}${slopeMiBPerMin.toFixed(3)} MiB/min over ${secondHalf.length} samples`],
        ['slope × soak minutes', `${projected >= 0 ? '+' : ''}${projected.toFixed(2)} MiB (limit ${limit.toFixed(1)} MiB = ${GROWTH_LIMIT * 100}% of start)`],
        ['verdict', verdict],
      ],
    );
    console.log(
      `\nrule: "no growth" when the least-squares slope of RSS over the second half of the soak, times the soak's length in minutes, ` +
        `is below ${GROWTH_LIMIT * 100}% of the RSS at the start of the soak.`,
    );
    // A full collection of a large old generation returns memory at once: RSS is a sawtooth, and a slope fitted
    // between two collections is a rising edge, not growth.
    const drops = (xs: typeof samples) => xs.slice(1).filter((x, i) => x.rss < (xs[i]?.rss ?? 0) * 0.95).length;
    const dropsSecondHalf = drops(secondHalf);
    console.log(
      dropsSecondHalf
        ? `RSS fell by more than 5% between two samples ${drops(underLoad)} time(s) during the soak, ${dropsSecondHalf} in the second half ` +
            '(full collections returning memory): the slope spans the GC sawtooth; the per-quarter minimums show its floor.'
        : `RSS fell by more than 5% between two samples ${drops(underLoad)} time(s) during the soak and never in the second half: ` +
            'the slope is fitted on a rising edge of the GC sawtooth and cannot tell it from growth — compare the per-quarter ' +
            'minimums, and use a soak of several GC cycles (the default 600 s) before calling it growth.',
    );
    if (result.examples.length) console.log(`first failures:\n  ${result.examples.join('\n  ')}`);

    console.log('\nRSS samples during the soak (t s: MiB):');
    const cells = samples.map((s) => `${s.t.toFixed(0)}: ${mib(s.rss)}`);
    for (let i = 0; i < cells.length; i += 8) console.log(`  ${cells.slice(i, i + 8).join('  ')}`);
    if (snapshots.length) console.log(`\nheap snapshots of the server (start, end of the soak):\n  ${snapshots.join('\n  ')}`);
  } finally {
    loader?.close();
    for (const c of controls) c.destroy();
    for (const c of runtimes) c.destroy();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();

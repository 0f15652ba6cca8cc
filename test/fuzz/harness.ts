/**
 * Runs a fuzz campaign against an in-process demo server: draws cases from a seed, sends them with a few at a
 * time in flight, judges every answer, checks the health endpoint along the way, and tracks heap and RSS.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { allOperations } from '../../src/server/serve.ts';
import type { Operation } from '../../src/server/router.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { buildCatalogue, type CatalogueEntry, type Family, type Fixtures } from './catalogue.ts';
import { buildCase, caseArb, type Credentials, type FuzzCase } from './mutate.ts';
import { type Judgement, judge } from './oracle.ts';
import { closeAgent, type Endpoint, send } from './wire.ts';

export interface FuzzServer {
  t: TestServer;
  ep: Endpoint;
  creds: Credentials;
  fixtures: Fixtures;
  catalogue: CatalogueEntry[];
  operations: Operation[];
  /** Log lines of the server that report an internal failure. */
  internalErrors: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

const INTERNAL = new Set(['InternalServerException', 'StreamFailed', 'AuditWriteFailed', 'AuditWorkerFailed']);

export async function startFuzzServer(): Promise<FuzzServer> {
  const internalErrors: Array<Record<string, unknown>> = [];
  const t = await startTestServer({
    demo: true,
    log: (line) => {
      if (typeof line.error === 'string' && INTERNAL.has(line.error) && internalErrors.length < 1000) internalErrors.push(line);
    },
  });
  const url = new URL(t.server.url);
  const ep = { host: url.hostname, port: Number(url.port) };
  const s = t.server.services;
  const region = 'us-east-1';
  const caller = { accountId: t.accountId, principalArn: `arn:aws:iam::${t.accountId}:root`, accessKeyId: t.credentials.accessKeyId, region };
  const ctx = { caller, requestId: 'fuzz-setup' };
  const org = await s.organizations.describeOrganization(ctx);
  const rootId = (await s.organizations.listRoots(ctx)).Roots[0]?.Id ?? '';
  const ou = (await s.organizations.listOrganizationalUnitsForParent(ctx, { ParentId: rootId } as never)) as { OrganizationalUnits: Array<{ Id: string }> };
  const accounts = (await s.organizations.listAccounts(ctx)) as { Accounts: Array<{ Id: string; Name: string }> };
  const policies = (await s.organizations.listPolicies(ctx, { Filter: 'BEDROCK_POLICY' })) as { Policies: Array<{ Id: string }> };
  const demo = (await s.guardrails.list(caller, {})) as { guardrails: Array<{ id: string; arn: string }> };
  const fuzzG = (await s.guardrails.create(caller, {
    name: 'fuzz-target',
    blockedInputMessaging: 'no',
    blockedOutputsMessaging: 'no',
    wordPolicyConfig: { wordsConfig: [{ text: 'forbidden' }] },
  } as never)) as { guardrailId: string; guardrailArn: string };
  await s.guardrails.createVersion(caller, fuzzG.guardrailId, { description: 'v1' });
  const fixtures: Fixtures = {
    accountId: t.accountId,
    teamAId: accounts.Accounts.find((a) => a.Name === 'team-a')?.Id ?? '',
    teamBId: accounts.Accounts.find((a) => a.Name === 'team-b')?.Id ?? '',
    orgId: org.Organization.Id,
    rootId,
    ouId: ou.OrganizationalUnits[0]?.Id ?? '',
    policyId: policies.Policies[0]?.Id ?? '',
    demoGuardrailId: demo.guardrails[0]?.id ?? '',
    demoGuardrailArn: demo.guardrails[0]?.arn ?? '',
    fuzzGuardrailId: fuzzG.guardrailId,
    fuzzGuardrailArn: fuzzG.guardrailArn,
    region,
  };
  const operations = allOperations(s, t.server.gateway);
  const catalogue = buildCatalogue(operations, fixtures);
  return {
    t,
    ep,
    creds: { ...t.credentials, region },
    fixtures,
    catalogue,
    operations,
    internalErrors,
    async stop() {
      closeAgent();
      await t.stop();
    },
  };
}

export interface FamilyStats {
  requests: number;
  statuses: Map<number | string, number>;
  fivexx: number;
  types: Map<string, number>;
  violations: number;
  ms: number;
  maxMs: number;
}

export interface Violation {
  index: number;
  describe: string;
  problems: string[];
  request: string;
  answer: string;
}

export interface FuzzReport {
  requests: number;
  durationMs: number;
  families: Map<Family, FamilyStats>;
  violations: Violation[];
  /** Internal failures the server logged (each a violation too). */
  internalErrors: Array<Record<string, unknown>>;
  healthChecks: number;
  healthFailures: number;
  memory: { heapStartMb: number; heapEndMb: number; heapPeakMb: number; rssStartMb: number; rssEndMb: number; rssPeakMb: number };
  uncaught: string[];
}

const BATCH = 500;
/** Each batch of cases comes from its own seed derived from the run's seed: a case is replayable by its index. */
function sampleBatch(arb: fc.Arbitrary<FuzzCase>, seed: number, b: number): FuzzCase[] {
  return fc.sample(arb, { seed: (seed + b * 7919) | 0, numRuns: BATCH });
}

/** Case `index` of the run from `seed`: the request sent and the answer, for a look at one violation. */
export async function replayCase(fs: FuzzServer, seed: number, index: number): Promise<string> {
  const c = sampleBatch(caseArb(fs.catalogue.map((e) => e.family)), seed, Math.floor(index / BATCH))[index % BATCH] as FuzzCase;
  const built = await buildCase(fs.ep, fs.catalogue[c.entry] as CatalogueEntry, c, fs.creds);
  const outcome = await send(fs.ep, built.wire);
  const j = judge(built.wire, outcome, built);
  const clip = (s: string) => (s.length > 2000 ? `${s.slice(0, 2000)}…(${s.length})` : s);
  return [
    built.describe,
    `${built.wire.method} ${clip(JSON.stringify(built.wire.path))}`,
    ...built.wire.headers.slice(0, 40).map(([k, v]) => `  ${clip(JSON.stringify(k))}: ${clip(JSON.stringify(v))}`),
    `body (${built.wire.body.length} B): ${clip(JSON.stringify(built.wire.body.toString('latin1')))}`,
    outcome.ok ? `→ ${outcome.response.status} ${JSON.stringify(outcome.response.headers)}\n  ${clip(outcome.response.body.toString('utf8'))}` : `→ ${outcome.error}`,
    `violations: ${j.violations.join('; ') || 'none'}`,
  ].join('\n');
}

let gcFn: (() => void) | undefined;
/** A full GC, exposed on demand when the process was not started with --expose-gc. */
export function gc(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) gcFn = g;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export interface RunOptions {
  requests: number;
  seed: number;
  concurrency?: number;
  /** Called every `progressEvery` requests. */
  progress?: (done: number, report: FuzzReport) => void;
  progressEvery?: number;
}

async function health(ep: Endpoint): Promise<boolean> {
  const r = await send(ep, { method: 'GET', path: '/health', headers: [['host', `${ep.host}:${ep.port}`]], body: Buffer.alloc(0), transport: { kind: 'agent' } });
  return r.ok && r.response.status === 200;
}

export async function runFuzz(fs: FuzzServer, o: RunOptions): Promise<FuzzReport> {
  const concurrency = o.concurrency ?? 8;
  const families = new Map<Family, FamilyStats>();
  const report: FuzzReport = {
    requests: 0,
    durationMs: 0,
    families,
    violations: [],
    internalErrors: fs.internalErrors,
    healthChecks: 0,
    healthFailures: 0,
    memory: { heapStartMb: 0, heapEndMb: 0, heapPeakMb: 0, rssStartMb: 0, rssEndMb: 0, rssPeakMb: 0 },
    uncaught: [],
  };
  const onUncaught = (e: unknown) => report.uncaught.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const heapStart = heapAfterGc();
  const rssStart = process.memoryUsage().rss;
  report.memory.heapStartMb = mb(heapStart);
  report.memory.rssStartMb = mb(rssStart);
  let heapPeak = heapStart;
  let rssPeak = rssStart;

  const arb = caseArb(fs.catalogue.map((e) => e.family));
  const started = Date.now();
  let next = 0;
  let batch: FuzzCase[] = [];
  let batchStart = -1;
  const caseAt = (i: number): FuzzCase => {
    const b = Math.floor(i / BATCH);
    if (b !== batchStart) {
      batch = sampleBatch(arb, o.seed, b);
      batchStart = b;
    }
    return batch[i % BATCH] as FuzzCase;
  };
  const every = o.progressEvery ?? 5_000;
  const HEALTH_EVERY = 1_000;

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= o.requests) return;
      const c = caseAt(i);
      const entry = fs.catalogue[c.entry] as CatalogueEntry;
      let built: Awaited<ReturnType<typeof buildCase>>;
      try {
        built = await buildCase(fs.ep, entry, c, fs.creds);
      } catch (e) {
        report.violations.push({ index: i, describe: `fuzzer failed to build case: ${String(e)}`, problems: ['harness error'], request: '', answer: '' });
        continue;
      }
      const t0 = performance.now();
      if (process.env.FUZZ_DEBUG) process.stderr.write(`> #${i} ${built.describe.slice(0, 300)}\n`);
      const outcome = await send(fs.ep, built.wire);
      const ms = performance.now() - t0;
      if (process.env.FUZZ_DEBUG) process.stderr.write(`< #${i} ${outcome.ok ? outcome.response.status : outcome.error} ${ms.toFixed(0)} ms\n`);
      // A client still writing a body the server has already refused (413) and closed on may see EPIPE or a reset
      // before it reads the answer (Connection: close); that is the client's doing, not a dropped request.
      // The same for headers the parser refuses (over 32 KiB, over 1,000 of them) while a slow body is still coming.
      const refusedEarly =
        !outcome.ok &&
        /EPIPE|ECONNRESET/.test(outcome.error) &&
        built.wire.transport.kind !== 'agent' &&
        (built.wire.body.length > entry.bodyLimitBytes || c.mutations.some((m) => m.k === 'hugeHeader' || m.k === 'manyHeaders'));
      const j: Judgement = refusedEarly ? { violations: [] } : judge(built.wire, outcome, built);
      const st =
        families.get(entry.family) ??
        families.set(entry.family, { requests: 0, statuses: new Map(), fivexx: 0, types: new Map(), violations: 0, ms: 0, maxMs: 0 }).get(entry.family)!;
      st.requests++;
      st.ms += ms;
      st.maxMs = Math.max(st.maxMs, ms);
      const key = outcome.ok ? outcome.response.status : built.cut ? 'cut' : 'none';
      st.statuses.set(key, (st.statuses.get(key) ?? 0) + 1);
      if (outcome.ok && outcome.response.status >= 500) st.fivexx++;
      if (j.type) st.types.set(j.type, (st.types.get(j.type) ?? 0) + 1);
      if (j.violations.length) {
        st.violations++;
        if (report.violations.length < 200)
          report.violations.push({
            index: i,
            describe: built.describe,
            problems: j.violations,
            request: `${built.wire.method} ${built.wire.path.slice(0, 300)} (${built.wire.body.length} B body)`,
            answer: outcome.ok ? `${outcome.response.status} ${outcome.response.body.toString('latin1').slice(0, 300)}` : outcome.error,
          });
      }
      // Counted before any await: the other workers move the count on meanwhile.
      const n = ++report.requests;
      if (n % HEALTH_EVERY === 0) {
        report.healthChecks++;
        if (!(await health(fs.ep))) report.healthFailures++;
        const m = process.memoryUsage();
        heapPeak = Math.max(heapPeak, m.heapUsed);
        rssPeak = Math.max(rssPeak, m.rss);
      }
      if (o.progress && n % every === 0) {
        report.durationMs = Date.now() - started;
        o.progress(n, report);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  report.durationMs = Date.now() - started;
  report.healthChecks++;
  if (!(await health(fs.ep))) report.healthFailures++;
  // Let cut and slow requests settle on the server before measuring.
  await fs.t.server.gateway.drain?.();
  await new Promise((r) => setTimeout(r, 200));
  const heapEnd = heapAfterGc();
  const rssEnd = process.memoryUsage().rss;
  report.memory = {
    heapStartMb: mb(heapStart),
    heapEndMb: mb(heapEnd),
    heapPeakMb: mb(Math.max(heapPeak, heapEnd)),
    rssStartMb: mb(rssStart),
    rssEndMb: mb(rssEnd),
    rssPeakMb: mb(Math.max(rssPeak, rssEnd)),
  };
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  return report;
}

/** The per-family table. */
export function formatReport(r: FuzzReport): string {
  const rows: string[][] = [['family', 'requests', 'statuses', '5xx', 'violations', 'error types', 'mean ms', 'max ms']];
  const top = (m: Map<string | number, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ') + (m.size > n ? ` (+${m.size - n})` : '');
  let total = 0;
  for (const [fam, s] of [...r.families.entries()].sort()) {
    total += s.requests;
    rows.push([
      fam,
      String(s.requests),
      top(new Map([...s.statuses.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0])))), 12),
      String(s.fivexx),
      String(s.violations),
      top(s.types, 6),
      (s.ms / Math.max(1, s.requests)).toFixed(1),
      s.maxMs.toFixed(0),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const out = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  out.push('');
  out.push(
    `${total} requests in ${(r.durationMs / 1000).toFixed(1)} s (${Math.round(total / Math.max(0.001, r.durationMs / 1000))}/s); ` +
      `${r.violations.length} violations, ${r.internalErrors.length} internal errors logged, ${r.uncaught.length} uncaught; ` +
      `health ${r.healthChecks - r.healthFailures}/${r.healthChecks}`,
  );
  out.push(
    `heap after GC ${r.memory.heapStartMb} MB → ${r.memory.heapEndMb} MB (peak ${r.memory.heapPeakMb} MB); RSS ${r.memory.rssStartMb} MB → ${r.memory.rssEndMb} MB (peak ${r.memory.rssPeakMb} MB)`,
  );
  return out.join('\n');
}

/** Heap growth allowed over a run (after a full GC), in MB: the run must not keep what its requests allocated. */
export const HEAP_GROWTH_LIMIT_MB = 64;
/** RSS ceiling of the process (server and fuzzer together), in MB. */
export const RSS_LIMIT_MB = 1536;

/** Every broken promise of a report, as messages (empty when the run is clean). */
export function problemsOf(r: FuzzReport): string[] {
  const p: string[] = [];
  for (const v of r.violations) p.push(`#${v.index} ${v.describe}\n    ${v.problems.join('; ')}\n    request: ${v.request}\n    answer: ${v.answer}`);
  for (const e of r.internalErrors.slice(0, 20)) p.push(`server logged ${String(e.error)}: ${String(e.detail).slice(0, 800)}`);
  for (const u of r.uncaught.slice(0, 20)) p.push(`uncaught: ${u.slice(0, 800)}`);
  if (r.healthFailures) p.push(`${r.healthFailures} health checks failed`);
  if (r.memory.heapEndMb - r.memory.heapStartMb > HEAP_GROWTH_LIMIT_MB)
    p.push(`heap grew by ${(r.memory.heapEndMb - r.memory.heapStartMb).toFixed(1)} MB (limit ${HEAP_GROWTH_LIMIT_MB} MB)`);
  if (r.memory.rssPeakMb > RSS_LIMIT_MB) p.push(`RSS peaked at ${r.memory.rssPeakMb} MB (limit ${RSS_LIMIT_MB} MB)`);
  return p;
}

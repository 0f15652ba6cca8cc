/**
 * The soak (issue 9): `parapet serve` as a real process, restarted every `restartEveryS` seconds — alternately a
 * graceful SIGTERM and a SIGKILL (the crash case) — on a data directory (SQLite) or PostgreSQL schema that outlives
 * every restart, under a fixed-rate mix of model invocations, ApplyGuardrail and control-plane writes from a load
 * generator in its own process (bench/soak-load.ts). Then, after a last SIGKILL and a restart:
 *
 *   - every acknowledged write is read back through the API (GetGuardrail on the DRAFT and on every acknowledged
 *     version, ListGuardrails for the versions, ListTagsForResource, GetResourcePolicy; a deleted guardrail must stay
 *     gone) and compared with what the acknowledged writes alone say the state must be: lost writes must be 0;
 *   - every acknowledged call has its audit record — README "Durability of acknowledged calls": a control-plane
 *     change and its record are committed before the answer, an invocation's records (the call's and one per guardrail
 *     application) before the answer is sent (a stream's before its closing event). The one gap the README names —
 *     an attempt cut off between its change and its record, then acknowledged by a retry that replays the change —
 *     is counted apart;
 *   - the audit hash chain verifies (GET /admin/v1/audit/verify, what `parapet audit verify` calls), at the final
 *     check and at every restart;
 *   - the server's RSS (from /proc) is sampled every `sampleEveryS` seconds: per lifetime at its start, after
 *     warm-up (its floor: the lowest sample, and the median), at its end, and the slope of the floors across lifetimes.
 *
 * bench/soak.bench.ts runs it for 10 minutes and prints the tables; test/e2e/soak.test.ts runs a short one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BedrockClient,
  GetGuardrailCommand,
  GetResourcePolicyCommand,
  ListGuardrailsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-bedrock';
import { dropSchemas, freshSchema } from '../test/helpers/postgres.ts';
import { signedFetch } from '../test/helpers/signed-fetch.ts';
import { type ParapetServe, type ServeExit, freePort, rssOf, startParapetServe } from './parapet-process.ts';
import { type LoadProcess as GenericLoadProcess, startLoadProcess } from './load-process.ts';
import { percentile, printTable } from './report.ts';
import {
  type AckedWrite,
  ALL_KINDS,
  classify,
  type FailureEvent,
  type GuardrailLedger,
  INVOCATION_KINDS,
  type KindStats,
  markerOf,
  policySid,
  type SlotKind,
  type SoakAccount,
  type SoakLoadInit,
  type SoakLoadProgress,
  type SoakLoadResult,
  WRITE_KINDS,
  type WriteKind,
} from './soak-load.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'us-east-1';
const MiB = 1024 * 1024;
/** RSS verdict: the slope of the lifetimes' warm floors times the run's minutes below this share of lifetime 1's floor. */
export const RSS_GROWTH_LIMIT = 0.1;
/** A failure this close to a restart (before the stop, after the new process is up) is the restart's. */
const WINDOW_BEFORE_MS = 1_000;
const WINDOW_AFTER_MS = 3_000;
/** Latency "away from restarts": calls started at least this long after a restart's new process was up… */
const STEADY_AFTER_MS = 10_000;
/** …and not within this long before a stop. */
const STEADY_BEFORE_MS = 2_000;

export const DEFAULT_MIX: Record<SlotKind, number> = { ApplyGuardrail: 6, Converse: 5, ChatCompletions: 4, ConverseStream: 2, write: 3 };

export interface SoakSettings {
  /** Length of the load, seconds. */
  seconds: number;
  /** Requests per second, all kinds together. */
  rps: number;
  /** A restart every this many seconds of the load (SIGTERM first, then SIGKILL, alternating). */
  restartEveryS: number;
  /** RSS sample period. */
  sampleEveryS: number;
  /** RSS samples younger than this (seconds into a lifetime) are warm-up. */
  warmupS: number;
  /** A PostgreSQL URL: the store in a fresh schema (dropped at the end); else SQLite in a temporary data directory. */
  database?: string;
  mix?: Record<SlotKind, number>;
  /** Guardrail lives in progress at once. */
  actors?: number;
  /** Update/tag/version/policy rounds per guardrail life. */
  roundsPerLife?: number;
  /** Per-call timeout of the load, ms. */
  timeoutMs?: number;
  /** More `parapet serve` flags (after `--no-quotas` and the store's), e.g. ['--assessment-threads', '0']. */
  serveArgs?: string[];
  /** Run the server with --trace-gc and record its heap after every full collection (default true). */
  traceGc?: boolean;
  /** Progress lines (stderr in the benchmark). */
  log?: (line: string) => void;
}

export interface RssSample {
  /** Seconds since the load started (negative before). */
  t: number;
  /** Seconds since this lifetime's start banner. */
  age: number;
  rss: number;
}

export interface Lifetime {
  index: number;
  pid: number;
  /** Seconds since the load started at which the banner came out. */
  startedAtS: number;
  /** From the stop signal (or the crash) to the next banner, ms; undefined for the first. */
  downMs?: number;
  /** How it ended: a restart's signal, 'final SIGKILL' (before the read-back), 'end' (after it), 'crash'. */
  endedBy?: 'SIGTERM' | 'SIGKILL' | 'final SIGKILL' | 'end' | 'crash';
  exit?: ServeExit;
  /** Stop signal to exit, ms. */
  stopMs?: number;
  /** The chain check right after the banner (not on the first). */
  chainAtStart?: { ok: boolean; count: number; brokenAt?: number; ms: number };
  samples: RssSample[];
  /** The load ran during this lifetime (the last one only serves the read-back). */
  loaded: boolean;
  /** V8's heap after each full collection (mark-compact, from --trace-gc), MiB: the live heap, without the garbage. */
  gc: RssSample[];
  /** The end of its output when it crashed or a graceful stop went wrong. */
  outputTail?: string;
}

export interface LifetimeRss {
  index: number;
  /** Heap after the full collections of the warm part (MiB): count, first, last, and slope (MiB/min). */
  gc: { n: number; first: number; last: number; slope: number };
  start: number;
  warm: number;
  /** The lowest warm sample: what stays after the collections (RSS swings with every isolate's GC cycle). */
  floor: number;
  /** Minutes into the run of the middle of the warm samples. */
  mid: number;
  end: number;
  max: number;
  /** MiB per minute over the warm samples. */
  slope: number;
  samples: number;
}

export interface WriteCheck {
  acked: number;
  lost: number;
  /** Acknowledged writes without their audit record (not after an in-doubt attempt). */
  auditMissing: number;
  /** …of which after an attempt cut off in doubt (the README's known gap). */
  auditMissingAfterInDoubt: number;
  /** Acknowledged only after an attempt that failed in doubt (replayed, re-applied, or a 404 on delete). */
  afterInDoubt: number;
}

export interface SoakReport {
  settings: Required<Omit<SoakSettings, 'database' | 'log'>> & { database?: string };
  machine: { cpu: string; cores: number; memGiB: number; node: string; loadAvgStart: number };
  store: string;
  /** Where the server listened (the same port across restarts). */
  endpoint: string;
  load: Omit<SoakLoadResult, 'invocations' | 'guardrails' | 'failures' | 'latencies'>;
  /** Latency of acknowledged calls started away from any restart (see STEADY_AFTER_MS), by kind. */
  steady: Record<string, { n: number; p50Ms: number; p99Ms: number; maxMs: number }>;
  lifetimes: Lifetime[];
  restarts: { graceful: number; killed: number; crashes: number };
  writes: Record<WriteKind, WriteCheck>;
  invocations: Record<string, { acked: number; auditMissing: number; noRequestId: number }>;
  guardrails: { lives: number; kept: number; deleted: number; versions: number; unresolved: number; rejected: Record<string, number>; unexpectedVersions: number };
  /** What was lost, one line each (capped). */
  lostDetails: string[];
  auditMissingDetails: string[];
  audit: { records: number; chain: { ok: boolean; count: number; brokenAt?: number }; chainAtRestarts: { checked: number; failed: number } };
  failures: { total: number; inRestartWindows: number; outside: Record<string, number>; outsideExamples: string[] };
  rss: {
    perLifetime: LifetimeRss[];
    /** Least-squares slope of the lifetimes' warm floors over the run (MiB/min): the verdict's basis. */
    slopeAcross: number;
    /** Least-squares slope of every warm sample of every lifetime (MiB/min), for comparison. */
    slopeSamples: number;
    projected: number;
    limit: number;
    verdict: 'flat' | 'GROWTH' | 'n/a';
    /** Median over the lifetimes of the slope of the heap after full collections (MiB/min); NaN without --trace-gc. */
    gcSlopeWithin: number;
  };
  serverErrors: string[];
  /** Fatal problems (non-zero exit) and warnings. */
  faults: string[];
  warnings: string[];
  durationS: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mib = (b: number) => (b / MiB).toFixed(1);

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
  return den ? num / den : Number.NaN;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : Number.NaN;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The load generator process

export type LoadProcess = GenericLoadProcess<SoakLoadProgress, SoakLoadResult>;

export function startLoad(init: SoakLoadInit): Promise<LoadProcess> {
  return startLoadProcess(fileURLToPath(new URL('./soak-load.ts', import.meta.url)), init);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the trail back

interface AuditIndex {
  count: number;
  /** requestId → the actions recorded under it. */
  byRequest: Map<string, string[]>;
  /** `${action} ${resourceArn}` → the markers of the records (UpdateGuardrail: the DRAFT written; others ''). */
  byResource: Map<string, string[]>;
}

async function readAudit(url: string, creds: SoakAccount): Promise<AuditIndex> {
  const index: AuditIndex = { count: 0, byRequest: new Map(), byResource: new Map() };
  for (let after = 0; ; ) {
    const res = await signedFetch(url, creds, { path: '/admin/v1/audit', query: { after: String(after), limit: '1000' } });
    if (res.status !== 200) throw new Error(`ListAuditRecords answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    const records = (res.body.records ?? []) as Array<{ seq: number; action: string; resourceArn?: string; requestId?: string; after?: unknown }>;
    for (const r of records) {
      index.count++;
      if (r.requestId) {
        const list = index.byRequest.get(r.requestId);
        if (list) list.push(r.action);
        else index.byRequest.set(r.requestId, [r.action]);
      }
      if (r.action.startsWith('bedrock:') && r.resourceArn && !r.requestId) {
        // Control-plane guardrail records (they carry no request id); the UpdateGuardrail ones by the marker written.
        const after = r.after as { blockedInputMessaging?: string } | undefined;
        const key = `${r.action} ${r.resourceArn}`;
        const marker = r.action === 'bedrock:UpdateGuardrail' ? (markerOf(after?.blockedInputMessaging) ?? '') : '';
        const list = index.byResource.get(key);
        if (list) list.push(marker);
        else index.byResource.set(key, [marker]);
      }
    }
    const last = records[records.length - 1];
    if (records.length < 1000 || !last) return index;
    after = last.seq;
  }
}

async function verifyChain(url: string, creds: SoakAccount): Promise<{ ok: boolean; count: number; brokenAt?: number }> {
  const res = await signedFetch(url, creds, { path: '/admin/v1/audit/verify' });
  if (res.status !== 200) throw new Error(`VerifyAuditTrail answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  const b = res.body as { ok: boolean; count: number; brokenAt?: number };
  return { ok: b.ok === true, count: b.count, ...(b.brokenAt !== undefined ? { brokenAt: b.brokenAt } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading every acknowledged write back

interface ReadBack {
  writes: Record<WriteKind, WriteCheck>;
  lostDetails: string[];
  auditMissingDetails: string[];
  unexpectedVersions: number;
}

function emptyChecks(): Record<WriteKind, WriteCheck> {
  const out = {} as Record<WriteKind, WriteCheck>;
  for (const k of WRITE_KINDS) out[k] = { acked: 0, lost: 0, auditMissing: 0, auditMissingAfterInDoubt: 0, afterInDoubt: 0 };
  return out;
}

const isNotFound = (err: unknown) => classify(err).status === 404;

async function readBack(url: string, accounts: SoakAccount[], ledgers: GuardrailLedger[], audit: AuditIndex): Promise<ReadBack> {
  const clients = accounts.map(
    (a) => new BedrockClient({ region: REGION, endpoint: url, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 3 }),
  );
  const writes = emptyChecks();
  const lostDetails: string[] = [];
  const auditMissingDetails: string[] = [];
  let unexpectedVersions = 0;
  const lost = (w: AckedWrite | WriteKind, why: string, n = 1) => {
    const kind = typeof w === 'string' ? w : w.kind;
    writes[kind].lost += n;
    if (lostDetails.length < 50) lostDetails.push(why);
  };
  try {
    await pool(ledgers, 8, async (L) => {
      const client = clients[L.account];
      if (!client || !L.guardrailId || !L.arn) return;
      const id = L.guardrailId;
      const arn = L.arn;
      for (const w of L.writes) {
        writes[w.kind].acked++;
        if (w.afterInDoubt) writes[w.kind].afterInDoubt++;
      }

      // Audit records of the acknowledged changes (TagResource is not audited: README lists create, update,
      // publish, delete and resource policies).
      for (const w of L.writes) {
        let found = true;
        if (w.kind === 'CreateGuardrail') found = audit.byResource.has(`bedrock:CreateGuardrail ${arn}`);
        else if (w.kind === 'UpdateGuardrail') found = (audit.byResource.get(`bedrock:UpdateGuardrail ${arn}`) ?? []).includes(w.marker ?? '');
        else if (w.kind === 'CreateGuardrailVersion') found = audit.byResource.has(`bedrock:CreateGuardrailVersion ${arn}:${w.version ?? ''}`);
        else if (w.kind === 'DeleteGuardrail') found = audit.byResource.has(`bedrock:DeleteGuardrail ${arn}`);
        else if (w.kind === 'PutResourcePolicy') found = (audit.byRequest.get(w.requestId) ?? []).includes('bedrock:PutResourcePolicy');
        if (found) continue;
        if (w.afterInDoubt) writes[w.kind].auditMissingAfterInDoubt++;
        else writes[w.kind].auditMissing++;
        if (auditMissingDetails.length < 50)
          auditMissingDetails.push(`${w.kind} ${arn}${w.version ? `:${w.version}` : ''} ${w.marker ?? ''}${w.afterInDoubt ? ' (after an attempt in doubt)' : ''}`);
      }

      const deleted = L.writes.some((w) => w.kind === 'DeleteGuardrail');
      let draft: { blockedInputMessaging?: string } | undefined;
      try {
        draft = await client.send(new GetGuardrailCommand({ guardrailIdentifier: id }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (deleted) {
        if (draft) lost('DeleteGuardrail', `DeleteGuardrail ${arn}: acknowledged, but the guardrail is there`);
        return;
      }
      if (!draft) {
        // Gone: every acknowledged write to it is lost (unless a delete was in doubt at the end).
        if (L.unresolved?.kind === 'DeleteGuardrail') return;
        for (const w of L.writes) lost(w, `${w.kind} ${arn}: the guardrail is gone`);
        return;
      }

      // The DRAFT: the last acknowledged create/update (or the update still in doubt at the end).
      const drafts = L.writes.filter((w) => w.kind === 'CreateGuardrail' || w.kind === 'UpdateGuardrail');
      const expected = drafts[drafts.length - 1]?.marker;
      const actual = markerOf(draft.blockedInputMessaging);
      if (actual !== expected && !(L.unresolved?.kind === 'UpdateGuardrail' && L.unresolved.marker === actual)) {
        const at = drafts.findIndex((w) => w.marker === actual);
        const after = at >= 0 ? drafts.slice(at + 1) : drafts.slice(-1);
        for (const w of after) lost(w, `${w.kind} ${arn}: DRAFT holds ${actual ?? '?'}, the acknowledged ${w.marker ?? '?'} is lost`);
      }

      // Every acknowledged version, with the DRAFT it was published from; version numbers never reused.
      const versions = L.writes.filter((w) => w.kind === 'CreateGuardrailVersion');
      const numbers = new Set<string>();
      const found = new Set<string>();
      for (const w of versions) {
        const v = w.version ?? '';
        if (numbers.has(v)) lost(w, `CreateGuardrailVersion ${arn}: version ${v} acknowledged twice`);
        numbers.add(v);
        try {
          const got = await client.send(new GetGuardrailCommand({ guardrailIdentifier: id, guardrailVersion: v }));
          found.add(v);
          if (markerOf(got.blockedInputMessaging) !== w.marker)
            lost(w, `CreateGuardrailVersion ${arn}:${v}: holds ${markerOf(got.blockedInputMessaging) ?? '?'}, published from ${w.marker ?? '?'}`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          lost(w, `CreateGuardrailVersion ${arn}:${v}: not found`);
        }
      }
      const listed: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListGuardrailsCommand({ guardrailIdentifier: id, ...(nextToken ? { nextToken } : {}) }));
        for (const g of page.guardrails ?? []) if (g.version && g.version !== 'DRAFT') listed.push(g.version);
        nextToken = page.nextToken;
      } while (nextToken);
      for (const v of found) if (!listed.includes(v)) lost('CreateGuardrailVersion', `CreateGuardrailVersion ${arn}:${v}: found, but not in ListGuardrails`);
      const extra = listed.filter((v) => !numbers.has(v));
      if (extra.length && L.unresolved?.kind !== 'CreateGuardrailVersion') unexpectedVersions += extra.length;

      // Tags: the creation's, then the last acknowledged value of each key.
      const expectedTags = new Map<string, string>();
      for (const w of L.writes) if (w.kind === 'TagResource' && w.tag) expectedTags.set(w.tag.key, w.tag.value);
      const tags = new Map((await client.send(new ListTagsForResourceCommand({ resourceARN: arn }))).tags?.map((t) => [t.key ?? '', t.value ?? '']) ?? []);
      if (!tags.has('soak')) lost('CreateGuardrail', `CreateGuardrail ${arn}: its tag 'soak' is missing`);
      for (const [key, value] of expectedTags)
        if (tags.get(key) !== value && !(L.unresolved?.kind === 'TagResource' && L.unresolved.marker === tags.get(key)))
          lost('TagResource', `TagResource ${arn}: ${key}=${tags.get(key) ?? '(none)'}, acknowledged ${value}`);

      // The resource policy: the last acknowledged one.
      const policies = L.writes.filter((w) => w.kind === 'PutResourcePolicy');
      const lastPolicy = policies[policies.length - 1];
      if (lastPolicy) {
        let sid: string | undefined;
        try {
          const doc = (await client.send(new GetResourcePolicyCommand({ resourceArn: arn }))).resourcePolicy ?? '{}';
          sid = (JSON.parse(doc) as { Statement?: Array<{ Sid?: string }> }).Statement?.[0]?.Sid;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        const ok = sid === policySid(lastPolicy.marker ?? '') || (L.unresolved?.kind === 'PutResourcePolicy' && sid === policySid(L.unresolved.marker ?? ''));
        if (!ok) lost(lastPolicy, `PutResourcePolicy ${arn}: policy ${sid ?? '(none)'}, acknowledged ${policySid(lastPolicy.marker ?? '')}`);
      }
    });
  } finally {
    for (const c of clients) c.destroy();
  }
  return { writes, lostDetails, auditMissingDetails, unexpectedVersions };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

export async function runSoak(s: SoakSettings): Promise<SoakReport> {
  const settings = {
    seconds: s.seconds,
    rps: s.rps,
    restartEveryS: s.restartEveryS,
    sampleEveryS: s.sampleEveryS,
    warmupS: s.warmupS,
    mix: s.mix ?? DEFAULT_MIX,
    actors: s.actors ?? 6,
    roundsPerLife: s.roundsPerLife ?? 5,
    timeoutMs: s.timeoutMs ?? 30_000,
    traceGc: s.traceGc ?? true,
    serveArgs: s.serveArgs ?? [],
    ...(s.database ? { database: s.database } : {}),
  };
  const log = s.log ?? (() => {});
  const runStart = Date.now();
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAvgStart: loadavg()[0] ?? 0,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-soak-'));
  const schema = s.database ? freshSchema('bench_soak') : undefined;
  const store = s.database ? `PostgreSQL ${new URL(s.database).host}${new URL(s.database).pathname}, schema ${schema ?? ''}` : 'SQLite (a temporary data directory)';
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const serverErrors: string[] = [];
  const args = ['--no-quotas', ...(s.database && schema ? ['--database', s.database, '--database-schema', schema] : []), ...settings.serveArgs];
  // JSON logs: one line per request, and the errors (kept) — AuditWriteFailed, AuditRecordLost, CloseTimeout…
  const env = { PARAPET_LOG: 'json', PARAPET_DEMO: '1', PARAPET_DATABASE_URL: '', PARAPET_DATABASE_SCHEMA: '', PARAPET_REDIS_URL: '' };
  const GC_LINE_RE = /^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: /;
  const MARK_COMPACT_RE = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;
  /**
   * The lines of one process. --trace-gc lines name their isolate: the first one seen is the main thread's (it
   * starts first); its full collections go to `gc`, the worker threads' (the audit writer) are left out.
   */
  const onLineOf = (gc: RssSample[], startedAt: () => number) => {
    let main: string | undefined;
    return (line: string) => {
      const g = GC_LINE_RE.exec(line);
      if (!g) return onLine(line);
      main ??= g[1];
      const m = MARK_COMPACT_RE.exec(line);
      if (!m || g[1] !== main) return;
      const t = t0 ? (Date.now() - t0) / 1000 : 0;
      gc.push({ t, age: t - startedAt(), rss: Number(m[1]) * MiB });
    };
  };
  /** Server-side errors: JSON log lines with an error that is not a client error (4xx), and anything else error-like. */
  const onLine = (line: string) => {
    if (serverErrors.length >= 200) return;
    if (line.startsWith('{')) {
      try {
        const l = JSON.parse(line) as { error?: unknown; status?: unknown };
        if (l.error === undefined || (typeof l.status === 'number' && l.status >= 400 && l.status < 500)) return;
      } catch {
        // not JSON after all: judged by its words below
      }
    } else if (!/error|exception|warn|fatal/i.test(line)) return;
    serverErrors.push(line.slice(0, 500));
  };
  const lifetimes: Lifetime[] = [];
  const windows: Array<{ from: number; to: number }> = [];
  let t0 = 0; // epoch ms when the load started (0 before)
  const relS = (at: number) => (at - t0) / 1000;
  let server: ParapetServe | undefined;
  let life: Lifetime | undefined;
  let loader: LoadProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let mgmt: SoakAccount | undefined;
  const faults: string[] = [];
  const warnings: string[] = [];

  const sample = () => {
    if (!server || !life) return;
    try {
      const now = Date.now();
      const started = life.startedAtS;
      const t = t0 ? (now - t0) / 1000 : 0;
      const rss = rssOf(server.pid);
      // No VmRSS once the process has exited (a zombie until reaped).
      if (Number.isFinite(rss)) life.samples.push({ t, age: t - started, rss });
    } catch {
      // the process is gone (a stop in progress)
    }
  };

  const start = async (loaded: boolean, downFrom?: number): Promise<void> => {
    const gc: RssSample[] = [];
    // Ages count from the spawn until the banner is out, then from the banner (as the RSS samples do).
    let startedAtS = t0 ? (Date.now() - t0) / 1000 : 0;
    server = await startParapetServe({
      dataDir,
      port,
      args,
      env,
      onLine: onLineOf(gc, () => startedAtS),
      startTimeoutMs: 120_000,
      ...(settings.traceGc ? { nodeArgs: ['--trace-gc'] } : {}),
    });
    const now = Date.now();
    startedAtS = t0 ? (now - t0) / 1000 : 0;
    life = {
      gc,
      index: lifetimes.length + 1,
      pid: server.pid,
      startedAtS: t0 ? (now - t0) / 1000 : 0,
      ...(downFrom !== undefined ? { downMs: now - downFrom } : {}),
      samples: [],
      loaded,
    };
    lifetimes.push(life);
    if (downFrom !== undefined) windows.push({ from: downFrom, to: now });
    sample();
  };

  /** Stops the current process with `signal` (a SIGTERM that takes over 30 s is finished with SIGKILL), and starts the next. */
  const restart = async (signal: 'SIGTERM' | 'SIGKILL', endedBy: Lifetime['endedBy'], loaded: boolean): Promise<void> => {
    const s0 = server;
    const l0 = life;
    if (!s0 || !l0) throw new Error('no server');
    sample();
    const from = Date.now();
    l0.endedBy = endedBy;
    const stopped = s0.stop(signal);
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      stopped,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), 30_000);
      }),
    ]);
    clearTimeout(timer);
    if (!exit) {
      l0.outputTail = s0.output().slice(-4000);
      faults.push(`lifetime ${l0.index}: SIGTERM did not end the server within 30 s (then SIGKILL)`);
      l0.exit = await s0.stop('SIGKILL');
    } else l0.exit = exit;
    l0.stopMs = Date.now() - from;
    if (signal === 'SIGTERM' && l0.exit.code !== 0) {
      l0.outputTail = s0.output().slice(-4000);
      faults.push(`lifetime ${l0.index}: the graceful stop exited with code ${String(l0.exit.code)}, signal ${String(l0.exit.signal)}`);
    }
    await start(loaded, from);
    if (mgmt && life) {
      const c0 = Date.now();
      try {
        const chain = await verifyChain(server?.url ?? '', mgmt);
        (life as Lifetime).chainAtStart = { ...chain, ms: Date.now() - c0 };
      } catch (err) {
        (life as Lifetime).chainAtStart = { ok: false, count: 0, ms: Date.now() - c0 };
        warnings.push(`lifetime ${life.index}: the chain check after the restart failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    log(`restart (${endedBy}) done: down ${life?.downMs ?? 0} ms, chain ${life?.chainAtStart?.ok ? 'verifies' : 'DOES NOT VERIFY'} (${life?.chainAtStart?.count ?? 0} records)`);
  };

  /** Waits for `p`, restarting the server if it dies on its own meanwhile (a crash: a fault). */
  const watch = async <T>(p: Promise<T>, loaded: boolean): Promise<T> => {
    for (;;) {
      const s0 = server;
      const l0 = life;
      if (!s0 || !l0) return p;
      const crashed = s0.exited.then((e) => ({ crash: e }));
      const r = await Promise.race([p.then((v) => ({ value: v })), crashed]);
      if ('value' in r) return r.value;
      if (l0.endedBy) return p; // a stop of ours
      l0.endedBy = 'crash';
      l0.exit = r.crash;
      l0.outputTail = s0.output().slice(-4000);
      faults.push(`lifetime ${l0.index}: the server exited on its own (code ${String(r.crash.code)}, signal ${String(r.crash.signal)})`);
      log(`the server CRASHED: ${l0.outputTail.slice(-500)}`);
      await start(loaded, Date.now());
    }
  };

  let result: SoakLoadResult | undefined;
  let readback: ReadBack | undefined;
  let audit: AuditIndex | undefined;
  let chain: { ok: boolean; count: number; brokenAt?: number } = { ok: false, count: 0 };
  try {
    await start(true);
    const srv = server as ParapetServe | undefined;
    if (!srv) throw new Error('no server');
    const accounts: SoakAccount[] = srv.credentials.accounts.map((a) => ({
      name: a.name,
      accountId: a.accountId,
      accessKeyId: a.accessKeyId,
      secretAccessKey: a.secretAccessKey,
    }));
    mgmt = accounts.find((_, i) => srv.credentials.accounts[i]?.role === 'management');
    if (!mgmt) throw new Error('no management account was bootstrapped');
    const bedrock = new BedrockClient({ region: REGION, endpoint: srv.url, credentials: mgmt, maxAttempts: 1 });
    const demo = (await bedrock.send(new ListGuardrailsCommand({}))).guardrails?.find((g) => g.name === 'parapet-demo-baseline');
    bedrock.destroy();
    if (!demo?.arn) throw new Error('the demo organization enforces no parapet-demo-baseline guardrail (PARAPET_DEMO=0?)');

    const runId = Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x');
    loader = await startLoad({
      endpoint: srv.url,
      region: REGION,
      runId,
      accounts,
      demoGuardrailArn: demo.arn,
      demoGuardrailVersion: '1',
      rate: settings.rps,
      durationS: settings.seconds,
      mix: settings.mix,
      actors: settings.actors,
      roundsPerLife: settings.roundsPerLife,
      maxLivePerAccount: 80,
      progressEveryS: Math.max(1, Math.min(10, settings.sampleEveryS)),
      maxInFlight: 256,
      timeoutMs: settings.timeoutMs,
      drainTimeoutS: 120,
    });
    sampler = setInterval(sample, settings.sampleEveryS * 1000);
    let progress: SoakLoadProgress | undefined;
    let lastLog = 0;
    t0 = Date.now();
    if (life) {
      (life as Lifetime).startedAtS = 0;
      for (const x of (life as Lifetime).samples) x.t = 0;
    }
    const loadDone = loader.go((p) => {
      progress = p;
      if (p.elapsedS - lastLog >= 30) {
        lastLog = p.elapsedS;
        const rss = life?.samples[life.samples.length - 1]?.rss ?? Number.NaN;
        log(`${p.elapsedS.toFixed(0)} s: ${p.sent} sent, ${p.acked} acked, ${p.failed} failed, ${p.writesAcked} writes acked, ${p.inFlight} in flight; RSS ${mib(rss)} MiB`);
      }
    });
    loadDone.catch(() => {});
    const loadSettled = loadDone.then(
      () => 'done' as const,
      () => 'done' as const,
    );

    // The restarts, at k × restartEveryS of the load, while it runs.
    for (let k = 1; k * settings.restartEveryS < settings.seconds; k++) {
      const at = t0 + k * settings.restartEveryS * 1000;
      const r = await watch(Promise.race([sleep(Math.max(0, at - Date.now())).then(() => 'restart' as const), loadSettled]), true);
      if (r === 'done') break;
      const signal = k % 2 === 1 ? 'SIGTERM' : 'SIGKILL';
      log(`${((Date.now() - t0) / 1000).toFixed(0)} s: restart ${k} (${signal}), ${progress?.acked ?? 0} acked so far`);
      await restart(signal, signal, true);
    }
    result = await watch(loadDone, true);
    log(`load done: ${result.elapsedS.toFixed(0)} s, drain ${result.drainS.toFixed(1)} s; final SIGKILL, restart, read-back`);

    // A last SIGKILL with nothing in flight: what was acknowledged must be in the store, not in a buffer.
    await restart('SIGKILL', 'final SIGKILL', false);
    const url = server?.url ?? '';
    chain = await verifyChain(url, mgmt);
    audit = await readAudit(url, mgmt);
    readback = await readBack(url, accounts, result.guardrails, audit);
    log(`read-back done: ${audit.count} audit records, chain ${chain.ok ? 'verifies' : 'DOES NOT VERIFY'}`);
  } finally {
    if (sampler) clearInterval(sampler);
    loader?.close();
    if (server && life && !life.endedBy) {
      sample();
      life.endedBy = 'end';
      const from = Date.now();
      const timer = setTimeout(() => void server?.stop('SIGKILL'), 30_000);
      life.exit = await server.stop('SIGTERM');
      clearTimeout(timer);
      life.stopMs = Date.now() - from;
      if (life.exit.code !== 0) {
        life.outputTail = server.output().slice(-4000);
        faults.push(`lifetime ${life.index}: the final graceful stop exited with code ${String(life.exit.code)}, signal ${String(life.exit.signal)}`);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (s.database && schema) await dropSchemas(s.database, schema).catch(() => {});
  }
  if (!result || !readback || !audit) throw new Error('the soak did not finish');

  // --- figures -------------------------------------------------------------------------------------------------
  const invocations: SoakReport['invocations'] = {};
  for (const k of INVOCATION_KINDS) invocations[k] = { acked: 0, auditMissing: 0, noRequestId: 0 };
  const own: Record<string, string> = {
    ApplyGuardrail: 'bedrock:ApplyGuardrail',
    Converse: 'bedrock:Converse',
    ConverseStream: 'bedrock:ConverseStream',
    ChatCompletions: 'parapet:ChatCompletions',
  };
  const auditMissingDetails = [...readback.auditMissingDetails];
  for (const inv of result.invocations) {
    const c = invocations[inv.kind] ?? { acked: 0, auditMissing: 0, noRequestId: 0 };
    invocations[inv.kind] = c;
    c.acked++;
    if (!inv.requestId) {
      c.noRequestId++;
      continue;
    }
    const actions = audit.byRequest.get(inv.requestId) ?? [];
    const ok = actions.includes(own[inv.kind] ?? '') && (inv.kind === 'ApplyGuardrail' || actions.includes('bedrock:ApplyGuardrail'));
    if (!ok) {
      c.auditMissing++;
      if (auditMissingDetails.length < 50) auditMissingDetails.push(`${inv.kind} ${inv.requestId}: records ${JSON.stringify(actions)}`);
    }
  }

  const inWindow = (f: FailureEvent) => windows.some((w) => f.at >= w.from - WINDOW_BEFORE_MS && f.at <= w.to + WINDOW_AFTER_MS);
  const outside: Record<string, number> = {};
  const outsideExamples: string[] = [];
  let inRestartWindows = 0;
  for (const f of result.failures) {
    if (inWindow(f)) {
      inRestartWindows++;
      continue;
    }
    const key = `${f.kind}: ${f.error}`;
    outside[key] = (outside[key] ?? 0) + 1;
    if (outsideExamples.length < 10) outsideExamples.push(`t=${relS(f.at).toFixed(1)} s ${key}`);
  }

  // RSS per lifetime (the last one only served the read-back) and across them.
  const perLifetime: LifetimeRss[] = lifetimes
    .filter((l) => l.loaded && l.samples.length)
    .map((l) => {
      const warm = l.samples.filter((x) => x.age >= settings.warmupS);
      const rss = l.samples.map((x) => x.rss);
      const gcWarm = l.gc.filter((x) => x.age >= settings.warmupS);
      return {
        index: l.index,
        gc: {
          n: gcWarm.length,
          first: gcWarm[0]?.rss ?? Number.NaN,
          last: gcWarm[gcWarm.length - 1]?.rss ?? Number.NaN,
          slope: slope(gcWarm.map((x) => ({ x: x.t / 60, y: x.rss / MiB }))),
        },
        start: l.samples[0]?.rss ?? Number.NaN,
        warm: warm.length ? median(warm.map((x) => x.rss)) : Number.NaN,
        floor: warm.length ? Math.min(...warm.map((x) => x.rss)) : Number.NaN,
        mid: warm.length ? ((warm[0]?.t ?? 0) + (warm[warm.length - 1]?.t ?? 0)) / 2 / 60 : Number.NaN,
        end: l.samples[l.samples.length - 1]?.rss ?? Number.NaN,
        max: Math.max(...rss),
        slope: slope(warm.map((x) => ({ x: x.t / 60, y: x.rss / MiB }))),
        samples: l.samples.length,
      };
    });
  const across = lifetimes
    .filter((l) => l.loaded)
    .flatMap((l) => l.samples.filter((x) => x.age >= settings.warmupS).map((x) => ({ x: x.t / 60, y: x.rss / MiB })));
  const warmLives = perLifetime.filter((p) => Number.isFinite(p.floor));
  const slopeSamples = warmLives.length >= 2 ? slope(across) : Number.NaN;
  const slopeAcross = warmLives.length >= 2 ? slope(warmLives.map((p) => ({ x: p.mid, y: p.floor / MiB }))) : Number.NaN;
  const projected = slopeAcross * (settings.seconds / 60);
  const limit = ((warmLives[0]?.floor ?? Number.NaN) / MiB) * RSS_GROWTH_LIMIT;
  const verdict: SoakReport['rss']['verdict'] = Number.isFinite(projected) ? (projected < limit ? 'flat' : 'GROWTH') : 'n/a';

  const lives = result.guardrails.filter((l) => l.guardrailId);
  const rejected: Record<string, number> = {};
  for (const l of result.guardrails) for (const r of l.rejected) rejected[`${r.kind}: ${r.error}`] = (rejected[`${r.kind}: ${r.error}`] ?? 0) + 1;
  const restarts = {
    graceful: lifetimes.filter((l) => l.endedBy === 'SIGTERM').length,
    killed: lifetimes.filter((l) => l.endedBy === 'SIGKILL').length,
    crashes: lifetimes.filter((l) => l.endedBy === 'crash').length,
  };
  const chainChecks = lifetimes.filter((l) => l.chainAtStart);

  // --- verdicts ------------------------------------------------------------------------------------------------
  const lostTotal = WRITE_KINDS.reduce((n, k) => n + readback.writes[k].lost, 0);
  if (lostTotal) faults.push(`${lostTotal} acknowledged write(s) lost`);
  if (!chain.ok) faults.push(`the audit chain does not verify (broken at ${String(chain.brokenAt)})`);
  const chainFailed = chainChecks.filter((l) => !l.chainAtStart?.ok);
  if (chainFailed.length) faults.push(`the chain did not verify after restart(s) ${chainFailed.map((l) => l.index - 1).join(', ')}`);
  const writeAuditMissing = WRITE_KINDS.reduce((n, k) => n + readback.writes[k].auditMissing, 0);
  if (writeAuditMissing) faults.push(`${writeAuditMissing} acknowledged control-plane write(s) without their audit record`);
  const invAuditMissing = Object.values(invocations).reduce((n, c) => n + c.auditMissing, 0);
  if (invAuditMissing) faults.push(`${invAuditMissing} acknowledged invocation(s) without their audit records`);
  const noRequestId = Object.values(invocations).reduce((n, c) => n + c.noRequestId, 0);
  if (noRequestId) faults.push(`${noRequestId} acknowledged invocation(s) answered without a request id`);
  const unresolved = result.guardrails.filter((l) => l.unresolved).length;
  if (unresolved) warnings.push(`${unresolved} write(s) still in doubt when the drain gave up (their effect is accepted either way)`);
  const gap = WRITE_KINDS.reduce((n, k) => n + readback.writes[k].auditMissingAfterInDoubt, 0);
  if (gap) warnings.push(`${gap} write(s) acknowledged by a retry after an attempt cut off in doubt have no audit record (README: change and record are separate transactions)`);
  if (readback.unexpectedVersions) warnings.push(`${readback.unexpectedVersions} published version(s) nobody acknowledged`);
  const outsideTotal = Object.values(outside).reduce((n, x) => n + x, 0);
  if (outsideTotal) warnings.push(`${outsideTotal} failure(s) away from any restart: ${JSON.stringify(outside)}`);
  if (Object.keys(rejected).length) warnings.push(`writes refused (4xx): ${JSON.stringify(rejected)}`);
  if (verdict === 'GROWTH') warnings.push(`RSS grows across lifetimes: ${slopeAcross.toFixed(2)} MiB/min`);
  if (serverErrors.length) warnings.push(`${serverErrors.length} error line(s) in the server logs`);

  const steady: SoakReport['steady'] = {};
  {
    const away = (at: number) => windows.every((w) => at < w.from - STEADY_BEFORE_MS || at > w.to + STEADY_AFTER_MS);
    const byKind = new Map<string, number[]>();
    for (const [k, at, ms] of result.latencies) {
      const kind = ALL_KINDS[k];
      if (kind === undefined || !away(at)) continue;
      const list = byKind.get(kind);
      if (list) list.push(ms);
      else byKind.set(kind, [ms]);
    }
    for (const [kind, xs] of byKind) {
      xs.sort((a, b) => a - b);
      steady[kind] = { n: xs.length, p50Ms: percentile(xs, 50), p99Ms: percentile(xs, 99), maxMs: xs[xs.length - 1] ?? Number.NaN };
    }
  }

  const { invocations: _i, guardrails: _g, failures: _f, latencies: _l, ...load } = result;
  return {
    settings,
    machine,
    store,
    endpoint,
    load,
    steady,
    lifetimes,
    restarts,
    writes: readback.writes,
    invocations,
    guardrails: {
      lives: lives.length,
      kept: lives.filter((l) => !l.writes.some((w) => w.kind === 'DeleteGuardrail')).length,
      deleted: lives.filter((l) => l.writes.some((w) => w.kind === 'DeleteGuardrail')).length,
      versions: lives.reduce((n, l) => n + l.writes.filter((w) => w.kind === 'CreateGuardrailVersion').length, 0),
      unresolved,
      rejected,
      unexpectedVersions: readback.unexpectedVersions,
    },
    lostDetails: readback.lostDetails,
    auditMissingDetails,
    audit: { records: audit.count, chain, chainAtRestarts: { checked: chainChecks.length, failed: chainFailed.length } },
    failures: { total: result.failures.length + result.failuresDropped, inRestartWindows, outside, outsideExamples },
    rss: {
      perLifetime,
      slopeAcross,
      slopeSamples,
      projected,
      limit,
      verdict,
      gcSlopeWithin: median(perLifetime.map((p) => p.gc.slope).filter((x) => Number.isFinite(x))),
    },
    serverErrors,
    faults,
    warnings,
    durationS: (Date.now() - runStart) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The report

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const signed = (n: number, digits = 2) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(digits)}` : '–');

function topFailures(f: Record<string, number>, n = 3): string {
  return Object.entries(f)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

export function printSoakReport(r: SoakReport): void {
  const s = r.settings;
  const mixTotal = Object.values(s.mix).reduce((a, b) => a + b, 0);
  console.log('Parapet soak — `parapet serve` restarted under a fixed-rate mix of invocations, ApplyGuardrail and control-plane writes');
  console.log(
    `machine: ${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memGiB} GiB; node ${r.machine.node}; load average at start ${r.machine.loadAvgStart.toFixed(2)} (the machine is shared)`,
  );
  console.log(`store: ${r.store}; server at ${r.endpoint} (the same port across restarts)`);
  console.log(
    `settings: ${s.seconds} s at ${s.rps} req/s (mix ${Object.entries(s.mix)
      .map(([k, v]) => `${k} ${((v / mixTotal) * 100).toFixed(0)}%`)
      .join(', ')}); a restart every ${s.restartEveryS} s, SIGTERM and SIGKILL alternating, then a final SIGKILL before the read-back; ` +
      `${s.actors} guardrail lives at once, ${s.roundsPerLife} update/tag/version/policy rounds each, every other life ends with DeleteGuardrail; ` +
      `serve --no-quotas${s.serveArgs.length ? ` ${s.serveArgs.join(' ')}` : ''}, demo organization (its baseline guardrail enforced on every call); per-call timeout ${s.timeoutMs / 1000} s; ` +
      `RSS every ${s.sampleEveryS} s, warm-up ${s.warmupS} s; MiB = 2^20 bytes; total wall time ${r.durationS.toFixed(0)} s\n`,
  );

  const kinds = [...INVOCATION_KINDS, ...WRITE_KINDS];
  const byKind = r.load.byKind as Record<string, KindStats>;
  const rows = kinds.map((k) => {
    const x = byKind[k];
    const st = r.steady[k];
    return [
      k,
      String(x?.sent ?? 0),
      String(x?.acked ?? 0),
      String(x?.failed ?? 0),
      `${fmt(x?.p50Ms ?? Number.NaN, 1)} / ${fmt(x?.p99Ms ?? Number.NaN, 1)}`,
      st ? `${fmt(st.p50Ms, 1)} / ${fmt(st.p99Ms, 1)} / ${fmt(st.maxMs, 0)}` : '–',
      topFailures(x?.failures ?? {}),
    ];
  });
  const sum = (f: (x: KindStats) => number) => kinds.reduce((n, k) => n + (byKind[k] ? f(byKind[k] as KindStats) : 0), 0);
  rows.push(['all', String(sum((x) => x.sent)), String(sum((x) => x.acked)), String(sum((x) => x.failed)), '', '', '']);
  printTable(
    [
      'requests (writes: attempts, retries included)',
      'sent',
      'acked',
      'failed',
      'p50 / p99 ms (acked)',
      `away from restarts: p50 / p99 / max ms`,
      'failures',
    ],
    rows,
  );
  const skipped = sum((x) => x.skipped) + (byKind.write?.skipped ?? 0);
  console.log(
    `\nload: ${r.load.elapsedS.toFixed(1)} s, ${r.load.due} due, ${skipped} skipped (max in flight, or every actor busy); drain of writes in doubt ${r.load.drainS.toFixed(1)} s; ` +
      `failures ${r.failures.total}: ${r.failures.inRestartWindows} within a restart (stop − ${WINDOW_BEFORE_MS / 1000} s … up + ${WINDOW_AFTER_MS / 1000} s), ` +
      `${r.failures.total - r.failures.inRestartWindows} outside${r.failures.outsideExamples.length ? ` (${r.failures.outsideExamples.slice(0, 5).join('; ')})` : ''}; ` +
      `"away from restarts" = calls started over ${STEADY_AFTER_MS / 1000} s after a restart's banner and over ${STEADY_BEFORE_MS / 1000} s before the next stop\n`,
  );

  const perLife = new Map(r.rss.perLifetime.map((p) => [p.index, p]));
  printTable(
    [
      'server lifetime',
      'from s',
      'ended by',
      'exit',
      'stop ms',
      'down ms',
      'chain at start',
      'RSS start',
      'RSS warm floor / median',
      'RSS end',
      'RSS max',
      'RSS slope MiB/min',
      'heap after full GCs: n, first → last MiB',
    ],
    r.lifetimes.map((l) => {
      const p = perLife.get(l.index);
      return [
        `#${l.index}${l.loaded ? '' : ' (read-back)'}`,
        fmt(l.startedAtS, 0),
        l.endedBy ?? '',
        l.exit ? (l.exit.signal ?? `code ${String(l.exit.code)}`) : '',
        l.stopMs !== undefined ? String(l.stopMs) : '',
        l.downMs !== undefined ? String(l.downMs) : '',
        l.chainAtStart ? `${l.chainAtStart.ok ? 'verifies' : 'BROKEN'} (${l.chainAtStart.count})` : '',
        p ? mib(p.start) : l.samples[0] ? mib(l.samples[0].rss) : '',
        p ? (Number.isFinite(p.warm) ? `${mib(p.floor)} / ${mib(p.warm)}` : '–') : '',
        p ? mib(p.end) : '',
        p ? mib(p.max) : '',
        p ? signed(p.slope) : '',
        p ? (p.gc.n ? `${p.gc.n}, ${mib(p.gc.first)} → ${mib(p.gc.last)}` : s.traceGc ? '0 after warm-up' : '') : '',
      ];
    }),
  );
  console.log('');

  const wRows = WRITE_KINDS.map((k) => {
    const w = r.writes[k];
    return [
      k,
      String(w.acked),
      String(w.afterInDoubt),
      String(w.lost),
      k === 'TagResource' ? 'not audited' : `${w.auditMissing}${w.auditMissingAfterInDoubt ? ` (+${w.auditMissingAfterInDoubt} after an attempt in doubt)` : ''}`,
    ];
  });
  const invRows = INVOCATION_KINDS.map((k) => {
    const c = r.invocations[k] ?? { acked: 0, auditMissing: 0, noRequestId: 0 };
    return [k, String(c.acked), '', '–', `${c.auditMissing}${c.noRequestId ? ` (+${c.noRequestId} without a request id)` : ''}`];
  });
  printTable(['acknowledged', 'count', 'after an attempt in doubt', 'lost', 'audit record missing'], [...wRows, ...invRows]);

  const restartsTotal = r.restarts.graceful + r.restarts.killed;
  const lostTotal = WRITE_KINDS.reduce((n, k) => n + r.writes[k].lost, 0);
  console.log('');
  printTable(
    ['result', 'value'],
    [
      ['restarts under load (graceful SIGTERM / SIGKILL)', `${restartsTotal} (${r.restarts.graceful} / ${r.restarts.killed}), then the final SIGKILL`],
      ['server crashes (exits nobody asked for)', String(r.restarts.crashes)],
      ['guardrail lives (kept / deleted), versions published', `${r.guardrails.lives} (${r.guardrails.kept} / ${r.guardrails.deleted}), ${r.guardrails.versions}`],
      ['lost acknowledged writes', String(lostTotal)],
      ['writes in doubt at the end / versions nobody acknowledged', `${r.guardrails.unresolved} / ${r.guardrails.unexpectedVersions}`],
      ['audit records at the end', String(r.audit.records)],
      ['audit chain (GET /admin/v1/audit/verify)', `${r.audit.chain.ok ? 'verifies' : `BROKEN at ${String(r.audit.chain.brokenAt)}`} (${r.audit.chain.count} records)`],
      ['chain checked after each restart', `${r.audit.chainAtRestarts.checked} checks, ${r.audit.chainAtRestarts.failed} failed`],
      [
        'RSS across lifetimes: slope of the warm floors (least squares)',
        `${signed(r.rss.slopeAcross, 2)} MiB/min → ${signed(r.rss.projected)} MiB over the run (limit ${fmt(r.rss.limit)} MiB = ${RSS_GROWTH_LIMIT * 100}% of lifetime 1's floor); ` +
          `all warm samples: ${signed(r.rss.slopeSamples, 2)} MiB/min`,
      ],
      ['RSS verdict', r.rss.verdict],
      [
        'V8 heap after full GCs, within a lifetime (median slope)',
        s.traceGc ? `${signed(r.rss.gcSlopeWithin, 2)} MiB/min (warm part; --trace-gc)` : 'not traced',
      ],
      ['server error log lines', String(r.serverErrors.length)],
      ['verdict', r.faults.length ? `FAIL (${r.faults.length} fault(s))` : 'pass'],
    ],
  );
  if (r.faults.length) console.log(`\nfaults:\n  ${r.faults.join('\n  ')}`);
  if (r.warnings.length) console.log(`\nwarnings:\n  ${r.warnings.join('\n  ')}`);
  if (r.lostDetails.length) console.log(`\nlost writes (first ${r.lostDetails.length}):\n  ${r.lostDetails.join('\n  ')}`);
  if (r.auditMissingDetails.length) console.log(`\nmissing audit records (first ${r.auditMissingDetails.length}):\n  ${r.auditMissingDetails.join('\n  ')}`);
  if (r.load.examples.length) console.log(`\nfirst failures other than refused connections:\n  ${r.load.examples.join('\n  ')}`);
  if (r.serverErrors.length) console.log(`\nserver error lines (first 10):\n  ${r.serverErrors.slice(0, 10).join('\n  ')}`);
  for (const l of r.lifetimes) if (l.outputTail) console.log(`\nlifetime ${l.index} output (end):\n${l.outputTail}`);
  console.log('\nRSS samples (t s: MiB), by lifetime:');
  for (const l of r.lifetimes) {
    const cells = l.samples.map((x) => `${x.t.toFixed(0)}: ${mib(x.rss)}`);
    console.log(`  #${l.index}: ${cells.join('  ')}`);
  }
}

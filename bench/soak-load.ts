/**
 * The soak's load generator (bench/soak-harness.ts starts it as its own process, so that its allocations and event
 * loop are not the server's): an open-loop, fixed-rate mix of
 *
 *   - model invocations on the demo model `parapet.demo-v1`, guarded by the demo organization's enforced baseline
 *     guardrail: Converse and ConverseStream (@aws-sdk/client-bedrock-runtime, HTTP/2) and the OpenAI-compatible
 *     `POST /v1/chat/completions` (fetch, HTTP/1.1 keep-alive, a Parapet access key as the bearer token);
 *   - ApplyGuardrail (SDK) on the demo baseline (by ARN, cross-account for the members) and on published versions of
 *     the guardrails the soak creates;
 *   - control-plane writes (@aws-sdk/client-bedrock): CreateGuardrail, UpdateGuardrail, CreateGuardrailVersion,
 *     TagResource, PutResourcePolicy and DeleteGuardrail, by "actors" (one guardrail's life each, see Actor below),
 *
 * in all the bootstrapped accounts, with every acknowledged (2xx, complete) answer written down: the request ids of
 * the invocations and, for every write, what it wrote. The server restarts underneath (the harness kills it); the
 * load neither knows nor cares: calls that fail are counted, with their time and error, and an actor retries its
 * write until it is acknowledged (the same request: CreateGuardrail and CreateGuardrailVersion carry a
 * clientRequestToken, so a retry of an attempt that did commit replays it; the others are idempotent). After the
 * run, pending writes are retried until acknowledged (the drain), so the expected final state is exact.
 *
 * Protocol (JSON lines): the first stdin line is a SoakLoadInit; the process answers `{"ready":true}`, starts on
 * `{"go":true}`, writes a SoakLoadProgress line every `progressEveryS` seconds and one SoakLoadResult line at the
 * end, and exits.
 *
 * Fixed rate: request i is due at start + i / rate and its kind is slot i of a smooth weighted round-robin over the
 * mix. A 1 ms timer sends every request that is due, unless `maxInFlight` are waiting (counted as skipped, never sent
 * late); a write slot with every actor busy is skipped the same way.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  BedrockClient,
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
  DeleteGuardrailCommand,
  PutResourcePolicyCommand,
  TagResourceCommand,
  UpdateGuardrailCommand,
} from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { percentile } from './report.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const INVOCATION_KINDS = ['ApplyGuardrail', 'Converse', 'ConverseStream', 'ChatCompletions'] as const;
export type InvocationKind = (typeof INVOCATION_KINDS)[number];
export const WRITE_KINDS = ['CreateGuardrail', 'UpdateGuardrail', 'CreateGuardrailVersion', 'TagResource', 'PutResourcePolicy', 'DeleteGuardrail'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];
export const ALL_KINDS: ReadonlyArray<InvocationKind | WriteKind> = [...INVOCATION_KINDS, ...WRITE_KINDS];
/** A slot of the fixed-rate schedule: an invocation, or a control-plane write (whichever an actor does next). */
export type SlotKind = InvocationKind | 'write';

export interface SoakAccount {
  name: string;
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SoakLoadInit {
  endpoint: string;
  region: string;
  /** Alphanumeric, unique to the run: in every name, token and marker the run writes. */
  runId: string;
  accounts: SoakAccount[];
  /** The demo organization's enforced guardrail (ARN) and its published version. */
  demoGuardrailArn: string;
  demoGuardrailVersion: string;
  /** Requests per second, all kinds together. */
  rate: number;
  durationS: number;
  /** Relative weights of the slot kinds. */
  mix: Record<SlotKind, number>;
  /** Guardrail lives in progress at once (each at most one write in flight). */
  actors: number;
  /** Update/tag/version/policy rounds in one guardrail's life (so that many published versions). */
  roundsPerLife: number;
  /** Live guardrails an account may hold before every new life ends with DeleteGuardrail (the quota is 100). */
  maxLivePerAccount: number;
  progressEveryS: number;
  maxInFlight: number;
  /** Per call; a call still unanswered then is aborted and counted as a failure (in doubt, for a write). */
  timeoutMs: number;
  /** After the run: how long pending writes are retried before giving up. */
  drainTimeoutS: number;
}

export interface SoakLoadProgress {
  kind: 'progress';
  elapsedS: number;
  sent: number;
  acked: number;
  failed: number;
  inFlight: number;
  writesAcked: number;
}

export interface KindStats {
  sent: number;
  acked: number;
  failed: number;
  /** Due but not sent (maxInFlight waiting, or every actor busy). */
  skipped: number;
  /** Error (name or code, HTTP status) → count. */
  failures: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface AckedInvocation {
  kind: InvocationKind;
  requestId: string;
  /** Index into `accounts`. */
  account: number;
}

/** One attempt that failed: when (epoch ms), what, and how. */
export interface FailureEvent {
  at: number;
  kind: InvocationKind | WriteKind;
  error: string;
  /** The call may have been carried out (not a refused connection, not a 4xx). */
  inDoubt: boolean;
}

/** An acknowledged write, and whether an earlier attempt of the same write failed in doubt (see the header). */
export interface AckedWrite {
  kind: WriteKind;
  requestId: string;
  /** An earlier attempt may have committed it (then the acknowledged answer may be a replay, or a 404 on delete). */
  afterInDoubt: boolean;
  /** CreateGuardrail/UpdateGuardrail/TagResource/PutResourcePolicy: the marker written; CreateGuardrailVersion: the DRAFT's. */
  marker?: string;
  version?: string;
  tag?: { key: string; value: string };
  /** DeleteGuardrail answered 404 after an attempt in doubt: the attempt had deleted it. */
  resolvedByNotFound?: boolean;
}

/** One guardrail's life as the soak saw it acknowledged: the expected state is derived from this. */
export interface GuardrailLedger {
  serial: number;
  account: number;
  name: string;
  plan: 'keep' | 'delete';
  guardrailId?: string;
  arn?: string;
  writes: AckedWrite[];
  /** Writes refused with a 4xx (never applied): kind → error. */
  rejected: Array<{ kind: WriteKind; error: string }>;
  /** A write still unacknowledged when the drain gave up (its effect is unknown). */
  unresolved?: { kind: WriteKind; marker?: string };
}

export interface SoakLoadResult {
  kind: 'result';
  startedAt: number;
  elapsedS: number;
  drainS: number;
  due: number;
  byKind: Record<string, KindStats>;
  invocations: AckedInvocation[];
  guardrails: GuardrailLedger[];
  failures: FailureEvent[];
  /** Failure events not kept (the list is capped). */
  failuresDropped: number;
  /** The first few failure messages. */
  examples: string[];
  maxInFlight: number;
  /** Every acknowledged call: [index into ALL_KINDS, start (epoch ms), latency ms]. */
  latencies: Array<[number, number, number]>;
}

function write(line: unknown): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Smooth weighted round-robin: a deterministic sequence in which each kind appears in proportion to its weight. */
export function schedule(mix: Record<SlotKind, number>, length: number): SlotKind[] {
  const kinds = (Object.keys(mix) as SlotKind[]).filter((k) => mix[k] > 0);
  const total = kinds.reduce((s, k) => s + mix[k], 0);
  if (!total) throw new Error('the mix is empty');
  const current = new Map<SlotKind, number>(kinds.map((k) => [k, 0]));
  const out: SlotKind[] = [];
  for (let i = 0; i < length; i++) {
    let best: SlotKind | undefined;
    for (const k of kinds) {
      const c = (current.get(k) ?? 0) + mix[k];
      current.set(k, c);
      if (best === undefined || c > (current.get(best) ?? 0)) best = k;
    }
    if (best === undefined) break;
    current.set(best, (current.get(best) ?? 0) - total);
    out.push(best);
  }
  return out;
}

/** The error's name/code and HTTP status, and whether the call may have been carried out. */
export function classify(err: unknown): { error: string; inDoubt: boolean; status?: number } {
  const e = err as { name?: string; code?: string; message?: string; cause?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 400) return { error: `${status} ${e.name ?? 'Error'}`, inDoubt: status >= 500, status };
  const codes: string[] = [];
  for (let c: unknown = err, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const x = c as { code?: unknown; name?: unknown; errors?: unknown };
    if (typeof x.code === 'string') codes.push(x.code);
    if (Array.isArray(x.errors)) for (const y of x.errors) if (typeof (y as { code?: unknown }).code === 'string') codes.push((y as { code: string }).code);
  }
  if (codes.includes('ECONNREFUSED')) return { error: 'ECONNREFUSED', inDoubt: false };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { error: 'timeout', inDoubt: true };
  return { error: codes[0] ?? e?.name ?? 'Error', inDoubt: true };
}

class HttpError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(status: number, name: string, message: string) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

const TEXTS = [
  'The quarterly report shows steady growth in the northern region.',
  'Please send the summary to jane.doe@example.com before Friday.',
  'Can you summarize the main findings of the research paper for me?',
  'Our team shipped the new onboarding flow and customers like it.',
  'What is Project Nightingale?',
  'Remember to rotate the logs and archive the old backups weekly.',
  'The soakword appears here, which the soak guardrails deny.',
];

interface Op {
  kind: WriteKind;
  marker: string;
  /** Round within the life (tags rotate over a few keys). */
  round: number;
}

/**
 * One guardrail's life: CreateGuardrail, then `roundsPerLife` rounds of UpdateGuardrail, TagResource,
 * CreateGuardrailVersion and PutResourcePolicy, then (for half the lives, or when the account is near its quota)
 * DeleteGuardrail. Writes are strictly one after the other, each retried until acknowledged, so the guardrail's
 * final state follows from the acknowledged writes alone.
 */
class Actor {
  ledger: GuardrailLedger;
  ops: Op[];
  next = 0;
  busy = false;
  /** An attempt of ops[next] failed in doubt. */
  inDoubt = false;
  draftMarker = '';

  constructor(serial: number, account: number, plan: 'keep' | 'delete', runId: string, rounds: number) {
    const name = `soak-${runId}-g${serial}`;
    this.ledger = { serial, account, name, plan, writes: [], rejected: [] };
    const marker = (i: number) => `${runId}g${serial}o${i}`;
    this.ops = [{ kind: 'CreateGuardrail', marker: marker(0), round: 0 }];
    for (let r = 1; r <= rounds; r++)
      for (const kind of ['UpdateGuardrail', 'TagResource', 'CreateGuardrailVersion', 'PutResourcePolicy'] as const)
        this.ops.push({ kind, marker: marker(this.ops.length), round: r });
    if (plan === 'delete') this.ops.push({ kind: 'DeleteGuardrail', marker: marker(this.ops.length), round: rounds + 1 });
  }

  get done(): boolean {
    return this.next >= this.ops.length;
  }

  /** Created (acknowledged) and not deleted. */
  get live(): boolean {
    return this.ledger.guardrailId !== undefined && !this.ledger.writes.some((w) => w.kind === 'DeleteGuardrail');
  }
}

function guardrailConfig(name: string, marker: string) {
  return {
    name,
    description: `soak guardrail, state ${marker}`,
    blockedInputMessaging: `Blocked by the soak (${marker}).`,
    blockedOutputsMessaging: `Withheld by the soak (${marker}).`,
    wordPolicyConfig: { wordsConfig: [{ text: 'soakword' }, { text: `w${marker}` }] },
  };
}

/** The marker a guardrail's blocked-input message carries (see guardrailConfig). */
export function markerOf(blockedInputMessaging: string | undefined): string | undefined {
  return /\(([A-Za-z0-9]+)\)\.$/.exec(blockedInputMessaging ?? '')?.[1];
}

export function policySid(marker: string): string {
  return `S${marker}`;
}

async function run(init: SoakLoadInit): Promise<SoakLoadResult> {
  const cfg = (a: SoakAccount) => ({
    region: init.region,
    endpoint: init.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: 1,
  });
  const runtimes = init.accounts.map((a) => new BedrockRuntimeClient(cfg(a)));
  const controls = init.accounts.map((a) => new BedrockClient(cfg(a)));
  const bearer = init.accounts.map((a) => `Bearer ${a.accessKeyId}:${a.secretAccessKey}`);

  const stats = new Map<string, KindStats & { latencies: number[] }>();
  const statOf = (k: string) => {
    let s = stats.get(k);
    if (!s) {
      s = { sent: 0, acked: 0, failed: 0, skipped: 0, failures: {}, p50Ms: 0, p99Ms: 0, maxMs: 0, latencies: [] };
      stats.set(k, s);
    }
    return s;
  };
  for (const k of [...INVOCATION_KINDS, ...WRITE_KINDS]) statOf(k);
  const invocations: AckedInvocation[] = [];
  const failures: FailureEvent[] = [];
  let failuresDropped = 0;
  const examples: string[] = [];
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let writesAcked = 0;
  let inFlight = 0;
  let peakInFlight = 0;

  const fail = (kind: InvocationKind | WriteKind, err: unknown) => {
    const c = classify(err);
    const s = statOf(kind);
    s.failed++;
    failed++;
    s.failures[c.error] = (s.failures[c.error] ?? 0) + 1;
    if (failures.length < 50_000) failures.push({ at: Date.now(), kind, error: c.error, inDoubt: c.inDoubt });
    else failuresDropped++;
    if (examples.length < 8 && c.error !== 'ECONNREFUSED') {
      const e = err instanceof Error ? err : new Error(String(err));
      examples.push(`${kind}: ${c.error}: ${e.message}`.replace(/\s+/g, ' ').slice(0, 300));
    }
    return c;
  };
  const latencies: Array<[number, number, number]> = [];
  const ack = (kind: InvocationKind | WriteKind, t0: number) => {
    const s = statOf(kind);
    s.acked++;
    acked++;
    const ms = performance.now() - t0;
    s.latencies.push(ms);
    latencies.push([ALL_KINDS.indexOf(kind), Math.round(performance.timeOrigin + t0), Math.round(ms * 10) / 10]);
  };
  const signal = () => AbortSignal.timeout(init.timeoutMs);

  // --- invocations ---------------------------------------------------------------------------------------------
  /** Published versions of the lives that keep their guardrail: ApplyGuardrail targets besides the demo baseline. */
  const keptVersions: Array<{ account: number; guardrailId: string; version: string }> = [];

  const invoke = async (i: number, kind: InvocationKind): Promise<void> => {
    const account = i % init.accounts.length;
    const text = TEXTS[Math.floor(i / init.accounts.length) % TEXTS.length] ?? '';
    const t0 = performance.now();
    statOf(kind).sent++;
    try {
      let requestId: string | undefined;
      let caller = account;
      if (kind === 'ApplyGuardrail') {
        const own = i % 2 === 1 ? keptVersions[Math.floor(i / 2) % Math.max(1, keptVersions.length)] : undefined;
        caller = own ? own.account : account;
        const client = runtimes[caller];
        if (!client) throw new Error('no client');
        const out = await client.send(
          new ApplyGuardrailCommand({
            guardrailIdentifier: own ? own.guardrailId : init.demoGuardrailArn,
            guardrailVersion: own ? own.version : init.demoGuardrailVersion,
            source: i % 4 < 2 ? 'INPUT' : 'OUTPUT',
            content: [{ text: { text } }],
          }),
          { abortSignal: signal() },
        );
        if (!out.action) throw new Error('ApplyGuardrail answered without an action');
        requestId = out.$metadata.requestId;
      } else if (kind === 'Converse') {
        const client = runtimes[account];
        if (!client) throw new Error('no client');
        const out = await client.send(
          new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: `${text} (${i})` }] }] }),
          { abortSignal: signal() },
        );
        if (!out.output?.message) throw new Error('Converse answered without a message');
        requestId = out.$metadata.requestId;
      } else if (kind === 'ConverseStream') {
        const client = runtimes[account];
        if (!client) throw new Error('no client');
        const abortSignal = signal();
        const out = await client.send(
          new ConverseStreamCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: `${text} (${i})` }] }] }),
          { abortSignal },
        );
        let closing = false;
        for await (const ev of out.stream ?? []) if (ev.metadata) closing = true;
        // Acknowledged: the closing metadata event (sent once the records are durable) and a clean end.
        if (!closing) throw new Error('the stream ended without its closing metadata event');
        requestId = out.$metadata.requestId;
      } else {
        const res = await fetch(`${init.endpoint}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: bearer[account] ?? '', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'parapet.demo-v1', messages: [{ role: 'user', content: `${text} (${i})` }] }),
          signal: signal(),
        });
        const body = await res.text();
        if (res.status !== 200) {
          let name = 'HttpError';
          try {
            name = (JSON.parse(body) as { error?: { type?: string } }).error?.type ?? name;
          } catch {
            // not JSON
          }
          throw new HttpError(res.status, name, body.slice(0, 200));
        }
        const parsed = JSON.parse(body) as { choices?: Array<{ message?: unknown }> };
        if (!parsed.choices?.[0]?.message) throw new Error('chat completion without a message');
        requestId = res.headers.get('x-amzn-requestid') ?? undefined;
      }
      ack(kind, t0);
      invocations.push({ kind, requestId: requestId ?? '', account: caller });
    } catch (err) {
      fail(kind, err);
    }
  };

  // --- control-plane writes ------------------------------------------------------------------------------------
  const actors: Array<Actor | undefined> = Array.from({ length: init.actors }, () => undefined);
  const lives: Actor[] = [];
  let serial = 0;
  const liveCount = (account: number) => lives.filter((a) => a.ledger.account === account && (a.live || a.ledger.guardrailId === undefined)).length;

  const newLife = (): Actor => {
    let account = 0;
    for (let a = 1; a < init.accounts.length; a++) if (liveCount(a) < liveCount(account)) account = a;
    const s = serial++;
    const plan = s % 2 === 1 || liveCount(account) >= init.maxLivePerAccount ? 'delete' : 'keep';
    const actor = new Actor(s, account, plan, init.runId, init.roundsPerLife);
    lives.push(actor);
    return actor;
  };

  /** One attempt of the actor's next write. */
  const step = async (actor: Actor): Promise<void> => {
    const op = actor.ops[actor.next];
    if (!op) return;
    const L = actor.ledger;
    const client = controls[L.account];
    if (!client) throw new Error('no client');
    const owner = init.accounts[L.account];
    statOf(op.kind).sent++;
    const t0 = performance.now();
    const done = (w: Omit<AckedWrite, 'kind' | 'afterInDoubt'>) => {
      ack(op.kind, t0);
      writesAcked++;
      L.writes.push({ kind: op.kind, afterInDoubt: actor.inDoubt, ...w });
      actor.next++;
      actor.inDoubt = false;
    };
    try {
      switch (op.kind) {
        case 'CreateGuardrail': {
          const out = await client.send(
            new CreateGuardrailCommand({
              ...guardrailConfig(L.name, op.marker),
              tags: [{ key: 'soak', value: init.runId }],
              clientRequestToken: `${L.name}-create`,
            }),
            { abortSignal: signal() },
          );
          if (!out.guardrailId || !out.guardrailArn) throw new Error('CreateGuardrail answered without an id');
          L.guardrailId = out.guardrailId;
          L.arn = out.guardrailArn;
          actor.draftMarker = op.marker;
          done({ requestId: out.$metadata.requestId ?? '', marker: op.marker });
          break;
        }
        case 'UpdateGuardrail': {
          const out = await client.send(new UpdateGuardrailCommand({ guardrailIdentifier: L.guardrailId, ...guardrailConfig(L.name, op.marker) }), {
            abortSignal: signal(),
          });
          actor.draftMarker = op.marker;
          done({ requestId: out.$metadata.requestId ?? '', marker: op.marker });
          break;
        }
        case 'TagResource': {
          const tag = { key: `k${op.round % 3}`, value: op.marker };
          const out = await client.send(new TagResourceCommand({ resourceARN: L.arn, tags: [tag] }), { abortSignal: signal() });
          done({ requestId: out.$metadata.requestId ?? '', marker: op.marker, tag });
          break;
        }
        case 'CreateGuardrailVersion': {
          const out = await client.send(
            new CreateGuardrailVersionCommand({ guardrailIdentifier: L.guardrailId, clientRequestToken: `${L.name}-v${op.round}` }),
            { abortSignal: signal() },
          );
          if (!out.version) throw new Error('CreateGuardrailVersion answered without a version');
          done({ requestId: out.$metadata.requestId ?? '', marker: actor.draftMarker, version: out.version });
          if (L.plan === 'keep' && L.guardrailId) {
            keptVersions.push({ account: L.account, guardrailId: L.guardrailId, version: out.version });
            if (keptVersions.length > 64) keptVersions.shift();
          }
          break;
        }
        case 'PutResourcePolicy': {
          const document = {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: policySid(op.marker),
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${owner?.accountId ?? ''}:root` },
                Action: 'bedrock:ApplyGuardrail',
                Resource: L.arn,
              },
            ],
          };
          const out = await client.send(new PutResourcePolicyCommand({ resourceArn: L.arn, resourcePolicy: JSON.stringify(document) }), {
            abortSignal: signal(),
          });
          done({ requestId: out.$metadata.requestId ?? '', marker: op.marker });
          break;
        }
        case 'DeleteGuardrail': {
          const out = await client.send(new DeleteGuardrailCommand({ guardrailIdentifier: L.guardrailId }), { abortSignal: signal() });
          done({ requestId: out.$metadata.requestId ?? '' });
          break;
        }
      }
    } catch (err) {
      const c = fail(op.kind, err);
      if (op.kind === 'DeleteGuardrail' && c.status === 404 && actor.inDoubt) {
        // The attempt that failed in doubt had deleted it.
        done({ requestId: '', resolvedByNotFound: true });
      } else if (c.status !== undefined && c.status >= 400 && c.status < 500) {
        // Refused, so never applied: drop the write (a refused create ends the life).
        L.rejected.push({ kind: op.kind, error: c.error });
        actor.next = op.kind === 'CreateGuardrail' ? actor.ops.length : actor.next + 1;
        actor.inDoubt = false;
      } else if (c.inDoubt) {
        actor.inDoubt = true;
      }
    }
  };

  let actorCursor = 0;
  /** A write slot: the next write of the first idle actor (a finished actor starts a new life). */
  const writeSlot = (): Promise<void> | undefined => {
    for (let n = 0; n < actors.length; n++) {
      const idx = (actorCursor + n) % actors.length;
      let actor = actors[idx];
      if (actor?.busy) continue;
      if (!actor || actor.done) {
        actor = newLife();
        actors[idx] = actor;
      }
      actorCursor = idx + 1;
      const a = actor;
      a.busy = true;
      return step(a).finally(() => {
        a.busy = false;
      });
    }
    return undefined;
  };

  // --- the fixed-rate run --------------------------------------------------------------------------------------
  const due = Math.round(init.rate * init.durationS);
  const slots = schedule(init.mix, Math.min(due, 1000));
  const pending = new Set<Promise<void>>();
  const startedAt = Date.now();
  const start = performance.now();
  const durationMs = init.durationS * 1000;
  let nextIndex = 0;
  let lastProgress = 0;
  const progress = () => {
    const line: SoakLoadProgress = { kind: 'progress', elapsedS: (performance.now() - start) / 1000, sent, acked, failed, inFlight, writesAcked };
    write(line);
  };
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - start;
      const dueNow = Math.min(due, Math.floor((elapsed / 1000) * init.rate) + 1);
      while (nextIndex < dueNow) {
        const i = nextIndex++;
        const slot = slots[i % slots.length] ?? 'ApplyGuardrail';
        if (inFlight >= init.maxInFlight) {
          statOf(slot === 'write' ? 'write' : slot).skipped++;
          continue;
        }
        const p = slot === 'write' ? writeSlot() : invoke(i, slot);
        if (!p) {
          statOf('write').skipped++;
          continue;
        }
        sent++;
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        const tracked = p.finally(() => {
          inFlight--;
          pending.delete(tracked);
        });
        pending.add(tracked);
      }
      const s = Math.floor(elapsed / 1000 / init.progressEveryS);
      if (s > lastProgress) {
        lastProgress = s;
        progress();
      }
      if (elapsed >= durationMs && nextIndex >= due) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  const elapsedS = (performance.now() - start) / 1000;

  // --- the drain: every write that failed is retried until acknowledged ----------------------------------------
  const drainStart = performance.now();
  const drainDeadline = drainStart + init.drainTimeoutS * 1000;
  for (;;) {
    const open = actors.filter((a): a is Actor => a !== undefined && a.inDoubt && !a.done);
    // Writes that failed without doubt (refused connections) need no retry for the ledger to be exact.
    if (!open.length || performance.now() > drainDeadline) break;
    await Promise.all(open.map((a) => step(a)));
    if (open.some((a) => a.inDoubt)) await new Promise((r) => setTimeout(r, 250));
  }
  for (const a of actors)
    if (a?.inDoubt && !a.done) {
      const op = a.ops[a.next];
      if (op) a.ledger.unresolved = { kind: op.kind, marker: op.marker };
    }
  const drainS = (performance.now() - drainStart) / 1000;

  const byKind: Record<string, KindStats> = {};
  for (const [k, s] of stats) {
    const lat = s.latencies.sort((a, b) => a - b);
    const { latencies: _l, ...rest } = s;
    byKind[k] = { ...rest, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), maxMs: lat[lat.length - 1] ?? Number.NaN };
  }
  for (const c of [...runtimes, ...controls]) c.destroy();
  return {
    kind: 'result',
    startedAt,
    elapsedS,
    drainS,
    due,
    byKind,
    invocations,
    guardrails: lives.map((a) => a.ledger).filter((l) => l.guardrailId !== undefined || l.rejected.length > 0 || l.unresolved !== undefined),
    failures,
    failuresDropped,
    examples,
    maxInFlight: peakInFlight,
    latencies,
  };
}

function main(): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let init: SoakLoadInit | undefined;
  lines.on('line', (line) => {
    if (!line.trim()) return;
    if (!init) {
      init = JSON.parse(line) as SoakLoadInit;
      write({ ready: true });
      return;
    }
    void run(init)
      .then((result) => write(result))
      .catch((err: unknown) => write({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
      .finally(() => lines.close());
  });
}

// Started as a script (the harness imports this module for its types and helpers only).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

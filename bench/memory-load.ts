/**
 * The memory benchmark's load generator, run as its own process so that its allocations and its event loop are
 * not the server's: an open-loop, fixed-rate stream of ApplyGuardrail calls through
 * @aws-sdk/client-bedrock-runtime (SigV4-signed by the SDK, its default HTTP/2 transport; one client per
 * account), spread over the given guardrail versions, alternating INPUT and OUTPUT and the given texts.
 *
 * Protocol (JSON lines): the first stdin line is a MemoryLoadInit; the process answers `{"ready":true}` once its
 * clients are made, then starts on the next line `{"go":true}`, writes a MemoryLoadProgress line every
 * `progressEveryS` seconds and one MemoryLoadResult line at the end, and exits.
 *
 * Fixed rate: request i is due at start + i / rate. A 1 ms timer sends every request that is due, unless
 * `maxInFlight` are already waiting for an answer; those are counted as `skipped` (the server fell behind), never
 * sent late, so the offered rate stays fixed and a slow server shows as a lower achieved rate.
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { percentile } from './report.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface MemoryLoadTarget {
  /** Index into `accounts`: whose credentials call it (the guardrail's owner). */
  account: number;
  guardrailId: string;
  version: string;
}

export interface MemoryLoadInit {
  endpoint: string;
  region: string;
  accounts: Array<{ accessKeyId: string; secretAccessKey: string }>;
  /** Taken in turn (the caller spreads them); every call must come back with action NONE. */
  targets: MemoryLoadTarget[];
  texts: string[];
  /** Requests per second. */
  rate: number;
  durationS: number;
  progressEveryS: number;
  maxInFlight: number;
  /**
   * false (the SDK's default for bedrock-runtime: `disableConcurrentStreams: true`): a new HTTP/2 connection per
   * call, as every SDK user does; true: one shared HTTP/2 connection per account (for comparison).
   */
  sharedSessions: boolean;
}

export interface MemoryLoadProgress {
  kind: 'progress';
  elapsedS: number;
  sent: number;
  ok: number;
  errors: number;
  intervened: number;
  skipped: number;
  inFlight: number;
}

export interface MemoryLoadResult {
  kind: 'result';
  elapsedS: number;
  /** Requests due over the run (rate × duration). */
  due: number;
  sent: number;
  ok: number;
  errors: number;
  /** Answered, but not with action NONE (the texts are meant to be benign). */
  intervened: number;
  /** Due but not sent: `maxInFlight` requests were already waiting. */
  skipped: number;
  /** Error names (or "intervened: …") and how often. */
  failures: Record<string, number>;
  /** The first few failure messages. */
  examples: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  maxInFlight: number;
}

function write(line: unknown): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function run(init: MemoryLoadInit, clients: BedrockRuntimeClient[]): Promise<MemoryLoadResult> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const examples: string[] = [];
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let intervened = 0;
  let skipped = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  const fail = (key: string, message: string) => {
    failures[key] = (failures[key] ?? 0) + 1;
    if (examples.length < 5) examples.push(message.slice(0, 300));
  };

  const one = async (i: number): Promise<void> => {
    const target = init.targets[i % init.targets.length];
    const client = target ? clients[target.account] : undefined;
    const text = init.texts[i % init.texts.length] ?? '';
    if (!target || !client) throw new Error('memory-load: no target or client');
    const t0 = performance.now();
    try {
      const out = await client.send(
        new ApplyGuardrailCommand({
          guardrailIdentifier: target.guardrailId,
          guardrailVersion: target.version,
          source: i % 2 === 0 ? 'INPUT' : 'OUTPUT',
          content: [{ text: { text } }],
        }),
      );
      if (out.action === 'NONE') {
        ok++;
        latencies.push(performance.now() - t0);
      } else {
        intervened++;
        fail(`intervened: ${String(out.actionReason ?? out.action)}`, `${target.guardrailId}:${target.version} ${JSON.stringify(out.assessments).slice(0, 250)}`);
      }
    } catch (err) {
      errors++;
      const e = err instanceof Error ? err : new Error(String(err));
      fail(e.name, `${e.name}: ${e.message}`);
    }
  };

  const pending = new Set<Promise<void>>();
  const start = performance.now();
  const durationMs = init.durationS * 1000;
  const due = Math.round(init.rate * init.durationS);
  let nextIndex = 0;
  let lastProgress = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - start;
      const dueNow = Math.min(due, Math.floor((elapsed / 1000) * init.rate) + 1);
      while (nextIndex < dueNow) {
        const i = nextIndex++;
        if (inFlight >= init.maxInFlight) {
          skipped++;
          continue;
        }
        sent++;
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        const p = one(i).finally(() => {
          inFlight--;
          pending.delete(p);
        });
        pending.add(p);
      }
      const s = Math.floor(elapsed / 1000 / init.progressEveryS);
      if (s > lastProgress) {
        lastProgress = s;
        const line: MemoryLoadProgress = { kind: 'progress', elapsedS: elapsed / 1000, sent, ok, errors, intervened, skipped, inFlight };
        write(line);
      }
      if (elapsed >= durationMs && nextIndex >= due) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  const elapsedS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    kind: 'result',
    elapsedS,
    due,
    sent,
    ok,
    errors,
    intervened,
    skipped,
    failures,
    examples,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    maxInFlight: peakInFlight,
  };
}

function main(): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let init: MemoryLoadInit | undefined;
  let clients: BedrockRuntimeClient[] = [];
  lines.on('line', (line) => {
    if (!line.trim()) return;
    if (!init) {
      init = JSON.parse(line) as MemoryLoadInit;
      const { endpoint, region } = init;
      const shared = init.sharedSessions;
      clients = init.accounts.map(
        (credentials) =>
          new BedrockRuntimeClient({
            region,
            endpoint,
            credentials,
            maxAttempts: 1,
            ...(shared ? { requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: false }) } : {}),
          }),
      );
      write({ ready: true });
      return;
    }
    const go = init;
    void run(go, clients)
      .then((result) => write(result))
      .catch((err: unknown) => write({ kind: 'error', message: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        for (const c of clients) c.destroy();
        lines.close();
      });
  });
}

main();

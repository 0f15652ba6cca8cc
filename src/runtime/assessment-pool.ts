/**
 * Assessments on worker threads (`parapet serve --assessment-threads N`), so that one process uses more than one
 * core and a large text does not stall the event loop that answers every other call.
 *
 * Each worker (`assessment-worker.ts`) compiles the guardrails it is asked to apply itself and keeps them in its
 * own bounded cache, keyed by the SHA-256 of the configuration: the configuration crosses to a worker once, with
 * the first job that needs it there, and later jobs carry only the key (a worker that has evicted it answers
 * `missing` and gets it again). The result is the engine's, cloned: bit for bit what `assess` on this thread
 * gives (the engine is deterministic and the result is plain data).
 *
 * Only guardrails compiled by `compile` with the shipped classifier are sent (their configuration says everything
 * about them); anything else — a compiled guardrail assembled by hand, an injected classifier — is assessed on
 * this thread (`offloads` says false), as are texts shorter than `inlineBelowChars` and small texts while a
 * thread is busy with a large one (DEFAULT_LARGE_CHARS).
 *
 * Failures are the caller's to turn into refusals (fail closed):
 * - `AssessmentEngineError`: the engine threw in the worker (as it would have here; same message);
 * - `AssessmentTimeout`: no answer within the job's `timeoutMs` (the gateway's guardrail deadline) — the call does
 *   not wait for the worker, and a job still queued is dropped;
 * - `AssessmentUnavailable`: the worker running the job died (it is replaced at once), was stuck past
 *   `hardLimitMs` (terminated and replaced), or the pool is closing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AssessRequest, AssessResult } from '../engine/assess.ts';
import { shippedClassifier } from '../engine/classifier/index.ts';
import type { CompiledGuardrail } from '../engine/compile.ts';
import type { GuardrailConfig } from '../engine/config/types.ts';

/** The most threads `--assessment-threads` accepts. */
export const MAX_ASSESSMENT_THREADS = 64;

/**
 * `parapet serve`'s default: 2 threads on a machine with 2 or more cores, else none. Measured on a 2-core VM
 * (`npm run bench:apply`, 1 KB texts, reference guardrail): 2 threads beat 0, 1 and 3 — the event loop's CPU per
 * call falls from about 500 to 145 µs and throughput at c=64 rises by about half — and a 100 KB text no longer
 * stalls the other calls. Each thread costs about 170 MiB of memory and a second of start-up, so more cores do not
 * raise the default: `--assessment-threads` does.
 */
export function defaultAssessmentThreads(cores: number = availableParallelism()): number {
  return cores >= 2 ? 2 : 0;
}

/**
 * Texts (all blocks of one assessment together) shorter than this are assessed on the calling thread. 0: the hop
 * (a structured clone each way and a thread wake-up, about 15–20 µs of the event loop's time) costs less than the
 * engine on any text with every policy on (about 30 µs at 100 B, 170 µs at 1 KB), and sending a 1 KB text to a
 * thread was measured faster than keeping it (a 2 KB threshold gave the throughput of no threads at all).
 */
export const DEFAULT_INLINE_BELOW_CHARS = 0;
/**
 * Texts from this many characters are large (about 2 ms of engine work with every policy on). While a thread has a
 * large text in hand, smaller texts are assessed on the calling thread — which the large texts left free — rather
 * than queue behind it or compete with it for a core: measured with two callers sending 100 KB texts, the p50 of
 * 1 KB calls at c=1 went from 62 ms (no threads) to 2.4 ms.
 */
export const DEFAULT_LARGE_CHARS = 10_000;
/** A job still running after this long means a stuck worker: it is terminated and replaced. */
export const DEFAULT_HARD_LIMIT_MS = 60_000;
/** Jobs sent to one worker before it answers (the next one waits in the worker's queue, so it never idles). */
export const DEFAULT_JOBS_PER_WORKER = 2;

export interface AssessmentPoolOptions {
  threads: number;
  /** Assess on the calling thread below this many characters (default DEFAULT_INLINE_BELOW_CHARS). */
  inlineBelowChars?: number;
  /** See DEFAULT_LARGE_CHARS. */
  largeChars?: number;
  /** See DEFAULT_HARD_LIMIT_MS. */
  hardLimitMs?: number;
  /** See DEFAULT_JOBS_PER_WORKER. */
  jobsPerWorker?: number;
  /** Each worker's compiled-guardrail cache bound (configuration JSON bytes, as the main thread's). */
  cacheWeight?: number;
  /** A worker died or was replaced (for the server log). */
  onEvent?: (line: Record<string, unknown>) => void;
  /** Tests only: a job whose first text is TEST_THROW makes the worker's engine throw. */
  testHooks?: boolean;
}

export interface AssessOptions {
  /** Give up (AssessmentTimeout) when no answer came this many ms after the call. */
  timeoutMs?: number;
}

/** The engine threw in the worker. */
export class AssessmentEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssessmentEngineError';
  }
}

/** The job got no answer within its time limit. */
export class AssessmentTimeout extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`no answer from the assessment thread within ${timeoutMs} ms`);
    this.name = 'AssessmentTimeout';
    this.timeoutMs = timeoutMs;
  }
}

/** The thread running the job died or was stuck, or the pool is closing. */
export class AssessmentUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssessmentUnavailable';
  }
}

/** What a caller needs of the pool (tests can stand in for it). */
export interface Assessor {
  /** Whether this assessment goes to a worker (else: `assess` on the calling thread). */
  offloads(compiled: CompiledGuardrail, chars: number): boolean;
  assess(compiled: CompiledGuardrail, request: AssessRequest, opts?: AssessOptions): Promise<AssessResult>;
}

/** Tests (`testHooks`): a first block with this text makes the worker's engine throw. */
export const TEST_THROW = '\u0000parapet-test: throw in the engine';

/** Main thread → worker. */
export interface JobMessage {
  id: number;
  key: string;
  /** Present the first time this worker sees `key`. */
  config?: GuardrailConfig;
  request: AssessRequest;
}

/** Worker → main thread. */
export interface ReplyMessage {
  id?: number;
  ready?: boolean;
  result?: AssessResult;
  /** The engine threw. */
  error?: string;
  /** The worker could not compile the configuration (it compiled here: a mismatch, not the caller's doing). */
  failure?: string;
  /** The worker no longer has `key` compiled: send the configuration again. */
  missing?: boolean;
}

interface Job {
  id: number;
  key: string;
  config: GuardrailConfig;
  request: AssessRequest;
  resolve: (r: AssessResult) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  /** performance.now() at submission. */
  submitted: number;
  /** The time limit: the caller's (a deadline: AssessmentTimeout) or the pool's hard limit (AssessmentUnavailable). */
  limitMs: number;
  deadline: boolean;
  /** At least `largeChars` characters. */
  large: boolean;
  settled: boolean;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: boolean;
  /** It was ready once (a worker that dies before that failed to start: its replacement backs off). */
  everReady: boolean;
  /** Keys this worker was sent the configuration of. */
  known: Set<string>;
  /** Jobs sent and not answered, oldest first. */
  running: Job[];
  /** How many of them are large. */
  large: number;
  watchdog?: NodeJS.Timeout;
  /** Why it failed (the 'error' event comes before 'exit'). */
  error?: string;
  stopping?: boolean;
}

const compiledKeys = new WeakMap<CompiledGuardrail, string | null>();

/** The content key of a compiled guardrail, or null when a worker could not rebuild it from its configuration. */
export function poolKey(compiled: CompiledGuardrail): string | null {
  let key = compiledKeys.get(compiled);
  if (key !== undefined) return key;
  const classifier = shippedClassifier();
  const rebuildable =
    Object.isFrozen(compiled) &&
    Object.isFrozen(compiled.input) &&
    Object.isFrozen(compiled.output) &&
    compiled.input.classifier === classifier &&
    compiled.output.classifier === classifier;
  key = rebuildable ? createHash('sha256').update(JSON.stringify(compiled.config)).digest('base64url') : null;
  compiledKeys.set(compiled, key);
  return key;
}

const KNOWN_KEYS_BOUND = 4096;

function charsOf(request: AssessRequest): number {
  let n = 0;
  for (const b of request.content) n += b.text.length;
  return n;
}

export class AssessmentPool implements Assessor {
  readonly threads: number;
  readonly inlineBelowChars: number;
  readonly #largeChars: number;
  readonly #hardLimitMs: number;
  readonly #perWorker: number;
  readonly #cacheWeight: number | undefined;
  readonly #onEvent: (line: Record<string, unknown>) => void;
  readonly #testHooks: boolean;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #next = 1;
  #closed = false;
  #started = false;
  #crashes = 0;
  #offloaded = 0;
  #configsSent = 0;
  /** Consecutive workers that died before they were ready (backs off their replacement). */
  #bootFailures = 0;

  private constructor(o: AssessmentPoolOptions) {
    if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > MAX_ASSESSMENT_THREADS)
      throw new Error(`an assessment pool needs 1 to ${MAX_ASSESSMENT_THREADS} threads, got ${o.threads}`);
    this.threads = o.threads;
    this.inlineBelowChars = o.inlineBelowChars ?? DEFAULT_INLINE_BELOW_CHARS;
    this.#largeChars = o.largeChars ?? DEFAULT_LARGE_CHARS;
    this.#hardLimitMs = o.hardLimitMs ?? DEFAULT_HARD_LIMIT_MS;
    this.#perWorker = Math.max(1, o.jobsPerWorker ?? DEFAULT_JOBS_PER_WORKER);
    this.#cacheWeight = o.cacheWeight;
    this.#onEvent = o.onEvent ?? (() => undefined);
    this.#testHooks = o.testHooks ?? false;
  }

  /** Starts the workers and resolves once every one is ready (rejects when one cannot start). */
  static async start(o: AssessmentPoolOptions): Promise<AssessmentPool> {
    const pool = new AssessmentPool(o);
    const ready = Array.from({ length: pool.threads }, (_, i) => pool.#spawn(i));
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw err;
    }
    pool.#started = true;
    return pool;
  }

  offloads(compiled: CompiledGuardrail, chars: number): boolean {
    if (this.#closed || chars < this.inlineBelowChars || poolKey(compiled) === null) return false;
    if (chars >= this.#largeChars) return true;
    // A small text waits for no large one, nor competes with one for a core: while a thread has a large text in hand
    // (or is being replaced), small ones are assessed here.
    let ready = false;
    for (const s of this.#slots) {
      if (s.large) return false;
      if (s.ready && !s.stopping) ready = true;
    }
    return ready;
  }

  assess(compiled: CompiledGuardrail, request: AssessRequest, opts: AssessOptions = {}): Promise<AssessResult> {
    const key = poolKey(compiled);
    if (key === null) return Promise.reject(new Error('this compiled guardrail cannot be assessed on a worker thread'));
    if (this.#closed) return Promise.reject(new AssessmentUnavailable('the assessment threads are stopping'));
    return new Promise<AssessResult>((resolve, reject) => {
      const job: Job = {
        id: this.#next++,
        key,
        config: compiled.config as GuardrailConfig,
        request: { source: request.source, content: request.content, ...(request.outputScope ? { outputScope: request.outputScope } : {}) },
        resolve,
        reject,
        submitted: performance.now(),
        limitMs: opts.timeoutMs ?? this.#hardLimitMs,
        deadline: opts.timeoutMs !== undefined,
        large: charsOf(request) >= this.#largeChars,
        settled: false,
      };
      this.#arm(job);
      this.#offloaded++;
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** How the pool is doing (tests, diagnostics). */
  stats(): { threads: number; ready: number; running: number; queued: number; crashes: number; offloaded: number; configsSent: number } {
    return {
      configsSent: this.#configsSent,
      threads: this.threads,
      ready: this.#slots.filter((s) => s.ready).length,
      running: this.#slots.reduce((n, s) => n + s.running.length, 0),
      queued: this.#queue.length,
      crashes: this.#crashes,
      offloaded: this.#offloaded,
    };
  }

  /** Tests: stops worker `index` abruptly, as a crash would (even mid-assessment). */
  crashWorker(index: number): void {
    void this.#slots[index]?.worker.terminate();
  }

  /** Stops every worker; what is queued or running fails with AssessmentUnavailable. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const stopping = new AssessmentUnavailable('the assessment threads are stopping');
    for (const job of this.#queue.splice(0)) this.#settle(job, stopping);
    const exits: Promise<unknown>[] = [];
    for (const slot of this.#slots) {
      slot.stopping = true;
      clearTimeout(slot.watchdog);
      for (const job of slot.running.splice(0)) this.#settle(job, stopping);
      exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }

  // ---- jobs ---------------------------------------------------------------------------------------------------

  /**
   * The job's time limit (a ref'd timer: the workers are unref'd, so this is what keeps a process waiting for an
   * answer alive). Re-armed when it fires early: libuv's clock can lag performance.now().
   */
  #arm(job: Job): void {
    const remaining = job.submitted + job.limitMs - performance.now();
    job.timer = setTimeout(
      () => {
        if (job.settled) return;
        if (performance.now() - job.submitted < job.limitMs) return this.#arm(job);
        const queued = this.#queue.indexOf(job);
        if (queued >= 0) this.#queue.splice(queued, 1);
        // A job already on a worker finishes there and its answer is dropped (the watchdog stops a stuck worker).
        this.#settle(
          job,
          job.deadline ? new AssessmentTimeout(job.limitMs) : new AssessmentUnavailable(`no answer from the assessment threads within ${job.limitMs} ms`),
        );
      },
      Math.max(0, Math.ceil(remaining)),
    );
  }

  #settle(job: Job, outcome: AssessResult | Error): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  /**
   * Hands queued jobs, oldest first, to the least busy ready workers; a small job only to a worker with no large
   * one (it waits for one to be free rather than behind a large text).
   */
  #pump(): void {
    for (let i = 0; i < this.#queue.length; ) {
      const job = this.#queue[i] as Job;
      if (job.settled) {
        this.#queue.splice(i, 1);
        continue;
      }
      let best: Slot | undefined;
      let open = false;
      for (const s of this.#slots) {
        if (!s.ready || s.stopping || s.running.length >= this.#perWorker) continue;
        open = true;
        if ((job.large || s.large === 0) && (!best || s.running.length < best.running.length)) best = s;
      }
      if (!open) return;
      if (!best) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#send(best, job);
    }
  }

  #send(slot: Slot, job: Job): void {
    const first = !slot.known.has(job.key);
    if (first) {
      if (slot.known.size >= KNOWN_KEYS_BOUND) slot.known.clear();
      slot.known.add(job.key);
      this.#configsSent++;
    }
    const msg: JobMessage = { id: job.id, key: job.key, request: job.request, ...(first ? { config: job.config } : {}) };
    if (!slot.running.length) this.#startWatch(slot);
    slot.running.push(job);
    if (job.large) slot.large++;
    try {
      slot.worker.postMessage(msg);
    } catch (err) {
      // Not structured-cloneable: cannot happen with engine requests, but never leave the job hanging.
      slot.running.splice(slot.running.indexOf(job), 1);
      if (job.large) slot.large--;
      this.#settle(job, new AssessmentUnavailable(`the request could not be sent to an assessment thread: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** The oldest running job must be answered within the hard limit, or the worker is stuck. */
  #startWatch(slot: Slot): void {
    clearTimeout(slot.watchdog);
    slot.watchdog = setTimeout(() => {
      if (slot.stopping || !slot.running.length) return;
      slot.error = `it was still busy after ${this.#hardLimitMs} ms and was stopped`;
      void slot.worker.terminate();
    }, this.#hardLimitMs);
    slot.watchdog.unref();
  }

  #reply(slot: Slot, m: ReplyMessage): void {
    if (m.ready) {
      slot.ready = true;
      slot.everReady = true;
      this.#bootFailures = 0;
      this.#pump();
      return;
    }
    const at = slot.running.findIndex((j) => j.id === m.id);
    if (at < 0) return;
    const [job] = slot.running.splice(at, 1) as [Job];
    if (job.large) slot.large--;
    if (slot.running.length) this.#startWatch(slot);
    else clearTimeout(slot.watchdog);
    if (m.missing) {
      // The worker evicted this configuration: send it again, first in line.
      slot.known.delete(job.key);
      if (!job.settled) this.#queue.unshift(job);
    } else if (m.result) this.#settle(job, m.result);
    else if (m.error !== undefined) this.#settle(job, new AssessmentEngineError(m.error));
    else this.#settle(job, new AssessmentUnavailable(`the assessment thread could not compile the guardrail: ${m.failure ?? 'no reason given'}`));
    this.#pump();
  }

  // ---- workers ------------------------------------------------------------------------------------------------

  /** Starts worker `index`; resolves once it is ready, rejects if it dies first. */
  #spawn(index: number): Promise<void> {
    // From a checkout the boot file loads the TypeScript source; a compiled build runs assessment-worker.js directly.
    const boot = new URL('./assessment-worker-boot.mjs', import.meta.url);
    const script = existsSync(fileURLToPath(boot)) ? boot : new URL('./assessment-worker.js', import.meta.url);
    const worker = new Worker(script, {
      workerData: { cacheWeight: this.#cacheWeight, testHooks: this.#testHooks },
      // The worker's own stdout/stderr go to the process's.
    });
    worker.unref();
    const slot: Slot = { index, worker, ready: false, everReady: false, known: new Set(), running: [], large: 0 };
    this.#slots[index] = slot;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: ReplyMessage) => {
        this.#reply(slot, m);
        if (m.ready) resolve();
      });
      worker.on('error', (err) => {
        slot.error ??= err instanceof Error ? err.message : String(err);
      });
      worker.on('exit', (code) => {
        clearTimeout(slot.watchdog);
        const why = `the assessment thread stopped unexpectedly (${slot.error ?? `exit code ${code}`})`;
        if (!slot.everReady) reject(new Error(why));
        this.#lost(slot, why);
      });
    });
  }

  /** A worker is gone: its running jobs fail (closed), and a replacement starts unless the pool is closing. */
  #lost(slot: Slot, why: string): void {
    slot.ready = false;
    if (slot.stopping || this.#closed || this.#slots[slot.index] !== slot) return;
    const failed = slot.running.splice(0);
    slot.large = 0;
    for (const job of failed) this.#settle(job, new AssessmentUnavailable(`${why}; it was replaced`));
    // `start` reports a worker that cannot start; after that, replacements of workers that die while starting back off.
    if (!this.#started) return;
    this.#crashes++;
    if (!slot.everReady) this.#bootFailures++;
    this.#onEvent({ error: 'AssessmentThreadFailed', detail: why, failedCalls: failed.length, thread: slot.index });
    const delay = this.#bootFailures ? Math.min(30_000, 250 * 2 ** this.#bootFailures) : 0;
    const replace = () => {
      if (!this.#closed) this.#spawn(slot.index).catch(() => undefined);
    };
    if (delay) setTimeout(replace, delay).unref();
    else replace();
    this.#pump();
  }
}

/** `PARAPET_ASSESSMENT_THREADS` / `PARAPET_ASSESSMENT_INLINE_CHARS`, checked; undefined when unset. */
export function assessmentSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): { threads?: number; inlineBelowChars?: number } {
  const read = (name: string, max: number): number | undefined => {
    const text = env[name]?.trim();
    if (text === undefined || text === '') return undefined;
    if (!/^[0-9]{1,9}$/.test(text) || Number(text) > max) throw new Error(`${name} must be a whole number from 0 to ${max}, got '${text.slice(0, 20)}'`);
    return Number(text);
  };
  const threads = read('PARAPET_ASSESSMENT_THREADS', MAX_ASSESSMENT_THREADS);
  const inlineBelowChars = read('PARAPET_ASSESSMENT_INLINE_CHARS', 1_000_000_000);
  return { ...(threads !== undefined ? { threads } : {}), ...(inlineBelowChars !== undefined ? { inlineBelowChars } : {}) };
}

/**
 * The engine benchmark's machine-independent figure, shared by `bench/engine.bench.ts --update-baseline` and the
 * CI guard `engine-regression.test.ts`.
 *
 * Absolute timings do not travel between machines (or between two runs of a busy CI box), so the guard compares a
 * ratio: the time of one assessment by the reference guardrail (every policy, 1,000 words, source INPUT) divided by
 * the time of a naive baseline workload on the same text, both measured in the same process, interleaved. The
 * baseline is deliberately plain JavaScript that none of our code touches — lower-case the text, split it into
 * words, look each up in a Set of the guardrail's 1,000 words, run a handful of simple regexes — so its speed
 * tracks the machine (CPU, caches, Node version), not the engine. A regression of the engine moves the ratio; a
 * faster or slower machine moves both sides.
 *
 * Noise control, for a shared 2-core machine: time is CPU time of the process (a descheduled thread does not
 * count), each round measures the engine and the baseline back to back on the same text in alternating order,
 * batches last several milliseconds, and the figure is the median of the per-round ratios.
 */
import { cpus } from 'node:os';
import { loadReferenceGuardrail, withWords } from '../../bench/reference.ts';
import { benchRequestTexts } from '../../bench/text.ts';
import { assess } from '../../src/engine/assess.ts';
import { compile } from '../../src/engine/compile.ts';
import type { GuardrailConfig } from '../../src/engine/config/types.ts';

/** Text sizes of the committed ratios (1 KB, 100 KB). */
export const RATIO_SIZES: readonly number[] = [1024, 102_400];

export interface RatioMeasurement {
  /** Text size in characters. */
  readonly size: number;
  /** Median over rounds of (engine time / baseline time) per call. */
  readonly ratio: number;
  /** Median CPU milliseconds per call. */
  readonly engineMs: number;
  readonly baselineMs: number;
  /** Lowest and highest per-round ratio (for a baseline: lowest and highest of its repeated measurements). */
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
}

/** The committed baseline (`bench/engine-baseline.json`). */
export interface EngineBaseline {
  readonly description: string;
  readonly measuredAt: string;
  readonly machine: string;
  readonly node: string;
  readonly ratios: Readonly<Record<string, number>>;
  readonly details: readonly RatioMeasurement[];
}

export interface RatioOptions {
  /** Rounds per size (each one engine batch and one baseline batch). */
  readonly rounds: number;
  /** CPU milliseconds a batch lasts at least. */
  readonly batchMs: number;
  /** CPU milliseconds of warm-up per size (JIT, lazy tables, memos), spread over the sizes in turn. */
  readonly warmupMs: number;
  readonly sizes?: readonly number[];
}

const BASELINE_PATTERNS: readonly RegExp[] = [
  /\d{3}[-.\s]\d{4}/g,
  /[a-z0-9._-]+@[a-z0-9-]+\.[a-z]{2,}/g,
  /\b(?:the|and|of|to|in)\b/g,
  /https?:\/\/[^\s]+/g,
  /[a-z]+ing\b/g,
];
const WORD_SPLIT = /[^a-z0-9']+/;

/** The naive baseline workload: returns a count so the work cannot be optimised away. */
export function baselineWorkload(text: string, words: ReadonlySet<string>): number {
  const lower = text.toLowerCase();
  let hits = 0;
  for (const w of lower.split(WORD_SPLIT)) if (words.has(w)) hits++;
  for (const re of BASELINE_PATTERNS) {
    re.lastIndex = 0;
    while (re.exec(lower) !== null) hits++;
  }
  return hits;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Run `fn` until `ms` of CPU time have passed; calls per millisecond. */
function rate(fn: () => unknown, ms: number): number {
  const t0 = cpuMs();
  let n = 0;
  while (cpuMs() - t0 < ms) {
    fn();
    n++;
  }
  return n / Math.max(1e-3, cpuMs() - t0);
}

/** CPU milliseconds per call over a batch of `n` calls. */
function perCall(fn: () => unknown, n: number): number {
  const t0 = cpuMs();
  for (let i = 0; i < n; i++) fn();
  return (cpuMs() - t0) / n;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

let sink = 0;

interface SizeRun {
  readonly size: number;
  readonly engine: () => unknown;
  readonly baseline: () => unknown;
  engineBatch: number;
  baselineBatch: number;
  readonly ratios: number[];
  readonly engineTimes: number[];
  readonly baselineTimes: number[];
}

/**
 * Measure the engine/baseline ratio for each size (see the module comment). All sizes are warmed up first (in
 * turn, so the JIT's and the memos' start-up work is behind every measurement), then each round measures every
 * size once.
 */
export function measureRatios(options: RatioOptions): RatioMeasurement[] {
  const config = withWords(loadReferenceGuardrail<GuardrailConfig>(), 1000);
  const compiled = compile(config);
  const words = new Set((config.wordPolicyConfig?.wordsConfig ?? []).map((w) => w.text.toLowerCase()));
  const runs: SizeRun[] = (options.sizes ?? RATIO_SIZES).map((size) => {
    const texts = benchRequestTexts(size);
    // Each call takes the next of the texts (never the same one twice in a row: the detectors remember the last
    // text they saw, and a repeat would measure those memos).
    let turn = 0;
    const next = (): string => texts[turn++ % texts.length] as string;
    return {
      size,
      engine: (): unknown => assess(compiled, { source: 'INPUT', content: [{ text: next() }] }),
      baseline: (): number => (sink += baselineWorkload(next(), words)),
      engineBatch: 1,
      baselineBatch: 1,
      ratios: [],
      engineTimes: [],
      baselineTimes: [],
    };
  });
  // Warm-up, in slices that alternate between the sizes; then size the batches from the warm rates.
  const slices = 4;
  for (let s = 0; s < slices; s++) {
    for (const run of runs) {
      rate(run.engine, options.warmupMs / slices);
      rate(run.baseline, options.warmupMs / slices / 4);
    }
  }
  for (const run of runs) {
    run.engineBatch = Math.max(1, Math.round(rate(run.engine, options.batchMs) * options.batchMs));
    run.baselineBatch = Math.max(1, Math.round(rate(run.baseline, options.batchMs) * options.batchMs));
  }
  for (let r = 0; r < options.rounds; r++) {
    for (const run of runs) {
      let e: number;
      let b: number;
      if (r % 2 === 0) {
        e = perCall(run.engine, run.engineBatch);
        b = perCall(run.baseline, run.baselineBatch);
      } else {
        b = perCall(run.baseline, run.baselineBatch);
        e = perCall(run.engine, run.engineBatch);
      }
      run.engineTimes.push(e);
      run.baselineTimes.push(b);
      run.ratios.push(e / b);
    }
  }
  if (sink === -1) console.log(sink); // keeps `sink` observable
  return runs.map((run) => ({
    size: run.size,
    ratio: median(run.ratios),
    engineMs: median(run.engineTimes),
    baselineMs: median(run.baselineTimes),
    min: Math.min(...run.ratios),
    max: Math.max(...run.ratios),
    rounds: options.rounds,
  }));
}

/** The measurement the CI guard makes (and `--update-baseline` repeats): about 3 s of CPU time. */
export const GUARD_OPTIONS: RatioOptions = { rounds: 25, batchMs: 10, warmupMs: 1000 };

/**
 * Combine repeated measurements (each made like the guard's, in a fresh process): per size the median ratio, and
 * as `min` / `max` the lowest and highest ratio measured.
 */
export function combineMeasurements(all: readonly (readonly RatioMeasurement[])[]): RatioMeasurement[] {
  return (all[0] ?? []).map((first, k) => {
    const per = all.map((m) => m[k] as RatioMeasurement);
    return {
      size: first.size,
      ratio: median(per.map((m) => m.ratio)),
      engineMs: median(per.map((m) => m.engineMs)),
      baselineMs: median(per.map((m) => m.baselineMs)),
      min: Math.min(...per.map((m) => m.ratio)),
      max: Math.max(...per.map((m) => m.ratio)),
      rounds: per.reduce((n, m) => n + m.rounds, 0),
    };
  });
}

/** "1 KB", "100 KB": the keys of `EngineBaseline.ratios`. */
export function sizeKey(size: number): string {
  return size >= 1024 ? `${size / 1024} KB` : `${size} B`;
}

export function machineDescription(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
}

/** The baseline record written by `npm run bench:engine -- --update-baseline`. */
export function baselineRecord(measured: readonly RatioMeasurement[]): EngineBaseline {
  return {
    description:
      'Engine cost relative to a naive baseline workload measured in the same process (see test/perf/engine-ratio.ts); ' +
      'test/perf/engine-regression.test.ts fails when a ratio grows more than 30 % above these.',
    measuredAt: new Date().toISOString(),
    machine: machineDescription(),
    node: process.version,
    ratios: Object.fromEntries(measured.map((m) => [sizeKey(m.size), Number(m.ratio.toFixed(2))])),
    details: measured.map((m) => ({
      ...m,
      ratio: Number(m.ratio.toFixed(3)),
      engineMs: Number(m.engineMs.toFixed(4)),
      baselineMs: Number(m.baselineMs.toFixed(4)),
      min: Number(m.min.toFixed(3)),
      max: Number(m.max.toFixed(3)),
    })),
  };
}

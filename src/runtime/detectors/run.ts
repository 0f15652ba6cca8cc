/**
 * Runs the external detectors that apply to one guardrail evaluation, all at once and alongside the shipped
 * engine, each within its own time limit. Fail closed: a detector that times out, throws or answers nonsense
 * makes the evaluation a failure naming that detector; the caller turns it into a refusal, a block, or (for a
 * fail-open guardrail) a recorded pass.
 */
import type { AssessRequest, AssessResult } from '../../engine/assess.ts';
import type { CompiledGuardrail } from '../../engine/compile.ts';
import { CONTENT_FILTER_TYPES, FILTER_STRENGTHS } from '../../engine/config/types.ts';
import { type ExternalFindings, externalCategories, externalText, mergeExternal } from '../../engine/external.ts';
import type { DetectorBinding, DetectorReport } from './types.ts';

export interface Detection {
  findings: ExternalFindings[];
  reports: DetectorReport[];
  /** Why the first detector (in configuration order) that gave no answer failed; absent when all answered. */
  failure?: string;
}

export interface PendingDetection {
  readonly done: Promise<Detection>;
  /** Stops every detector still running (the evaluation failed for another reason). */
  abort(): void;
}

export interface DetectionOptions {
  /** Monotonic milliseconds. */
  now: () => number;
  /** No detector may take longer than this, whatever its own timeout (the gateway's evaluation deadline). */
  capMs?: number;
}

/**
 * Starts the detectors of `bindings` that read `request.source`. Undefined when none has anything to do: no
 * detector for this side, no content filter they could affect, or no guarded text. `done` never rejects.
 */
export function startDetection(
  bindings: readonly DetectorBinding[],
  compiled: CompiledGuardrail,
  request: AssessRequest,
  opts: DetectionOptions,
): PendingDetection | undefined {
  const applicable = bindings.filter((b) => b.sources.has(request.source));
  if (!applicable.length) return undefined;
  const categories = externalCategories(compiled, request);
  if (!categories.length) return undefined;
  const text = externalText(request);
  if (!text) return undefined;
  const controllers = applicable.map(() => new AbortController());
  const runs = applicable.map((b, i) =>
    runOne(b, text, request, categories, Math.min(b.timeoutMs, opts.capMs ?? Number.POSITIVE_INFINITY), controllers[i] as AbortController, opts.now),
  );
  const done = Promise.all(runs).then((outcomes) => {
    const detection: Detection = { findings: [], reports: [] };
    for (const o of outcomes) {
      detection.reports.push(o.report);
      if (o.findings) detection.findings.push(o.findings);
      else detection.failure ??= `detector '${o.report.detector}' (${o.report.kind}) ${o.report.error ?? 'gave no answer'}`;
    }
    return detection;
  });
  return {
    done,
    abort: () => {
      for (const c of controllers) c.abort(new Error('the evaluation was abandoned'));
    },
  };
}

async function runOne(
  b: DetectorBinding,
  text: string,
  request: AssessRequest,
  categories: ExternalCategoriesList,
  timeoutMs: number,
  controller: AbortController,
  now: () => number,
): Promise<{ findings?: ExternalFindings; report: DetectorReport }> {
  const { detector } = b;
  const started = now();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      const err = new Error(`timed out after ${timeoutMs} ms`);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const report: DetectorReport = { detector: detector.name, kind: detector.kind, latencyMs: 0 };
  try {
    // The race settles at the deadline even when a detector ignores its signal.
    const scores = await Promise.race([detector.detect(text, { source: request.source, categories, signal: controller.signal }), deadline]);
    const problem = invalidScores(scores);
    if (problem) throw new Error(`answered with ${problem}`);
    report.latencyMs = now() - started;
    return { findings: { detector: detector.name, scores, ...(b.thresholds ? { thresholds: b.thresholds } : {}) }, report };
  } catch (err) {
    report.latencyMs = now() - started;
    const message = err instanceof Error ? err.message : String(err);
    report.error = timedOut ? `timed out after ${timeoutMs} ms` : message.startsWith('answered with') ? message : `failed: ${message}`;
    return { report };
  } finally {
    clearTimeout(timer);
  }
}

type ExternalCategoriesList = ReturnType<typeof externalCategories>;

const KNOWN_TYPES: ReadonlySet<string> = new Set(CONTENT_FILTER_TYPES);
const KNOWN_CONFIDENCES: ReadonlySet<string> = new Set(FILTER_STRENGTHS);

/** What is wrong with a detector's scores, or undefined: a category maps to a score in [0, 1] or a confidence. */
export function invalidScores(scores: unknown): string | undefined {
  if (typeof scores !== 'object' || scores === null || Array.isArray(scores)) return 'no scores object';
  for (const [k, v] of Object.entries(scores)) {
    if (!KNOWN_TYPES.has(k)) return `an unknown category '${k}'`;
    if (typeof v === 'number' ? !(v >= 0 && v <= 1) : !(typeof v === 'string' && KNOWN_CONFIDENCES.has(v)))
      return `an invalid score for ${k} (${JSON.stringify(v)}; expected a number from 0 to 1 or NONE/LOW/MEDIUM/HIGH)`;
  }
  return undefined;
}

/**
 * The engine's result with a finished detection folded in: the findings merged (`caught` noted on the
 * reports), or, when a detector failed, the result unchanged with `failure` set for the caller to act on.
 */
export function applyDetection(
  compiled: CompiledGuardrail,
  request: AssessRequest,
  result: AssessResult,
  detection: Detection,
): { result: AssessResult; reports: DetectorReport[]; failure?: string } {
  const { result: merged, caught } = mergeExternal(compiled, request, result, detection.findings);
  for (const c of caught) {
    const r = detection.reports.find((x) => x.detector === c.detector);
    if (r) (r.caught ??= []).push({ type: c.type, confidence: c.confidence, action: c.action });
  }
  return { result: merged, reports: detection.reports, ...(detection.failure ? { failure: detection.failure } : {}) };
}

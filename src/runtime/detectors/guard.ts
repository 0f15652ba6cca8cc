/**
 * `guardInput` / `guardOutput` for calls where some guardrail has external detectors: each guardrail's detectors
 * start first, the shipped engine assesses every guardrail meanwhile, then the detectors' findings are merged.
 * Fail closed as the shipped path: a detector that gives no answer refuses the call (GuardFailure naming the
 * detector) unless the guardrail is fail-open, in which case what was found still applies and the failure is
 * recorded. Guardrails without detectors are assessed exactly as on the synchronous path.
 */
import type { TextBlock } from '../../engine/assess.ts';
import type { Source } from '../../engine/config/types.ts';
import {
  assessPooled,
  assessShipped,
  composeOutcome,
  type GuardOptions,
  GuardFailure,
  type GuardOutcome,
  type GuardTarget,
  type InputField,
  offloaded,
  outputSelections,
  type Selected,
  inputSelections,
  type TargetAssessment,
  withAssessment,
} from '../guarding.ts';
import { applyDetection, type PendingDetection, startDetection } from './run.ts';

export function guardInputWithDetectors(
  targets: readonly GuardTarget[],
  fields: readonly InputField[],
  opts: GuardOptions,
): Promise<GuardOutcome> {
  const { selections, original } = inputSelections(targets, fields, opts);
  return combineWithDetectors(targets, selections, original, 'INPUT', opts, []);
}

export function guardOutputWithDetectors(
  targets: readonly GuardTarget[],
  texts: readonly string[],
  grounding: readonly TextBlock[],
  opts: GuardOptions,
): Promise<GuardOutcome> {
  return combineWithDetectors(targets, outputSelections(targets, texts), texts.map((t) => [t]), 'OUTPUT', opts, grounding);
}

async function combineWithDetectors(
  targets: readonly GuardTarget[],
  selections: Selected[][],
  original: string[][],
  source: Source,
  opts: GuardOptions,
  extra: readonly TextBlock[],
): Promise<GuardOutcome> {
  const contents = targets.map((_, ti) => [...(selections[ti] ?? []).map((s) => s.block), ...extra]);
  const started = opts.now();
  const pending: Array<PendingDetection | undefined> = targets.map((t, ti) =>
    t.detectors && selections[ti]?.length
      ? startDetection(t.detectors, t.compiled, { source, content: contents[ti] ?? [], outputScope: opts.outputScope }, { now: opts.now, capMs: opts.deadlineMs })
      : undefined,
  );
  // The assessment threads' share starts first (when there are threads); the rest runs here meanwhile.
  const pooled = targets.map((t, ti) =>
    selections[ti]?.length && offloaded(opts, t, contents[ti] ?? []) ? assessPooled(t, source, contents[ti] ?? [], opts, opts.now()) : undefined,
  );
  const shipped: Array<TargetAssessment | GuardFailure | undefined> = [];
  try {
    targets.forEach((t, ti) => {
      if (selections[ti]?.length && !pooled[ti]) shipped[ti] = assessShipped(t, source, contents[ti] ?? [], opts, opts.now());
    });
  } catch (err) {
    // A failure here comes after the pool's share in target order only if none of those failed first.
    const earlier = await firstFailure(pooled, targets.findIndex((_, ti) => !pooled[ti] && selections[ti]?.length && shipped[ti] === undefined));
    for (const p of pending) p?.abort();
    throw earlier ?? err;
  }
  if (pooled.some(Boolean)) {
    const answers = await Promise.all(pooled);
    answers.forEach((a, ti) => {
      if (a) shipped[ti] = a;
    });
    const failure = shipped.find((a) => a instanceof GuardFailure);
    if (failure) {
      for (const p of pending) p?.abort();
      throw failure;
    }
  }
  const detections = await Promise.all(pending.map((p) => p?.done));
  const finished = opts.now();

  const assessments: TargetAssessment[] = [];
  targets.forEach((target, ti) => {
    const a = shipped[ti];
    if (!a || a instanceof GuardFailure) return;
    const detection = detections[ti];
    if (!detection) {
      assessments.push(a);
      return;
    }
    if (!a.result) {
      // The shipped engine already failed (open): what the detectors found is moot.
      assessments.push({ ...a, detectors: detection.reports });
      return;
    }
    const request = { source, content: contents[ti] ?? [], outputScope: opts.outputScope };
    const applied = applyDetection(target.compiled, request, a.result, detection);
    if (applied.failure && !target.failOpen) throw new GuardFailure(target, applied.failure);
    const merged = withAssessment(target, source, applied.result, finished - started);
    merged.detectors = applied.reports;
    // Fail-open: what the shipped engine and the other detectors found still applies; the failure is recorded.
    if (applied.failure) merged.failedOpen = applied.failure;
    assessments.push(merged);
  });
  return composeOutcome(targets, selections, original, assessments);
}

/** The first GuardFailure among the pool's answers for targets before `before` (in target order), if any. */
async function firstFailure(pooled: ReadonlyArray<Promise<TargetAssessment | GuardFailure> | undefined>, before: number): Promise<GuardFailure | undefined> {
  const answers = await Promise.all(pooled.slice(0, Math.max(0, before)));
  return answers.find((a): a is GuardFailure => a instanceof GuardFailure);
}

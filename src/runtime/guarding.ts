/**
 * Guarding one model call with every guardrail that applies to it (organization-enforced, account-enforced and
 * requested): which text each guardrail evaluates (comprehensive or selective, per system and messages), the
 * union of their decisions (any block blocks; masks compose as the union of every guardrail's spans on the original
 * text), and the trace. No I/O: the guardrails arrive
 * compiled and authorized.
 *
 * What each guardrail reads from the input (API.md 4.3, 5.2, 5.3):
 * | part     | COMPREHENSIVE                          | SELECTIVE                                                  |
 * |----------|----------------------------------------|------------------------------------------------------------|
 * | system   | all system text                        | tagged system text only; nothing without tags              |
 * | messages | all message text, tool results too     | tagged message text; all message text (no tool results) if none is tagged |
 * A requested guardrail is SELECTIVE/SELECTIVE (the caller's tags decide); on InvokeModel a body without any tag is
 * evaluated whole, system included, as Bedrock does. The prompt-attack filter reads tagged text, tool results, and
 * user text when no message text is tagged; never the untagged system prompt or assistant turns (the application's
 * own words).
 * Output is always evaluated by every guardrail; grounding sources and queries tagged in the input feed the
 * contextual-grounding check of the output (and, being text the model reads, are guarded as input under
 * COMPREHENSIVE; SELECTIVE leaves them to grounding).
 */
import type { Source } from '../engine/config/types.ts';
import type { AppliedGuardrailDetails, GuardrailAssessment, GuardrailUsage } from '../engine/assessment.ts';
import { type AssessResult, assess, type OutputScope, type TextBlock } from '../engine/assess.ts';
import type { CompiledGuardrail } from '../engine/compile.ts';
import { applyMasks, type MaskSpan, resolveMaskSpans } from '../engine/mask.ts';
import type { GuardingMode } from '../org/index.ts';
import type { GuardQualifier } from '../providers/types.ts';
import type { DetectorBinding, DetectorReport } from './detectors/types.ts';
import { AssessmentEngineError, AssessmentTimeout, type Assessor } from './assessment-pool.ts';

export interface GuardTarget {
  /** The key of this guardrail's assessments in the trace: its id (`id:version` when one id appears twice). */
  key: string;
  /** `arn:version`, for audit and metrics. */
  label: string;
  compiled: CompiledGuardrail;
  details: AppliedGuardrailDetails;
  system: GuardingMode;
  messages: GuardingMode;
  /** Named in the request only (not enforced). */
  requestOnly: boolean;
  /** The operator chose to let calls through when this guardrail cannot be evaluated. */
  failOpen: boolean;
  /** External detectors configured for this guardrail (absent when none: the synchronous path). */
  detectors?: readonly DetectorBinding[];
}

/** One text of the request, split by input tags into pieces. */
export interface InputField {
  part: 'system' | 'messages';
  role: 'system' | 'user' | 'assistant';
  kind: 'text' | 'guardContent' | 'toolResult';
  pieces: InputPiece[];
  /** guardContent qualifiers (`grounding_source`, `query`, `guard_content`). */
  qualifiers?: GuardQualifier[];
  /** The text as it arrived (with its input tags). */
  original?: string;
}

export interface InputPiece {
  text: string;
  tagged: boolean;
}

export interface GuardOptions {
  /** InvokeModel semantics (XML tags; a body without tags is evaluated whole). */
  invokeModel: boolean;
  outputScope: OutputScope;
  /** Monotonic milliseconds. */
  now: () => number;
  /** An evaluation longer than this fails (closed unless the guardrail is fail-open). */
  deadlineMs: number;
  /**
   * Assessment threads (`--assessment-threads`): used by `guardInputAuto` / `guardOutputAuto` and the detectors'
   * path for the assessments the pool takes; `guardInput` / `guardOutput` always assess on this thread.
   */
  assessor?: Assessor;
}

export interface TargetAssessment {
  target: GuardTarget;
  source: Source;
  /** Absent when the guardrail had nothing to read or failed open. */
  result?: AssessResult;
  assessment?: GuardrailAssessment;
  latencyMs: number;
  /** Set when evaluation failed and the guardrail's fail-open setting let the call through. */
  failedOpen?: string;
  /** What each external detector did (for the audit trail). */
  detectors?: DetectorReport[];
}

export interface GuardOutcome {
  blocked: boolean;
  /** The message of the first guardrail that blocked (organization configs first, then account, then request). */
  blockedMessage?: string;
  anonymized: boolean;
  /** Per field, per piece: the text after masking (same shape as the input). */
  rewritten: string[][];
  /** Per field, per piece: the masked spans in the original text (resolved). */
  spans: MaskSpan[][][];
  assessments: TargetAssessment[];
}

/** Thrown when a guardrail cannot be evaluated and is not fail-open. */
export class GuardFailure extends Error {
  readonly target: GuardTarget;
  readonly reason: string;
  constructor(target: GuardTarget, reason: string) {
    super(
      `Guardrail ${target.label} could not be evaluated (${reason}); the call was refused because enforced guardrails fail closed.`,
    );
    this.name = 'GuardFailure';
    this.target = target;
    this.reason = reason;
  }
}

export interface Selected {
  field: number;
  piece: number;
  block: TextBlock;
}

const anyTagged = (fields: readonly InputField[], part: InputField['part']) =>
  fields.some((f) => f.part === part && f.pieces.some((p) => p.tagged));

/** The blocks one guardrail reads from the input, in order, with where each came from. */
export function selectInput(target: GuardTarget, fields: readonly InputField[], invokeModel: boolean): Selected[] {
  const tagsInSystem = anyTagged(fields, 'system');
  const tagsInMessages = anyTagged(fields, 'messages');
  const noTagsAnywhere = !tagsInSystem && !tagsInMessages;
  const out: Selected[] = [];
  fields.forEach((f, fi) => {
    const mode = f.part === 'system' ? target.system : target.messages;
    if (f.kind === 'guardContent' && f.qualifiers?.length && !f.qualifiers.includes('guard_content') && mode === 'SELECTIVE') {
      // Grounding source / query: the caller marked it as reference material for contextual grounding of the
      // output, which SELECTIVE honours. COMPREHENSIVE reads everything the model will see, these blocks too.
      return;
    }
    f.pieces.forEach((p, pi) => {
      if (!p.text) return;
      let take: boolean;
      if (mode === 'COMPREHENSIVE') take = true;
      else if (f.part === 'system')
        take = p.tagged || (invokeModel && target.requestOnly && noTagsAnywhere && f.kind !== 'toolResult');
      else take = tagsInMessages ? p.tagged : f.kind !== 'toolResult';
      if (!take) return;
      const promptAttack = p.tagged || f.kind === 'toolResult' || (!tagsInMessages && f.role === 'user');
      out.push({ field: fi, piece: pi, block: { text: p.text, promptAttack } });
    });
  });
  return out;
}

/** Grounding sources and queries tagged in the input, for the output's contextual-grounding check. */
export function groundingBlocks(fields: readonly InputField[]): TextBlock[] {
  const out: TextBlock[] = [];
  for (const f of fields) {
    const q = f.qualifiers?.filter((x) => x === 'grounding_source' || x === 'query');
    if (!q?.length) continue;
    for (const p of f.pieces) if (p.text) out.push({ text: p.text, qualifiers: q });
  }
  return out;
}

/** Evaluates the input with every target. Throws GuardFailure for a failed guardrail that is not fail-open. */
export function guardInput(targets: readonly GuardTarget[], fields: readonly InputField[], opts: GuardOptions): GuardOutcome {
  const { selections, original } = inputSelections(targets, fields, opts);
  return combine(targets, selections, original, 'INPUT', opts, []);
}

/** What each target reads of the input, and the input's texts as they were (for masking). */
export function inputSelections(
  targets: readonly GuardTarget[],
  fields: readonly InputField[],
  opts: GuardOptions,
): { selections: Selected[][]; original: string[][] } {
  return {
    selections: targets.map((t) => selectInput(t, fields, opts.invokeModel)),
    original: fields.map((f) => f.pieces.map((p) => p.text)),
  };
}

/**
 * Evaluates model output texts (one piece each) with every target. `grounding` comes from `groundingBlocks` of
 * the input.
 */
export function guardOutput(
  targets: readonly GuardTarget[],
  texts: readonly string[],
  grounding: readonly TextBlock[],
  opts: GuardOptions,
): GuardOutcome {
  return combine(targets, outputSelections(targets, texts), texts.map((t) => [t]), 'OUTPUT', opts, grounding);
}

/**
 * `guardInput`, with the assessments the pool takes (`opts.assessor`) run on its threads: synchronous when it takes
 * none, else a promise. Same outcome, same failures (GuardFailure of the first failing guardrail in order).
 */
export function guardInputAuto(targets: readonly GuardTarget[], fields: readonly InputField[], opts: GuardOptions): GuardOutcome | Promise<GuardOutcome> {
  const { selections, original } = inputSelections(targets, fields, opts);
  return combineAuto(targets, selections, original, 'INPUT', opts, []);
}

/** `guardOutput`, with the pool as `guardInputAuto`. */
export function guardOutputAuto(
  targets: readonly GuardTarget[],
  texts: readonly string[],
  grounding: readonly TextBlock[],
  opts: GuardOptions,
): GuardOutcome | Promise<GuardOutcome> {
  return combineAuto(targets, outputSelections(targets, texts), texts.map((t) => [t]), 'OUTPUT', opts, grounding);
}

/** Every target reads every non-empty output text. */
export function outputSelections(targets: readonly GuardTarget[], texts: readonly string[]): Selected[][] {
  return targets.map(() => texts.flatMap((text, i) => (text ? [{ field: i, piece: 0, block: { text } }] : [])));
}

function combine(
  targets: readonly GuardTarget[],
  selections: Selected[][],
  original: string[][],
  source: Source,
  opts: GuardOptions,
  extra: readonly TextBlock[],
): GuardOutcome {
  const assessments: TargetAssessment[] = [];
  targets.forEach((target, ti) => {
    const selected = selections[ti] ?? [];
    if (!selected.length) return;
    // External detectors need the asynchronous path (guardInputWithDetectors); refuse rather than skip them.
    if (target.detectors) throw new GuardFailure(target, 'its external detectors were not run');
    assessments.push(assessShipped(target, source, [...selected.map((s) => s.block), ...extra], opts, opts.now()));
  });
  return composeOutcome(targets, selections, original, assessments);
}

/** The characters of some blocks (the size the pool decides on). */
function charsOf(blocks: readonly TextBlock[]): number {
  let n = 0;
  for (const b of blocks) n += b.text.length;
  return n;
}

/** Whether the pool takes this target's assessment of `content`. */
export function offloaded(opts: GuardOptions, target: GuardTarget, content: readonly TextBlock[]): boolean {
  return opts.assessor !== undefined && content.length > 0 && opts.assessor.offloads(target.compiled, charsOf(content));
}

function combineAuto(
  targets: readonly GuardTarget[],
  selections: Selected[][],
  original: string[][],
  source: Source,
  opts: GuardOptions,
  extra: readonly TextBlock[],
): GuardOutcome | Promise<GuardOutcome> {
  if (!opts.assessor) return combine(targets, selections, original, source, opts, extra);
  const contents = targets.map((t, ti) => {
    const selected = selections[ti] ?? [];
    return selected.length && !t.detectors ? [...selected.map((s) => s.block), ...extra] : undefined;
  });
  if (!targets.some((t, ti) => contents[ti] && offloaded(opts, t, contents[ti]))) return combine(targets, selections, original, source, opts, extra);
  return combinePooled(targets, selections, original, source, opts, contents);
}

/**
 * `combine` with the pool: the pool's assessments start first, the others run here meanwhile; then, in target
 * order, the first failure that is not fail-open refuses the call, as on the synchronous path.
 */
async function combinePooled(
  targets: readonly GuardTarget[],
  selections: Selected[][],
  original: string[][],
  source: Source,
  opts: GuardOptions,
  contents: Array<TextBlock[] | undefined>,
): Promise<GuardOutcome> {
  const pooled = targets.map((t, ti) => {
    const content = contents[ti];
    return content && offloaded(opts, t, content) ? assessPooled(t, source, content, opts, opts.now()) : undefined;
  });
  const done: Array<TargetAssessment | GuardFailure | undefined> = targets.map((t, ti) => {
    if (pooled[ti] || !selections[ti]?.length) return undefined;
    if (t.detectors) return new GuardFailure(t, 'its external detectors were not run');
    try {
      return assessShipped(t, source, contents[ti] ?? [], opts, opts.now());
    } catch (err) {
      if (err instanceof GuardFailure) return err;
      throw err;
    }
  });
  const answers = await Promise.all(pooled);
  const assessments: TargetAssessment[] = [];
  targets.forEach((_, ti) => {
    const a = answers[ti] ?? done[ti];
    if (a instanceof GuardFailure) throw a;
    if (a) assessments.push(a);
  });
  return composeOutcome(targets, selections, original, assessments);
}

/**
 * `assessShipped` on the pool: the same assessment, the same fail-closed rules and reasons (an engine error is a
 * `detector error`, an answer past the deadline fails as here — and the call stops waiting at the deadline), plus
 * the pool's own failure (a thread that died) as the reason. Never rejects: resolves with the GuardFailure to throw.
 */
export function assessPooled(
  target: GuardTarget,
  source: Source,
  content: TextBlock[],
  opts: GuardOptions,
  started: number,
): Promise<TargetAssessment | GuardFailure> {
  const assessor = opts.assessor;
  if (!assessor) return Promise.resolve(new GuardFailure(target, 'no assessment threads'));
  const failed = (latencyMs: number, reason: string): TargetAssessment | GuardFailure =>
    target.failOpen ? { target, source, latencyMs, failedOpen: reason } : new GuardFailure(target, reason);
  const late = (latencyMs: number) => `evaluation took ${Math.round(latencyMs)} ms, past the ${opts.deadlineMs} ms deadline`;
  return assessor.assess(target.compiled, { source, content, outputScope: opts.outputScope }, { timeoutMs: opts.deadlineMs }).then(
    (result) => {
      const latencyMs = opts.now() - started;
      if (latencyMs > opts.deadlineMs) return failed(latencyMs, late(latencyMs));
      return withAssessment(target, source, result, latencyMs);
    },
    (err: unknown) => {
      const latencyMs = opts.now() - started;
      if (err instanceof AssessmentTimeout) return failed(latencyMs, late(Math.max(latencyMs, opts.deadlineMs + 1)));
      if (err instanceof AssessmentEngineError) return failed(latencyMs, `detector error: ${err.message}`);
      return failed(latencyMs, err instanceof Error ? err.message : String(err));
    },
  );
}

/**
 * The shipped engine's assessment of one guardrail, with its fail-closed rules: an error or an evaluation past
 * the deadline throws GuardFailure, or gives a `failedOpen` assessment (no result) for a fail-open guardrail.
 */
export function assessShipped(
  target: GuardTarget,
  source: Source,
  content: TextBlock[],
  opts: GuardOptions,
  started: number,
): TargetAssessment {
  let result: AssessResult;
  try {
    result = assess(target.compiled, { source, content, outputScope: opts.outputScope });
  } catch (err) {
    const reason = `detector error: ${err instanceof Error ? err.message : String(err)}`;
    if (!target.failOpen) throw new GuardFailure(target, reason);
    return { target, source, latencyMs: opts.now() - started, failedOpen: reason };
  }
  const latencyMs = opts.now() - started;
  if (latencyMs > opts.deadlineMs) {
    const reason = `evaluation took ${Math.round(latencyMs)} ms, past the ${opts.deadlineMs} ms deadline`;
    if (!target.failOpen) throw new GuardFailure(target, reason);
    return { target, source, latencyMs, failedOpen: reason };
  }
  return withAssessment(target, source, result, latencyMs);
}

/** A target's assessment with its wire form (invocation metrics and the applied-guardrail details). */
export function withAssessment(target: GuardTarget, source: Source, result: AssessResult, latencyMs: number): TargetAssessment {
  const assessment: GuardrailAssessment = {
    ...result.assessment,
    invocationMetrics: {
      guardrailProcessingLatency: Math.max(0, Math.round(latencyMs)),
      usage: result.usage,
      guardrailCoverage: result.coverage,
    },
    appliedGuardrailDetails: target.details,
  };
  return { target, source, result, assessment, latencyMs };
}

/**
 * The union of the targets' decisions: the first blocking guardrail's message (in target order), or the masks
 * of every anonymizing guardrail composed on the original text.
 */
export function composeOutcome(
  targets: readonly GuardTarget[],
  selections: Selected[][],
  original: string[][],
  assessments: TargetAssessment[],
): GuardOutcome {
  let blockedMessage: string | undefined;
  const anonymizers: number[] = [];
  for (const a of assessments) {
    const result = a.result;
    if (!result) continue;
    if (result.blocked && blockedMessage === undefined) blockedMessage = result.outputs[0]?.text ?? '';
    else if (!result.blocked && result.anonymized) anonymizers.push(targets.indexOf(a.target));
  }

  // Masks compose: the union of every anonymizing guardrail's spans, applied to the original text.
  const spans: MaskSpan[][][] = original.map((pieces) => pieces.map(() => []));
  if (blockedMessage === undefined)
    for (const ti of anonymizers) {
      const selected = selections[ti] ?? [];
      const result = assessments.find((a) => a.target === targets[ti])?.result;
      selected.forEach((sel, i) => {
        const found = result?.maskSpans[i];
        if (found?.length) spans[sel.field]?.[sel.piece]?.push(...found);
      });
    }
  const rewritten = original.map((pieces, fi) =>
    pieces.map((text, pi) => {
      const s = spans[fi]?.[pi] ?? [];
      return s.length ? applyMasks(text, s) : text;
    }),
  );
  return {
    blocked: blockedMessage !== undefined,
    ...(blockedMessage !== undefined ? { blockedMessage } : {}),
    anonymized: blockedMessage === undefined && anonymizers.length > 0,
    rewritten,
    spans: spans.map((f) => f.map(resolveMaskSpans)),
    assessments,
  };
}

/** Total usage over assessments (for audit and quotas). */
export function totalUsage(assessments: readonly TargetAssessment[]): GuardrailUsage & { textUnits: number } {
  const sum: GuardrailUsage & { textUnits: number } = {
    topicPolicyUnits: 0,
    contentPolicyUnits: 0,
    wordPolicyUnits: 0,
    sensitiveInformationPolicyUnits: 0,
    sensitiveInformationPolicyFreeUnits: 0,
    contextualGroundingPolicyUnits: 0,
    textUnits: 0,
  };
  for (const a of assessments) {
    const u = a.result?.usage;
    if (!u) continue;
    sum.topicPolicyUnits += u.topicPolicyUnits;
    sum.contentPolicyUnits += u.contentPolicyUnits;
    sum.wordPolicyUnits += u.wordPolicyUnits;
    sum.sensitiveInformationPolicyUnits += u.sensitiveInformationPolicyUnits;
    sum.sensitiveInformationPolicyFreeUnits += u.sensitiveInformationPolicyFreeUnits;
    sum.contextualGroundingPolicyUnits += u.contextualGroundingPolicyUnits;
    sum.textUnits += quotaTextUnits(u);
  }
  return sum;
}

/** Text units one evaluation takes from the account's per-second quota: its largest policy count. */
export function quotaTextUnits(u: GuardrailUsage): number {
  return Math.max(u.topicPolicyUnits, u.contentPolicyUnits, u.wordPolicyUnits, u.sensitiveInformationPolicyUnits, u.contextualGroundingPolicyUnits);
}

/** Text units one evaluation is billed for: every policy counts its own (as Bedrock bills them). */
export function billedTextUnits(u: GuardrailUsage): number {
  return u.contentPolicyUnits + u.topicPolicyUnits + u.wordPolicyUnits + u.sensitiveInformationPolicyUnits + u.contextualGroundingPolicyUnits;
}

/** The policy types that intervened in one assessment (for audit and metrics; never the matched text). */
export function firedPolicies(a: GuardrailAssessment): Array<{ policy: string; type: string; name?: string; action: string }> {
  const out: Array<{ policy: string; type: string; name?: string; action: string }> = [];
  for (const t of a.topicPolicy?.topics ?? [])
    if (t.detected) out.push({ policy: 'topic', type: 'DENY', name: t.name, action: t.action });
  for (const f of a.contentPolicy?.filters ?? [])
    if (f.detected) out.push({ policy: 'content', type: f.type, action: f.action });
  for (const w of a.wordPolicy?.customWords ?? []) out.push({ policy: 'word', type: 'CUSTOM', action: w.action });
  for (const w of a.wordPolicy?.managedWordLists ?? []) out.push({ policy: 'word', type: w.type, action: w.action });
  for (const p of a.sensitiveInformationPolicy?.piiEntities ?? [])
    if (p.detected) out.push({ policy: 'sensitive_information', type: p.type, action: p.action });
  for (const r of a.sensitiveInformationPolicy?.regexes ?? [])
    if (r.detected !== false) out.push({ policy: 'sensitive_information', type: 'REGEX', name: r.name, action: r.action });
  for (const g of a.contextualGroundingPolicy?.filters ?? [])
    if (g.detected) out.push({ policy: 'contextual_grounding', type: g.type, action: g.action });
  return out;
}

/**
 * Findings of external detectors (an ONNX model, an LLM judge), folded into a guardrail's decision. The
 * detectors run outside the engine (they do I/O); what they found is judged here exactly like the shipped
 * classifiers' findings: the guardrail's own filter strengths and input/output actions decide, a category
 * the guardrail has not enabled on that side does not count, the highest confidence over the shipped and
 * every external detector wins, and any BLOCK blocks.
 */
import type { AssessedAction, ContentFilterAssessment } from './assessment.ts';
import { type AssessRequest, type AssessResult, strengthCatches, type TextBlock } from './assess.ts';
import type { CompiledGuardrail, CompiledSide } from './compile.ts';
import type { Confidence, ContentFilterType } from './config/types.ts';
import { CONFIDENCE_THRESHOLDS } from './content/index.ts';

/** A score in [0, 1] (bucketed by the thresholds) or a confidence bucket given by the detector itself. */
export type ExternalScore = number | Confidence;

/** The lowest score of each confidence bucket; default: the shipped classifiers' (0.25 / 0.5 / 0.75). */
export interface ConfidenceThresholds {
  LOW: number;
  MEDIUM: number;
  HIGH: number;
}

export interface ExternalFindings {
  /** The detector's configured name (shown in the audit trail). */
  detector: string;
  scores: Partial<Record<ContentFilterType, ExternalScore>>;
  thresholds?: ConfidenceThresholds;
}

/** One external finding that a filter of the guardrail caught (for the audit trail). */
export interface ExternalCatch {
  detector: string;
  type: ContentFilterType;
  confidence: Confidence;
  action: AssessedAction;
}

export interface MergedResult {
  result: AssessResult;
  caught: ExternalCatch[];
}

const RANK: Record<Confidence, number> = { NONE: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

export function scoreConfidence(score: ExternalScore, t: ConfidenceThresholds = CONFIDENCE_THRESHOLDS): Confidence {
  if (typeof score === 'string') return score;
  if (!(score >= t.LOW)) return 'NONE'; // NaN too
  if (score < t.MEDIUM) return 'LOW';
  if (score < t.HIGH) return 'MEDIUM';
  return 'HIGH';
}

function isGuarded(block: TextBlock): boolean {
  const q = block.qualifiers;
  return !q || q.length === 0 || q.includes('guard_content');
}

const sideOf = (compiled: CompiledGuardrail, request: AssessRequest): CompiledSide =>
  request.source === 'INPUT' ? compiled.input : compiled.output;

/**
 * The content-filter categories external findings can affect for this request: those the guardrail enables on
 * the request's side, PROMPT_ATTACK only when some guarded block is open to the prompt-attack filter. Empty
 * means there is no point in running an external detector.
 */
export function externalCategories(compiled: CompiledGuardrail, request: AssessRequest): ContentFilterType[] {
  const side = sideOf(compiled, request);
  if (!side.contentFilters.length) return [];
  const attackable = request.content.some((b) => isGuarded(b) && b.promptAttack !== false);
  const out: ContentFilterType[] = [];
  for (const f of side.contentFilters) if (f.type !== 'PROMPT_ATTACK' || attackable) out.push(f.type);
  return out;
}

/**
 * The text an external detector reads: the guarded blocks (what the shipped filters read), one per paragraph.
 * Grounding sources and queries are reference material, not content, as for the shipped filters.
 */
export function externalText(request: AssessRequest): string {
  const texts: string[] = [];
  for (const b of request.content) if (isGuarded(b) && b.text) texts.push(b.text);
  return texts.join('\n\n');
}

/**
 * `result` (the engine's assessment of `request`) with the external findings merged into its content filters.
 * Returns `result` itself when nothing changes.
 */
export function mergeExternal(
  compiled: CompiledGuardrail,
  request: AssessRequest,
  result: AssessResult,
  findings: readonly ExternalFindings[],
): MergedResult {
  const categories = externalCategories(compiled, request);
  if (!categories.length || !findings.length) return { result, caught: [] };
  const side = sideOf(compiled, request);

  // Highest external confidence per enabled category, and who reported it first.
  const external = new Map<ContentFilterType, { confidence: Confidence; detector: string }>();
  for (const f of findings)
    for (const type of categories) {
      const s = f.scores[type];
      if (s === undefined) continue;
      const confidence = scoreConfidence(s, f.thresholds);
      const seen = external.get(type);
      if (confidence !== 'NONE' && (!seen || RANK[confidence] > RANK[seen.confidence]))
        external.set(type, { confidence, detector: f.detector });
    }
  if (!external.size) return { result, caught: [] };

  const full = request.outputScope === 'FULL';
  const listed = new Map<ContentFilterType, ContentFilterAssessment>();
  for (const a of result.assessment.contentPolicy?.filters ?? []) listed.set(a.type, a);
  const filters: ContentFilterAssessment[] = [];
  const caught: ExternalCatch[] = [];
  let blocked = result.blocked;
  let changed = false;
  for (const f of side.contentFilters) {
    // An unlisted filter (INTERVENTIONS scope) was below its strength: any external confidence that is caught is higher.
    const shipped = listed.get(f.type);
    const ext = external.get(f.type);
    const confidence = ext && RANK[ext.confidence] > RANK[shipped?.confidence ?? 'NONE'] ? ext.confidence : (shipped?.confidence ?? 'NONE');
    if (confidence !== (shipped?.confidence ?? 'NONE')) changed = true;
    const detected = strengthCatches(confidence, f.strength);
    const action: AssessedAction = detected && f.action === 'BLOCK' ? 'BLOCKED' : 'NONE';
    if (action === 'BLOCKED') blocked = true;
    if (detected || full) filters.push({ type: f.type, confidence, filterStrength: f.strength, action, detected });
    if (ext && strengthCatches(ext.confidence, f.strength))
      caught.push({ detector: ext.detector, type: f.type, confidence: ext.confidence, action });
  }
  if (!changed) return { result, caught };

  const { contentPolicy: _, ...rest } = result.assessment;
  const assessment = filters.length ? { ...rest, contentPolicy: { filters } } : rest;
  if (blocked && !result.blocked)
    return {
      result: {
        ...result,
        action: 'GUARDRAIL_INTERVENED',
        actionReason: 'Guardrail blocked.',
        outputs: [{ text: side.blockedMessage }],
        assessment,
        blocked: true,
      },
      caught,
    };
  return { result: { ...result, assessment }, caught };
}

/**
 * A guardrail whose external detector could not answer: fail closed, as a block. The shipped assessment stays
 * as it is (nothing was found); the reason says which detector failed.
 */
export function blockForFailure(compiled: CompiledGuardrail, request: AssessRequest, result: AssessResult, reason: string): AssessResult {
  return {
    ...result,
    action: 'GUARDRAIL_INTERVENED',
    actionReason: `Guardrail blocked: ${reason}; external detectors fail closed.`,
    outputs: [{ text: sideOf(compiled, request).blockedMessage }],
    blocked: true,
  };
}

/**
 * assess(compiled, request) → the guardrail's decision for one ApplyGuardrail-style request.
 * Detectors return spans and scores; this module turns them into actions (BLOCK / ANONYMIZE /
 * NONE) from the guardrail's settings, builds the wire assessment, the masked outputs and usage.
 * Pure: the caller measures latency and adds invocation metrics.
 */
import type {
  AssessedAction,
  ContentFilterAssessment,
  CustomWordAssessment,
  GroundingFilterAssessment,
  GuardrailAssessment,
  GuardrailCoverage,
  GuardrailUsage,
  ManagedWordAssessment,
  PiiEntityAssessment,
  RegexAssessment,
  SensitiveAssessedAction,
  TopicAssessment,
} from './assessment.ts';
import { emptyUsage } from './assessment.ts';
import type { CompiledGuardrail, CompiledSide } from './compile.ts';
import type { Confidence, FilterStrength, PiiEntityType, Source } from './config/types.ts';
import { classifyHarm, type HarmCategory } from './content/index.ts';
import { scoreGrounding } from './grounding/index.ts';
import { seamFindings } from './evasion/seams.ts';
import { applyMasks, type MaskSpan, resolveMaskSpans } from './mask.ts';
import { classifyPromptAttack } from './prompt-attack/index.ts';
import { MAX_MATCHES_PER_TEXT, RegexSubject } from './regex/safe-regex.ts';
import type { WordFinding } from './words/index.ts';

export type Qualifier = 'grounding_source' | 'query' | 'guard_content';

export interface TextBlock {
  text: string;
  qualifiers?: readonly Qualifier[];
  /**
   * `false` keeps the prompt-attack filter off this block (the invocation gateway's untagged system prompt and
   * assistant turns: the application's own text, not the user's). Default: checked.
   */
  promptAttack?: boolean;
}

export type OutputScope = 'INTERVENTIONS' | 'FULL';

/**
 * An assessment lists at most this many findings per policy (the action and the masking still
 * cover every finding), so one request cannot produce an unbounded response.
 */
export const MAX_LISTED_FINDINGS = 1000;

/** Characters each side of a boundary between guarded blocks that are scanned for a word or value cut in two. */
export const SEAM_REACH = 256;

export interface AssessRequest {
  source: Source;
  content: readonly TextBlock[];
  outputScope?: OutputScope;
}

export interface AssessResult {
  action: 'NONE' | 'GUARDRAIL_INTERVENED';
  actionReason?: string;
  /** The blocked message when blocked; the masked guarded texts when only anonymized; [] otherwise. */
  outputs: { text: string }[];
  assessment: GuardrailAssessment;
  usage: GuardrailUsage;
  coverage: GuardrailCoverage;
  blocked: boolean;
  anonymized: boolean;
  /**
   * Per guarded text (in order), the spans ANONYMIZE replaces, resolved (sorted, merged), in that text's own
   * offsets; [] for texts with none. Lets a caller compose masks from several guardrails on the original text,
   * or mask only part of a text (a stream released in pieces).
   */
  maskSpans: MaskSpan[][];
  /**
   * Per guarded text (in order), every PII finding with its offsets and action, uncapped. Not part of the wire
   * assessment (which lists match texts only): lets evaluation score spans and callers locate findings.
   */
  piiFindings: AssessedPiiFinding[][];
}

export interface AssessedPiiFinding {
  type: PiiEntityType;
  /** UTF-16 offsets into the guarded text, `end` exclusive. */
  start: number;
  end: number;
  action: SensitiveAssessedAction;
}

const CONFIDENCE_RANK: Record<Confidence, number> = { NONE: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };
/** Lowest confidence a strength blocks: LOW blocks HIGH only, MEDIUM blocks MEDIUM+, HIGH blocks LOW+. */
const STRENGTH_THRESHOLD: Record<FilterStrength, number> = { NONE: Number.POSITIVE_INFINITY, LOW: 3, MEDIUM: 2, HIGH: 1 };

export function strengthCatches(confidence: Confidence, strength: FilterStrength): boolean {
  return CONFIDENCE_RANK[confidence] >= STRENGTH_THRESHOLD[strength];
}

export function textUnits(chars: number): number {
  return Math.ceil(chars / 1000);
}

function maxConfidence(a: Confidence, b: Confidence): Confidence {
  return CONFIDENCE_RANK[b] > CONFIDENCE_RANK[a] ? b : a;
}

function isGuarded(block: TextBlock): boolean {
  const q = block.qualifiers;
  return !q || q.length === 0 || q.includes('guard_content');
}

/** Assess `request` with the side of `compiled` that its source selects. */
export function assess(compiled: CompiledGuardrail, request: AssessRequest): AssessResult {
  const side = request.source === 'INPUT' ? compiled.input : compiled.output;
  return assessSide(side, request);
}

export function assessSide(side: CompiledSide, request: AssessRequest): AssessResult {
  const full = request.outputScope === 'FULL';
  const guardedIdx: number[] = [];
  let total = 0;
  let guardedChars = 0;
  const sources: string[] = [];
  const queries: string[] = [];
  request.content.forEach((b, i) => {
    total += b.text.length;
    if (isGuarded(b)) {
      guardedIdx.push(i);
      guardedChars += b.text.length;
    }
    if (b.qualifiers?.includes('grounding_source')) sources.push(b.text);
    if (b.qualifiers?.includes('query')) queries.push(b.text);
  });
  const guardedTexts = guardedIdx.map((i) => request.content[i]?.text ?? '');

  let blocked = false;
  let anonymized = false;
  const assessment: GuardrailAssessment = {};
  const usage = emptyUsage();
  const units = textUnits(guardedChars);
  const masks: MaskSpan[][] = guardedTexts.map(() => []);
  const piiFindings: AssessedPiiFinding[][] = guardedTexts.map(() => []);

  // Content filters (incl. prompt attack): the highest confidence over all guarded blocks.
  if (side.contentFilters.length) {
    usage.contentPolicyUnits = units;
    const wantsHarm = side.contentFilters.some((f) => f.type !== 'PROMPT_ATTACK');
    const wantsAttack = side.contentFilters.some((f) => f.type === 'PROMPT_ATTACK');
    const conf: Partial<Record<HarmCategory | 'PROMPT_ATTACK', Confidence>> = {};
    for (const i of guardedIdx) {
      const block = request.content[i];
      if (!block) continue;
      const text = block.text;
      if (wantsHarm) {
        const harm = classifyHarm(text, side.classifier);
        for (const [cat, r] of Object.entries(harm) as [HarmCategory, { confidence: Confidence }][]) {
          conf[cat] = maxConfidence(conf[cat] ?? 'NONE', r.confidence);
        }
      }
      if (wantsAttack && block.promptAttack !== false)
        conf.PROMPT_ATTACK = maxConfidence(conf.PROMPT_ATTACK ?? 'NONE', classifyPromptAttack(text, side.classifier).confidence);
    }
    const filters: ContentFilterAssessment[] = [];
    for (const f of side.contentFilters) {
      const confidence = conf[f.type] ?? 'NONE';
      const detected = strengthCatches(confidence, f.strength);
      const action: AssessedAction = detected && f.action === 'BLOCK' ? 'BLOCKED' : 'NONE';
      if (action === 'BLOCKED') blocked = true;
      if (detected || full) filters.push({ type: f.type, confidence, filterStrength: f.strength, action, detected });
    }
    if (filters.length) assessment.contentPolicy = { filters };
  }

  // Denied topics: the best score over guarded blocks.
  if (side.topics) {
    usage.topicPolicyUnits = units;
    const { matcher, names, actions } = side.topics;
    const detectedAt: boolean[] = actions.map(() => false);
    for (const text of guardedTexts)
      matcher.match(text).forEach((m, i) => {
        if (m.detected) detectedAt[i] = true;
      });
    const topics: TopicAssessment[] = [];
    names.forEach((name, i) => {
      const detected = detectedAt[i] ?? false;
      const action: AssessedAction = detected && actions[i] === 'BLOCK' ? 'BLOCKED' : 'NONE';
      if (action === 'BLOCKED') blocked = true;
      if (detected || full) topics.push({ name, type: 'DENY', action, detected });
    });
    if (topics.length) assessment.topicPolicy = { topics };
  }

  // Word filters (outputScope does not apply: only matches are listed).
  if (side.words) {
    usage.wordPolicyUnits = units;
    const { matcher, customActions, profanityAction } = side.words;
    const customWords: CustomWordAssessment[] = [];
    const managedWordLists: ManagedWordAssessment[] = [];
    const seen = new Set<string>();
    const record = (f: WordFinding, match: string): void => {
      const action: AssessedAction =
        (f.list === 'CUSTOM' ? customActions[f.index] : profanityAction) === 'BLOCK' ? 'BLOCKED' : 'NONE';
      if (action === 'BLOCKED') blocked = true;
      const key = `${f.list}\u0000${match.toLowerCase()}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (seen.size > MAX_LISTED_FINDINGS) return;
      if (f.list === 'CUSTOM') customWords.push({ match, action, detected: true });
      else managedWordLists.push({ match, type: 'PROFANITY', action, detected: true });
    };
    const perBlock = guardedTexts.map((text) => matcher.scan(text));
    perBlock.forEach((found) => found.forEach((f) => record(f, f.match)));
    // A word cut in two by a block boundary.
    if (guardedTexts.length > 1)
      for (const seam of seamFindings(guardedTexts, matcher.scan, SEAM_REACH, perBlock)) record(seam.finding, seam.match);
    if (customWords.length || managedWordLists.length) assessment.wordPolicy = { customWords, managedWordLists };
  }

  // Sensitive information: PII detectors and custom regexes.
  if (side.pii || side.regexes.length) {
    const piiEntities: PiiEntityAssessment[] = [];
    const regexes: RegexAssessment[] = [];
    const toAssessed = (a: string): SensitiveAssessedAction =>
      a === 'BLOCK' ? 'BLOCKED' : a === 'ANONYMIZE' ? 'ANONYMIZED' : 'NONE';
    const pii = side.pii;
    const piiPerBlock = pii ? guardedTexts.map((text) => pii.scanner.scan(text)) : [];
    const recordPii = (type: PiiEntityType, match: string, parts: readonly { block: number; start: number; end: number }[]): void => {
      const action = toAssessed(pii?.actions.get(type) ?? 'NONE');
      if (action === 'BLOCKED') blocked = true;
      for (const p of parts) {
        if (action === 'ANONYMIZED') masks[p.block]?.push({ start: p.start, end: p.end, label: type });
        piiFindings[p.block]?.push({ type, start: p.start, end: p.end, action });
      }
      if (piiEntities.length < MAX_LISTED_FINDINGS) piiEntities.push({ match, type, action, detected: true });
    };
    guardedTexts.forEach((text, bi) => {
      const blockMasks = masks[bi] ?? [];
      for (const f of piiPerBlock[bi] ?? []) recordPii(f.type, text.slice(f.start, f.end), [{ block: bi, start: f.start, end: f.end }]);
      const subject = side.regexes.length > 1 ? new RegexSubject(text) : text;
      for (const r of side.regexes) {
        const spans = r.regex.findAll(subject);
        let action = toAssessed(r.action);
        // Past the match cap not every match can be masked: fail closed rather than leak the rest.
        if (action === 'ANONYMIZED' && spans.length >= MAX_MATCHES_PER_TEXT) action = 'BLOCKED';
        if (action === 'BLOCKED' && spans.length) blocked = true;
        for (const [s, e] of spans) {
          if (action === 'ANONYMIZED') blockMasks.push({ start: s, end: e, label: r.name });
          if (regexes.length < MAX_LISTED_FINDINGS)
            regexes.push({ name: r.name, match: text.slice(s, e), regex: r.pattern, action, detected: true });
        }
      }
    });
    // A value cut in two by a block boundary.
    if (pii && guardedTexts.length > 1)
      for (const seam of seamFindings(guardedTexts, pii.scanner.scan, SEAM_REACH, piiPerBlock)) recordPii(seam.finding.type, seam.match, seam.parts);
    if (side.pii) {
      usage.sensitiveInformationPolicyUnits = units;
      if (full) {
        const found = new Set(piiEntities.map((p) => p.type));
        for (const type of side.pii.actions.keys())
          if (!found.has(type)) piiEntities.push({ match: '', type, action: 'NONE', detected: false });
      }
    }
    if (side.regexes.length) usage.sensitiveInformationPolicyFreeUnits = units;
    if (piiEntities.length || regexes.length) assessment.sensitiveInformationPolicy = { piiEntities, regexes };
    if (masks.some((m) => m.length > 0)) anonymized = true;
  }

  // Contextual grounding: checks the model response against the grounding source and the query.
  if (side.grounding.length && request.source === 'OUTPUT' && sources.length && guardedTexts.length) {
    const query = queries.join('\n');
    const scores = scoreGrounding({ sources, query: query || undefined, response: guardedTexts.join('\n') });
    const filters: GroundingFilterAssessment[] = [];
    for (const g of side.grounding) {
      if (g.type === 'RELEVANCE' && !query) continue;
      const score = round2(g.type === 'GROUNDING' ? scores.grounding : scores.relevance);
      const detected = score < g.threshold;
      const action: AssessedAction = detected && g.action === 'BLOCK' ? 'BLOCKED' : 'NONE';
      if (action === 'BLOCKED') blocked = true;
      filters.push({ type: g.type, threshold: g.threshold, score, action, detected });
    }
    if (filters.length) {
      usage.contextualGroundingPolicyUnits = textUnits(
        guardedChars + sources.reduce((n, s) => n + s.length, 0) + query.length,
      );
      const shown = full ? filters : filters.filter((f) => f.detected);
      if (shown.length) assessment.contextualGroundingPolicy = { filters: shown };
    }
  }

  const coverage: GuardrailCoverage = { textCharacters: { guarded: guardedChars, total } };
  if (blocked) {
    return {
      action: 'GUARDRAIL_INTERVENED',
      actionReason: 'Guardrail blocked.',
      outputs: [{ text: side.blockedMessage }],
      assessment,
      usage,
      coverage,
      blocked,
      anonymized,
      maskSpans: masks.map(resolveMaskSpans),
      piiFindings,
    };
  }
  if (anonymized) {
    return {
      action: 'GUARDRAIL_INTERVENED',
      actionReason: 'Guardrail masked.',
      outputs: guardedTexts.map((text, i) => ({ text: applyMasks(text, masks[i] ?? []) })),
      assessment,
      usage,
      coverage,
      blocked,
      anonymized,
      maskSpans: masks.map(resolveMaskSpans),
      piiFindings,
    };
  }
  return { action: 'NONE', outputs: [], assessment, usage, coverage, blocked, anonymized, maskSpans: masks.map(() => []), piiFindings };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

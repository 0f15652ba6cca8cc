/**
 * Prompt-attack detector for the Bedrock PROMPT_ATTACK content filter (jailbreaks, prompt injection,
 * system-prompt extraction). Curated patterns over the shared normalised tokens plus a few linear
 * regexes and bounded decoding of smuggled payloads (`detect.ts`); the evidence is combined by a
 * logistic function and bucketed by the shared `toConfidence`.
 *
 * Pure, no I/O; everything is compiled at module load. Linear in the text length.
 */
import type { ModelClassifier } from '../classifier/index.ts';
import type { CategoryResult } from '../content/index.ts';
import { sigmoid, toConfidence } from '../content/confidence.ts';
import { analyzePromptAttack, type AttackFeature } from './detect.ts';

export type { AttackFeature };

/**
 * Score a text for prompt attacks: the higher of the curated patterns' score and, when given, the trained
 * classifier's calibrated PROMPT_ATTACK score (`classifier/`).
 */
export function classifyPromptAttack(text: string, model?: ModelClassifier): CategoryResult {
  const score = Math.max(sigmoid(analyzePromptAttack(text).logit), model ? model.score(text, 'PROMPT_ATTACK') : 0);
  return { score, confidence: toConfidence(score) };
}

/** Like `classifyPromptAttack`, with the features that produced the score. */
export function explainPromptAttack(text: string): CategoryResult & { features: AttackFeature[] } {
  const { logit, evidence } = analyzePromptAttack(text);
  const score = sigmoid(logit);
  return { score, confidence: toConfidence(score), features: evidence.features() };
}

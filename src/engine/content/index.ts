/**
 * Content-category detector for the Bedrock content filters HATE, INSULTS, SEXUAL, VIOLENCE and
 * MISCONDUCT: curated weighted lexicons and phrase rules over normalised tokens (see `classify.ts`),
 * combined by a logistic function into a score per category, bucketed by `toConfidence`.
 *
 * Pure, no I/O; everything is compiled at module load. Linear in the text length.
 */
import type { ModelClassifier } from '../classifier/index.ts';
import type { Confidence } from '../config/types.ts';
import { HARM_CATEGORIES, analyzeHarm, explainFeatures, type Feature, type HarmCategory } from './classify.ts';
import { sigmoid, toConfidence } from './confidence.ts';

export type { HarmCategory, Feature };
export { HARM_CATEGORIES, toConfidence };
export { CONFIDENCE_THRESHOLDS, sigmoid } from './confidence.ts';

export interface CategoryResult {
  /** 0..1 */
  score: number;
  confidence: Confidence;
}

/**
 * Score every harm category of a text: the higher of the curated patterns' score and, when given, the
 * trained classifier's calibrated score (`classifier/`). MISCONDUCT stays with the curated patterns: its only
 * training data is our 492-row written set, and the model learned "how do I make …" itself as misconduct
 * (everyday cooking questions reached MEDIUM), so its score is measured but not used.
 */
export function classifyHarm(text: string, model?: ModelClassifier): Record<HarmCategory, CategoryResult> {
  const { logits } = analyzeHarm(text);
  const out = {} as Record<HarmCategory, CategoryResult>;
  HARM_CATEGORIES.forEach((cat, k) => {
    const score = Math.max(sigmoid(logits[k] ?? -40), model && cat !== 'MISCONDUCT' ? model.score(text, cat) : 0);
    out[cat] = { score, confidence: toConfidence(score) };
  });
  return out;
}

/** Like `classifyHarm`, with the features that produced each score (for audit trails and debugging). */
export function explainHarm(text: string): Record<HarmCategory, CategoryResult & { features: Feature[] }> {
  const analysis = analyzeHarm(text);
  const out = {} as Record<HarmCategory, CategoryResult & { features: Feature[] }>;
  HARM_CATEGORIES.forEach((cat, k) => {
    const score = sigmoid(analysis.logits[k] ?? -40);
    out[cat] = { score, confidence: toConfidence(score), features: explainFeatures(analysis, cat) };
  });
  return out;
}

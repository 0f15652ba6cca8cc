/**
 * Content-category detector for the Bedrock content filters HATE, INSULTS, SEXUAL, VIOLENCE and
 * MISCONDUCT: curated weighted lexicons and phrase rules over normalised tokens (see `classify.ts`),
 * combined by a logistic function into a score per category, bucketed by `toConfidence`.
 *
 * Pure, no I/O; everything is compiled at module load. Linear in the text length.
 */
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

/** Score every harm category of a text. */
export function classifyHarm(text: string): Record<HarmCategory, CategoryResult> {
  const { logits } = analyzeHarm(text);
  const out = {} as Record<HarmCategory, CategoryResult>;
  HARM_CATEGORIES.forEach((cat, k) => {
    const score = sigmoid(logits[k] ?? -40);
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

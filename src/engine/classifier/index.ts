/**
 * The shipped content/prompt-attack classifier: one multi-label linear model (HATE, INSULTS, SEXUAL,
 * VIOLENCE, MISCONDUCT, PROMPT_ATTACK) trained by `npm run train` (scripts/train.ts) and committed as
 * `shipped-model.generated.ts`. The content and prompt-attack detectors take, per category, the higher of
 * this model's calibrated score and their curated patterns' score.
 *
 * A `ModelClassifier` remembers the scores of the last text it saw, because the content filters and the
 * prompt-attack filter ask about the same block one after the other.
 */
import { normalizeTextShared } from '../content/normalize.ts';
import { dequantize, type StoredModel } from './codec.ts';
import { type LinearModel, LinearScorer } from './model.ts';
import { SHIPPED_MODEL } from './shipped-model.generated.ts';

export type { LinearModel } from './model.ts';

export class ModelClassifier {
  private readonly scorer: LinearScorer;
  private readonly index: ReadonlyMap<string, number>;
  private lastText: string | undefined;
  private lastScores: Float64Array = new Float64Array(0);

  constructor(readonly model: LinearModel) {
    this.scorer = new LinearScorer(model);
    this.index = new Map(model.labels.map((l, i) => [l, i]));
  }

  /**
   * Calibrated score (0..1, shared confidence scale) of `label` for `text`; 0 for a label the model lacks.
   * A score below MEDIUM (0.5) counts as 0: alone, the model's LOW band flagged everyday prompts ("Translate
   * good morning into German" as HATE), so only its MEDIUM and HIGH bands reach a filter. HIGH strength still
   * catches the curated patterns' LOW findings.
   */
  score(text: string, label: string): number {
    const i = this.index.get(label);
    if (i === undefined) return 0;
    if (text !== this.lastText) {
      this.lastScores = this.scorer.scoresOfNormalized(normalizeTextShared(text));
      this.lastText = text;
    }
    const score = this.lastScores[i] as number;
    return score >= 0.5 ? score : 0;
  }
}

let shipped: ModelClassifier | undefined;

/** The committed model, decoded on first use (about 20 ms once per process). */
export function shippedClassifier(): ModelClassifier {
  shipped ??= new ModelClassifier(dequantize(SHIPPED_MODEL as StoredModel));
  return shipped;
}

/**
 * Fitting the shipped classifier from the corpus: featurization, the training settings, and the per-fold
 * models of the cross-validation (shared by `npm run train` and `npm run eval`, so the model that is measured
 * is trained exactly like the model that ships).
 */
import { Featurizer, copySparse } from '../../src/engine/classifier/features.ts';
import type { LinearModel } from '../../src/engine/classifier/model.ts';
import { type TrainingRow, trainModel } from '../../src/engine/classifier/train.ts';
import { type CorpusRow, FOLDS, LABELS } from './corpus.ts';

export const BITS = 18;
export const SETTINGS = { epochs: 4, learningRate: 0.25, l2: 1e-6, seed: 20261125 } as const;
/**
 * Benign false-positive budgets of the LOW / MEDIUM / HIGH cuts. Content categories use the defaults (1 %,
 * 0.5 %, 0.2 %); PROMPT_ATTACK, judged at strength HIGH with a 3 % budget, gets 3 %, 1.5 %, 0.5 %: the cuts are
 * chosen on benign rows that include 325 everyday short prompts (data/written, families everyday-short and
 * everyday-pii), which keeps "My e-mail is jane@example.com" and "ignore my last message" clean.
 * Only the model's MEDIUM and HIGH bands are used (classifier/index.ts).
 */
const FP_RATES_BY_LABEL = { PROMPT_ATTACK: [0.03, 0.015, 0.005] } as const;

/** Stable 32-bit key of a row (for the deterministic calibration split). */
function keyOf(r: CorpusRow): number {
  let h = 0x811c9dc5;
  const s = `${r.set}#${r.index}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function toTrainingRows(corpus: readonly CorpusRow[]): TrainingRow[] {
  const f = new Featurizer(BITS);
  return corpus.map((r) => ({
    x: copySparse(f.featurize(r.text)),
    y: Float32Array.from(LABELS, (l) => (r.y[l] === undefined ? Number.NaN : (r.y[l] as number))),
    weight: r.weight,
    benign: r.benign,
    key: keyOf(r),
  }));
}

export function fit(rows: readonly TrainingRow[]): LinearModel {
  return trainModel(rows, { labels: LABELS, bits: BITS, ...SETTINGS, fpRatesByLabel: FP_RATES_BY_LABEL });
}

/** One model per fold k, trained on every row outside fold k. */
export function foldModels(corpus: readonly CorpusRow[], rows: readonly TrainingRow[]): LinearModel[] {
  return Array.from({ length: FOLDS }, (_, k) => fit(rows.filter((_, i) => corpus[i]?.fold !== k)));
}

/**
 * Deterministic training of the linear classifiers (used by `npm run train` and by the cross-validation in
 * `npm run eval`; never at run time). Pure: the randomness is a seeded generator.
 *
 * Multi-label logistic regression with AdaGrad and L2 on the touched coordinates. Each row carries a label
 * vector in which NaN means "this source does not say" (e.g. the prompt-attack sets say nothing about HATE),
 * and a sample weight, so sets with different label coverage train one model. Positives of each label are
 * up-weighted by √(negatives / positives) (at most ×6).
 *
 * `trainModel` then picks the confidence cut points: three probe models, each trained without one third of the
 * rows, score the benign calibration rows of that third; the cuts are the probabilities at which those
 * out-of-sample scores give the target false-positive rates. The final weights are trained on every row with
 * the same settings.
 */
import { mulberry32 } from '../../core/seeded-random.ts';
import type { SparseVector } from './features.ts';
import { type ConfidenceCuts, type LinearModel, logits, sigmoid } from './model.ts';

export interface TrainingRow {
  readonly x: SparseVector;
  /** One entry per label: 1, 0, or NaN (unknown). */
  readonly y: Float32Array;
  readonly weight: number;
  /** Benign for every label (used to choose the cut points). */
  readonly benign: boolean;
  /** Stable key for the deterministic calibration split. */
  readonly key: number;
}

export interface TrainOptions {
  readonly labels: readonly string[];
  readonly bits: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly l2?: number;
  readonly seed?: number;
  /** Target benign false-positive rates for the LOW, MEDIUM and HIGH cuts (default 1 %, 0.5 %, 0.2 %). */
  readonly fpRates?: readonly [number, number, number];
  /** Per-label rates that override `fpRates`. */
  readonly fpRatesByLabel?: Readonly<Record<string, readonly [number, number, number]>>;
}

/** Logistic regression weights for the rows. */
export function trainWeights(rows: readonly TrainingRow[], o: TrainOptions): { weights: Float32Array; bias: Float64Array } {
  const L = o.labels.length;
  const epochs = o.epochs ?? 8;
  const lr = o.learningRate ?? 0.3;
  const l2 = o.l2 ?? 1e-5;
  const weights = new Float32Array((1 << o.bits) * L);
  const grad2 = new Float32Array((1 << o.bits) * L);
  const bias = new Float64Array(L);
  const biasG2 = new Float64Array(L);
  const posWeight = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    let pos = 0;
    let neg = 0;
    for (const r of rows) {
      const y = r.y[l] as number;
      if (y === 1) pos += r.weight;
      else if (y === 0) neg += r.weight;
    }
    posWeight[l] = pos > 0 ? Math.min(6, Math.max(1, Math.sqrt(neg / pos))) : 1;
  }
  const order = rows.map((_, i) => i);
  const rand = mulberry32(o.seed ?? 1);
  const z = new Float64Array(L);
  const g = new Float64Array(L);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    for (const ri of order) {
      const r = rows[ri] as TrainingRow;
      logits({ labels: o.labels, bits: o.bits, weights, bias, cuts: [] }, r.x, z);
      let any = false;
      for (let l = 0; l < L; l++) {
        const y = r.y[l] as number;
        if (Number.isNaN(y)) {
          g[l] = 0;
          continue;
        }
        any = true;
        const sw = r.weight * (y === 1 ? (posWeight[l] as number) : 1);
        g[l] = (sigmoid(z[l] as number) - y) * sw;
        biasG2[l] = (biasG2[l] as number) + (g[l] as number) ** 2;
        bias[l] = (bias[l] as number) - (lr * (g[l] as number)) / Math.sqrt((biasG2[l] as number) + 1e-8);
      }
      if (!any) continue;
      for (let k = 0; k < r.x.n; k++) {
        const base = (r.x.idx[k] as number) * L;
        const x = r.x.val[k] as number;
        for (let l = 0; l < L; l++) {
          const gl = g[l] as number;
          if (gl === 0) continue;
          const wi = base + l;
          const gr = gl * x + l2 * (weights[wi] as number);
          grad2[wi] = (grad2[wi] as number) + gr * gr;
          weights[wi] = (weights[wi] as number) - (lr * gr) / Math.sqrt((grad2[wi] as number) + 1e-8);
        }
      }
    }
  }
  return { weights, bias };
}

/** The probability above which a share `rate` of the benign scores lies (at least `floor`). */
export function cutAt(benignScores: readonly number[], rate: number, floor: number): number {
  if (benignScores.length === 0) return floor;
  const sorted = [...benignScores].sort((a, b) => b - a);
  const k = Math.floor(rate * sorted.length);
  return Math.max(floor, Math.min(0.999, (sorted[k] as number) + 1e-6));
}

/** Cut points from held-out benign probabilities of one label. */
export function cutsFor(benign: readonly number[], rates: readonly [number, number, number]): ConfidenceCuts {
  // Floors: a label with few positives gives every benign prompt a low probability, and its 2 % quantile
  // would then sit near 0.3 — low enough for a short everyday question to reach LOW confidence.
  const low = cutAt(benign, rates[0], 0.5);
  const medium = Math.max(low + 1e-3, cutAt(benign, rates[1], 0.7));
  const high = Math.max(medium + 1e-3, cutAt(benign, rates[2], 0.85));
  return { low, medium, high };
}

/** Trains a model with calibrated cut points (see the header). */
export function trainModel(rows: readonly TrainingRow[], o: TrainOptions): LinearModel {
  const rates = o.fpRates ?? [0.01, 0.005, 0.002];
  const L = o.labels.length;
  const benign: number[][] = o.labels.map(() => []);
  const z = new Float64Array(L);
  // Out-of-fold probabilities of every benign calibration row: three probes, each trained without a third.
  for (let part = 0; part < CALIBRATION_PARTS; part++) {
    const probe = trainWeights(rows.filter((r) => (r.key >>> 0) % CALIBRATION_PARTS !== part), o);
    const probeModel: LinearModel = { labels: o.labels, bits: o.bits, ...probe, cuts: [] };
    for (const r of rows) {
      if (!r.benign || (r.key >>> 0) % CALIBRATION_PARTS !== part) continue;
      logits(probeModel, r.x, z);
      for (let l = 0; l < L; l++) benign[l]?.push(sigmoid(z[l] as number));
    }
  }
  const cuts = benign.map((b, l) => cutsFor(b, o.fpRatesByLabel?.[o.labels[l] as string] ?? rates));
  const final = trainWeights(rows, o);
  return { labels: o.labels, bits: o.bits, ...final, cuts };
}

const CALIBRATION_PARTS = 3;

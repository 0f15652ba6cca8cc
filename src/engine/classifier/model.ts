/**
 * Inference for the shipped linear classifiers: a multi-label logistic model over hashed n-gram features
 * (`features.ts`), with per-label cut points that map its probability onto Bedrock's confidence buckets.
 *
 * Cut points come from training (`train.ts`): the probabilities at which the model's false-positive rate on
 * benign held-out prompts is 1 % (LOW), 0.5 % (MEDIUM) and 0.2 % (HIGH). `calibrated` maps a probability
 * piecewise-linearly so that those cuts land on the engine's shared thresholds 0.25 / 0.5 / 0.75
 * (`content/confidence.ts`); the result is a score comparable with the lexicon detectors' scores.
 *
 * A text longer than 256 words is read in windows of 256 words (stride 128); the highest score wins, so an
 * attack section in a long document is not diluted by the rest of it. (Smaller windows raised the false positives on benign prompts; a
 * single injected sentence is the curated patterns' job.)
 */
import { Featurizer, type SparseVector, words as foldedWords } from './features.ts';

export interface ConfidenceCuts {
  readonly low: number;
  readonly medium: number;
  readonly high: number;
}

export interface LinearModel {
  readonly labels: readonly string[];
  readonly bits: number;
  /** Interleaved: weight of feature i for label l at `i * labels.length + l`. */
  readonly weights: Float32Array;
  readonly bias: Float64Array;
  readonly cuts: readonly ConfidenceCuts[];
}

export const WINDOW_WORDS = 256;
/**
 * Texts of fewer words are left to the curated patterns: with a few words a single hashed feature
 * carries the whole L2-normalised vector, and its weight says more about hash collisions than about the text.
 */
export const MIN_WORDS = 8;
/**
 * Prompt attacks are often short commands ("ignore your rules now"), so the model judges them from 4 words;
 * the everyday short prompts of data/written keep its cut points honest there.
 */
export const MIN_WORDS_BY_LABEL: Readonly<Record<string, number>> = { PROMPT_ATTACK: 4 };
const STRIDE = 128;

/** Raw logits of one sparse vector. */
export function logits(model: LinearModel, v: SparseVector, out: Float64Array): Float64Array {
  const L = model.labels.length;
  const w = model.weights;
  for (let l = 0; l < L; l++) out[l] = model.bias[l] as number;
  for (let k = 0; k < v.n; k++) {
    const base = (v.idx[k] as number) * L;
    const x = v.val[k] as number;
    for (let l = 0; l < L; l++) out[l] = (out[l] as number) + (w[base + l] as number) * x;
  }
  return out;
}

export function sigmoid(x: number): number {
  if (x > 40) return 1;
  if (x < -40) return 0;
  return 1 / (1 + Math.exp(-x));
}

/** Maps a probability onto the shared score scale: cuts.low → 0.25, cuts.medium → 0.5, cuts.high → 0.75. */
export function calibrated(p: number, c: ConfidenceCuts): number {
  if (!(p > 0)) return 0;
  if (p < c.low) return (0.25 * p) / c.low;
  if (p < c.medium) return 0.25 + (0.25 * (p - c.low)) / (c.medium - c.low);
  if (p < c.high) return 0.5 + (0.25 * (p - c.medium)) / (c.high - c.medium);
  return Math.min(1, 0.75 + (0.25 * (p - c.high)) / Math.max(1e-9, 1 - c.high));
}

/** Scores a text with a model: calibrated scores per label (see `calibrated`), highest over windows. */
export class LinearScorer {
  private readonly featurizer: Featurizer;
  private readonly z: Float64Array;
  private readonly minWords: readonly number[];
  private readonly fewestWords: number;

  constructor(readonly model: LinearModel) {
    this.featurizer = new Featurizer(model.bits);
    this.z = new Float64Array(model.labels.length);
    this.minWords = model.labels.map((l) => MIN_WORDS_BY_LABEL[l] ?? MIN_WORDS);
    this.fewestWords = Math.min(...this.minWords);
  }

  /** Probabilities per label (uncalibrated), highest over windows. */
  probabilities(text: string, out = new Float64Array(this.model.labels.length)): Float64Array {
    const ws = foldedWords(text);
    out.fill(0);
    if (ws.length < this.fewestWords) return out;
    if (ws.length <= WINDOW_WORDS) this.maxInto(ws, out);
    else for (let start = 0; start < ws.length - STRIDE; start += STRIDE) this.maxInto(ws.slice(start, start + WINDOW_WORDS), out);
    for (let l = 0; l < out.length; l++) if (ws.length < (this.minWords[l] as number)) out[l] = 0;
    return out;
  }

  private maxInto(ws: readonly string[], out: Float64Array): void {
    logits(this.model, this.featurizer.fromWords(ws), this.z);
    for (let l = 0; l < out.length; l++) out[l] = Math.max(out[l] as number, sigmoid(this.z[l] as number));
  }

  /** Calibrated scores per label, on the engine's shared 0..1 scale. */
  scores(text: string): Float64Array {
    const p = this.probabilities(text);
    for (let l = 0; l < p.length; l++) p[l] = calibrated(p[l] as number, this.model.cuts[l] as ConfidenceCuts);
    return p;
  }
}

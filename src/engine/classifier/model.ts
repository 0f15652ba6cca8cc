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
import { WeightedCounts, windowLogits } from './accumulator.ts';
import { type WordFeatures, WordMemo } from './word-memo.ts';
import {
  bigramHash,
  CHAR_WEIGHT,
  LONG_WORDS,
  NON_ASCII_SHARE,
  SHAPE_LONG,
  SHAPE_NON_ASCII,
  nextWordStart,
  type SparseVector,
  wordEnd,
} from './features.ts';
import { normalizeText } from '../content/normalize.ts';

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

/**
 * Count `amount` for compact id `id` in the window stamped `stamp`: its first touch appends it to `order` (with
 * its position in `posOf`), later ones add to its count. Returns the new number of distinct ids.
 */
function touch(
  id: number,
  amount: number,
  stamp: number,
  m: number,
  seen: Int32Array,
  posOf: Int32Array,
  order: Int32Array,
  count: Float32Array,
): number {
  if (seen[id] !== stamp) {
    seen[id] = stamp;
    posOf[id] = m;
    order[m] = id;
    count[m] = amount;
    return m + 1;
  }
  const p = posOf[id] as number;
  count[p] = (count[p] as number) + amount;
  return m;
}

/** The arrays of a window counted by compact ids (sized for the text's number of distinct features). */
class IdWindow {
  /** Per id: the stamp of the window that touched it last, and its position there. */
  seen = new Int32Array(0);
  posOf = new Int32Array(0);
  /** Per position: the id, its count (float32, like the featurizer's), and scratch for the logits. */
  order = new Int32Array(0);
  count = new Float32Array(0);
  values = new Float32Array(0);
  private stamp = 0;

  reserve(ids: number): void {
    if (this.seen.length >= ids) return;
    const cap = Math.max(ids, this.seen.length * 2, 1024);
    this.seen = new Int32Array(cap);
    this.posOf = new Int32Array(cap);
    this.order = new Int32Array(cap);
    this.count = new Float32Array(cap);
    this.values = new Float32Array(cap);
    this.stamp = 0;
  }

  /** A stamp no entry of `seen` holds (the array is cleared before the Int32 range runs out). */
  nextStamp(): number {
    if (this.stamp >= 0x7ffffff0) {
      this.seen.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

/** Slots of the bigram row cache (a power of two). */
const BIGRAM_CACHE = 4096;

/**
 * Scores a text with a model: calibrated scores per label (see `calibrated`), highest over windows.
 *
 * The features of a window are those of `Featurizer.fromWords`, and the logits those of `logits`, to the bit;
 * only the work is organised for speed:
 * - the words' feature indices and weight rows are remembered (`word-memo.ts`), so a word is hashed once, not
 *   once per occurrence, and read from the normalised text without substrings;
 * - within a window, a word's features are inserted into the accumulator (`accumulator.ts`) at its first
 *   occurrence; its repeats only add their bigram there and the rest of their counts in one pass at the end.
 *   The first-touch order and the (exact, float32) sums are those of counting every occurrence in turn;
 * - a text of several windows gives its features compact ids once (`longText`), so the windows, which read
 *   every word twice, count in plain arrays.
 */
export class LinearScorer {
  private readonly z: Float64Array;
  private readonly minWords: readonly number[];
  private readonly fewestWords: number;
  private readonly mask: number;
  private readonly labels: number;
  private readonly counts: WeightedCounts;
  /** The features of the words met (see `word-memo.ts`). */
  private readonly words: WordMemo;
  /**
   * The words of the text being scored (`entryCount` of them) and the distinct words of the window being counted.
   * Both arrays keep their capacity between calls; slots past the counts are stale.
   */
  private readonly entries: WordFeatures[] = [];
  private entryCount = 0;
  private readonly distinct: WordFeatures[] = [];
  /** The bigram row cache (see `bigramRow`): feature index per slot (-1: empty) and the rows. */
  private readonly bigramTags = new Int32Array(BIGRAM_CACHE).fill(-1);
  private readonly bigramRows: Float32Array;
  /** Id of the window being counted (never repeats, so a word's `window` tells whether it was seen in it). */
  private window = 0;
  /** A long text's features by compact id, with their weight rows (see `longText`), and the text's counter. */
  private readonly textFeatures: WeightedCounts;
  private text = 0;
  /** Compact id of the bigram ending at each word of a long text. */
  private bigramIds = new Int32Array(0);
  /** The counts of one window of a long text, by compact id. */
  private readonly idWindow = new IdWindow();

  constructor(readonly model: LinearModel) {
    this.z = new Float64Array(model.labels.length);
    this.minWords = model.labels.map((l) => MIN_WORDS_BY_LABEL[l] ?? MIN_WORDS);
    this.fewestWords = Math.min(...this.minWords);
    this.mask = (1 << model.bits) - 1;
    this.labels = model.labels.length;
    this.counts = new WeightedCounts(this.labels);
    this.bigramRows = new Float32Array(BIGRAM_CACHE * this.labels);
    this.words = new WordMemo(model, this.mask);
    this.textFeatures = new WeightedCounts(this.labels, 12);
  }

  /** Probabilities per label (uncalibrated), highest over windows. */
  probabilities(text: string, out = new Float64Array(this.model.labels.length)): Float64Array {
    return this.probabilitiesOfNormalized(normalizeText(text), out);
  }

  /** `probabilities` of a text given as its folded words (`features.ts` `words`). */
  probabilitiesOfWords(ws: readonly string[], out = new Float64Array(this.model.labels.length)): Float64Array {
    const entries = this.entries;
    this.words.beginText();
    for (let k = 0; k < ws.length; k++) entries[k] = this.words.of(ws[k] as string);
    this.entryCount = ws.length;
    return this.probabilitiesOfEntries(out);
  }

  /**
   * `probabilities` of a text given as its normalised form (`normalizeText`). The words are read straight from
   * the string: each one is hashed while it is scanned and looked up by that hash, so a word seen before costs
   * no substring, no string hashing and no regex.
   */
  probabilitiesOfNormalized(normalized: string, out = new Float64Array(this.model.labels.length)): Float64Array {
    const entries = this.entries;
    this.words.beginText();
    let n = 0;
    for (let start = nextWordStart(normalized, 0); start >= 0; ) {
      const end = wordEnd(normalized, start);
      entries[n++] = this.words.at(normalized, start, end);
      start = nextWordStart(normalized, end);
    }
    this.entryCount = n;
    return this.probabilitiesOfEntries(out);
  }

  /** Calibrated scores of a text given as its normalised form. */
  scoresOfNormalized(normalized: string): Float64Array {
    return this.calibrate(this.probabilitiesOfNormalized(normalized));
  }

  /** Probabilities of the words in `this.entries`. */
  private probabilitiesOfEntries(out: Float64Array): Float64Array {
    out.fill(0);
    const entries = this.entries;
    const n = this.entryCount;
    if (n < this.fewestWords) return out;
    if (n <= WINDOW_WORDS) {
      this.countWindow(entries, 0, n);
      this.maxInto(out);
    } else this.longText(out);
    for (let l = 0; l < out.length; l++) if (n < (this.minWords[l] as number)) out[l] = 0;
    return out;
  }

  /** Calibrated scores per label, on the engine's shared 0..1 scale. */
  scores(text: string): Float64Array {
    return this.scoresOfNormalized(normalizeText(text));
  }

  /** `scores` of a text given as its folded words. */
  scoresOfWords(ws: readonly string[]): Float64Array {
    return this.calibrate(this.probabilitiesOfWords(ws));
  }

  private calibrate(p: Float64Array): Float64Array {
    for (let l = 0; l < p.length; l++) p[l] = calibrated(p[l] as number, this.model.cuts[l] as ConfidenceCuts);
    return p;
  }

  /** Raise `out` to the window's probabilities (from the accumulator's counts). */
  private maxInto(out: Float64Array): void {
    this.counts.logitsInto(this.model.bias, this.z);
    for (let l = 0; l < out.length; l++) out[l] = Math.max(out[l] as number, sigmoid(this.z[l] as number));
  }

  /**
   * A text of several windows (every word is counted in two of them). Its features first get compact ids, in one
   * pass over its distinct words and its bigrams, copying each weight row once (`textFeatures`); each window then
   * counts ids in plain arrays, with no hashing and no copying. Same first touches, same sums, same logits.
   */
  private longText(out: Float64Array): void {
    const n = this.entryCount;
    const entries = this.entries;
    const L = this.labels;
    const mask = this.mask;
    const weights = this.model.weights;
    const ids = this.textFeatures;
    ids.reset();
    const text = ++this.text;
    for (let k = 0; k < n; k++) {
      const e = entries[k] as WordFeatures;
      if (e.text === text) continue;
      e.text = text;
      const { features, positions } = e.pool;
      const own = e.pool.rows !== null;
      const rows = e.pool.rows ?? weights;
      for (let j = e.at; j < e.at + e.count; j++) {
        const f = features[j] as number;
        positions[j] = ids.add(f, 0, rows, own ? j * L : f * L);
      }
    }
    if (this.bigramIds.length < n) this.bigramIds = new Int32Array(Math.max(n, this.bigramIds.length * 2));
    const bigramIds = this.bigramIds;
    for (let k = 1; k < n; k++) {
      const b = bigramHash((entries[k - 1] as WordFeatures).hash, (entries[k] as WordFeatures).hash) & mask;
      bigramIds[k] = ids.add(b, 0, this.bigramRows, this.bigramRow(b));
    }
    const nonAsciiFeature = SHAPE_NON_ASCII & mask;
    const longFeature = SHAPE_LONG & mask;
    const shapeIds = [
      ids.add(nonAsciiFeature, 0, weights, nonAsciiFeature * L),
      ids.add(longFeature, 0, weights, longFeature * L),
    ] as const;
    this.idWindow.reserve(ids.size);
    for (let start = 0; start < n - STRIDE; start += STRIDE) {
      const m = this.countIdWindow(start, Math.min(n, start + WINDOW_WORDS), shapeIds);
      const w = this.idWindow;
      windowLogits(w.count, w.order, m, ids.weights, L, this.model.bias, this.z, w.values);
      for (let l = 0; l < out.length; l++) out[l] = Math.max(out[l] as number, sigmoid(this.z[l] as number));
    }
  }

  /**
   * `countWindow` over compact ids (see `longText`): words [from, to) of a long text; returns the number of
   * distinct ids counted, in `idWindow.order` (first-touch order) with their counts in `idWindow.count`.
   */
  private countIdWindow(from: number, to: number, shapeIds: readonly [number, number]): number {
    const entries = this.entries;
    const bigramIds = this.bigramIds;
    const w = this.idWindow;
    const stamp = w.nextStamp();
    const { seen, posOf, order, count } = w;
    const window = ++this.window;
    const distinct = this.distinct;
    let nDistinct = 0;
    let m = 0;
    let letters = 0;
    let nonAscii = 0;
    for (let k = from; k < to; k++) {
      const e = entries[k] as WordFeatures;
      const first = e.window !== window;
      const ids = e.pool.positions;
      const at = e.at;
      if (first) {
        e.window = window;
        e.occurrences = 1;
        distinct[nDistinct++] = e;
        m = touch(ids[at] as number, 1, stamp, m, seen, posOf, order, count);
      } else e.occurrences++;
      if (k > from) m = touch(bigramIds[k] as number, 1, stamp, m, seen, posOf, order, count);
      if (first) {
        for (let j = at + 1; j < at + e.count; j++) m = touch(ids[j] as number, CHAR_WEIGHT, stamp, m, seen, posOf, order, count);
      }
      letters += e.letters;
      nonAscii += e.nonAscii;
    }
    // The counts of the repeats, where their features were first counted.
    for (let d = 0; d < nDistinct; d++) {
      const e = distinct[d] as WordFeatures;
      const extra = e.occurrences - 1;
      if (extra === 0) continue;
      const ids = e.pool.positions;
      const at = e.at;
      const p0 = posOf[ids[at] as number] as number;
      count[p0] = (count[p0] as number) + extra;
      for (let j = at + 1; j < at + e.count; j++) {
        const p = posOf[ids[j] as number] as number;
        count[p] = (count[p] as number) + extra * CHAR_WEIGHT;
      }
    }
    // Shape features, after the words.
    if (letters > 0 && nonAscii / letters > NON_ASCII_SHARE) m = touch(shapeIds[0], 1, stamp, m, seen, posOf, order, count);
    if (to - from > LONG_WORDS) m = touch(shapeIds[1], 1, stamp, m, seen, posOf, order, count);
    return m;
  }

  /**
   * Count the window of words [from, to) as `Featurizer.fromWords` does: per word its word feature, the bigram
   * with the previous word, its character n-grams; then the shape features.
   */
  private countWindow(entries: readonly WordFeatures[], from: number, to: number): void {
    const c = this.counts;
    const weights = this.model.weights;
    const L = this.labels;
    const window = ++this.window;
    const distinct = this.distinct;
    let nDistinct = 0;
    c.reset();
    let letters = 0;
    let nonAscii = 0;
    let prev = 0;
    for (let k = from; k < to; k++) {
      const e = entries[k] as WordFeatures;
      const first = e.window !== window;
      const { features, positions } = e.pool;
      const at = e.at;
      // Weight rows: the word's own copies in its pool, or the model's.
      const rows = e.pool.rows ?? weights;
      const own = e.pool.rows !== null;
      if (first) {
        e.window = window;
        e.occurrences = 1;
        distinct[nDistinct++] = e;
        const f0 = features[at] as number;
        positions[at] = c.add(f0, 1, rows, own ? at * L : f0 * L);
      } else e.occurrences++;
      if (k > from) {
        const b = bigramHash(prev, e.hash) & this.mask;
        c.add(b, 1, this.bigramRows, this.bigramRow(b));
      }
      if (first) {
        for (let j = at + 1; j < at + e.count; j++) {
          const f = features[j] as number;
          positions[j] = c.add(f, CHAR_WEIGHT, rows, own ? j * L : f * L);
        }
      }
      prev = e.hash;
      letters += e.letters;
      nonAscii += e.nonAscii;
    }
    // The counts of the repeats, at the positions their features took at the first occurrence.
    const count = c.count;
    for (let d = 0; d < nDistinct; d++) {
      const e = distinct[d] as WordFeatures;
      const extra = e.occurrences - 1;
      if (extra === 0) continue;
      const positions = e.pool.positions;
      const at = e.at;
      count[positions[at] as number] = (count[positions[at] as number] as number) + extra;
      for (let j = at + 1; j < at + e.count; j++) {
        const p = positions[j] as number;
        count[p] = (count[p] as number) + extra * CHAR_WEIGHT;
      }
    }
    // Shape features, after the words.
    if (letters > 0 && nonAscii / letters > NON_ASCII_SHARE) {
      const f = SHAPE_NON_ASCII & this.mask;
      c.add(f, 1, weights, f * L);
    }
    if (to - from > LONG_WORDS) {
      const f = SHAPE_LONG & this.mask;
      c.add(f, 1, weights, f * L);
    }
  }

  /**
   * Where the weight row of bigram feature `f` is in `bigramRows`: a direct-mapped cache of the model's rows.
   * Bigrams are the only features of a word that are not remembered with the word, and every window counts its
   * bigrams afresh; from the cache their rows come from a small table instead of the megabytes of the model's.
   */
  private bigramRow(f: number): number {
    const slot = f & (BIGRAM_CACHE - 1);
    const L = this.labels;
    if (this.bigramTags[slot] !== f) {
      this.bigramTags[slot] = f;
      const weights = this.model.weights;
      for (let l = 0; l < L; l++) this.bigramRows[slot * L + l] = weights[f * L + l] as number;
    }
    return slot * L;
  }
}

/**
 * The scorer's sparse accumulator: the feature counts of one window in first-touched order, each with a copy of
 * its weight row.
 *
 * Why not the featurizer's dense 2^bits count array and the model's 2^bits weight table: both are megabytes, and
 * every feature of a text is a random access into them. Next to the other policies of a guardrail they no longer
 * stay in the CPU caches, and the classifier spent most of its time waiting for memory. Here the counts live in a
 * small open-addressing table and the weight rows are copied in (from the scorer's per-word memo, which keeps
 * the rows of the words it has seen), so damping, normalising and the dot product read small contiguous arrays.
 *
 * The arithmetic is exactly the featurizer's and `logits`' (see `features.ts`, `model.ts`): counts accumulate in
 * float32, the damped values and the normalised values are rounded to float32 like the featurizer's output
 * vector, and every label's logit adds the same products in the same (first-touched) order. So the scores are
 * bit-for-bit those of `logits(model, featurizer.fromWords(words))`.
 */
import { damp } from './features.ts';

const MIN_CAPACITY_BITS = 10;
const MAX_GENERATION = 0x7ffffff0;

export class WeightedCounts {
  /** Weights per feature (the model's label count). */
  readonly labels: number;
  /** Number of distinct features counted since `reset`. */
  size = 0;
  /** Feature index of the k-th distinct feature (first-touched order). */
  feature: Int32Array;
  /** Accumulated count of the k-th feature, in float32 like the featurizer's. */
  count: Float32Array;
  /** Weight rows, `labels` per feature, in the same order. */
  weights: Float32Array;
  /** Scratch: the damped, normalised value of each feature (float32, like the featurizer's output). */
  private value: Float32Array;
  // Open-addressing table: slot → feature, owning generation, position in first-touched order.
  private bits: number;
  private slotFeature: Int32Array;
  private slotGeneration: Int32Array;
  private slotOrder: Int32Array;
  private generation = 1;

  constructor(labels: number, capacityBits = MIN_CAPACITY_BITS) {
    this.labels = labels;
    this.bits = Math.max(MIN_CAPACITY_BITS, capacityBits);
    const slots = 1 << this.bits;
    this.slotFeature = new Int32Array(slots);
    this.slotGeneration = new Int32Array(slots);
    this.slotOrder = new Int32Array(slots);
    const entries = slots >> 1;
    this.feature = new Int32Array(entries);
    this.count = new Float32Array(entries);
    this.weights = new Float32Array(entries * labels);
    this.value = new Float32Array(entries);
  }

  /** Forget every count (O(1): the slots of older generations read as empty). */
  reset(): void {
    this.size = 0;
    if (++this.generation >= MAX_GENERATION) {
      this.slotGeneration.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Add `amount` to feature `f`; on its first touch since `reset`, copy its weight row from `rows` at `rowAt`.
   * Returns the feature's position in first-touched order.
   */
  add(f: number, amount: number, rows: Float32Array, rowAt: number): number {
    const mask = (1 << this.bits) - 1;
    let slot = Math.imul(f, 0x9e3779b1) >>> (32 - this.bits);
    const gen = this.generation;
    for (;;) {
      if (this.slotGeneration[slot] !== gen) break;
      if (this.slotFeature[slot] === f) {
        const k = this.slotOrder[slot] as number;
        this.count[k] = (this.count[k] as number) + amount;
        return k;
      }
      slot = (slot + 1) & mask;
    }
    const k = this.size++;
    this.slotGeneration[slot] = gen;
    this.slotFeature[slot] = f;
    this.slotOrder[slot] = k;
    this.feature[k] = f;
    this.count[k] = amount;
    copyRow(rows, rowAt, this.weights, k * this.labels, this.labels);
    // Keep the table at most half full.
    if (this.size * 2 >= 1 << this.bits) this.grow();
    return k;
  }

  /**
   * The logits of the counted features: damp (log1p) each count, L2-normalise, and add each label's weighted
   * values to its bias, in first-touched order.
   */
  logitsInto(bias: Float64Array, out: Float64Array): Float64Array {
    if (this.value.length < this.size) this.value = new Float32Array(this.size);
    return windowLogits(this.count, null, this.size, this.weights, this.labels, bias, out, this.value);
  }

  /** Double the table and the per-feature arrays, re-inserting the current features. */
  private grow(): void {
    this.bits++;
    const slots = 1 << this.bits;
    const mask = slots - 1;
    this.slotFeature = new Int32Array(slots);
    this.slotGeneration = new Int32Array(slots);
    this.slotOrder = new Int32Array(slots);
    const gen = this.generation;
    for (let k = 0; k < this.size; k++) {
      const f = this.feature[k] as number;
      let slot = Math.imul(f, 0x9e3779b1) >>> (32 - this.bits);
      while (this.slotGeneration[slot] === gen) slot = (slot + 1) & mask;
      this.slotGeneration[slot] = gen;
      this.slotFeature[slot] = f;
      this.slotOrder[slot] = k;
    }
    const entries = slots >> 1;
    this.feature = grown(this.feature, entries);
    this.count = grown(this.count, entries);
    this.weights = grown(this.weights, entries * this.labels);
    this.value = new Float32Array(entries);
  }
}

/**
 * The logits of a window's features, exactly as `logits` computes them from the featurizer's vector: each count
 * damped (log1p) and rounded to float32, the vector L2-normalised and rounded to float32 again, then each label's
 * bias plus the weighted values, in the features' order. Feature k's weight row is `rows` at `row[k] × labels`
 * (or at `k × labels` without `row`). `scratch` holds at least `n` values.
 */
export function windowLogits(
  count: Float32Array,
  row: Int32Array | null,
  n: number,
  rows: Float32Array,
  labels: number,
  bias: Float64Array,
  out: Float64Array,
  scratch: Float32Array,
): Float64Array {
  const value = scratch;
  let sq = 0;
  for (let k = 0; k < n; k++) {
    const v = damp(count[k] as number);
    value[k] = v;
    sq += v * v;
  }
  const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  const L = labels;
  const w = rows;
  if (L === 6) {
    // The shipped model's shape, with the six sums in registers.
    let z0 = bias[0] as number;
    let z1 = bias[1] as number;
    let z2 = bias[2] as number;
    let z3 = bias[3] as number;
    let z4 = bias[4] as number;
    let z5 = bias[5] as number;
    for (let k = 0; k < n; k++) {
      const r = row === null ? k * 6 : (row[k] as number) * 6;
      const x = Math.fround((value[k] as number) * inv);
      z0 += (w[r] as number) * x;
      z1 += (w[r + 1] as number) * x;
      z2 += (w[r + 2] as number) * x;
      z3 += (w[r + 3] as number) * x;
      z4 += (w[r + 4] as number) * x;
      z5 += (w[r + 5] as number) * x;
    }
    out[0] = z0;
    out[1] = z1;
    out[2] = z2;
    out[3] = z3;
    out[4] = z4;
    out[5] = z5;
    return out;
  }
  for (let l = 0; l < L; l++) out[l] = bias[l] as number;
  for (let k = 0; k < n; k++) {
    const r = row === null ? k * L : (row[k] as number) * L;
    const x = Math.fround((value[k] as number) * inv);
    for (let l = 0; l < L; l++) out[l] = (out[l] as number) + (w[r + l] as number) * x;
  }
  return out;
}

function copyRow(from: Float32Array, at: number, to: Float32Array, into: number, n: number): void {
  if (n === 6) {
    // The shipped model's row, unrolled (a measurable share of the accumulator's time otherwise).
    to[into] = from[at] as number;
    to[into + 1] = from[at + 1] as number;
    to[into + 2] = from[at + 2] as number;
    to[into + 3] = from[at + 3] as number;
    to[into + 4] = from[at + 4] as number;
    to[into + 5] = from[at + 5] as number;
    return;
  }
  for (let l = 0; l < n; l++) to[into + l] = from[at + l] as number;
}

function grown<T extends Int32Array | Float32Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/**
 * Compact, exact-on-reload storage for a linear model: weights quantized to int8 with one scale per label
 * (the loss is far below what the cut points can see), serialised as base64 inside a generated TS module,
 * so the shipped weights are plain data that loads without file I/O.
 */
import type { ConfidenceCuts, LinearModel } from './model.ts';

export interface StoredModel {
  readonly labels: readonly string[];
  readonly bits: number;
  readonly scales: readonly number[];
  readonly bias: readonly number[];
  readonly cuts: readonly ConfidenceCuts[];
  /** base64 of the int8 weights, interleaved like `LinearModel.weights`. */
  readonly weights: string;
}

export function quantize(m: LinearModel): StoredModel {
  const L = m.labels.length;
  const scales = new Array<number>(L).fill(0);
  for (let i = 0; i < m.weights.length; i++) {
    const l = i % L;
    scales[l] = Math.max(scales[l] as number, Math.abs(m.weights[i] as number));
  }
  for (let l = 0; l < L; l++) scales[l] = Number(((scales[l] as number) / 127 || 1e-9).toPrecision(8));
  const q = new Int8Array(m.weights.length);
  for (let i = 0; i < m.weights.length; i++) {
    q[i] = Math.max(-127, Math.min(127, Math.round((m.weights[i] as number) / (scales[i % L] as number))));
  }
  return {
    labels: [...m.labels],
    bits: m.bits,
    scales,
    bias: [...m.bias].map((b) => Number(b.toPrecision(8))),
    cuts: m.cuts.map((c) => ({ low: round(c.low), medium: round(c.medium), high: round(c.high) })),
    weights: Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64'),
  };
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

export function dequantize(s: StoredModel): LinearModel {
  const bytes = Buffer.from(s.weights, 'base64');
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const L = s.labels.length;
  if (q.length !== (1 << s.bits) * L) throw new Error(`stored model: ${q.length} weights, expected ${(1 << s.bits) * L}`);
  const weights = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) weights[i] = (q[i] as number) * (s.scales[i % L] as number);
  return { labels: s.labels, bits: s.bits, weights, bias: Float64Array.from(s.bias), cuts: s.cuts };
}

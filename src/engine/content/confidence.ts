/**
 * The one mapping from a detector score (0..1) to a Bedrock confidence bucket, shared by the content
 * categories and the prompt-attack detector.
 *
 * | score          | confidence |
 * |----------------|------------|
 * | < 0.25         | NONE       |
 * | 0.25 – < 0.5   | LOW        |
 * | 0.5 – < 0.75   | MEDIUM     |
 * | ≥ 0.75         | HIGH       |
 *
 * A filter of strength HIGH blocks LOW and above, MEDIUM blocks MEDIUM and above, LOW blocks HIGH only.
 * The mapping is monotonic: a higher score never gives a lower confidence. NaN is treated as 0.
 */
import type { Confidence } from '../config/types.ts';

export const CONFIDENCE_THRESHOLDS = { LOW: 0.25, MEDIUM: 0.5, HIGH: 0.75 } as const;

export function toConfidence(score: number): Confidence {
  if (!(score >= CONFIDENCE_THRESHOLDS.LOW)) return 'NONE';
  if (score < CONFIDENCE_THRESHOLDS.MEDIUM) return 'LOW';
  if (score < CONFIDENCE_THRESHOLDS.HIGH) return 'MEDIUM';
  return 'HIGH';
}

/** Logistic function, clamped so the result is always a finite number in [0, 1]. */
export function sigmoid(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x > 40) return 1;
  if (x < -40) return 0;
  return 1 / (1 + Math.exp(-x));
}

/**
 * The detector model (Presidio style): each entity type has one detector made of candidate
 * patterns, a validator and context words. A detector reports scored candidates; the scanner
 * keeps those at or above the detector's acceptance threshold and resolves overlaps.
 */
import type { PiiEntityType } from '../config/types.ts';

/** One detected span. Offsets are UTF-16 code units into the scanned string; `end` is exclusive. */
export interface PiiFinding {
  type: PiiEntityType;
  start: number;
  end: number;
  /** Confidence in 0..1. */
  score: number;
}

/** Where one of a detector's keyword phrases occurs in the text. */
export interface KeywordHit {
  readonly start: number;
  readonly end: number;
  /** The phrase as declared by the detector (lower case, words separated by single spaces). */
  readonly phrase: string;
}

/** What a detector sees: the text, plus the shared keyword pass (one pass for all detectors). */
export interface ScanInput {
  readonly text: string;
  /** Occurrences of `detector.keywords`, sorted by start (longest phrase per start). */
  hits(detector: Detector): readonly KeywordHit[];
  /**
   * Work shared between detectors within one scan (e.g. one pass that finds long alphanumeric
   * runs for both VIN and AWS secret keys): computed on first use, keyed by `key` identity.
   */
  memo<T>(key: object, compute: (text: string) => T): T;
}

export interface Detector {
  readonly type: PiiEntityType;
  /** Candidates scoring below this are dropped. */
  readonly threshold: number;
  /** Keyword phrases this detector anchors on; located once per scan for all detectors. */
  readonly keywords?: readonly string[];
  /**
   * Appends candidates of `type` (accepted or not) to `out`. Must run in time linear in the text
   * length and must not keep state between calls.
   */
  detect(input: ScanInput, out: PiiFinding[]): void;
}

/** Clamps a score to 0..1 (rounded to 3 decimals so results are stable across platforms). */
export function clampScore(score: number): number {
  if (score <= 0) return 0;
  if (score >= 1) return 1;
  return Math.round(score * 1000) / 1000;
}

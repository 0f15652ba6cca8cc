/** Small helpers shared by detectors. */
import type { PiiEntityType } from '../config/types.ts';
import { clampScore, type Detector, type KeywordHit, type PiiFinding, type ScanInput } from './detector.ts';
import { compileContext, contextSignal, GAP_SOURCE, type CompiledContext, type ContextWords } from './context.ts';

/** Iterates the matches of a global regex (resets lastIndex, guards empty matches). */
export function forEachMatch(re: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    fn(m);
  }
}

export interface Scored {
  readonly start: number;
  readonly end: number;
  readonly score: number;
}

/**
 * A detector driven by one candidate regex: `evaluate` validates a match and returns a scored
 * span (or null to reject it).
 */
export function regexDetector(
  type: PiiEntityType,
  threshold: number,
  re: RegExp,
  evaluate: (m: RegExpExecArray, text: string) => Scored | null,
): Detector {
  if (!re.global) throw new Error(`detector ${type}: candidate regex must be global`);
  return {
    type,
    threshold,
    detect(input: ScanInput, out: PiiFinding[]): void {
      const text = input.text;
      forEachMatch(re, text, (m) => {
        const s = evaluate(m, text);
        if (s !== null) out.push({ type, start: s.start, end: s.end, score: clampScore(s.score) });
      });
    },
  };
}

/** Scores a span from a base score and its context: positive adds `boost`, negative subtracts `penalty`. */
export interface ContextScorer {
  signal(text: string, start: number, end: number): -1 | 0 | 1;
  score(base: number, text: string, start: number, end: number): number;
}

export function contextScorer(words: ContextWords, boost: number, penalty = 0.3): ContextScorer {
  const ctx: CompiledContext = compileContext(words);
  return {
    signal: (text, start, end) => contextSignal(ctx, text, start, end),
    score(base, text, start, end) {
      const s = contextSignal(ctx, text, start, end);
      return s > 0 ? base + boost : s < 0 ? base - penalty : base;
    },
  };
}

export function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True when a space-separated digit group sits right before or after the span ("21 212 133 2727"). */
export function insideNumberRun(text: string, start: number, end: number): boolean {
  const before = start >= 2 && text[start - 1] === ' ' && isDigitCode(text.charCodeAt(start - 2));
  const after = end + 1 < text.length && text[end] === ' ' && isDigitCode(text.charCodeAt(end + 1));
  return before || after;
}

/** A keyword hit followed by a value: offsets of the value and the hit that announced it. */
export interface KeyedMatch {
  readonly hit: KeywordHit;
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

export interface KeyedRule {
  /** Keyword phrases that announce the value (case-insensitive, whole words). */
  readonly keywords: readonly string[];
  /** Regex source of the value. */
  readonly value: string;
  /** Regex source of the filler between keyword and value (default GAP_SOURCE). */
  readonly gap?: string;
}

/** Compiles the sticky "gap + value" pattern of a keyed rule (case-insensitive). */
export function compileFollow(rule: { value: string; gap?: string }): RegExp {
  return new RegExp(`(?:${rule.gap ?? GAP_SOURCE})(${rule.value})`, 'iy');
}

/** Runs a sticky follow pattern at `pos`; returns the value span or null. */
export function followAt(follow: RegExp, text: string, pos: number): { start: number; end: number; value: string } | null {
  follow.lastIndex = pos;
  const m = follow.exec(text);
  if (m === null) return null;
  const value = m[1];
  if (value === undefined || value.length === 0) return null;
  const end = m.index + m[0].length;
  return { start: end - value.length, end, value };
}

/** A detector that finds values announced by a keyword ("CVV: 123"). */
export function keyedDetector(
  type: PiiEntityType,
  threshold: number,
  rule: KeyedRule,
  evaluate: (m: KeyedMatch, text: string) => Scored | null,
): Detector {
  const follow = compileFollow(rule);
  const detector: Detector = {
    type,
    threshold,
    keywords: rule.keywords,
    detect(input: ScanInput, out: PiiFinding[]): void {
      const text = input.text;
      for (const hit of input.hits(detector)) {
        const v = followAt(follow, text, hit.end);
        if (v === null) continue;
        const s = evaluate({ hit, ...v }, text);
        if (s !== null) out.push({ type, start: s.start, end: s.end, score: clampScore(s.score) });
      }
    },
  };
  return detector;
}

/** Base64-alphabet characters (letters, digits, '+', '/'), as a table over ASCII. */
const RUN_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) RUN_CHAR[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 ? 1 : 0;

function isRunChar(c: number): boolean {
  return c < 128 && RUN_CHAR[c] === 1;
}

const NO_RUNS = new Int32Array(0);

/**
 * Maximal runs of [A-Za-z0-9+/] at least 17 characters long, as [start, end) pairs (flattened).
 * Shared by the VIN and AWS secret key detectors through `ScanInput.memo`.
 */
export function longAlnumRuns(text: string): Int32Array {
  let found: number[] | null = null;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isRunChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < n && isRunChar(text.charCodeAt(i))) i++;
    if (i - start >= 17) (found ??= []).push(start, i);
  }
  return found === null ? NO_RUNS : Int32Array.from(found);
}

/** Memo key for `longAlnumRuns`. */
export const LONG_RUNS: object = Object.freeze({ name: 'long alphanumeric runs' });

/**
 * PII (sensitive information) detection for the 31 Bedrock Guardrails entity types.
 *
 *   const scanner = createPiiScanner(['EMAIL', 'PHONE']);   // compile once
 *   scanner.scan(text);                                      // evaluate many
 *
 * `scan` returns accepted findings only, sorted by start and never overlapping. Detection is
 * separate from action: the caller decides what to do (BLOCK / ANONYMIZE / NONE) with the spans.
 */
import { PII_ENTITY_TYPES, type PiiEntityType } from '../config/types.ts';
import type { Detector, KeywordHit, PiiFinding, ScanInput } from './detector.ts';
import { KeywordMatcher } from './keywords.ts';
import { DETECTORS, typeRank } from './registry.ts';
import { findObfuscatedPii } from './evasion.ts';
import { resolveOverlaps } from './resolve.ts';
import { sharedPart } from '../shared.ts';

export type { PiiFinding } from './detector.ts';

export interface PiiScanner {
  /**
   * Accepted findings, sorted by start, non-overlapping — except that every type found inside one base64
   * payload is reported on the payload's whole span. Obfuscated values are found too (`evasion.ts`) unless
   * the scanner was created with `deobfuscate: false`.
   */
  scan(text: string): PiiFinding[];
}

const KNOWN: ReadonlySet<string> = new Set(PII_ENTITY_TYPES);

const rankOf = (f: PiiFinding): number => typeRank(f.type);

/**
 * Builds a scanner that runs only the requested entity types. Throws on an unknown type so a
 * misconfigured guardrail fails when it is compiled, not silently at evaluation time.
 */
export function createPiiScanner(types: Iterable<PiiEntityType>, options: { deobfuscate?: boolean } = {}): PiiScanner {
  const deobfuscate = options.deobfuscate !== false;
  const detectors: Detector[] = [];
  const seen = new Set<PiiEntityType>();
  for (const t of types) {
    if (!KNOWN.has(t)) throw new Error(`Unknown PII entity type: ${String(t)}`);
    if (seen.has(t)) continue;
    seen.add(t);
    detectors.push(DETECTORS[t]);
  }
  // Run in priority order so results are deterministic.
  detectors.sort((a, b) => typeRank(a.type) - typeRank(b.type));
  const frozen: readonly Detector[] = Object.freeze(detectors);
  // One keyword pass serves every keyword-anchored detector.
  const groupOf = new Map<Detector, number>();
  const groups: (readonly string[])[] = [];
  for (const d of frozen) {
    if (d.keywords !== undefined && d.keywords.length > 0) {
      groupOf.set(d, groups.length);
      groups.push(d.keywords);
    }
  }
  const matcher = groups.length > 0 ? new KeywordMatcher(groups) : null;
  const none: readonly KeywordHit[] = Object.freeze([]);
  const scanPlain = (text: string): PiiFinding[] => {
    if (frozen.length === 0 || text.length === 0) return [];
    const hits = matcher !== null ? matcher.scan(text) : [];
    const memo = new Map<object, unknown>();
    const input: ScanInput = {
      text,
      hits(d: Detector): readonly KeywordHit[] {
        const g = groupOf.get(d);
        return g === undefined ? none : (hits[g] ?? none);
      },
      memo<T>(key: object, compute: (t: string) => T): T {
        if (memo.has(key)) return memo.get(key) as T;
        const value = compute(text);
        memo.set(key, value);
        return value;
      },
    };
    const accepted: PiiFinding[] = [];
    const candidates: PiiFinding[] = [];
    for (const d of frozen) {
      candidates.length = 0;
      d.detect(input, candidates);
      for (const c of candidates) {
        if (c.score >= d.threshold && c.start >= 0 && c.end <= text.length && c.end > c.start) accepted.push(c);
      }
    }
    return resolveOverlaps(accepted, rankOf);
  };
  return Object.freeze({
    scan(text: string): PiiFinding[] {
      const plain = scanPlain(text);
      if (!deobfuscate || frozen.length === 0 || text.length === 0) return plain;
      const extra = findObfuscatedPii(text, plain, scanPlain);
      if (extra.length === 0) return plain;
      return [...plain, ...extra].sort((a, b) => a.start - b.start || b.end - a.end);
    },
  });
}

/** The scanner for `types` (order and repeats do not matter), shared with every other user of the same set. */
export function sharedPiiScanner(types: Iterable<PiiEntityType>): PiiScanner {
  const set = [...new Set(types)].sort();
  return sharedPart('pii-scanner', set.join(','), () => createPiiScanner(set));
}

/** All entity types, for callers that want everything. */
export const ALL_PII_ENTITY_TYPES: readonly PiiEntityType[] = PII_ENTITY_TYPES;

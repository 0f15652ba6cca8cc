/**
 * Word filters (Bedrock `wordPolicyConfig`): custom words/phrases and the managed PROFANITY list.
 *
 * `compileWords` builds a matcher once; `scan(text)` folds the text once (`normalize.ts`: NFKC, case
 * folding, diacritics and zero-width characters removed, whitespace runs collapsed), runs the custom
 * word matcher (`custom.ts`) and the profanity matcher (`profanity.ts`) on the folded text, and maps
 * every match back to UTF-16 offsets of the original text.
 *
 * Custom words: case-insensitive, diacritics-insensitive, width-insensitive; whitespace inside a phrase
 * matches any run of whitespace; zero-width characters are ignored; a word never matches inside a longer
 * word (`ass` does not match `class`, `Globex` does not match `Globexx`), while punctuation, `_` and
 * text edges are boundaries (`Globex,`, `(Globex)`, `Globex_api`). Leftmost-longest, non-overlapping.
 * A configured word whose folded form is empty (only spaces / invisible characters) never matches;
 * configured words that fold to the same text are reported with the first one's index and text.
 *
 * PROFANITY: obscenity's English dataset with its leetspeak/confusable handling and whitelist
 * (`f4ck1ng`, `a$$hole`, `b!tch` are caught; `Scunthorpe`, `assassin`, `shitake` are not); each match
 * covers the whole word it occurs in and carries the canonical term.
 *
 * Obfuscated words are caught too (`evasion.ts`): Cyrillic/Greek look-alike letters, leetspeak (`blu3b1rd`),
 * letters written apart (`b l u e b i r d`, `f.u.c.k`) and base64 payloads that decode to text holding a word
 * (reported on the whole payload). Zero-width characters and full-width forms are handled by folding.
 *
 * Findings of the two lists may overlap each other; within a list they do not, except that the words found in
 * one base64 payload are each reported on the payload's whole span.
 */

import { base64Payloads, mayHoldBase64 } from '../evasion/base64.ts';
import { disjointAdditions, outside } from '../evasion/spans.ts';
import { CustomWordMatcher } from './custom.ts';
import { type ViewHit, WordEvasionViews } from './evasion.ts';
import { foldPhrase, normalizeWithMap } from './normalize.ts';
import { scanProfanityFolded } from './profanity.ts';

export interface WordFinding {
  list: 'CUSTOM' | 'PROFANITY';
  /** CUSTOM: index into the `custom` array given to `compileWords`; PROFANITY: -1. */
  index: number;
  /** CUSTOM: the configured text; PROFANITY: the canonical term. */
  word: string;
  /** The original text that matched (`text.slice(start, end)`). */
  match: string;
  /** UTF-16 offsets into the original text, `end` exclusive. */
  start: number;
  end: number;
}

export interface WordMatcher {
  /** Findings sorted by start (then longest first, CUSTOM before PROFANITY). */
  scan(text: string): WordFinding[];
}

export interface WordOptions {
  custom: readonly string[];
  profanity: boolean;
  /** Also look through obfuscation (`evasion.ts`, base64 payloads). Default true; off gives the plain matcher. */
  deobfuscate?: boolean;
}

export function compileWords(opts: WordOptions): WordMatcher {
  const custom = [...opts.custom];
  const foldedWords = custom.map(foldPhrase);
  const matcher = new CustomWordMatcher(foldedWords);
  const profanity = opts.profanity;
  const hasCustom = matcher.size > 0;
  const views = opts.deobfuscate === false ? undefined : new WordEvasionViews(foldedWords, profanity, matcher);

  const scanText = (text: string, depth: number): WordFinding[] => {
    if ((!hasCustom && !profanity) || text.length === 0) return [];
    const norm = normalizeWithMap(text);
    const customHits: Hit[] = hasCustom ? matcher.scanFolded(norm.folded).map((m) => ({ index: m.index, term: '', start: m.start, end: m.end })) : [];
    const profanityHits: Hit[] = profanity ? scanProfanityFolded(norm.folded).map((m) => ({ index: -1, term: m.term, start: m.start, end: m.end })) : [];
    const extra = views?.hits(norm.folded) ?? [];
    const toFinding = (list: 'CUSTOM' | 'PROFANITY') => (h: Hit): WordFinding => {
      const start = norm.toOriginal(h.start);
      const end = norm.toOriginalEnd(h.end);
      const word = list === 'CUSTOM' ? (custom[h.index] ?? '') : h.term;
      return { list, index: h.index, word, match: text.slice(start, end), start, end };
    };
    let customFindings = withExtra(customHits, extra, 'CUSTOM').map(toFinding('CUSTOM'));
    let profanityFindings = withExtra(profanityHits, extra, 'PROFANITY').map(toFinding('PROFANITY'));
    if (views !== undefined && depth === 0 && mayHoldBase64(text)) {
      const encoded = encodedFindings(text, (decoded) => scanText(decoded, depth + 1));
      if (encoded.length > 0) {
        customFindings = mergeDisjoint(customFindings, encoded.filter((f) => f.list === 'CUSTOM'));
        profanityFindings = mergeDisjoint(profanityFindings, encoded.filter((f) => f.list === 'PROFANITY'));
      }
    }
    if (customFindings.length === 0) return profanityFindings;
    if (profanityFindings.length === 0) return customFindings;
    return merge(customFindings, profanityFindings);
  };

  return { scan: (text) => scanText(text, 0) };
}

interface Hit {
  index: number;
  term: string;
  start: number;
  end: number;
}

/**
 * The plain matcher's hits (sorted, disjoint) plus the obfuscation views' hits of `list` that overlap none of
 * them nor each other (leftmost-longest first), sorted by start.
 */
function withExtra(plain: Hit[], extra: readonly ViewHit[], list: ViewHit['list']): Hit[] {
  const more = extra.filter((h) => h.list === list);
  if (more.length === 0) return plain;
  const kept = disjointAdditions(plain, more);
  if (kept.length === 0) return plain;
  return [...plain, ...kept].sort((a, b) => a.start - b.start);
}

/** `a` plus the findings of `b` (sorted by start) that overlap none of `a`'s, sorted by start. */
function mergeDisjoint(a: WordFinding[], b: WordFinding[]): WordFinding[] {
  const kept = outside(a, b);
  if (kept.length === 0) return a;
  return [...a, ...kept].sort((x, y) => x.start - y.start || y.end - x.end);
}

/**
 * Findings inside base64 payloads (`evasion/base64.ts`): what the decoded text holds, reported on the whole
 * payload, once per word.
 */
function encodedFindings(text: string, scanDecoded: (decoded: string) => WordFinding[]): WordFinding[] {
  const out: WordFinding[] = [];
  for (const p of base64Payloads(text)) {
    const seen = new Set<string>();
    for (const f of scanDecoded(p.decoded)) {
      const key = `${f.list}\u0000${f.word}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...f, match: text.slice(p.start, p.end), start: p.start, end: p.end });
    }
  }
  return out;
}

/** Merge two lists sorted by start: by start, then longest first, then CUSTOM before PROFANITY. */
function merge(a: WordFinding[], b: WordFinding[]): WordFinding[] {
  const out: WordFinding[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && (x.start < y.start || (x.start === y.start && x.end >= y.end)))) {
      if (x !== undefined) out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

export { normalizeWithMap } from './normalize.ts';
export type { NormalizedText } from './normalize.ts';
export { PROFANITY_TERMS } from './profanity.ts';

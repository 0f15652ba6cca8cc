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
 * Findings of the two lists may overlap each other; within a list they do not.
 */

import { CustomWordMatcher } from './custom.ts';
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

export function compileWords(opts: { custom: readonly string[]; profanity: boolean }): WordMatcher {
  const custom = [...opts.custom];
  const matcher = new CustomWordMatcher(custom.map(foldPhrase));
  const profanity = opts.profanity;
  const hasCustom = matcher.size > 0;

  const scan = (text: string): WordFinding[] => {
    if ((!hasCustom && !profanity) || text.length === 0) return [];
    const norm = normalizeWithMap(text);
    const customFindings: WordFinding[] = [];
    if (hasCustom) {
      for (const m of matcher.scanFolded(norm.folded)) {
        const start = norm.toOriginal(m.start);
        const end = norm.toOriginalEnd(m.end);
        customFindings.push({
          list: 'CUSTOM',
          index: m.index,
          word: custom[m.index] ?? '',
          match: text.slice(start, end),
          start,
          end,
        });
      }
    }
    if (!profanity) return customFindings;
    const profanityFindings: WordFinding[] = [];
    for (const m of scanProfanityFolded(norm.folded)) {
      const start = norm.toOriginal(m.start);
      const end = norm.toOriginalEnd(m.end);
      profanityFindings.push({ list: 'PROFANITY', index: -1, word: m.term, match: text.slice(start, end), start, end });
    }
    if (customFindings.length === 0) return profanityFindings;
    return merge(customFindings, profanityFindings);
  };

  return { scan };
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

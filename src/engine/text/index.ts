/**
 * Shared text helpers for the engine (pure, no I/O, linear time):
 *
 * - `tokenize(text)` → parallel typed arrays of token offsets (UTF-16, end exclusive) and `T_*` flags
 *   (number, capitalised, all-caps, hyphenated, sentence start…); `sentenceRanges(tokens)`;
 *   `lowerToken(text, tokens, i)` → lowercase token text with ’ folded to '.
 * - `stem(lowercaseWord)` → a light English stem (stocks→stock, investing→invest, voting→vot);
 *   `inflections(base)` → regular inflected forms (stop → stops, stopped, stopping).
 * - `STOPWORDS`, `COMMON_WORDS`, `wordWeight(lower, stem)` → a built-in IDF stand-in (0 / 0.3 / 1),
 *   `isStopword`, `isCommonWord`, `isNegation`.
 *
 * Used by `topics/` and `grounding/`; other policies may import it too. Keep it small.
 */
export {
  tokenize,
  sentenceRanges,
  lowerToken,
  T_NUMBER,
  T_DIGIT,
  T_CAP,
  T_ALLCAPS,
  T_HYPHEN,
  T_SENT_START,
  T_APOS,
} from './tokenize.ts';
export type { Tokens } from './tokenize.ts';
export { stem, inflections } from './stem.ts';
export {
  STOPWORDS,
  COMMON_WORDS,
  NEGATIONS,
  WEIGHT_STOP,
  WEIGHT_COMMON,
  WEIGHT_RARE,
  isStopword,
  isCommonWord,
  isNegation,
  wordWeight,
} from './english.ts';

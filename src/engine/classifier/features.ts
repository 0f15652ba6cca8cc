/**
 * Hashed n-gram features for the shipped linear classifiers (content categories and prompt attack).
 *
 * A text becomes a sparse vector in 2^bits dimensions (the hashing trick, so no vocabulary ships):
 * - word unigrams and bigrams of the folded text (`normalizeText`: NFKC, invisible characters removed,
 *   lower case), words being runs of letters, digits and joiners;
 * - character 3- to 5-grams of each word with boundary marks (`<kill>` → `<ki`, `kil`, … `ll>`), which carry
 *   morphology, misspellings and the scripts that do not separate words with spaces (Chinese, Thai…);
 * - a few shape features (share of non-ASCII letters, very long text) so the bias can depend on them.
 * Counts are damped (log1p), character n-grams weigh half as much as words, and the vector is L2-normalised,
 * so a score does not grow with the text's length.
 *
 * Pure and linear in the text length; the scratch buffers are reused between calls (no allocation per call
 * beyond the returned views, which are only valid until the next call).
 */
import { normalizeText } from '../content/normalize.ts';

export const DEFAULT_BITS = 18;
/** Weight of a character n-gram (a word or bigram weighs 1). */
export const CHAR_WEIGHT = 0.5;
/** Characters of a longer "word" (an unspaced script run) are read in slices of this many. */
const MAX_CHAR_WORD = 24;
/** Distinct words whose hashes are remembered (about 4 MB at most); the memo is emptied when full. */
const MEMO_WORDS = 20_000;

/** FNV-1a over a string's UTF-16 code units, from a seed. */
function fnv(seed: number, s: string, from: number, to: number): number {
  let h = seed;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const SEED_WORD = 0x811c9dc5;
const SEED_BIGRAM = 0x9e3779b1;
const SEED_CHAR = 0x85ebca6b;
const SEED_SHAPE = 0xc2b2ae35;
const CHAR_OPEN = 60; // '<'
const CHAR_CLOSE = 62; // '>'

/** Shape feature: more than this share of the letters is non-ASCII. */
export const NON_ASCII_SHARE = 0.3;
/** Shape feature: the text (or window) has more than this many words. */
export const LONG_WORDS = 200;
export const SHAPE_NON_ASCII = fnv(SEED_SHAPE, 'non-ascii', 0, 9);
export const SHAPE_LONG = fnv(SEED_SHAPE, 'long', 0, 4);

/** Hash of a word feature (as a signed 32-bit value; the feature index is its low bits). */
export function wordHash(w: string): number {
  return fnv(SEED_WORD, w, 0, w.length) | 0;
}

/** Hash of the bigram feature of two consecutive words, from their `wordHash`es. */
export function bigramHash(prevWordHash: number, wordHash: number): number {
  return Math.imul((prevWordHash >>> 0) ^ SEED_BIGRAM, 0x27d4eb2d) ^ (wordHash >>> 0);
}

/**
 * Appends the hashes of the character 3- to 5-grams of `<w>` to `out`, reading long runs in 24-character
 * slices (only the first slice has the `<` mark, only the last the `>`). The marks are virtual characters
 * and every n-gram hash is extended from the previous one, so no substring is ever built.
 */
export function appendCharNgramHashes(w: string, out: number[]): void {
  const len = w.length;
  for (let start = 0; start < len; start += MAX_CHAR_WORD) {
    const end = Math.min(len, start + MAX_CHAR_WORD);
    const open = start === 0 ? 1 : 0;
    const markedLen = open + (end - start) + (end === len ? 1 : 0);
    for (let i = 0; i + 3 <= markedLen; i++) {
      let h = SEED_CHAR;
      const stop = Math.min(i + 5, markedLen);
      for (let j = i; j < stop; j++) {
        const k = start + j - open;
        h ^= k < start ? CHAR_OPEN : k >= end ? CHAR_CLOSE : w.charCodeAt(k);
        h = Math.imul(h, 0x01000193);
        if (j - i >= 2) out.push(h | 0);
      }
    }
  }
}

/** Number of UTF-16 code units of `w` above U+007F (for the non-ASCII shape feature). */
export function nonAsciiUnits(w: string): number {
  let n = 0;
  for (let i = 0; i < w.length; i++) if (w.charCodeAt(i) > 0x7f) n++;
  return n;
}

/** Largest count (in half units) whose damped value `damp` reads from a table. */
const DAMP_TABLE_HALVES = 1024;
const DAMP_TABLE = Float64Array.from({ length: DAMP_TABLE_HALVES + 1 }, (_, k) => Math.log1p(k / 2));

/**
 * log1p of an accumulated count. Counts are sums of 1 (words, bigrams) and 0.5 (character n-grams), so the
 * usual ones come from a table of the very same `Math.log1p` values.
 */
export function damp(count: number): number {
  const k = count * 2;
  return k <= DAMP_TABLE_HALVES && k === (k | 0) ? (DAMP_TABLE[k] as number) : Math.log1p(count);
}

export interface SparseVector {
  readonly idx: Int32Array;
  readonly val: Float32Array;
  readonly n: number;
}

/** A featurizer with its own scratch space (one per thread of use). */
export class Featurizer {
  readonly bits: number;
  private readonly mask: number;
  private readonly acc: Float32Array;
  private touched: Int32Array;
  private nTouched = 0;
  private outVal: Float32Array;
  private readonly memo = new Map<string, Int32Array>();

  constructor(bits = DEFAULT_BITS) {
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    this.acc = new Float32Array(1 << bits);
    this.touched = new Int32Array(1024);
    this.outVal = new Float32Array(1024);
  }

  private add(h: number, w: number): void {
    const i = h & this.mask;
    if (this.acc[i] === 0) {
      if (this.nTouched === this.touched.length) {
        const t = new Int32Array(this.touched.length * 2);
        t.set(this.touched);
        this.touched = t;
      }
      this.touched[this.nTouched++] = i;
    }
    this.acc[i] = (this.acc[i] as number) + w;
  }

  /** Word hash followed by the word's character n-gram hashes, memoised per distinct word (bounded). */
  private wordHashes(w: string): Int32Array {
    const hit = this.memo.get(w);
    if (hit) return hit;
    const list: number[] = [wordHash(w)];
    appendCharNgramHashes(w, list);
    const out = Int32Array.from(list);
    if (this.memo.size >= MEMO_WORDS) this.memo.clear();
    this.memo.set(w, out);
    return out;
  }

  /** Features of already-folded words (see `words`). */
  fromWords(words: readonly string[]): SparseVector {
    this.nTouched = 0;
    let prev = 0;
    let nonAscii = 0;
    let letters = 0;
    for (let k = 0; k < words.length; k++) {
      const w = words[k] as string;
      const hs = this.wordHashes(w);
      const hw = hs[0] as number;
      this.add(hw, 1);
      if (k > 0) this.add(bigramHash(prev, hw), 1);
      prev = hw;
      for (let i = 1; i < hs.length; i++) this.add(hs[i] as number, CHAR_WEIGHT);
      letters += w.length;
      nonAscii += nonAsciiUnits(w);
    }
    if (letters > 0 && nonAscii / letters > NON_ASCII_SHARE) this.add(SHAPE_NON_ASCII, 1);
    if (words.length > LONG_WORDS) this.add(SHAPE_LONG, 1);
    return this.finish();
  }

  /** Features of a raw text. */
  featurize(text: string): SparseVector {
    return this.fromWords(words(text));
  }

  private finish(): SparseVector {
    const n = this.nTouched;
    if (this.outVal.length < n) this.outVal = new Float32Array(this.touched.length);
    let sq = 0;
    for (let k = 0; k < n; k++) {
      const i = this.touched[k] as number;
      const v = damp(this.acc[i] as number);
      this.outVal[k] = v;
      sq += v * v;
      this.acc[i] = 0;
    }
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let k = 0; k < n; k++) this.outVal[k] = (this.outVal[k] as number) * inv;
    return { idx: this.touched, val: this.outVal, n };
  }
}

const WORD = /[\p{L}\p{N}\p{M}]+(?:['’_-][\p{L}\p{N}\p{M}]+)*/gu;

/** The folded words of a text. */
export function words(text: string): string[] {
  return normalizeText(text).match(WORD) ?? [];
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
/** Per BMP code unit: 0 not yet known, 1 a letter, number or mark (`WORD`'s characters), 2 not. */
const WORD_UNIT = new Uint8Array(0x10000);
/** The same for astral code points, bounded. */
const WORD_ASTRAL = new Map<number, boolean>();

function isWordCodePoint(cp: number): boolean {
  if (cp < 0x10000) {
    let k = WORD_UNIT[cp] as number;
    if (k === 0) {
      // Lone surrogates are code points of their own under the `u` flag, and no letters.
      k = cp >= 0xd800 && cp <= 0xdfff ? 2 : WORD_CHAR.test(String.fromCharCode(cp)) ? 1 : 2;
      WORD_UNIT[cp] = k;
    }
    return k === 1;
  }
  let yes = WORD_ASTRAL.get(cp);
  if (yes === undefined) {
    yes = WORD_CHAR.test(String.fromCodePoint(cp));
    if (WORD_ASTRAL.size < 4096) WORD_ASTRAL.set(cp, yes);
  }
  return yes;
}

/** UTF-16 length of the `WORD` character at `i` (1 or 2), or 0 when the code point there is none. */
function wordCharAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) ? 1 : 0;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return isWordCodePoint(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000) ? 2 : 0;
  }
  return isWordCodePoint(c) ? 1 : 0;
}

function isJoiner(c: number): boolean {
  return c === 39 || c === 0x2019 || c === 95 || c === 45; // ' ’ _ -
}

/**
 * The end of the `WORD` match that starts at `start` (a word character): runs of letters, numbers and marks,
 * joined by single apostrophes, underscores or hyphens. The regex's own semantics, without the regex: the
 * classifier walks the words of the normalised text itself (see `LinearScorer`), so it needs no substrings.
 */
export function wordEnd(s: string, start: number): number {
  const n = s.length;
  let i = start;
  for (;;) {
    let k = wordCharAt(s, i);
    while (k > 0) {
      i += k;
      k = i < n ? wordCharAt(s, i) : 0;
    }
    // A joiner continues the word only when a word character follows it.
    if (i + 1 < n && isJoiner(s.charCodeAt(i)) && wordCharAt(s, i + 1) > 0) {
      i++;
      continue;
    }
    return i;
  }
}

/** The start of the next `WORD` match at or after `from`, or -1. */
export function nextWordStart(s: string, from: number): number {
  const n = s.length;
  let i = from;
  while (i < n) {
    const k = wordCharAt(s, i);
    if (k > 0) return i;
    const c = s.charCodeAt(i);
    // Step over a whole surrogate pair (a non-word astral character).
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return -1;
}

/** FNV-1a hash of s[start, end) with the word seed: `wordHash(s.slice(start, end))` without the slice. */
export function wordHashAt(s: string, start: number, end: number): number {
  return fnv(SEED_WORD, s, start, end) | 0;
}

/** A copy of a sparse vector that outlives the featurizer's next call (for training sets). */
export function copySparse(v: SparseVector): SparseVector {
  return { idx: v.idx.slice(0, v.n), val: v.val.slice(0, v.n), n: v.n };
}

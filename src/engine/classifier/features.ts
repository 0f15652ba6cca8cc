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
const CHAR_WEIGHT = 0.5;
const MAX_CHAR_WORD = 24;
/** Distinct words whose hashes are remembered (about 4 MB at most); the memo is emptied when full. */
const MEMO_WORDS = 20_000; // characters of a longer "word" (an unspaced script run) are read in 24-char slices

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
    const list: number[] = [fnv(SEED_WORD, w, 0, w.length) | 0];
    // character n-grams of `<w>`, in slices for long runs
    for (let start = 0; start < w.length; start += MAX_CHAR_WORD) {
      const end = Math.min(w.length, start + MAX_CHAR_WORD);
      const b = `${start === 0 ? '<' : ''}${w.slice(start, end)}${end === w.length ? '>' : ''}`;
      for (let i = 0; i + 3 <= b.length; i++) {
        let h = SEED_CHAR;
        for (let j = i; j < i + 5 && j < b.length; j++) {
          h ^= b.charCodeAt(j);
          h = Math.imul(h, 0x01000193);
          if (j - i >= 2) list.push(h | 0);
        }
      }
    }
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
      const hw = (hs[0] as number) >>> 0;
      this.add(hw, 1);
      if (k > 0) this.add(Math.imul(prev ^ SEED_BIGRAM, 0x27d4eb2d) ^ hw, 1);
      prev = hw;
      for (let i = 1; i < hs.length; i++) this.add((hs[i] as number) >>> 0, CHAR_WEIGHT);
      letters += w.length;
      for (let i = 0; i < w.length; i++) if (w.charCodeAt(i) > 0x7f) nonAscii++;
    }
    if (letters > 0 && nonAscii / letters > 0.3) this.add(fnv(SEED_SHAPE, 'non-ascii', 0, 9), 1);
    if (words.length > 200) this.add(fnv(SEED_SHAPE, 'long', 0, 4), 1);
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
      const v = Math.log1p(this.acc[i] as number);
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

/** A copy of a sparse vector that outlives the featurizer's next call (for training sets). */
export function copySparse(v: SparseVector): SparseVector {
  return { idx: v.idx.slice(0, v.n), val: v.val.slice(0, v.n), n: v.n };
}

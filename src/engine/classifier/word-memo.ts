/**
 * What the linear scorer knows of words: per distinct word its feature indices (the word feature, then its
 * character n-grams, see `features.ts`) and, for the words it remembers, copies of their weight rows.
 *
 * - Storage: the indices, rows and per-window positions of all words are packed in a few growable arrays
 *   (`FeaturePool`), not in small arrays per word, so meeting a new word allocates almost nothing.
 * - Admission: a word is remembered across texts from its second sighting on (a direct-mapped table of word
 *   hashes tells; a collision only remembers a word early or late, never changes a score). Words seen once — about
 *   half the distinct words of ordinary text — live only for the text they occur in, in a pool emptied before
 *   every text, and read their weight rows from the model. Words longer than `MEMO_MAX_WORD` (an unspaced script
 *   run) are never remembered.
 * - Bounds: at most `MEMO_WORDS` remembered words; when full, the memo is emptied before the next text (never
 *   during one: the words of the text being scored point into the pools).
 */
import type { LinearModel } from './model.ts';
import { appendCharNgramHashes, nonAsciiUnits, wordHash, wordHashAt } from './features.ts';

/** Words longer than this are featurized for one text, not remembered. */
const MEMO_MAX_WORD = 128;
/** Distinct words remembered with their weight rows (about 10 MB at most). */
const MEMO_WORDS = 20_000;
/** Slots of the "seen once" table (a power of two). */
const SEEN_SLOTS = 1 << 15;
/** Memo keys are word hashes cut to 30 bits: small integers, which a Map hashes without boxing. */
const KEY_MASK = 0x3fffffff;
/** A transient pool grown past this many features (a huge word) is given back after its text. */
const TRANSIENT_KEEP = 1 << 16;

/** Feature indices, their positions in the current window and (optionally) their weight rows, packed. */
export class FeaturePool {
  features: Int32Array;
  positions: Int32Array;
  /** `labels` weights per feature, or null: the rows are then read from the model. */
  rows: Float32Array | null;
  used = 0;

  constructor(
    private readonly labels: number,
    withRows: boolean,
    capacity = 4096,
  ) {
    this.features = new Int32Array(capacity);
    this.positions = new Int32Array(capacity);
    this.rows = withRows ? new Float32Array(capacity * labels) : null;
  }

  /** Room for `n` more features; returns where they start. */
  take(n: number): number {
    const at = this.used;
    if (at + n > this.features.length) {
      const cap = Math.max(at + n, this.features.length * 2);
      this.features = grown(this.features, cap);
      this.positions = grown(this.positions, cap);
      if (this.rows !== null) this.rows = grown(this.rows, cap * this.labels);
    }
    this.used = at + n;
    return at;
  }

  /** Forget every word (and, after a huge text, the memory it took). */
  reset(): void {
    this.used = 0;
    if (this.features.length > TRANSIENT_KEEP) {
      this.features = new Int32Array(4096);
      this.positions = new Int32Array(4096);
      if (this.rows !== null) this.rows = new Float32Array(4096 * this.labels);
    }
  }
}

function grown<T extends Int32Array | Float32Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/** One distinct word: its features are `pool.features[at .. at + count)`. */
export class WordFeatures {
  readonly letters: number;
  readonly nonAscii: number;
  /** Window (`LinearScorer`'s counter) in which the word was last counted, and how often it occurred there. */
  window = -1;
  occurrences = 0;
  /**
   * Long text (`LinearScorer`'s counter) for which `pool.positions` holds the word's compact feature ids; otherwise
   * `pool.positions` holds the features' positions in the window being counted.
   */
  text = -1;
  /** The next word with the same memo key. */
  sameHash: WordFeatures | undefined = undefined;

  constructor(
    readonly word: string,
    /** The word feature's hash (for the bigrams). */
    readonly hash: number,
    readonly pool: FeaturePool,
    readonly at: number,
    readonly count: number,
  ) {
    this.letters = word.length;
    this.nonAscii = nonAsciiUnits(word);
  }
}

export class WordMemo {
  private readonly labels: number;
  private readonly remembered: FeaturePool;
  private readonly transient: FeaturePool;
  private readonly memo = new Map<number, WordFeatures>();
  private memoWords = 0;
  /** Words of the current text that are not remembered. */
  private readonly textWords = new Map<number, WordFeatures>();
  /** Memo key + 1 of a word seen once, per slot (0: empty). */
  private readonly seen = new Int32Array(SEEN_SLOTS);
  private readonly hashes: number[] = [];

  constructor(
    private readonly model: LinearModel,
    private readonly mask: number,
  ) {
    this.labels = model.labels.length;
    this.remembered = new FeaturePool(this.labels, true);
    this.transient = new FeaturePool(this.labels, false);
  }

  /** Call before each text: empties the per-text words, and the memo when it is full. */
  beginText(): void {
    this.textWords.clear();
    this.transient.reset();
    if (this.memoWords >= MEMO_WORDS) {
      this.memo.clear();
      this.remembered.reset();
      this.memoWords = 0;
    }
  }

  /** The word s[start, end), found by its hash without taking the substring when it is known. */
  at(s: string, start: number, end: number): WordFeatures {
    const hash = wordHashAt(s, start, end);
    const key = hash & KEY_MASK;
    for (let e = this.memo.get(key); e !== undefined; e = e.sameHash) {
      if (e.word.length === end - start && s.startsWith(e.word, start)) return e;
    }
    for (let e = this.textWords.get(key); e !== undefined; e = e.sameHash) {
      if (e.word.length === end - start && s.startsWith(e.word, start)) return e;
    }
    return this.add(s.slice(start, end), hash);
  }

  /** The word `w`. */
  of(w: string): WordFeatures {
    const hash = wordHash(w);
    const key = hash & KEY_MASK;
    for (let e = this.memo.get(key); e !== undefined; e = e.sameHash) if (e.word === w) return e;
    for (let e = this.textWords.get(key); e !== undefined; e = e.sameHash) if (e.word === w) return e;
    return this.add(w, hash);
  }

  /** Featurize a word met for the first time in this text: remembered from its second sighting, else per text. */
  private add(w: string, hash: number): WordFeatures {
    const key = hash & KEY_MASK;
    const slot = key & (SEEN_SLOTS - 1);
    const remember = w.length <= MEMO_MAX_WORD && this.seen[slot] === key + 1;
    if (!remember) this.seen[slot] = key + 1;
    const hs = this.hashes;
    hs.length = 0;
    hs.push(hash);
    appendCharNgramHashes(w, hs);
    const pool = remember ? this.remembered : this.transient;
    const at = pool.take(hs.length);
    const features = pool.features;
    for (let j = 0; j < hs.length; j++) features[at + j] = (hs[j] as number) & this.mask;
    if (pool.rows !== null) {
      const L = this.labels;
      const rows = pool.rows;
      const weights = this.model.weights;
      for (let j = 0; j < hs.length; j++) {
        const from = (features[at + j] as number) * L;
        for (let l = 0; l < L; l++) rows[(at + j) * L + l] = weights[from + l] as number;
      }
    }
    const e = new WordFeatures(w, hash, pool, at, hs.length);
    const map = remember ? this.memo : this.textWords;
    e.sameHash = map.get(key);
    map.set(key, e);
    if (remember) this.memoWords++;
    return e;
  }
}

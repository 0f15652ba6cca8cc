/**
 * Matcher for custom words and phrases on folded text (see `normalize.ts`).
 *
 * Semantics: a word matches at folded offsets [s, e) when the folded text there equals the folded word,
 * and the match does not start or end inside a run of word characters: if the word's first character
 * is a word character, the character before `s` must not be one; if its last character is a word
 * character, the character at `e` must not be one. Matches are leftmost-longest and non-overlapping.
 *
 * Algorithm (cost independent of the number of words): one left-to-right pass over the folded text.
 * - At the start of every run of word characters (a "token") the pass hashes the token (FNV-1a) while
 *   skipping over it, and looks the hash up in a bitmap of the hashes of the words' first tokens. Only
 *   on a hit does it walk a radix tree of all words from that position, keeping the longest word
 *   whose end boundary holds. Misses (almost every token) cost one bitmap probe.
 * - Words that start with a non-word character (punctuation, or scripts written without spaces such as
 *   Chinese) are tried at every non-word character that begins one of them (a 64 K-entry bitmap).
 * A walk is bounded by the longest folded word (~100 characters), so the pass is linear in the text length.
 *
 * Why not one big RegExp alternation: V8 stops optimising a RegExp whose source exceeds ~20 KB; measured
 * on 100 KB of English, an alternation of 1,000 / 2,000 / 4,000 / 10,000 random words scanned in
 * 1.2 / 1.3 / 24 / 35 ms, while this pass costs ~0.5 ms whatever the number of words.
 */

import { WORD_UNITS, isWordUnit } from './normalize.ts';

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** A node of a radix tree (a trie whose single-child chains are merged into labelled edges). */
class TrieNode {
  /** Index (into the configured list) of the word ending here, or -1. */
  id = -1;
  /** Whether that word ends with a word character (so it needs a boundary after it). */
  needsEnd = false;
  /** Edges keyed by the first code unit of their label. */
  children: Map<number, TrieEdge> | null = null;
}

interface TrieEdge {
  label: string;
  node: TrieNode;
}

/** Insert `w` and return its terminal node. */
function insert(root: TrieNode, w: string): TrieNode {
  let node = root;
  let j = 0;
  while (j < w.length) {
    const c = w.charCodeAt(j);
    let children = node.children;
    if (children === null) {
      children = new Map();
      node.children = children;
    }
    const edge = children.get(c);
    if (edge === undefined) {
      const leaf = new TrieNode();
      children.set(c, { label: w.slice(j), node: leaf });
      return leaf;
    }
    const label = edge.label;
    let k = 1;
    while (k < label.length && j + k < w.length && label.charCodeAt(k) === w.charCodeAt(j + k)) k++;
    if (k < label.length) {
      // Split the edge at k.
      const mid = new TrieNode();
      mid.children = new Map([[label.charCodeAt(k), { label: label.slice(k), node: edge.node }]]);
      edge.label = label.slice(0, k);
      edge.node = mid;
    }
    node = edge.node;
    j += k;
  }
  return node;
}

/** A match on folded text. */
export interface FoldedMatch {
  /** Index of the word in the configured list. */
  index: number;
  start: number;
  end: number;
}

// Module-local aliases: when the code is transpiled to CommonJS (tsx), every read of an imported
// binding goes through a getter, which costs ~3x in the hot loop.
const WORD_TABLE: Uint8Array = WORD_UNITS;
const computeIsWord: (c: number) => boolean = isWordUnit;

function isWord(c: number): boolean {
  const w = WORD_TABLE[c];
  return w === 1 || (w === 0 && computeIsWord(c));
}

function tokenHash(w: string): number {
  let h = FNV_OFFSET;
  for (let j = 0; j < w.length; j++) {
    const c = w.charCodeAt(j);
    if (!isWord(c)) break;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h;
}

/**
 * Custom-word matcher over folded text. Build it from folded words (as produced by `foldPhrase`):
 * `folded[i]` belongs to configured word `i`; empty strings are ignored; when several words fold to the
 * same text the first one wins.
 */
export class CustomWordMatcher {
  /** Number of distinct folded words. */
  readonly size: number;
  private readonly root = new TrieNode();
  private readonly shift: number;
  private readonly tokenBitmap: Uint32Array;
  private readonly nonWordStarts: Uint8Array;
  private readonly hasNonWordStarts: boolean;

  constructor(folded: readonly string[]) {
    let size = 0;
    const firstTokenHashes: number[] = [];
    const nonWordStarts = new Uint8Array(0x10000);
    let hasNonWordStarts = false;
    for (let i = 0; i < folded.length; i++) {
      const w = folded[i];
      if (w === undefined || w.length === 0) continue;
      const node = insert(this.root, w);
      if (node.id !== -1) continue; // duplicate after folding: keep the first
      node.id = i;
      node.needsEnd = isWord(w.charCodeAt(w.length - 1));
      size++;
      const c0 = w.charCodeAt(0);
      if (isWord(c0)) {
        firstTokenHashes.push(tokenHash(w));
      } else {
        nonWordStarts[c0] = 1;
        hasNonWordStarts = true;
      }
    }
    // Bitmap of first-token hashes: ~32 bits per word (false-positive rate ≤ 3 %), at least 1 K bits.
    let bits = 10;
    while (1 << bits < firstTokenHashes.length * 32 && bits < 24) bits++;
    this.shift = 32 - bits;
    this.tokenBitmap = new Uint32Array((1 << bits) >>> 5);
    for (const h of firstTokenHashes) {
      const b = h >>> this.shift;
      this.tokenBitmap[b >>> 5] = (this.tokenBitmap[b >>> 5] ?? 0) | (1 << (b & 31));
    }
    this.nonWordStarts = hasNonWordStarts ? nonWordStarts : new Uint8Array(0);
    this.hasNonWordStarts = hasNonWordStarts;
    this.size = size;
  }

  /** Leftmost-longest, non-overlapping matches on folded text, in order. */
  scanFolded(s: string): FoldedMatch[] {
    const out: FoldedMatch[] = [];
    if (this.size === 0) return out;
    const n = s.length;
    const bitmap = this.tokenBitmap;
    const shift = this.shift;
    const hasNonWordStarts = this.hasNonWordStarts;
    const nonWordStarts = this.nonWordStarts;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isWord(c)) {
        // A token starts here (the previous character, if any, is not a word character).
        let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
        let j = i + 1;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (!isWord(d)) break;
          h = Math.imul(h ^ d, FNV_PRIME);
          j++;
        }
        const b = h >>> shift;
        if (((bitmap[b >>> 5] ?? 0) & (1 << (b & 31))) !== 0) {
          const e = this.walk(s, i, out);
          if (e !== -1) {
            i = e;
            continue;
          }
        }
        i = j;
        continue;
      }
      if (hasNonWordStarts && nonWordStarts[c] === 1) {
        const e = this.walk(s, i, out);
        if (e !== -1) {
          i = e;
          continue;
        }
      }
      i++;
    }
    return out;
  }

  /**
   * Leftmost-longest, non-overlapping matches anywhere in `s`, word boundaries ignored: for text whose word
   * boundaries were lost (letters written apart and joined again, see `evasion/spaced.ts`). Tries every
   * position, so keep `s` short.
   */
  scanAnywhere(s: string): FoldedMatch[] {
    const out: FoldedMatch[] = [];
    if (this.size === 0) return out;
    let i = 0;
    while (i < s.length) {
      const e = this.walk(s, i, out, true);
      i = e === -1 ? i + 1 : e;
    }
    return out;
  }

  /** Push the longest word at `p` whose end boundary holds (any end if `anywhere`) and return its end, or -1. */
  private walk(s: string, p: number, out: FoldedMatch[], anywhere = false): number {
    const n = s.length;
    let node: TrieNode = this.root;
    let bestEnd = -1;
    let bestId = -1;
    let j = p;
    for (;;) {
      if (node.id !== -1 && (anywhere || !node.needsEnd || j >= n || !isWord(s.charCodeAt(j)))) {
        bestEnd = j;
        bestId = node.id;
      }
      if (j >= n || node.children === null) break;
      const edge = node.children.get(s.charCodeAt(j));
      if (edge === undefined) break;
      const label = edge.label;
      if (label.length > 1 && !s.startsWith(label, j)) break;
      node = edge.node;
      j += label.length;
    }
    if (bestId === -1) return -1;
    out.push({ index: bestId, start: p, end: bestEnd });
    return bestEnd;
  }
}

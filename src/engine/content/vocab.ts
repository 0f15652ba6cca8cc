/**
 * A compiled vocabulary of word classes for the classification detectors: a light morphology
 * (inflected forms → lemma), and a token trie of phrases, each phrase tagged with one or more
 * classes (0–63) and a value per class (a weight or a severity).
 *
 * Phrases are written as lemmas separated by spaces, with alternation groups: `how (do|can|could) (i|we)`
 * expands to six phrases, and an empty alternative makes a group optional (`(the|)`). Verb phrases
 * (`pos: 'v'`) register the inflections of their first word (`kill` → kills, killed, killing, killin);
 * noun phrases (`pos: 'n'`) the plural of their last word.
 *
 * Everything is built once at module load; matching is one trie walk per token (bounded by the
 * longest phrase), so linear in the number of tokens.
 */

import { TF_SENT_START, type TokenList } from './normalize.ts';

export type Pos = 'v' | 'n' | '';

export interface TermInfo {
  /** The phrase as written (after expansion), for explanations. */
  readonly text: string;
  /** Class bits 0–31 and 32–63. */
  m1: number;
  m2: number;
  /** Value per class (missing, or no map at all = 1). */
  vals: Map<number, number> | null;
}

export interface TrieNode {
  terms: number[];
  next: Map<string, TrieNode> | null;
  /** Union of the class bits of `terms`. */
  m1: number;
  m2: number;
}

export interface Vocabulary {
  readonly terms: readonly TermInfo[];
  /** Surface form → lemma (only for inflected forms that differ from their lemma). */
  readonly lemmas: ReadonlyMap<string, string>;
  /** Surface forms that are past tense / past participles (`killed`, `shot`). */
  readonly past: ReadonlySet<string>;
  /** Every word that occurs in the vocabulary, in any form (for de-obfuscation). */
  readonly known: ReadonlySet<string>;
  readonly root: ReadonlyMap<string, TrieNode>;
  /** Every surface form that has a lemma or starts a phrase: one lookup per token. */
  readonly surface: ReadonlyMap<string, Surface>;
}

/** What a token's surface form tells: its lemma, whether it is a past form, the phrases it starts. */
export interface Surface {
  readonly lemma: string;
  readonly past: boolean;
  readonly node: TrieNode | undefined;
}

/** Irregular verb forms: lemma → forms (past forms first; the rest are other forms). */
export interface Irregular {
  readonly past?: readonly string[];
  readonly other?: readonly string[];
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Regular inflections of a verb (over-generation is harmless: the forms only map back to the lemma). */
export function verbForms(base: string): { past: string[]; other: string[] } {
  const past: string[] = [];
  const other: string[] = [base];
  const last = base.charAt(base.length - 1);
  const beforeLast = base.charAt(base.length - 2);
  if (base.endsWith('ie')) {
    other.push(base + 's', base.slice(0, -2) + 'ying', base.slice(0, -2) + 'yin');
    past.push(base + 'd');
  } else if (last === 'e') {
    other.push(base + 's', base.slice(0, -1) + 'ing', base.slice(0, -1) + 'in');
    past.push(base + 'd');
  } else if (last === 'y' && !VOWELS.has(beforeLast)) {
    other.push(base.slice(0, -1) + 'ies', base + 'ing', base + 'in');
    past.push(base.slice(0, -1) + 'ied');
  } else {
    const es = /(?:s|x|z|ch|sh)$/.test(base) ? 'es' : 's';
    other.push(base + es, base + 'ing', base + 'in');
    past.push(base + 'ed');
    // Consonant doubling (stab → stabbed), generated for any consonant-vowel-consonant ending.
    if (!VOWELS.has(last) && last !== 'w' && last !== 'x' && last !== 'y' && VOWELS.has(beforeLast)) {
      other.push(base + last + 'ing', base + last + 'in');
      past.push(base + last + 'ed');
    }
  }
  return { past, other };
}

/** Plural forms of a noun. */
export function nounForms(base: string): string[] {
  const out = [base];
  const last = base.charAt(base.length - 1);
  if (/(?:s|x|z|ch|sh)$/.test(base)) out.push(base + 'es');
  else if (last === 'y' && !VOWELS.has(base.charAt(base.length - 2))) out.push(base.slice(0, -1) + 'ies');
  else if (base.endsWith('fe')) out.push(base.slice(0, -2) + 'ves', base + 's');
  else if (last === 'f') out.push(base.slice(0, -1) + 'ves', base + 's');
  else out.push(base + 's');
  return out;
}

const GROUP_RE = /\(([^()]*)\)/;
const MAX_EXPANSION = 20000;

// Function verbs never lemmatised: their tense carries the frame (`how do I` vs `how did`).
const PROTECTED = new Set(['do', 'does', 'did', 'done', 'doing', 'be', 'is', 'are', 'was', 'were', 'am', 'been', 'being', 'have', 'has', 'had', 'having', 'can', 'will', 'would', 'shall', 'should', 'may', 'might', 'must']);

/** Expand `(a|b|)` alternation groups into all phrases (whitespace-normalised). */
export function expandPattern(pattern: string): string[] {
  let out = [pattern];
  for (;;) {
    const next: string[] = [];
    let changed = false;
    for (const p of out) {
      const m = GROUP_RE.exec(p);
      if (m === null) {
        next.push(p);
        continue;
      }
      changed = true;
      const alts = (m[1] ?? '').split('|');
      for (const a of alts) next.push(p.slice(0, m.index) + a + p.slice(m.index + m[0].length));
    }
    out = next;
    if (out.length > MAX_EXPANSION) throw new Error(`pattern expands to too many phrases: ${pattern}`);
    if (!changed) break;
  }
  const seen = new Set<string>();
  const res: string[] = [];
  for (const p of out) {
    const q = p.trim().split(/\s+/).join(' ');
    if (q.length > 0 && !seen.has(q)) {
      seen.add(q);
      res.push(q);
    }
  }
  return res;
}

interface Pending {
  readonly pattern: string;
  readonly cls: number;
  readonly val: number;
  readonly pos: Pos;
}

export class VocabularyBuilder {
  private readonly pending: Pending[] = [];
  private readonly lemmaMap = new Map<string, string>();
  private readonly pastSet = new Set<string>();
  private readonly extraKnown = new Set<string>();

  /** Register irregular verb forms (call before `build`). */
  irregular(table: Readonly<Record<string, Irregular>>): this {
    for (const [lemma, forms] of Object.entries(table)) {
      for (const f of forms.past ?? []) {
        this.setLemma(f, lemma);
        this.pastSet.add(f);
      }
      for (const f of forms.other ?? []) this.setLemma(f, lemma);
    }
    return this;
  }

  /** Register irregular noun plurals (plural → singular). */
  plurals(table: Readonly<Record<string, string>>): this {
    for (const [plural, singular] of Object.entries(table)) this.setLemma(plural, singular);
    return this;
  }

  /** Extra words for de-obfuscation only (no class). */
  known(words: Iterable<string>): this {
    for (const w of words) this.extraKnown.add(w);
    return this;
  }

  add(pattern: string, cls: number, val = 1, pos: Pos = ''): this {
    this.pending.push({ pattern, cls, val, pos });
    return this;
  }

  addAll(patterns: readonly string[], cls: number, val = 1, pos: Pos = ''): this {
    for (const p of patterns) this.add(p, cls, val, pos);
    return this;
  }

  addWeighted(table: Readonly<Record<string, number>>, cls: number, pos: Pos = ''): this {
    for (const [p, v] of Object.entries(table)) this.add(p, cls, v, pos);
    return this;
  }

  private setLemma(form: string, lemma: string): void {
    if (form === lemma || PROTECTED.has(form)) return;
    if (!this.lemmaMap.has(form)) this.lemmaMap.set(form, lemma);
  }

  build(): Vocabulary {
    // 1. Morphology from the verb and noun phrases.
    const expanded: Array<{ phrases: string[]; p: Pending }> = [];
    for (const p of this.pending) {
      const phrases = expandPattern(p.pattern);
      expanded.push({ phrases, p });
      if (p.pos === '') continue;
      for (const ph of phrases) {
        const words = ph.split(' ');
        if (p.pos === 'v') {
          const head = words[0] ?? '';
          if (this.lemmaMap.has(head) || PROTECTED.has(head)) continue; // irregular, known or a function verb
          const { past, other } = verbForms(head);
          for (const f of other) this.setLemma(f, head);
          for (const f of past) {
            this.setLemma(f, head);
            if (this.lemmaMap.get(f) === head) this.pastSet.add(f);
          }
        } else {
          const tail = words[words.length - 1] ?? '';
          if (this.lemmaMap.has(tail) || PROTECTED.has(tail)) continue;
          for (const f of nounForms(tail)) this.setLemma(f, tail);
        }
      }
    }
    // 2. Trie of lemmatised phrases.
    const terms: TermInfo[] = [];
    const byText = new Map<string, number>();
    const root = new Map<string, TrieNode>();
    const known = new Set<string>(this.extraKnown);
    for (const f of this.lemmaMap.keys()) known.add(f);
    const lemma = (w: string): string => this.lemmaMap.get(w) ?? w;
    for (const { phrases, p } of expanded) {
      for (const ph of phrases) {
        const words = ph.split(' ').map(lemma);
        for (const w of ph.split(' ')) known.add(w);
        const key = words.join(' ');
        let id = byText.get(key);
        if (id === undefined) {
          id = terms.length;
          terms.push({ text: key, m1: 0, m2: 0, vals: null });
          byText.set(key, id);
          let level: Map<string, TrieNode> = root;
          let node: TrieNode | undefined;
          for (const w of words) {
            node = level.get(w);
            if (node === undefined) {
              node = { terms: [], next: null, m1: 0, m2: 0 };
              level.set(w, node);
            }
            if (node.next === null) node.next = new Map();
            level = node.next;
          }
          if (node !== undefined) node.terms.push(id);
        }
        const t = terms[id];
        if (t === undefined) continue;
        if (p.cls < 32) t.m1 |= 1 << p.cls;
        else t.m2 |= 1 << (p.cls - 32);
        const prev = t.vals?.get(p.cls);
        if (prev === undefined ? p.val !== 1 : Math.abs(p.val) > Math.abs(prev)) {
          if (t.vals === null) t.vals = new Map();
          t.vals.set(p.cls, p.val);
        }
      }
    }
    pruneEmpty(root);
    unionMasks(root, terms);
    const surface = new Map<string, Surface>();
    for (const [form, lemma] of this.lemmaMap) surface.set(form, { lemma, past: this.pastSet.has(form), node: root.get(lemma) });
    for (const [k, node] of root) if (!surface.has(k)) surface.set(k, { lemma: k, past: false, node });
    return { terms, lemmas: this.lemmaMap, past: this.pastSet, known, root, surface };
  }
}

function unionMasks(level: Map<string, TrieNode>, terms: readonly TermInfo[]): void {
  for (const node of level.values()) {
    for (const id of node.terms) {
      node.m1 |= terms[id]?.m1 ?? 0;
      node.m2 |= terms[id]?.m2 ?? 0;
    }
    if (node.next !== null) unionMasks(node.next, terms);
  }
}

function pruneEmpty(level: Map<string, TrieNode>): void {
  for (const node of level.values()) {
    if (node.next !== null) {
      if (node.next.size === 0) node.next = null;
      else pruneEmpty(node.next);
    }
  }
}

/** Token flag: the surface form was a past tense / participle. */
export const MF_PAST = 1;

/** Phrase matches over a token list: for each token, the classes of phrases starting there. */
export interface Matches {
  readonly n: number;
  readonly lemmas: string[];
  /** Per token: class bits 0–31 / 32–63 of all phrases that start at it. */
  readonly pm1: Int32Array;
  readonly pm2: Int32Array;
  /** Matches starting at token i are `first[i] .. first[i+1]-1` in `mNode` / `mEnd`: each is a trie
   * node whose terms all end at `mEnd`. */
  readonly first: Int32Array;
  readonly mNode: TrieNode[];
  /** Exclusive end token of each match. */
  readonly mEnd: number[];
  /** `MF_*` flags per token. */
  readonly mflags: Uint8Array;
}

/**
 * Reusable buffers for `matchTokens`: the typed arrays of a `Matches` grow to the longest text seen and are
 * reused, instead of being allocated (off the JS heap, once past a few dozen bytes) for every text. A `Matches`
 * built on a scratch is valid until the scratch's next use.
 */
export class MatchScratch {
  lemmas: string[] = [];
  nodes: (TrieNode | undefined)[] = [];
  mflags = new Uint8Array(0);
  pm1 = new Int32Array(0);
  pm2 = new Int32Array(0);
  first = new Int32Array(1);
  mNode: TrieNode[] = [];
  mEnd: number[] = [];

  /** Make room for `n` tokens; zero the per-token arrays that are filled sparsely. */
  reserve(n: number): void {
    if (this.pm1.length < n) {
      const cap = Math.max(n, this.pm1.length * 2, 64);
      this.mflags = new Uint8Array(cap);
      this.pm1 = new Int32Array(cap);
      this.pm2 = new Int32Array(cap);
      this.first = new Int32Array(cap + 1);
    } else this.mflags.fill(0, 0, n);
    this.lemmas.length = n;
    this.nodes.length = n;
  }
}

/**
 * Phrase matches of `tokens` against `vocab`. With a `scratch`, the result lives in the scratch's buffers (its
 * typed arrays may be longer than `n`; read them below `n` only).
 */
export function matchTokens(vocab: Vocabulary, tokens: TokenList, scratch: MatchScratch = new MatchScratch()): Matches {
  const { words, flags } = tokens;
  const n = words.length;
  scratch.reserve(n);
  const { lemmas, nodes, mflags, pm1, pm2, first, mNode, mEnd } = scratch;
  const surface = vocab.surface;
  for (let i = 0; i < n; i++) {
    const w = words[i] ?? '';
    const info = surface.get(w);
    if (info === undefined) {
      lemmas[i] = w;
      nodes[i] = undefined;
    } else {
      lemmas[i] = info.lemma;
      nodes[i] = info.node;
      if (info.past) mflags[i] = MF_PAST;
    }
  }
  // `mNode` / `mEnd` are written by index: they keep their capacity between texts (slots past the last match
  // are stale and never read, `first` bounds every lookup).
  let nMatches = 0;
  for (let i = 0; i < n; i++) {
    first[i] = nMatches;
    let node = nodes[i];
    let j = i;
    let a = 0;
    let b = 0;
    while (node !== undefined) {
      j++;
      if (node.terms.length > 0) {
        mNode[nMatches] = node;
        mEnd[nMatches] = j;
        nMatches++;
        a |= node.m1;
        b |= node.m2;
      }
      if (node.next === null || j >= n || ((flags[j] ?? 0) & TF_SENT_START) !== 0) break;
      node = node.next.get(lemmas[j] ?? '');
    }
    pm1[i] = a;
    pm2[i] = b;
  }
  first[n] = nMatches;
  return { n, lemmas, pm1, pm2, first, mNode, mEnd, mflags };
}

/** Does token `i` start a phrase of class `cls`? */
export function hasClass(m: Matches, i: number, cls: number): boolean {
  if (i < 0 || i >= m.n) return false;
  return cls < 32 ? ((m.pm1[i] ?? 0) & (1 << cls)) !== 0 : ((m.pm2[i] ?? 0) & (1 << (cls - 32))) !== 0;
}

/** The longest phrase of class `cls` starting at token i: its term id and exclusive end, or null. */
export function termAt(vocab: Vocabulary, m: Matches, i: number, cls: number): { id: number; end: number } | null {
  if (!hasClass(m, i, cls)) return null;
  const lo = m.first[i] ?? 0;
  const hi = m.first[i + 1] ?? 0;
  let best: { id: number; end: number } | null = null;
  for (let q = lo; q < hi; q++) {
    const node = m.mNode[q];
    if (node === undefined) continue;
    const end = m.mEnd[q] ?? i + 1;
    if (best !== null && end <= best.end) continue;
    for (const id of node.terms) {
      const t = vocab.terms[id];
      if (t === undefined) continue;
      const on = cls < 32 ? (t.m1 & (1 << cls)) !== 0 : (t.m2 & (1 << (cls - 32))) !== 0;
      if (on) {
        best = { id, end };
        break;
      }
    }
  }
  return best;
}

export function termVal(vocab: Vocabulary, id: number, cls: number): number {
  return vocab.terms[id]?.vals?.get(cls) ?? 1;
}

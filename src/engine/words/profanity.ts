/**
 * The managed PROFANITY word list, built from the `obscenity` package (MIT): its `englishDataset`
 * (patterns, whitelisted terms and canonical words) and `englishRecommendedBlacklistMatcherTransformers`
 * (confusable characters, leetspeak, ASCII case, collapsing repeated letters).
 *
 * obscenity's own `RegExpMatcher` is correct but slow (measured ~4 MB/s on English text, 26 ms per
 * 100 KB, 370 ms per MB: it builds its transformed text one `+=` at a time, runs 119 regexes over the
 * whole text one after the other, and checks whitelists with a linear scan per match). This module keeps
 * its data and its semantics and runs them in one pass:
 *  1. the input is the folded text from `normalize.ts` (NFKC, case-folded, diacritics and zero-width
 *     characters removed), so `fück`, `ｆｕｃｋ` and `f\u200Buck` are caught as well;
 *  2. obscenity's transformers are applied in one loop through lookup tables, giving the "transformed"
 *     text (as code units) and a map back to folded offsets;
 *  3. in the same loop, a rolling 4-gram of character classes (26 letters, other word character,
 *     non-word character) is looked up in a 1 M-entry table of the most selective 4-gram window of
 *     every pattern (e.g. the boundary plus `ass` for `|ass`, or `ndjo` for `h?ndjob`). Only at the
 *     positions it flags are the patterns whose first character fits tried, with a small backtracking matcher for obscenity's
 *     pattern language (literals, `[optional]`, `?` wildcard, `|` boundary — at most 32 paths);
 *  4. matches contained in an occurrence of a whitelisted term (`scunthorpe`, `assassin`, `shitake`…,
 *     found on the folded text, only when something matched) are dropped;
 *  5. each match is widened to the whole word around it (`f4ck1ng`, not `f4ck`); overlapping matches
 *     merge into the leftmost one, so results are sorted and non-overlapping. The canonical term comes
 *     from `englishDataset.getPayloadWithPhraseMetadata` (via the pattern's phrase metadata).
 */

import {
  englishDataset,
  englishRecommendedBlacklistMatcherTransformers,
  SyntaxKind,
} from 'obscenity';
import type { ParsedPattern } from 'obscenity';
import { OffsetMap, WORD_UNITS, isWordUnit } from './normalize.ts';

/** A profanity match on folded text. */
export interface ProfanityFoldedMatch {
  /** The canonical term, e.g. `fuck`. */
  term: string;
  start: number;
  end: number;
}

// Module-local aliases (imported bindings may be getters once transpiled to CommonJS).
const WORD_TABLE: Uint8Array = WORD_UNITS;
const computeIsWord: (c: number) => boolean = isWordUnit;
function isWord(c: number): boolean {
  const w = WORD_TABLE[c];
  return w === 1 || (w === 0 && computeIsWord(c));
}

// ---------------------------------------------------------------------------------------------------
// 2. obscenity's transformers as tables

type CharFn = (c: number) => number | undefined;
interface Stateful {
  transform: CharFn;
  reset(): void;
}

type Later = { stateful: true; factory: () => Stateful } | { stateful: false; transform: CharFn };
/** The leading simple (stateless) transformers, and the rest from the first stateful one on. */
const simpleChain: CharFn[] = [];
const laterChain: Later[] = [];
for (const t of englishRecommendedBlacklistMatcherTransformers) {
  if ('factory' in t) laterChain.push({ stateful: true, factory: t.factory });
  else if (laterChain.length > 0) laterChain.push({ stateful: false, transform: t.transform });
  else simpleChain.push(t.transform);
}

function applySimple(c: number): number {
  let v: number | undefined = c;
  for (const f of simpleChain) {
    if (v === undefined) break;
    v = f(v);
  }
  return v === undefined ? DROPPED : v;
}

const UNKNOWN_SIMPLE = -2;
const DROPPED = -1;
/**
 * Memo of the leading simple transformers for BMP code units: the result, DROPPED, or UNKNOWN_SIMPLE
 * (not computed yet, and always for surrogates, which are resolved as code points).
 */
const SIMPLE = new Int32Array(0x10000).fill(UNKNOWN_SIMPLE);
function simpleOf(cp: number): number {
  if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff)) return applySimple(cp);
  const r = applySimple(cp);
  SIMPLE[cp] = r;
  return r;
}

/**
 * The preset ends with one stateful transformer, `collapseDuplicatesTransformer`: probe its threshold
 * per ASCII character (and once for other characters) so the loop applies it without calls. If a future
 * preset has another shape, the loop calls the remaining transformers instead.
 */
const COLLAPSE_PROBE = 300;
let COLLAPSE: Uint16Array | null = null;
let collapseDefault = 0;
{
  const only = laterChain.length === 1 ? laterChain[0] : undefined;
  if (only !== undefined && only.stateful) {
    const inst = only.factory();
    const probe = (c: number): number => {
      inst.reset();
      let kept = 0;
      for (let r = 0; r < COLLAPSE_PROBE; r++) if (inst.transform(c) === c) kept++;
      return kept;
    };
    COLLAPSE = new Uint16Array(0x80);
    for (let c = 0; c < 0x80; c++) COLLAPSE[c] = probe(c);
    collapseDefault = probe(0x4e00);
    inst.reset();
  }
}

// ---------------------------------------------------------------------------------------------------
// 3. patterns and the 4-gram start filter

/** Gram symbols: 0–25 = a–z, 26 = another word character for `\b` ([A-Z0-9_]), 27 = not a word character. */
const SYM_OTHER_WORD = 26;
const SYM_NON_WORD = 27;
const SYM_COUNT = 28;
const SYM = new Uint8Array(0x80);
for (let c = 0; c < 0x80; c++) {
  if (c >= 0x61 && c <= 0x7a) SYM[c] = c - 0x61;
  else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) SYM[c] = SYM_OTHER_WORD;
  else SYM[c] = SYM_NON_WORD;
}
function symOf(u: number): number {
  return u < 0x80 ? (SYM[u] ?? SYM_NON_WORD) : SYM_NON_WORD;
}
/** `\b` word characters (JS RegExp without the u flag). */
function isReWord(u: number): boolean {
  return u < 0x80 && SYM[u] !== SYM_NON_WORD;
}
const GRAM_MASK = 0xfffff; // 4 symbols of 5 bits
/**
 * For each 4-gram of symbols, a bit set of window offsets `o` (0–7): a pattern may start at
 * `end - 2 - o`, where `end` is the index of the gram's last character. A pattern registers the most
 * selective window of its expansion (e.g. `ndjo` for `h?ndjob`), so common trigrams such as `hen` in
 * "when" do not wake the matcher up.
 */
const GRAM_OFFSETS = new Uint8Array(GRAM_MASK + 1);
const MAX_WINDOW_OFFSET = 7;

const K_LITERAL = 0;
const K_WILDCARD = 1;
const K_OPT_LITERAL = 2;
const K_OPT_WILDCARD = 3;
interface PNode {
  kind: number;
  chars: number[];
}
interface CompiledPattern {
  boundaryStart: boolean;
  boundaryEnd: boolean;
  nodes: PNode[];
  term: string;
}

function compileNodes(p: ParsedPattern): PNode[] {
  const out: PNode[] = [];
  for (const node of p.nodes) {
    if (node.kind === SyntaxKind.Literal) out.push({ kind: K_LITERAL, chars: node.chars });
    else if (node.kind === SyntaxKind.Wildcard) out.push({ kind: K_WILDCARD, chars: [] });
    else if (node.childNode.kind === SyntaxKind.Wildcard) out.push({ kind: K_OPT_WILDCARD, chars: [] });
    else out.push({ kind: K_OPT_LITERAL, chars: node.childNode.chars });
  }
  return out;
}

/** Every expansion of a pattern as a list of symbol sets (-1 = any symbol). */
function expansions(nodes: readonly PNode[]): number[][] {
  let acc: number[][] = [[]];
  for (const node of nodes) {
    const lit = node.chars.map((c) => symOf(c));
    if (node.kind === K_LITERAL) acc = acc.map((a) => [...a, ...lit]);
    else if (node.kind === K_WILDCARD) acc = acc.map((a) => [...a, -1]);
    else if (node.kind === K_OPT_LITERAL) acc = acc.flatMap((a) => [[...a, ...lit], a]);
    else acc = acc.flatMap((a) => [[...a, -1], a]);
  }
  return acc.filter((a) => a.length > 0);
}

const ALL_SYMS = Array.from({ length: SYM_COUNT }, (_, i) => i);
const WORD_SYMS = ALL_SYMS.filter((s) => s !== SYM_NON_WORD);

function addGrams(p: CompiledPattern): void {
  for (const exp of expansions(p.nodes)) {
    // Symbol sets of: the character before the match, the match, and (with a boundary) the one after.
    const first = exp[0] ?? -1;
    const last = exp[exp.length - 1] ?? -1;
    const boundarySet = (s: number): number[] => (s === -1 ? ALL_SYMS : s === SYM_NON_WORD ? WORD_SYMS : [SYM_NON_WORD]);
    const seq: number[][] = [p.boundaryStart ? boundarySet(first) : ALL_SYMS];
    for (const s of exp) seq.push(s === -1 ? ALL_SYMS : [s]);
    if (p.boundaryEnd) seq.push(boundarySet(last));
    while (seq.length < 4) seq.push(ALL_SYMS);
    // The most selective window of four (fewest combinations), earliest on ties.
    let bestW = 0;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let w = 0; w + 4 <= seq.length && w <= MAX_WINDOW_OFFSET; w++) {
      let cost = 1;
      for (let j = w; j < w + 4; j++) cost *= seq[j]?.length ?? SYM_COUNT;
      if (cost < bestCost) {
        bestCost = cost;
        bestW = w;
      }
    }
    const set = (j: number): number[] => seq[bestW + j] ?? ALL_SYMS;
    for (const sa of set(0))
      for (const sb of set(1))
        for (const sc of set(2))
          for (const sd of set(3)) {
            const g = (sa << 15) | (sb << 10) | (sc << 5) | sd;
            GRAM_OFFSETS[g] = (GRAM_OFFSETS[g] ?? 0) | (1 << bestW);
          }
  }
}

const built = englishDataset.build();
const PATTERNS: CompiledPattern[] = [];
/** Pattern indices by the code unit they can start with (patterns are ASCII). */
const BY_FIRST: number[][] = Array.from({ length: 0x80 }, () => []);
/** Patterns that can start with any character (a leading wildcard; none in the English preset). */
const ANY_FIRST: number[] = [];
for (const { id, pattern } of built.blacklistedTerms) {
  const meta = englishDataset.getPayloadWithPhraseMetadata({ termId: id, startIndex: 0, endIndex: 0, matchLength: 0 });
  const compiled: CompiledPattern = {
    boundaryStart: pattern.requireWordBoundaryAtStart,
    boundaryEnd: pattern.requireWordBoundaryAtEnd,
    nodes: compileNodes(pattern),
    term: meta.phraseMetadata?.originalWord ?? '',
  };
  const index = PATTERNS.length;
  PATTERNS.push(compiled);
  addGrams(compiled);
  const firsts = new Set<number>();
  let any = false;
  for (const node of compiled.nodes) {
    if (node.kind === K_WILDCARD || node.kind === K_OPT_WILDCARD) {
      any = true;
      break;
    }
    const c = node.chars[0];
    if (c !== undefined) firsts.add(c);
    if (node.kind === K_LITERAL) break;
  }
  if (any || [...firsts].some((c) => c >= 0x80)) ANY_FIRST.push(index);
  else for (const c of firsts) BY_FIRST[c]?.push(index);
}

/** Match pattern nodes from `ni` at `pos` (greedy optionals, like the RegExp obscenity builds). */
function matchNodes(p: CompiledPattern, ni: number, t: Uint16Array, len: number, pos: number): number {
  if (ni === p.nodes.length) {
    if (p.boundaryEnd) {
      const before = pos > 0 && isReWord(t[pos - 1] ?? 0);
      const after = pos < len && isReWord(t[pos] ?? 0);
      if (before === after) return -1;
    }
    return pos;
  }
  const node = p.nodes[ni];
  if (node === undefined) return -1;
  switch (node.kind) {
    case K_LITERAL: {
      const chars = node.chars;
      if (pos + chars.length > len) return -1;
      for (let j = 0; j < chars.length; j++) if (t[pos + j] !== chars[j]) return -1;
      return matchNodes(p, ni + 1, t, len, pos + chars.length);
    }
    case K_WILDCARD:
      return pos < len ? matchNodes(p, ni + 1, t, len, pos + 1) : -1;
    case K_OPT_LITERAL: {
      const chars = node.chars;
      let ok = pos + chars.length <= len;
      for (let j = 0; ok && j < chars.length; j++) if (t[pos + j] !== chars[j]) ok = false;
      if (ok) {
        const r = matchNodes(p, ni + 1, t, len, pos + chars.length);
        if (r !== -1) return r;
      }
      return matchNodes(p, ni + 1, t, len, pos);
    }
    default: {
      if (pos < len) {
        const r = matchNodes(p, ni + 1, t, len, pos + 1);
        if (r !== -1) return r;
      }
      return matchNodes(p, ni + 1, t, len, pos);
    }
  }
}

function matchAt(p: CompiledPattern, t: Uint16Array, len: number, q: number): number {
  if (p.boundaryStart) {
    const before = q > 0 && isReWord(t[q - 1] ?? 0);
    const after = q < len && isReWord(t[q] ?? 0);
    if (before === after) return -1;
  }
  return matchNodes(p, 0, t, len, q);
}

/** Whitelisted terms; a descending sort puts each term before its prefixes (longest first). */
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;
const WHITELIST_TERMS = [...new Set((built.whitelistedTerms ?? []).map((t) => t.toLowerCase()))].sort().reverse();
const WHITELIST = new RegExp(WHITELIST_TERMS.map((t) => t.replace(REGEX_SPECIAL, '\\$&')).join('|'), 'y');
const MAX_WHITELIST_LENGTH = WHITELIST_TERMS.reduce((a, t) => Math.max(a, t.length), 0);

/** The canonical terms of the list (for documentation and tests). */
export const PROFANITY_TERMS: readonly string[] = [...new Set(PATTERNS.map((p) => p.term))].sort();

// ---------------------------------------------------------------------------------------------------

/** obscenity's transformed text of `folded` (for tests and diagnostics). */
export function profanityTransform(folded: string): string {
  const r = transform(folded, false);
  let s = '';
  for (let i = 0; i < r.length; i++) s += String.fromCharCode(r.units[i] ?? 0);
  return s;
}

/** Candidate starts for a gram ending at `end` with window offsets `offsets`. */
function pushCandidates(candidates: number[], end: number, offsets: number): void {
  for (let o = 0; o <= MAX_WINDOW_OFFSET; o++) {
    if ((offsets & (1 << o)) === 0) continue;
    const q = end - 2 - o;
    if (q >= 0) candidates.push(q);
  }
}

function sortUnique(a: number[]): void {
  a.sort((x, y) => x - y);
  let w = 1;
  for (let r = 1; r < a.length; r++) if (a[r] !== a[w - 1]) a[w++] = a[r] ?? 0;
  a.length = w;
}

interface Transformed {
  units: Uint16Array;
  length: number;
  map: OffsetMap;
  /** Positions (in `units`) where some pattern may start, ascending. */
  candidates: number[];
}

function transform(folded: string, wantCandidates: boolean): Transformed {
  const n = folded.length;
  // Invariant: k + (n - i) + 2 <= out.length (a unit in, at most one unit out, except astral results). The
  // buffer is reused across calls: a `Transformed` is only read until the next `transform`.
  if (transformScratch.length < n + 16) transformScratch = new Uint16Array(Math.max(n + 16, transformScratch.length * 2));
  let out = transformScratch;
  let k = 0;
  let delta = 0;
  const at: number[] = [];
  const deltas: number[] = [];
  const candidates: number[] = [];
  const simple = SIMPLE;
  const collapse = COLLAPSE;
  const generic: Stateful[] =
    collapse === null ? laterChain.map((t) => (t.stateful ? t.factory() : { transform: t.transform, reset() {} })) : [];
  let last = -1;
  let remaining = 0;
  // Rolling gram: the symbols of the last four emitted units; "before the text" is a non-word character.
  let gram = (SYM_NON_WORD << 15) | (SYM_NON_WORD << 10) | (SYM_NON_WORD << 5) | SYM_NON_WORD;
  for (let i = 0; i < n; i++) {
    const src = i;
    const cu = folded.charCodeAt(i);
    let v = simple[cu] ?? UNKNOWN_SIMPLE;
    if (v < 0) {
      if (v === DROPPED) continue;
      let cp = cu;
      if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < n) {
        const d = folded.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = (cu - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
          i++;
        }
      }
      v = simpleOf(cp);
      if (v < 0) continue;
    }
    if (collapse !== null) {
      if (v === last) {
        if (remaining <= 0) continue;
        remaining--;
      } else {
        last = v;
        const threshold = v < 0x80 ? (collapse[v] ?? 0) : collapseDefault;
        if (threshold === 0) continue;
        remaining = threshold - 1;
      }
    } else {
      let g: number | undefined = v;
      for (const t of generic) {
        if (g === undefined) break;
        g = t.transform(g);
      }
      if (g === undefined) continue;
      v = g;
    }
    if (src - k !== delta) {
      delta = src - k;
      at.push(k);
      deltas.push(delta);
    }
    if (v > 0xffff) {
      // An astral result: two units, both non-word characters for the gram.
      if (k + (n - i) + 4 > out.length) {
        const next = new Uint16Array(out.length * 2 + 4);
        next.set(out.subarray(0, k));
        out = next;
      }
      const u = v - 0x10000;
      out[k++] = 0xd800 + (u >> 10);
      gram = ((gram << 5) | SYM_NON_WORD) & GRAM_MASK;
      if (src - k !== delta) {
        delta = src - k;
        at.push(k);
        deltas.push(delta);
      }
      v = 0xdc00 + (u & 0x3ff);
    }
    out[k] = v;
    gram = ((gram << 5) | (v < 0x80 ? (SYM[v] ?? SYM_NON_WORD) : SYM_NON_WORD)) & GRAM_MASK;
    if (wantCandidates) {
      const offsets = GRAM_OFFSETS[gram] ?? 0;
      if (offsets !== 0) pushCandidates(candidates, k, offsets);
    }
    k++;
  }
  if (wantCandidates) {
    // Virtual non-word characters after the text complete the last grams.
    for (let pad = 0; pad < 3; pad++) {
      gram = ((gram << 5) | SYM_NON_WORD) & GRAM_MASK;
      const offsets = GRAM_OFFSETS[gram] ?? 0;
      if (offsets !== 0) pushCandidates(candidates, k + pad, offsets);
    }
    if (candidates.length > 1) sortUnique(candidates);
  }
  transformScratch = out;
  return { units: out, length: k, map: new OffsetMap('', at, deltas, n, k), candidates };
}

/** The output buffer of `transform`, kept between calls. */
let transformScratch = new Uint16Array(1024);

interface Span {
  start: number;
  end: number;
  term: string;
}

/**
 * Profanity matches on folded text, widened to whole words; overlapping matches are merged into the
 * leftmost one (so the result is sorted and non-overlapping).
 */
export function scanProfanityFolded(folded: string): ProfanityFoldedMatch[] {
  const tr = transform(folded, true);
  const t = tr.units;
  const len = tr.length;
  const spans: Span[] = [];
  for (const q of tr.candidates) {
    if (q >= len) continue;
    const u = t[q] ?? 0;
    const list = u < 0x80 ? BY_FIRST[u] : undefined;
    if (list !== undefined) for (const i of list) tryPattern(i, t, len, q, tr.map, folded, spans);
    for (const i of ANY_FIRST) tryPattern(i, t, len, q, tr.map, folded, spans);
  }
  if (spans.length === 0) return [];

  // Widen to whole words; merge overlapping matches (leftmost first). Every character is scanned at most
  // once by the widening loops, so this stays linear even for one huge "word" full of matches.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const n = folded.length;
  const out: ProfanityFoldedMatch[] = [];
  let current: ProfanityFoldedMatch | undefined;
  let lastEnd = 0;
  for (const sp of spans) {
    if (current !== undefined && sp.start < lastEnd) {
      if (sp.end > lastEnd) {
        let e = sp.end;
        while (e < n && isWord(folded.charCodeAt(e))) e++;
        current.end = e;
        lastEnd = e;
      }
      continue;
    }
    let a = sp.start;
    while (a > lastEnd && isWord(folded.charCodeAt(a - 1))) a--;
    let e = sp.end;
    while (e < n && isWord(folded.charCodeAt(e))) e++;
    current = { term: sp.term, start: a, end: e };
    out.push(current);
    lastEnd = e;
  }
  return out;
}

/** Try pattern `i` at `q`; keep the match unless whitelisted. */
function tryPattern(
  i: number,
  t: Uint16Array,
  len: number,
  q: number,
  map: OffsetMap,
  folded: string,
  spans: Span[],
): void {
  const p = PATTERNS[i];
  if (p === undefined) return;
  const e = matchAt(p, t, len, q);
  if (e === -1) return;
  const start = map.toOriginal(q);
  const end = map.toOriginalEnd(e);
  if (!isWhitelisted(folded, start, end)) spans.push({ start, end, term: p.term });
}

/**
 * Whether folded [start, end) lies inside an occurrence of a whitelisted term (obscenity's rule). Only
 * occurrences starting in [end − longest term, start] can contain it: try the sticky RegExp there.
 */
function isWhitelisted(folded: string, start: number, end: number): boolean {
  const re = WHITELIST;
  for (let p = Math.max(0, end - MAX_WHITELIST_LENGTH); p <= start; p++) {
    re.lastIndex = p;
    const m = re.exec(folded);
    if (m !== null && p + m[0].length >= end) return true;
  }
  return false;
}

/**
 * Turning text into an ONNX classifier's input, in the two forms a model directory can ask for:
 * - a hashed bag of words: lower-cased letter/digit runs (and optionally their n-grams, joined by one space),
 *   each counted at index FNV-1a-32(UTF-8 bytes) mod `dims`; optionally binary and/or L2-normalised. Anyone can
 *   reproduce it when training (the hash is the standard 32-bit FNV-1a);
 * - token ids from a WordPiece `vocab.txt` (BERT style: one token per line, the line number is the id), split in
 *   windows of `maxLength` with the [CLS]/[SEP] tokens, so a long text is read whole.
 */

export interface HashedBowSpec {
  dims: number;
  /** Longest word n-gram counted (1 = single words). */
  ngrams: number;
  binary: boolean;
  normalize: 'l2' | 'none';
  lowercase: boolean;
}

const WORD_RE = /[\p{L}\p{N}]+/gu;
const UTF8 = new TextEncoder();

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of UTF8.encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function words(text: string, lowercase: boolean): string[] {
  const t = text.normalize('NFKC');
  return (lowercase ? t.toLowerCase() : t).match(WORD_RE) ?? [];
}

/** The hashed bag-of-words vector of `text`. */
export function hashedBagOfWords(text: string, spec: HashedBowSpec): Float32Array {
  const v = new Float32Array(spec.dims);
  const w = words(text, spec.lowercase);
  for (let n = 1; n <= spec.ngrams; n++)
    for (let i = 0; i + n <= w.length; i++) {
      const idx = fnv1a32(n === 1 ? (w[i] as string) : w.slice(i, i + n).join(' ')) % spec.dims;
      v[idx] = spec.binary ? 1 : (v[idx] ?? 0) + 1;
    }
  if (spec.normalize === 'l2') {
    let sum = 0;
    for (const x of v) sum += x * x;
    if (sum > 0) {
      const norm = Math.sqrt(sum);
      for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / norm;
    }
  }
  return v;
}

export interface WordPieceSpec {
  vocab: ReadonlyMap<string, number>;
  lowercase: boolean;
  maxLength: number;
  clsToken: string;
  sepToken: string;
  unkToken: string;
}

/** Reads a `vocab.txt` (one token per line; line number = id). */
export function parseVocab(text: string): Map<string, number> {
  const vocab = new Map<string, number>();
  text.split(/\r?\n/).forEach((tok, i) => {
    if (tok !== '' && !vocab.has(tok)) vocab.set(tok, i);
  });
  return vocab;
}

const PUNCT_RE = /[\p{P}\p{S}]/u;

/** BERT's basic tokenizer: whitespace, then every punctuation or symbol character on its own; accents dropped when lower-casing. */
export function basicTokens(text: string, lowercase: boolean): string[] {
  let t = text;
  if (lowercase) t = t.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
  const out: string[] = [];
  for (const chunk of t.split(/\s+/)) {
    let word = '';
    for (const ch of chunk) {
      if (PUNCT_RE.test(ch)) {
        if (word) out.push(word);
        out.push(ch);
        word = '';
      } else word += ch;
    }
    if (word) out.push(word);
  }
  return out;
}

/** WordPiece ids of `text` (greedy longest match, `##` continuations), without special tokens. */
export function wordPieceIds(text: string, spec: WordPieceSpec): number[] {
  const unk = spec.vocab.get(spec.unkToken);
  if (unk === undefined) throw new Error(`the vocabulary has no unknown token '${spec.unkToken}'`);
  const ids: number[] = [];
  for (const word of basicTokens(text, spec.lowercase)) {
    const chars = [...word];
    if (chars.length > 100) {
      ids.push(unk);
      continue;
    }
    const pieces: number[] = [];
    let start = 0;
    let bad = false;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        found = spec.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) {
        bad = true;
        break;
      }
      pieces.push(found);
      start = end;
    }
    if (bad) ids.push(unk);
    else ids.push(...pieces);
  }
  return ids;
}

/** The windows a model reads: `[CLS] … [SEP]`, each at most `maxLength` ids; at least one (for empty text). */
export function idWindows(ids: readonly number[], spec: WordPieceSpec): number[][] {
  const cls = spec.vocab.get(spec.clsToken);
  const sep = spec.vocab.get(spec.sepToken);
  if (cls === undefined || sep === undefined)
    throw new Error(`the vocabulary has no '${spec.clsToken}' or '${spec.sepToken}' token`);
  const room = spec.maxLength - 2;
  const out: number[][] = [];
  for (let i = 0; i < ids.length || out.length === 0; i += room) out.push([cls, ...ids.slice(i, i + room), sep]);
  return out;
}

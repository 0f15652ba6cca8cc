/**
 * Text folding for word matching, with a map from folded offsets back to the original text.
 *
 * `normalizeWithMap(text)` folds every character independently (so offsets can be mapped back) and
 * returns the folded string plus offset mappers. Folding, per code point:
 *  1. invisible characters are removed: `\p{Cf}` and `\p{Default_Ignorable_Code_Point}` (zero-width
 *     space / non-joiner / joiner, word joiner, soft hyphen, BOM, bidi controls, variation selectors,
 *     tag characters, Hangul fillers…). So `Glo\u200Dbex` folds to `globex`;
 *  2. Unicode compatibility normalisation (NFKC): full-width `ｇｌｏｂｅｘ` → `globex`, ligatures `ﬁ` → `fi`,
 *     mathematical alphanumerics `𝐟𝐨𝐨` → `foo`, circled letters, superscripts…;
 *  3. case folding (upper-case then lower-case): `ß` → `ss`, `ς` → `σ`, `İ` → `i`, and the Turkish
 *     dotless `ı` → `i` (so `kıs` and `kis` fold alike: the matcher is dotless-i-insensitive);
 *  4. compatibility decomposition (NFKD) and removal of *diacritics*: the combining diacritical mark
 *     blocks (U+0300–036F, 1AB0–1AFF, 1DC0–1DFF, 20D0–20FF, FE20–FE2F), Cyrillic titlo marks, Hebrew
 *     points and Arabic harakat. So `é`, `e\u0301` and `E` all fold to `e` (diacritics-insensitive).
 *     Other combining marks (Indic vowel signs, kana voicing marks…) are kept, decomposed, because they
 *     change the letter rather than decorate it. Precomposed Hangul syllables are kept as they are;
 *  5. every run of whitespace (`\s`, including no-break and ideographic spaces, tabs and newlines) becomes
 *     one ASCII space.
 *
 * Folding one character at a time differs from folding a whole string only for sequences that NFC would
 * compose across characters into something that decomposes differently (e.g. conjoining Hangul jamo
 * typed as separate letters do not match the precomposed syllable). That is documented, not handled.
 *
 * Results for BMP characters are memoised in a lazily filled table (a pure function's cache; the
 * folding of ASCII is precomputed), so the per-character cost on ordinary text is a table lookup.
 */

/** Folded output of a text plus offset mappers back to the original string. */
export interface NormalizedText {
  /** The folded text. */
  readonly folded: string;
  /**
   * Original (UTF-16) offset of the character that produced `folded[i]`; for `i === folded.length`
   * returns `text.length`. Use it for the *start* of a span.
   */
  toOriginal(i: number): number;
  /**
   * Original (UTF-16) *exclusive end* offset for a span of `folded` that ends (exclusively) at `i`:
   * it covers the whole original character that produced `folded[i - 1]`, plus any removed characters
   * (combining diacritics, zero-width characters) that follow it. `toOriginalEnd(0) === toOriginal(0)`.
   */
  toOriginalEnd(i: number): number;
}

const UNKNOWN = -4;
const MULTI = -3;
const SPACE = -2;
const REMOVE = -1;

const REMOVABLE_RE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;
// Diacritics that folding strips (see point 4 above).
const STRIP_RE =
  /[\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u05BF\u05C1\u05C2\u05C4\u05C5\u05C7\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]/g;
const ALL_SPACE_RE = /^\s+$/;

/** Fold one character (one code point, as a string) into zero or more characters. */
function foldChar(ch: string): string {
  if (REMOVABLE_RE.test(ch)) return '';
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0xac00 && cp <= 0xd7a3) return ch; // precomposed Hangul syllable: keep composed
  return ch.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKD').replace(STRIP_RE, '');
}

function classify(folded: string): number {
  if (folded === '') return REMOVE;
  if (ALL_SPACE_RE.test(folded)) return SPACE;
  if (folded.length === 1) return folded.charCodeAt(0);
  return MULTI;
}

/** Memo for BMP code units: a folded code unit, or REMOVE / SPACE / MULTI / UNKNOWN. */
const FOLD = new Int32Array(0x10000).fill(UNKNOWN);
/** Multi-unit folds of BMP code units. */
const FOLD_MULTI = new Map<number, string>();
/** Memo for astral code points (bounded). */
const ASTRAL = new Map<number, string>();
const ASTRAL_MEMO_LIMIT = 8192;

for (let c = 0; c < 0x80; c++) {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) FOLD[c] = SPACE;
  else if (c >= 0x41 && c <= 0x5a) FOLD[c] = c + 0x20;
  else FOLD[c] = c;
}

function foldBmp(c: number): number {
  const folded = foldChar(String.fromCharCode(c));
  const v = classify(folded);
  if (v === MULTI) FOLD_MULTI.set(c, folded);
  FOLD[c] = v;
  return v;
}

function foldAstral(cp: number): string {
  // Pictographs / emoji and CJK extension ideographs fold to themselves. (Enclosed alphanumerics such
  // as 🄰, below U+1F300, do go through NFKC.)
  if ((cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3ffff)) return String.fromCodePoint(cp);
  const memo = ASTRAL.get(cp);
  if (memo !== undefined) return memo;
  const folded = foldChar(String.fromCodePoint(cp));
  if (ASTRAL.size < ASTRAL_MEMO_LIMIT) ASTRAL.set(cp, folded);
  return folded;
}

/** Whether a UTF-16 unit is whitespace (`\s`: ASCII blanks and line breaks, no-break and Unicode spaces). */
export function isSpaceUnit(u: number): boolean {
  return (
    u === 0x20 ||
    (u >= 0x09 && u <= 0x0d) ||
    u === 0xa0 ||
    u === 0x1680 ||
    (u >= 0x2000 && u <= 0x200a) ||
    u === 0x2028 ||
    u === 0x2029 ||
    u === 0x202f ||
    u === 0x205f ||
    u === 0x3000
  );
}

const CHUNK = 8192;
const UTF16 = new TextDecoder('utf-16le');

/** The string of the first `length` units (`wellFormed`: no lone surrogates, so the fast decoder may be used). */
export function unitsToString(units: Uint16Array, length: number, wellFormed: boolean): string {
  // TextDecoder is the fastest way to build a string from code units, but it replaces lone surrogates.
  if (wellFormed) return UTF16.decode(units.subarray(0, length));
  const parts: string[] = [];
  for (let i = 0; i < length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, units.subarray(i, Math.min(length, i + CHUNK)) as unknown as number[]));
  }
  return parts.join('');
}

/**
 * Folded → original offsets, stored sparsely: `orig(i) = i + delta` where `delta` is the value recorded
 * at the last breakpoint at or before `i`. Breakpoints only appear where the folded text shifts against
 * the original (collapsed whitespace, removed characters, expansions, surrogate pairs).
 * Exported for other derived texts (e.g. the profanity transform) that need the same kind of map.
 */
export class OffsetMap implements NormalizedText {
  readonly folded: string;
  readonly #at: Int32Array;
  readonly #delta: Int32Array;
  readonly #count: number;
  readonly #n: number;
  readonly #length: number;

  /**
   * @param folded the derived text
   * @param at derived offsets where the shift changes (ascending)
   * @param delta the shift (source offset − derived offset) from each `at` on
   * @param n the length of the source text
   * @param length the length of the derived text, when `folded` is not given as a string ('')
   */
  constructor(folded: string, at: number[], delta: number[], n: number, length = folded.length) {
    this.folded = folded;
    this.#length = length;
    this.#at = Int32Array.from(at);
    this.#delta = Int32Array.from(delta);
    this.#count = at.length;
    this.#n = n;
  }

  toOriginal(i: number): number {
    const len = this.#length;
    if (i >= len) return this.#n;
    if (i < 0) i = 0;
    // Last breakpoint with at <= i.
    let lo = 0;
    let hi = this.#count - 1;
    let d = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#at[mid] ?? 0) <= i) {
        d = this.#delta[mid] ?? 0;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return i + d;
  }

  toOriginalEnd(i: number): number {
    const len = this.#length;
    if (i <= 0) return this.toOriginal(0);
    if (i >= len) return this.#n;
    // Several folded characters can come from one original character (e.g. `ﬁ` → `fi`): never end
    // inside it.
    const prev = this.toOriginal(i - 1);
    let j = i;
    let o = this.toOriginal(j);
    while (o === prev && j < len) o = this.toOriginal(++j);
    return o;
  }
}

function grown(out: Uint16Array, used: number, need: number): Uint16Array<ArrayBuffer> {
  let cap = out.length * 2;
  while (cap < need) cap *= 2;
  const next = new Uint16Array(cap);
  next.set(out.subarray(0, used));
  return next;
}

/**
 * Fold `text` (see the module comment) and return the folded string with offset mappers.
 * Linear in `text.length`: one pass with a table lookup per character.
 */
export function normalizeWithMap(text: string): NormalizedText {
  const n = text.length;
  // Hot-loop state lives in plain locals (no closures), which keeps V8 from boxing it. The output units go to a
  // buffer reused across calls (the folded string is copied out of it at the end).
  if (unitScratch.length < n + 16) unitScratch = new Uint16Array(Math.max(n + 16, unitScratch.length * 2));
  let out: Uint16Array<ArrayBuffer> = unitScratch;
  let k = 0;
  let delta = 0; // original index - folded index for the current run
  const at: number[] = [];
  const deltas: number[] = [];
  let wellFormed = true;

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let v = FOLD[c] ?? UNKNOWN;
    if (v === SPACE) {
      if (k > 0 && out[k - 1] === 0x20) continue;
      v = 0x20;
    }
    if (v >= 0) {
      if (k >= out.length) out = grown(out, k, k + 1);
      out[k] = v;
      if (i - k !== delta) {
        delta = i - k;
        at.push(k);
        deltas.push(delta);
      }
      k++;
      continue;
    }
    if (v === REMOVE) continue;
    if (v === UNKNOWN && (c < 0xd800 || c > 0xdfff)) {
      foldBmp(c);
      i--; // re-dispatch with the now-known value
      continue;
    }
    // Rare paths: a multi-unit fold, a surrogate pair, or a lone surrogate.
    const src = i;
    let s: string;
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        s = foldAstral((c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000);
        i++;
      } else {
        wellFormed = false; // lone surrogate: kept as is
        s = String.fromCharCode(c);
      }
    } else {
      s = FOLD_MULTI.get(c) ?? String.fromCharCode(c);
    }
    if (k + s.length >= out.length) out = grown(out, k, k + s.length + 1);
    for (let j = 0; j < s.length; j++) {
      let u = s.charCodeAt(j);
      if (isSpaceUnit(u)) {
        if (k > 0 && out[k - 1] === 0x20) continue;
        u = 0x20;
      }
      out[k] = u;
      if (src - k !== delta) {
        delta = src - k;
        at.push(k);
        deltas.push(delta);
      }
      k++;
    }
  }

  unitScratch = out;
  return new OffsetMap(unitsToString(out, k, wellFormed), at, deltas, n);
}

/** The output buffer of `normalizeWithMap`, kept between calls (grown when a text needs more). */
let unitScratch: Uint16Array<ArrayBuffer> = new Uint16Array(1024);

/** The folded form of a configured word or phrase: folded like text, then trimmed. */
export function foldPhrase(phrase: string): string {
  return normalizeWithMap(phrase).folded.trim();
}

// ---------------------------------------------------------------------------------------------------
// Word characters (for word boundaries on folded text)

/**
 * Scripts written without spaces between words: their characters never count as word characters, so a
 * word in those scripts can match inside a run of them, and a Latin word next to them is on a boundary.
 */
const NO_SPACE_SCRIPTS =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}\\p{Script=Tibetan}';

/**
 * Word characters: letters, digits and marks (`\p{L}\p{N}\p{M}`), except characters of scripts written
 * without spaces. `_` and all punctuation are *not* word characters, so `Globex_api` and `(Globex)`
 * both contain the word `Globex`. Characters outside the BMP are not word characters.
 */
export const WORD_CLASS_SOURCE = `[[\\p{L}\\p{N}\\p{M}]--[${NO_SPACE_SCRIPTS}]]`;
const WORD_RE = new RegExp(`^${WORD_CLASS_SOURCE}$`, 'v');

/**
 * Memo of `isWordUnit` per UTF-16 code unit: 0 = not computed yet, 1 = word, 2 = not a word character.
 * Exported for hot loops (read it, and call `isWordUnit` when it holds 0); never write to it.
 */
export const WORD_UNITS = new Uint8Array(0x10000);
const WORD = WORD_UNITS;
for (let c = 0; c < 0x80; c++) {
  WORD[c] = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ? 1 : 2;
}

/** Whether the UTF-16 code unit `c` (of folded text) is a word character. Surrogates are not. */
export function isWordUnit(c: number): boolean {
  const w = WORD[c];
  if (w === 1) return true;
  if (w === 2) return false;
  const isWord = c < 0xd800 || c > 0xdfff ? WORD_RE.test(String.fromCharCode(c)) : false;
  WORD[c] = isWord ? 1 : 2;
  return isWord;
}

/** Whether position `i` of `s` is a word boundary given the word characters above (`i` in 0..length). */
export function isWordEdge(s: string, i: number): boolean {
  const before = i > 0 && isWordUnit(s.charCodeAt(i - 1));
  const after = i < s.length && isWordUnit(s.charCodeAt(i));
  return !(before && after);
}

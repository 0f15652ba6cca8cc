/**
 * Linear, allocation-light word tokenizer with UTF-16 offsets.
 *
 * A token is a run of letters/digits. Joiners stay inside a token only between two alphanumerics:
 * an apostrophe (' or ’) after a letter (`don't`, `Globex's`), a hyphen (`fund-raising`, `covid-19`),
 * and `.`/`,`/`:` between two digits (`1,000`, `3.5`, `10:30`). Everything else separates tokens.
 * Letters are ASCII letters plus a cheap approximation of non-ASCII letters (Latin-1 and Latin
 * Extended, Greek, Cyrillic, CJK, … — code points ≥ U+00C0 outside the punctuation/symbol blocks).
 *
 * Sentence starts: the first token, and any token after `!`, `?`, `…`, `;`, a newline, or a `.`
 * that does not look like an abbreviation/initial (`Dr.`, `e.g.`, `J.`) or precede a lowercase word.
 *
 * The result is a set of parallel typed arrays; read the token text with `text.slice(start[i], end[i])`.
 */

/** Token starts with a digit (`30`, `1,000`, `401k`, `5th`). */
export const T_NUMBER = 1;
/** Token contains at least one digit. */
export const T_DIGIT = 2;
/** First character is an uppercase letter. */
export const T_CAP = 4;
/** Two or more letters and all of them uppercase (`NASA`, `EU`). */
export const T_ALLCAPS = 8;
/** Token contains an internal hyphen. */
export const T_HYPHEN = 16;
/** Token begins a sentence (see module comment). */
export const T_SENT_START = 32;
/** Token contains an internal apostrophe. */
export const T_APOS = 64;

export interface Tokens {
  /** Number of tokens; the arrays may be longer. */
  readonly count: number;
  /** UTF-16 start offset of each token. */
  readonly start: Int32Array;
  /** UTF-16 end offset (exclusive) of each token. */
  readonly end: Int32Array;
  /** Bit set of `T_*` flags. */
  readonly flags: Uint8Array;
}

// Character classes for code units < 128.
const C_OTHER = 0;
const C_LOWER = 1;
const C_UPPER = 2;
const C_DIGIT = 3;
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 97 && c <= 122) ASCII_CLASS[c] = C_LOWER;
  else if (c >= 65 && c <= 90) ASCII_CLASS[c] = C_UPPER;
  else if (c >= 48 && c <= 57) ASCII_CLASS[c] = C_DIGIT;
}

/** Class of a UTF-16 code unit: 0 other, 1 lowercase/caseless letter, 2 uppercase letter, 3 digit. */
function charClass(c: number): number {
  if (c < 128) return ASCII_CLASS[c] ?? C_OTHER;
  if (c < 0xc0 || c === 0xd7 || c === 0xf7) return C_OTHER;
  if (c < 0x2000) {
    // Latin-1 Supplement / Latin Extended-A: a cheap uppercase test for the common accented capitals.
    if (c < 0xdf) return C_UPPER;
    if (c < 0x100) return C_LOWER;
    if (c < 0x180) return (c & 1) === 0 ? C_UPPER : C_LOWER;
    return C_LOWER;
  }
  if (c <= 0x2bff) return C_OTHER; // punctuation, symbols, arrows, math, box drawing…
  if (c >= 0x3000 && c <= 0x303f) return C_OTHER; // CJK punctuation
  if (c >= 0xd800 && c <= 0xdfff) return C_OTHER; // surrogates (emoji etc.)
  if (c >= 0xe000 && c <= 0xf8ff) return C_OTHER; // private use
  if (c >= 0xfe00 && c <= 0xfe6f) return C_OTHER; // variation selectors, small forms
  if (c === 0xfeff) return C_OTHER;
  if (c >= 0xff00 && c <= 0xff0f) return C_OTHER; // fullwidth punctuation
  return C_LOWER;
}

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'vs', 'etc', 'eg', 'ie', 'inc', 'ltd', 'co', 'corp',
  'jr', 'sr', 'no', 'approx', 'fig', 'dept', 'gen', 'gov', 'sen', 'rep', 'mt', 'ave',
]);

/**
 * Tokenize `text` in one linear pass. A caller that is done with an earlier result may pass it as `reuse`: its
 * arrays are refilled when they are long enough, instead of allocating new ones.
 */
export function tokenize(text: string, reuse?: Tokens): Tokens {
  const n = text.length;
  let cap = (n >> 2) + 16;
  let start: Int32Array;
  let end: Int32Array;
  let flags: Uint8Array;
  if (reuse !== undefined && reuse.start.length >= cap && reuse.end.length >= cap && reuse.flags.length >= cap) {
    start = reuse.start;
    end = reuse.end;
    flags = reuse.flags;
    cap = Math.min(start.length, end.length, flags.length);
  } else {
    start = new Int32Array(cap);
    end = new Int32Array(cap);
    flags = new Uint8Array(cap);
  }
  let count = 0;
  // Pending sentence break state for the gap before the next token.
  let boundary = true; // first token starts a sentence
  let periodPending = false; // a '.' was seen in the gap; resolved when the next token is known
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = charClass(c);
    if (cls === C_OTHER) {
      if (c === 46 /* . */) periodPending = true;
      else if (c === 33 || c === 63 || c === 59 || c === 10 || c === 0x2026 || c === 0x3002 || c === 0xff01 || c === 0xff1f)
        boundary = true; // ! ? ; \n … 。！？
      i++;
      continue;
    }
    // Start of a token.
    const s = i;
    let f = cls === C_DIGIT ? T_NUMBER | T_DIGIT : cls === C_UPPER ? T_CAP : 0;
    let letters = cls === C_DIGIT ? 0 : 1;
    let uppers = cls === C_UPPER ? 1 : 0;
    let prev = cls;
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      const dc = charClass(d);
      if (dc !== C_OTHER) {
        if (dc === C_DIGIT) f |= T_DIGIT;
        else {
          letters++;
          if (dc === C_UPPER) uppers++;
        }
        prev = dc;
        i++;
        continue;
      }
      // A joiner needs an alphanumeric on both sides.
      if (i + 1 >= n) break;
      const nc = charClass(text.charCodeAt(i + 1));
      if (nc === C_OTHER) break;
      if ((d === 39 || d === 0x2019) && prev !== C_DIGIT && nc !== C_DIGIT) {
        f |= T_APOS;
      } else if (d === 45 /* - */) {
        f |= T_HYPHEN;
      } else if ((d === 46 || d === 44 || d === 58) && prev === C_DIGIT && nc === C_DIGIT) {
        // 1,000 3.5 10:30
      } else break;
      i++; // consume the joiner; the loop consumes the next alphanumeric
    }
    if (letters >= 2 && uppers === letters) f |= T_ALLCAPS;
    if (periodPending && !boundary) {
      // A '.' before this token ends the previous sentence unless it follows an abbreviation or an
      // initial, or this token starts in lowercase ("approx. three").
      const startsLower = cls === C_LOWER;
      let abbrev = false;
      if (count > 0) {
        const ps = start[count - 1] ?? 0;
        const pe = end[count - 1] ?? 0;
        // single letters are initials ("J. Smith", "e.g.", "U.S.")
        if (pe - ps === 1) abbrev = ((flags[count - 1] ?? 0) & T_NUMBER) === 0;
        else if (pe - ps <= 6) abbrev = ABBREVIATIONS.has(text.slice(ps, pe).toLowerCase());
      }
      if (!startsLower && !abbrev) boundary = true;
    }
    if (boundary) f |= T_SENT_START;
    boundary = false;
    periodPending = false;
    if (count === cap) {
      cap *= 2;
      const ns = new Int32Array(cap);
      ns.set(start);
      start = ns;
      const ne = new Int32Array(cap);
      ne.set(end);
      end = ne;
      const nf = new Uint8Array(cap);
      nf.set(flags);
      flags = nf;
    }
    start[count] = s;
    end[count] = i;
    flags[count] = f;
    count++;
  }
  return { count, start, end, flags };
}

/** Sentence ranges as pairs of token indices `[first, last + 1)`, derived from `T_SENT_START`. */
export function sentenceRanges(tokens: Tokens): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let s = 0;
  for (let i = 1; i < tokens.count; i++) {
    if (((tokens.flags[i] ?? 0) & T_SENT_START) !== 0) {
      out.push([s, i]);
      s = i;
    }
  }
  if (tokens.count > 0) out.push([s, tokens.count]);
  return out;
}

const CURLY_APOSTROPHE = /’/g;

/** Lowercase text of token `i`, with the typographic apostrophe (’) folded to ' ("can’t" → "can't"). */
export function lowerToken(text: string, tokens: Tokens, i: number): string {
  const lower = text.slice(tokens.start[i] ?? 0, tokens.end[i] ?? 0).toLowerCase();
  return ((tokens.flags[i] ?? 0) & T_APOS) !== 0 && lower.includes('’') ? lower.replace(CURLY_APOSTROPHE, "'") : lower;
}

/**
 * Text normalisation and tokenisation for the classification detectors (content categories and
 * prompt attack). Pure and linear in the text length.
 *
 * `normalizeText` folds the text for matching: Unicode NFKC (full-width, ligatures, mathematical
 * alphanumerics → ASCII), removal of invisible characters (zero-width space/joiner, soft hyphen, BOM,
 * bidi controls, variation selectors), lower-case. Pure-ASCII text skips the Unicode steps.
 *
 * `tokenize` splits the folded text into word tokens and undoes the common obfuscations:
 * - leetspeak inside a word (`h4te`, `1gn0re`, `k!ll`, `$hit`, `@ss`) is decoded when the decoded
 *   word is known to the caller's vocabulary (`isKnown`), so `mp3` or `2024` stay as they are;
 * - spaced-out letters (`k i l l`, `i.g.n.o.r.e`, `k-i-l-l`) are joined and split greedily into known words;
 * - stretched letters (`kiiiill`, `fuuuck`) are collapsed when that yields a known word;
 * - Cyrillic/Greek look-alike letters inside a Latin word (`kіll` with a Cyrillic і) are mapped to Latin;
 * - contractions are expanded (`don't` → `do not`, `i'm` → `i am`, `you're` → `you are`, `u` → `you`),
 *   and a possessive `'s` is dropped with the token flagged `TF_POSS` (`someone's` → `someone`).
 * Sentences are split on `. ! ? ;` followed by a space, and on newlines.
 */

/** The token was followed by a possessive `'s` (`someone's car`). */
export const TF_POSS = 1;
/** The token starts with an upper-case ASCII letter and does not start its sentence (a likely name). */
export const TF_CAP = 2;
/** The token was de-obfuscated (leetspeak, look-alike letters, stretched letters or spaced-out letters). */
export const TF_OBFUSCATED = 4;
/** The token starts a sentence. */
export const TF_SENT_START = 8;
/** The token is plain: ASCII letters only (or a number), no symbols, no stretched letters: nothing to undo. */
export const TF_PLAIN = 16;

export interface TokenList {
  /** Normalised words (lower-case, de-obfuscated, contractions expanded). */
  readonly words: string[];
  /** `TF_*` flags per token; `TF_SENT_START` marks the first token of each sentence. */
  readonly flags: number[];
  /** Number of de-obfuscated tokens (a signal of its own for prompt attacks). */
  readonly obfuscated: number;
  /** The folded, lower-cased text the tokens come from (`normalizeText(text)`). */
  readonly normalized: string;
}

/** Longest word that de-obfuscation looks at (no word is longer; bounds the work on junk). */
export const MAX_DEOBFUSCATE = 64;

// Invisible characters removed before matching (format characters and default-ignorables that
// people use to split words: soft hyphen, zero-width space/non-joiner/joiner, bidi marks and
// overrides, word joiner, invisible operators, variation selectors, BOM, Hangul fillers).
const INVISIBLE =
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;
const NON_ASCII = /[^\x00-\x7F]/;

/** NFKC + invisible-character removal + lower-case (pure-ASCII input only lower-cases). */
export function normalizeText(text: string): string {
  return foldUnicode(text).toLowerCase();
}

function foldUnicode(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  // Turkish dotted capital I lower-cases to "i" + combining dot: fold it to a plain I first.
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(/\u0130/g, 'I');
}

// Leetspeak digits/symbols → letters.
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '2': 'z',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '6': 'g',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
};

// Cyrillic and Greek letters that look like Latin ones (lower-case, after NFKC).
const LOOKALIKE = new Map<number, string>([
  [0x0430, 'a'],
  [0x0435, 'e'],
  [0x043e, 'o'],
  [0x0440, 'p'],
  [0x0441, 'c'],
  [0x0443, 'y'],
  [0x0445, 'x'],
  [0x0456, 'i'],
  [0x0458, 'j'],
  [0x0455, 's'],
  [0x0501, 'd'],
  [0x04bb, 'h'],
  [0x043a, 'k'],
  [0x043c, 'm'],
  [0x0442, 't'],
  [0x0432, 'b'],
  [0x043d, 'h'],
  [0x03bf, 'o'],
  [0x03b1, 'a'],
  [0x03b9, 'i'],
  [0x03ba, 'k'],
  [0x03bd, 'v'],
  [0x03c1, 'p'],
  [0x03c4, 't'],
  [0x03c5, 'u'],
  [0x03c7, 'x'],
  [0x0261, 'g'],
]);

// Contractions and chat spellings, expanded to several tokens. Keys have apostrophes removed.
const EXPAND: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['dont', ['do', 'not']],
  ['doesnt', ['does', 'not']],
  ['didnt', ['did', 'not']],
  ['cant', ['can', 'not']],
  ['cannot', ['can', 'not']],
  ['wont', ['will', 'not']],
  ['wouldnt', ['would', 'not']],
  ['shouldnt', ['should', 'not']],
  ['couldnt', ['could', 'not']],
  ['mustnt', ['must', 'not']],
  ['isnt', ['is', 'not']],
  ['arent', ['are', 'not']],
  ['wasnt', ['was', 'not']],
  ['werent', ['were', 'not']],
  ['havent', ['have', 'not']],
  ['hasnt', ['has', 'not']],
  ['hadnt', ['had', 'not']],
  ['aint', ['is', 'not']],
  ['im', ['i', 'am']],
  ['ima', ['i', 'am', 'going', 'to']],
  ['imma', ['i', 'am', 'going', 'to']],
  ['youre', ['you', 'are']],
  ['theyre', ['they', 'are']],
  ['ive', ['i', 'have']],
  ['youve', ['you', 'have']],
  ['weve', ['we', 'have']],
  ['theyve', ['they', 'have']],
  ['youll', ['you', 'will']],
  ['theyll', ['they', 'will']],
  ['youd', ['you', 'would']],
  ['gonna', ['going', 'to']],
  ['wanna', ['want', 'to']],
  ['gotta', ['got', 'to']],
  ['u', ['you']],
  ['ya', ['you']],
  ['ur', ['your']],
  ['r', ['are']],
  ['n', ['and']],
]);
// Contractions that only expand when written with an apostrophe (`i'll` but not `ill`).
const EXPAND_APOS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ["i'll", ['i', 'will']],
  ["we'll", ['we', 'will']],
  ["he'll", ['he', 'will']],
  ["she'll", ['she', 'will']],
  ["i'd", ['i', 'would']],
  ["we'd", ['we', 'would']],
  ["he'd", ['he', 'would']],
  ["she'd", ['she', 'would']],
  ["they'd", ['they', 'would']],
  ["we're", ['we', 'are']],
]);
// Words whose `'s` means "is"/"us" rather than a possessive.
const S_IS: ReadonlyMap<string, string> = new Map([
  ['it', 'is'],
  ['that', 'is'],
  ['what', 'is'],
  ['he', 'is'],
  ['she', 'is'],
  ['there', 'is'],
  ['here', 'is'],
  ['who', 'is'],
  ['where', 'is'],
  ['how', 'is'],
  ['when', 'is'],
  ['why', 'is'],
  ['this', 'is'],
  ['let', 'us'],
]);

function isLetter(c: number): boolean {
  if (c >= 97 && c <= 122) return true;
  if (c < 0xc0) return false;
  if (c === 0xd7 || c === 0xf7) return false;
  if (c >= 0x2000 && c <= 0x2bff) return false; // punctuation, symbols, arrows, box drawing, dingbats
  if (c >= 0x2e00 && c <= 0x2e7f) return false;
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  if (c >= 0xd800 && c <= 0xf8ff) return false; // surrogates (emoji…) and private use
  if (c >= 0xfe10 && c <= 0xfe6f) return false;
  if (c >= 0xff00 && c <= 0xff20) return false;
  if (c >= 0xff3b && c <= 0xff40) return false;
  if (c >= 0xff5b && c <= 0xff65) return false;
  if (c === 0xfffd) return false;
  return true;
}
function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019 || c === 0x2018 || c === 0x60;
}
// Symbols that may stand for letters inside a word.
function isLeetSym(c: number): boolean {
  return c === 64 || c === 36 || c === 33 || c === 42 || c === 124 || c === 43; // @ $ ! * | +
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0x3000;
}
// Separators allowed between spaced-out letters: space, . - _ * · /
function isLetterSpacer(c: number): boolean {
  return c === 32 || c === 46 || c === 45 || c === 95 || c === 42 || c === 0xb7 || c === 47;
}

const MAX_JOIN_WORD = 24;

// ASCII character classes for the scanner.
const C_LETTER = 1;
const C_DIGIT = 2;
const C_SPACE = 4;
const ASCII = new Uint8Array(128);
for (let c = 97; c <= 122; c++) ASCII[c] = C_LETTER;
for (let c = 48; c <= 57; c++) ASCII[c] = C_DIGIT;
for (const c of [32, 9, 10, 11, 12, 13]) ASCII[c] = C_SPACE;

function letterAt(s: string, j: number): boolean {
  const c = s.charCodeAt(j);
  return c < 128 ? ASCII[c] === C_LETTER : isLetter(c);
}
function alnumAt(s: string, j: number): boolean {
  const c = s.charCodeAt(j);
  return c < 128 ? ((ASCII[c] ?? 0) & (C_LETTER | C_DIGIT)) !== 0 : isLetter(c);
}

/**
 * Tokenise `text` (any case; it is normalised here). `isKnown(word)` tells whether a de-obfuscated
 * candidate is a word the caller cares about; obfuscated forms are only decoded into known words.
 */
export function tokenize(text: string, isKnown: (word: string) => boolean): TokenList {
  const folded = foldUnicode(text);
  const s = folded.toLowerCase();
  const capSrc = s.length === folded.length ? folded : null;
  return scan(s, capSrc, isKnown);
}

// Single-entry memo: the engine usually runs both detectors on the same text, one after the other.
let memoText: string | null = null;
let memoKnown: ((word: string) => boolean) | null = null;
let memoTokens: TokenList | null = null;

/**
 * `tokenize`, remembering the last result: a second call with the same text and predicate (another
 * detector on the same input) costs a string comparison. The memo holds one text at a time.
 */
export function tokenizeCached(text: string, isKnown: (word: string) => boolean): TokenList {
  if (memoTokens !== null && memoKnown === isKnown && memoText === text) return memoTokens;
  const t = tokenize(text, isKnown);
  memoText = text;
  memoKnown = isKnown;
  memoTokens = t;
  return t;
}

/**
 * `normalizeText(text)`, taken from the tokenizer memo when it holds this text: the content detector, the
 * prompt-attack detector and the classifier read one block one after the other, so the block is folded once.
 */
export function normalizeTextShared(text: string): string {
  return memoTokens !== null && memoText === text ? memoTokens.normalized : normalizeText(text);
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Distinct token texts kept by `internedSlice`. */
const INTERNED_MAX = 50_000;
const INTERNED = new Map<number, string>();
/** Key + 1 of a token text seen once, per slot (direct-mapped; 0: empty). */
const SEEN_ONCE = new Int32Array(1 << 15);

/**
 * s.slice(start, end), given the FNV-1a hash of those characters, as the same string object every time it is
 * seen (bounded; on a hash collision the later text is simply not kept). A token is then no new string, and the
 * maps it is looked up in next (expansions, vocabularies) read the hash the string already carries. A text is
 * kept from its second sighting on: words met once (half of a vocabulary) never fill the table.
 */
function internedSlice(s: string, start: number, end: number, hash: number): string {
  const key = hash & 0x3fffffff;
  const known = INTERNED.get(key);
  if (known !== undefined && known.length === end - start && s.startsWith(known, start)) return known;
  const w = s.slice(start, end);
  if (known === undefined) {
    const slot = key & (SEEN_ONCE.length - 1);
    if (SEEN_ONCE[slot] !== key + 1) SEEN_ONCE[slot] = key + 1;
    else {
      if (INTERNED.size >= INTERNED_MAX) INTERNED.clear();
      INTERNED.set(key, w);
    }
  }
  return w;
}

/**
 * One pass over the folded text. Single letters are kept as they are and their positions recorded;
 * when one of them may start a spaced-out word or is a chat spelling (u, r, n), a second pass
 * (`fixSingleLetters`) joins or expands them.
 */
function scan(s: string, capSrc: string | null, isKnown: (word: string) => boolean): TokenList {
  const len = s.length;
  const words: string[] = [];
  const flags: number[] = [];
  // Token index, start and end of every one-letter token.
  const singles: number[] = [];
  let needFix = false;
  let lastSingleEnd = -10;
  let sentHasToken = false;
  let obfuscated = 0;

  let i = 0;
  while (i < len) {
    const c = s.charCodeAt(i);
    const cc = c < 128 ? (ASCII[c] ?? 0) : isLetter(c) ? C_LETTER : 0;
    if ((cc & (C_LETTER | C_DIGIT)) === 0 && !((c === 64 || c === 36) && i + 1 < len && letterAt(s, i + 1))) {
      // Sentence boundaries.
      if (c === 10 || c === 13) sentHasToken = false;
      else if (c === 46 || c === 33 || c === 63 || c === 59) {
        const n = i + 1 < len ? s.charCodeAt(i + 1) : 32;
        if (isSpace(n) || n === 34 || n === 39 || n === 41) sentHasToken = false;
      }
      i++;
      continue;
    }
    let j = i;
    let hasLetter = false;
    let hasDigit = false;
    let hasSym = false;
    let hasApos = false;
    let hasNonAscii = false;
    let hasTriple = false;
    let run = 0;
    let prev = -1;
    let poss = false;
    let hash = FNV_OFFSET;
    while (j < len) {
      const d = s.charCodeAt(j);
      const dc = d < 128 ? (ASCII[d] ?? 0) : isLetter(d) ? C_LETTER : 0;
      if (dc === C_LETTER) {
        hasLetter = true;
        if (d > 127) hasNonAscii = true;
      } else if (dc === C_DIGIT) {
        hasDigit = true;
      } else if (isApostrophe(d) && j > i && j + 1 < len && letterAt(s, j + 1)) {
        // `'s` followed by a non-letter: possessive (or "is"); other apostrophes are dropped.
        if (s.charCodeAt(j + 1) === 115 && (j + 2 >= len || !alnumAt(s, j + 2))) {
          poss = true;
          break;
        }
        hasApos = true;
      } else if (isLeetSym(d) && j + 1 < len && alnumAt(s, j + 1) && (j > i || d === 64 || d === 36)) {
        hasSym = true;
      } else {
        break;
      }
      if (d === prev) {
        run++;
        if (run >= 3) hasTriple = true;
      } else {
        run = 1;
        prev = d;
      }
      hash = Math.imul(hash ^ d, FNV_PRIME);
      j++;
    }
    let word = internedSlice(s, i, j, hash);
    let f = sentHasToken ? 0 : TF_SENT_START;
    if (!hasSym && !hasNonAscii && !hasTriple && !hasApos && !(hasDigit && hasLetter)) f |= TF_PLAIN;
    let exp: readonly string[] | undefined;
    if (hasApos) {
      exp = EXPAND_APOS.get(word.replace(/[’‘`]/g, "'"));
      word = word.replace(/['’‘`]/g, '');
    }
    if (exp === undefined && hasLetter && (hasSym || hasDigit || hasNonAscii || hasTriple) && word.length <= MAX_DEOBFUSCATE && !isKnown(word)) {
      const fixed = deobfuscate(word, hasSym || hasDigit, hasNonAscii, hasTriple, isKnown);
      if (fixed !== null) {
        word = fixed;
        f |= TF_OBFUSCATED;
        obfuscated++;
      }
    }
    if (capSrc !== null && sentHasToken) {
      const oc = capSrc.charCodeAt(i);
      if (oc >= 65 && oc <= 90) f |= TF_CAP;
    }
    if (word.length === 1 && hasLetter) {
      // A single letter next to another one (a spacer apart) may belong to a spaced-out word: keep it
      // as it is for the second pass. An isolated one is expanded now (u → you).
      const gap = i - lastSingleEnd;
      if (singleLetterFollows(s, j) || (gap >= 1 && gap <= 2 && isLetterSpacer(s.charCodeAt(i - 1)))) {
        needFix = true;
      } else {
        exp = EXPAND.get(word);
      }
      singles.push(words.length, i, j);
      lastSingleEnd = j;
    } else if (exp === undefined && word.length <= 8) {
      exp = EXPAND.get(word);
    }
    const isWord = poss ? S_IS.get(word) : undefined;
    if (exp !== undefined) {
      for (let q = 0; q < exp.length; q++) {
        words.push(exp[q] ?? '');
        flags.push(q === 0 ? f : 0);
      }
    } else {
      words.push(word);
      flags.push(poss && isWord === undefined ? f | TF_POSS : f);
    }
    if (isWord !== undefined) {
      words.push(isWord);
      flags.push(0);
    }
    sentHasToken = true;
    i = poss ? j + 2 : j;
  }
  if (!needFix) return { words, flags, obfuscated, normalized: s };
  return fixSingleLetters(s, words, flags, singles, obfuscated, isKnown);
}

/** After a one-letter token ending at j: one or two spacers, then a letter that is not followed by a letter. */
function singleLetterFollows(s: string, j: number): boolean {
  for (let g = j; g < j + 3 && g < s.length; g++) {
    const c = s.charCodeAt(g);
    if (g > j && letterAt(s, g)) return g + 1 >= s.length || !letterAt(s, g + 1);
    if (!isLetterSpacer(c)) return false;
  }
  return false;
}

/** Second pass, only when single letters occur: join spaced-out letters and expand u / r / n. */
function fixSingleLetters(
  s: string,
  rawWords: string[],
  rawFlags: number[],
  singles: number[],
  obfuscatedIn: number,
  isKnown: (word: string) => boolean,
): TokenList {
  const words: string[] = [];
  const flags: number[] = [];
  let obfuscated = obfuscatedIn;
  // Positions of the one-letter tokens (-1: not a one-letter token).
  const n0 = rawWords.length;
  const startOf = new Int32Array(n0).fill(-1);
  const endOf = new Int32Array(n0).fill(-1);
  for (let q = 0; q + 2 < singles.length; q += 3) {
    const t = singles[q] ?? -1;
    if (t >= 0 && t < n0 && (rawWords[t] ?? '').length === 1) {
      startOf[t] = singles[q + 1] ?? 0;
      endOf[t] = singles[q + 2] ?? 0;
    }
  }
  const n = rawWords.length;
  const single = (q: number): boolean => (startOf[q] ?? -1) >= 0;

  const pushWord = (w: string, f: number): void => {
    const exp = w.length === 1 ? EXPAND.get(w) : undefined;
    if (exp !== undefined) {
      for (let q = 0; q < exp.length; q++) {
        words.push(exp[q] ?? '');
        flags.push(q === 0 ? f & ~TF_POSS : 0);
      }
      return;
    }
    words.push(w);
    flags.push(f);
  };

  const segmentInto = (letters: string, at: number): void => {
    const f0 = rawFlags[at] ?? 0;
    let p = 0;
    while (p < letters.length) {
      let best = 0;
      const maxL = Math.min(MAX_JOIN_WORD, letters.length - p);
      for (let l = maxL; l >= 2; l--) {
        if (isKnown(letters.slice(p, p + l))) {
          best = l;
          break;
        }
      }
      const fp = p === 0 ? f0 : f0 & ~TF_SENT_START;
      if (best === 0) {
        // An unknown letter stays a letter (not expanded: "r" in "i g n o r e" is not "are").
        words.push(letters.charAt(p));
        flags.push(fp);
        p++;
      } else {
        pushWord(letters.slice(p, p + best), fp | TF_OBFUSCATED);
        obfuscated++;
        p += best;
      }
    }
  };

  // A two-letter run is joined only next to another spaced-out run ("h o w   t o   k i l l").
  const spacedNeighbour = (k0: number, m0: number): boolean => {
    const before = k0 >= 2 && single(k0 - 1) && single(k0 - 2);
    const after = m0 + 1 < n && single(m0) && single(m0 + 1);
    return before || after;
  };

  let k = 0;
  while (k < n) {
    const w = rawWords[k] ?? '';
    if (single(k)) {
      // The run of single letters separated by one or two spacer characters.
      let m = k + 1;
      while (m < n && single(m)) {
        const gapStart = endOf[m - 1] ?? 0;
        const gapEnd = startOf[m] ?? 0;
        const gap = gapEnd - gapStart;
        if (gap < 1 || gap > 2) break;
        let ok = true;
        for (let g = gapStart; g < gapEnd; g++) if (!isLetterSpacer(s.charCodeAt(g))) ok = false;
        if (!ok) break;
        m++;
      }
      const run = m - k;
      if (run >= 3 || (run === 2 && isKnown(w + (rawWords[k + 1] ?? '')) && spacedNeighbour(k, m))) {
        let letters = '';
        for (let q = k; q < m; q++) letters += rawWords[q] ?? '';
        segmentInto(letters, k);
        k = m;
        continue;
      }
    }
    pushWord(w, rawFlags[k] ?? 0);
    k++;
  }
  return { words, flags, obfuscated, normalized: s };
}

export function deobfuscate(
  word: string,
  leet: boolean,
  nonAscii: boolean,
  triple: boolean,
  isKnown: (w: string) => boolean,
): string | null {
  let w = word;
  if (nonAscii) {
    let out = '';
    let changed = false;
    for (let q = 0; q < w.length; q++) {
      const ch = LOOKALIKE.get(w.charCodeAt(q));
      if (ch !== undefined) {
        out += ch;
        changed = true;
      } else out += w.charAt(q);
    }
    if (changed) {
      if (isKnown(out)) return out;
      w = out;
    }
  }
  if (leet) {
    let out = '';
    for (let q = 0; q < w.length; q++) {
      const ch = w.charAt(q);
      const m = LEET[ch];
      if (m !== undefined) out += m;
      else if (ch !== '*') out += ch;
      else out += '*';
    }
    if (isKnown(out)) return out;
    // `*` as a censoring wildcard: try the common vowels (f*ck, sh*t, b*tch).
    if (out.includes('*')) {
      for (const v of ['u', 'i', 'o', 'a', 'e']) {
        const cand = out.replace(/\*+/g, v);
        if (isKnown(cand)) return cand;
      }
      const dropped = out.replace(/\*+/g, '');
      if (isKnown(dropped)) return dropped;
    }
    // `1`, `|` and `!` are `l` about as often as `i` (`k1ll` vs `ki11`).
    const alt = altLeet(w);
    if (alt !== out && isKnown(alt)) return alt;
    w = out;
  }
  if (triple) {
    const two = w.replace(/(.)\1{2,}/g, '$1$1');
    if (isKnown(two)) return two;
    const one = w.replace(/(.)\1{2,}/g, '$1');
    if (isKnown(one)) return one;
  }
  return null;
}

function altLeet(w: string): string {
  let out = '';
  for (let q = 0; q < w.length; q++) {
    const ch = w.charAt(q);
    if (ch === '1' || ch === '|' || ch === '!') out += 'l';
    else {
      const m = LEET[ch];
      out += m ?? ch;
    }
  }
  return out;
}

/** Letters-only concatenation of the tokens (`"i g n o r e  previous"` → `"ignoreprevious"`), for
 * matching key phrases regardless of spacing and punctuation. Bounded by `maxChars`. */
export function compactWords(words: readonly string[], maxChars: number): string {
  let out = '';
  for (const w of words) {
    if (out.length >= maxChars) break;
    out += w;
  }
  return out;
}

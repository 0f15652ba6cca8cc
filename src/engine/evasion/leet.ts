/**
 * Leetspeak: digits and symbols written for letters (`pr0j3c7`, `qu4n7um`, `a$$`, `b1uebird`). Works on folded
 * text (lower case, see `words/normalize.ts`).
 *
 * `leetCanonical(folded)` gives a *canonical* form of the same length: in every word that holds a letter, the
 * look-alike digits and symbols become letters (`0`→o, `1`→i, `3`→e, `4`→a, `5`→s, `7`→t, `8`→b, `9`→g, `@`→a,
 * `$`→s, `|`→i, and `!`→i before a letter or digit), and `l` becomes `i` as well — `1` and `|` stand for both,
 * so the canonical form merges them. The matcher compares canonical text with canonical words, so `b1uebird`,
 * `blu3bird` and `bluebird` meet at `biuebird`. Words of digits only (`2024`, `4111`) are left alone, so
 * numbers never read as words.
 */
import { unitsToString } from '../words/normalize.ts';

/** Canonical letter per ASCII unit inside a word, 0 when the unit stays. */
const CANON = new Uint8Array(128);
for (const [from, to] of [
  ['0', 'o'], ['1', 'i'], ['3', 'e'], ['4', 'a'], ['5', 's'], ['7', 't'], ['8', 'b'], ['9', 'g'],
  ['@', 'a'], ['$', 's'], ['|', 'i'], ['!', 'i'], ['l', 'i'],
] as const)
  CANON[from.charCodeAt(0)] = to.charCodeAt(0);

const BANG = 0x21;

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isSymbol(c: number): boolean {
  return c === 0x40 || c === 0x24 || c === 0x7c || c === BANG;
}

/** The canonical form of `folded` (same length). */
export function leetCanonical(folded: string): string {
  const n = folded.length;
  const out = new Uint16Array(n);
  let i = 0;
  while (i < n) {
    const c = folded.charCodeAt(i);
    if (!(isLetter(c) || isDigit(c) || isSymbol(c))) {
      out[i++] = c;
      continue;
    }
    // A word: letters, digits and look-alike symbols (a `!` only when a letter or digit follows it).
    let j = i;
    let letter = false;
    for (; j < n; j++) {
      const d = folded.charCodeAt(j);
      if (d === BANG) {
        const next = j + 1 < n ? folded.charCodeAt(j + 1) : 0;
        if (!(isLetter(next) || isDigit(next))) break;
      } else if (!(isLetter(d) || isDigit(d) || isSymbol(d))) break;
      if (isLetter(d)) letter = true;
    }
    if (j === i) {
      out[i] = c; // a `!` that ends a sentence
      i++;
      continue;
    }
    for (let k = i; k < j; k++) {
      const d = folded.charCodeAt(k);
      const to = letter && d < 128 ? CANON[d] ?? 0 : 0;
      out[k] = to !== 0 ? to : d;
    }
    i = j;
  }
  return unitsToString(out, n, false);
}

/** Letter per digit for `leetValues` (case kept: digits become lower case). */
const DIGIT_LETTER = 'oi?eas?tbg';

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/**
 * For values (PII): `text` with the look-alike digits of every word that mixes ASCII letters and digits read as
 * letters (`j4n3.d03@3x4mpl3.c0m` → `jane.doe@example.com`; `0`→o, `1`→i, `3`→e, `4`→a, `5`→s, `7`→t, `8`→b,
 * `9`→g, case kept otherwise). Words of digits only (`536`, `4111`) are left alone. Same length; `null` when no
 * word changes.
 */
export function leetValues(text: string): string | null {
  const positions = leetValuePositions(text);
  if (positions.length === 0) return null;
  const n = text.length;
  const out = new Uint16Array(n);
  for (let k = 0; k < n; k++) out[k] = text.charCodeAt(k);
  for (const k of positions) out[k] = DIGIT_LETTER.charCodeAt(text.charCodeAt(k) - 0x30);
  return unitsToString(out, n, false);
}

/** A look-alike digit or symbol: found by a one-class regex (fast), then its neighbours are looked at. */
const LOOKALIKE_RE = /[013-57-9@$|!]/g;
/** What follows the `@` of an e-mail address: a domain. */
const DOMAIN_RE = /^[a-z0-9-]+\.[a-z]{2,}/i;

/**
 * Positions in `folded` where a look-alike digit or symbol touches a letter (a `!` only a following one) — the
 * places where the canonical form can find something the plain text does not —
 * except the `@` of an e-mail address (`sam@example.com` is not leetspeak).
 */
export function leetPositions(folded: string): number[] {
  const out: number[] = [];
  const n = folded.length;
  LOOKALIKE_RE.lastIndex = 0;
  for (let m = LOOKALIKE_RE.exec(folded); m !== null; m = LOOKALIKE_RE.exec(folded)) {
    const i = m.index;
    const c = folded.charCodeAt(i);
    const before = i > 0 ? folded.charCodeAt(i - 1) : 0;
    const after = i + 1 < n ? folded.charCodeAt(i + 1) : 0;
    if (!((c !== BANG && isLetter(before)) || isLetter(after))) continue;
    if (c === 0x40 && DOMAIN_RE.test(folded.slice(i + 1, i + 80))) continue;
    out.push(i);
  }
  return out;
}

/** Whether `s[start, end)` holds a look-alike digit or symbol. */
export function holdsLeet(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if ((isDigit(c) || isSymbol(c)) && CANON[c] !== 0) return true;
  }
  return false;
}

const MIXED_RE = /[A-Za-z][0-9]|[0-9][A-Za-z]/;

/** Positions of the digits `leetValues` would read as letters. */
export function leetValuePositions(text: string): number[] {
  const out: number[] = [];
  if (!MIXED_RE.test(text)) return out;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!(isAsciiLetter(c) || isDigit(c))) {
      i++;
      continue;
    }
    let j = i;
    let letters = false;
    let digits = false;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (isAsciiLetter(d)) letters = true;
      else if (isDigit(d)) digits ||= DIGIT_LETTER[d - 0x30] !== '?';
      else break;
    }
    if (letters && digits)
      for (let k = i; k < j; k++) {
        const d = text.charCodeAt(k);
        if (isDigit(d) && DIGIT_LETTER[d - 0x30] !== '?') out.push(k);
      }
    i = j;
  }
  return out;
}

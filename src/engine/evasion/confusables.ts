/**
 * Unicode confusables: letters of other scripts drawn like Latin letters (Cyrillic `а`, Greek `ο`, Armenian `օ`,
 * Cherokee `Ꭺ`…), and their Latin lookalikes — the part of Unicode's confusables data (UTS #39) that matters for
 * hiding a Latin word or value: `bluеbіrd` with a Cyrillic `е` and `і` reads as `bluebird` to a person and to a
 * model, but not to a matcher.
 *
 * `skeleton(text)` replaces confusable letters by their Latin lookalike, case for case, one UTF-16 unit for one
 * (so offsets do not move), in the words where that is what the writer meant:
 *  - a word (run of letters, digits and marks) that also holds Latin letters or digits (`bluеbіrd`: mixed
 *    scripts are the trick; genuine words are written in one script);
 *  - a word of another script made only of letters that have a Latin lookalike (`соре` in Cyrillic letters:
 *    a "whole-script confusable").
 * Words with any other letter of their script (`привет`, `Ελλάδα`) are left as they are, so ordinary Russian or
 * Greek text does not turn into Latin look-alikes; `wholeScript: false` leaves the second kind alone too. The price, documented: a Cyrillic or Greek word spelled only
 * with look-alike letters (`сор`) is read as its Latin twin (`cop`) too.
 */
import { WORD_UNITS, isWordUnit, unitsToString } from '../words/normalize.ts';

/** Pairs: confusable letter, Latin lookalike. */
const PAIRS: readonly (readonly [string, string])[] = [
  // Cyrillic capitals
  ['А', 'A'], ['В', 'B'], ['С', 'C'], ['Е', 'E'], ['Ѕ', 'S'], ['І', 'I'], ['Ј', 'J'], ['К', 'K'], ['М', 'M'],
  ['Н', 'H'], ['О', 'O'], ['Р', 'P'], ['Т', 'T'], ['Х', 'X'], ['У', 'Y'], ['Ү', 'Y'], ['Ԁ', 'D'], ['Ԛ', 'Q'],
  ['Ԝ', 'W'], ['Ӏ', 'I'], ['Ꙇ', 'I'], ['З', '3'], ['Ь', 'b'],
  // Cyrillic small letters
  ['а', 'a'], ['с', 'c'], ['е', 'e'], ['ѕ', 's'], ['і', 'i'], ['ј', 'j'], ['о', 'o'], ['р', 'p'], ['х', 'x'],
  ['у', 'y'], ['ү', 'y'], ['һ', 'h'], ['ԁ', 'd'], ['ԛ', 'q'], ['ԝ', 'w'], ['ӏ', 'l'], ['ɡ', 'g'], ['ѵ', 'v'],
  ['в', 'b'], ['к', 'k'], ['м', 'm'], ['н', 'h'], ['т', 't'], ['ь', 'b'], ['п', 'n'], ['г', 'r'], ['ԍ', 'g'],
  // Greek capitals
  ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'], ['Ν', 'N'],
  ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'], ['Ϲ', 'C'], ['Ϳ', 'J'],
  // Greek small letters
  ['α', 'a'], ['ο', 'o'], ['ρ', 'p'], ['ν', 'v'], ['ι', 'i'], ['κ', 'k'], ['τ', 't'], ['υ', 'u'], ['χ', 'x'],
  ['ε', 'e'], ['η', 'n'], ['β', 'b'], ['ϲ', 'c'], ['ϳ', 'j'], ['ω', 'w'], ['γ', 'y'],
  // Armenian
  ['օ', 'o'], ['Օ', 'O'], ['ս', 'u'], ['Ս', 'U'], ['ց', 'g'], ['հ', 'h'], ['ո', 'n'], ['զ', 'q'], ['Տ', 'S'],
  ['Լ', 'L'],
  // Cherokee capitals (drawn like Latin capitals)
  ['Ꭺ', 'A'], ['Ᏼ', 'B'], ['Ꮯ', 'C'], ['Ꭼ', 'E'], ['Ꮐ', 'G'], ['Ꮋ', 'H'], ['Ꭻ', 'J'], ['Ꮶ', 'K'], ['Ꮮ', 'L'],
  ['Ꮇ', 'M'], ['Ꮲ', 'P'], ['Ꮪ', 'S'], ['Ꭲ', 'T'], ['Ꮩ', 'V'], ['Ꮃ', 'W'], ['Ꮓ', 'Z'],
  // Latin letters outside ASCII drawn like ASCII ones
  ['ı', 'i'], ['ȷ', 'j'], ['ɑ', 'a'], ['ɩ', 'i'], ['ʏ', 'y'], ['ᴀ', 'A'], ['ʙ', 'B'], ['ᴄ', 'c'], ['ᴅ', 'D'],
  ['ᴇ', 'E'], ['ɢ', 'G'], ['ʜ', 'H'], ['ɪ', 'I'], ['ᴊ', 'J'], ['ᴋ', 'K'], ['ʟ', 'L'], ['ᴍ', 'M'], ['ɴ', 'N'],
  ['ᴏ', 'o'], ['ᴘ', 'P'], ['ʀ', 'R'], ['ᴛ', 'T'], ['ᴜ', 'u'], ['ᴠ', 'v'], ['ᴡ', 'w'], ['ᴢ', 'z'], ['ꜱ', 's'],
];

/** Latin lookalike per UTF-16 unit, 0 when the unit has none. */
const LOOKALIKE = new Uint16Array(0x10000);
for (const [from, to] of PAIRS) LOOKALIKE[from.charCodeAt(0)] = to.charCodeAt(0);

/** Whether a text holds a letter of a script with Latin lookalikes (the cheap test before `skeleton`). */
const SCRIPTS_RE = /[\u0131\u0237\u0250-\u02af\u0370-\u03ff\u0400-\u052f\u0531-\u058f\u13a0-\u13ff\u1d00-\u1d2b\ua640-\ua69f\ua730-\ua7ff]/;

export function mayHoldConfusables(text: string): boolean {
  return SCRIPTS_RE.test(text);
}

/** The Latin lookalike of a UTF-16 unit, or 0. */
export function latinLookalike(unit: number): number {
  return LOOKALIKE[unit] ?? 0;
}

const WORD_TABLE: Uint8Array = WORD_UNITS;
function isWord(c: number): boolean {
  const w = WORD_TABLE[c];
  return w === 1 || (w === 0 && isWordUnit(c));
}

/** ASCII letters and digits, and the Latin letters of Latin-1 and Latin Extended-A/B (`é`, `ł`). */
function isLatin(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
}

/**
 * `text` with the confusable letters of the words described in the module comment replaced by their Latin
 * lookalikes (same length, same offsets), or `null` when no word changes.
 */
export function skeleton(text: string, options: { wholeScript?: boolean } = {}): string | null {
  const wholeScript = options.wholeScript !== false;
  if (!mayHoldConfusables(text)) return null;
  const n = text.length;
  let out: Uint16Array | null = null;
  let i = 0;
  while (i < n) {
    if (!isWord(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    let latin = false;
    let confusable = false;
    let foreign = false; // a letter with no Latin lookalike
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (!isWord(c)) break;
      if (isLatin(c)) latin = true;
      else if (LOOKALIKE[c] !== 0) confusable = true;
      else if (c >= 0x80) foreign = true;
    }
    if (confusable && (latin || (wholeScript && !foreign))) {
      if (out === null) {
        out = new Uint16Array(n);
        for (let k = 0; k < n; k++) out[k] = text.charCodeAt(k);
      }
      for (let k = i; k < j; k++) {
        const to = LOOKALIKE[out[k] ?? 0] ?? 0;
        if (to !== 0) out[k] = to;
      }
    }
    i = j;
  }
  if (out === null) return null;
  return unitsToString(out, n, false);
}

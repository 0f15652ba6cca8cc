/**
 * Letter spacing: a word or value written one character at a time with separators between (`b l u e b i r d`,
 * `f.u.c.k`, `5 3 6 - 2 2 - 8 7 1 4`). `spacedRuns` finds such runs and gives their characters joined, with the
 * offset of each joined character in the scanned text, so a finding in the joined text maps back to the run.
 *
 * A run is at least `MIN_RUN` single characters in a row, each separated from the next by 1 to 3 separator
 * characters and not touching another character of its kind (so `a b c` in `a bcd` is not a run).
 *  - `letters` mode (folded text, for word lists): the characters are word characters; any non-word
 *    characters separate. The joined text has no separators: `b l u e` → `blue`.
 *  - `values` mode (original text, for PII): the characters are any non-blank characters; blanks (spaces,
 *    tabs) separate. One blank joins; a wider gap keeps one space, so `4 1 1 1   1 1 1 1` → `4111 1111`.
 * Linear in the text length.
 */
import { WORD_UNITS, isWordUnit } from '../words/normalize.ts';

export interface SpacedRun {
  /** The run's characters, joined. */
  text: string;
  /** Offset in the scanned text of each character of `text` (for a kept space: of the gap's first blank). */
  offsets: number[];
}

export const MIN_RUN = 3;
const MAX_GAP = 3;
/** Punctuation that may end a `values` run, attached to its last character. */
const CLOSING = ',.;:!?)]}"\'';

const WORD_TABLE: Uint8Array = WORD_UNITS;
function isWord(c: number): boolean {
  const w = WORD_TABLE[c];
  return w === 1 || (w === 0 && isWordUnit(c));
}
function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
}

export type SpacedMode = 'letters' | 'values';

/**
 * Quick tests (a regex scan is several times faster than the loop below) that a run may be there. `letters`:
 * three word characters, each alone, with short gaps — the Unicode form is slower, so ASCII text takes the ASCII
 * form (the text is folded: lower case). `values`: three single non-blank characters with blanks between (the
 * last may close with punctuation). Both find every run the loop finds (blanks as in `isBlank`).
 */
const LETTERS_RE = /(?<![\p{L}\p{N}\p{M}])[\p{L}\p{N}\p{M}][^\p{L}\p{N}\p{M}\n]{1,3}[\p{L}\p{N}\p{M}][^\p{L}\p{N}\p{M}\n]{1,3}[\p{L}\p{N}\p{M}](?![\p{L}\p{N}\p{M}])/u;
const LETTERS_ASCII_RE = /(?:^|[^a-z0-9])[a-z0-9][^a-z0-9\n]{1,3}[a-z0-9][^a-z0-9\n]{1,3}[a-z0-9](?![a-z0-9])/;
const NON_ASCII_RE = /[^\x00-\x7f]/;
const VALUES_RE = /(?:^|\s)\S[ \t\u00a0\u2000-\u200a\u3000]{1,3}\S[ \t\u00a0\u2000-\u200a\u3000]{1,3}\S(?=\s|$|[,.;:!?)\]}"'])/;

function mayHoldRun(s: string, mode: SpacedMode): boolean {
  if (mode === 'values') return VALUES_RE.test(s);
  return NON_ASCII_RE.test(s) ? LETTERS_RE.test(s) : LETTERS_ASCII_RE.test(s);
}

/** The spaced runs of `s` (see the module comment). */
export function spacedRuns(s: string, mode: SpacedMode): SpacedRun[] {
  const runs: SpacedRun[] = [];
  if (!mayHoldRun(s, mode)) return runs;
  const n = s.length;
  const element = mode === 'letters' ? isWord : (c: number) => !isBlank(c) && c !== 0x0a && c !== 0x0d;
  let chars: number[] = []; // offsets of the run's single characters
  let gaps: number[] = []; // gap width before each character after the first
  const flush = (): void => {
    if (chars.length >= MIN_RUN) {
      let text = '';
      const offsets: number[] = [];
      for (let k = 0; k < chars.length; k++) {
        const at = chars[k] ?? 0;
        if (k > 0 && mode === 'values' && (gaps[k - 1] ?? 1) > 1) {
          text += ' ';
          offsets.push(at - (gaps[k - 1] ?? 1));
        }
        text += s[at];
        offsets.push(at);
      }
      runs.push({ text, offsets });
    }
    chars = [];
    gaps = [];
  };
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (!element(c)) {
      i++;
      continue;
    }
    // An element run starting at i: a single character when the next one is not an element. In `values` mode a
    // closing punctuation mark may follow the run's last character (`… 7 1 4, please`).
    let j = i + 1;
    while (j < n && element(s.charCodeAt(j))) j++;
    let closes = false;
    if (mode === 'values' && j - i === 2 && chars.length >= MIN_RUN - 1 && CLOSING.includes(s[i + 1] ?? '')) {
      closes = true;
      j = i + 1;
    }
    if (j - i !== 1 || (c >= 0xd800 && c <= 0xdfff)) {
      flush();
      i = j;
      continue;
    }
    // A single character: does it continue the current run (the gap since its last character is short and
    // made of separators only)?
    const last = chars[chars.length - 1];
    if (last !== undefined) {
      const gap = i - last - 1;
      let ok = gap >= 1 && gap <= MAX_GAP;
      for (let k = last + 1; ok && k < i; k++) {
        const g = s.charCodeAt(k);
        if (mode === 'values' ? !isBlank(g) : g === 0x0a || g === 0x0d) ok = false;
      }
      if (!ok) flush();
      else gaps.push(gap);
    }
    chars.push(i);
    if (closes) flush();
    i = j;
  }
  flush();
  return runs;
}

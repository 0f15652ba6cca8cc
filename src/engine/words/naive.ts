/**
 * A slow, obviously correct reference matcher for custom words, used only by tests.
 * O(text length × number of words × word length).
 */

import { foldPhrase, isWordUnit, normalizeWithMap } from './normalize.ts';

export interface NaiveMatch {
  index: number;
  start: number;
  end: number;
  match: string;
}

function isWordAt(s: string, i: number): boolean {
  return i >= 0 && i < s.length && isWordUnit(s.charCodeAt(i));
}

/**
 * Leftmost-longest, non-overlapping matches of `words` in `text`: folded offsets and original offsets.
 * For each position from the left, take the longest folded word that occurs there and does not start or
 * end inside a run of word characters; on equal folded words the lowest index wins.
 */
export function naiveMatch(words: readonly string[], text: string): NaiveMatch[] {
  const folded = words.map(foldPhrase);
  const norm = normalizeWithMap(text);
  const s = norm.folded;
  const out: NaiveMatch[] = [];
  let p = 0;
  while (p < s.length) {
    let best = -1;
    let bestLen = 0;
    for (let i = 0; i < folded.length; i++) {
      const w = folded[i] ?? '';
      if (w.length === 0 || w.length <= bestLen) continue;
      if (!s.startsWith(w, p)) continue;
      const e = p + w.length;
      const startsInside = isWordUnit(w.charCodeAt(0)) && isWordAt(s, p - 1);
      const endsInside = isWordUnit(w.charCodeAt(w.length - 1)) && isWordAt(s, e);
      if (startsInside || endsInside) continue;
      best = i;
      bestLen = w.length;
    }
    if (best === -1) {
      p++;
      continue;
    }
    const start = norm.toOriginal(p);
    const end = norm.toOriginalEnd(p + bestLen);
    out.push({ index: best, start, end, match: text.slice(start, end) });
    p += bestLen;
  }
  return out;
}

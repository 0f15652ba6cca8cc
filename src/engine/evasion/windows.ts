/**
 * Windows of a text around the places an obfuscation view changes, so a view is built and scanned only there:
 * a 100 KB text with one `@` or one `4th` costs a few hundred characters of extra scanning, not a second pass.
 *
 * Each window reaches `reach` characters each side of a position (the longest thing the scan can find through
 * that position), widened to the nearest whitespace so no word is cut at its edges; overlapping windows merge.
 * Linear in the text length plus the windows' total length.
 */

import { isSpaceUnit as isSpace } from '../words/normalize.ts';

/** Merged windows `[start, end)` around `positions` (ascending). */
export function windowsAround(text: string, positions: readonly number[], reach: number): [number, number][] {
  const n = text.length;
  const out: [number, number][] = [];
  for (const p of positions) {
    const last = out[out.length - 1];
    const floor = last === undefined ? 0 : last[1];
    let start = Math.max(0, p - reach);
    if (start < floor) start = floor;
    while (start > floor && !isSpace(text.charCodeAt(start)) && !isSpace(text.charCodeAt(start - 1))) start--;
    let end = Math.min(n, p + 1 + reach);
    if (last !== undefined && end <= last[1]) continue;
    while (end < n && !isSpace(text.charCodeAt(end)) && !isSpace(text.charCodeAt(end - 1))) end++;
    if (last !== undefined && start <= last[1]) last[1] = end;
    else out.push([start, end]);
  }
  return out;
}

/**
 * Splitting across content blocks: `Tell me about Project Fal` + `con` in two blocks of one request. Each block
 * is scanned on its own, so a word or value cut in two is in neither. `seamFindings` scans every seam — the end
 * of one guarded block joined to the start of the next, `reach` characters each side — and keeps the findings
 * that cross it, with the part of each block they cover.
 *
 * Findings that overlap a finding of the block scans (`plain`) are dropped: a value that ends a block and is
 * merely extended by the next block's first characters is already reported.
 */

import type { Span } from './spans.ts';

export interface SeamPart {
  /** Index of the block (in the scanned list). */
  block: number;
  start: number;
  end: number;
}

export interface SeamFinding<F extends Span> {
  /** The finding as the scan of the joined text reported it (offsets into that text). */
  finding: F;
  /** The text it covers, both parts joined. */
  match: string;
  /** Its part in each of the two blocks. */
  parts: [SeamPart, SeamPart];
}

function overlapsAny(spans: readonly Span[] | undefined, start: number, end: number): boolean {
  return spans !== undefined && spans.some((s) => s.start < end && start < s.end);
}

/** Findings of `scan` that cross a seam between consecutive `texts` (see the module comment). */
export function seamFindings<F extends Span>(
  texts: readonly string[],
  scan: (text: string) => readonly F[],
  reach: number,
  plain: readonly (readonly Span[])[],
): SeamFinding<F>[] {
  const out: SeamFinding<F>[] = [];
  for (let i = 0; i + 1 < texts.length; i++) {
    const a = texts[i] ?? '';
    const b = texts[i + 1] ?? '';
    if (a.length === 0 || b.length === 0) continue;
    const tailStart = Math.max(0, a.length - reach);
    const tail = a.slice(tailStart);
    const head = b.slice(0, reach);
    const joined = tail + head;
    for (const f of scan(joined)) {
      if (f.start >= tail.length || f.end <= tail.length) continue; // does not cross the seam
      if (f.start === 0 && tailStart > 0) continue; // may start before the window: not judged here
      if (f.end === joined.length && head.length < b.length) continue;
      const first: SeamPart = { block: i, start: tailStart + f.start, end: a.length };
      const second: SeamPart = { block: i + 1, start: 0, end: f.end - tail.length };
      if (overlapsAny(plain[i], first.start, first.end) || overlapsAny(plain[i + 1], second.start, second.end)) continue;
      out.push({ finding: f, match: joined.slice(f.start, f.end), parts: [first, second] });
    }
  }
  return out;
}

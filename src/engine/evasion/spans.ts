/**
 * What a view adds to a plain scan: the spans it found that the plain scan did not, without overlaps. Used by the
 * word lists, PII detection and the block seams, whose plain findings are sorted by start and disjoint.
 */

export interface Span {
  start: number;
  end: number;
}

/**
 * The spans of `extra` (sorted by start) that overlap no span of `plain` (sorted by start, disjoint), in order.
 * One pass over both.
 */
export function outside<T extends Span>(plain: readonly Span[], extra: readonly T[]): T[] {
  const out: T[] = [];
  let p = 0; // first plain span that may still overlap (their ends ascend too)
  for (const f of extra) {
    while (p < plain.length && (plain[p]?.end ?? 0) <= f.start) p++;
    const next = plain[p];
    if (next === undefined || next.start >= f.end) out.push(f);
  }
  return out;
}

/**
 * The leftmost-longest disjoint subset of `extra` (sorted here) that overlaps no span of `plain`: the additions
 * of a view whose findings may overlap each other.
 */
export function disjointAdditions<T extends Span>(plain: readonly Span[], extra: T[]): T[] {
  extra.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: T[] = [];
  for (const f of outside(plain, extra)) {
    const last = kept[kept.length - 1];
    if (last === undefined || f.start >= last.end) kept.push(f);
  }
  return kept;
}

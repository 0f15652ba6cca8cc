/**
 * Overlap resolution: among candidates that overlap, the higher score wins, then the longer
 * span, then the type that comes first in the fixed priority order. The result is sorted by
 * start and never overlaps. O(k log k) for k candidates in the usual case (overlaps are local).
 */
import type { PiiFinding } from './detector.ts';

function better(a: PiiFinding, b: PiiFinding, rank: (f: PiiFinding) => number): number {
  if (a.score !== b.score) return b.score - a.score;
  const la = a.end - a.start;
  const lb = b.end - b.start;
  if (la !== lb) return lb - la;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  return a.start - b.start;
}

/** Resolves one cluster of mutually (transitively) overlapping candidates. */
function resolveCluster(cluster: PiiFinding[], rank: (f: PiiFinding) => number, out: PiiFinding[]): void {
  cluster.sort((a, b) => better(a, b, rank));
  // Accepted spans of this cluster, kept sorted by start; they never overlap each other.
  const kept: PiiFinding[] = [];
  for (const c of cluster) {
    // First kept span whose end is after c.start.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = kept[mid];
      if (k !== undefined && k.end <= c.start) lo = mid + 1;
      else hi = mid;
    }
    const next = kept[lo];
    if (next !== undefined && next.start < c.end) continue; // overlaps a better span
    kept.splice(lo, 0, c);
  }
  for (const k of kept) out.push(k);
}

export function resolveOverlaps(candidates: readonly PiiFinding[], rank: (f: PiiFinding) => number): PiiFinding[] {
  const sorted = [...candidates].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiFinding[] = [];
  let cluster: PiiFinding[] = [];
  let clusterEnd = -1;
  for (const c of sorted) {
    if (c.end <= c.start) continue;
    if (cluster.length > 0 && c.start >= clusterEnd) {
      if (cluster.length === 1 && cluster[0] !== undefined) out.push(cluster[0]);
      else resolveCluster(cluster, rank, out);
      cluster = [];
    }
    cluster.push(c);
    if (cluster.length === 1 || c.end > clusterEnd) clusterEnd = c.end;
  }
  if (cluster.length === 1 && cluster[0] !== undefined) out.push(cluster[0]);
  else if (cluster.length > 1) resolveCluster(cluster, rank, out);
  return out;
}

/**
 * The anonymizer: replaces spans with `{LABEL}` tags and keeps every other character byte-exact
 * (Presidio's detect/transform split: detectors know nothing about masking).
 */

export interface MaskSpan {
  start: number;
  end: number;
  /** Written as `{label}`: the PII type (`{EMAIL}`) or the regex name (`{order_id}`). */
  label: string;
}

/**
 * Overlapping spans are merged into one: the earliest-starting span wins, extended to cover every
 * span it overlaps, so no fragment of a detected value leaks next to a tag.
 */
export function resolveMaskSpans(spans: readonly MaskSpan[]): MaskSpan[] {
  const sorted = [...spans]
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out: MaskSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) last.end = s.end;
      continue;
    }
    out.push({ ...s });
  }
  return out;
}

export function applyMasks(text: string, spans: readonly MaskSpan[]): string {
  const resolved = resolveMaskSpans(spans);
  if (resolved.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const s of resolved) {
    out += text.slice(pos, s.start);
    out += `{${s.label}}`;
    pos = s.end;
  }
  return out + text.slice(pos);
}

/**
 * ApplyGuardrail assessments as a findings table, and the spans of the guarded text they point at. Words, PII
 * entities and regex matches carry the matched text, so each occurrence of it in the input is marked; content
 * filter, topic and grounding findings have no span and appear only in the table.
 */
import type { AssessedAction, Assessment } from './api.ts';

export type MarkKind = 'block' | 'mask' | 'none';

export interface Finding {
  policy: string;
  type: string;
  match: string;
  /** Confidence (content filters), score / threshold (grounding), or empty. */
  measure: string;
  action: AssessedAction;
  detected: boolean;
  /** Word matches are case-insensitive; PII and regex matches are the exact text. */
  caseInsensitive: boolean;
}

export interface Segment {
  text: string;
  mark?: MarkKind;
  /** What the mark stands for (shown as its title). */
  label?: string;
}

export function findingsOf(assessments: readonly Assessment[]): Finding[] {
  const out: Finding[] = [];
  for (const a of assessments) {
    for (const f of a.contentPolicy?.filters ?? [])
      out.push({ policy: 'Content filter', type: f.type, match: '', measure: `confidence ${f.confidence}${f.filterStrength ? ` (strength ${f.filterStrength})` : ''}`, action: f.action, detected: f.detected ?? true, caseInsensitive: false });
    for (const t of a.topicPolicy?.topics ?? []) out.push({ policy: 'Denied topic', type: t.name, match: '', measure: '', action: t.action, detected: t.detected ?? true, caseInsensitive: false });
    for (const w of a.wordPolicy?.customWords ?? []) out.push({ policy: 'Word filter', type: 'Custom word', match: w.match, measure: '', action: w.action, detected: w.detected ?? true, caseInsensitive: true });
    for (const w of a.wordPolicy?.managedWordLists ?? []) out.push({ policy: 'Word filter', type: w.type, match: w.match, measure: '', action: w.action, detected: w.detected ?? true, caseInsensitive: true });
    for (const p of a.sensitiveInformationPolicy?.piiEntities ?? [])
      out.push({ policy: 'Sensitive information', type: p.type, match: p.match, measure: '', action: p.action, detected: p.detected ?? true, caseInsensitive: false });
    for (const r of a.sensitiveInformationPolicy?.regexes ?? [])
      out.push({ policy: 'Regex', type: r.name ?? r.regex ?? 'regex', match: r.match ?? '', measure: '', action: r.action, detected: r.detected ?? true, caseInsensitive: false });
    for (const g of a.contextualGroundingPolicy?.filters ?? [])
      out.push({ policy: 'Contextual grounding', type: g.type, match: '', measure: `score ${g.score} (threshold ${g.threshold})`, action: g.action, detected: g.detected ?? true, caseInsensitive: false });
  }
  // Detected findings first, in the order the assessment gave them.
  return [...out.filter((f) => f.detected), ...out.filter((f) => !f.detected)];
}

const kindOf = (a: AssessedAction): MarkKind => (a === 'BLOCKED' ? 'block' : a === 'ANONYMIZED' ? 'mask' : 'none');
const RANK: Record<MarkKind, number> = { block: 3, mask: 2, none: 1 };

/** The text cut into plain and marked segments; overlapping spans keep the strongest action, then the longest. */
export function segments(text: string, findings: readonly Finding[]): Segment[] {
  const spans: Array<{ start: number; end: number; kind: MarkKind; label: string }> = [];
  const lower = text.toLowerCase();
  for (const f of findings) {
    if (!f.detected || !f.match) continue;
    const hay = f.caseInsensitive ? lower : text;
    const needle = f.caseInsensitive ? f.match.toLowerCase() : f.match;
    // Lower-casing can change lengths for a few scripts; fall back to exact search then.
    const exact = f.caseInsensitive && hay.length !== text.length;
    const h = exact ? text : hay;
    const n = exact ? f.match : needle;
    for (let at = h.indexOf(n); at >= 0; at = h.indexOf(n, at + n.length))
      spans.push({ start: at, end: at + n.length, kind: kindOf(f.action), label: `${f.policy} · ${f.type} · ${f.action}` });
  }
  spans.sort((a, b) => RANK[b.kind] - RANK[a.kind] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: typeof spans = [];
  for (const s of spans) if (!kept.some((k) => s.start < k.end && k.start < s.end)) kept.push(s);
  kept.sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const s of kept) {
    if (s.start > at) out.push({ text: text.slice(at, s.start) });
    out.push({ text: text.slice(s.start, s.end), mark: s.kind, label: s.label });
    at = s.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/**
 * Renders an EvalScore as text tables (action confusion matrix, per-category table, intervention summary, worst
 * misses, throughput) or as one JSON document.
 */
import Table from 'cli-table3';
import { EVAL_ACTIONS } from './dataset.ts';
import type { CategoryScore, EvalScore, Miss } from './score.ts';

export function textTable(head: string[], rows: unknown[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((c) => (c === undefined || c === null ? '' : String(c))));
  return t.toString();
}

/** A ratio as 0.000, or – when undefined. */
export function fmt(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toFixed(3);
}

export function confusionTable(s: EvalScore): string {
  return textTable(
    ['expected \\ predicted', ...EVAL_ACTIONS],
    EVAL_ACTIONS.map((e) => [e, ...EVAL_ACTIONS.map((p) => s.confusion[e][p])]),
  );
}

/** False-positive rate of a category: FP / (FP + TN). */
export function categoryFpRate(c: CategoryScore): number | null {
  return c.fp + c.tn === 0 ? null : c.fp / (c.fp + c.tn);
}

export function categoryTable(s: EvalScore): string {
  return textTable(
    ['category', 'positives', 'TP', 'FP', 'FN', 'TN', 'precision', 'recall', 'F1', 'FP rate'],
    s.categories.map((c) => [c.category, c.positives, c.tp, c.fp, c.fn, c.tn, fmt(c.precision), fmt(c.recall), fmt(c.f1), fmt(categoryFpRate(c))]),
  );
}

export function interventionTable(s: EvalScore): string {
  const i = s.intervention;
  return textTable(
    ['rows', 'TP', 'FP', 'FN', 'TN', 'precision', 'recall', 'F1', 'benign rows', 'benign intervened', 'FP rate (benign)'],
    [[s.rows, i.tp, i.fp, i.fn, i.tn, fmt(i.precision), fmt(i.recall), fmt(i.f1), i.benignRows, i.benignIntervened, fmt(i.falsePositiveRate)]],
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

export function missesTable(misses: readonly Miss[]): string {
  return textTable(
    ['row', 'expected', 'predicted', 'wrong categories', 'text'],
    misses.map((m) => [
      m.row,
      [m.expected.action, ...(m.expected.categories ?? [])].join(' '),
      [m.predicted.action, ...m.predicted.categories].join(' '),
      m.categories.join(' '),
      oneLine(m.text),
    ]),
  );
}

export function throughputLine(s: EvalScore): string {
  const t = s.throughput;
  if (!t) return '';
  return `${s.rows} rows, ${t.textUnits} text units in ${(t.elapsedMs / 1000).toFixed(2)} s: ${t.rowsPerSecond.toFixed(1)} rows/s, ${t.textUnitsPerSecond.toFixed(1)} text units/s`;
}

/** Every section, titled. */
export function renderReport(s: EvalScore): string {
  const parts = [
    'Action (expected × predicted)',
    confusionTable(s),
    'Per category',
    s.categories.length ? categoryTable(s) : '(no categories labelled or predicted)',
    'Intervention (should intervene vs did intervene)',
    interventionTable(s),
    `Worst false negatives (${s.misses.falseNegatives.length})`,
    s.misses.falseNegatives.length ? missesTable(s.misses.falseNegatives) : '(none)',
    `Worst false positives (${s.misses.falsePositives.length})`,
    s.misses.falsePositives.length ? missesTable(s.misses.falsePositives) : '(none)',
  ];
  const unscored = Object.entries(s.unscored);
  if (unscored.length) parts.push(`Not scored (not labelled by this set): ${unscored.map(([c, n]) => `${c} ×${n}`).join(', ')}`);
  if (s.throughput) parts.push('Throughput', throughputLine(s));
  return parts.join('\n');
}

export function renderJson(s: EvalScore): string {
  return JSON.stringify(s, null, 2);
}

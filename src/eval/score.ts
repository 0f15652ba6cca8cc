/**
 * Pure scoring of a labelled evaluation: from each row's label and the guardrail's answer, the action confusion
 * matrix, per-category (multi-label) counts with precision/recall/F1, the intervention-level summary with the
 * false-positive rate on benign rows, the worst misses and the throughput.
 */
import type { GuardrailAssessment } from '../engine/assessment.ts';
import { type EvalAction, EVAL_ACTIONS, type LabelledRow, rowLabel } from './dataset.ts';

/** What ApplyGuardrail answered (the server's `assessments`, or the engine's one assessment wrapped). */
export interface GuardrailAnswer {
  action: string;
  assessments: readonly GuardrailAssessment[];
}

export interface Prediction {
  action: EvalAction;
  /** Sorted, distinct. */
  categories: string[];
}

export interface RowResult {
  row: LabelledRow;
  prediction: Prediction;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** null when undefined (nothing predicted / nothing expected). */
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface CategoryScore extends Counts {
  category: string;
  /** Rows labelled with the category. */
  positives: number;
}

export interface Miss {
  row: string;
  expected: { action: EvalAction; categories?: string[] };
  predicted: Prediction;
  /** Expected categories not predicted (false negatives) or predicted ones not expected (false positives). */
  categories: string[];
  text: string;
}

export interface Throughput {
  elapsedMs: number;
  rowsPerSecond: number;
  textUnitsPerSecond: number;
  textUnits: number;
}

export interface EvalScore {
  rows: number;
  /** confusion[expected][predicted] = rows. */
  confusion: Record<EvalAction, Record<EvalAction, number>>;
  categories: CategoryScore[];
  intervention: Counts & { benignRows: number; benignIntervened: number; falsePositiveRate: number | null };
  misses: { falseNegatives: Miss[]; falsePositives: Miss[] };
  /** Predicted categories left out of the scoring (not in `labelled`), with how many rows had them. */
  unscored: Record<string, number>;
  throughput?: Throughput;
}

export interface ScoreOptions {
  /** Up to this many false negatives and as many false positives (default 10). */
  misses?: number;
  /** Wall time of the run, for the throughput. */
  elapsedMs?: number;
  /**
   * Only these categories are scored (a set that labels some types only: predictions of other types are neither
   * true nor false, and are counted in `unscored`). Default: every category expected or predicted somewhere.
   */
  labelled?: readonly string[];
}

const RANK: Record<EvalAction, number> = { NONE: 0, ANONYMIZED: 1, BLOCKED: 2 };

/** The predicted action and categories of one answer. */
export function predict(answer: GuardrailAnswer): Prediction {
  let action: EvalAction = 'NONE';
  const cats = new Set<string>();
  const act = (a: string): void => {
    if ((a === 'BLOCKED' || a === 'ANONYMIZED') && RANK[a] > RANK[action]) action = a;
  };
  for (const a of answer.assessments) {
    for (const f of a.contentPolicy?.filters ?? []) {
      act(f.action);
      if (f.detected || f.action === 'BLOCKED') cats.add(f.type);
    }
    for (const t of a.topicPolicy?.topics ?? []) {
      act(t.action);
      if (t.detected || t.action === 'BLOCKED') cats.add(`topic:${t.name}`);
    }
    for (const w of a.wordPolicy?.managedWordLists ?? []) {
      act(w.action);
      if (w.detected || w.action === 'BLOCKED') cats.add(`word:${w.type}`);
    }
    for (const w of a.wordPolicy?.customWords ?? []) {
      act(w.action);
      if (w.detected || w.action === 'BLOCKED') cats.add('word:CUSTOM');
    }
    for (const p of a.sensitiveInformationPolicy?.piiEntities ?? []) {
      act(p.action);
      if (p.detected || p.action !== 'NONE') cats.add(`pii:${p.type}`);
    }
    for (const r of a.sensitiveInformationPolicy?.regexes ?? []) {
      act(r.action);
      if (r.detected || r.action !== 'NONE') cats.add(`regex:${r.name}`);
    }
    for (const g of a.contextualGroundingPolicy?.filters ?? []) act(g.action);
  }
  // An intervention the assessments do not explain (e.g. listed findings capped) still counts as one.
  if (action === 'NONE' && answer.action === 'GUARDRAIL_INTERVENED') action = 'BLOCKED';
  return { action, categories: [...cats].sort() };
}

function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

export function counts(tp: number, fp: number, fn: number, tn: number): Counts {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, tn, precision, recall, f1 };
}

/** Text units of a text (1 per started 1,000 characters), as ApplyGuardrail bills them. */
export function textUnitsOf(text: string): number {
  return Math.ceil(text.length / 1000);
}

function isBenign(row: LabelledRow): boolean {
  return row.expect === 'NONE' && (row.categories === undefined || row.categories.length === 0);
}

export function score(results: readonly RowResult[], opts: ScoreOptions = {}): EvalScore {
  const maxMisses = opts.misses ?? 10;
  const confusion = Object.fromEntries(
    EVAL_ACTIONS.map((e) => [e, Object.fromEntries(EVAL_ACTIONS.map((p) => [p, 0]))]),
  ) as Record<EvalAction, Record<EvalAction, number>>;
  const labelled = opts.labelled ? new Set(opts.labelled) : undefined;
  const scored = (c: string): boolean => !labelled || labelled.has(c);

  const universe = new Set<string>(opts.labelled ?? []);
  const unscored: Record<string, number> = {};
  for (const { row, prediction } of results) {
    for (const c of row.categories ?? []) if (scored(c)) universe.add(c);
    for (const c of prediction.categories) {
      if (scored(c)) universe.add(c);
      else unscored[c] = (unscored[c] ?? 0) + 1;
    }
  }

  const per = new Map<string, { tp: number; fp: number; fn: number; tn: number; positives: number }>();
  for (const c of [...universe].sort()) per.set(c, { tp: 0, fp: 0, fn: 0, tn: 0, positives: 0 });
  let itp = 0;
  let ifp = 0;
  let ifn = 0;
  let itn = 0;
  let benignRows = 0;
  let benignIntervened = 0;
  let units = 0;
  type Ranked = Miss & { order: number; weight: number };
  const fns: Ranked[] = [];
  const fps: Ranked[] = [];

  results.forEach(({ row, prediction }, order) => {
    units += textUnitsOf(row.text);
    confusion[row.expect][prediction.action] += 1;
    const should = row.expect !== 'NONE';
    const did = prediction.action !== 'NONE';
    if (should && did) itp++;
    else if (!should && did) ifp++;
    else if (should && !did) ifn++;
    else itn++;
    if (isBenign(row)) {
      benignRows++;
      if (did) benignIntervened++;
    }
    const predicted = new Set(prediction.categories.filter(scored));
    let missed: string[] = [];
    let spurious: string[] = [];
    if (row.categories !== undefined) {
      const expected = new Set(row.categories.filter(scored));
      for (const [c, k] of per) {
        const e = expected.has(c);
        const p = predicted.has(c);
        if (e) k.positives++;
        if (e && p) k.tp++;
        else if (!e && p) k.fp++;
        else if (e && !p) k.fn++;
        else k.tn++;
      }
      missed = [...expected].filter((c) => !predicted.has(c)).sort();
      spurious = [...predicted].filter((c) => !expected.has(c)).sort();
    }
    const expectedLabel = { action: row.expect, ...(row.categories ? { categories: row.categories } : {}) };
    const base = { row: rowLabel(row), expected: expectedLabel, predicted: prediction, text: row.text.slice(0, 120), order };
    // A miss weighs its wrong categories, plus one for a wrong intervention decision (the worse error).
    if (missed.length || (should && !did)) fns.push({ ...base, categories: missed, weight: missed.length + (should && !did ? 1 : 0) });
    if (spurious.length || (!should && did)) fps.push({ ...base, categories: spurious, weight: spurious.length + (!should && did ? 1 : 0) });
  });

  const worst = (xs: Ranked[]): Miss[] =>
    xs
      .sort((a, b) => b.weight - a.weight || a.order - b.order)
      .slice(0, maxMisses)
      .map(({ order: _o, weight: _w, ...m }) => m);

  const out: EvalScore = {
    rows: results.length,
    confusion,
    categories: [...per].map(([category, k]) => ({ category, positives: k.positives, ...counts(k.tp, k.fp, k.fn, k.tn) })),
    intervention: {
      ...counts(itp, ifp, ifn, itn),
      benignRows,
      benignIntervened,
      falsePositiveRate: ratio(benignIntervened, benignRows),
    },
    misses: { falseNegatives: worst(fns), falsePositives: worst(fps) },
    unscored,
  };
  if (opts.elapsedMs !== undefined) {
    const s = Math.max(opts.elapsedMs, 1e-3) / 1000;
    out.throughput = { elapsedMs: opts.elapsedMs, rowsPerSecond: results.length / s, textUnitsPerSecond: units / s, textUnits: units };
  }
  return out;
}

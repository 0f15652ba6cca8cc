/**
 * The contextual grounding section of `npm run eval`: the engine's GROUNDING and RELEVANCE scores on our own labelled
 * table `data/grounding/cases.jsonl` (written for this purpose; one grounding source, one query, one response per
 * row). Each row runs through ApplyGuardrail's engine path (source OUTPUT, the response as guard_content) with the
 * reference guardrail's contextualGroundingPolicyConfig. Reported per kind and per split, for each filter: accuracy at
 * the threshold, ROC AUC of the score, and the mean score of positives and negatives. The split is fixed in the file:
 * dev was used to tune the scorer, test gives the target rows.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assess } from '../../engine/assess.ts';
import { compile } from '../../engine/compile.ts';
import type { GroundingFilterConfig, GuardrailConfig } from '../../engine/config/types.ts';
import { fmt, textTable } from '../report.ts';
import type { TargetRow } from '../targets.ts';

export const GROUNDING_CASES = 'data/grounding/cases.jsonl';
const ACCURACY_FLOOR = 0.85;

export interface GroundingCase {
  id: string;
  source: string;
  query: string;
  response: string;
  grounded: boolean;
  relevant: boolean;
  kind: string;
  split: 'dev' | 'test';
}

/** Parses the JSONL table; every field is required, so a malformed row fails loudly with its line number. */
export function parseGroundingCases(jsonl: string, name: string): GroundingCase[] {
  const out: GroundingCase[] = [];
  const ids = new Set<string>();
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${name}:${i + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message})`);
    }
    for (const k of ['id', 'source', 'query', 'response', 'kind'] as const)
      if (typeof o[k] !== 'string') throw new Error(`${where}: "${k}" must be a string`);
    for (const k of ['grounded', 'relevant'] as const) if (typeof o[k] !== 'boolean') throw new Error(`${where}: "${k}" must be true or false`);
    if (o.split !== 'dev' && o.split !== 'test') throw new Error(`${where}: "split" must be "dev" or "test"`);
    const id = o.id as string;
    if (ids.has(id)) throw new Error(`${where}: duplicate id ${id}`);
    ids.add(id);
    out.push({
      id,
      source: o.source as string,
      query: o.query as string,
      response: o.response as string,
      grounded: o.grounded as boolean,
      relevant: o.relevant as boolean,
      kind: o.kind as string,
      split: o.split,
    });
  });
  return out;
}

/**
 * ROC AUC of `scores` for telling positives from negatives: the probability that a random positive scores higher than
 * a random negative, ties counting one half (Mann–Whitney U from average ranks, O(n log n)). null without both classes.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  if (scores.length !== labels.length) throw new Error('rocAuc: scores and labels differ in length');
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] ?? 0] === scores[order[i] ?? 0]) j++;
    const avgRank = (i + j) / 2 + 1; // ranks are 1-based; tied scores share their average rank
    for (let k = i; k <= j; k++) {
      if (labels[order[k] ?? 0]) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** One row's outcome for one filter: the score, whether the engine flagged it (score below threshold), the label. */
export interface FilterOutcome {
  score: number;
  flagged: boolean;
  /** true = grounded / relevant (should pass). */
  label: boolean;
}

export interface CaseResult {
  row: GroundingCase;
  grounding: FilterOutcome;
  relevance: FilterOutcome;
}

function outcome(filters: readonly { type: string; score: number; detected: boolean }[], type: string, label: boolean, id: string): FilterOutcome {
  const f = filters.find((x) => x.type === type);
  if (!f) throw new Error(`grounding eval: row ${id} has no ${type} result (is the filter configured?)`);
  return { score: f.score, flagged: f.detected, label };
}

/** Runs every row through the engine (OUTPUT, FULL scope so that passing filters report their score too). */
export function runGroundingCases(config: GuardrailConfig, rows: readonly GroundingCase[]): CaseResult[] {
  const compiled = compile(config);
  return rows.map((row) => {
    const a = assess(compiled, {
      source: 'OUTPUT',
      outputScope: 'FULL',
      content: [
        { text: row.response, qualifiers: ['guard_content'] },
        { text: row.source, qualifiers: ['grounding_source'] },
        { text: row.query, qualifiers: ['query'] },
      ],
    });
    const filters = a.assessment.contextualGroundingPolicy?.filters ?? [];
    return {
      row,
      grounding: outcome(filters, 'GROUNDING', row.grounded, row.id),
      relevance: outcome(filters, 'RELEVANCE', row.relevant, row.id),
    };
  });
}

export interface FilterSummary {
  rows: number;
  positives: number;
  negatives: number;
  /** Share of rows where "not flagged" equals the label. */
  accuracy: number | null;
  auc: number | null;
  meanPositive: number | null;
  meanNegative: number | null;
}

function mean(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function summarize(outcomes: readonly FilterOutcome[]): FilterSummary {
  const pos = outcomes.filter((o) => o.label);
  const neg = outcomes.filter((o) => !o.label);
  const correct = outcomes.filter((o) => !o.flagged === o.label).length;
  return {
    rows: outcomes.length,
    positives: pos.length,
    negatives: neg.length,
    accuracy: outcomes.length ? correct / outcomes.length : null,
    auc: rocAuc(
      outcomes.map((o) => o.score),
      outcomes.map((o) => o.label),
    ),
    meanPositive: mean(pos.map((o) => o.score)),
    meanNegative: mean(neg.map((o) => o.score)),
  };
}

type Pick = (r: CaseResult) => FilterOutcome;

function groupTable(results: readonly CaseResult[], key: (r: CaseResult) => string, pick: Pick, label: string): string {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const lines = [...groups.entries()].map(([k, rs]) => summaryLine(k, summarize(rs.map(pick))));
  lines.push(summaryLine('all', summarize(results.map(pick))));
  return textTable([label, 'rows', 'pos', 'neg', 'accuracy', 'ROC AUC', 'mean score pos', 'mean score neg'], lines);
}

function summaryLine(name: string, s: FilterSummary): unknown[] {
  return [name, s.rows, s.positives, s.negatives, fmt(s.accuracy), fmt(s.auc), fmt(s.meanPositive), fmt(s.meanNegative)];
}

function missesTable(results: readonly CaseResult[]): string {
  const lines: unknown[][] = [];
  for (const r of results) {
    for (const [name, o] of [
      ['GROUNDING', r.grounding],
      ['RELEVANCE', r.relevance],
    ] as const) {
      if (!o.flagged === o.label) continue;
      lines.push([r.row.id, r.row.split, name, o.label ? 'pass' : 'block', o.score.toFixed(2), r.row.query, r.row.response]);
    }
  }
  return lines.length ? textTable(['row', 'split', 'filter', 'expected', 'score', 'query', 'response'], lines) : 'no misses';
}

async function loadReference(repoRoot: string): Promise<GuardrailConfig> {
  const path = join(repoRoot, 'bench/reference-guardrail.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as GuardrailConfig;
  } catch (e) {
    throw new Error(`grounding eval: cannot read the reference guardrail at ${path}: ${(e as Error).message}`);
  }
}

/** The reference guardrail's GROUNDING and RELEVANCE filters; both must be there, or the section measures nothing. */
function groundingFilters(ref: GuardrailConfig): GroundingFilterConfig[] {
  const filters = ref.contextualGroundingPolicyConfig?.filtersConfig ?? [];
  for (const type of ['GROUNDING', 'RELEVANCE'])
    if (!filters.some((f) => f.type === type)) throw new Error(`grounding eval: the reference guardrail has no ${type} filter`);
  return filters;
}

export function groundingTargets(results: readonly CaseResult[], thresholds: string): TargetRow[] {
  const test = results.filter((r) => r.row.split === 'test');
  const note = `our own floor (not in EVALUATION.md); ${GROUNDING_CASES}, test split (${test.length} rows, not used for tuning); ${thresholds}`;
  return (
    [
      ['GROUNDING', 'grounding accuracy (test split)', (r: CaseResult) => r.grounding],
      ['RELEVANCE', 'relevance accuracy (test split)', (r: CaseResult) => r.relevance],
    ] as const
  ).map(([policy, metric, pick]) => {
    const value = summarize(test.map(pick)).accuracy ?? 0;
    return { policy, metric, target: `≥ ${ACCURACY_FLOOR.toFixed(2)}`, value, met: value >= ACCURACY_FLOOR, note };
  });
}

/** Scores data/grounding/cases.jsonl under `repoRoot` with the reference guardrail's grounding thresholds. */
export async function groundingSection(repoRoot: string): Promise<{ text: string; targets: TargetRow[] }> {
  const ref = await loadReference(repoRoot);
  const filters = groundingFilters(ref);
  const config: GuardrailConfig = {
    name: 'eval-grounding',
    blockedInputMessaging: ref.blockedInputMessaging,
    blockedOutputsMessaging: ref.blockedOutputsMessaging,
    contextualGroundingPolicyConfig: { filtersConfig: filters },
  };
  const rows = parseGroundingCases(await readFile(join(repoRoot, GROUNDING_CASES), 'utf8'), GROUNDING_CASES);
  const started = performance.now();
  const results = runGroundingCases(config, rows);
  const elapsed = performance.now() - started;
  const thresholds = filters.map((f) => `${f.type} threshold ${f.threshold}`).join(', ');
  const byKind = (r: CaseResult) => r.row.kind;
  const bySplit = (r: CaseResult) => r.row.split;
  const text = [
    '== Contextual grounding and relevance (reference contextualGroundingPolicy, OUTPUT; our labelled table)',
    `${GROUNDING_CASES}: ${rows.length} rows (${rows.filter((r) => r.split === 'dev').length} dev, ${rows.filter((r) => r.split === 'test').length} test), ` +
      `${thresholds}; a row is predicted to pass when its score is at or above the threshold; ${(elapsed / 1000).toFixed(2)} s`,
    'dev was used to tune the scorer; test was not',
    '\n-- GROUNDING (positive = grounded) by kind',
    groupTable(results, byKind, (r) => r.grounding, 'kind'),
    '-- GROUNDING by split',
    groupTable(results, bySplit, (r) => r.grounding, 'split'),
    '\n-- RELEVANCE (positive = relevant) by kind',
    groupTable(results, byKind, (r) => r.relevance, 'kind'),
    '-- RELEVANCE by split',
    groupTable(results, bySplit, (r) => r.relevance, 'split'),
    '\n-- misses (both splits)',
    missesTable(results),
  ].join('\n');
  return { text, targets: groundingTargets(results, thresholds) };
}

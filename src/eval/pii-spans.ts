/**
 * Span-level PII scoring (design/EVALUATION.md): a predicted span matches a gold span of the mapped type when they
 * overlap by at least half of the longer span. Each gold span and each predicted span is matched at most once
 * (greedy, largest overlap first), so one true positive counts once for precision and once for recall.
 *
 * - Gold types are the set's own (Presidio: PERSON, STREET_ADDRESS…); `map` turns them into guardrail types. Gold
 *   types without a guardrail type (LOCATION, ORGANIZATION, DATE_TIME…) are not scored and are listed apart.
 * - Predicted types the set does not label are not false positives; they are listed apart.
 * - `neutral` names gold types that a predicted type legitimately covers although the set scores them under no
 *   guardrail type (a guardrail ADDRESS includes the city and country, which Presidio labels LOCATION): a predicted
 *   span that matches no gold span of its type but matches such a gold span is neither a true nor a false positive,
 *   and is counted apart.
 * Pure: no I/O.
 */

export interface Span {
  type: string;
  /** UTF-16 offsets, `end` exclusive. */
  start: number;
  end: number;
}

export interface SpanDoc {
  /** Gold spans with the set's own entity types. */
  gold: readonly Span[];
  /** Predicted spans with guardrail entity types. */
  predicted: readonly Span[];
}

export interface SpanScoreOptions {
  /** Gold type → guardrail type. */
  map: Readonly<Record<string, string>>;
  /**
   * Guardrail types the set labels (predictions of other types are listed apart). Default: the mapped types of the
   * gold spans that occur at least once in `docs`.
   */
  labelled?: readonly string[];
  /** Guardrail types scored in the "structured" micro-average. Default: every labelled type except NAME and ADDRESS. */
  structured?: readonly string[];
  /** Predicted type → unmapped gold types it may cover without being a false positive (see the module comment). */
  neutral?: Readonly<Record<string, readonly string[]>>;
}

export interface SpanCounts {
  gold: number;
  predicted: number;
  tp: number;
  fp: number;
  fn: number;
  /** null when undefined (nothing predicted / nothing gold / both zero). */
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface TypeSpanScore extends SpanCounts {
  type: string;
}

export interface SpanScore {
  docs: number;
  /** One row per labelled guardrail type, in order of `labelled`. */
  types: TypeSpanScore[];
  micro: { structured: SpanCounts; nameAddress: SpanCounts; all: SpanCounts };
  /** Predicted spans of types the set does not label, by type. */
  unlabelledPredicted: Record<string, number>;
  /** Gold spans of types with no guardrail type, by gold type. */
  unmappedGold: Record<string, number>;
  /** Predicted spans that only matched a neutral gold span, by "predicted type→gold type". */
  neutral: Record<string, number>;
}

/** Length of the intersection of [a.start, a.end) and [b.start, b.end). */
export function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** The EVALUATION.md rule: the spans overlap by at least half of the longer one (type not checked). */
export function spansMatch(a: Span, b: Span): boolean {
  const o = overlap(a, b);
  return o > 0 && 2 * o >= Math.max(a.end - a.start, b.end - b.start);
}

export function spanCounts(gold: number, predicted: number, tp: number): SpanCounts {
  const fp = predicted - tp;
  const fn = gold - tp;
  const precision = predicted === 0 ? null : tp / predicted;
  const recall = gold === 0 ? null : tp / gold;
  // 2·P·R/(P+R) = 2·TP/(gold+predicted); 0 when there is something to find or found but nothing matched.
  const f1 = gold + predicted === 0 ? null : (2 * tp) / (gold + predicted);
  return { gold, predicted, tp, fp, fn, precision, recall, f1 };
}

/** Maximum one-to-one matching, greedy by overlap (then earliest): the indices of matched predictions. */
function matchOneToOne(pred: readonly Span[], gold: readonly Span[]): Set<number> {
  const pairs: { p: number; g: number; o: number }[] = [];
  pred.forEach((ps, p) =>
    gold.forEach((gs, g) => {
      if (spansMatch(ps, gs)) pairs.push({ p, g, o: overlap(ps, gs) });
    }),
  );
  pairs.sort((x, y) => y.o - x.o || x.p - y.p || x.g - y.g);
  const usedP = new Set<number>();
  const usedG = new Set<number>();
  for (const { p, g } of pairs) {
    if (usedP.has(p) || usedG.has(g)) continue;
    usedP.add(p);
    usedG.add(g);
  }
  return usedP;
}

function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n;
}

export function scoreSpans(docs: readonly SpanDoc[], options: SpanScoreOptions): SpanScore {
  const { map } = options;
  const labelled = options.labelled ?? [...new Set(docs.flatMap((d) => d.gold.map((g) => map[g.type]).filter((t): t is string => t !== undefined)))].sort();
  const labelledSet = new Set(labelled);
  const structured = new Set(options.structured ?? labelled.filter((t) => t !== 'NAME' && t !== 'ADDRESS'));
  const neutral = options.neutral ?? {};
  const per = new Map<string, { gold: number; predicted: number; tp: number }>(labelled.map((t) => [t, { gold: 0, predicted: 0, tp: 0 }]));
  const unlabelledPredicted: Record<string, number> = {};
  const unmappedGold: Record<string, number> = {};
  const neutralCounts: Record<string, number> = {};

  for (const doc of docs) {
    for (const g of doc.gold) if (map[g.type] === undefined) bump(unmappedGold, g.type);
    for (const type of labelled) {
      const c = per.get(type);
      if (c === undefined) continue;
      const gold = doc.gold.filter((g) => map[g.type] === type);
      const pred = doc.predicted.filter((p) => p.type === type);
      const matched = matchOneToOne(pred, gold);
      // Unmatched predictions that cover a neutral gold span (ADDRESS over a LOCATION) are left out of the counts.
      const neutralGold = doc.gold.filter((g) => map[g.type] === undefined && neutral[type]?.includes(g.type));
      let excluded = 0;
      pred.forEach((p, i) => {
        if (matched.has(i)) return;
        const n = neutralGold.find((g) => spansMatch(p, g));
        if (n === undefined) return;
        excluded++;
        bump(neutralCounts, `${type}→${n.type}`);
      });
      c.gold += gold.length;
      c.predicted += pred.length - excluded;
      c.tp += matched.size;
    }
    for (const p of doc.predicted) if (!labelledSet.has(p.type)) bump(unlabelledPredicted, p.type);
  }

  const types: TypeSpanScore[] = labelled.map((type) => {
    const c = per.get(type) ?? { gold: 0, predicted: 0, tp: 0 };
    return { type, ...spanCounts(c.gold, c.predicted, c.tp) };
  });
  const sum = (keep: (t: string) => boolean): SpanCounts => {
    let gold = 0;
    let predicted = 0;
    let tp = 0;
    for (const t of types) {
      if (!keep(t.type)) continue;
      gold += t.gold;
      predicted += t.predicted;
      tp += t.tp;
    }
    return spanCounts(gold, predicted, tp);
  };
  return {
    docs: docs.length,
    types,
    micro: {
      structured: sum((t) => structured.has(t)),
      nameAddress: sum((t) => t === 'NAME' || t === 'ADDRESS'),
      all: sum(() => true),
    },
    unlabelledPredicted,
    unmappedGold,
    neutral: neutralCounts,
  };
}

/**
 * The PII section of `npm run eval`: span-level precision, recall and F1 (design/EVALUATION.md) of the engine's PII
 * detectors, run through the reference guardrail's sensitiveInformationPolicy, on the Presidio generated sets in
 * `<dataDir>/pii` (small and large). The large set gives the target rows; the small one was the development set.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assess } from '../../engine/assess.ts';
import { compile } from '../../engine/compile.ts';
import type { GuardrailConfig, PiiEntityType } from '../../engine/config/types.ts';
import { type Span, type SpanCounts, type SpanDoc, type SpanScore, scoreSpans } from '../pii-spans.ts';
import { fmt, textTable } from '../report.ts';
import type { TargetRow } from '../targets.ts';

/** Presidio entity type → guardrail type (data/README.md). The generated sets label street addresses ADDRESS. */
export const PRESIDIO_TO_GUARDRAIL: Readonly<Record<string, PiiEntityType>> = {
  PERSON: 'NAME',
  PHONE_NUMBER: 'PHONE',
  EMAIL_ADDRESS: 'EMAIL',
  CREDIT_CARD: 'CREDIT_DEBIT_CARD_NUMBER',
  IBAN_CODE: 'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  US_SSN: 'US_SOCIAL_SECURITY_NUMBER',
  IP_ADDRESS: 'IP_ADDRESS',
  STREET_ADDRESS: 'ADDRESS',
  ADDRESS: 'ADDRESS',
  US_DRIVER_LICENSE: 'DRIVER_ID',
  AGE: 'AGE',
};

/**
 * A guardrail ADDRESS includes the city, region and country (the Bedrock definition), which Presidio labels LOCATION
 * and the mapping leaves unscored: an ADDRESS span over a LOCATION is not counted as a false positive.
 */
export const NEUTRAL_GOLD: Readonly<Record<string, readonly string[]>> = { ADDRESS: ['LOCATION'] };

export const PRESIDIO_SETS = ['presidio-generated-small.json', 'presidio-generated-large.json'] as const;
const TARGET_SET = 'presidio-generated-large.json';

export interface PresidioRow {
  text: string;
  /** Gold spans, Presidio types, UTF-16 offsets. */
  gold: Span[];
}

/** Code-point offsets (Presidio is Python) → UTF-16 offsets, for texts with characters beyond the BMP. */
function utf16Offsets(text: string): (cp: number) => number {
  const table: number[] = [];
  let u = 0;
  for (const ch of text) {
    table.push(u);
    u += ch.length;
  }
  table.push(u);
  return (cp) => table[Math.min(Math.max(cp, 0), table.length - 1)] ?? u;
}

export function parsePresidio(json: string, name: string): PresidioRow[] {
  const data: unknown = JSON.parse(json);
  if (!Array.isArray(data)) throw new Error(`${name}: expected a JSON array of {full_text, spans}`);
  return data.map((o: unknown, i) => {
    const r = o as { full_text?: unknown; spans?: unknown };
    if (typeof r.full_text !== 'string' || !Array.isArray(r.spans)) throw new Error(`${name}[${i}]: needs full_text (string) and spans (array)`);
    const text = r.full_text;
    const at = utf16Offsets(text);
    const gold = (r.spans as { entity_type?: unknown; start_position?: unknown; end_position?: unknown }[]).map((s, j) => {
      if (typeof s.entity_type !== 'string' || typeof s.start_position !== 'number' || typeof s.end_position !== 'number')
        throw new Error(`${name}[${i}].spans[${j}]: needs entity_type, start_position, end_position`);
      return { type: s.entity_type, start: at(s.start_position), end: at(s.end_position) };
    });
    return { text, gold };
  });
}

export interface PiiRun {
  docs: SpanDoc[];
  elapsedMs: number;
}

/** Runs each row through the guardrail (INPUT side) and pairs the gold spans with the assessment's PII findings. */
export function runPii(config: GuardrailConfig, rows: readonly PresidioRow[]): PiiRun {
  const compiled = compile(config);
  const started = performance.now();
  const docs = rows.map((r): SpanDoc => {
    const a = assess(compiled, { source: 'INPUT', content: [{ text: r.text }], outputScope: 'FULL' });
    const predicted = (a.piiFindings[0] ?? []).map((f) => ({ type: f.type, start: f.start, end: f.end }));
    return { gold: r.gold, predicted };
  });
  return { docs, elapsedMs: performance.now() - started };
}

export function scorePresidio(run: PiiRun): SpanScore {
  return scoreSpans(run.docs, { map: PRESIDIO_TO_GUARDRAIL, neutral: NEUTRAL_GOLD });
}

/**
 * The ADDRESS span F1 a detector reporting every address whole would reach on these rows: the gold ADDRESS and
 * LOCATION spans that follow each other with only spaces, commas and line breaks between them are merged into one
 * predicted address. The sets label some addresses whole and others part by part (building number, street, unit,
 * postcode; city and country as LOCATION), so even perfect whole-address spans miss the part-by-part rows.
 */
export function wholeAddressCeiling(rows: readonly PresidioRow[]): SpanCounts {
  const docs: SpanDoc[] = rows.map((r) => {
    const parts = r.gold.filter((g) => PRESIDIO_TO_GUARDRAIL[g.type] === 'ADDRESS' || g.type === 'LOCATION').sort((a, b) => a.start - b.start);
    const blocks: Span[] = [];
    for (const p of parts) {
      const last = blocks[blocks.length - 1];
      if (last !== undefined && p.start >= last.end && /^[\s,]*$/.test(r.text.slice(last.end, p.start))) last.end = Math.max(last.end, p.end);
      else blocks.push({ type: 'ADDRESS', start: p.start, end: p.end });
    }
    const hasAddress = (b: Span) => r.gold.some((g) => PRESIDIO_TO_GUARDRAIL[g.type] === 'ADDRESS' && g.start >= b.start && g.end <= b.end);
    return { gold: r.gold, predicted: blocks.filter(hasAddress) };
  });
  const s = scoreSpans(docs, { map: PRESIDIO_TO_GUARDRAIL, labelled: ['ADDRESS'], neutral: NEUTRAL_GOLD });
  return s.types[0] ?? { gold: 0, predicted: 0, tp: 0, fp: 0, fn: 0, precision: null, recall: null, f1: null };
}

function countsRow(label: string, c: SpanCounts): unknown[] {
  return [label, c.gold, c.predicted, c.tp, c.fp, c.fn, fmt(c.precision), fmt(c.recall), fmt(c.f1)];
}

function listed(m: Record<string, number>): string {
  const e = Object.entries(m).sort((a, b) => b[1] - a[1]);
  return e.length ? e.map(([k, n]) => `${k} ×${n}`).join(', ') : 'none';
}

export function renderSpanScore(s: SpanScore): string {
  const lines = s.types.map((t) => countsRow(t.type, t));
  lines.push(countsRow('micro: structured types', s.micro.structured));
  lines.push(countsRow('micro: NAME, ADDRESS', s.micro.nameAddress));
  lines.push(countsRow('micro: all labelled types', s.micro.all));
  return [
    textTable(['type', 'gold', 'predicted', 'TP', 'FP', 'FN', 'precision', 'recall', 'F1'], lines),
    `not scored — predicted types the set does not label: ${listed(s.unlabelledPredicted)}`,
    `not scored — gold types with no guardrail type: ${listed(s.unmappedGold)}`,
    `not scored — ADDRESS predictions covering only a gold LOCATION (city/country): ${listed(s.neutral)}`,
  ].join('\n');
}

function spanTargets(s: SpanScore, note: string): TargetRow[] {
  const f1 = (c: SpanCounts | undefined): number => c?.f1 ?? 0;
  const rows: TargetRow[] = [
    { policy: 'PII', metric: 'structured types span F1 (micro)', target: '≥ 0.95', value: f1(s.micro.structured), met: f1(s.micro.structured) >= 0.95, note },
  ];
  for (const type of ['NAME', 'ADDRESS']) {
    const c = s.types.find((t) => t.type === type);
    rows.push({ policy: 'PII', metric: `${type} span F1`, target: '≥ 0.80', value: f1(c), met: f1(c) >= 0.8, note });
  }
  return rows;
}

async function loadReference(): Promise<GuardrailConfig> {
  const url = new URL('../../../bench/reference-guardrail.json', import.meta.url);
  try {
    return JSON.parse(await readFile(url, 'utf8')) as GuardrailConfig;
  } catch (e) {
    throw new Error(`PII eval: cannot read the reference guardrail at ${url.pathname}: ${(e as Error).message}`);
  }
}

/**
 * Scores both Presidio sets. `reference` defaults to bench/reference-guardrail.json; only its
 * sensitiveInformationPolicyConfig is used.
 */
export async function piiSection(dataDir: string, reference?: GuardrailConfig): Promise<{ text: string; targets: TargetRow[] }> {
  const ref = reference ?? (await loadReference());
  const config: GuardrailConfig = {
    name: 'eval-pii',
    blockedInputMessaging: ref.blockedInputMessaging,
    blockedOutputsMessaging: ref.blockedOutputsMessaging,
    sensitiveInformationPolicyConfig: ref.sensitiveInformationPolicyConfig,
  };
  const parts = [
    '== PII, span level (reference sensitiveInformationPolicy, INPUT; Presidio generated sets)',
    'a predicted span matches a gold span of the mapped type when they overlap by at least half of the longer span (one-to-one);',
    'mapping per data/README.md; the small set was the development set, the large one gives the target rows',
  ];
  let targets: TargetRow[] = [];
  for (const file of PRESIDIO_SETS) {
    const rows = parsePresidio(await readFile(join(dataDir, 'pii', file), 'utf8'), file);
    const run = runPii(config, rows);
    const s = scorePresidio(run);
    parts.push(`\n-- ${file}: ${rows.length} sentences, ${(run.elapsedMs / 1000).toFixed(2)} s (${(rows.length / (run.elapsedMs / 1000)).toFixed(0)} rows/s)`);
    parts.push(renderSpanScore(s));
    const ceiling = wholeAddressCeiling(rows);
    parts.push(
      `ADDRESS granularity: the set labels some addresses whole and others part by part; whole-address spans taken from the gold itself would score ADDRESS span F1 ${fmt(ceiling.f1)} (P ${fmt(ceiling.precision)}, R ${fmt(ceiling.recall)})`,
    );
    if (file === TARGET_SET) {
      targets = spanTargets(s, `span level, ${file} (${rows.length} sentences; rules were developed on the small set and on error samples of both sets, without copying values)`);
      const address = targets.find((t) => t.metric === 'ADDRESS span F1');
      if (address !== undefined) address.note = `${address.note}; perfect whole-address spans would score ${fmt(ceiling.f1)} on this labelling`;
    }
  }
  return { text: parts.join('\n'), targets };
}

/**
 * `npm run eval`: detection quality of the pure engine on the labelled public sets in ../shared/data (see its
 * README and design/EVALUATION.md), no server. Builds labelled rows in memory (never written anywhere), runs them
 * through the reference guardrail's policies (bench/reference-guardrail.json) at the strengths the evaluation
 * names (PROMPT_ATTACK HIGH, HATE/INSULTS/SEXUAL/VIOLENCE MEDIUM), and prints one table per policy.
 * Without ../shared/data it says so and exits 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, platform, arch } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadReferenceGuardrail } from '../bench/reference.ts';
import { assess, strengthCatches } from '../src/engine/assess.ts';
import type { GuardrailAssessment } from '../src/engine/assessment.ts';
import { compile } from '../src/engine/compile.ts';
import type { FilterStrength, GuardrailConfig, PiiEntityType } from '../src/engine/config/types.ts';
import type { LabelledRow } from '../src/eval/dataset.ts';
import { categoryFpRate, fmt, textTable } from '../src/eval/report.ts';
import { type EvalScore, predict, type RowResult, score } from '../src/eval/score.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = resolve(ROOT, '../shared/data');

type Obj = Record<string, unknown>;

function readJsonl(rel: string): Obj[] {
  return readFileSync(join(DATA, rel), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Obj);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Every k-th element so that at most `max` remain (deterministic), with a note of the sampling. */
function sample<T>(xs: readonly T[], max: number, name: string, notes: string[]): T[] {
  if (xs.length <= max) return [...xs];
  const k = Math.ceil(xs.length / max);
  notes.push(`${name}: every ${k}-th row of ${xs.length} (from the first)`);
  return xs.filter((_, i) => i % k === 0);
}

function row(set: string, i: number, text: string, categories: string[], expect?: LabelledRow['expect']): LabelledRow {
  return { line: 0, id: `${set}#${i + 1}`, text, categories, expect: expect ?? (categories.length ? 'BLOCKED' : 'NONE') };
}

interface Run {
  results: (RowResult & { assessment: GuardrailAssessment })[];
  elapsedMs: number;
}

function run(config: GuardrailConfig, rows: readonly LabelledRow[]): Run {
  const compiled = compile(config);
  const started = performance.now();
  const results = rows.map((r) => {
    const a = assess(compiled, { source: r.source ?? 'INPUT', content: [{ text: r.text }], outputScope: 'FULL' });
    return { row: r, assessment: a.assessment, prediction: predict({ action: a.action, assessments: [a.assessment] }) };
  });
  return { results, elapsedMs: performance.now() - started };
}

/** The run's answers as a filter strength other than the one run would have judged them (confidences are listed). */
function atStrength(r: Run, strength: FilterStrength): RowResult[] {
  return r.results.map(({ row: rw, assessment }) => {
    const filters = (assessment.contentPolicy?.filters ?? []).map((f) => {
      const detected = strengthCatches(f.confidence, strength);
      return { ...f, filterStrength: strength, detected, action: detected ? ('BLOCKED' as const) : ('NONE' as const) };
    });
    const a: GuardrailAssessment = { ...assessment, contentPolicy: { filters } };
    return { row: rw, prediction: predict({ action: 'NONE', assessments: [a] }) };
  });
}

function policyTable(s: EvalScore): string {
  const i = s.intervention;
  const lines = s.categories.map((c) => [
    c.category,
    c.positives,
    c.tp + c.fp + c.fn + c.tn - c.positives,
    c.tp,
    c.fn,
    c.fp,
    fmt(c.recall),
    fmt(categoryFpRate(c)),
    fmt(c.precision),
    fmt(c.f1),
  ]);
  lines.push([
    `any (intervened)`,
    i.tp + i.fn,
    i.fp + i.tn,
    i.tp,
    i.fn,
    i.fp,
    fmt(i.recall),
    fmt(i.falsePositiveRate),
    fmt(i.precision),
    fmt(i.f1),
  ]);
  return textTable(['category', 'positives', 'negatives', 'TP', 'FN', 'FP', 'recall', 'FP rate', 'precision', 'F1'], lines);
}

function strengthTable(r: Run, categories: readonly string[]): string {
  const lines: unknown[][] = [];
  for (const st of ['LOW', 'MEDIUM', 'HIGH'] as const) {
    const s = score(atStrength(r, st), { labelled: categories, misses: 0 });
    for (const c of s.categories) lines.push([st, c.category, fmt(c.recall), fmt(categoryFpRate(c)), fmt(c.precision), fmt(c.f1)]);
    lines.push([st, 'any', fmt(s.intervention.recall), fmt(s.intervention.falsePositiveRate), fmt(s.intervention.precision), fmt(s.intervention.f1)]);
  }
  return textTable(['strength', 'category', 'recall', 'FP rate', 'precision', 'F1'], lines);
}

function timing(r: Run): string {
  const rows = r.results.length;
  return `${rows} rows in ${(r.elapsedMs / 1000).toFixed(2)} s (${(rows / (r.elapsedMs / 1000)).toFixed(0)} rows/s)`;
}

/** Rows that are not scored as positives or negatives of a filter: how many any filter blocked. */
function apartLine(name: string, rows: readonly LabelledRow[], config: GuardrailConfig): string {
  const r = run(config, rows);
  const n = r.results.filter((x) => x.prediction.action !== 'NONE').length;
  return `${name}: ${n}/${rows.length} blocked by some filter (${fmt(rows.length ? n / rows.length : null)})`;
}

function main(): void {
  if (!existsSync(DATA)) {
    console.log(`No evaluation data at ${DATA} (see EVALUATION.md): nothing measured.`);
    return;
  }
  const t0 = performance.now();
  const cpu = cpus();
  console.log(`machine: ${cpu.length}× ${cpu[0]?.model ?? 'unknown CPU'}, ${platform()} ${arch()}, node ${process.version}`);
  console.log('engine: in process (no server), outputScope FULL; data: ../shared/data, the visible dev sets (the held-out sets check these numbers)');
  const ref = loadReferenceGuardrail<GuardrailConfig>();
  const shell = { name: 'eval', blockedInputMessaging: ref.blockedInputMessaging, blockedOutputsMessaging: ref.blockedOutputsMessaging };
  const notes: string[] = [];

  // Shared negatives.
  const xstest = readJsonl('content/xstest-dev.jsonl');
  const xsSafe = xstest.filter((o) => o.label === 'safe').map((o, i) => row('xstest-safe', i, str(o.text), []));
  const moderation = readJsonl('content/openai-moderation-dev.jsonl');
  const modLabels = (o: Obj): string[] => (Array.isArray(o.labels) ? (o.labels as unknown[]).map(str) : []);
  const modClean = moderation.filter((o) => modLabels(o).length === 0).map((o, i) => row('moderation-unflagged', i, str(o.text), []));
  const davidson = readJsonl('content/davidson-tweets.jsonl');
  const neither = sample(
    davidson.filter((o) => o.label === 'neither'),
    5000,
    'davidson neither tweets',
    notes,
  ).map((o, i) => row('davidson-neither', i, str(o.text), []));

  // 1. Prompt attack.
  const pa = (rel: string, set: string, max: number): LabelledRow[] =>
    sample(readJsonl(rel), max, set, notes).map((o, i) => row(set, i, str(o.user), ['PROMPT_ATTACK']));
  const paPositives = [
    ...pa('prompt-attack/cyberseceval-dev.jsonl', 'cyberseceval-en', 5000),
    ...pa('prompt-attack/cyberseceval-multilingual.jsonl', 'cyberseceval-multilingual', 5000),
    ...pa('prompt-attack/giskard.jsonl', 'giskard', 5000),
    ...pa('prompt-attack/gptfuzz-templates.jsonl', 'gptfuzz-templates', 5000),
  ];
  const paConfig: GuardrailConfig = {
    ...shell,
    contentPolicyConfig: { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }] },
  };
  const paRun = run(paConfig, [...paPositives, ...xsSafe, ...modClean]);
  const paScore = score(paRun.results, { labelled: ['PROMPT_ATTACK'], elapsedMs: paRun.elapsedMs });
  console.log('\n== Prompt attack (PROMPT_ATTACK at HIGH, INPUT)');
  console.log(`positives: CyberSecEval English + multilingual, Giskard, GPTFuzz templates (user text); negatives: XSTest safe, unflagged moderation prompts`);
  console.log(policyTable(paScore));
  const bySet = new Map<string, { n: number; hit: number }>();
  for (const r of paRun.results) {
    if (!r.row.categories?.length) continue;
    const set = (r.row.id ?? '').split('#')[0] ?? '';
    const k = bySet.get(set) ?? { n: 0, hit: 0 };
    k.n++;
    if (r.prediction.categories.includes('PROMPT_ATTACK')) k.hit++;
    bySet.set(set, k);
  }
  console.log(textTable(['positive set', 'rows', 'detected', 'recall'], [...bySet].map(([s, k]) => [s, k.n, k.hit, fmt(k.hit / k.n)])));
  console.log('per strength (from the listed confidences):');
  console.log(strengthTable(paRun, ['PROMPT_ATTACK']));
  console.log(timing(paRun));

  // 2. Content filters.
  const HARM = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE'] as const;
  const harmConfig: GuardrailConfig = {
    ...shell,
    contentPolicyConfig: { filtersConfig: HARM.map((type) => ({ type, inputStrength: 'MEDIUM', outputStrength: 'MEDIUM' })) },
  };
  const modFlagged: LabelledRow[] = [];
  const selfHarmOnly: LabelledRow[] = [];
  const selfHarmAll: LabelledRow[] = [];
  moderation.forEach((o, i) => {
    const labels = modLabels(o);
    if (!labels.length) return;
    const cats = labels.filter((l) => (HARM as readonly string[]).includes(l));
    const r = row('moderation', i, str(o.text), cats);
    if (labels.includes('SELF_HARM')) selfHarmAll.push(r);
    if (cats.length) modFlagged.push(r);
    else selfHarmOnly.push(r);
  });
  const harmRun = run(harmConfig, [...modFlagged, ...modClean, ...xsSafe, ...neither]);
  const harmScore = score(harmRun.results, { labelled: [...HARM], elapsedMs: harmRun.elapsedMs });
  console.log('\n== Content filters (HATE, INSULTS, SEXUAL, VIOLENCE at MEDIUM, INPUT)');
  console.log('positives: OpenAI moderation rows as labelled; negatives: unflagged moderation rows, XSTest safe, Davidson "neither" tweets');
  console.log(policyTable(harmScore));
  const benignBy = (set: string): string => {
    const rs = harmRun.results.filter((r) => r.row.id?.startsWith(`${set}#`));
    const n = rs.filter((r) => r.prediction.action !== 'NONE').length;
    return `${set} ${n}/${rs.length} (${fmt(rs.length ? n / rs.length : null)})`;
  };
  console.log(`FP rate by benign set: ${['moderation-unflagged', 'xstest-safe', 'davidson-neither'].map(benignBy).join('; ')}`);
  console.log('per strength (from the listed confidences):');
  console.log(strengthTable(harmRun, [...HARM]));
  console.log(timing(harmRun));
  console.log('reported apart (no filter type / no category labels):');
  console.log(`  ${apartLine('moderation SELF_HARM rows (any label)', selfHarmAll, harmConfig)}; ${selfHarmOnly.length} of them carry no other label`);
  console.log(`  ${apartLine('XSTest unsafe prompts', xstest.filter((o) => o.label === 'unsafe').map((o, i) => row('xstest-unsafe', i, str(o.text), [], 'BLOCKED')), harmConfig)}`);
  console.log(`  ${apartLine('GPTFuzz harmful questions', readJsonl('content/gptfuzz-harmful-questions.jsonl').map((o, i) => row('gptfuzz-q', i, str(o.text), [], 'BLOCKED')), harmConfig)}`);

  // 3. PII (row level for now).
  const PII_MAP: Record<string, PiiEntityType> = {
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
  const piiConfig: GuardrailConfig = { ...shell, sensitiveInformationPolicyConfig: ref.sensitiveInformationPolicyConfig };
  const piiActions = new Map((ref.sensitiveInformationPolicyConfig?.piiEntitiesConfig ?? []).map((p) => [p.type, p.action]));
  const presidio = JSON.parse(readFileSync(join(DATA, 'pii/presidio-generated-small.json'), 'utf8')) as Obj[];
  const unmapped = new Map<string, number>();
  const piiRows = presidio.map((o, i) => {
    const types = new Set<PiiEntityType>();
    for (const s of (o.spans as Obj[] | undefined) ?? []) {
      const t = PII_MAP[str(s.entity_type)];
      if (t) types.add(t);
      else unmapped.set(str(s.entity_type), (unmapped.get(str(s.entity_type)) ?? 0) + 1);
    }
    const acts = [...types].map((t) => piiActions.get(t) ?? 'NONE');
    const expect = acts.includes('BLOCK') ? 'BLOCKED' : acts.includes('ANONYMIZE') ? 'ANONYMIZED' : 'NONE';
    return row('presidio-small', i, str(o.full_text), [...types].map((t) => `pii:${t}`).sort(), expect);
  });
  // Only the mapped types the set labels at least once: a type it never labels cannot be a false positive.
  const labelledPii = [...new Set(piiRows.flatMap((r) => r.categories ?? []))].sort();
  const piiRun = run(piiConfig, piiRows);
  const piiScore = score(piiRun.results, { labelled: labelledPii, elapsedMs: piiRun.elapsedMs });
  console.log('\n== PII (reference sensitiveInformationPolicy, INPUT; Presidio generated small set)');
  console.log('row level: a type counts as found when the sentence has a gold span of it and the guardrail reports that type anywhere in the sentence. Span-level F1 (overlap ≥ half the longer span) comes later.');
  console.log(policyTable(piiScore));
  console.log(
    textTable(
      ['expected \\ predicted', 'BLOCKED', 'ANONYMIZED', 'NONE'],
      (['BLOCKED', 'ANONYMIZED', 'NONE'] as const).map((e) => [e, piiScore.confusion[e].BLOCKED, piiScore.confusion[e].ANONYMIZED, piiScore.confusion[e].NONE]),
    ),
  );
  console.log(`not labelled by the set, not counted as false positives — predicted: ${Object.entries(piiScore.unscored).map(([c, n]) => `${c} ×${n}`).join(', ') || 'none'}; gold types with no guardrail type: ${[...unmapped].map(([t, n]) => `${t} ×${n}`).join(', ') || 'none'}`);
  console.log(timing(piiRun));

  console.log(`\nsampling: ${notes.length ? notes.join('; ') : 'none (every row of every set used)'}`);
  console.log(`total time: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main();

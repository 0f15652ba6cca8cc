/**
 * Engine benchmark: ApplyGuardrail assessment time for the reference guardrail (every policy on:
 * 6 content filters, 5 topics, 1,000 words + PROFANITY, all 31 PII types, 10 regexes, grounding)
 * on texts of 100 B … 1 MB, one core. Prints p50/p99, µs per KB (flat = linear) and MB/s.
 *
 *   npm run bench                       # all sizes
 *   npm run bench -- --sizes 1024,102400 --words 10,1000,10000
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { assess } from '../src/engine/assess.ts';
import { compile } from '../src/engine/compile.ts';
import type { GuardrailConfig } from '../src/engine/config/types.ts';
import { benchText, generatedTerms } from './text.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const sizes = arg('sizes', '100,1024,10240,102400,1048576').split(',').map(Number);
const wordCounts = arg('words', '1000').split(',').map(Number);
const budgetMs = Number(arg('ms', '2000'));

const reference = JSON.parse(
  readFileSync(new URL('./reference-guardrail.json', import.meta.url), 'utf8'),
) as GuardrailConfig;

function withWords(n: number): GuardrailConfig {
  const base = reference.wordPolicyConfig?.wordsConfig ?? [];
  const extra = generatedTerms(Math.max(0, n - base.length)).map((text) => ({ text }));
  return { ...reference, wordPolicyConfig: { ...reference.wordPolicyConfig, wordsConfig: [...base, ...extra].slice(0, n) } };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Row {
  words: number;
  size: number;
  runs: number;
  p50: number;
  p99: number;
}

function measure(config: GuardrailConfig, size: number): Omit<Row, 'words' | 'size'> {
  const compiled = compile(config);
  // Eight texts that differ in their first bytes, taken in turn, so no detector's "same text as last time"
  // memo (the classifier's, the tokenizer's) turns a measurement into a cache hit.
  const base = benchText(size);
  const reqs = Array.from({ length: 8 }, (_, i) => ({
    source: 'INPUT' as const,
    content: [{ text: `Note ${i}: ${base}`.slice(0, size) }],
  }));
  let turn = 0;
  const next = () => reqs[turn++ % reqs.length] as (typeof reqs)[number];
  // Warm up (JIT, lazy tables).
  const warmUntil = performance.now() + Math.min(500, budgetMs / 4);
  while (performance.now() < warmUntil) assess(compiled, next());
  const samples: number[] = [];
  const until = performance.now() + budgetMs;
  while (performance.now() < until || samples.length < 5) {
    const req = next();
    const t0 = performance.now();
    assess(compiled, req);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { runs: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

function fmtSize(n: number): string {
  return n >= 1048576 ? `${n / 1048576} MB` : n >= 1024 ? `${n / 1024} KB` : `${n} B`;
}

const rows: Row[] = [];
for (const words of wordCounts) {
  const config = withWords(words);
  for (const size of sizes) rows.push({ words, size, ...measure(config, size) });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Parapet engine benchmark — reference guardrail (all policies), source INPUT, one core`);
console.log(
  `machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; ${budgetMs} ms per row\n`,
);
const header = ['words', 'text', 'runs', 'p50 ms', 'p99 ms', 'p50 µs/KB', 'MB/s (p50)'];
const table = rows.map((r) => [
  String(r.words),
  fmtSize(r.size),
  String(r.runs),
  r.p50.toFixed(3),
  r.p99.toFixed(3),
  ((r.p50 * 1000) / (r.size / 1024)).toFixed(1),
  (r.size / 1048576 / (r.p50 / 1000)).toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r));

// Per-detector cost: the reference guardrail cut down to one policy at a time, same texts, same method.
const detectorSizes = arg('detector-sizes', '1024,102400').split(',').map(Number);
if (!process.argv.includes('--no-detectors')) {
  const ref = withWords(1000);
  const shell = { name: 'bench', blockedInputMessaging: ref.blockedInputMessaging, blockedOutputsMessaging: ref.blockedOutputsMessaging };
  const filters = ref.contentPolicyConfig?.filtersConfig ?? [];
  const parts: [string, GuardrailConfig][] = [
    ['content filters (5 harm categories: patterns + model)', { ...shell, contentPolicyConfig: { filtersConfig: filters.filter((f) => f.type !== 'PROMPT_ATTACK') } }],
    ['prompt attack (patterns + model)', { ...shell, contentPolicyConfig: { filtersConfig: filters.filter((f) => f.type === 'PROMPT_ATTACK') } }],
    ['denied topics (reference 5)', { ...shell, topicPolicyConfig: ref.topicPolicyConfig }],
    ['words (1,000 + PROFANITY)', { ...shell, wordPolicyConfig: ref.wordPolicyConfig }],
    ['PII (31 types)', { ...shell, sensitiveInformationPolicyConfig: { piiEntitiesConfig: ref.sensitiveInformationPolicyConfig?.piiEntitiesConfig } }],
    ['regexes (10)', { ...shell, sensitiveInformationPolicyConfig: { regexesConfig: ref.sensitiveInformationPolicyConfig?.regexesConfig } }],
    ['all policies (reference)', ref],
  ];
  const dHeader = ['detector', ...detectorSizes.flatMap((s) => [`${fmtSize(s)} p50 ms`, `${fmtSize(s)} µs/KB`])];
  const dRows = parts.map(([name, cfg]) => [
    name,
    ...detectorSizes.flatMap((s) => {
      const m = measure(cfg, s);
      return [m.p50.toFixed(3), ((m.p50 * 1000) / (s / 1024)).toFixed(1)];
    }),
  ]);
  const dw = dHeader.map((h, i) => Math.max(h.length, ...dRows.map((r) => (r[i] ?? '').length)));
  const dline = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(dw[i] ?? 0) : c.padStart(dw[i] ?? 0))).join(' | ')} |`;
  console.log(`\nper-detector cost (INPUT, one policy at a time; grounding runs on OUTPUT only and is not in this table)`);
  console.log(dline(dHeader));
  console.log(`|${dw.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of dRows) console.log(dline(r));
}

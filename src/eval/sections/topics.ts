/**
 * The denied-topics section of `npm run eval`: our own hand-written benchmark `data/topics/benchmark.json` (issue 5).
 * Each topic is a Bedrock DENY topic (name, definition, examples) with at least 30 on-topic texts, which must be
 * blocked, and 30 near-miss off-topic texts, which share its vocabulary or domain and must pass. The benchmark was
 * written without looking at how the detector was built, so that it measures generalisation, not the lexicon.
 *
 * Every topic is compiled alone into a guardrail (so another topic cannot catch its texts) and each text runs
 * through `assess` as INPUT. Reported per topic and per split: on-topic recall, off-topic false-positive rate and
 * accuracy, pooled over texts. The split is fixed in the file: dev topics may be looked at while tuning, test
 * topics give the headline figure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assess } from '../../engine/assess.ts';
import { compile } from '../../engine/compile.ts';
import type { GuardrailConfig } from '../../engine/config/types.ts';
import { TOPIC_THRESHOLD } from '../../engine/topics/index.ts';
import { fmt, textTable } from '../report.ts';
import type { TargetRow } from '../targets.ts';

export const TOPIC_BENCHMARK = 'data/topics/benchmark.json';
const ACCURACY_FLOOR = 0.9;
const MIN_TEXTS = 30;
const WORST_MISSES = 10;

/** What CreateGuardrail accepts for one topic (bedrock-2023-04-20 service model; src/engine/config/shape.ts). */
export const BEDROCK_TOPIC_LIMITS = {
  nameMax: 100,
  namePattern: /^[0-9a-zA-Z\-_ !?.]+$/,
  definitionMax: 200,
  examplesMax: 5,
  exampleMax: 100,
} as const;

export type TopicSplit = 'dev' | 'test';

export interface BenchmarkTopic {
  name: string;
  definition: string;
  examples: string[];
  split: TopicSplit;
  /** Texts about the topic: must be blocked. */
  on: string[];
  /** Near misses: must not be blocked. */
  off: string[];
}

export interface TopicBenchmark {
  topics: BenchmarkTopic[];
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/**
 * Checks the parsed benchmark against its format and the Bedrock topic limits; throws one Error listing every
 * problem, each naming its topic. `minTexts` is the least number of on-topic and of off-topic texts per topic.
 */
export function validateTopicBenchmark(data: unknown, options: { minTexts?: number } = {}): TopicBenchmark {
  const minTexts = Math.max(1, options.minTexts ?? MIN_TEXTS);
  const L = BEDROCK_TOPIC_LIMITS;
  const problems: string[] = [];
  const topicsField = typeof data === 'object' && data !== null ? (data as { topics?: unknown }).topics : undefined;
  if (!Array.isArray(topicsField) || topicsField.length === 0) {
    throw new Error('topic benchmark is invalid: expected {"topics": [...]} with at least one topic');
  }
  const seen = new Set<string>();
  topicsField.forEach((raw: unknown, i) => {
    const t = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const label = typeof t.name === 'string' ? `topic "${t.name}"` : `topic #${i + 1}`;
    const bad = (what: string): void => {
      problems.push(`${label}: ${what}`);
    };
    if (typeof t.name !== 'string' || t.name.length === 0) bad('name must be a non-empty string');
    else {
      if (t.name.length > L.nameMax) bad(`name is ${t.name.length} characters; Bedrock allows at most ${L.nameMax}`);
      if (!L.namePattern.test(t.name)) bad('name may only contain letters, digits, spaces and - _ ! ? .');
      const key = t.name.toLowerCase();
      if (seen.has(key)) bad('name is used by another topic (names must be unique, ignoring case)');
      seen.add(key);
    }
    if (typeof t.definition !== 'string' || t.definition.length === 0) bad('definition must be a non-empty string');
    else if (t.definition.length > L.definitionMax)
      bad(`definition is ${t.definition.length} characters; Bedrock allows at most ${L.definitionMax}`);
    if (!isStringList(t.examples)) bad('examples must be a list of strings');
    else {
      if (t.examples.length > L.examplesMax) bad(`has ${t.examples.length} examples; Bedrock allows at most ${L.examplesMax}`);
      t.examples.forEach((e, j) => {
        if (e.length === 0) bad(`example ${j + 1} is empty`);
        if (e.length > L.exampleMax) bad(`example ${j + 1} is ${e.length} characters; Bedrock allows at most ${L.exampleMax}`);
      });
    }
    if (t.split !== 'dev' && t.split !== 'test') bad('split must be "dev" or "test"');
    for (const side of ['on', 'off'] as const) {
      const texts = t[side];
      if (!isStringList(texts)) {
        bad(`"${side}" must be a list of strings`);
        continue;
      }
      if (texts.length < minTexts) bad(`has ${texts.length} "${side}" texts; at least ${minTexts} are required`);
      if (texts.some((s) => s.trim().length === 0)) bad(`"${side}" has an empty text`);
    }
    // A text labelled both ways would count as an error whatever the detector says.
    if (isStringList(t.on) && isStringList(t.off)) {
      const on = new Set(t.on);
      for (const s of t.off) if (on.has(s)) bad(`"${s}" is both an on-topic and an off-topic text`);
    }
  });
  if (problems.length) throw new Error(`topic benchmark is invalid:\n- ${problems.join('\n- ')}`);
  return { topics: topicsField as BenchmarkTopic[] };
}

/** Whether a text was blocked by the topic, and the topic's score (0..1) to rank misses by. */
export interface TopicVerdict {
  detected: boolean;
  score: number;
}
/** Prepares one topic (compiles it) and returns its judge of single texts. */
export type TopicDetector = (topic: BenchmarkTopic) => (text: string) => TopicVerdict;

/** The guardrail the benchmark runs for one topic: that topic alone, DENY, blocking on input. */
export function topicGuardrail(topic: BenchmarkTopic): GuardrailConfig {
  return {
    name: 'topic-benchmark',
    blockedInputMessaging: 'Sorry, I cannot help with that topic.',
    blockedOutputsMessaging: 'Sorry, I cannot help with that topic.',
    topicPolicyConfig: {
      topicsConfig: [{ name: topic.name, definition: topic.definition, examples: [...topic.examples], type: 'DENY' }],
    },
  };
}

/** The engine: `assess` decides (BLOCKED by that topic); the matcher's score only ranks the misses. */
export const engineDetector: TopicDetector = (topic) => {
  const compiled = compile(topicGuardrail(topic));
  const matcher = compiled.input.topics?.matcher;
  return (text) => {
    const r = assess(compiled, { source: 'INPUT', content: [{ text }], outputScope: 'FULL' });
    const detected = (r.assessment.topicPolicy?.topics ?? []).some((t) => t.name === topic.name && t.detected && t.action === 'BLOCKED');
    const score = matcher?.match(text)[0]?.score ?? (detected ? 1 : 0);
    return { detected, score };
  };
};

export interface Tally {
  on: number;
  onDetected: number;
  off: number;
  offDetected: number;
}

export interface TallyRates {
  /** On-topic texts detected / on-topic texts. */
  recall: number | null;
  /** Off-topic texts detected / off-topic texts. */
  fpRate: number | null;
  /** Texts judged right / texts. */
  accuracy: number | null;
}

export function rates(t: Tally): TallyRates {
  const n = t.on + t.off;
  return {
    recall: t.on ? t.onDetected / t.on : null,
    fpRate: t.off ? t.offDetected / t.off : null,
    accuracy: n ? (t.onDetected + t.off - t.offDetected) / n : null,
  };
}

function addTally(a: Tally, b: Tally): Tally {
  return { on: a.on + b.on, onDetected: a.onDetected + b.onDetected, off: a.off + b.off, offDetected: a.offDetected + b.offDetected };
}

const EMPTY: Tally = { on: 0, onDetected: 0, off: 0, offDetected: 0 };

export interface TopicMiss {
  topic: string;
  split: TopicSplit;
  /** What the text should have been: on-topic (missed) or off-topic (false positive). */
  expected: 'on' | 'off';
  score: number;
  text: string;
}

export interface TopicBenchmarkScore {
  topics: Array<{ name: string; split: TopicSplit; tally: Tally }>;
  totals: Record<TopicSplit | 'all', Tally>;
  /** Every wrong answer, the most confidently wrong first (score farthest past the threshold; ties spread over topics). */
  misses: TopicMiss[];
  elapsedMs: number;
}

export function scoreTopicBenchmark(bench: TopicBenchmark, detector: TopicDetector = engineDetector): TopicBenchmarkScore {
  const started = performance.now();
  const topics: TopicBenchmarkScore['topics'] = [];
  const misses: TopicMiss[] = [];
  const totals: TopicBenchmarkScore['totals'] = { dev: EMPTY, test: EMPTY, all: EMPTY };
  for (const topic of bench.topics) {
    const judge = detector(topic);
    const tally: Tally = { on: topic.on.length, onDetected: 0, off: topic.off.length, offDetected: 0 };
    for (const [expected, texts] of [['on', topic.on], ['off', topic.off]] as const) {
      for (const text of texts) {
        const v = judge(text);
        if (v.detected && expected === 'on') tally.onDetected++;
        if (v.detected && expected === 'off') tally.offDetected++;
        if (v.detected !== (expected === 'on')) misses.push({ topic: topic.name, split: topic.split, expected, score: v.score, text });
      }
    }
    topics.push({ name: topic.name, split: topic.split, tally });
    totals[topic.split] = addTally(totals[topic.split], tally);
    totals.all = addTally(totals.all, tally);
  }
  const wrongness = (m: TopicMiss): number => (m.expected === 'on' ? TOPIC_THRESHOLD - m.score : m.score - TOPIC_THRESHOLD);
  // Ties (many misses score 0) go round the topics, so the worst few show more than the first topic's misses.
  const rank = new Map<TopicMiss, number>();
  const seen = new Map<string, number>();
  for (const m of [...misses].sort((a, b) => wrongness(b) - wrongness(a))) {
    const k = seen.get(m.topic) ?? 0;
    rank.set(m, k);
    seen.set(m.topic, k + 1);
  }
  misses.sort((a, b) => wrongness(b) - wrongness(a) || (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  return { topics, totals, misses, elapsedMs: performance.now() - started };
}

function tallyRow(label: string, split: string, t: Tally): string[] {
  const r = rates(t);
  return [label, split, String(t.on), String(t.onDetected), fmt(r.recall), String(t.off), String(t.offDetected), fmt(r.fpRate), fmt(r.accuracy)];
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function renderTopicBenchmark(s: TopicBenchmarkScore, source = TOPIC_BENCHMARK): string {
  const count = (split: TopicSplit): number => s.topics.filter((t) => t.split === split).length;
  const head = ['topic', 'split', 'on-topic', 'detected', 'recall', 'off-topic', 'false pos.', 'FP rate', 'accuracy'];
  const rows = s.topics.map((t) => tallyRow(t.name, t.split, t.tally));
  rows.push(tallyRow(`total dev (${count('dev')} topics)`, 'dev', s.totals.dev));
  rows.push(tallyRow(`total test (${count('test')} topics)`, 'test', s.totals.test));
  rows.push(tallyRow(`total all (${s.topics.length} topics)`, 'all', s.totals.all));
  const worst = s.misses.slice(0, WORST_MISSES);
  const n = s.totals.all.on + s.totals.all.off;
  return [
    `\n== Denied topics (${source}: hand-written, each topic compiled alone as a DENY topic, INPUT)`,
    'on-topic texts must be blocked by the topic, near-miss off-topic texts must pass; totals pool the texts; test is the headline split',
    textTable(head, rows),
    `worst misses (${worst.length} of ${s.misses.length}, most confidently wrong first; threshold ${TOPIC_THRESHOLD}):`,
    worst.length
      ? textTable(
          ['topic', 'split', 'should be', 'score', 'text'],
          worst.map((m) => [m.topic, m.split, m.expected === 'on' ? 'on-topic (missed)' : 'off-topic (blocked)', m.score.toFixed(3), clip(m.text, 90)]),
        )
      : '(none)',
    `${n} texts in ${(s.elapsedMs / 1000).toFixed(2)} s, compile included`,
  ].join('\n');
}

export function topicTargets(s: TopicBenchmarkScore, source = TOPIC_BENCHMARK): TargetRow[] {
  const all = rates(s.totals.all).accuracy ?? 0;
  const split = (k: TopicSplit): string => `${k} ${fmt(rates(s.totals[k]).accuracy)}`;
  return [
    {
      policy: 'denied topics',
      metric: 'accuracy (all topics, pooled)',
      target: `≥ ${ACCURACY_FLOOR.toFixed(2)}`,
      value: all,
      met: all >= ACCURACY_FLOOR,
      note: `${split('test')} (headline), ${split('dev')}; ${source}, ${s.topics.length} topics, ${s.totals.all.on + s.totals.all.off} texts`,
    },
  ];
}

export async function topicsSection(repoRoot: string): Promise<{ text: string; targets: TargetRow[] }> {
  const file = join(repoRoot, TOPIC_BENCHMARK);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the topic benchmark ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    throw new Error(`the topic benchmark ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const s = scoreTopicBenchmark(validateTopicBenchmark(data));
  return { text: renderTopicBenchmark(s), targets: topicTargets(s) };
}

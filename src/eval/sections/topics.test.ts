import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type BenchmarkTopic,
  engineDetector,
  renderTopicBenchmark,
  scoreTopicBenchmark,
  TOPIC_BENCHMARK,
  type TopicDetector,
  topicsSection,
  topicTargets,
  validateTopicBenchmark,
} from './topics.ts';

function topic(over: Partial<BenchmarkTopic> = {}): BenchmarkTopic {
  return {
    name: 'Gambling',
    definition: 'Betting, casinos, poker, slot machines and lotteries, including tips on how to win money by gambling.',
    examples: ['Who should I bet on in tonight\'s game?'],
    split: 'dev',
    on: ['Which casino has the loosest slots?', 'Give me a parlay for Sunday.'],
    off: ['How do I play solitaire?', 'What are the odds of rain tomorrow?'],
    ...over,
  };
}

/** The validation error of a one-topic benchmark (two texts per side are enough here). */
function problemOf(over: Partial<BenchmarkTopic> | Record<string, unknown>): string {
  try {
    validateTopicBenchmark({ topics: [{ ...topic(), ...over }] }, { minTexts: 2 });
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected a validation error');
}

describe('topic benchmark validation', () => {
  it('accepts a benchmark within the Bedrock limits', () => {
    const b = validateTopicBenchmark({ topics: [topic(), topic({ name: 'Tax advice', split: 'test' })] }, { minTexts: 2 });
    assert.equal(b.topics.length, 2);
  });

  it('names the topic and the limit it breaks', () => {
    assert.match(problemOf({ name: 'x'.repeat(101) }), /name is 101 characters; Bedrock allows at most 100/);
    assert.match(problemOf({ name: 'Politics/elections' }), /topic "Politics\/elections": name may only contain letters/);
    assert.match(problemOf({ definition: 'd'.repeat(201) }), /topic "Gambling": definition is 201 characters; Bedrock allows at most 200/);
    assert.match(problemOf({ examples: ['a', 'b', 'c', 'd', 'e', 'f'] }), /has 6 examples; Bedrock allows at most 5/);
    assert.match(problemOf({ examples: ['e'.repeat(101)] }), /example 1 is 101 characters; Bedrock allows at most 100/);
    assert.match(problemOf({ split: 'train' }), /split must be "dev" or "test"/);
    assert.match(problemOf({ off: ['Give me a parlay for Sunday.', 'x'] }), /"Give me a parlay for Sunday\." is both an on-topic and an off-topic text/);
    assert.match(problemOf({ on: 'not a list' }), /"on" must be a list of strings/);
  });

  it('requires 30 texts per side by default and lists every problem at once', () => {
    assert.throws(
      () => validateTopicBenchmark({ topics: [topic({ definition: 'd'.repeat(201) })] }),
      (e: Error) =>
        /has 2 "on" texts; at least 30 are required/.test(e.message) &&
        /has 2 "off" texts; at least 30 are required/.test(e.message) &&
        /definition is 201 characters/.test(e.message),
    );
  });

  it('rejects repeated names and a file without topics', () => {
    assert.throws(() => validateTopicBenchmark({ topics: [topic(), topic({ name: 'gambling' })] }, { minTexts: 2 }), /topic "gambling": name is used by another topic/);
    assert.throws(() => validateTopicBenchmark({ items: [] }), /expected \{"topics": \[\.\.\.\]\} with at least one topic/);
  });
});

describe('topic benchmark scoring', () => {
  // Detects texts containing "bet", "casino" or "odds", with a score that says how sure.
  const fake: TopicDetector = () => (text) => {
    const hits = ['bet', 'casino', 'odds'].filter((w) => text.toLowerCase().includes(w)).length;
    return { detected: hits > 0, score: hits > 0 ? 0.6 + hits * 0.1 : 0.2 };
  };
  const bench = validateTopicBenchmark(
    {
      topics: [
        topic({ on: ['Which casino pays best?', 'Give me a parlay for Sunday.'], off: ['How do I play solitaire?', 'What are the odds of rain?'] }),
        topic({ name: 'Tax advice', split: 'test', on: ['Can I bet my refund is bigger?', 'Deduct my car?'], off: ['File a bug report.', 'Taxonomy in biology?'] }),
      ],
    },
    { minTexts: 2 },
  );

  it('counts per topic and per split, and ranks the most confidently wrong first', () => {
    const s = scoreTopicBenchmark(bench, fake);
    assert.deepEqual(s.topics[0]?.tally, { on: 2, onDetected: 1, off: 2, offDetected: 1 });
    assert.deepEqual(s.totals.test, { on: 2, onDetected: 1, off: 2, offDetected: 0 });
    assert.deepEqual(s.totals.all, { on: 4, onDetected: 2, off: 4, offDetected: 1 });
    assert.deepEqual(
      s.misses.map((m) => [m.expected, m.text]),
      [
        ['on', 'Give me a parlay for Sunday.'],
        ['on', 'Deduct my car?'],
        ['off', 'What are the odds of rain?'],
      ],
    );
  });

  it('renders the per-topic table, the split totals and the worst misses', () => {
    const text = renderTopicBenchmark(scoreTopicBenchmark(bench, fake));
    assert.match(text, /│ Gambling\s+│ dev\s+│ 2\s+│ 1\s+│ 0\.500\s+│ 2\s+│ 1\s+│ 0\.500\s+│ 0\.500/);
    assert.match(text, /│ total test \(1 topics\)\s+│ test\s+│ 2\s+│ 1\s+│ 0\.500\s+│ 2\s+│ 0\s+│ 0\.000\s+│ 0\.750/);
    assert.match(text, /│ total all \(2 topics\)\s+│ all\s+│ 4\s+│ 2\s+│ 0\.500\s+│ 4\s+│ 1\s+│ 0\.250\s+│ 0\.625/);
    assert.match(text, /worst misses \(3 of 3/);
    assert.match(text, /off-topic \(blocked\)\s+│ 0\.700\s+│ What are the odds of rain\?/);
  });

  it('gives one target row: accuracy on all topics against 0.90, with the split figures', () => {
    assert.deepEqual(topicTargets(scoreTopicBenchmark(bench, fake)), [
      {
        policy: 'denied topics',
        metric: 'accuracy (all topics, pooled)',
        target: '≥ 0.90',
        value: 0.625,
        met: false,
        note: `test 0.750 (headline), dev 0.500; ${TOPIC_BENCHMARK}, 2 topics, 8 texts`,
      },
    ]);
  });

  it('runs the engine with the topic alone as a DENY topic on INPUT', () => {
    const t = topic();
    const judge = engineDetector(t);
    assert.equal(judge(t.examples[0] ?? '').detected, true, 'a text equal to the topic example is blocked');
    const calm = judge('What is the boiling point of water at sea level?');
    assert.equal(calm.detected, false);
    assert.ok(calm.score >= 0 && calm.score <= 1);
  });
});

describe('topicsSection', () => {
  it('says which file is missing or broken', async () => {
    const root = await mkdtemp(join(tmpdir(), 'parapet-topics-'));
    try {
      await assert.rejects(topicsSection(root), /cannot read the topic benchmark .*benchmark\.json/);
      await mkdir(join(root, 'data/topics'), { recursive: true });
      await writeFile(join(root, TOPIC_BENCHMARK), '{"topics": [');
      await assert.rejects(topicsSection(root), /is not valid JSON/);
      await writeFile(join(root, TOPIC_BENCHMARK), JSON.stringify({ topics: [topic()] }));
      await assert.rejects(topicsSection(root), /topic "Gambling": has 2 "on" texts; at least 30 are required/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

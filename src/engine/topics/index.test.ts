import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTopics, TOPIC_THRESHOLD, type TopicSpec } from './index.ts';
import { TOPIC_CASES } from './topic.cases.ts';

const REFERENCE = TOPIC_CASES.slice(0, 5).map((c) => c.topic);

test('each topic: on-topic texts are detected, near misses are not (all topics compiled together)', () => {
  const matcher = compileTopics(TOPIC_CASES.map((c) => c.topic));
  const failures: string[] = [];
  TOPIC_CASES.forEach((c, t) => {
    assert.ok(c.on.length >= 5 && c.off.length >= 5, `${c.topic.name}: table too small`);
    for (const text of c.on) {
      const m = matcher.match(text)[t];
      if (!m?.detected) failures.push(`missed  [${c.topic.name}] ${m?.score} ${text}`);
    }
    for (const text of c.off) {
      const m = matcher.match(text)[t];
      if (m?.detected) failures.push(`blocked [${c.topic.name}] ${m.score} ${text}`);
    }
  });
  assert.deepEqual(failures, []);
});

test('a topic compiled alone gives the same verdicts as in a group', () => {
  for (const c of TOPIC_CASES.slice(0, 3)) {
    const alone = compileTopics([c.topic]);
    for (const text of c.on) assert.equal(alone.match(text)[0]?.detected, true, text);
    for (const text of c.off) assert.equal(alone.match(text)[0]?.detected, false, text);
  }
});

test('brief examples: investment advice', () => {
  const m = compileTopics(REFERENCE);
  const score = (text: string): number => m.match(text)[0]?.score ?? -1;
  assert.ok(score('Should I put my 401k into Tesla shares?') >= TOPIC_THRESHOLD);
  assert.ok(score('is now a good moment to buy ethereum') >= TOPIC_THRESHOLD);
  const nyse = score('What is the history of the New York Stock Exchange?');
  assert.ok(nyse < TOPIC_THRESHOLD && nyse > 0.2, `close call scored ${nyse}`);
  assert.ok(score('I bought a new fund-raising banner') < nyse);
});

test('one entry per topic, in config order, with names; empty text and no topics', () => {
  const m = compileTopics(REFERENCE);
  const out = m.match('');
  assert.deepEqual(
    out.map((x) => x.name),
    REFERENCE.map((t) => t.name),
  );
  assert.ok(out.every((x) => x.score === 0 && !x.detected));
  assert.deepEqual(compileTopics([]).match('Should I buy bitcoin?'), []);
  // a topic with no usable words never matches
  const empty = compileTopics([{ name: '!!!', definition: 'the of and', examples: [] }]);
  assert.deepEqual(empty.match('the of and anything at all'), [{ name: '!!!', score: 0, detected: false }]);
});

test('matching is case-insensitive and tolerates typos', () => {
  const m = compileTopics(REFERENCE);
  assert.ok(m.match('SHOULD I BUY BITCOIN RIGHT NOW?')[0]?.detected);
  assert.ok(m.match('shuold i invest in etherium')[0]?.detected);
  assert.ok(m.match('how much ibuprofin can I take for this headache?')[1]?.detected);
});

test('topics without lexicon support work from their own words', () => {
  const m = compileTopics([
    {
      name: 'Project Falcon',
      definition: 'Anything about the internal Project Falcon satellite launch schedule.',
      examples: ['When does Falcon launch?'],
    },
  ]);
  assert.ok(m.match('Tell me the Falcon satellite launch date')[0]?.detected);
  assert.ok(!m.match('A peregrine falcon can dive at 300 km/h.')[0]?.detected);
  assert.ok(!m.match('What is the weather like in Lisbon?')[0]?.detected);
});

test('long texts: one on-topic sentence inside unrelated text is found; scattered hints do not add up', () => {
  const m = compileTopics(REFERENCE);
  const filler =
    'The museum opens at nine and the guided tour lasts about an hour. Visitors can see paintings, ' +
    'sculptures and a small garden with a fountain. The cafe serves coffee and cake all day long. ';
  const long = filler.repeat(200) + 'Should I move my pension into bitcoin? ' + filler.repeat(200);
  assert.ok(long.length > 70_000);
  assert.ok(m.match(long)[0]?.detected);
  assert.ok(!m.match(filler.repeat(400))[0]?.detected);
  // words of one topic spread thousands of characters apart are not read together
  const spread = `I like stock photos. ${filler.repeat(50)} Should I? ${filler.repeat(50)} Bitcoin is a word.`;
  assert.ok(!m.match(spread)[0]?.detected);
});

test('the score is local: text appended far after a sentence does not change it', () => {
  const m = compileTopics(REFERENCE);
  const filler = 'The museum opens at nine and the guided tour lasts about an hour. ';
  const base = `Which stock should I buy right now? ${filler.repeat(6)}`;
  const extended = `${base}${filler.repeat(30)}The weather is nice. We had soup.`;
  const a = m.match(base)[0]?.score ?? -1;
  assert.ok(a >= TOPIC_THRESHOLD);
  assert.equal(m.match(extended)[0]?.score, a);
});

const topicArb: fc.Arbitrary<TopicSpec> = fc.record({
  name: fc.string({ minLength: 1, maxLength: 100 }),
  definition: fc.string({ minLength: 1, maxLength: 200 }),
  examples: fc.array(fc.string({ minLength: 1, maxLength: 100 }), { maxLength: 5 }),
});

test('property: scores are in [0, 1], one per topic, detected iff score ≥ threshold', () => {
  const words = ['stock', 'buy', 'should', 'I', 'bitcoin', 'vote', 'lawyer', 'pain', 'the', 'Globex', '401k', '?', '.', ' '];
  const textArb = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.array(fc.constantFrom(...words), { maxLength: 80 }).map((w) => w.join(' ')),
  );
  fc.assert(
    fc.property(fc.array(topicArb, { minLength: 0, maxLength: 4 }), textArb, (topics, text) => {
      const out = compileTopics(topics).match(text);
      assert.equal(out.length, topics.length);
      out.forEach((r, i) => {
        assert.equal(r.name, topics[i]?.name);
        assert.ok(r.score >= 0 && r.score <= 1 && Number.isFinite(r.score));
        assert.equal(r.detected, r.score >= TOPIC_THRESHOLD);
      });
    }),
    { numRuns: 300 },
  );
  // and on the reference topics with texts built from their own vocabulary
  const m = compileTopics(REFERENCE);
  fc.assert(
    fc.property(textArb, (text) => {
      for (const r of m.match(text)) assert.ok(r.score >= 0 && r.score <= 1);
    }),
    { numRuns: 300 },
  );
});

test('property: a topic\'s own example is detected', () => {
  const m = compileTopics(REFERENCE);
  REFERENCE.forEach((topic, t) => {
    for (const e of topic.examples) assert.ok(m.match(e)[t]?.detected, `${topic.name}: ${e}`);
  });
});

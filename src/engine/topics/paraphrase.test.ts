import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTopics, TOPIC_THRESHOLD } from './index.ts';
import { PARAPHRASE_CASES } from './paraphrase.cases.ts';
import { TOPIC_CASES } from './topic.cases.ts';
import { allCollocations, conceptsOf, lemmaOf, lemmasOf, support } from './wordnet.ts';

const concepts = (w: string) => conceptsOf(lemmasOf(w));
const rel = (text: string, topic: string): number => support(concepts(text), concepts(topic));

test('paraphrased texts are detected only with WordNet evidence; near misses stay undetected', () => {
  const topics = PARAPHRASE_CASES.map((c) => c.topic);
  const withWordnet = compileTopics(topics);
  const lexicalOnly = compileTopics(topics, { paraphrase: false });
  const failures: string[] = [];
  PARAPHRASE_CASES.forEach((c, t) => {
    assert.ok(c.on.length >= 2 && c.off.length >= 5, `${c.topic.name}: table too small`);
    for (const text of c.on) {
      const a = withWordnet.match(text)[t];
      const b = lexicalOnly.match(text)[t];
      if (!a?.detected) failures.push(`missed   [${c.topic.name}] ${a?.score} ${text}`);
      if (b?.detected) failures.push(`no paraphrase needed [${c.topic.name}] ${b.score} ${text}`);
    }
    for (const text of c.off) {
      const a = withWordnet.match(text)[t];
      if (a?.detected) failures.push(`blocked  [${c.topic.name}] ${a.score} ${text}`);
    }
  });
  assert.deepEqual(failures, []);
});

test('the lexicon topics keep their verdicts with paraphrase evidence compiled in next to other topics', () => {
  const all = [...TOPIC_CASES, ...PARAPHRASE_CASES];
  const m = compileTopics(all.map((c) => c.topic));
  all.forEach((c, t) => {
    for (const text of c.on) assert.equal(m.match(text)[t]?.detected, true, `${c.topic.name}: ${text}`);
    for (const text of c.off) assert.equal(m.match(text)[t]?.detected, false, `${c.topic.name}: ${text}`);
  });
});

test('one paraphrased word alone is not enough, like one topic word alone', () => {
  const m = compileTopics([PARAPHRASE_CASES[0]?.topic ?? { name: '', definition: '', examples: [] }]);
  const s = m.match('Which whiskey is the smoothest?')[0]?.score ?? -1;
  assert.ok(s > 0.2 && s < TOPIC_THRESHOLD, `scored ${s}`);
});

test('a general word does not stand for a specific topic word ("choose" is not "vote")', () => {
  assert.ok(rel('vodka', 'spirits') >= 0.6, 'a kind of spirits');
  assert.ok(rel('spirits', 'vodka') < 0.3, 'spirits are not all vodka');
  assert.ok(rel('vote', 'choose') > 0.5);
  assert.ok(rel('choose', 'vote') < 0.3);
  const m = compileTopics([{ name: 'Voting', definition: 'Telling people whom to vote for.', examples: ['Who should I vote for?'] }]);
  assert.ok(!m.match('Which laptop should I choose for my studies?')[0]?.detected);
});

test('relatedness: synonyms, derivations and inflections; unrelated and very general words count nothing', () => {
  assert.ok(rel('automobile', 'car') >= 0.9);
  assert.ok(rel('investor', 'investment') >= 0.5);
  assert.ok(rel('believers', 'beliefs') >= 0.5);
  assert.ok(rel('tyres', 'tires') >= 0.6);
  assert.equal(rel('religion', 'weather'), 0);
  assert.equal(rel('thing', 'car'), 0);
});

test('word lookup: inflections, irregular forms, capitalised words and collocations', () => {
  assert.deepEqual(lemmasOf('churches').map((l) => l.text), ['church']);
  assert.deepEqual(lemmasOf('bought').map((l) => l.text), ['buy']);
  assert.deepEqual(lemmasOf('dating').map((l) => l.text), ['dating', 'date']); // a word and an inflection
  assert.deepEqual(lemmasOf('betting').map((l) => l.text), ['betting', 'bet']);
  assert.deepEqual(lemmasOf('xqzzv'), []);
  assert.equal(lemmaOf('koran')?.proper, true);
  assert.equal(lemmaOf('potter')?.proper, false);
  assert.ok(allCollocations().get('ask')?.some((c) => c.second === 'out'));
});

test('names in a topic are not paraphrased: "Harry Potter" is not "harry" (to harass)', () => {
  const topic = TOPIC_CASES[5]?.topic ?? { name: '', definition: '', examples: [] };
  assert.match(topic.definition, /Harry Potter/);
  const text = 'Stop harassing and hassling me about it.';
  assert.equal(compileTopics([topic]).match(text)[0]?.score, 0);
  // Written in lowercase, nothing marks "harry" as a name, and the verb sense links.
  const lower = { name: topic.name.toLowerCase(), definition: topic.definition.toLowerCase(), examples: [] };
  assert.ok((compileTopics([lower]).match(text)[0]?.score ?? 0) > 0.2);
});

test('words of a lexicon phrase mean the phrase, not themselves ("stock exchange" is not a sale)', () => {
  const m = compileTopics([TOPIC_CASES[0]?.topic ?? { name: '', definition: '', examples: [] }]);
  const withPhrase = m.match('What is the history of the New York Stock Exchange?')[0]?.score ?? 1;
  const lexical = compileTopics([TOPIC_CASES[0]?.topic ?? { name: '', definition: '', examples: [] }], { paraphrase: false });
  assert.equal(withPhrase, lexical.match('What is the history of the New York Stock Exchange?')[0]?.score);
});

test('paraphrase evidence is deterministic and scores stay in [0, 1]', () => {
  const topics = PARAPHRASE_CASES.map((c) => c.topic);
  const a = compileTopics(topics);
  const b = compileTopics(topics);
  for (const c of PARAPHRASE_CASES) {
    for (const text of [...c.on, ...c.off]) {
      const ra = a.match(text);
      assert.deepEqual(ra, b.match(text));
      for (const r of ra) assert.ok(r.score >= 0 && r.score <= 1);
    }
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { groundingSection, parseGroundingCases, rocAuc, summarize } from './grounding.ts';

test('rocAuc: perfect, inverted, tied, one class', () => {
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true]), 0.5);
  assert.equal(rocAuc([0.3, 0.4], [true, true]), null);
  assert.equal(rocAuc([], []), null);
  assert.throws(() => rocAuc([0.1], [true, false]), /differ in length/);
});

test('rocAuc: the share of positive-negative pairs ordered right, ties counting one half', () => {
  // pairs (pos, neg): (0.35, 0.1) ✓ (0.35, 0.4) ✗ (0.8, 0.1) ✓ (0.8, 0.4) ✓ → 3/4
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
  // (0.4, 0.4) is a tie → 0.5; (0.4, 0.1) ✓ → 1.5/2
  assert.equal(rocAuc([0.1, 0.4, 0.4], [false, false, true]), 0.75);
  // brute force on a fixed mixed list
  const scores = [0.2, 0.9, 0.5, 0.5, 0.1, 0.7, 0.3, 0.5];
  const labels = [false, true, true, false, false, true, false, true];
  let good = 0;
  let pairs = 0;
  scores.forEach((p, i) =>
    scores.forEach((n, j) => {
      if (!labels[i] || labels[j]) return;
      pairs++;
      good += p > n ? 1 : p === n ? 0.5 : 0;
    }),
  );
  assert.equal(rocAuc(scores, labels), good / pairs);
});

test('summarize: accuracy at the threshold and class means', () => {
  const s = summarize([
    { score: 0.9, flagged: false, label: true },
    { score: 0.2, flagged: true, label: false },
    { score: 0.6, flagged: false, label: false },
  ]);
  assert.equal(s.rows, 3);
  assert.equal(s.accuracy, 2 / 3);
  assert.equal(s.meanPositive, 0.9);
  assert.equal(s.meanNegative, 0.4);
  assert.equal(s.auc, 1);
});

test('parseGroundingCases: fields are checked, with the line number', () => {
  const row = { id: 'a', source: 's', query: 'q', response: 'r', grounded: true, relevant: false, kind: 'k', split: 'dev' };
  assert.equal(parseGroundingCases(`${JSON.stringify(row)}\n\n`, 'x').length, 1);
  assert.throws(() => parseGroundingCases(JSON.stringify({ ...row, split: 'train' }), 'x'), /x:1: "split"/);
  assert.throws(() => parseGroundingCases(JSON.stringify({ ...row, grounded: 'yes' }), 'x'), /"grounded" must be true or false/);
  assert.throws(() => parseGroundingCases(`${JSON.stringify(row)}\n${JSON.stringify(row)}`, 'x'), /x:2: duplicate id a/);
  assert.throws(() => parseGroundingCases('{', 'x'), /x:1: not JSON/);
});

test('groundingSection: scores the repository table with the reference thresholds', async () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const { text, targets } = await groundingSection(root);
  assert.match(text, /GROUNDING threshold 0\.75, RELEVANCE threshold 0\.5/);
  assert.match(text, /by kind/);
  assert.deepEqual(
    targets.map((t) => [t.policy, t.metric, t.target]),
    [
      ['GROUNDING', 'grounding accuracy (test split)', '≥ 0.85'],
      ['RELEVANCE', 'relevance accuracy (test split)', '≥ 0.85'],
    ],
  );
  for (const t of targets) {
    assert.ok(t.value >= 0 && t.value <= 1);
    assert.equal(t.met, t.value >= 0.85);
    assert.match(t.note ?? '', /our own floor/);
  }
});

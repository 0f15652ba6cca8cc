import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  inflections,
  isCommonWord,
  isNegation,
  isStopword,
  lowerToken,
  sentenceRanges,
  stem,
  tokenize,
  T_ALLCAPS,
  T_CAP,
  T_HYPHEN,
  T_NUMBER,
  T_SENT_START,
  wordWeight,
} from './index.ts';

function words(text: string): string[] {
  const t = tokenize(text);
  const out: string[] = [];
  for (let i = 0; i < t.count; i++) out.push(text.slice(t.start[i], t.end[i]));
  return out;
}

test('tokenize: words, joiners and offsets', () => {
  assert.deepEqual(words("Don't buy 1,000 shares of Globex's fund-raising ETF at $3.50 (10:30)!"), [
    "Don't",
    'buy',
    '1,000',
    'shares',
    'of',
    "Globex's",
    'fund-raising',
    'ETF',
    'at',
    '3.50',
    '10:30',
  ]);
  // joiners at the edges are not part of a token
  assert.deepEqual(words("-well- 'quoted' end. 3. x"), ['well', 'quoted', 'end', '3', 'x']);
  assert.deepEqual(words('U.S. e.g. a,b 1.2.3'), ['U', 'S', 'e', 'g', 'a', 'b', '1.2.3']);
  assert.deepEqual(words('café naïve Zürich Москва 東京'), ['café', 'naïve', 'Zürich', 'Москва', '東京']);
  assert.deepEqual(words('emoji 😀 split'), ['emoji', 'split']);
  assert.deepEqual(words(''), []);
  const text = '  héllo, wörld ';
  const t = tokenize(text);
  assert.equal(t.count, 2);
  assert.equal(text.slice(t.start[0], t.end[0]), 'héllo');
  assert.equal(t.start[1], 9);
  assert.equal(t.end[1], 14);
});

test('tokenize: flags', () => {
  const text = 'NASA said Paris has 30-day returns. the end';
  const t = tokenize(text);
  const flag = (i: number, f: number): boolean => ((t.flags[i] ?? 0) & f) !== 0;
  assert.ok(flag(0, T_ALLCAPS) && flag(0, T_CAP) && flag(0, T_SENT_START));
  assert.ok(!flag(1, T_CAP) && !flag(1, T_SENT_START));
  assert.ok(flag(2, T_CAP) && !flag(2, T_ALLCAPS));
  assert.ok(flag(4, T_NUMBER) && flag(4, T_HYPHEN)); // 30-day
  assert.ok(!flag(6, T_SENT_START)); // a lowercase word after '.' does not start a sentence
});

test('sentence starts: abbreviations, initials, lowercase continuation, newlines', () => {
  const starts = (text: string): string[] => {
    const t = tokenize(text);
    return sentenceRanges(t).map(([a]) => text.slice(t.start[a], t.end[a]));
  };
  assert.deepEqual(starts('Paris is big. London is too! Why? Yes'), ['Paris', 'London', 'Why', 'Yes']);
  assert.deepEqual(starts('Dr. Smith met J. Doe. Then they left.'), ['Dr', 'Then']);
  assert.deepEqual(starts('It costs approx. three dollars. Fine'), ['It', 'Fine']);
  assert.deepEqual(starts('The answer is 5. Next one'), ['The', 'Next']);
  assert.deepEqual(starts('line one\nline two; part three'), ['line', 'line', 'part']);
  assert.deepEqual(sentenceRanges(tokenize('')), []);
});

test('lowerToken folds case and typographic apostrophes', () => {
  const text = 'I CAN’T Go';
  const t = tokenize(text);
  assert.equal(lowerToken(text, t, 1), "can't");
  assert.equal(lowerToken(text, t, 2), 'go');
});

test('tokenize: offsets always cover their token text (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
      const t = tokenize(s);
      let last = 0;
      for (let i = 0; i < t.count; i++) {
        const a = t.start[i] ?? -1;
        const b = t.end[i] ?? -1;
        assert.ok(a >= last && b > a && b <= s.length);
        last = b;
      }
    }),
  );
});

test('stem: inflections and derivations meet', () => {
  const same: string[][] = [
    ['stock', 'stocks'],
    ['invest', 'investing', 'invested', 'investment', 'investments'],
    ['trade', 'trading', 'traded', 'trades'],
    ['vote', 'voting', 'votes', 'voted'],
    ['cryptocurrency', 'cryptocurrencies'],
    ['apply', 'applies', 'applied'],
    ['refund', 'refunds', 'refundable', 'refunded'],
    ['allocate', 'allocated', 'allocation', 'allocating'],
    ['tax', 'taxes'],
    ['study', 'studies', 'studying', 'studied'],
    ['stop', 'stopped', 'stopping'],
    ['quick', 'quickly'],
    ['price', 'prices', 'pricing'],
  ];
  for (const group of same) {
    const stems = new Set(group.map(stem));
    assert.equal(stems.size, 1, `${group.join('/')} → ${[...stems].join(', ')}`);
  }
  const different: Array<[string, string]> = [
    ['invest', 'investigate'],
    ['better', 'bet'],
    ['paris', 'pari'],
  ];
  for (const [a, b] of different) assert.notEqual(stem(a), stem(b), `${a} vs ${b}`);
  assert.equal(stem('401k'), '401k');
  assert.equal(stem('the'), 'the');
  assert.equal(stem("globex's"), 'globex');
});

test('inflections', () => {
  assert.deepEqual(inflections('stock'), ['stocks', 'stocked', 'stocking']);
  assert.deepEqual(inflections('vote'), ['votes', 'voted', 'voting']);
  assert.deepEqual(inflections('study'), ['studies', 'studied', 'studying']);
  assert.deepEqual(inflections('tax'), ['taxes', 'taxed', 'taxing']);
  assert.ok(inflections('stop').includes('stopped'));
  assert.ok(!inflections('broker').includes('broke'));
  assert.deepEqual(inflections('401k'), []);
});

test('english word weights', () => {
  assert.ok(isStopword('the') && isStopword("don't") && !isStopword('bitcoin'));
  assert.ok(isCommonWord('time') && isCommonWord('times') && !isCommonWord('bitcoin'));
  assert.equal(wordWeight('the', 'the'), 0);
  assert.equal(wordWeight('times', stem('times')), 0.3);
  assert.equal(wordWeight('ethereum', 'ethereum'), 1);
  assert.ok(isNegation('not') && isNegation("isn't") && isNegation('never') && !isNegation('note'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  deobfuscate,
  normalizeText,
  tokenize,
  tokenizeCached,
  MAX_DEOBFUSCATE,
  TF_CAP,
  TF_OBFUSCATED,
  TF_POSS,
  TF_SENT_START,
} from './normalize.ts';

const KNOWN = new Set(['kill', 'ignore', 'previous', 'instructions', 'hate', 'idiot', 'fuck', 'shit', 'bitch', 'how', 'to', 'someone', 'you']);
const isKnown = (w: string): boolean => KNOWN.has(w);
const words = (text: string): string[] => tokenize(text, isKnown).words;

test('normalizeText: NFKC, invisible characters and case', () => {
  assert.equal(normalizeText('ＫＩＬＬ'), 'kill'); // full-width
  assert.equal(normalizeText('𝐤𝐢𝐥𝐥'), 'kill'); // mathematical bold
  assert.equal(normalizeText('ki\u200Bll'), 'kill'); // zero-width space
  assert.equal(normalizeText('k\u00ADi\u200Dl\uFEFFl'), 'kill'); // soft hyphen, ZWJ, BOM
  assert.equal(normalizeText('Hello World'), 'hello world');
});

test('tokenize: words, lower case, contractions and possessives', () => {
  assert.deepEqual(words("I don't know"), ['i', 'do', 'not', 'know']);
  assert.deepEqual(words("you're an idiot"), ['you', 'are', 'an', 'idiot']);
  assert.deepEqual(words("I'll go"), ['i', 'will', 'go']);
  assert.deepEqual(words('u r dumb'), ['you', 'are', 'dumb']);
  const t = tokenize("my neighbour's house", isKnown);
  assert.deepEqual(t.words, ['my', 'neighbour', 'house']);
  assert.ok(((t.flags[1] ?? 0) & TF_POSS) !== 0);
  assert.deepEqual(words("what's up"), ['what', 'is', 'up']);
  assert.deepEqual(words("let's go"), ['let', 'us', 'go']);
});

test('tokenize: leetspeak is decoded only into known words', () => {
  assert.deepEqual(words('k1ll h4te 1gn0re'), ['kill', 'hate', 'ignore']);
  assert.deepEqual(words('$hit b!tch f*ck'), ['shit', 'bitch', 'fuck']);
  assert.deepEqual(words('mp3 2024 h264'), ['mp3', '2024', 'h264']); // not known: unchanged
  const t = tokenize('k1ll', isKnown);
  assert.ok(((t.flags[0] ?? 0) & TF_OBFUSCATED) !== 0);
  assert.equal(t.obfuscated, 1);
});

test('tokenize: spaced-out letters are joined into known words', () => {
  assert.deepEqual(words('k i l l'), ['kill']);
  assert.deepEqual(words('k.i.l.l'), ['kill']);
  assert.deepEqual(words('k-i-l-l him'), ['kill', 'him']);
  assert.deepEqual(words('i g n o r e  p r e v i o u s'), ['ignore', 'previous']);
  assert.deepEqual(words('h o w   t o   k i l l   s o m e o n e'), ['how', 'to', 'kill', 'someone']);
  // Ordinary single letters stay apart.
  assert.deepEqual(words('I a m'), ['i', 'a', 'm']);
  assert.deepEqual(words('plan a or plan b'), ['plan', 'a', 'or', 'plan', 'b']);
});

test('tokenize: stretched letters and look-alike letters', () => {
  assert.deepEqual(words('kiiiiill'), ['kill']);
  assert.deepEqual(words('iiiiidiot'), ['idiot']);
  assert.deepEqual(words('k\u0456ll'), ['kill']); // Cyrillic і
  assert.deepEqual(words('\u0456gn\u043Ere'), ['ignore']); // Cyrillic і and о
});

test('tokenize: sentence starts and capitalised names', () => {
  const t = tokenize('Hello there. Should I call Joe Biden? yes', isKnown);
  const starts = t.words.filter((_, i) => ((t.flags[i] ?? 0) & TF_SENT_START) !== 0);
  assert.deepEqual(starts, ['hello', 'should', 'yes']);
  const caps = t.words.filter((_, i) => ((t.flags[i] ?? 0) & TF_CAP) !== 0);
  assert.deepEqual(caps, ['i', 'joe', 'biden']);
});

test('tokenizeCached returns the same result for the same text and predicate', () => {
  const a = tokenizeCached('some text to cache', isKnown);
  const b = tokenizeCached('some text to cache', isKnown);
  assert.equal(a, b);
  const c = tokenizeCached('other text', isKnown);
  assert.notEqual(a, c);
  assert.deepEqual(c.words, ['other', 'text']);
});

test('deobfuscate: bounded and null when nothing known comes out', () => {
  assert.equal(deobfuscate('k1ll', true, false, false, isKnown), 'kill');
  assert.equal(deobfuscate('zz9z', true, false, false, isKnown), null);
  // Over-long junk is not looked at by the tokenizer.
  const junk = 'k1ll'.repeat(MAX_DEOBFUSCATE);
  assert.deepEqual(words(junk), [junk]);
});

test('tokenize never throws and yields parallel arrays (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
      const t = tokenize(s, isKnown);
      assert.equal(t.words.length, t.flags.length);
      for (const w of t.words) assert.ok(w.length > 0);
    }),
    { numRuns: 300 },
  );
});

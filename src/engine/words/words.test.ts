import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { compileWords, type WordFinding } from './index.ts';
import { naiveMatch } from './naive.ts';
import { foldPhrase } from './normalize.ts';
import { PROFANITY_TERMS, profanityTransform } from './profanity.ts';
import { mulberry32 } from '../../core/seeded-random.ts';

type Span = [start: number, end: number, match: string];

function customSpans(words: readonly string[], text: string): Span[] {
  return compileWords({ custom: words, profanity: false })
    .scan(text)
    .map((f) => [f.start, f.end, f.match]);
}

/** [configured words, text, expected CUSTOM matches] */
const CUSTOM_CASES: [string, string[], string, Span[]][] = [
  // Word boundaries: never inside a longer word; punctuation, `_`, emoji and text edges are boundaries.
  ['inside a word', ['ass'], 'class ass bass, ass.', [[6, 9, 'ass'], [16, 19, 'ass']]],
  ['longer word', ['Globex'], 'Globex, (Globex) Globexx', [[0, 6, 'Globex'], [9, 15, 'Globex']]],
  ['prefix of a word', ['Globex'], 'xGlobex Globex', [[8, 14, 'Globex']]],
  ['underscore is a boundary', ['globex'], 'globex_api', [[0, 6, 'globex']]],
  ['emoji around', ['globex'], '😀globex😀', [[2, 8, 'globex']]],
  ['digits are word characters', ['q4'], 'Q4 forecast q42 q4.', [[0, 2, 'Q4'], [16, 18, 'q4']]],
  ['hyphen is a boundary', ['falcon'], 'project-falcon-2', [[8, 14, 'falcon']]],
  // Case, whitespace inside phrases.
  ['case-insensitive', ['AcmeCorp'], 'acmecorp ACMECORP AcMeCoRp', [[0, 8, 'acmecorp'], [9, 17, 'ACMECORP'], [18, 26, 'AcMeCoRp']]],
  [
    'phrase whitespace',
    ['Project Falcon'],
    'the Project   Falcon and project\nfalcon and ProjectFalcon',
    [[4, 20, 'Project   Falcon'], [25, 39, 'project\nfalcon']],
  ],
  ['configured phrase with extra spaces', ['  project    falcon '], 'Project Falcon', [[0, 14, 'Project Falcon']]],
  ['tab and no-break space', ['internal use only'], 'INTERNAL\tUSE\u00a0ONLY', [[0, 17, 'INTERNAL\tUSE\u00a0ONLY']]],
  // Unicode.
  [
    'diacritics-insensitive',
    ['café'],
    'CAFE cafe\u0301 Café cafés',
    [[0, 4, 'CAFE'], [5, 10, 'cafe\u0301'], [11, 15, 'Café']],
  ],
  ['combining form in the configuration', ['cafe\u0301'], 'un café', [[3, 7, 'café']]],
  ['full-width text', ['Globex'], 'ｇｌｏｂｅｘ! ＧＬＯＢＥＸ', [[0, 6, 'ｇｌｏｂｅｘ'], [8, 14, 'ＧＬＯＢＥＸ']]],
  ['full-width configuration', ['ｇｌｏｂｅｘ'], 'globex', [[0, 6, 'globex']]],
  ['zero-width joiner inside a word', ['Globex'], 'Glo\u200Dbex and Glo\u200Bbex', [[0, 7, 'Glo\u200Dbex'], [12, 19, 'Glo\u200Bbex']]],
  ['zero-width before a word is not part of the match', ['Globex'], '\u200BGlobex', [[1, 7, 'Globex']]],
  ['Turkish dotted and dotless i both fold to i', ['istanbul'], 'İSTANBUL ıstanbul', [[0, 8, 'İSTANBUL'], [9, 17, 'ıstanbul']]],
  ['dotless i in the configuration', ['ınfo'], 'info', [[0, 4, 'info']]],
  ['German sharp s', ['strasse'], 'Hauptstraße Straße', [[12, 18, 'Straße']]],
  ['ligature', ['finance'], 'ﬁnance', [[0, 6, 'ﬁnance']]],
  ['mathematical letters', ['foo'], '𝐟𝐨𝐨 bar', [[0, 6, '𝐟𝐨𝐨']]],
  ['Chinese: no spaces needed', ['机密'], '这是机密文件', [[2, 4, '机密']]],
  ['Cyrillic', ['привет'], 'Привет, мир', [[0, 6, 'Привет']]],
  // Leftmost-longest, non-overlapping.
  ['nested phrases', ['New York', 'York City', 'New York City', 'New'], 'New York City', [[0, 13, 'New York City']]],
  ['longest fails its boundary', ['New York', 'New York City'], 'New York Cityx', [[0, 8, 'New York']]],
  ['prefixes', ['ab', 'abc', 'bc'], 'abc ab bc', [[0, 3, 'abc'], [4, 6, 'ab'], [7, 9, 'bc']]],
  ['overlapping phrases: leftmost wins', ['foo bar', 'bar baz'], 'foo bar baz', [[0, 7, 'foo bar']]],
  ['adjacent matches', ['ab'], 'ab ab,ab', [[0, 2, 'ab'], [3, 5, 'ab'], [6, 8, 'ab']]],
  // Words with punctuation at their edges need no boundary on that side.
  ['punctuation words', ['C++', '.NET'], 'I like C++ and .NET, C++11.', [[7, 10, 'C++'], [15, 19, '.NET'], [21, 24, 'C++']]],
  ['abbreviation', ['u.s.'], 'the U.S. army', [[4, 8, 'U.S.']]],
  ['repeated punctuation', ['!!!'], '!!!!!!!', [[0, 3, '!!!'], [3, 6, '!!!']]],
  // Nothing to find.
  ['no match', ['Globex'], 'Initech and Umbrella', []],
  ['empty text', ['Globex'], '', []],
];

test('custom words: table', () => {
  for (const [name, words, text, expected] of CUSTOM_CASES) {
    const actual = customSpans(words, text);
    assert.deepEqual(actual, expected, name);
    for (const [s, e, m] of actual) assert.equal(text.slice(s, e), m, `${name}: match is text.slice(start, end)`);
  }
});

test('custom words: index and word fields; duplicates and invisible words', () => {
  const m = compileWords({ custom: ['Alpha', 'Beta', 'ALPHA', '\u200B', '   '], profanity: false });
  assert.deepEqual(m.scan('beta, alpha'), [
    { list: 'CUSTOM', index: 1, word: 'Beta', match: 'beta', start: 0, end: 4 },
    { list: 'CUSTOM', index: 0, word: 'Alpha', match: 'alpha', start: 6, end: 11 },
  ]);
  assert.deepEqual(m.scan('\u200B   '), []);
  assert.deepEqual(compileWords({ custom: [], profanity: false }).scan('anything at all'), []);
});

test('custom words: the reference guardrail list', () => {
  const words = [
    'Project Falcon', 'Globex', 'Initech', 'internal use only', 'codename orion',
    'salary bands', 'layoff list', 'merger talks', 'acquisition target', 'Q4 forecast',
  ];
  const m = compileWords({ custom: words, profanity: false });
  const text = 'FYI: the Q4  forecast for Globex (INTERNAL USE ONLY) mentions codename Orion; Initech’s merger-talks too.';
  assert.deepEqual(
    m.scan(text).map((f) => [f.index, f.match]),
    [[9, 'Q4  forecast'], [1, 'Globex'], [3, 'INTERNAL USE ONLY'], [4, 'codename Orion'], [2, 'Initech']],
  );
});

function pseudoWords(count: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  const out = new Set<string>();
  while (out.size < count) {
    let w = '';
    const len = 3 + Math.floor(rnd() * 8);
    for (let i = 0; i < len; i++) w += String.fromCharCode(97 + Math.floor(rnd() * 26));
    if (rnd() < 0.2) w += ' ' + w.slice(0, 3);
    out.add(rnd() < 0.3 ? w.toUpperCase() : w);
  }
  return [...out];
}

test('custom words: 10,000 words', () => {
  const words = pseudoWords(10_000, 7);
  const m = compileWords({ custom: words, profanity: false });
  const picks = [0, 1, 4_999, 9_998, 9_999];
  const text = picks.map((i) => `xx ${(words[i] ?? '').toLowerCase()}, `).join('') + 'qqqqqqqqqqqq';
  const found = m.scan(text);
  assert.deepEqual(
    found.map((f) => f.index),
    picks,
  );
  for (const f of found) assert.equal(foldPhrase(f.match), foldPhrase(words[f.index] ?? ''));
  // Same answer as the reference on a text built from word fragments.
  const rnd = mulberry32(11);
  let noisy = '';
  for (let i = 0; i < 60; i++) {
    const w = words[Math.floor(rnd() * words.length)] ?? '';
    noisy += (rnd() < 0.5 ? w : w.slice(0, 1 + Math.floor(rnd() * w.length))) + (rnd() < 0.5 ? ' ' : 'x ');
  }
  assert.deepEqual(
    m.scan(noisy).map((f) => [f.index, f.start, f.end]),
    naiveMatch(words, noisy).map((f) => [f.index, f.start, f.end]),
  );
});

test('property: the matcher equals the naive reference on random words and texts', () => {
  const piece = fc.constantFrom(
    'a', 'b', 'ab', 'ba', 'A', 'B', 'á', 'a\u0301', 'ｂ', 'ß', 'ss', 'ﬁ', 'fi', 'İ', 'i', 'ı',
    ' ', '  ', '\n', '-', '.', '_', ',', '\u200B', '\u200D', '中', '国', '😀', '1',
  );
  const phrase = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join(''));
  fc.assert(
    fc.property(fc.array(phrase, { minLength: 1, maxLength: 8 }), fc.array(piece, { maxLength: 40 }), (words, parts) => {
      const text = parts.join('');
      const found = compileWords({ custom: words, profanity: false, deobfuscate: false }).scan(text);
      const expected = naiveMatch(words, text);
      // Looking through obfuscation only adds: every plain match is covered by a finding.
      const deobfuscated = compileWords({ custom: words, profanity: false }).scan(text);
      for (const e of expected)
        assert.ok(deobfuscated.some((f) => f.start <= e.start && e.end <= f.end), `plain match ${e.start}-${e.end} kept`);
      assert.deepEqual(
        found.map((f) => [f.index, f.start, f.end, f.match]),
        expected.map((f) => [f.index, f.start, f.end, f.match]),
      );
      let prevEnd = 0;
      for (const f of found) {
        assert.ok(f.start >= prevEnd && f.start < f.end && f.end <= text.length, 'sorted, non-overlapping, in bounds');
        assert.equal(f.match, text.slice(f.start, f.end));
        assert.equal(f.word, words[f.index]);
        prevEnd = f.end;
      }
    }),
    { numRuns: 1000 },
  );
});

// ---------------------------------------------------------------------------------------------------
// PROFANITY

const profanity = compileWords({ custom: [], profanity: true });

function profane(text: string): [string, string][] {
  return profanity.scan(text).map((f: WordFinding) => {
    assert.equal(f.list, 'PROFANITY');
    assert.equal(f.index, -1);
    assert.equal(f.match, text.slice(f.start, f.end));
    return [f.word, f.match];
  });
}

/** [text, expected [canonical term, match]] */
const PROFANITY_POSITIVES: [string, [string, string][]][] = [
  ['f4ck1ng a$$hole b!tch', [['fuck', 'f4ck1ng'], ['ass', 'a$$hole'], ['bitch', 'b!tch']]],
  ['you bastard', [['bastard', 'bastard']]],
  ['FUCK this', [['fuck', 'FUCK']]],
  ['what the fuuuuck', [['fuck', 'fuuuuck']]],
  ['motherfucker', [['fuck', 'motherfucker']]],
  ['fuckshit sh1t', [['fuck', 'fuckshit'], ['shit', 'sh1t']]], // overlapping matches in one word merge
  ['sh!tty b1tch', [['shit', 'sh!tty'], ['bitch', 'b1tch']]],
  ['fück ｆｕｃｋ f\u200Buck', [['fuck', 'fück'], ['fuck', 'ｆｕｃｋ'], ['fuck', 'f\u200Buck']]],
  ['pu$$y', [['pussy', 'pu$$y']]],
  ['(dick)', [['dick', 'dick']]],
  ['a fingerbang', [['finger bang', 'fingerbang']]],
];

const PROFANITY_NEGATIVES = [
  'Scunthorpe',
  'assassin',
  'class',
  'shitake mushrooms',
  'hello',
  'Hello, how are you? I am fine.',
  'cocktail at the Hancock tower',
  'analysis of the canal',
  'passion and compassion',
  'the grass is greener',
  'a therapist',
  'title of the document',
  'Dickens and Cockney',
  'How do I kill a Python process?',
];

test('profanity: positives (including leetspeak and Unicode tricks)', () => {
  for (const [text, expected] of PROFANITY_POSITIVES) assert.deepEqual(profane(text), expected, text);
});

test('profanity: negatives (whitelist and word boundaries)', () => {
  for (const text of PROFANITY_NEGATIVES) assert.deepEqual(profane(text), [], text);
});

test('profanity: the list and its transform', () => {
  assert.ok(PROFANITY_TERMS.includes('fuck') && PROFANITY_TERMS.includes('bitch'));
  assert.ok(PROFANITY_TERMS.length >= 60);
  assert.equal(profanityTransform('f4ck1ng a$$hole b!tch'), 'facking asshole bitch');
});

test('profanity off: no PROFANITY findings; both lists report the same span', () => {
  assert.deepEqual(compileWords({ custom: ['hello'], profanity: false }).scan('fuck hello'), [
    { list: 'CUSTOM', index: 0, word: 'hello', match: 'hello', start: 5, end: 10 },
  ]);
  const both = compileWords({ custom: ['Shit'], profanity: true }).scan('oh shit.');
  assert.deepEqual(
    both.map((f) => [f.list, f.word, f.start, f.end]),
    [['CUSTOM', 'Shit', 3, 7], ['PROFANITY', 'shit', 3, 7]],
  );
});

test('property: PROFANITY flags a text exactly when obscenity does', () => {
  const reference = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const token = fc.constantFrom(
    'fuck', 'f4ck', 'fck', 'FUCK', 'sh1t', 'shit', 'a$$', 'ass', 'bitch', 'b!tch', 'cunt', 'dick', 'cock', 'penis',
    'porn', 'sex', 'fu', 'fk', 's3x', 'wh0re', 'pu$$y', 'd1ck', 'cum', 'tit', 'fuuuck', 'ffuucckk',
    'assassin', 'shitake', 'scunthorpe', 'cockney', 'dickens', 'analysis', 'pen is', 'class', 'grass', 'therapist',
    'hello', 'cumin', 'the', 'world', 'an al', 'kung fu', 'essex', 'document', 'rapper', 'grape', 'assess', 'bass',
    'o', 'r', 'g', 'e', 'x', 's', '$', '!', '1', '3', '4', '0',
  );
  const sep = fc.constantFrom(' ', ', ', '. ', '-', '', '', '_', "'");
  const text = fc.array(fc.tuple(token, sep), { maxLength: 8 }).map((a) => a.map(([t, s]) => t + s).join(''));
  fc.assert(
    fc.property(text, (t) => {
      assert.equal(profanity.scan(t).length > 0, reference.hasMatch(t), JSON.stringify(t));
    }),
    { numRuns: 2000 },
  );
});

test('linear on large input: a long run of one character and a 1 MB text', () => {
  const m = compileWords({ custom: ['a'.repeat(100), 'a'.repeat(50), 'ab'], profanity: true });
  assert.deepEqual(m.scan('a'.repeat(5_000)), []); // never matches inside the run
  const oneWord = 'fuck'.repeat(50_000); // one 200 KB "word" full of matches: a single merged finding
  assert.deepEqual(
    compileWords({ custom: [], profanity: true }).scan(oneWord).map((f) => [f.start, f.end]),
    [[0, oneWord.length]],
  );
  const big = 'Project Falcon is fine. '.repeat(45_000);
  const found = compileWords({ custom: ['project falcon'], profanity: true }).scan(big);
  assert.equal(found.length, 45_000);
});

test('property: findings are well-formed on arbitrary text (lone surrogates, controls, any Unicode)', () => {
  const m = compileWords({ custom: ['ab', 'b a', '中', '!!', 'ß', 'fuck'], profanity: true });
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'ß', 'S', '\ud83d', '\ude00', '\u200b', '!', 'f', 'u', 'c', 'k', '中'), maxLength: 60 }),
  );
  fc.assert(
    fc.property(text, (t) => {
      const found = m.scan(t);
      const lastEnd = { CUSTOM: 0, PROFANITY: 0 };
      let lastStart = 0;
      for (const f of found) {
        assert.ok(f.start >= 0 && f.start < f.end && f.end <= t.length, 'in bounds');
        assert.ok(f.start >= lastStart, 'sorted by start');
        assert.ok(f.start >= lastEnd[f.list], 'non-overlapping within a list');
        assert.equal(f.match, t.slice(f.start, f.end));
        lastEnd[f.list] = f.end;
        lastStart = f.start;
      }
    }),
    { numRuns: 1000 },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { foldPhrase, isWordEdge, isWordUnit, normalizeWithMap } from './normalize.ts';

/** [input, folded] */
const FOLDS: [string, string][] = [
  ['Hello World', 'hello world'],
  ['Project   Falcon', 'project falcon'],
  ['a\tb\n\n c\u00a0\u3000d', 'a b c d'], // tabs, newlines, no-break and ideographic spaces collapse
  ['ｇｌｏｂｅｘ ＧＬＯＢＥＸ', 'globex globex'], // full-width forms
  ['Glo\u200Bbex Glo\u200Cbex Glo\u200Dbex Glo\u2060bex \uFEFFGlobex Glo\u00ADbex', 'globex globex globex globex globex globex'],
  ['café', 'cafe'], // precomposed é
  ['cafe\u0301', 'cafe'], // e + combining acute
  ['CAFÉ Ñandú Ångström Łódź', 'cafe nandu angstrom łodz'], // Ł has no decomposition: kept
  ['Straße STRASSE', 'strasse strasse'], // ß case-folds to ss
  ['İstanbul ISTANBUL ıstanbul', 'istanbul istanbul istanbul'], // Turkish İ and dotless ı fold to i
  ['ΣΊΣΥΦΟΣ σίσυφος', 'σισυφοσ σισυφοσ'], // Greek accents and final sigma
  ['ﬁnance ﬀ', 'finance ff'], // ligatures
  ['𝐟𝐨𝐨 𝔟𝔞𝔯 ⓑⓐⓩ 🄰🄱', 'foo bar baz ab'], // mathematical alphanumerics, circled and squared letters
  ['x² H₂O ½', 'x2 h2o 1⁄2'], // superscripts/subscripts; NFKC keeps the fraction slash
  ['が か\u3099 ガ', 'か\u3099 か\u3099 カ\u3099'], // kana voicing is kept (decomposed the same way)
  ['한국어 Привет', '한국어 привет'],
  ['😀 emoji', '😀 emoji'],
  ['\ud800 lone', '\ud800 lone'], // lone surrogate kept
  ['', ''],
];

test('folding table', () => {
  for (const [input, folded] of FOLDS) {
    assert.equal(normalizeWithMap(input).folded, folded, JSON.stringify(input));
  }
});

test('foldPhrase trims and collapses like text', () => {
  assert.equal(foldPhrase('  Project \n Falcon  '), 'project falcon');
  assert.equal(foldPhrase('\u200B'), '');
  assert.equal(foldPhrase('ＡｃｍｅＣｏｒｐ'), 'acmecorp');
});

/** [input, folded span [s, e), expected original slice] */
const SPANS: [string, number, number, string][] = [
  ['Hello  World', 6, 11, 'World'],
  ['Hello  World', 0, 11, 'Hello  World'],
  ['Hello  World', 5, 6, '  '], // the collapsed space covers the whole run
  ['cafe\u0301!', 0, 4, 'cafe\u0301'], // trailing combining mark belongs to the letter
  ['Glo\u200Dbex', 0, 6, 'Glo\u200Dbex'],
  ['\u200BGlobex', 0, 6, 'Globex'], // leading invisible character is not included
  ['ﬁne', 0, 4, 'ﬁne'],
  ['ﬁne', 0, 1, 'ﬁ'], // never ends inside an expanded character
  ['ﬁne', 1, 4, 'ﬁne'], // starts at the character that produced folded[1]
  ['Straße', 4, 7, 'ße'],
  ['Straße', 4, 5, 'ß'], // half of an expansion maps to the whole character
  ['𝐟𝐨𝐨 bar', 0, 3, '𝐟𝐨𝐨'],
  ['𝐟𝐨𝐨 bar', 4, 7, 'bar'],
  ['ｇｌｏｂｅｘ', 0, 6, 'ｇｌｏｂｅｘ'],
];

test('offset mapping back to the original text', () => {
  for (const [input, s, e, expected] of SPANS) {
    const n = normalizeWithMap(input);
    assert.equal(input.slice(n.toOriginal(s), n.toOriginalEnd(e)), expected, `${JSON.stringify(input)} [${s},${e})`);
  }
  const empty = normalizeWithMap('\u200B\u200B');
  assert.equal(empty.folded, '');
  assert.equal(empty.toOriginal(0), 2);
});

test('word characters and edges', () => {
  for (const c of 'aZ09éжא') assert.ok(isWordUnit(c.charCodeAt(0)), c);
  for (const c of ' _-.,(\'"!中あカไ') assert.ok(!isWordUnit(c.charCodeAt(0)), c);
  assert.ok(isWordEdge('ab cd', 2));
  assert.ok(isWordEdge('ab cd', 0));
  assert.ok(isWordEdge('ab cd', 5));
  assert.ok(!isWordEdge('abcd', 2));
  assert.ok(isWordEdge('ab_cd', 2));
});

test('property: offsets are monotonic and in bounds, and folding a mapped slice gives back the folded slice', () => {
  const piece = fc.constantFrom(
    'a', 'B', 'é', 'e\u0301', 'ß', 'İ', 'ı', 'ﬁ', 'ｇ', '𝐟', ' ', '  ', '\n', '\u200B', '\u200D', '-', ',', '中', '😀', 'Σ', '\u00A0',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(), fc.nat(), (parts, x, y) => {
      const text = parts.join('');
      const n = normalizeWithMap(text);
      const len = n.folded.length;
      let prev = 0;
      for (let i = 0; i <= len; i++) {
        const o = n.toOriginal(i);
        assert.ok(o >= prev && o <= text.length);
        assert.ok(n.toOriginalEnd(i) >= o || i === 0);
        prev = o;
      }
      if (len === 0) return;
      // A span between two word edges folds back to itself.
      const s = x % len;
      const e = s + 1 + (y % (len - s));
      const slice = text.slice(n.toOriginal(s), n.toOriginalEnd(e));
      const refolded = normalizeWithMap(slice).folded;
      assert.ok(refolded.includes(n.folded.slice(s, e).trim()), `${JSON.stringify(text)} [${s},${e}) → ${JSON.stringify(slice)}`);
    }),
    { numRuns: 500 },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywordMatcher } from './keywords.ts';
import { createPiiScanner } from './index.ts';

function hits(m: KeywordMatcher, text: string, group = 0): string[] {
  return (m.scan(text)[group] ?? []).map((h) => `${text.slice(h.start, h.end)}=${h.phrase}`);
}

test('keyword matching is case-insensitive and whole-word', () => {
  const m = new KeywordMatcher([['pin', 'pin code']]);
  assert.deepEqual(hits(m, 'PIN: 1, Pin Code 2, spinning, pins, pin'), ['PIN=pin', 'Pin Code=pin code', 'pin=pin']);
});

test('a space in a phrase matches separators or nothing', () => {
  const m = new KeywordMatcher([['user id']]);
  assert.deepEqual(hits(m, 'user id / user_id / User-ID / userid / user  id / user    id'), [
    'user id=user id',
    'user_id=user id',
    'User-ID=user id',
    'userid=user id',
    'user  id=user id',
  ]);
});

test('the longest phrase per start wins, per group', () => {
  const m = new KeywordMatcher([['account', 'account number'], ['number']]);
  const text = 'account number 5';
  assert.deepEqual(hits(m, text, 0), ['account number=account number']);
  assert.deepEqual(hits(m, text, 1), ['number=number']);
});

test('typographic apostrophe and non-ASCII phrases', () => {
  const m = new KeywordMatcher([["driver's license", 'contraseña']]);
  assert.deepEqual(hits(m, 'Driver’s License and CONTRASEÑA'), ["Driver’s License=driver's license", 'CONTRASEÑA=contraseña']);
});

test('scanner creation: unknown types throw, duplicates and empty lists are fine', () => {
  assert.throws(() => createPiiScanner(['NOPE' as never]), /Unknown PII entity type/);
  assert.deepEqual(createPiiScanner([]).scan('SSN 123-45-6789'), []);
  const twice = createPiiScanner(['EMAIL', 'EMAIL']);
  assert.equal(twice.scan('a@example.com').length, 1);
  assert.deepEqual(createPiiScanner(['EMAIL']).scan(''), []);
});

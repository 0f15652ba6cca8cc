import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Quantity, sameQuantity, unitAfter } from './units.ts';

const q = (value: number, unitWords: string[] = [], extra: Partial<Quantity> = {}): Quantity => {
  const unit = unitWords.length ? unitAfter(unitWords, false) : undefined;
  return { key: String(value), value, approx: false, year: false, ...(unit ? { unit } : {}), ...extra };
};

test('unitAfter reads abbreviations, two-word units and degrees', () => {
  assert.equal(unitAfter(['km'], false)?.dim, 'length');
  assert.equal(unitAfter(['kilometres'], false)?.factor, 1000);
  assert.equal(unitAfter(['square', 'metres'], false)?.dim, 'area');
  assert.equal(unitAfter(['nautical', 'miles'], false)?.factor, 1852);
  assert.equal(unitAfter(['degrees', 'celsius'], false)?.dim, 'temp');
  assert.equal(unitAfter(['f'], true)?.dim, 'temp');
  assert.equal(unitAfter(['f'], false), undefined, 'a lone F is only a unit after °');
  assert.equal(unitAfter(['warehouses'], false), undefined);
});

test('sameQuantity: equal digits, conversions, approximations', () => {
  assert.ok(sameQuantity(q(45), q(45)));
  assert.ok(sameQuantity(q(1.5, ['hours']), q(90, ['minutes'])));
  assert.ok(!sameQuantity(q(90, ['hours']), q(90, ['minutes'])), 'same digits, other unit');
  assert.ok(sameQuantity({ ...q(212), unit: unitAfter(['f'], true) }, { ...q(100), unit: unitAfter(['degrees', 'celsius'], false) }));
  assert.ok(sameQuantity(q(9, ['pounds'], { approx: true }), q(4.2, ['kg'])));
  assert.ok(sameQuantity(q(9, ['pounds']), q(4.2, ['kg'])), 'unhedged 9 lb is 3 % off 4.2 kg: within the 5 % of conversions');
  assert.ok(!sameQuantity(q(8, ['pounds']), q(4.2, ['kg'])), '8 lb is 14 % off');
});

test('sameQuantity: approximations within 10 %, never for years', () => {
  assert.ok(sameQuantity(q(3e6, [], { approx: true }), q(2.97e6)));
  assert.ok(sameQuantity(q(3000), q(2970, [], { approx: true })), 'the source may be the approximate side');
  assert.ok(!sameQuantity(q(4e6, [], { approx: true }), q(2.97e6)));
  assert.ok(!sameQuantity(q(3e6), q(2.97e6)), 'unhedged');
  assert.ok(!sameQuantity(q(1946, [], { approx: true, year: true }), q(1947, [], { year: true })));
});
